"""duikou.eval: see the folder's README or the project README."""
