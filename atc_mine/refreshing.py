"""Fetch and refresh: bring the evidence base up to date from PubMed and ClinicalTrials.gov.

``refresh`` = fetch what is new for a query from both sources, store it, extract from it, and
report what changed; ``fetch_pubmed`` / ``fetch_ctgov`` store without extracting (a later
refresh extracts what they stored). All three are incremental and crash-safe:

- **PubMed** (E-utilities, NBK25499): ESearch for the query's entry-date window
  (``datetype=edat``, ``mindate`` = the watermark of the last successful refresh of that query,
  ``maxdate`` = today), results kept on the history server. The answer lists the window's
  PMIDs; those the evidence base already holds are skipped (an entry date never changes, so a
  PMID seen in an earlier window is not new), the rest fetched ``batch_size`` at a time, from
  the history server (``retstart``/``retmax``) when all are new, else by POSTed id lists. A
  window of more than 10,000 hits (ESearch's ceiling) is halved until each half fits. With
  ``datetype="mdat"`` (modification date) known PMIDs are fetched again instead, and the
  content hash decides whether they changed.
- **ClinicalTrials.gov** (API v2): ``/studies`` with ``filter.advanced =
  AREA[LastUpdatePostDate]RANGE[watermark,MAX]``, sorted oldest update first, ``pageSize`` per
  page, following ``nextPageToken`` to the end. After each page the watermark moves to the
  page's latest update date; an expired ``pageToken`` (HTTP 400) restarts the search from the
  committed watermark.
- **Each batch (an EFetch, a page) is one transaction**: its documents (a changed record
  becomes a new version; an unchanged one is not rewritten: ``Store.upsert_document``), what
  was extracted from them, their trial <-> publication links, a fetch-log row and the
  watermark commit together. A ``kill -9`` loses at most the batch in flight; the next run
  starts from the last committed watermark, skips what is stored, and ends with the same
  evidence base as an uninterrupted run.
- **Request counts**: pulling N new PubMed records costs one ESearch and ``ceil(N/batch)``
  EFetches; a refresh with nothing new costs one ESearch and no EFetch (and one CT.gov page).

The "what changed" report (new, updated, deleted documents; new, changed, removed outcome
figures) covers every document version written since the last successful run of the same
command, so a run that follows a crash also reports what the crashed run stored.

The module is ``refreshing`` (as ``loading`` is for ``load``) so that the exported function
``atc_mine.refresh`` is never shadowed by a submodule of the same name.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import requests
from spacy.language import Language

from atc_mine.errors import AtcMineError, InputError, PatternFileError
from atc_mine.loading import BATCH_SIZE, LoadReport, redraw_after_load, store_documents
from atc_mine.nlp.pipeline import EXTRACTOR_VERSION, build_nlp, extract_documents
from atc_mine.records import Document, OutcomeFigure
from atc_mine.settings import Settings
from atc_mine.sources.ctgov import restore_posted_outcomes
from atc_mine.sources.ctgov_api import DEFAULT_PAGE_SIZE, CtgovClient, CtgovQuery, PageTokenExpired, StudiesPage
from atc_mine.sources.eutils import (
    DEFAULT_BATCH_SIZE,
    ESEARCH_MAX_IDS,
    EutilsClient,
    FetchBatch,
    HistoryExpired,
    SearchResult,
    eutils_date,
)
from atc_mine.sources.http import RetryPolicy
from atc_mine.store import Store, utc_now
from atc_mine.store.refresh import (
    REFRESH_SOURCES,
    VersionChange,
    awaiting_extraction,
    get_watermark,
    log_fetch,
    record_links,
    set_watermark,
    stored_ids,
    unreported_runs,
    versions_written,
)

log = logging.getLogger(__name__)

#: Before any PubMed entry date: the first window is a closed range like every later one.
EARLIEST_ENTREZ = date(1800, 1, 1)
#: An expired WebEnv is answered by searching again, this many times per window.
MAX_RESEARCHES = 2
#: An expired pageToken is answered by starting the search again, this many times per refresh.
MAX_PAGE_RESTARTS = 3
#: ClinicalTrials.gov studies fetched one by one (``--nct``) per transaction.
STUDIES_PER_COMMIT = 50
SAVED_QUERIES_FILE = "saved_queries.json"
SAVED_QUERIES_SCHEMA = "atc-mine/saved-queries/1"
REFRESH_COMMAND = "refresh"
FETCH_PUBMED_COMMAND = "fetch pubmed"
FETCH_CTGOV_COMMAND = "fetch ctgov"

#: ``progress(source, advance, total)``: ``advance`` documents done; ``total`` when it becomes known.
Progress = Callable[[str, int, int | None], None]


def _no_progress(source: str, advance: int, total: int | None) -> None:
    return None


# -- saved queries ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SavedQuery:
    id: str
    description: str | None
    pubmed: str | None
    ctgov: CtgovQuery | None


def saved_queries(path: str | Path | None = None) -> tuple[str, dict[str, SavedQuery]]:
    """(default id, queries by id) from the packaged ``saved_queries.json`` or ``path``."""
    source = str(path) if path else f"atc_mine/sources/data/{SAVED_QUERIES_FILE}"
    try:
        raw = (
            Path(path).read_text(encoding="utf-8")
            if path
            else resources.files("atc_mine.sources.data").joinpath(SAVED_QUERIES_FILE).read_text(encoding="utf-8")
        )
        data = json.loads(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise PatternFileError(f"{source}: cannot read saved queries ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SAVED_QUERIES_SCHEMA:
        raise PatternFileError(f"{source}: schema must be {SAVED_QUERIES_SCHEMA!r}")
    if set(data) - {"schema", "default", "queries"}:
        raise PatternFileError(f"{source}: unknown keys {sorted(set(data) - {'schema', 'default', 'queries'})}")
    found: dict[str, SavedQuery] = {}
    for item in data.get("queries") or []:
        extra = set(item) - {"id", "description", "pubmed", "ctgov"}
        if extra or "id" not in item:
            raise PatternFileError(f"{source}: query {item.get('id')!r}: unknown keys {sorted(extra)} or no id")
        pubmed = item.get("pubmed") or {}
        if set(pubmed) - {"term"}:
            raise PatternFileError(f"{source}: query {item['id']!r}: pubmed takes only 'term'")
        try:
            ctgov = CtgovQuery.from_params(item["ctgov"]) if item.get("ctgov") else None
        except ValueError as exc:
            raise PatternFileError(f"{source}: query {item['id']!r}: {exc}") from None
        found[item["id"]] = SavedQuery(item["id"], item.get("description"), pubmed.get("term"), ctgov)
    default = data.get("default")
    if default not in found:
        raise PatternFileError(f"{source}: default query {default!r} is not defined")
    return default, found


def saved_query(name: str | None = None, *, path: str | Path | None = None) -> SavedQuery:
    default, queries = saved_queries(path)
    name = name or default
    if name not in queries:
        raise InputError(f"no saved query {name!r} (saved: {', '.join(sorted(queries))})")
    return queries[name]


def pubmed_query_key(term: str, datetype: str = "edat") -> str:
    """The name a PubMed query's watermark is kept under (whitespace-insensitive)."""
    return json.dumps({"datetype": datetype, "term": " ".join(term.split())}, sort_keys=True, ensure_ascii=False)


