"""atc_mine/nlp/cohorts.py: populations in the gold cohort vocabulary (GUIDELINES 5.3).

Phrases are quoted from the corpus abstracts (corpora/abstracts, by first author), the seed
review (gold/review) and held-out abstracts (named with their source); the cue records'
own examples and counter-examples live in atc_mine/nlp/data/cohort_cues.json.
"""

from __future__ import annotations

import json

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.nlp import cohorts
from atc_mine.nlp.cohorts import cohort_cues, cohort_of, combine, find_cues, resolve, subgroup_of, vocabulary
from atc_mine.nlp.numbers import normalise
from atc_mine.nlp.rules import data_path
from tests.conftest import GOLD

CUE_RECORDS = json.loads(data_path(cohorts.CUES_FILE).read_text(encoding="utf-8"))["cues"]


def test_the_vocabulary_mirrors_the_gold_schema():
    schema = json.loads((GOLD / "schema" / "cohorts.json").read_text(encoding="utf-8"))
    assert vocabulary().parents == schema["cohorts"]


@pytest.mark.parametrize("record", CUE_RECORDS, ids=[r["id"] for r in CUE_RECORDS])
def test_cue_examples_match_and_counter_examples_do_not(record):
    regex = next(c.regex for c in cohort_cues() if c.id == record["id"])
    assert record.get("examples"), "every cue shows where it applies"
    for example in record["examples"]:
        assert regex.search(normalise(example)), example
    for counter in record.get("counter_examples", []):
        assert not regex.search(normalise(counter)), counter


def test_the_cue_screen_lets_every_cue_example_through():
    """find_cues tries only the cues its literal screen allows: each example must get through,
    and a text naming no cue is screened down to the cues without literals."""
    screen = cohorts.cue_screen()
    cues = cohort_cues()
    for index, (cue, record) in enumerate(zip(cues, CUE_RECORDS, strict=True)):
        assert cue.id == record["id"]
        for example in record["examples"]:
            assert screen.possible(screen.present(normalise(example)))[index], (cue.id, example)
    assert sum(screen.possible(screen.present("The weather was fine."))) < len(cues) / 4


@pytest.mark.parametrize(
    ("text", "cohort"),
    [
        ("Sixteen patients with BRAF V600E-mutated anaplastic thyroid cancer", "BRAF V600E-mutant ATC"),  # Subbiah 2018
        (
            "Fourteen patients with BRAFV600E-mutant thyroid carcinoma",
            "BRAF V600E-mutant thyroid cancer",
        ),  # Falchook 2015
        ("radioactive refractory differentiated thyroid cancer (RR-DTC)", "RR-DTC"),  # Schneider 2017
        ("two patients with poorly differentiated thyroid carcinoma", "PDTC"),  # Dierks 2021
        ("Two of the MTC patients had a partial response", "MTC"),  # review
        ("In the cohort with non-small-cell lung cancer", "NSCLC"),  # Hyman 2015
        ("Erdheim-Chester disease or Langerhans'-cell histiocytosis", "ECD/LCH"),  # Hyman 2015
        ("locally advanced or metastatic thyroid cancer of all histologic subtypes", "thyroid cancer"),  # Lim 2013
        ("undifferentiated thyroid carcinoma", "ATC"),  # held-out: Ain 2000, Thyroid 10:587
        ("41 MDTC/4 MATC patients", "thyroid cancer"),  # held-out: Ravaud 2017 (THYSU); siblings pool up
        # a histology after a negation is the population left out (hand-written)
        ("patients with non-ATC thyroid cancers", "thyroid cancer"),
        ("non-anaplastic thyroid cancer", "thyroid cancer"),
        ("thyroid carcinoma (median 1265 days; without ATC, 1399 days)", "thyroid cancer"),
        ("all thyroid cancers excluding the ATC cohort", "thyroid cancer"),
        ("patients with ATC and without MTC", "ATC"),
        # a word negation reaches across the list it opens; "non-" only the name it prefixes
        ("tumor types, excluding non-small-cell lung cancer and thyroid cancer", None),  # held-out: ARROW basket
        ("other than PTC, FTC or ATC", None),
        ("patients with non-ATC thyroid cancers and 12 with ATC", "ATC"),
        ("without ATC, patients with MTC and PTC", "thyroid cancer"),
        ("excluding lung cancer and breast cancer in patients with ATC", "ATC"),  # the list stops at "in"
        # not populations
        ("cells purchased from the ATCC", None),
        ("the CATCH trial", None),
        ("patients with hypertension", None),
    ],
)
def test_the_cohort_a_phrase_names(text, cohort):
    assert cohort_of(normalise(text))[0] == cohort


