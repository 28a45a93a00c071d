"""The evidence base's refresh bookkeeping: watermarks, the fetch log, trial <-> publication links.

Tables from migration ``0002_refresh.sql``. Every function takes an open
:class:`~atc_mine.store.core.Store` and writes inside ``store.atomic()``, so a caller that
wraps a batch of documents in its own ``atomic()`` commits documents, links, log row and
watermark together or not at all (savepoints nest).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from atc_mine.errors import StoreError
from atc_mine.records import Document
from atc_mine.store.core import Store, utc_now

F = TypeVar("F", bound=Callable[..., Any])

REFRESH_SOURCES = ("pubmed", "ctgov")
#: SQLite's default limit on host parameters is 999 (32766 since 3.32); stay well below.
MAX_SQL_PARAMS = 900


@dataclass(frozen=True, slots=True)
class Watermark:
    source: str
    query_key: str
    watermark: str | None
    progress: dict[str, Any] = field(default_factory=dict)
    last_success_at: str | None = None
    last_run_id: int | None = None


def _guard(action: str) -> Callable[[F], F]:
    """Translate sqlite3 errors into :class:`StoreError` (nothing above the store sees sqlite3)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot {action}: {exc}") from None

        return inner  # type: ignore[return-value]

    return wrap


# -- watermarks -------------------------------------------------------------------------------
@_guard("read a refresh watermark")
def get_watermark(store: Store, source: str, query_key: str) -> Watermark | None:
    row = store.conn.execute(
        "SELECT * FROM refresh_watermarks WHERE source = ? AND query_key = ?", (source, query_key)
    ).fetchone()
    if row is None:
        return None
    return Watermark(
        source=row["source"],
        query_key=row["query_key"],
        watermark=row["watermark"],
        progress=json.loads(row["progress"]),
        last_success_at=row["last_success_at"],
        last_run_id=row["last_run_id"],
    )


@_guard("write a refresh watermark")
def set_watermark(
    store: Store,
    source: str,
    query_key: str,
    *,
    watermark: str | None,
    run_id: int | None,
    progress: dict[str, Any] | None = None,
    success: bool = False,
) -> None:
    """Move the watermark (and the progress of a refresh under way); ``success`` ends a refresh."""
    if source not in REFRESH_SOURCES:
        raise StoreError(f"unknown refresh source {source!r}")
    now = utc_now()
    with store.atomic():
        store.conn.execute(
            """INSERT INTO refresh_watermarks (source, query_key, watermark, progress, last_success_at, last_run_id, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(source, query_key) DO UPDATE SET
                   watermark = excluded.watermark, progress = excluded.progress,
                   last_success_at = COALESCE(excluded.last_success_at, refresh_watermarks.last_success_at),
                   last_run_id = excluded.last_run_id, updated_at = excluded.updated_at""",
            (
                source,
                query_key,
                watermark,
                json.dumps(progress or {}, sort_keys=True),
                now if success else None,
                run_id,
                now,
            ),
        )


@_guard("list refresh watermarks")
def watermarks(store: Store) -> list[Watermark]:
    rows = store.conn.execute("SELECT source, query_key FROM refresh_watermarks ORDER BY source, query_key").fetchall()
    return [w for r in rows if (w := get_watermark(store, r["source"], r["query_key"])) is not None]


