"""Exports of candidate records for curator review."""
