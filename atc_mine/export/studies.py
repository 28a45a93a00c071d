"""The study rows of the evidence table beside the figures (issue 6's ``atc_mine.evidence_table``).

The exports show each candidate figure under its study, and put the study rows out beside the
figures (``studies.csv``, the ``studies`` sheet, the study headings of the HTML page) with
``status`` / ``curator`` / ``note`` columns, so a curator can accept or reject a whole study row.

SEAM: everything the exports need from the evidence table goes through :func:`study_table`.
It reads ``atc_mine.evidence.evidence_table(db)`` (a DataFrame with the columns of
``STUDY_COLUMNS``) and which figures make each study: a ``record_ids`` column when the table has
one, else ``atc_mine.evidence.study_members(db)`` when that exists, else the figures of the
study's ``sources`` documents that carry its trial or regimen. Where the evidence module is not
installed, :func:`study_table` returns None and every format is written without study rows
(figures are then grouped by trial, else by document).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from atc_mine.curation import Candidate, review_candidates
from atc_mine.store import Store

Key = tuple[str, str, str]  # (source, doc_id, record_id)

#: The evidence table's columns (issue 6), in the order the exports show them.
STUDY_COLUMNS = (
    "study_id",
    "therapy_class",
    "regimen",
    "drugs",
    "targets",
    "trial",
    "phase",
    "cohort",
    "n",
    "orr_percent",
    "cr",
    "pr",
    "sd",
    "dcr_percent",
    "pfs_median_months",
    "os_median_months",
    "data_cut",
    "sources",
    "conflicts",
)
#: What a curator fills in on a study row; what atc-mine adds to help.
DECISION_COLUMNS = ("status", "curator", "note")
COUNT_COLUMNS = ("figures", "pending")


@dataclass(slots=True)
class StudyTable:
    """Study rows as flat cells, and which candidate figures belong to each study."""

    columns: list[str]
    rows: list[dict[str, Any]]
    members: dict[str, list[Key]] = field(default_factory=dict)

    @property
    def study_of(self) -> dict[Key, str]:
        found: dict[Key, str] = {}
        for study_id, keys in self.members.items():
            for key in keys:
                found.setdefault(key, study_id)
        return found

    def row(self, study_id: str) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["study_id"] == study_id), None)


def _cell(value: Any) -> Any:
    """A DataFrame cell as a plain CSV/XLSX value: None for missing, lists joined."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
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
    return value


def _evidence(store: Store) -> tuple[Any, Any] | None:
    """(evidence_table, study_members or None) from atc_mine.evidence, or None if not there."""
    try:
        from atc_mine import evidence
    except ImportError:
        return None
    table = getattr(evidence, "evidence_table", None)
    if table is None:
        return None
    return table, getattr(evidence, "study_members", None)


def _tokens(value: Any) -> set[str]:
    return {t for t in re.split(r"[\s;,|]+|:(?=\S)", str(value or "")) if t}


def _members_from_sources(rows: list[dict[str, Any]], candidates: Iterable[Candidate]) -> dict[str, list[Key]]:
    """Fallback membership: a figure belongs to the study whose sources name its document and
    whose trial it carries (or, without a trial, whose drugs it has)."""
    members: dict[str, list[Key]] = {}
    for candidate in candidates:
        names = {candidate.doc_id, str(candidate.metadata.get("pmid") or "")} - {""}
        for row in rows:
            if not (names & _tokens(row.get("sources"))):
                continue
            figure = candidate.figure
            trial_ok = row.get("trial") and figure.trial == row.get("trial")
            drugs_ok = set(figure.drugs) and set(figure.drugs) <= _tokens(str(row.get("drugs") or "").lower())
            if trial_ok or (not figure.trial and drugs_ok) or (not figure.trial and not figure.drugs):
                members.setdefault(row["study_id"], []).append(
                    (candidate.source, candidate.doc_id, candidate.record_id)
                )
                break
    return members


def study_table(store: Store, candidates: list[Candidate] | None = None) -> StudyTable | None:
    """The evidence table's study rows with their member figures; None without the evidence module."""
    evidence = _evidence(store)
    if evidence is None:
        return None
    evidence_table, study_members = evidence
    frame = evidence_table(store.path)
    records = frame.to_dict(orient="records")
    extra = [c for c in frame.columns if c not in STUDY_COLUMNS and c not in ("record_ids", *DECISION_COLUMNS)]
    columns = [c for c in STUDY_COLUMNS if c in frame.columns] + extra
    rows = [{c: _cell(r.get(c)) for c in columns} for r in records]
    for row in rows:
        row["study_id"] = str(row["study_id"])
    if "record_ids" in frame.columns:
        members = {str(r["study_id"]): [tuple(k) for k in (r["record_ids"] or ())] for r in records}
    elif study_members is not None:
        members = {str(k): [tuple(x) for x in v] for k, v in study_members(store.path).items()}
    else:
        members = _members_from_sources(rows, candidates if candidates is not None else review_candidates(store))
    status = {(c.source, c.doc_id, c.record_id): c.status for c in (candidates or review_candidates(store))}
    for row in rows:
        keys = [k for k in members.get(row["study_id"], []) if k in status]
        row["figures"] = len(keys)
        row["pending"] = sum(status[k] == "pending" for k in keys)
        row.update(dict.fromkeys(DECISION_COLUMNS))
    return StudyTable(columns=["study_id", *DECISION_COLUMNS, *COUNT_COLUMNS, *columns[1:]], rows=rows, members=members)


def assign_studies(candidates: list[Candidate], table: StudyTable | None) -> list[Candidate]:
    """The candidates with their ``study_id`` filled in (unchanged without a study table)."""
    if table is None:
        return candidates
    study_of = table.study_of
    return [replace(c, study_id=study_of.get((c.source, c.doc_id, c.record_id))) for c in candidates]
