"""Study records of the evidence base: studies, their documents, figures, table rows, conflicts.

The tables (migration ``0003_studies.sql``) hold *derived* data: a drawing made by
:func:`atc_mine.evidence.redraw.redraw_studies` from the current documents and their figures.
:func:`replace_drawing` swaps a whole drawing in one transaction, so a reader never sees half
of one; :func:`drawing_fingerprint` tells whether the evidence base changed since the last one.

This module owns the SQL; the plain records below are what ``atc_mine.evidence`` builds and
reads back. A missing value is ``None``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from atc_mine.records import OutcomeFigure
from atc_mine.store.core import Store, StoredDocument, utc_now

#: Columns of one evidence-table row, in table order (the CSV header); see ``study_rows``.
ROW_COLUMNS: tuple[str, ...] = (
    "study_id",
    "therapy_class",
    "regimen",
    "drugs",
    "targets",
    "trial",
    "phase",
    "cohort",
    "n",
    "n_evaluable",
    "orr_percent",
    "orr_count",
    "orr_ci_low",
    "orr_ci_high",
    "orr_basis",
    "cr",
    "pr",
    "sd",
    "pd",
    "dcr_percent",
    "pfs_median_months",
    "os_median_months",
    "data_cut",
    "status",
    "sources",
    "conflicts",
    "candidate_trials",
    "other_figures",
    "notes",
)
#: Row columns holding whole numbers (counts of patients).
COUNT_COLUMNS = frozenset({"n", "n_evaluable", "orr_count", "cr", "pr", "sd", "pd"})
#: Row columns holding other numbers (percent, months, CI limits).
REAL_COLUMNS = frozenset(
    {"orr_percent", "orr_ci_low", "orr_ci_high", "dcr_percent", "pfs_median_months", "os_median_months"}
)


@dataclass(frozen=True, slots=True)
class StudyRecord:
    study_id: str
    key_kind: str  # 'trial' (grouped by an NCT ID) or 'publication'
    therapy_class: str
    atc_relevant: bool
    trial: str | None = None
    title: str | None = None
    regimen: str | None = None
    drugs: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    phase: str | None = None
    status: str | None = None
    relevance: str | None = None
    candidate_trials: tuple[str, ...] = ()
    first_cut: str | None = None
    latest_cut: str | None = None


@dataclass(frozen=True, slots=True)
class StudyDocumentLink:
    study_id: str
    doc_pk: int
    role: str  # 'publication' or 'registry'
    linked_by: str
    label: str
    data_cut: str | None = None


@dataclass(frozen=True, slots=True)
class StudyFigureLink:
    row_id: str
    study_id: str
    doc_pk: int
    record_id: str
    field: str
    status: str  # shown / agrees / history / conflict
    number: float | None = None
    not_reached: bool = False
    arm: str | None = None
    timepoint: str | None = None
    data_cut: str | None = None


@dataclass(frozen=True, slots=True)
class StudyRow:
    row_id: str
    study_id: str
    in_atc_table: bool
    #: One value per ``ROW_COLUMNS`` name except ``study_id``; missing values are None.
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StudyConflict:
    row_id: str
    study_id: str
    field: str
    candidates: tuple[dict[str, Any], ...]
    chosen: float | None = None
    arm: str | None = None
    timepoint: str | None = None
    data_cut: str | None = None


@dataclass(slots=True)
class StudyDrawing:
    studies: list[StudyRecord] = field(default_factory=list)
    documents: list[StudyDocumentLink] = field(default_factory=list)
    rows: list[StudyRow] = field(default_factory=list)
    figures: list[StudyFigureLink] = field(default_factory=list)
    conflicts: list[StudyConflict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "studies": len(self.studies),
            "study_documents": len(self.documents),
            "rows": len(self.rows),
            "atc_rows": sum(r.in_atc_table for r in self.rows),
            "figures": len(self.figures),
            "conflicts": len(self.conflicts),
        }


# -- reading what a drawing is made from ------------------------------------------------
def entities_by_document(store: Store, labels: tuple[str, ...]) -> dict[int, list[tuple[str, str, int, int]]]:
    """(label, norm, start, end) of the entities with ``labels`` of every current document."""
    marks = ",".join("?" * len(labels))
    found: dict[int, list[tuple[str, str, int, int]]] = defaultdict(list)
    for row in store.conn.execute(
        f"""SELECT e.doc_pk, e.label, e.norm, e.start, e."end" FROM entities e JOIN documents d USING (doc_pk)
            WHERE d.is_current = 1 AND d.deleted = 0 AND e.label IN ({marks}) ORDER BY e.doc_pk, e.start""",
        labels,
    ):
        found[int(row["doc_pk"])].append((row["label"], row["norm"], int(row["start"]), int(row["end"])))
    return found


def figures_by_document(store: Store) -> dict[int, list[tuple[str, OutcomeFigure]]]:
    """(record_id, figure) of every figure of every current document, in text order."""
    found: dict[int, list[tuple[str, OutcomeFigure]]] = defaultdict(list)
    for row in store.conn.execute(
        """SELECT o.* FROM outcomes o JOIN documents d USING (doc_pk)
           WHERE d.is_current = 1 AND d.deleted = 0 ORDER BY o.doc_pk, o.start, o.measure, o.record_id"""
    ):
        found[int(row["doc_pk"])].append((row["record_id"], Store._outcome_from_row(row)))
    return found


def current_doc_ids(store: Store) -> dict[int, str]:
    """doc_pk -> doc_id of every current, non-deleted document."""
    rows = store.conn.execute("SELECT doc_pk, doc_id FROM documents WHERE is_current = 1 AND deleted = 0")
    return {int(r["doc_pk"]): r["doc_id"] for r in rows}


def current_documents(store: Store) -> Iterator[StoredDocument]:
    yield from store.iter_documents()


def drawing_fingerprint(store: Store, *, version: str) -> str:
    """What a drawing depends on: the current documents, their extractions, the drawing code."""
    row = store.conn.execute(
        """SELECT count(*), coalesce(max(d.doc_pk), 0), coalesce(max(x.extracted_at), ''),
                  (SELECT count(*) FROM outcomes o JOIN documents c USING (doc_pk) WHERE c.is_current = 1)
           FROM documents d LEFT JOIN extractions x USING (doc_pk) WHERE d.is_current = 1"""
    ).fetchone()
    return f"{version}|{row[0]}|{row[1]}|{row[2]}|{row[3]}"


def last_drawing(store: Store) -> dict[str, Any] | None:
    row = store.conn.execute("SELECT * FROM study_drawings ORDER BY drawing_id DESC LIMIT 1").fetchone()
    return dict(row) | {"counts": json.loads(row["counts"])} if row else None


# -- writing a drawing -----------------------------------------------------------------
def _json(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False, sort_keys=True)


def replace_drawing(store: Store, drawing: StudyDrawing, *, fingerprint: str, run_id: int | None = None) -> None:
    """Replace every study table's content with ``drawing``, in one transaction."""
    conn = store.conn
    with store.atomic():
        for table in ("study_conflicts", "study_figures", "study_rows", "study_documents", "studies"):
            conn.execute(f"DELETE FROM {table}")
        conn.executemany(
            """INSERT INTO studies (study_id, trial, key_kind, title, regimen, drugs, therapy_class, targets, phase,
                   status, atc_relevant, relevance, candidate_trials, first_cut, latest_cut)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    s.study_id,
                    s.trial,
                    s.key_kind,
                    s.title,
                    s.regimen,
                    _json(s.drugs),
                    s.therapy_class,
                    _json(s.targets),
                    s.phase,
                    s.status,
                    int(s.atc_relevant),
                    s.relevance,
                    _json(s.candidate_trials),
                    s.first_cut,
                    s.latest_cut,
                )
                for s in drawing.studies
            ],
        )
        conn.executemany(
            "INSERT INTO study_documents (study_id, doc_pk, role, linked_by, data_cut, label) VALUES (?, ?, ?, ?, ?, ?)",
            [(d.study_id, d.doc_pk, d.role, d.linked_by, d.data_cut, d.label) for d in drawing.documents],
        )
        value_columns = [c for c in ROW_COLUMNS if c != "study_id"]
        conn.executemany(
            f"""INSERT INTO study_rows (row_id, study_id, in_atc_table, {", ".join(value_columns)})
                VALUES (?, ?, ?, {", ".join("?" * len(value_columns))})""",
            [
                (r.row_id, r.study_id, int(r.in_atc_table), *(r.values.get(c) for c in value_columns))
                for r in drawing.rows
            ],
        )
        conn.executemany(
            """INSERT INTO study_figures (row_id, study_id, doc_pk, record_id, field, arm, timepoint, number,
                   not_reached, data_cut, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    f.row_id,
                    f.study_id,
                    f.doc_pk,
                    f.record_id,
                    f.field,
                    f.arm,
                    f.timepoint,
                    f.number,
                    int(f.not_reached),
                    f.data_cut,
                    f.status,
                )
                for f in drawing.figures
            ],
        )
        conn.executemany(
            """INSERT INTO study_conflicts (row_id, study_id, field, arm, timepoint, data_cut, chosen, candidates)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (c.row_id, c.study_id, c.field, c.arm, c.timepoint, c.data_cut, c.chosen, _json(c.candidates))
                for c in drawing.conflicts
            ],
        )
        conn.execute(
            "INSERT INTO study_drawings (drawn_at, run_id, fingerprint, counts) VALUES (?, ?, ?, ?)",
            (utc_now(), run_id, fingerprint, _json(drawing.counts())),
        )


# -- reading a drawing back -------------------------------------------------------------
def study_rows(store: Store, *, atc_only: bool = True) -> list[dict[str, Any]]:
    """Rows of the evidence table (``ROW_COLUMNS`` plus ``row_id`` and ``in_atc_table``)."""
    sql = "SELECT * FROM study_rows" + (" WHERE in_atc_table = 1" if atc_only else "")
    rows = store.conn.execute(sql + " ORDER BY therapy_class, study_id, cohort").fetchall()
    return [dict(r) | {"in_atc_table": bool(r["in_atc_table"])} for r in rows]


def studies(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM studies ORDER BY study_id").fetchall()
    return [
        dict(r)
        | {
            "drugs": json.loads(r["drugs"]),
            "targets": json.loads(r["targets"]),
            "candidate_trials": json.loads(r["candidate_trials"]),
            "atc_relevant": bool(r["atc_relevant"]),
        }
        for r in rows
    ]


def study_documents(store: Store) -> list[dict[str, Any]]:
    """Study <-> document membership, with each document's identity (current versions)."""
    rows = store.conn.execute(
        """SELECT sd.*, d.source, d.doc_id, d.title FROM study_documents sd JOIN documents d USING (doc_pk)
           ORDER BY sd.study_id, sd.data_cut, d.doc_id"""
    ).fetchall()
    return [dict(r) for r in rows]


def study_figures(store: Store) -> list[dict[str, Any]]:
    """Every figure behind a row, with its status (shown / agrees / history / conflict) and sentence."""
    rows = store.conn.execute(
        """SELECT f.*, d.source, d.doc_id, o.measure, o.sentence, o.cohort AS figure_cohort, o.subgroup, o.drugs
           FROM study_figures f JOIN outcomes o USING (doc_pk, record_id) JOIN documents d USING (doc_pk)
           ORDER BY f.row_id, f.field, f.data_cut, d.doc_id, o.start"""
    ).fetchall()
    return [dict(r) | {"drugs": json.loads(r["drugs"]), "not_reached": bool(r["not_reached"])} for r in rows]


def study_conflicts(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM study_conflicts ORDER BY row_id, field, arm").fetchall()
    return [dict(r) | {"candidates": json.loads(r["candidates"])} for r in rows]
