"""Redrawing the evidence table from the evidence base: the hook every load calls at its end.

Cheap by design: it reads the current documents' metadata, their NCT_ID and DRUG entities and
their figures, groups them into studies (:mod:`atc_mine.evidence.grouping`), merges each study
into rows (:mod:`atc_mine.evidence.merge`) and replaces the study tables in one transaction
(:func:`atc_mine.store.studies.replace_drawing`). On the bundled corpus (665 documents) it takes
a fraction of a second, so it runs after every load rather than being kept in step piecemeal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atc_mine.evidence._datafiles import load_json
from atc_mine.evidence.grouping import SourceDocument, group_documents
from atc_mine.evidence.merge import draw
from atc_mine.store import Store
from atc_mine.store.studies import (
    StudyDrawing,
    current_documents,
    drawing_fingerprint,
    entities_by_document,
    figures_by_document,
    last_drawing,
    replace_drawing,
)

#: Version of the grouping and merging rules: a change redraws every evidence base on next use.
DRAWING_VERSION = "1"
#: A title line has at least this many words ("Overview", "Status:" are page furniture, not titles).
MIN_TITLE_WORDS = 3
#: Lines searched for a title when the record names none (registry page excerpts).
TITLE_SEARCH_LINES = 5


def _version() -> str:
    files = (load_json("drug_classes.json")["version"], load_json("patterns.json")["version"])
    return f"{DRAWING_VERSION}/{files[0]}/{files[1]}"


def _title_span(text: str, title: str | None) -> tuple[str | None, int, int]:
    """The title and where it is in the text (every source puts the title first)."""
    if title:
        start = text.find(title)
        return title, max(start, 0), (start + len(title)) if start >= 0 else 0
    offset = 0
    for line in text.splitlines(keepends=True)[:TITLE_SEARCH_LINES]:
        stripped = line.strip()
        if len(stripped.split()) >= MIN_TITLE_WORDS:
            start = offset + line.index(stripped)
            return stripped, start, start + len(stripped)
        offset += len(line)
    return None, 0, 0


def source_documents(store: Store) -> list[SourceDocument]:
    """Every current document as the grouping reads it."""
    entities = entities_by_document(store, ("NCT_ID", "DRUG"))
    figures = figures_by_document(store)
    documents = []
    for stored in current_documents(store):
        doc = stored.document
        title, start, end = _title_span(doc.text, doc.title)
        marks = entities.get(stored.doc_pk, [])
        documents.append(
            SourceDocument(
                doc_pk=stored.doc_pk,
                source=doc.source,
                doc_id=doc.doc_id,
                text=doc.text,
                title=title,
                metadata=doc.metadata,
                nct_ids=tuple(
                    dict.fromkeys(n for label, n, _, _ in marks if label == "NCT_ID" and re.match(r"^NCT\d{8}$", n))
                ),
                title_drugs=tuple(
                    dict.fromkeys(n for label, n, s, e in marks if label == "DRUG" and s >= start and e <= end)
                ),
                drugs=tuple(dict.fromkeys(n for label, n, _, _ in marks if label == "DRUG")),
                figures=tuple(figures.get(stored.doc_pk, ())),
            )
        )
    return documents


@dataclass(frozen=True, slots=True)
class RedrawReport:
    redrawn: bool
    counts: dict[str, int]


def redraw_studies(store: Store, *, run_id: int | None = None, force: bool = True) -> RedrawReport:
    """Group, merge and store the studies of the evidence base (one transaction).

    With ``force=False`` nothing is done when the evidence base has not changed since the last
    drawing (same documents, extractions and drawing rules).
    """
    fingerprint = drawing_fingerprint(store, version=_version())
    if not force:
        last = last_drawing(store)
        if last and last["fingerprint"] == fingerprint:
            return RedrawReport(redrawn=False, counts=last["counts"])
    drawing: StudyDrawing = draw(group_documents(source_documents(store)))
    replace_drawing(store, drawing, fingerprint=fingerprint, run_id=run_id)
    return RedrawReport(redrawn=True, counts=drawing.counts())
