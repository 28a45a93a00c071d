"""Loading documents into the evidence base: read, store, extract, in batches.

Each batch of documents is written in one transaction together with what was extracted
from it, so an interrupted load leaves whole batches behind and a re-run finishes the
rest. Unchanged documents already extracted by the current extractor are skipped, which
makes a second load of the same input a no-op.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from spacy.language import Language

from atc_mine.nlp.pipeline import EXTRACTOR_VERSION, extract_documents
from atc_mine.records import Document, Extraction
from atc_mine.sources import InputPlan, iter_documents, plan_inputs
from atc_mine.store import Store
from atc_mine.store.refresh import record_links

#: Documents per transaction: large enough to amortise commits, small enough to lose little on a crash.
BATCH_SIZE = 64


@dataclass(slots=True)
class LoadReport:
    run_id: int
    files: int = 0
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    documents: Counter = field(default_factory=Counter)  # new / updated / unchanged / deleted
    extracted: int = 0
    #: What the evidence table's redraw after the load counted (atc_mine.evidence.redraw).
    studies: dict = field(default_factory=dict)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (status, source, doc_id)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "files": self.files,
            "skipped_files": len(self.skipped_files),
            "documents": dict(self.documents),
            "extracted": self.extracted,
            "studies": self.studies,
        }


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def store_documents(
    store: Store,
    nlp: Language,
    documents: Iterable[Document],
    *,
    run_id: int,
    report: LoadReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Upsert documents and (re-)extract the ones that are new, changed or stale."""
    for batch in batched(documents, BATCH_SIZE):
        with store.atomic():
            todo: list[tuple[int, Document]] = []
            for document in batch:
                status, doc_pk = store.upsert_document(document, run_id=run_id)
                report.documents[status] += 1
                if status != "unchanged":
                    report.changed.append((status, document.source, document.doc_id))
                    record_links(store, document, run_id=run_id)  # trial <-> publication, both ways
                if not document.deleted and (
                    status != "unchanged" or store.needs_extraction(doc_pk, EXTRACTOR_VERSION)
                ):
                    todo.append((doc_pk, document))
            extractions: Iterable[Extraction] = extract_documents(nlp, [d for _, d in todo])
            for (doc_pk, _document), extraction in zip(todo, extractions, strict=True):
                store.replace_extraction(doc_pk, extraction, extractor_version=EXTRACTOR_VERSION, run_id=run_id)
                report.extracted += 1
        if progress:
            progress(len(batch))


def redraw_after_load(store: Store, *, run_id: int | None = None) -> dict:
    """The hook every loader (load, refresh) calls at its end: redraw the evidence table.

    One transaction, skipped when nothing the table rests on changed (a re-load of the same
    input leaves the same rows). Returns the drawing's counts (studies, rows, conflicts...).
    """
    from atc_mine.evidence.redraw import redraw_studies

    return redraw_studies(store, run_id=run_id, force=False).counts


def load_paths(
    store: Store,
    nlp: Language,
    paths: Iterable[str | Path],
    *,
    plan: InputPlan | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """``atc-mine load``: every document under ``paths`` into the evidence base."""
    paths = [str(p) for p in paths]
    plan = plan or plan_inputs(paths)
    run_id = store.start_run("load", {"paths": paths}, extractor_version=EXTRACTOR_VERSION)
    report = LoadReport(run_id=run_id, files=len(plan.files), skipped_files=[(str(p), r) for p, r in plan.skipped])
    try:
        store_documents(store, nlp, iter_documents(plan), run_id=run_id, report=report, progress=progress)
        report.studies = redraw_after_load(store, run_id=run_id)
    except BaseException:
        store.finish_run(run_id, status="failed", counts=report.as_dict())
        raise
    store.finish_run(run_id, status="ok", counts=report.as_dict())
    return report
