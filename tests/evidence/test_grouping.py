"""Grouping documents into studies: by trial ID, the registry's references, the same publication,
and, without an ID, by regimen + cohort + the same group of authors.

Real corpus documents throughout; where the corpus has no second report of a trial, a fixture
builds one from a real abstract and says so.
"""

from __future__ import annotations

from dataclasses import replace

from atc_mine.evidence.redraw import redraw_studies
from atc_mine.records import Document
from atc_mine.store.studies import studies, study_documents, study_rows
from tests.evidence.conftest import (
    DATABANK,
    EVEROLIMUS_PAGE,
    FACT_PAGE,
    HARRIS,
    LIM,
    NELFINAVIR,
    ROAR,
    SAVVIDES,
    SCHNEIDER,
    SORAFENIB_PAGE,
    SOSA,
    SUBBIAH,
    fig,
    put,
    read,
    with_metadata,
)


def members(store) -> dict[str, dict[str, str]]:
    """study_id -> {doc_id: how it was linked}."""
    found: dict[str, dict[str, str]] = {}
    for link in study_documents(store):
        found.setdefault(link["study_id"], {})[link["doc_id"]] = link["linked_by"]
    return found


def study_of(store, doc_id: str) -> str:
    (study,) = [s for s, docs in members(store).items() if doc_id in docs]
    return study


def test_sidecar_link_joins_the_abstract_and_its_registry_page(store):
    savvides, page = read(SAVVIDES), read(SORAFENIB_PAGE)
    put(
        store,
        savvides,
        [fig(savvides, "N_ENROLLED", "Twenty patients with ATC were treated", count=20, drugs=("sorafenib",))],
    )
    put(store, page, ncts=["NCT00126568"])
    redraw_studies(store)
    assert members(store) == {
        "NCT00126568": {savvides.doc_id: "sidecar", page.doc_id: "registry record"},
    }
    (row,) = study_rows(store)
    assert (row["trial"], row["cohort"], row["n"], row["therapy_class"]) == ("NCT00126568", "ATC", 20, "targeted")
    assert "PMID 23113752" in row["sources"] and "NCT00126568 registry page" in row["sources"]


def test_an_nct_id_in_the_text_joins_the_registry_record(store):
    roar = read(ROAR)
    # Hand-made: the real Subbiah 2018 abstract with the trial's NCT ID appended, as full papers print it.
    subbiah = read(SUBBIAH)
    cited = replace(subbiah, doc_id="subbiah2018_with_nct", text=subbiah.text + " (ClinicalTrials.gov NCT02034110)")
    put(store, roar, ncts=["NCT02034110"])
    put(store, cited, ncts=["NCT02034110"])
    redraw_studies(store)
    assert members(store)["NCT02034110"] == {"NCT02034110": "registry record", "subbiah2018_with_nct": "nct in text"}


def test_without_a_link_the_registry_record_is_only_a_candidate(store):
    roar, subbiah = read(ROAR), read(SUBBIAH)
    put(store, roar, ncts=["NCT02034110"])
    put(store, subbiah)
    redraw_studies(store)
    assert study_of(store, subbiah.doc_id) != study_of(store, "NCT02034110")
    record = next(s for s in studies(store) if s["study_id"] == study_of(store, subbiah.doc_id))
    assert record["trial"] is None and record["candidate_trials"] == ["NCT02034110"]
    assert record["study_id"] == "dabrafenib-trametinib-subbiah2018"


def test_pubmed_databank_joins_the_trial(store):
    nejm = read(DATABANK)
    # Hand-made registry record for the NCT ID in the real record's DataBank list (not in corpora/).
    registry = Document(
        doc_id="NCT02149199", source="ctgov", text="A registry stub.", metadata={"nct_id": "NCT02149199"}
    )
    put(store, nejm)
    put(store, registry)
    redraw_studies(store)
    assert members(store)["NCT02149199"] == {"29768149": "databank", "NCT02149199": "registry record"}


def test_a_registry_record_s_results_reference_joins_but_a_background_reference_does_not(store):
    nelfinavir = read(NELFINAVIR)  # real record: reference 19729990 (background), results_reference 24596143
    # Hand-made PubMed records with those two PMIDs (the corpus has neither).
    results = Document(
        doc_id="24596143", source="pubmed", text="Efficacy of nelfinavir ... phase II.", metadata={"year": 2014}
    )
    background = Document(doc_id="19729990", source="pubmed", text="Signaling pathways ...", metadata={"year": 2009})
    for document in (nelfinavir, results, background):
        put(store, document)
    redraw_studies(store)
    assert members(store)["NCT01065844"].get("24596143") == "ctgov reference"
    assert "19729990" not in members(store)["NCT01065844"]


def test_two_copies_of_one_publication_are_one_study(store):
    savvides = read(SAVVIDES)
    # Hand-made PubMed record of the same abstract (PMID 23113752), as an efetch would give it.
    pubmed = Document(
        doc_id="23113752", source="pubmed", text=savvides.text, title=savvides.title, metadata={"pub_date": "2013-05"}
    )
    put(store, with_metadata(savvides, linked_trials=[]))
    put(store, pubmed)
    redraw_studies(store)
    assert set(members(store)[study_of(store, "23113752")]) == {"23113752", savvides.doc_id}


