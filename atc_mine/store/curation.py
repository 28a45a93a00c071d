"""The SQL of curator review: candidate figures with their documents, and curator decisions.

Decisions live in ``curation_decisions`` (migration 0004), keyed by the figure they were made
on, ``(source, doc_id, record_id)``, and never by a row key of ``outcomes`` or ``documents``:
those rows are replaced on every re-extraction. Which decision applies to which current figure
is decided when reading (:mod:`atc_mine.curation`), so a refresh needs no hook here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any, Literal

from atc_mine.errors import StoreError
from atc_mine.records import Entity, OutcomeFigure
from atc_mine.store.core import Store

SaveStatus = Literal["new", "changed", "unchanged"]

#: The columns of ``curation_decisions`` that a curator's decision sets (the rest identify it).
DECISION_FIELDS = ("status", "corrections", "curator", "note")

_OUTCOME_SELECT = """SELECT d.doc_pk, d.source, d.doc_id, d.title, d.metadata, d.version, d.is_current,
           o.record_id, o.measure, o.percent, o.count, o.denominator, o.value, o.unit, o.timepoint,
           o.ci_low, o.ci_high, o.not_reached, o.drugs, o.trial, o.cohort, o.subgroup, o.sentence,
           o.start, o."end", o.run_id
    FROM outcomes o JOIN documents d ON d.doc_pk = o.doc_pk"""


def _outcome(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "doc_pk": int(row["doc_pk"]),
        "source": row["source"],
        "doc_id": row["doc_id"],
        "title": row["title"],
        "metadata": json.loads(row["metadata"]),
        "version": int(row["version"]),
        "is_current": bool(row["is_current"]),
        "record_id": row["record_id"],
        "run_id": row["run_id"],
        "figure": Store._outcome_from_row(row),
    }


def candidate_outcomes(store: Store, *, since_run: int | None = None) -> list[dict[str, Any]]:
    """Every figure of every current, non-deleted document (extracted after ``since_run``, if given).

    Each row: ``doc_pk, source, doc_id, title, metadata, version, record_id, run_id`` and
    ``figure`` (an :class:`OutcomeFigure`), ordered by document and position.
    """
    sql = _OUTCOME_SELECT + " WHERE d.is_current = 1 AND d.deleted = 0"
    params: tuple[Any, ...] = ()
    if since_run is not None:
        sql += " AND o.run_id > ?"
        params = (since_run,)
    sql += ' ORDER BY d.source, d.doc_id, o.start, o."end", o.measure, o.record_id'
    return [_outcome(r) for r in store.conn.execute(sql, params)]


def find_outcomes(store: Store, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The stored figure for each ``(source, doc_id, record_id)``, from any version of its document.

    The current version is preferred, then the newest; a key no version holds is left out.
    """
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    sql = (
        _OUTCOME_SELECT
        + " WHERE d.source = ? AND d.doc_id = ? AND o.record_id = ? ORDER BY d.is_current DESC, d.version DESC LIMIT 1"
    )
    for key in set(keys):
        row = store.conn.execute(sql, key).fetchone()
        if row is not None:
            found[key] = _outcome(row)
    return found


def entities_by_document(store: Store, doc_pks: Iterable[int]) -> dict[int, list[Entity]]:
    """The recognised entities of each stored document version, in text order."""
    result: dict[int, list[Entity]] = {}
    for doc_pk in sorted(set(doc_pks)):
        result[doc_pk] = [
            Entity(r["label"], r["text"], r["start"], r["end"], r["norm"])
            for r in store.conn.execute(
                'SELECT label, text, start, "end", norm FROM entities WHERE doc_pk = ? ORDER BY start, "end", label',
                (doc_pk,),
            )
        ]
    return result


def documents_extracted_since(store: Store, since_run: int) -> set[int]:
    """Keys of the current documents whose stored extraction was written after run ``since_run``."""
    rows = store.conn.execute(
        """SELECT d.doc_pk FROM documents d JOIN extractions e ON e.doc_pk = d.doc_pk
           WHERE d.is_current = 1 AND d.deleted = 0 AND e.run_id > ?""",
        (since_run,),
    )
    return {int(r[0]) for r in rows}


