"""The study rows of the evidence table beside the figures (issue 6's ``atc_mine.evidence_table``).

The exports put the evidence table's rows (one per study and cohort) out beside the figures
(``studies.csv``, the ``studies`` sheet, the study headings of the HTML page), each with
``status`` / ``curator`` / ``note`` cells, so a curator can accept or reject a whole row at once,
and they show each candidate figure under its study.

Where things come from: the rows are ``atc_mine.evidence_table(store, all_cohorts=True)`` (every
cohort, so every figure has its row; ``in_atc_table`` tells the rows of the ATC table); each row's
``row_id`` and the figures behind it (shown, agreeing, earlier cuts, conflicting) are the
evidence base's study drawing (``atc_mine.store.studies``); a figure behind no row still belongs
to its document's study. Accepting a row accepts its figures except those in conflict (they
disagree with the figure the row shows: each needs its own decision); rejecting a row rejects
them all. :func:`study_table` returns None if the evidence module is not installed, and every
format is then written without study rows (figures grouped by trial, else by document).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from atc_mine.curation import Candidate, review_candidates
from atc_mine.store import Store

Key = tuple[str, str, str]  # (source, doc_id, record_id)

#: What a curator fills in on a study row; what atc-mine adds to help.
DECISION_COLUMNS = ("status", "curator", "note")
COUNT_COLUMNS = ("figures", "pending")
#: Figures behind a row that accepting the row accepts (a conflicting figure needs its own decision).
ACCEPTED_WITH_ROW = frozenset({"shown", "agrees", "history"})
#: Which figure of several rows a candidate is listed under: the row it is shown in first.
ROLE_ORDER = {"shown": 0, "agrees": 1, "history": 2, "conflict": 3}


@dataclass(slots=True)
class StudyTable:
    """Study rows as flat cells; which candidate figures are behind each row and each study."""

    columns: list[str]
    rows: list[dict[str, Any]]
    #: row_id -> {figure key: its role in the row (shown / agrees / history / conflict)}
    members: dict[str, dict[Key, str]] = field(default_factory=dict)
    #: figure key -> (study_id, row_id or None): where the figure is listed
    placement: dict[Key, tuple[str, str | None]] = field(default_factory=dict)

    def row(self, row_id: str) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["row_id"] == row_id), None)

    def decided_by_row(self, row_id: str, status: str) -> list[Key]:
        """The figures a row decision covers: all for reject, all but conflicting ones for accept."""
        roles = self.members.get(row_id, {})
        return [k for k, role in roles.items() if status == "reject" or role in ACCEPTED_WITH_ROW]


def _cell(value: Any) -> Any:
    """A DataFrame cell as a plain CSV/XLSX value: None for missing, lists joined."""
    if value is None:
        return None
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(v) for v in value) or None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def study_table(store: Store, candidates: list[Candidate] | None = None) -> StudyTable | None:
    """The evidence table's rows with the figures behind them; None without the evidence module."""
    try:
        from atc_mine.evidence import evidence_table
        from atc_mine.store import studies as drawing
    except ImportError:
        return None
    frame = evidence_table(store, all_cohorts=True)
    row_ids: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for meta in drawing.study_rows(store, atc_only=False):
        row_ids.setdefault((meta["study_id"], meta["cohort"]), []).append(meta)
    # The table's own columns named like a curator's (its "status" is the trial's) get "study_".
    renamed = {str(c): f"study_{c}" if c in DECISION_COLUMNS or c in COUNT_COLUMNS else str(c) for c in frame.columns}
    table_columns = list(renamed.values())
    rows: list[dict[str, Any]] = []
    for record in frame.to_dict(orient="records"):
        row = {renamed[str(c)]: _cell(v) for c, v in record.items()}
        metas = row_ids.get((row["study_id"], row.get("cohort"))) or [{"row_id": None, "in_atc_table": None}]
        meta = metas.pop(0) if len(metas) > 1 else metas[0]
        row["row_id"] = meta["row_id"]
        row["in_atc_table"] = meta["in_atc_table"]
        rows.append(row)
    members: dict[str, dict[Key, str]] = {}
    placement: dict[Key, tuple[str, str | None]] = {}
    figures = sorted(drawing.study_figures(store), key=lambda f: ROLE_ORDER.get(f["status"], 9))
    for figure in figures:
        key = (figure["source"], figure["doc_id"], figure["record_id"])
        roles = members.setdefault(figure["row_id"], {})
        if ROLE_ORDER.get(figure["status"], 9) < ROLE_ORDER.get(roles.get(key, ""), 10):
            roles[key] = figure["status"]
        placement.setdefault(key, (figure["study_id"], figure["row_id"]))
    study_of_document = {(d["source"], d["doc_id"]): d["study_id"] for d in drawing.study_documents(store)}
    candidates = candidates if candidates is not None else review_candidates(store)
    for c in candidates:
        key = (c.source, c.doc_id, c.record_id)
        if key not in placement and (c.source, c.doc_id) in study_of_document:
            placement[key] = (study_of_document[(c.source, c.doc_id)], None)
    status = {(c.source, c.doc_id, c.record_id): c.status for c in candidates}
    for row in rows:
        keys = [k for k in members.get(row["row_id"] or "", {}) if k in status]
        row["figures"] = len(keys)
        row["pending"] = sum(status[k] == "pending" for k in keys)
        row.update(dict.fromkeys(DECISION_COLUMNS))
    columns = ["row_id", *DECISION_COLUMNS, *COUNT_COLUMNS, *table_columns, "in_atc_table"]
    return StudyTable(columns=columns, rows=rows, members=members, placement=placement)


def assign_studies(candidates: list[Candidate], table: StudyTable | None) -> list[Candidate]:
    """The candidates with their study and study row filled in (unchanged without a table)."""
    if table is None:
        return candidates
    placed = []
    for c in candidates:
        study_id, row_id = table.placement.get((c.source, c.doc_id, c.record_id), (None, None))
        placed.append(replace(c, study_id=study_id, study_row=row_id))
    return placed
