"""Scoring extractions against the gold set built from the seed review and its abstracts."""