def test_an_update_by_the_same_group_joins_without_an_id(store):
    subbiah = read(SUBBIAH)
    # Hand-written fixture, NOT a real abstract: a 2023 update of the same trial by the same authors.
    update = Document(
        doc_id="fixture_subbiah2023_update",
        source="text",
        text=(
            "Dabrafenib plus trametinib in BRAF V600E-mutated anaplastic thyroid cancer: updated analysis\n\n"
            "Thirty-six patients with BRAF V600E-mutated anaplastic thyroid cancer received dabrafenib and trametinib."
        ),
        title="Dabrafenib plus trametinib in BRAF V600E-mutated anaplastic thyroid cancer: updated analysis",
        metadata={"year": 2023, "authors": subbiah.metadata["authors"], "kind": "abstract"},
    )
    put(
        store,
        subbiah,
        [fig(subbiah, "N_EVALUABLE", "Sixteen patients", count=16, drugs=("dabrafenib", "trametinib"), cohort="ATC")],
    )
    put(
        store,
        update,
        [fig(update, "N_ENROLLED", "Thirty-six patients", count=36, drugs=("dabrafenib", "trametinib"), cohort="ATC")],
    )
    redraw_studies(store)
    assert members(store)["dabrafenib-trametinib-subbiah2018"] == {
        subbiah.doc_id: "own publication",
        update.doc_id: "regimen + cohort + authors",
    }


def test_same_regimen_by_other_groups_stays_apart(store):
    # Three real everolimus studies of thyroid cancer by three groups: three studies.
    for path in (LIM, SCHNEIDER, HARRIS):
        document = read(path)
        put(
            store,
            document,
            [
                fig(
                    document,
                    "N_ENROLLED",
                    document.text.split("\n")[0][:20],
                    count=5,
                    drugs=("everolimus",),
                    cohort="ATC",
                )
            ],
        )
    put(store, read(EVEROLIMUS_PAGE), ncts=["NCT01164176"])
    redraw_studies(store)
    groups = members(store)
    assert len({study_of(store, read(p).doc_id) for p in (LIM, SCHNEIDER, HARRIS)}) == 3
    assert "NCT01164176" in groups and set(groups["NCT01164176"]) == {"ctgov_NCT01164176_page_excerpt"}


def test_same_group_same_regimen_but_another_cohort_stays_apart(store):
    subbiah = read(SUBBIAH)
    # Hand-written fixture, NOT a real abstract: the same authors' report of another cohort.
    other = Document(
        doc_id="fixture_subbiah_glioma",
        source="text",
        text="Dabrafenib plus trametinib in BRAF V600E-mutant glioma\n\nForty patients with glioma were treated.",
        title="Dabrafenib plus trametinib in BRAF V600E-mutant glioma",
        metadata={"year": 2022, "authors": subbiah.metadata["authors"]},
    )
    put(
        store,
        subbiah,
        [fig(subbiah, "N_EVALUABLE", "Sixteen patients", count=16, drugs=("dabrafenib", "trametinib"), cohort="ATC")],
    )
    put(
        store,
        other,
        [fig(other, "N_ENROLLED", "Forty patients", count=40, drugs=("dabrafenib", "trametinib"), cohort="glioma")],
    )
    redraw_studies(store)
    assert study_of(store, subbiah.doc_id) != study_of(store, other.doc_id)


def test_a_publication_naming_two_trials_joins_neither_but_its_figures_follow_their_trial(store):
    sosa, fact_page, savvides_page = read(SOSA), read(FACT_PAGE), read(SORAFENIB_PAGE)
    # Hand-written fixture, NOT a real text: a pooled report that names both trials.
    pooled = Document(
        doc_id="fixture_pooled",
        source="text",
        text="Pooled analysis of NCT00507429 and NCT00126568 in anaplastic thyroid cancer\n\nEighty patients (NCT00507429).",
        metadata={"year": 2016},
    )
    put(store, with_metadata(sosa, linked_trials=["NCT00507429"]))
    put(store, fact_page, ncts=["NCT00507429"])
    put(store, savvides_page, ncts=["NCT00126568"])
    put(
        store,
        pooled,
        [fig(pooled, "N_ENROLLED", "Eighty patients (NCT00507429)", count=80, trial="NCT00507429", cohort="ATC")],
        ncts=["NCT00507429", "NCT00126568"],
    )
    redraw_studies(store)
    groups = members(store)
    assert groups["NCT00507429"]["fixture_pooled"] == "nct in text"  # via its figure only
    assert "fixture_pooled" not in groups["NCT00126568"]
    assert set(groups["NCT00507429"]) == {sosa.doc_id, fact_page.doc_id, "fixture_pooled"}


def test_two_trials_are_never_merged_even_by_the_same_group(store):
    savvides = read(SAVVIDES)
    # Hand-written fixture, NOT a real abstract: the same authors and drug, another registered trial.
    other = replace(
        savvides,
        doc_id="fixture_other_trial",
        metadata={**savvides.metadata, "linked_trials": ["NCT99999999"], "pmid": None},
    )
    fixture_figures = [fig(savvides, "N_ENROLLED", "Twenty patients", count=20, drugs=("sorafenib",), cohort="ATC")]
    put(store, savvides, fixture_figures)
    put(store, other, fixture_figures)
    redraw_studies(store)
    assert study_of(store, savvides.doc_id) == "NCT00126568"
    assert study_of(store, "fixture_other_trial") == "NCT99999999"