# -- reports ----------------------------------------------------------------------------------
@dataclass(slots=True)
class SourceReport:
    """What one source did in one run."""

    source: str
    query: dict[str, Any]
    query_key: str | None = None
    watermark_before: str | None = None
    watermark_after: str | None = None
    windows: list[dict[str, Any]] = field(default_factory=list)
    found: int = 0
    skipped_stored: int = 0
    fetched: int = 0
    documents: Counter = field(default_factory=Counter)
    batches: int = 0
    researches: int = 0
    page_restarts: int = 0
    requests: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "query": self.query,
            "watermark_before": self.watermark_before,
            "watermark_after": self.watermark_after,
            "windows": self.windows,
            "found": self.found,
            "skipped_stored": self.skipped_stored,
            "fetched": self.fetched,
            "documents": {k: self.documents.get(k, 0) for k in ("new", "updated", "unchanged", "deleted")},
            "batches": self.batches,
            "researches": self.researches,
            "page_restarts": self.page_restarts,
            "requests": self.requests,
            "status": self.status,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class DocumentChange:
    source: str
    doc_id: str
    status: str  # new | updated | deleted
    version: int
    title: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "doc_id": self.doc_id,
            "status": self.status,
            "version": self.version,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class FigureChange:
    source: str
    doc_id: str
    status: str  # new | changed | removed
    measure: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "doc_id": self.doc_id,
            "status": self.status,
            "measure": self.measure,
            "before": self.before,
            "after": self.after,
        }