# -- fetch log --------------------------------------------------------------------------------
@_guard("write the fetch log")
def log_fetch(
    store: Store,
    *,
    run_id: int | None,
    source: str,
    query_key: str | None,
    step: str,
    detail: dict[str, Any] | None = None,
    documents: int = 0,
    requests: int = 0,
    status: str = "ok",
    error: str | None = None,
) -> None:
    with store.atomic():
        store.conn.execute(
            """INSERT INTO fetch_log (run_id, source, query_key, step, detail, documents, requests, status, error, logged_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                run_id,
                source,
                query_key,
                step,
                json.dumps(detail or {}, sort_keys=True, default=str),
                documents,
                requests,
                status,
                error,
                utc_now(),
            ),
        )


@_guard("read the fetch log")
def fetch_log(store: Store, *, run_id: int | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM fetch_log" + (" WHERE run_id = ?" if run_id is not None else "") + " ORDER BY fetch_id"
    rows = store.conn.execute(sql, (run_id,) if run_id is not None else ()).fetchall()
    return [dict(r) | {"detail": json.loads(r["detail"])} for r in rows]


# -- trial <-> publication links -----------------------------------------------------------------
def document_links(document: Document) -> list[tuple[str, str, str, str | None]]:
    """(nct_id, pmid, via, reference_type) that a document states."""
    meta = document.metadata
    if document.deleted:
        return []
    if document.source == "pubmed":
        return [
            (nct, document.doc_id, "pubmed_databank", None) for nct in sorted(set(meta.get("databank_nct_ids") or ()))
        ]
    if document.source == "ctgov":
        links = {}
        for ref in meta.get("references") or ():
            pmid = str(ref.get("pmid") or "").strip()
            if pmid.isdigit():
                links.setdefault(pmid, ref.get("type"))
        return [(document.doc_id, pmid, "ctgov_reference", kind) for pmid, kind in sorted(links.items())]
    pmid = str(meta.get("pmid") or "").strip()
    if document.source == "text" and pmid.isdigit():
        return [
            (nct, pmid, "sidecar", None)
            for nct in sorted(set(meta.get("linked_trials") or ()))
            if nct.startswith("NCT")
        ]
    return []


@_guard("record trial links")
def record_links(store: Store, document: Document, *, run_id: int | None = None) -> int:
    """Make the links this document states the stored ones (added, kept, or dropped); returns how many."""
    links = document_links(document)
    if document.source == "pubmed":
        where, key = "pmid = ? AND via = 'pubmed_databank'", document.doc_id
    elif document.source == "ctgov":
        where, key = "nct_id = ? AND via = 'ctgov_reference'", document.doc_id
    else:
        pmid = str(document.metadata.get("pmid") or "").strip()
        if not pmid:
            return 0
        where, key = "pmid = ? AND via = 'sidecar'", pmid
    now = utc_now()
    with store.atomic():
        current = {
            (r["nct_id"], r["pmid"])
            for r in store.conn.execute(f"SELECT nct_id, pmid FROM trial_links WHERE {where}", (key,))
        }
        wanted = {(nct, pmid) for nct, pmid, _via, _kind in links}
        for nct, pmid in current - wanted:
            store.conn.execute(f"DELETE FROM trial_links WHERE {where} AND nct_id = ? AND pmid = ?", (key, nct, pmid))
        for nct, pmid, via, kind in links:
            store.conn.execute(
                """INSERT INTO trial_links (nct_id, pmid, via, reference_type, first_seen_at, run_id) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(nct_id, pmid, via) DO UPDATE SET reference_type = excluded.reference_type""",
                (nct, pmid, via, kind, now, run_id),
            )
    return len(links)


def _link_rows(store: Store, sql: str, value: str) -> list[dict[str, Any]]:
    rows = store.conn.execute(sql, (value,)).fetchall()
    return [dict(r) for r in rows]


@_guard("read trial links")
def publications_of_trial(store: Store, nct_id: str) -> list[dict[str, Any]]:
    """The PMIDs linked to a trial, each with how (and whether the evidence base holds the record)."""
    return _link_rows(
        store,
        """SELECT l.pmid, l.via, l.reference_type, d.title AS title, d.doc_id IS NOT NULL AS stored
           FROM trial_links l LEFT JOIN documents d
             ON d.source = 'pubmed' AND d.doc_id = l.pmid AND d.is_current = 1 AND d.deleted = 0
           WHERE l.nct_id = ? ORDER BY l.pmid, l.via""",
        nct_id,
    )


@_guard("read trial links")
def trials_of_publication(store: Store, pmid: str) -> list[dict[str, Any]]:
    """The NCT IDs linked to a PMID, each with how (and whether the evidence base holds the trial)."""
    return _link_rows(
        store,
        """SELECT l.nct_id, l.via, l.reference_type, d.title AS title, d.doc_id IS NOT NULL AS stored
           FROM trial_links l LEFT JOIN documents d
             ON d.source = 'ctgov' AND d.doc_id = l.nct_id AND d.is_current = 1 AND d.deleted = 0
           WHERE l.pmid = ? ORDER BY l.nct_id, l.via""",
        pmid,
    )


@_guard("read trial links")
def all_links(store: Store) -> list[dict[str, Any]]:
    rows = store.conn.execute("SELECT nct_id, pmid, via, reference_type FROM trial_links ORDER BY nct_id, pmid, via")
    return [dict(r) for r in rows]


# -- what is stored, what changed ---------------------------------------------------------------
@_guard("look up stored documents")
def stored_ids(store: Store, source: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` the evidence base holds (a current version, deleted or not)."""
    ids = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(ids), MAX_SQL_PARAMS):
        chunk = ids[start : start + MAX_SQL_PARAMS]
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            f"SELECT doc_id FROM documents WHERE source = ? AND is_current = 1 AND doc_id IN ({marks})",
            (source, *chunk),
        )
        found.update(r["doc_id"] for r in rows)
    return found


