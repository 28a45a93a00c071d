"""The evidence base: one embedded SQLite file; this module owns all of its SQL.

Shaped after sqlite-utils' ``db.py``: a small ``Store`` object, ``atomic()`` transactions
that nest (savepoints), forward-only migrations recorded in ``PRAGMA user_version``, and
upserts keyed by natural ids (source + document id; document + figure record id), so
loading the same input twice leaves the same rows.

Documents are versioned by content: an unchanged record is not rewritten; a changed one
becomes a new version and the old one is kept as history (``is_current = 0``), with the
entities and figures that were extracted from it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from atc_mine.errors import StoreError
from atc_mine.records import Document, Entity, Extraction, OutcomeFigure, Section, sha1_text

#: Metadata keys that describe where a copy was read from, not the record itself.
TRANSIENT_METADATA = frozenset({"file"})

UpsertStatus = Literal["new", "updated", "unchanged", "deleted"]

MIGRATIONS_PACKAGE = "atc_mine.store.migrations"


def migrations() -> dict[int, tuple[str, str]]:
    """The packaged migrations, ``NNNN_name.sql`` -> {NNNN: (name, sql)}; forward only."""
    found: dict[int, tuple[str, str]] = {}
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if match:
            found[int(match.group(1))] = (match.group(2), entry.read_text(encoding="utf-8"))
    return found


def split_sql(script: str) -> list[str]:
    """Statements of a migration script (``--`` comments dropped; no ';' inside literals)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_sha1(document: Document) -> str:
    """What makes a new version: text, title, deletion, source version and metadata."""
    metadata = {k: v for k, v in document.metadata.items() if k not in TRANSIENT_METADATA}
    payload = json.dumps(
        [document.title, document.text, document.deleted, document.source_version, metadata],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return sha1_text(payload)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    doc_pk: int
    document: Document
    version: int
    content_sha1: str
    loaded_at: str


class Store:
    """An open evidence base. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path = "atc_mine.db") -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the evidence base ({exc})") from None
        self._depth = 0
        self.migrate()

    # -- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def applied_migrations(self) -> list[int]:
        if self.schema_version == 0:
            return []
        return [int(r[0]) for r in self.conn.execute("SELECT number FROM schema_migrations ORDER BY number")]

    def migrate(self) -> None:
        """Apply, in order, each migration this file has not recorded, each in one transaction.

        Applied migrations are recorded in ``schema_migrations``; ``PRAGMA user_version``
        holds the highest, so other tools can read the schema version without SQL.
        """
        known = migrations()
        newest = max(known) if known else 0
        if self.schema_version > newest:
            raise StoreError(
                f"{self.path}: schema version {self.schema_version} is newer than this atc-mine understands ({newest}); upgrade atc-mine"
            )
        applied = set(self.applied_migrations())
        for number, (name, sql) in sorted(known.items()):
            if number in applied:
                continue
            try:
                with self.atomic():
                    self.conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                    )
                    for statement in split_sql(sql):
                        self.conn.execute(statement)
                    self.conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, name, utc_now()))
                    self.conn.execute(f"PRAGMA user_version = {max(number, self.schema_version)}")
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: migration {number:04d}_{name} failed: {exc}") from None

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction; nested calls become savepoints, so inner failures roll back alone."""
        name = f"atc_sp_{self._depth}"
        try:
            self.conn.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {name}")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot start a transaction ({exc})") from None
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            self.conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {name}")

    # -- runs --------------------------------------------------------------------------
    def start_run(
        self, command: str, args: dict[str, Any] | None = None, *, extractor_version: str | None = None
    ) -> int:
        with self.atomic():
            cur = self.conn.execute(
                "INSERT INTO runs (command, args, started_at, extractor_version) VALUES (?, ?, ?, ?)",
                (command, json.dumps(args or {}, default=str, sort_keys=True), utc_now(), extractor_version),
            )
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, *, status: str = "ok", counts: dict[str, Any] | None = None) -> None:
        with self.atomic():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE run_id = ?",
                (utc_now(), status, json.dumps(counts or {}, sort_keys=True), run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM runs ORDER BY run_id").fetchall()
        return [dict(r) | {"args": json.loads(r["args"]), "counts": json.loads(r["counts"])} for r in rows]

    # -- documents ---------------------------------------------------------------------
    def upsert_document(self, document: Document, *, run_id: int | None = None) -> tuple[UpsertStatus, int]:
        """Store a document; returns its status and the primary key of its current version."""
        digest = content_sha1(document)
        now = utc_now()
        with self.atomic():
            row = self.conn.execute(
                "SELECT doc_pk, version, content_sha1, first_seen_at, deleted FROM documents WHERE source = ? AND doc_id = ? AND is_current = 1",
                (document.source, document.doc_id),
            ).fetchone()
            if row is not None and row["content_sha1"] == digest:
                return "unchanged", int(row["doc_pk"])
            # A deletion of a record never stored is kept too (a tombstone), so a later
            # load of an older copy of that record knows it was withdrawn.
            version = 1 if row is None else int(row["version"]) + 1
            first_seen = now if row is None else row["first_seen_at"]
            if row is not None:
                self.conn.execute("UPDATE documents SET is_current = 0 WHERE doc_pk = ?", (row["doc_pk"],))
            cur = self.conn.execute(
                """INSERT INTO documents (source, doc_id, version, is_current, content_sha1, text_sha1, source_version,
                       title, text, sections, metadata, deleted, first_seen_at, loaded_at, run_id)
                   VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    document.source,
                    document.doc_id,
                    version,
                    digest,
                    document.text_sha1,
                    document.source_version,
                    document.title,
                    document.text,
                    json.dumps([[s.label, s.category, s.start, s.end] for s in document.sections]),
                    json.dumps(document.metadata, ensure_ascii=False, sort_keys=True, default=str),
                    int(document.deleted),
                    first_seen,
                    now,
                    run_id,
                ),
            )
        status: UpsertStatus = "deleted" if document.deleted else ("new" if row is None else "updated")
        return status, int(cur.lastrowid)

    def _document_from_row(self, row: sqlite3.Row) -> StoredDocument:
        document = Document(
            doc_id=row["doc_id"],
            source=row["source"],
            text=row["text"],
            title=row["title"],
            source_version=row["source_version"],
            deleted=bool(row["deleted"]),
            sections=tuple(Section(*s) for s in json.loads(row["sections"])),
            metadata=json.loads(row["metadata"]),
        )
        return StoredDocument(int(row["doc_pk"]), document, int(row["version"]), row["content_sha1"], row["loaded_at"])

    def get_document(self, source: str, doc_id: str) -> StoredDocument | None:
        row = self.conn.execute(
            "SELECT * FROM documents WHERE source = ? AND doc_id = ? AND is_current = 1", (source, doc_id)
        ).fetchone()
        return self._document_from_row(row) if row else None

    def iter_documents(self, *, include_deleted: bool = False) -> Iterator[StoredDocument]:
        sql = "SELECT * FROM documents WHERE is_current = 1" + ("" if include_deleted else " AND deleted = 0")
        for row in self.conn.execute(sql + " ORDER BY source, doc_id"):
            yield self._document_from_row(row)

    def document_versions(self, source: str, doc_id: str) -> list[StoredDocument]:
        rows = self.conn.execute(
            "SELECT * FROM documents WHERE source = ? AND doc_id = ? ORDER BY version", (source, doc_id)
        ).fetchall()
        return [self._document_from_row(r) for r in rows]

    # -- extractions -------------------------------------------------------------------
    def needs_extraction(self, doc_pk: int, extractor_version: str) -> bool:
        row = self.conn.execute("SELECT extractor_version FROM extractions WHERE doc_pk = ?", (doc_pk,)).fetchone()
        return row is None or row["extractor_version"] != extractor_version

    def replace_extraction(
        self, doc_pk: int, extraction: Extraction, *, extractor_version: str, run_id: int | None = None
    ) -> None:
        """Replace what was extracted from one stored document version (idempotent)."""
        with self.atomic():
            self.conn.execute("DELETE FROM entities WHERE doc_pk = ?", (doc_pk,))
            self.conn.execute("DELETE FROM outcomes WHERE doc_pk = ?", (doc_pk,))
            self.conn.executemany(
                'INSERT OR IGNORE INTO entities (doc_pk, label, start, "end", text, norm) VALUES (?, ?, ?, ?, ?, ?)',
                [(doc_pk, e.label, e.start, e.end, e.text, e.norm) for e in extraction.entities],
            )
            self.conn.executemany(
                """INSERT OR IGNORE INTO outcomes (doc_pk, record_id, measure, percent, count, denominator, value, unit,
                       timepoint, ci_low, ci_high, not_reached, drugs, trial, cohort, subgroup, sentence, start, "end", run_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        doc_pk,
                        o.record_id,
                        o.measure,
                        o.percent,
                        o.count,
                        o.denominator,
                        o.value,
                        o.unit,
                        o.timepoint,
                        o.ci[0] if o.ci else None,
                        o.ci[1] if o.ci else None,
                        int(o.not_reached),
                        json.dumps(list(o.drugs)),
                        o.trial,
                        o.cohort,
                        o.subgroup,
                        o.sentence,
                        o.start,
                        o.end,
                        run_id,
                    )
                    for o in extraction.outcomes
                ],
            )
            self.conn.execute(
                """INSERT INTO extractions (doc_pk, extractor_version, text_sha1, extracted_at, run_id) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(doc_pk) DO UPDATE SET extractor_version = excluded.extractor_version,
                       text_sha1 = excluded.text_sha1, extracted_at = excluded.extracted_at, run_id = excluded.run_id""",
                (doc_pk, extractor_version, extraction.text_sha1, utc_now(), run_id),
            )

    def extraction(self, doc_pk: int) -> Extraction:
        doc = self.conn.execute(
            "SELECT source, doc_id, text_sha1 FROM documents WHERE doc_pk = ?", (doc_pk,)
        ).fetchone()
        if doc is None:
            raise StoreError(f"no stored document with key {doc_pk}")
        entities = tuple(
            Entity(r["label"], r["text"], r["start"], r["end"], r["norm"])
            for r in self.conn.execute(
                'SELECT * FROM entities WHERE doc_pk = ? ORDER BY start, "end", label', (doc_pk,)
            )
        )
        outcomes = tuple(
            self._outcome_from_row(r)
            for r in self.conn.execute(
                "SELECT * FROM outcomes WHERE doc_pk = ? ORDER BY start, measure, record_id", (doc_pk,)
            )
        )
        return Extraction(doc["doc_id"], doc["source"], doc["text_sha1"], entities, outcomes)

    @staticmethod
    def _outcome_from_row(r: sqlite3.Row) -> OutcomeFigure:
        return OutcomeFigure(
            measure=r["measure"],
            sentence=r["sentence"],
            start=r["start"],
            end=r["end"],
            percent=r["percent"],
            count=r["count"],
            denominator=r["denominator"],
            value=r["value"],
            unit=r["unit"],
            timepoint=r["timepoint"],
            ci=(r["ci_low"], r["ci_high"]) if r["ci_low"] is not None else None,
            not_reached=bool(r["not_reached"]),
            drugs=tuple(json.loads(r["drugs"])),
            trial=r["trial"],
            cohort=r["cohort"],
            subgroup=r["subgroup"],
        )

    def iter_extractions(self) -> Iterator[Extraction]:
        """The stored extraction of every current, non-deleted document (empty ones included)."""
        for stored in self.iter_documents():
            yield self.extraction(stored.doc_pk)

    def outcome_rows(self) -> list[dict[str, Any]]:
        """Every figure of every current document, with its document's identity: for exports."""
        rows = self.conn.execute(
            """SELECT d.source, d.doc_id, d.title, d.metadata, o.*
               FROM outcomes o JOIN documents d ON d.doc_pk = o.doc_pk
               WHERE d.is_current = 1 AND d.deleted = 0
               ORDER BY d.source, d.doc_id, o.start, o.measure, o.record_id"""
        ).fetchall()
        return [dict(r) | {"drugs": json.loads(r["drugs"]), "metadata": json.loads(r["metadata"])} for r in rows]

    # -- summaries ---------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        one = lambda sql: int(self.conn.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents WHERE is_current = 1 AND deleted = 0"),
            "document_versions": one("SELECT count(*) FROM documents"),
            "deleted_documents": one("SELECT count(*) FROM documents WHERE is_current = 1 AND deleted = 1"),
            "entities": one("SELECT count(*) FROM entities e JOIN documents d USING (doc_pk) WHERE d.is_current = 1"),
            "outcomes": one("SELECT count(*) FROM outcomes o JOIN documents d USING (doc_pk) WHERE d.is_current = 1"),
            "runs": one("SELECT count(*) FROM runs"),
        }


def open_store(path: str | Path) -> Store:
    return Store(path)
