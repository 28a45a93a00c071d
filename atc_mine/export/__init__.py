"""Exports of candidate records for curator review, one module per format.

``csv`` and ``xlsx`` (one row per candidate figure, study rows beside them), ``jsonl`` (the
extraction contract, one line per document), ``brat`` (standoff), ``bioc`` (XML and JSON),
``labelstudio`` (tasks with pre-annotations) and ``html`` (a self-contained review page).
Every format writes its files into one folder, each file atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from atc_mine.curation import check_selection
from atc_mine.errors import InputError
from atc_mine.store import Store

#: Format name -> the module (``atc_mine.export.<module>``) whose ``write(data, out_dir)`` writes it.
FORMATS = ("csv", "xlsx", "jsonl", "brat", "bioc", "labelstudio", "html")


def writer(fmt: str) -> Callable:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)}, or all)")
    return import_module(f"atc_mine.export.{fmt}").write


def export_store(
    store: Store,
    formats: list[str] | tuple[str, ...],
    out_dir: Path,
    *,
    since: int | None = None,
    status: str | None = None,
) -> dict[str, list[Path]]:
    """Write each format into ``out_dir``; the paths written, by format."""
    writers = {fmt: writer(fmt) for fmt in formats}  # refuse an unknown format before any work
    check_selection(store, since=since, status=status)
    from atc_mine.export.common import collect

    data = collect(store, since=since, status=status)
    return {fmt: write(data, out_dir) for fmt, write in writers.items()}
