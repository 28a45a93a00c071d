"""Reading documents from files and folders (and, in the clients, from the network).

``plan_inputs(paths)`` walks files and folders and decides, by looking at each file's
first bytes, what it holds; ``iter_documents(plan)`` reads the documents in a stable
order. Files that hold no documents (an esearch result, a sidecar, a cassette) are listed
as skipped with the reason, never silently dropped and never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from atc_mine.errors import InputError, RecordParseError
from atc_mine.records import Document
from atc_mine.sources.ctgov import iter_ctgov_json_documents, iter_ctgov_legacy_documents
from atc_mine.sources.pubmed import DOCUMENT_ROOTS, iter_pubmed_documents, open_maybe_gzip
from atc_mine.sources.text import SIDECAR_SUFFIX, iter_text_documents

#: Root elements of E-utilities responses that carry no article documents.
EUTILS_NON_DOCUMENT_ROOTS = {
    "eSearchResult": "an E-utilities esearch result (IDs, not documents)",
    "eSummaryResult": "an E-utilities esummary result (summaries, not abstracts)",
    "ePostResult": "an E-utilities epost result",
    "eLinkResult": "an E-utilities elink result",
    "eInfoResult": "an E-utilities einfo result",
}

Reader = Callable[[Path], Iterator[Document]]
READERS: dict[str, Reader] = {
    "text": iter_text_documents,
    "pubmed": iter_pubmed_documents,
    "ctgov": iter_ctgov_json_documents,
    "ctgov-legacy": iter_ctgov_legacy_documents,
}


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    kind: str  # a key of READERS


@dataclass(slots=True)
class InputPlan:
    files: list[InputFile] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _xml_root_tag(path: Path) -> str:
    try:
        with open_maybe_gzip(path) as stream:
            for _event, elem in etree.iterparse(stream, events=("start",), resolve_entities=False, no_network=True):
                return etree.QName(elem).localname
    except etree.XMLSyntaxError as exc:
        raise RecordParseError(f"malformed XML: {exc.msg}", path=str(path)) from None
    except (OSError, EOFError) as exc:
        raise RecordParseError(f"cannot read: {exc}", path=str(path)) from None
    raise RecordParseError("empty XML file", path=str(path))


def classify(path: Path) -> tuple[str | None, str]:
    """(reader kind, reason); kind None means the file holds no documents."""
    name = path.name.lower()
    if name.endswith(SIDECAR_SUFFIX):
        return None, "metadata sidecar of a text document"
    if name.endswith(".txt"):
        if name in {"readme.txt", "license.txt"}:
            return None, "documentation"
        return "text", ""
    if name.endswith((".xml", ".xml.gz")):
        root = _xml_root_tag(path)
        if root in DOCUMENT_ROOTS:
            return "pubmed", ""
        if root == "clinical_study":
            return "ctgov-legacy", ""
        if root in EUTILS_NON_DOCUMENT_ROOTS:
            return None, EUTILS_NON_DOCUMENT_ROOTS[root]
        if root in {"eFetchResult", "ERROR", "html"}:
            raise RecordParseError(f"an error response (<{root}>), not documents", path=str(path))
        raise RecordParseError(f"unknown XML document type <{root}>", path=str(path))
    if name.endswith(".json"):
        return "ctgov", ""
    return None, "not a document format atc-mine reads (.txt, .xml, .xml.gz, .json)"


def plan_inputs(paths: Iterable[str | Path]) -> InputPlan:
    """Expand files and folders (recursively, sorted) into readable input files."""
    plan = InputPlan()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if any(part.startswith(".") for part in candidate.relative_to(path).parts if path.is_dir()):
                continue
            kind, reason = classify(candidate)
            if kind is None:
                plan.skipped.append((candidate, reason))
            else:
                plan.files.append(InputFile(candidate, kind))
    return plan


def iter_file_documents(item: InputFile) -> Iterator[Document]:
    yield from READERS[item.kind](item.path)


def iter_documents(plan: InputPlan) -> Iterator[Document]:
    for item in plan.files:
        yield from iter_file_documents(item)


def read_documents(paths: Iterable[str | Path]) -> list[Document]:
    """Convenience for notebooks and tests: every document under ``paths``."""
    return list(iter_documents(plan_inputs(paths)))


__all__ = [
    "InputFile",
    "InputPlan",
    "classify",
    "iter_documents",
    "iter_file_documents",
    "plan_inputs",
    "read_documents",
]
