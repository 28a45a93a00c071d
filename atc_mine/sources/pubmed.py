"""PubMed records: E-utilities ``efetch`` XML and MEDLINE/PubMed baseline and update files.

Parsed with lxml's ``iterparse``, clearing each article once read, so a 30,000-article
baseline file is streamed in small memory (the habit of pubmed_parser and of NLM's own
loaders). Both layouts are read: the current ``PubmedArticleSet`` (``PubmedArticle`` =
``MedlineCitation`` + ``PubmedData``) and the pre-2017 ``MedlineCitationSet`` of bare
``MedlineCitation`` elements. A ``DeleteCitation`` yields a document marked deleted, so
the evidence base drops it instead of silently keeping a retracted record.

Reference: NLM, "PubMed XML element descriptions" (https://www.nlm.nih.gov/bsd/licensee/
elements_descriptions.html) and the E-utilities book (NBK25499).
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from atc_mine.errors import RecordParseError
from atc_mine.records import Document, Section

ARTICLE_TAGS = ("PubmedArticle", "MedlineCitation", "DeleteCitation", "PubmedBookArticle")
DOCUMENT_ROOTS = ("PubmedArticleSet", "MedlineCitationSet")
CLINICALTRIALS_DATABANK = "ClinicalTrials.gov"
_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}


def _text(elem: etree._Element | None) -> str | None:
    """All text inside an element (inline markup such as <i> or <sup> kept as text)."""
    if elem is None:
        return None
    value = "".join(elem.itertext()).strip()
    return value or None


def _date(elem: etree._Element | None) -> str | None:
    """An ISO-ish date from Year/Month/Day (or MedlineDate) children."""
    if elem is None:
        return None
    medline = elem.findtext("MedlineDate")
    if medline:
        return medline.strip()
    year = elem.findtext("Year")
    if not year:
        return None
    month = (elem.findtext("Month") or "").strip()
    day = (elem.findtext("Day") or "").strip()
    if month in _MONTHS:
        month = str(_MONTHS[month])
    parts = [year.strip()]
    if month:
        parts.append(month.zfill(2))
        if day:
            parts.append(day.zfill(2))
    return "-".join(parts)


def _abstract(article: etree._Element | None, title: str) -> tuple[str, tuple[Section, ...]]:
    """Title, blank line, then the abstract; labelled sections rendered as ``LABEL: text``."""
    text = title + "\n\n"
    sections: list[Section] = []
    if article is None:
        return text.rstrip("\n"), ()
    parts = article.findall("Abstract/AbstractText")
    for i, part in enumerate(parts):
        body = _text(part) or ""
        label = part.get("Label")
        if i:
            text += "\n"
        if label:
            text += f"{label}: "
        start = len(text)
        text += body
        sections.append(Section(label=label, category=part.get("NlmCategory"), start=start, end=len(text)))
    if not parts:
        text = text.rstrip("\n")
    return text, tuple(sections)


def _citation_document(citation: etree._Element, pubmed_data: etree._Element | None) -> Document:
    pmid_elem = citation.find("PMID")
    if pmid_elem is None or not (pmid_elem.text or "").strip():
        raise RecordParseError("MedlineCitation without a PMID")
    pmid = pmid_elem.text.strip()
    article = citation.find("Article")
    title = _text(article.find("ArticleTitle")) if article is not None else None
    title = title or _text(article.find("VernacularTitle")) if article is not None else title
    text, sections = _abstract(article, title or "")
    journal = article.find("Journal") if article is not None else None
    nct_ids: list[str] = []
    if article is not None:
        for bank in article.findall("DataBankList/DataBank"):
            if (bank.findtext("DataBankName") or "").strip() == CLINICALTRIALS_DATABANK:
                nct_ids += [a.text.strip() for a in bank.findall("AccessionNumberList/AccessionNumber") if a.text]
    metadata: dict[str, Any] = {
        "pmid": pmid,
        "pmid_version": pmid_elem.get("Version"),
        "status": citation.get("Status"),
        "journal": _text(journal.find("Title")) if journal is not None else None,
        "journal_abbrev": _text(journal.find("ISOAbbreviation")) if journal is not None else None,
        "pub_date": _date(journal.find("JournalIssue/PubDate")) if journal is not None else None,
        "date_revised": _date(citation.find("DateRevised")),
        "publication_types": [
            t for t in (_text(p) for p in citation.iterfind("Article/PublicationTypeList/PublicationType")) if t
        ],
        "mesh_headings": [
            t for t in (_text(d) for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")) if t
        ],
        "keywords": [t for t in (_text(k) for k in citation.iterfind("KeywordList/Keyword")) if t],
        "authors": [
            " ".join(p for p in (a.findtext("LastName"), a.findtext("Initials")) if p)
            or (a.findtext("CollectiveName") or "")
            for a in citation.iterfind("Article/AuthorList/Author")
        ],
        "language": citation.findtext("Article/Language"),
        "databank_nct_ids": nct_ids,
        "linked_trials": sorted(set(nct_ids)),
    }
    doi = None
    if article is not None:
        doi = next((e.text for e in article.iterfind("ELocationID") if e.get("EIdType") == "doi" and e.text), None)
    if pubmed_data is not None:
        ids = {a.get("IdType"): (a.text or "").strip() for a in pubmed_data.iterfind("ArticleIdList/ArticleId")}
        doi = doi or ids.get("doi")
        metadata["pmc"] = ids.get("pmc")
        metadata["publication_status"] = pubmed_data.findtext("PublicationStatus")
        for event in pubmed_data.iterfind("History/PubMedPubDate"):
            if event.get("PubStatus") == "entrez":
                metadata["entrez_date"] = _date(event)
    metadata["doi"] = doi
    year = (metadata.get("pub_date") or "")[:4]
    metadata["year"] = int(year) if year.isdigit() else None
    return Document(
        doc_id=pmid,
        source="pubmed",
        text=text,
        title=title,
        source_version=pmid_elem.get("Version"),
        sections=sections,
        metadata=metadata,
    )


def _deleted_documents(elem: etree._Element) -> Iterator[Document]:
    for pmid in elem.iterfind("PMID"):
        if pmid.text and pmid.text.strip():
            yield Document(
                doc_id=pmid.text.strip(),
                source="pubmed",
                text="",
                source_version=pmid.get("Version"),
                deleted=True,
                metadata={"pmid": pmid.text.strip(), "deleted_by": "DeleteCitation"},
            )


def parse_pubmed_xml(stream: IO[bytes], *, name: str = "<stream>") -> Iterator[Document]:
    """Stream documents out of a PubMed XML file object (plain or already decompressed).

    lxml reports only the article-level elements (``tag=``): a citation holds hundreds of
    elements, and a Python step for each of them cost more than reading the article.
    """
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=ARTICLE_TAGS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    root_checked = False
    try:
        for _event, elem in context:
            if not root_checked:
                _check_root(elem.getroottree().getroot().tag, name)
                root_checked = True
            parent = elem.getparent()
            if elem.tag == "MedlineCitation" and parent is not None and parent.tag == "PubmedArticle":
                continue  # read with its PubmedArticle, which also holds PubmedData
            if elem.tag == "PubmedArticle":
                citation = elem.find("MedlineCitation")
                if citation is None:
                    raise RecordParseError("PubmedArticle without MedlineCitation", path=name)
                yield _citation_document(citation, elem.find("PubmedData"))
            elif elem.tag == "MedlineCitation":
                yield _citation_document(elem, None)
            elif elem.tag == "DeleteCitation":
                yield from _deleted_documents(elem)
            # PubmedBookArticle (NCBI Bookshelf) records hold no trial abstracts: skipped.
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None and parent is not None:
                del parent[0]
        if not root_checked:
            _check_root(context.root.tag, name)  # no article at all: an empty set, or not PubMed XML
    except etree.XMLSyntaxError as exc:
        raise RecordParseError(f"malformed XML: {exc.msg} (line {exc.lineno})", path=name) from None


def _check_root(tag: str, name: str) -> None:
    if tag not in DOCUMENT_ROOTS:
        raise RecordParseError(f"not a PubMed article set (root element <{tag}>)", path=name)


def open_maybe_gzip(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.open(raw, "rb")  # type: ignore[return-value]
    return raw


def iter_pubmed_documents(path: Path) -> Iterator[Document]:
    """Documents of a PubMed XML file (``.xml`` or ``.xml.gz``)."""
    try:
        with open_maybe_gzip(path) as stream:
            yield from parse_pubmed_xml(stream, name=str(path))
    except (OSError, EOFError) as exc:
        raise RecordParseError(f"cannot read: {exc}", path=str(path)) from None


def parse_pubmed_bytes(data: bytes, *, name: str = "<response>") -> list[Document]:
    """Documents of an in-memory efetch response."""
    return list(parse_pubmed_xml(io.BytesIO(data), name=name))
