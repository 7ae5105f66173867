"""duikou.annotation: see the folder's README or the project README."""