@dataclass(slots=True)
class RefreshReport:
    """The outcome of ``refresh`` / ``fetch``: per-source counts and what changed."""

    run_id: int
    command: str
    started_at: str
    finished_at: str | None = None
    status: str = "ok"
    sources: list[SourceReport] = field(default_factory=list)
    extracted: int = 0
    covers_runs: list[int] = field(default_factory=list)
    documents: list[DocumentChange] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        docs = Counter(d.status for d in self.documents)
        figs = Counter(f.status for f in self.figures)
        return {
            "documents_new": docs["new"],
            "documents_updated": docs["updated"],
            "documents_deleted": docs["deleted"],
            "figures_new": figs["new"],
            "figures_changed": figs["changed"],
            "figures_removed": figs["removed"],
            "extracted": self.extracted,
            "requests": sum(int(s.requests.get("total", 0)) for s in self.sources),
        }

    def request_counts(self) -> dict[str, dict[str, int]]:
        """Requests per source and endpoint (what ``make bench`` prints)."""
        return {s.source: dict(s.requests.get("requests", {})) for s in self.sources}

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "covers_runs": self.covers_runs,
            "counts": self.counts(),
            "sources": [s.as_dict() for s in self.sources],
            "documents": [d.as_dict() for d in self.documents],
            "figures": [f.as_dict() for f in self.figures],
        }

    def markdown(self) -> str:
        return render_markdown(self)


