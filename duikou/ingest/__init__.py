"""Ingestion: raw seed articles (``.txt``/``.html``) → clean text with an exact offset map
back to the raw file, source metadata, and sentence segmentation."""
