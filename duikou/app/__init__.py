"""The application layer: the ``duikou`` command line and ``duikou reproduce``."""
