"""Annotation: worksheets, annotation passes, agreement, adjudication into gold, the
guidelines' generated tables, and the Label Studio round trip."""
