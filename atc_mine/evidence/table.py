"""The evidence table as a pandas DataFrame: one row per study and cohort.

Rows come from the evidence base's study tables, which every load redraws. A table asked of
an evidence base whose drawing is out of date (loaded by an older atc-mine, or drawn by older
rules) is redrawn first, so the table always matches the documents it rests on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from atc_mine.errors import InputError
from atc_mine.evidence.classes import THERAPY_CLASSES
from atc_mine.evidence.redraw import redraw_studies
from atc_mine.store import Store
from atc_mine.store.studies import COUNT_COLUMNS, REAL_COLUMNS, ROW_COLUMNS, study_rows

if TYPE_CHECKING:
    import pandas as pd

#: The table's columns, in order: what the CSV header says.
TABLE_COLUMNS = ROW_COLUMNS
#: Order of the therapy classes in the table: the review's Tables 1-3, then the rest.
CLASS_ORDER = {name: index for index, name in enumerate(THERAPY_CLASSES)}


def check_class(therapy_class: str | None) -> str | None:
    if therapy_class is not None and therapy_class not in THERAPY_CLASSES:
        raise InputError(f"unknown therapy class {therapy_class!r} (choose from {', '.join(THERAPY_CLASSES)})")
    return therapy_class


def table_rows(store: Store, *, therapy_class: str | None = None, all_cohorts: bool = False) -> list[dict[str, Any]]:
    """Rows of the table as plain dicts (``TABLE_COLUMNS`` plus ``row_id``), in table order."""
    check_class(therapy_class)
    redraw_studies(store, force=False)
    rows = study_rows(store, atc_only=not all_cohorts)
    if therapy_class:
        rows = [r for r in rows if r["therapy_class"] == therapy_class]
    return sorted(rows, key=lambda r: (CLASS_ORDER.get(r["therapy_class"], 99), r["study_id"], r["cohort"] or ""))


def rows_to_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame([{c: r.get(c) for c in TABLE_COLUMNS} for r in rows], columns=list(TABLE_COLUMNS))
    for column in TABLE_COLUMNS:
        if column in COUNT_COLUMNS:
            frame[column] = frame[column].astype("Int64")
        elif column in REAL_COLUMNS:
            frame[column] = frame[column].astype("Float64")
        else:
            frame[column] = frame[column].astype("string")
    return frame


def evidence_table(
    db: str | Path | Store, *, therapy_class: str | None = None, all_cohorts: bool = False
) -> pd.DataFrame:
    """The evidence table of an evidence base: one row per study and cohort.

    By default only ATC rows (see README, "The evidence table"); ``all_cohorts=True`` gives every
    cohort of every study. ``therapy_class`` keeps one class (targeted, immuno, combination,
    chemo, unclassified). Unknown numbers are missing values (``pd.NA``), never zero.
    """
    if isinstance(db, Store):
        return rows_to_frame(table_rows(db, therapy_class=therapy_class, all_cohorts=all_cohorts))
    if str(db) != ":memory:" and not Path(db).exists():
        raise InputError(f"{db}: no such evidence base")
    with Store(db) as store:
        return rows_to_frame(table_rows(store, therapy_class=therapy_class, all_cohorts=all_cohorts))
