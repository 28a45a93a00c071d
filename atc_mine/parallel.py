"""Extraction on every core of one machine: streamed batches, flat memory, input order kept.

The parent reads documents (a 30,000-article baseline file is parsed as a stream, see
:mod:`atc_mine.sources.pubmed`) and sends them in batches of :data:`BATCH_DOCUMENTS` to
worker processes; at most :data:`IN_FLIGHT_PER_WORKER` batches per worker are out at any
time, so memory does not grow with the input. Results come back in the order the documents
were read, whatever order the workers finish in, so the output of ``--workers 4`` is
byte-for-byte the output of ``--workers 1``.

On Linux the workers are forked from a parent that has already built the pipeline: they
share its lexicon and compiled rules (copy-on-write) and start in milliseconds. Elsewhere
they are spawned and each builds its own pipeline once.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from atc_mine.records import Document, Extraction
from atc_mine.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language

    from atc_mine.nlp.fast import FastPipeline
    from atc_mine.sources import InputPlan

#: Documents per task: large enough that pickling and queueing cost little next to the
#: extraction (~4 ms a document), small enough that a worker is never idle for long.
BATCH_DOCUMENTS = 128
#: Batches out per worker: one being extracted and one waiting keep a worker busy while
#: the parent parses; more would only hold documents in memory.
IN_FLIGHT_PER_WORKER = 2
#: Inputs smaller than this run in one process: starting workers (and, where they are
#: spawned, building a pipeline in each) costs more than ~2,000 abstracts take.
MIN_PARALLEL_BYTES = 4_000_000
#: Rough size of a gzipped PubMed file once decompressed (baseline files inflate ~7x).
GZIP_EXPANSION = 7

_WORKER_NLP: Language | None = None


def available_cores() -> int:
    """Cores this process may run on (the CPU affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def input_bytes(plan: InputPlan) -> int:
    """The input's size as text, roughly (gzipped files counted inflated)."""
    total = 0
    for item in plan.files:
        size = item.path.stat().st_size
        total += size * GZIP_EXPANSION if item.path.name.endswith(".gz") else size
    return total


def workers_for(plan: InputPlan, requested: int | None) -> int:
    """How many processes to extract ``plan`` with: ``requested`` (None: every core), or one
    process for an input too small to be worth starting workers."""
    workers = available_cores() if requested is None else max(1, requested)
    if workers > 1 and requested is None and input_bytes(plan) < MIN_PARALLEL_BYTES:
        return 1
    return workers


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _init_worker(settings: Settings) -> None:
    global _WORKER_NLP
    if _WORKER_NLP is None:  # spawned, not forked from a parent that built it
        from atc_mine.nlp.pipeline import build_nlp

        _WORKER_NLP = build_nlp(settings)


class _WorkerZone:
    """A worker's spaCy memory zone, kept open across batches and renewed every
    ``ZONE_DOCUMENTS`` documents (a fresh zone per batch would start every batch with a cold
    vocabulary: the tokeniser runs ~4x slower there)."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._documents = 0

    def run(self, runner: FastPipeline, documents: list[Document]) -> list[Extraction]:
        from atc_mine.nlp.fast import ZONE_DOCUMENTS

        if runner.warming:  # the tokeniser's cache fills outside zones first
            return [runner.extract(document) for document in documents]
        if self._documents == 0:
            self._stack.enter_context(runner.memory_zone())
        extractions = [runner.extract(document) for document in documents]
        self._documents += len(documents)
        if self._documents >= ZONE_DOCUMENTS:
            self._stack.close()
            self._documents = 0
        return extractions


_WORKER_ZONE = _WorkerZone()


def _extract_batch(documents: list[Document]) -> list[Extraction]:
    from atc_mine.nlp.fast import fast_pipeline
    from atc_mine.nlp.pipeline import extract_documents

    assert _WORKER_NLP is not None  # set by _init_worker
    runner = fast_pipeline(_WORKER_NLP)
    if runner is None:
        return list(extract_documents(_WORKER_NLP, documents))
    return _WORKER_ZONE.run(runner, documents)


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def extract_parallel(
    documents: Iterable[Document],
    *,
    workers: int,
    settings: Settings | None = None,
    nlp: Language | None = None,
    batch_size: int = BATCH_DOCUMENTS,
) -> Iterator[Extraction]:
    """Extractions of ``documents`` in their order, computed by ``workers`` processes.

    ``nlp``: a pipeline already built in this process (forked workers share it); without
    one it is built here (Linux) or in each worker. ``workers == 1`` runs in this process.
    """
    global _WORKER_NLP
    settings = settings or Settings()
    from atc_mine.nlp.pipeline import build_nlp, extract_documents

    context = _context()
    if nlp is None and (workers == 1 or context.get_start_method() == "fork"):
        nlp = build_nlp(settings)
    if workers <= 1:
        yield from extract_documents(nlp, documents)  # type: ignore[arg-type]
        return
    _WORKER_NLP = nlp if context.get_start_method() == "fork" else None
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(settings,))
    pending: deque[Future[list[Extraction]]] = deque()
    limit = workers * IN_FLIGHT_PER_WORKER
    try:
        for batch in _batches(documents, batch_size):
            pending.append(executor.submit(_extract_batch, batch))
            while len(pending) >= limit:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        _WORKER_NLP = None


def extract_paths(
    paths: Iterable[str | Path], *, settings: Settings | None = None, nlp: Language | None = None
) -> Iterator[Extraction]:
    """Every document under ``paths``, extracted on ``settings.workers`` processes (None: every
    core, or one process for a small input), in a stable order."""
    from atc_mine.sources import iter_documents, plan_inputs

    settings = settings or Settings()
    plan = plan_inputs(paths)
    workers = workers_for(plan, settings.workers)
    yield from extract_parallel(iter_documents(plan), workers=workers, settings=settings, nlp=nlp)
