"""What every export format shares: candidate rows, links, spreadsheet-safe cells, atomic files."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from atc_mine.curation import FORMULA_PREFIXES, Candidate, Decision, review_candidates
from atc_mine.records import Entity, OutcomeFigure, readable_timepoint
from atc_mine.store import Store, StoredDocument
from atc_mine.store import curation as sql

__all__ = [
    "CANDIDATE_COLUMNS",
    "FORMULA_PREFIXES",
    "ExportData",
    "atomic_file",
    "candidate_row",
    "candidate_rows",
    "collect",
    "describe",
    "document_link",
    "neutralise",
    "replace_dir",
    "trial_link",
]

#: One row per candidate figure. The curator fills the first four columns and corrects values in
#: place; ``flag``, ``extracted`` and the columns after ``subgroup`` are for reading only.
CANDIDATE_COLUMNS = (
    "record_id",
    "status",
    "curator",
    "note",
    "flag",
    "study_id",
    "study_row",
    "source",
    "doc_id",
    "link",
    "title",
    "measure",
    "percent",
    "count",
    "denominator",
    "value",
    "unit",
    "timepoint",
    "ci_low",
    "ci_high",
    "not_reached",
    "regimen",
    "trial",
    "cohort",
    "subgroup",
    "sentence",
    "start",
    "end",
    "extracted",
    "decided_at",
)


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP "CSV
    injection": cells beginning ``= + - @``, tab or carriage return). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# -- links ---------------------------------------------------------------------------------
def safe_url(url: Any) -> str | None:
    """An http(s) URL, or None: a sidecar's ``javascript:`` link never reaches a page or a sheet."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")) and not any(c in url for c in "\"'<> "):
        return url
    return None


def pubmed_link(pmid: Any) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(str(pmid), safe='')}/"


def trial_link(nct_id: str | None) -> str | None:
    return f"https://clinicaltrials.gov/study/{quote(nct_id, safe='')}" if nct_id else None


def document_link(source: str, doc_id: str, metadata: dict[str, Any] | None = None) -> str | None:
    """The PubMed or ClinicalTrials.gov page of a document (a text file's sidecar may name one)."""
    metadata = metadata or {}
    if source == "pubmed":
        return pubmed_link(doc_id)
    if source == "ctgov":
        return trial_link(doc_id)
    if metadata.get("pmid"):
        return pubmed_link(metadata["pmid"])
    if metadata.get("nct_id"):
        return trial_link(str(metadata["nct_id"]))
    return safe_url(metadata.get("source_url"))


def link_label(source: str, doc_id: str, metadata: dict[str, Any] | None = None) -> str:
    metadata = metadata or {}
    if source == "pubmed":
        return f"PMID {doc_id}"
    if source == "ctgov":
        return doc_id
    if metadata.get("pmid"):
        return f"PMID {metadata['pmid']}"
    return doc_id


