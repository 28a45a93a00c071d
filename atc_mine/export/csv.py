"""CSV export: one row per candidate outcome figure, ready for a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from atc_mine.export.common import CANDIDATE_COLUMNS, candidate_rows, neutralise
from atc_mine.store import Store


def write_candidates_csv(store: Store, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "candidates.csv"
    rows = candidate_rows(store.outcome_rows())
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CANDIDATE_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise("" if v is None else v) for k, v in row.items()})
    tmp.replace(path)  # never leave a half-written file where the curator looks
    return path
