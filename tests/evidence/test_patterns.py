"""The evidence table's text patterns: every rule against its own examples, and the questions they answer."""

from __future__ import annotations

import json

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.evidence import patterns
from atc_mine.evidence.patterns import (
    class_terms,
    is_atc_cohort,
    mentions_atc,
    names_other_population,
    phase_of,
    text_rules,
)
from tests.evidence.conftest import HA, LIM, PENNELL, SAVVIDES, read

RULES = text_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_matches_its_examples_and_not_its_counter_examples(rule):
    assert rule.examples, f"{rule.id} has no examples"
    for example in rule.examples:
        assert rule.regex.search(example), (rule.id, example)
    for counter in rule.counter_examples:
        assert not rule.regex.search(counter), (rule.id, counter)


@pytest.mark.parametrize("path", [SAVVIDES, HA, PENNELL, LIM], ids=lambda p: p.stem[:30])
def test_real_atc_documents_are_about_atc(path):
    document = read(path)
    assert mentions_atc(document.text)


def test_pennell_counts_by_anaplastic_histology_and_lim_by_all_histologies():
    pennell, lim = read(PENNELL).text, read(LIM).text
    assert "anaplastic thyroid" not in pennell.lower() and mentions_atc(pennell)  # "anaplastic (19%)"
    assert "anaplastic" not in lim.lower() and mentions_atc(lim)  # "all histologic subtypes"


def test_unrelated_medline_citations_are_not_about_atc(medline_documents):
    documents = medline_documents
    assert len(documents) > 600
    assert not [d.doc_id for d in documents if mentions_atc(f"{d.title}\n{d.text}")]


@pytest.mark.parametrize(
    "text, phase",
    [
        ("In this open-label phase II trial, 27 patients", "II"),
        ("results of a multicenter phase 1 trial ... recommended phase 2 dose", "I"),
        ("As part of a phase I/II study in patients with advanced solid tumors", "I/II"),
        ("A Phase 2 Trial of Lenvatinib", "II"),
        ("blocking cell division in the G1 phase", None),
        ("the recommended phase 2 dose of efatutazone", None),
        (None, None),
    ],
)
def test_phase(text, phase):
    assert phase_of(text) == phase


@pytest.mark.parametrize(
    "cohort, atc",
    [("ATC", True), ("BRAF V600E-mutant ATC", True), ("PDTC", False), ("thyroid cancer", False), (None, False)],
)
def test_atc_cohort_labels(cohort, atc):
    assert is_atc_cohort(cohort) is atc


def test_titles_naming_other_populations():
    assert names_other_population(
        "Combination of Lenvatinib and Pembrolizumab ... Anaplastic and Poorly Differentiated Thyroid Carcinoma"
    )
    assert not names_other_population("Lenvatinib for Anaplastic Thyroid Cancer")


def test_class_terms_in_titles():
    (term,) = class_terms(
        "Salvage pembrolizumab added to kinase inhibitor therapy for the treatment of anaplastic thyroid carcinoma"
    )
    assert term.term_class == "targeted"
    assert class_terms("PD-1 Blockade in Anaplastic Thyroid Carcinoma") == []


def test_a_rule_with_an_unknown_key_is_rejected(monkeypatch):
    data = json.loads(json.dumps(patterns.load_json("patterns.json")))
    data["patterns"][0]["flagz"] = "IGNORECASE"
    monkeypatch.setattr(patterns, "load_json", lambda name: data)
    patterns.text_rules.cache_clear()
    try:
        with pytest.raises(PatternFileError, match=r"patterns\[0\].*unknown keys \['flagz'\]"):
            patterns.text_rules()
    finally:
        monkeypatch.undo()
        patterns.text_rules.cache_clear()
