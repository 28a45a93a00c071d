"""Data files of the evidence table: drug classes and targets, and its text patterns (see README.md)."""
