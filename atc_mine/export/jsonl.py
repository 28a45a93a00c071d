"""JSONL export: ``extractions.jsonl``, one line per stored document in the extraction contract
(README), documents without figures included, so the evidence base can be diffed and re-scored
(``atc-mine score extractions.jsonl --gold gold/``).

The lines hold the figures as extracted, not as corrected: this file measures the extractor.
``--since RUN`` keeps the documents extracted after that run; ``--status`` keeps, in each
document, the figures with that review status (the document's line is written either way).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from atc_mine.curation import review_candidates
from atc_mine.export.common import ExportData, atomic_file
from atc_mine.store import Store
from atc_mine.store import curation as sql


def write_store(store: Store, out_dir: Path, *, since: int | None = None, status: str | None = None) -> list[Path]:
    wanted = sql.documents_extracted_since(store, since) if since is not None else None
    keep: set[tuple[int, str]] | None = None
    if status is not None:
        keep = {(c.doc_pk, c.record_id) for c in review_candidates(store, status=status)}
    path = out_dir / "extractions.jsonl"
    with atomic_file(path) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as handle:
        for stored in store.iter_documents():
            if wanted is not None and stored.doc_pk not in wanted:
                continue
            extraction = store.extraction(stored.doc_pk)
            if keep is not None:
                outcomes = tuple(o for o in extraction.outcomes if (stored.doc_pk, o.record_id) in keep)
                extraction = dataclasses.replace(extraction, outcomes=outcomes)
            handle.write(json.dumps(extraction.to_json(), ensure_ascii=False) + "\n")
    return [path]


def write(data: ExportData, out_dir: Path) -> list[Path]:
    return write_store(data.store, out_dir, since=data.since, status=data.status)