def _figure_text(figure: dict[str, Any] | None) -> str:
    if not figure:
        return ""
    if figure.get("not_reached"):
        value = "not reached"
    elif figure.get("percent") is not None:
        value = f"{figure['percent']:g}%"
    elif figure.get("value") is not None:
        value = f"{figure['value']:g} {figure.get('unit') or ''}".strip()
    elif figure.get("count") is not None:
        value = f"{figure['count']}" + (f"/{figure['denominator']}" if figure.get("denominator") else "")
    else:
        value = "?"
    if figure.get("ci"):
        value += f" (95% CI {figure['ci'][0]:g}-{figure['ci'][1]:g})"
    context = "; ".join(
        str(p)
        for p in (
            ", ".join(figure.get("drugs") or ()),
            figure.get("cohort"),
            figure.get("subgroup"),
            figure.get("timepoint"),
            figure.get("trial"),
        )
        if p
    )
    return f"{value} [{context}]" if context else value


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: RefreshReport) -> str:
    counts = report.counts()
    lines = [
        f"# atc-mine {report.command}: what changed (run {report.run_id})",
        "",
        f"- status: **{report.status}**; started {report.started_at}, finished {report.finished_at or '-'}",
        f"- covers runs {', '.join(map(str, report.covers_runs)) or '-'} (everything written since the last "
        f"successful `{report.command}`)",
        f"- documents: {counts['documents_new']} new, {counts['documents_updated']} updated, "
        f"{counts['documents_deleted']} deleted",
        f"- outcome figures: {counts['figures_new']} new, {counts['figures_changed']} changed, "
        f"{counts['figures_removed']} removed; {counts['extracted']} documents extracted",
        "",
        "## Sources",
        "",
        "| source | query | watermark before -> after | found | already stored | fetched | new | updated | unchanged | requests | status |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in report.sources:
        docs = s.as_dict()["documents"]
        requests_text = ", ".join(f"{k} {v}" for k, v in sorted(s.requests.get("requests", {}).items())) or "0"
        lines.append(
            f"| {s.source} | {_cell(json.dumps(s.query, ensure_ascii=False))} | {s.watermark_before or '-'} -> "
            f"{s.watermark_after or '-'} | {s.found} | {s.skipped_stored} | {s.fetched} | {docs['new']} | "
            f"{docs['updated']} | {docs['unchanged']} | {_cell(requests_text)} | {s.status}"
            f"{': ' + _cell(s.error) if s.error else ''} |"
        )
    lines += ["", "## Documents", ""]
    if report.documents:
        lines += ["| status | source | id | version | title |", "|---|---|---|---|---|"]
        lines += [
            f"| {d.status} | {d.source} | {d.doc_id} | {d.version} | {_cell(d.title)} |" for d in report.documents
        ]
    else:
        lines.append("No document is new, updated or deleted.")
    lines += ["", "## Outcome figures", ""]
    if report.figures:
        lines += ["| status | source | id | measure | before | after |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {f.status} | {f.source} | {f.doc_id} | {f.measure} | {_cell(_figure_text(f.before))} | "
            f"{_cell(_figure_text(f.after))} |"
            for f in report.figures
        ]
    else:
        lines.append("No outcome figure is new, changed or removed.")
    return "\n".join(lines) + "\n"


def write_report(report: RefreshReport, out_dir: Path) -> list[Path]:
    """``<command>-run<id>.json`` and ``.md`` in ``out_dir``, each written atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{report.command.replace(' ', '-')}-run{report.run_id}"
    paths = []
    for suffix, text in (
        (".json", json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"),
        (".md", report.markdown()),
    ):
        path = out_dir / (stem + suffix)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        paths.append(path)
    return paths


# -- what changed -----------------------------------------------------------------------------
_FIGURE_KEY = ("measure", "drugs", "trial", "cohort", "subgroup", "timepoint")
_FIGURE_VALUE = ("percent", "count", "denominator", "value", "unit", "ci", "not_reached")


def _key(figure: OutcomeFigure) -> tuple:
    data = figure.to_json()
    return tuple(tuple(data[k]) if k == "drugs" else data[k] for k in _FIGURE_KEY)


def _value(figure: OutcomeFigure) -> tuple:
    data = figure.to_json()
    return tuple(tuple(data[k]) if k == "ci" and data[k] else data[k] for k in _FIGURE_VALUE)


def figure_changes(
    source: str, doc_id: str, before: Sequence[OutcomeFigure], after: Sequence[OutcomeFigure]
) -> list[FigureChange]:
    """Figures matched by what they are about (measure, regimen, trial, cohort, subgroup,
    timepoint), not by where they sit, so an edit elsewhere in a text changes nothing here."""
    grouped: dict[tuple, tuple[list[OutcomeFigure], list[OutcomeFigure]]] = defaultdict(lambda: ([], []))
    for figure in before:
        grouped[_key(figure)][0].append(figure)
    for figure in after:
        grouped[_key(figure)][1].append(figure)
    changes = []
    for key in sorted(grouped, key=lambda k: json.dumps(k, default=str)):
        old, new = grouped[key]
        old_values = sorted(old, key=lambda f: json.dumps(_value(f), default=str))
        new_values = sorted(new, key=lambda f: json.dumps(_value(f), default=str))
        if [_value(f) for f in old_values] == [_value(f) for f in new_values]:
            continue
        unchanged = {_value(f) for f in old_values} & {_value(f) for f in new_values}
        old_left = [f for f in old_values if _value(f) not in unchanged]
        new_left = [f for f in new_values if _value(f) not in unchanged]
        for a, b in zip(old_left, new_left, strict=False):
            changes.append(FigureChange(source, doc_id, "changed", key[0], a.to_json(), b.to_json()))
        for a in old_left[len(new_left) :]:
            changes.append(FigureChange(source, doc_id, "removed", key[0], a.to_json(), None))
        for b in new_left[len(old_left) :]:
            changes.append(FigureChange(source, doc_id, "new", key[0], None, b.to_json()))
    return changes


def what_changed(store: Store, run_ids: Sequence[int]) -> tuple[list[DocumentChange], list[FigureChange]]:
    documents: list[DocumentChange] = []
    figures: list[FigureChange] = []
    for change in versions_written(store, run_ids):
        status = _status(change)
        if status is None:
            continue
        documents.append(DocumentChange(change.source, change.doc_id, status, change.after_version, change.title))
        before = store.extraction(change.before_pk).outcomes if change.before_pk and not change.was_deleted else ()
        after = store.extraction(change.after_pk).outcomes if not change.deleted else ()
        figures += figure_changes(change.source, change.doc_id, before, after)
    return documents, figures


def _status(change: VersionChange) -> str | None:
    if change.deleted:
        return None if change.was_deleted else "deleted"
    if change.before_pk is None or change.was_deleted:
        return "new"
    return "updated"


# -- storing a batch --------------------------------------------------------------------------
@dataclass(slots=True)
class _Run:
    store: Store
    run_id: int
    nlp: Language | None
    load: LoadReport
    progress: Progress

    def store_batch(self, documents: Sequence[Document], report: SourceReport) -> Counter:
        """Upsert (and extract) a batch, record its links; the caller holds the transaction."""
        before = Counter(self.load.documents)
        if self.nlp is not None:
            store_documents(self.store, self.nlp, documents, run_id=self.run_id, report=self.load)
        else:
            for document in documents:
                status, _pk = self.store.upsert_document(document, run_id=self.run_id)
                self.load.documents[status] += 1
        for document in documents:
            record_links(self.store, document, run_id=self.run_id)
        delta = Counter(self.load.documents)
        delta.subtract(before)
        report.documents.update(+delta)
        report.fetched += len(documents)
        report.batches += 1
        return +delta


# -- PubMed -----------------------------------------------------------------------------------
def _pubmed_refresh(
    run: _Run, client: EutilsClient, term: str, report: SourceReport, *, datetype: str, today: date
) -> None:
    key = report.query_key = pubmed_query_key(term, datetype)
    mark = get_watermark(run.store, "pubmed", key)
    report.watermark_before = mark.watermark if mark else None
    start = _ymd(mark.watermark) if mark and mark.watermark else EARLIEST_ENTREZ
    if start > today:
        start = today
    windows = [(start, today)]
    committed = report.watermark_before
    while windows:
        low, high = windows.pop(0)
        result = client.esearch(term, mindate=low, maxdate=high, datetype=datetype)
        if result.count > ESEARCH_MAX_IDS and low < high:
            middle = low + (high - low) // 2
            windows[:0] = [(low, middle), (middle + timedelta(days=1), high)]
            log.info("pubmed: %d hits in %s..%s; halving the window", result.count, low, high)
            continue
        _pubmed_window(run, client, result, report, key=key, committed=committed, datetype=datetype)
        committed = eutils_date(high)
        with run.store.atomic():
            set_watermark(
                run.store, "pubmed", key, watermark=committed, run_id=run.run_id, progress={}, success=not windows
            )
    report.watermark_after = committed


def _pubmed_window(
    run: _Run,
    client: EutilsClient,
    result: SearchResult,
    report: SourceReport,
    *,
    key: str,
    committed: str | None,
    datetype: str,
) -> None:
    window = {"mindate": result.mindate, "maxdate": result.maxdate, "datetype": datetype, "count": result.count}
    report.found += result.count
    skip_stored = datetype == "edat" and result.ids_complete
    known = stored_ids(run.store, "pubmed", result.ids) if skip_stored else set()
    report.skipped_stored += len(known)
    window["already_stored"] = len(known)
    report.windows.append(window)
    run.progress("pubmed", 0, result.count - len(known))
    done = 0
    requests_mark = client.stats.total  # the batch's requests (retries included) are made before it is yielded
    while True:
        try:
            for batch in client.fetch_batches(result, skip=known):
                with run.store.atomic():
                    run.store_batch(batch.documents, report)
                    done += len(batch.documents)
                    set_watermark(
                        run.store,
                        "pubmed",
                        key,
                        watermark=committed,
                        run_id=run.run_id,
                        progress={"window": [result.mindate, result.maxdate], "fetched": done},
                    )
                    log_fetch(
                        run.store,
                        run_id=run.run_id,
                        source="pubmed",
                        query_key=key,
                        step="efetch",
                        detail=_batch_detail(batch, result),
                        documents=len(batch.documents),
                        requests=client.stats.total - requests_mark,
                    )
                requests_mark = client.stats.total
                run.progress("pubmed", len(batch.documents), None)
            return
        except HistoryExpired:
            report.researches += 1
            if report.researches > MAX_RESEARCHES:
                raise
            log.warning("pubmed: the history server dropped the WebEnv; searching again")
            result = client.esearch(result.term, mindate=result.mindate, maxdate=result.maxdate, datetype=datetype)
            known = stored_ids(run.store, "pubmed", result.ids) if datetype == "edat" and result.ids_complete else set()


def _batch_detail(batch: FetchBatch, result: SearchResult) -> dict[str, Any]:
    detail: dict[str, Any] = {"window": [result.mindate, result.maxdate]}
    if batch.retstart is not None:
        detail |= {"retstart": batch.retstart, "via": "history"}
    else:
        detail |= {"ids": len(batch.requested or ()), "via": "id", "missing": list(batch.missing)}
    return detail


def _pubmed_ids(run: _Run, client: EutilsClient, ids: Sequence[str], report: SourceReport) -> None:
    run.progress("pubmed", 0, len(ids))
    report.found = len(ids)
    requests_mark = client.stats.total
    for batch in client.fetch_ids(ids):
        with run.store.atomic():
            run.store_batch(batch.documents, report)
            log_fetch(
                run.store,
                run_id=run.run_id,
                source="pubmed",
                query_key=None,
                step="efetch",
                detail={"via": "id", "ids": len(batch.requested or ()), "missing": list(batch.missing)},
                documents=len(batch.documents),
                requests=client.stats.total - requests_mark,
            )
        requests_mark = client.stats.total
        run.progress("pubmed", len(batch.requested or ()), None)


# -- ClinicalTrials.gov -----------------------------------------------------------------------
def _ctgov_refresh(run: _Run, client: CtgovClient, query: CtgovQuery, report: SourceReport) -> None:
    key = report.query_key = query.key()
    mark = get_watermark(run.store, "ctgov", key)
    committed = report.watermark_before = mark.watermark if mark else None
    requests_mark = client.stats.total  # a page's requests (retries included) are made before it is yielded
    while True:
        since = committed
        seen_max: str | None = None
        in_order = True
        try:
            for number, page in enumerate(client.iter_pages(query, updated_since=since)):
                if number == 0:
                    report.windows.append({"updated_since": since, "total": page.total_count})
                    if page.total_count is not None:
                        report.found += page.total_count
                        run.progress("ctgov", 0, page.total_count)
                dates = sorted(d.source_version for d in page.documents if d.source_version)
                if dates:
                    if seen_max and dates[0] < seen_max:
                        in_order = False  # not sorted as asked: hold the watermark until the pass ends
                    seen_max = max(seen_max or dates[-1], dates[-1])
                last = page.next_page_token is None
                # Sorted oldest update first, everything up to seen_max is stored (studies of that
                # very day may follow on the next page: the next run starts from it, inclusive).
                committed = _later(since, seen_max) if (in_order or last) else since
                _commit_page(
                    run,
                    page,
                    report,
                    key=key,
                    committed=committed,
                    final=last,
                    requests=client.stats.total - requests_mark,
                )
                requests_mark = client.stats.total
            report.watermark_after = committed
            return
        except PageTokenExpired:
            report.page_restarts += 1
            if report.page_restarts > MAX_PAGE_RESTARTS:
                raise
            log.warning("ctgov: pageToken refused; searching again from %s", committed)


def _later(a: str | None, b: str | None) -> str | None:
    return max(a, b) if a and b else (a or b)


def _commit_page(
    run: _Run,
    page: StudiesPage,
    report: SourceReport,
    *,
    key: str,
    committed: str | None,
    final: bool,
    requests: int,
) -> None:
    with run.store.atomic():
        run.store_batch(page.documents, report)
        set_watermark(
            run.store,
            "ctgov",
            key,
            watermark=committed,
            run_id=run.run_id,
            progress={} if final else {"pages": report.batches},
            success=final,
        )
        log_fetch(
            run.store,
            run_id=run.run_id,
            source="ctgov",
            query_key=key,
            step="studies",
            detail={"next_page": bool(page.next_page_token), "latest_update": page.last_update},
            documents=len(page.documents),
            requests=requests,
        )
    run.progress("ctgov", len(page.documents), None)


def _ctgov_ids(run: _Run, client: CtgovClient, nct_ids: Sequence[str], report: SourceReport) -> None:
    run.progress("ctgov", 0, len(nct_ids))
    report.found = len(nct_ids)
    for chunk in _batched(nct_ids, STUDIES_PER_COMMIT):
        documents = [client.study(nct) for nct in chunk]
        with run.store.atomic():
            run.store_batch(documents, report)
            log_fetch(
                run.store,
                run_id=run.run_id,
                source="ctgov",
                query_key=None,
                step="study",
                detail={"nct_ids": list(chunk)},
                documents=len(documents),
                requests=len(chunk),
            )
        run.progress("ctgov", len(chunk), None)


# -- extraction of what was stored without it ------------------------------------------------------
def extract_pending(store: Store, nlp: Language, *, sources: Sequence[str], run_id: int) -> int:
    """Extract current documents of ``sources`` that this extractor has not (``fetch`` stores
    without extracting; a new extractor version redoes everything), a batch per transaction."""
    done = 0
    for chunk in _batched(awaiting_extraction(store, sources, EXTRACTOR_VERSION), BATCH_SIZE):
        pairs = [(pk, restore_posted_outcomes(_document_by_pk(store, pk))) for pk in chunk]
        with store.atomic():
            for (pk, _document), extraction in zip(pairs, extract_documents(nlp, [d for _, d in pairs]), strict=True):
                store.replace_extraction(pk, extraction, extractor_version=EXTRACTOR_VERSION, run_id=run_id)
                done += 1
    return done


def _document_by_pk(store: Store, doc_pk: int) -> Document:
    row = store.conn.execute("SELECT source, doc_id FROM documents WHERE doc_pk = ?", (doc_pk,)).fetchone()
    stored = store.get_document(row["source"], row["doc_id"])
    assert stored is not None and stored.doc_pk == doc_pk
    return stored.document


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _ymd(value: str) -> date:
    year, month, day = (int(p) for p in value.replace("-", "/").split("/"))
    return date(year, month, day)


# -- the run ----------------------------------------------------------------------------------
def refresh_store(
    store: Store,
    *,
    command: str = REFRESH_COMMAND,
    nlp: Language | None = None,
    eutils: EutilsClient | None = None,
    pubmed_term: str | None = None,
    pmids: Sequence[str] = (),
    ctgov: CtgovClient | None = None,
    ctgov_query: CtgovQuery | None = None,
    nct_ids: Sequence[str] = (),
    datetype: str = "edat",
    today: date | None = None,
    progress: Progress | None = None,
    run_args: dict[str, Any] | None = None,
) -> RefreshReport:
    """One fetch/refresh run on an open evidence base with ready clients (the testable core)."""
    today = today or date.today()
    run_id = store.start_run(command, run_args or {}, extractor_version=EXTRACTOR_VERSION if nlp else None)
    report = RefreshReport(run_id=run_id, command=command, started_at=utc_now())
    run = _Run(store, run_id, nlp, LoadReport(run_id=run_id), progress or _no_progress)
    steps: list[tuple[SourceReport, Callable[[SourceReport], None], Any]] = []
    if eutils is not None and (pubmed_term or pmids):
        query = {"term": pubmed_term, "datetype": datetype} if pubmed_term else {"ids": list(pmids)}
        steps.append(
            (
                SourceReport("pubmed", query),
                (lambda r: _pubmed_refresh(run, eutils, pubmed_term, r, datetype=datetype, today=today))
                if pubmed_term
                else (lambda r: _pubmed_ids(run, eutils, pmids, r)),
                eutils,
            )
        )
    if ctgov is not None and (ctgov_query or nct_ids):
        query = json.loads(ctgov_query.key()) if ctgov_query else {"nct_ids": list(nct_ids)}
        steps.append(
            (
                SourceReport("ctgov", query),
                (lambda r: _ctgov_refresh(run, ctgov, ctgov_query, r))
                if ctgov_query
                else (lambda r: _ctgov_ids(run, ctgov, nct_ids, r)),
                ctgov,
            )
        )
    if not steps:
        store.finish_run(run_id, status="failed", counts={"error": "nothing to fetch"})
        raise InputError("nothing to fetch: give a query or ids")
    try:
        for source_report, step, client in steps:
            report.sources.append(source_report)
            try:
                step(source_report)
            finally:
                source_report.requests = client.stats.as_dict()
        if nlp is not None:
            report.extracted = run.load.extracted + extract_pending(
                store, nlp, sources=[s.source for s in report.sources], run_id=run_id
            )
        # The evidence table (studies, rows, conflicts) is redrawn after every refresh, as after a load.
        redraw_after_load(store, run_id=run_id)
    except BaseException as exc:
        failed = report.sources[-1] if report.sources else None
        if failed is not None:
            failed.status, failed.error = "failed", _one_line(exc)
            if isinstance(exc, AtcMineError):
                log_fetch(
                    store,
                    run_id=run_id,
                    source=failed.source,
                    query_key=failed.query_key,
                    step="error",
                    status="failed",
                    error=_one_line(exc),
                    requests=int(failed.requests.get("total", 0)),
                )
        report.status = "failed"
        report.finished_at = utc_now()
        store.finish_run(run_id, status="failed", counts=report.counts() | {"error": _one_line(exc)})
        raise
    # A refresh reports what fetches stored since the last refresh too (it extracted them).
    include = [command] + ([FETCH_PUBMED_COMMAND, FETCH_CTGOV_COMMAND] if command == REFRESH_COMMAND else [])
    report.covers_runs = unreported_runs(store, own=command, include=include, upto=run_id)
    report.documents, report.figures = what_changed(store, report.covers_runs)
    report.finished_at = utc_now()
    store.finish_run(run_id, status="ok", counts=report.counts())
    return report


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# -- the library functions behind the commands -----------------------------------------------------
def _clients(
    settings: Settings,
    *,
    want_pubmed: bool,
    want_ctgov: bool,
    batch_size: int,
    page_size: int,
    retry: RetryPolicy | None,
    session: requests.Session | None,
    rate: float | None,
) -> tuple[EutilsClient | None, CtgovClient | None]:
    common: dict[str, Any] = {"retry": retry, "session": session}
    eutils = EutilsClient.from_settings(settings, batch_size=batch_size, rate=rate, **common) if want_pubmed else None
    ctgov_kw = common | ({"rate": rate} if rate else {})
    ctgov = CtgovClient.from_settings(settings, page_size=page_size, **ctgov_kw) if want_ctgov else None
    return eutils, ctgov


def _default_report_dir(db: str | Path) -> Path | None:
    return None if str(db) == ":memory:" else Path(db).parent / "reports"


def _finish(report: RefreshReport, report_dir: Path | None) -> RefreshReport:
    if report_dir is not None:
        report.files = write_report(report, report_dir)
    return report


def refresh(
    *,
    db: str | Path = "atc_mine.db",
    query: str | None = None,
    saved: str | None = None,
    sources: Sequence[str] = REFRESH_SOURCES,
    settings: Settings | None = None,
    report_dir: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    page_size: int = DEFAULT_PAGE_SIZE,
    datetype: str = "edat",
    progress: Progress | None = None,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    rate: float | None = None,
    today: date | None = None,
    nlp: Language | None = None,
) -> RefreshReport:
    """Fetch what is new for a query from PubMed and ClinicalTrials.gov, store it, extract from
    it, and report what changed (also written as JSON and Markdown to ``report_dir``, by default
    ``reports/`` beside the evidence base).

    ``query`` is used as the PubMed term and as ClinicalTrials.gov's ``query.term``; without it
    the saved query ``saved`` (default: the saved ATC query) is used. ``rate`` overrides the
    requests per second of both services (for local mirrors and tests).
    """
    unknown = set(sources) - set(REFRESH_SOURCES)
    if unknown or not sources:
        raise InputError(f"unknown sources {sorted(unknown)} (choose from {', '.join(REFRESH_SOURCES)})")
    settings = settings or Settings.from_env()
    if query is not None and not query.strip():
        raise InputError("an empty --query")
    if query:
        pubmed_term, ctgov_query = query, CtgovQuery(term=query)
        args: dict[str, Any] = {"query": query}
    else:
        chosen = saved_query(saved)
        pubmed_term, ctgov_query = chosen.pubmed, chosen.ctgov
        args = {"saved": chosen.id}
    eutils, ctgov = _clients(
        settings,
        want_pubmed="pubmed" in sources and bool(pubmed_term),
        want_ctgov="ctgov" in sources and ctgov_query is not None,
        batch_size=batch_size,
        page_size=page_size,
        retry=retry,
        session=session,
        rate=rate,
    )
    args |= {"sources": list(sources), "datetype": datetype, "batch_size": batch_size, "page_size": page_size}
    try:
        with Store(db) as store:
            report = refresh_store(
                store,
                command=REFRESH_COMMAND,
                nlp=nlp or build_nlp(settings),
                eutils=eutils,
                pubmed_term=pubmed_term,
                ctgov=ctgov,
                ctgov_query=ctgov_query,
                datetype=datetype,
                today=today,
                progress=progress,
                run_args=args,
            )
    finally:
        for client in (eutils, ctgov):
            if client is not None:
                client.close()
    return _finish(report, Path(report_dir) if report_dir else _default_report_dir(db))


def fetch_pubmed(
    *,
    db: str | Path = "atc_mine.db",
    query: str | None = None,
    ids: Sequence[str] = (),
    settings: Settings | None = None,
    report_dir: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    datetype: str = "edat",
    progress: Progress | None = None,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    rate: float | None = None,
    today: date | None = None,
) -> RefreshReport:
    """Store PubMed records (new ones for ``query`` since its watermark, or ``ids``) without extracting."""
    if bool(query and query.strip()) == bool(ids):
        raise InputError("give either --query or --id")
    settings = settings or Settings.from_env()
    eutils, _ = _clients(
        settings,
        want_pubmed=True,
        want_ctgov=False,
        batch_size=batch_size,
        page_size=1,
        retry=retry,
        session=session,
        rate=rate,
    )
    assert eutils is not None
    return _store_fetched(
        db,
        report_dir,
        eutils,
        command=FETCH_PUBMED_COMMAND,
        eutils=eutils,
        pubmed_term=query,
        pmids=list(ids),
        datetype=datetype,
        today=today,
        progress=progress,
        run_args={"query": query, "ids": list(ids), "datetype": datetype, "batch_size": batch_size},
    )


def fetch_ctgov(
    *,
    db: str | Path = "atc_mine.db",
    query: str | None = None,
    cond: str | None = None,
    intr: str | None = None,
    nct_ids: Sequence[str] = (),
    settings: Settings | None = None,
    report_dir: str | Path | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Progress | None = None,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    rate: float | None = None,
) -> RefreshReport:
    """Store ClinicalTrials.gov studies (updated since the query's watermark, or ``nct_ids``) without extracting."""
    searching = any(v and v.strip() for v in (query, cond, intr))
    if searching == bool(nct_ids):
        raise InputError("give a search (--query, --cond, --intr) or --nct, not both")
    ctgov_query = CtgovQuery(cond=cond, term=query, intr=intr) if searching else None
    settings = settings or Settings.from_env()
    _, ctgov = _clients(
        settings,
        want_pubmed=False,
        want_ctgov=True,
        batch_size=1,
        page_size=page_size,
        retry=retry,
        session=session,
        rate=rate,
    )
    assert ctgov is not None
    return _store_fetched(
        db,
        report_dir,
        ctgov,
        command=FETCH_CTGOV_COMMAND,
        ctgov=ctgov,
        ctgov_query=ctgov_query,
        nct_ids=[n.strip().upper() for n in nct_ids],
        progress=progress,
        run_args={"query": query, "cond": cond, "intr": intr, "nct_ids": list(nct_ids), "page_size": page_size},
    )


def _store_fetched(db: str | Path, report_dir: str | Path | None, client: Any, **refresh: Any) -> RefreshReport:
    """One source's ``refresh_store`` without extraction; the client is closed whatever happens."""
    try:
        with Store(db) as store:
            report = refresh_store(store, **refresh)
    finally:
        client.close()
    return _finish(report, Path(report_dir) if report_dir else _default_report_dir(db))


__all__ = [
    "EARLIEST_ENTREZ",
    "DocumentChange",
    "FigureChange",
    "RefreshReport",
    "SavedQuery",
    "SourceReport",
    "extract_pending",
    "fetch_ctgov",
    "fetch_pubmed",
    "figure_changes",
    "pubmed_query_key",
    "refresh",
    "refresh_store",
    "saved_queries",
    "saved_query",
    "what_changed",
    "write_report",
]
