"""duikou (对口): an annotated Chinese corpus and benchmark on paired assistance."""

__version__ = "0.1.0"