def test_a_histology_followed_by_thyroid_cancer_is_one_name():
    # "anaplastic thyroid cancer" is ATC, not ATC and thyroid cancer
    found = find_cues(normalise("patients with anaplastic thyroid cancer"))
    assert [(f.kind, f.value) for f in found] == [("histology", "ATC")]


@pytest.mark.parametrize(
    ("terms", "pooled_label", "expected"),
    [
        (["thyroid cancer", "ATC"], None, "ATC"),  # one line of descent: the most specific
        (["ATC", "BRAF V600E-mutant ATC"], None, "BRAF V600E-mutant ATC"),
        (["DTC", "ATC"], None, "thyroid cancer"),  # siblings: their common ancestor
        (["DTC", "ATC"], "all", "all"),  # ... or the study's pooled label when it has one
        (["NSCLC", "ATC"], None, "all"),  # no common ancestor: the pooled population
        ([], None, None),
    ],
)
def test_resolve(terms, pooled_label, expected):
    assert resolve(terms, pooled_label=pooled_label) == expected


def test_combine_applies_a_molecular_selection_only_where_the_vocabulary_has_a_term():
    assert combine("ATC", "BRAF V600E") == "BRAF V600E-mutant ATC"
    assert combine("ATC", "BRAF V600") == "BRAF V600-mutant ATC"
    assert combine("MTC", "BRAF V600E") == "MTC"
    assert combine("ATC", None) == "ATC"


@pytest.mark.parametrize(
    ("qualifier", "drug", "subgroup"),
    [
        ("in PD-L1-positive (8/28; 29%)", None, "PD-L1-positive"),  # Capdevila 2020
        ("versus PD-L1-negative (0/12; 0%) patients", None, "PD-L1-negative"),  # Capdevila 2020
        ("patients with PD-L1 ≥ 50% (6/17; 35%)", None, "PD-L1 >= 50%"),  # Capdevila 2020
        # review: "48 and 68 days in the 0.15 and 0.3 mg treatment group", once the list is split
        ("in the 0.3 mg treatment group", "efatutazone", "efatutazone 0.3 mg"),
        ("for the CP arm", None, "CP arm"),  # Sosa 2014
        ("in the stage IVB group", None, "stage IVB"),  # held-out: Higashiyama 2010, Thyroid 20:7
        ("among patients treated", None, None),
    ],
)
def test_subgroup_of_a_qualifier(qualifier, drug, subgroup):
    assert subgroup_of(normalise(qualifier), drug=drug) == subgroup


def test_a_cue_with_an_unknown_term_is_a_named_error(tmp_path, monkeypatch):
    bad = {"version": "1", "cues": [{"id": "x", "kind": "histology", "regex": "x", "term": "not a cohort"}]}
    path = tmp_path / "bad_cues.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    real = data_path
    monkeypatch.setattr("atc_mine.nlp.rules.data_path", lambda name: path if name == "bad_cues.json" else real(name))
    with pytest.raises(PatternFileError, match="not in the cohort vocabulary"):
        cohort_cues("bad_cues.json")


@pytest.mark.parametrize(
    ("text", "cohort"),
    [
        # held-out dev2: cancertherapyadvisor.com news on Cabanillas 2017; ASCO Post news on Sehgal 2024
        ("Patients with radioiodine (RAI)-refractory differentiated thyroid cancer (DTC) may benefit", "RR-DTC"),
        ("in the radioiodine-refractory DTC group", "RR-DTC"),
        ("Eligible patients had papillary or follicular thyroid carcinoma", "DTC"),  # Cancer 2023 (KEYNOTE-158)
        # negatives: refractoriness of a thyroid cancer not named differentiated stays thyroid cancer
        ("27 patients with radioiodine-refractory, locally advanced, or metastatic thyroid cancer", "thyroid cancer"),
        ("differentiated and medullary thyroid cancer", "thyroid cancer"),  # siblings: their common parent
    ],
)
def test_cohort_of_held_out_phrasings(text, cohort):
    assert cohort_of(normalise(text))[0] == cohort
