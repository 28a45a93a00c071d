"""CSV export: ``candidates.csv`` (one row per candidate figure) and ``studies.csv`` (the study
rows of the evidence table, beside them), ready for a spreadsheet and for ``atc-mine import``.

Written as UTF-8 with a byte-order mark, which is how Excel recognises UTF-8 in a CSV (without
it, "≥" and en dashes come out garbled); every text cell goes through the formula guard.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from atc_mine.export.common import CANDIDATE_COLUMNS, ExportData, atomic_file, candidate_row, neutralise


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Path:
    with atomic_file(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise("" if v is None else v) for k, v in row.items()})
    return path


def write(data: ExportData, out_dir: Path) -> list[Path]:
    paths = [write_rows(out_dir / "candidates.csv", CANDIDATE_COLUMNS, map(candidate_row, data.candidates))]
    if data.studies is not None:
        paths.append(write_rows(out_dir / "studies.csv", data.studies.columns, data.studies.rows))
    return paths