@_guard("list documents awaiting extraction")
def awaiting_extraction(store: Store, sources: Sequence[str], extractor_version: str) -> list[int]:
    """Current, non-deleted documents of these sources with no extraction by this extractor."""
    marks = ",".join("?" * len(sources))
    rows = store.conn.execute(
        f"""SELECT d.doc_pk FROM documents d LEFT JOIN extractions e ON e.doc_pk = d.doc_pk
            WHERE d.is_current = 1 AND d.deleted = 0 AND d.source IN ({marks})
              AND (e.doc_pk IS NULL OR e.extractor_version != ?)
            ORDER BY d.source, d.doc_id""",
        (*sources, extractor_version),
    )
    return [int(r["doc_pk"]) for r in rows]


@_guard("read runs")
def unreported_runs(store: Store, *, own: str, include: Sequence[str], upto: int) -> list[int]:
    """Runs of the ``include`` commands after the last run of ``own`` that finished ``ok``, up to
    ``upto``: what a "what changed" report must cover so that nothing written by an interrupted
    run (or by a fetch a refresh then extracted) goes unreported."""
    last_ok = store.conn.execute(
        "SELECT MAX(run_id) FROM runs WHERE command = ? AND status = 'ok' AND run_id < ?", (own, upto)
    ).fetchone()[0]
    marks = ",".join("?" * len(include))
    rows = store.conn.execute(
        f"SELECT run_id FROM runs WHERE command IN ({marks}) AND run_id > ? AND run_id <= ? ORDER BY run_id",
        (*include, last_ok or 0, upto),
    )
    return [int(r["run_id"]) for r in rows]


@dataclass(frozen=True, slots=True)
class VersionChange:
    """A document some run wrote: its version before those runs (if any) and its current one."""

    source: str
    doc_id: str
    title: str | None
    before_pk: int | None
    after_pk: int
    after_version: int
    deleted: bool
    was_deleted: bool


@_guard("read document versions")
def versions_written(store: Store, run_ids: Sequence[int]) -> list[VersionChange]:
    if not run_ids:
        return []
    marks = ",".join("?" * len(run_ids))
    rows = store.conn.execute(
        f"""SELECT w.source, w.doc_id, w.first_version, cur.doc_pk AS after_pk, cur.version AS after_version,
                   cur.title, cur.deleted, prev.doc_pk AS before_pk, prev.deleted AS was_deleted
            FROM (SELECT source, doc_id, MIN(version) AS first_version FROM documents
                  WHERE run_id IN ({marks}) GROUP BY source, doc_id) w
            JOIN documents cur ON cur.source = w.source AND cur.doc_id = w.doc_id AND cur.is_current = 1
            LEFT JOIN documents prev ON prev.source = w.source AND prev.doc_id = w.doc_id AND prev.version = w.first_version - 1
            ORDER BY w.source, w.doc_id""",
        tuple(run_ids),
    )
    return [
        VersionChange(
            source=r["source"],
            doc_id=r["doc_id"],
            title=r["title"],
            before_pk=r["before_pk"],
            after_pk=int(r["after_pk"]),
            after_version=int(r["after_version"]),
            deleted=bool(r["deleted"]),
            was_deleted=bool(r["was_deleted"]) if r["was_deleted"] is not None else False,
        )
        for r in rows
    ]


__all__ = [
    "Watermark",
    "VersionChange",
    "all_links",
    "awaiting_extraction",
    "document_links",
    "fetch_log",
    "get_watermark",
    "log_fetch",
    "publications_of_trial",
    "record_links",
    "set_watermark",
    "stored_ids",
    "trials_of_publication",
    "unreported_runs",
    "versions_written",
    "watermarks",
]