# -- figures as text -----------------------------------------------------------------------
def _num(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


def describe(figure: OutcomeFigure) -> str:
    """A figure in a few words: ``ORR 10% (2/20)``, ``PFS_MEDIAN 1.9 months (95% CI 1.2-3)``."""
    parts: list[str] = []
    if figure.percent is not None:
        parts.append(f"{_num(figure.percent)}%")
    if figure.count is not None:
        fraction = f"{figure.count}/{figure.denominator}" if figure.denominator is not None else f"{figure.count}"
        parts.append(f"({fraction})" if parts else fraction)
    elif figure.denominator is not None:
        parts.append(f"(n={figure.denominator})")
    if figure.not_reached:
        parts.append("not reached")
    elif figure.value is not None:
        parts.append(f"{_num(figure.value)} {figure.unit or ''}".strip())
    if figure.ci is not None:
        parts.append(f"(95% CI {_num(figure.ci[0])}-{_num(figure.ci[1])})")
    if figure.timepoint:
        parts.append(f"at {readable_timepoint(figure.timepoint)}")
    return " ".join([figure.measure, *parts])


def _corrected_from(figure: OutcomeFigure, decision: Decision | None) -> str | None:
    """What the curator corrected, as the extractor had it: ``percent=19; cohort=DTC``."""
    if decision is None or decision.status != "correct":
        return None
    shown = []
    for name in sorted(decision.corrections):
        value = getattr(figure, name)
        if isinstance(value, tuple):
            value = " + ".join(map(str, value)) if name == "drugs" else "-".join(_num(v) for v in value)
        elif isinstance(value, float):
            value = _num(value)
        shown.append(f"{'regimen' if name == 'drugs' else name}={'' if value is None else value}")
    return "; ".join(shown)


def flag_text(candidate: Candidate) -> str | None:
    """Why a pending figure is back for review: the decision on its earlier version."""
    previous = candidate.previous
    if not candidate.changed or previous is None:
        return None
    return (
        f"changed since {previous.status} by {previous.curator} on {previous.decided_at[:10]}: "
        f"was {describe(previous.figure)}"
    )


def candidate_row(candidate: Candidate) -> dict[str, Any]:
    """One candidate as a flat row in ``CANDIDATE_COLUMNS`` order (values plain, not neutralised)."""
    figure = candidate.corrected
    decision = candidate.decision
    return {
        "record_id": candidate.record_id,
        "status": candidate.status,
        "curator": decision.curator if decision else None,
        "note": decision.note if decision else None,
        "flag": flag_text(candidate),
        "study_id": candidate.study_id,
        "study_row": candidate.study_row,
        "source": candidate.source,
        "doc_id": candidate.doc_id,
        "link": document_link(candidate.source, candidate.doc_id, candidate.metadata),
        "title": candidate.title,
        "measure": figure.measure,
        "percent": figure.percent,
        "count": figure.count,
        "denominator": figure.denominator,
        "value": figure.value,
        "unit": figure.unit,
        "timepoint": figure.timepoint,
        "ci_low": figure.ci[0] if figure.ci else None,
        "ci_high": figure.ci[1] if figure.ci else None,
        "not_reached": figure.not_reached,
        "regimen": " + ".join(figure.drugs) or None,
        "trial": figure.trial,
        "cohort": figure.cohort,
        "subgroup": figure.subgroup,
        "sentence": candidate.figure.sentence,
        "start": candidate.figure.start,
        "end": candidate.figure.end,
        "extracted": _corrected_from(candidate.figure, decision),
        "decided_at": decision.decided_at if decision else None,
    }


# -- what an export shows ------------------------------------------------------------------
@dataclass(slots=True)
class ExportData:
    """Everything one export shows, read once from the evidence base."""

    store: Store
    candidates: list[Candidate]
    #: The current documents that have candidates in view, keyed by ``doc_pk``.
    documents: dict[int, StoredDocument]
    entities: dict[int, list[Entity]]
    studies: Any = None  # a StudyTable (atc_mine.export.studies), or None without the evidence table
    run: dict[str, Any] | None = None
    db_name: str = ""
    since: int | None = None
    status: str | None = None
    by_document: dict[int, list[Candidate]] = field(default_factory=dict)

    def document_candidates(self, doc_pk: int) -> list[Candidate]:
        return self.by_document.get(doc_pk, [])


def collect(store: Store, *, since: int | None = None, status: str | None = None) -> ExportData:
    """The candidates in view (with decisions and studies), their documents and entities."""
    from atc_mine.export.studies import assign_studies, study_table

    candidates = review_candidates(store, since=since, status=status)
    studies = study_table(store)
    candidates = assign_studies(candidates, studies)
    wanted = {c.doc_pk for c in candidates}
    documents = {d.doc_pk: d for d in store.iter_documents() if d.doc_pk in wanted}
    data = ExportData(
        store=store,
        candidates=candidates,
        documents=documents,
        entities=sql.entities_by_document(store, documents),
        studies=studies,
        run=sql.latest_run(store),
        db_name=Path(store.path).name,
        since=since,
        status=status,
    )
    for candidate in candidates:
        data.by_document.setdefault(candidate.doc_pk, []).append(candidate)
    return data


def candidate_rows(store: Store, *, since: int | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """The candidate rows of the CSV/XLSX export and of :func:`atc_mine.candidates`."""
    from atc_mine.export.studies import assign_studies, study_table

    candidates = assign_studies(review_candidates(store, since=since, status=status), study_table(store))
    return [candidate_row(c) for c in candidates]


# -- files ---------------------------------------------------------------------------------
@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename,
    so a curator never opens a half-written file. On failure the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> Path:
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
    return path


def replace_dir(target: Path, build: Callable[[Path], None]) -> Path:
    """Build a folder (a brat collection) beside ``target``, then swap it in: no stale files of an
    earlier export remain, and a failed build leaves the earlier folder as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        build(fresh)
        os.chmod(fresh, 0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
            old.rmdir()
            target.replace(old)
        fresh.replace(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return target