def run_ids(store: Store) -> list[int]:
    return [int(r[0]) for r in store.conn.execute("SELECT run_id FROM runs ORDER BY run_id")]


def latest_run(store: Store) -> dict[str, Any] | None:
    """The newest run that finished, for labelling an export with the state it shows."""
    row = store.conn.execute(
        "SELECT run_id, command, finished_at FROM runs WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    return dict(row) if row else None


# -- decisions -----------------------------------------------------------------------------
def _decision(row: sqlite3.Row) -> dict[str, Any]:
    return dict(row) | {"figure": json.loads(row["figure"]), "corrections": json.loads(row["corrections"])}


def decision_rows(store: Store, documents: Iterable[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Stored decisions (of the given ``(source, doc_id)`` documents only, if given), newest first."""
    sql = "SELECT * FROM curation_decisions"
    order = " ORDER BY decided_at DESC, source, doc_id, record_id"
    if documents is None:
        return [_decision(r) for r in store.conn.execute(sql + order)]
    rows: list[dict[str, Any]] = []
    for source, doc_id in sorted(set(documents)):
        rows.extend(
            _decision(r) for r in store.conn.execute(sql + " WHERE source = ? AND doc_id = ?" + order, (source, doc_id))
        )
    return rows


def history_rows(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT * FROM curation_history ORDER BY history_id")
    return [dict(r) | {"corrections": json.loads(r["corrections"])} for r in rows]


def save_decision(store: Store, decision: dict[str, Any], *, run_id: int | None) -> SaveStatus:
    """Insert or update one decision; unchanged decisions are left as they are (idempotent).

    ``decision`` holds every column of ``curation_decisions`` but ``run_id``; ``figure`` and
    ``corrections`` as plain data. A change is appended to ``curation_history``.
    """
    key = (decision["source"], decision["doc_id"], decision["record_id"])
    corrections = json.dumps(decision["corrections"], sort_keys=True, ensure_ascii=False)
    figure = json.dumps(decision["figure"], sort_keys=True, ensure_ascii=False)
    try:
        with store.atomic():
            old = store.conn.execute(
                "SELECT status, corrections, curator, note, fingerprint FROM curation_decisions "
                "WHERE source = ? AND doc_id = ? AND record_id = ?",
                key,
            ).fetchone()
            if old is not None and (
                old["status"],
                old["corrections"],
                old["curator"],
                old["note"],
                old["fingerprint"],
            ) == (decision["status"], corrections, decision["curator"], decision["note"], decision["fingerprint"]):
                return "unchanged"
            store.conn.execute(
                """INSERT INTO curation_decisions (source, doc_id, record_id, fingerprint, anchor, measure, figure, status,
                       corrections, curator, note, origin, decided_at, run_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (source, doc_id, record_id) DO UPDATE SET fingerprint = excluded.fingerprint,
                       anchor = excluded.anchor, measure = excluded.measure, figure = excluded.figure,
                       status = excluded.status, corrections = excluded.corrections, curator = excluded.curator,
                       note = excluded.note, origin = excluded.origin, decided_at = excluded.decided_at,
                       run_id = excluded.run_id""",
                (
                    *key,
                    decision["fingerprint"],
                    decision["anchor"],
                    decision["measure"],
                    figure,
                    decision["status"],
                    corrections,
                    decision["curator"],
                    decision["note"],
                    decision["origin"],
                    decision["decided_at"],
                    run_id,
                ),
            )
            store.conn.execute(
                """INSERT INTO curation_history (source, doc_id, record_id, status, previous_status, corrections, curator,
                       note, origin, decided_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    *key,
                    decision["status"],
                    old["status"] if old is not None else None,
                    corrections,
                    decision["curator"],
                    decision["note"],
                    decision["origin"],
                    decision["decided_at"],
                    run_id,
                ),
            )
    except sqlite3.Error as exc:
        raise StoreError(f"{store.path}: cannot save the decision on record {key[2]} ({exc})") from None
    return "new" if old is None else "changed"


def figure_snapshot(figure: OutcomeFigure) -> dict[str, Any]:
    """A figure as plain data (the extraction contract's shape), for a decision's record."""
    return figure.to_json()
