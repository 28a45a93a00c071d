"""The drug class data file and how a regimen is classed (gold/GUIDELINES.md section 6)."""

from __future__ import annotations

import bz2
import importlib.util
import json
import pickle
from pathlib import Path

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.evidence import classes
from atc_mine.evidence.classes import DRUG_CLASSES, THERAPY_CLASSES, drug_classes, regimen_class
from tests.conftest import ROOT

DRUGS = drug_classes()


def test_every_drug_has_an_allowed_class_a_category_and_a_source():
    assert len(DRUGS) >= 40
    for drug in DRUGS.values():
        assert drug.drug_class in DRUG_CLASSES, drug.norm
        assert drug.category and drug.sources, drug.norm


def test_every_drug_the_recogniser_knows_has_a_class():
    curated = json.loads((ROOT / "atc_mine/nlp/data/drugs_curated.json").read_text(encoding="utf-8"))
    assert {d["norm"] for d in curated["drugs"]} <= set(DRUGS)


def test_every_quoted_source_is_verbatim_in_its_file():
    for drug in DRUGS.values():
        for source in drug.sources:
            if source["kind"] == "corpus_text":
                text = (ROOT / source["document"]).read_bytes().decode("utf-8")
                assert source["quote"] in text, (drug.norm, source["document"])
            else:
                assert source["kind"] == "fda_label" and "Mechanism of Action" in source["section"]


def test_drugbank_ids_are_the_packaged_dictionary_s_never_typed_by_hand():
    # Found without importing the package (its import builds every n-gram index: seconds).
    (folder,) = importlib.util.find_spec("drug_named_entity_recognition").submodule_search_locations
    package = Path(folder) / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(package, "rb") as handle:
        canonical = pickle.load(handle)["drug_canonical_to_data"]
    for drug in DRUGS.values():
        assert drug.drugbank_id == (canonical.get(drug.norm) or {}).get("drugbank_id"), drug.norm


@pytest.mark.parametrize(
    "drugs, title, expected",
    [
        (["sorafenib"], None, "targeted"),
        (["dabrafenib", "trametinib"], None, "targeted"),  # targeted + targeted stays targeted
        (["spartalizumab"], None, "immuno"),
        (["lenvatinib", "pembrolizumab"], None, "combination"),  # immuno + targeted
        (["efatutazone", "paclitaxel"], None, "combination"),  # targeted + chemo, the review's placement
        (["carboplatin", "fosbretabulin", "paclitaxel"], None, "combination"),
        (["paclitaxel", "pemetrexed"], None, "chemo"),
        (["atezolizumab"], "Atezolizumab with chemotherapy in ATC", "combination"),
        (
            ["pembrolizumab"],
            "Salvage pembrolizumab added to kinase inhibitor therapy for the treatment of anaplastic thyroid carcinoma",
            "combination",
        ),
        (
            ["paclitaxel", "pazopanib"],
            "Intensity-Modulated Radiation Therapy and Paclitaxel With or Without Pazopanib",
            "combination",
        ),
        (["nelfinavir"], None, "unclassified"),
        ([], None, "unclassified"),
    ],
)
def test_regimen_class(drugs, title, expected):
    assert regimen_class(drugs, title=title).therapy_class == expected
    assert expected in THERAPY_CLASSES


def test_regimen_targets_unnamed_components_and_unknown_drugs():
    regimen = regimen_class(["pembrolizumab", "nelfinavir"], title="pembrolizumab added to kinase inhibitor therapy")
    assert regimen.targets == ("PDCD1",)
    assert regimen.unnamed == ("kinase inhibitor (unnamed)",)
    assert regimen.unknown_drugs == ("nelfinavir",)
    # A title term adds nothing when a named drug of that class is already there.
    assert regimen_class(["lenvatinib"], title="Lenvatinib, a kinase inhibitor").unnamed == ()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["drugs"][0].update({"class": "hormonal"}), "unknown class 'hormonal'"),
        (lambda d: d["drugs"][0].update({"sources": []}), "at least one source"),
        (lambda d: d["drugs"][0].update({"mechanism": "x"}), "unknown keys \\['mechanism'\\]"),
        (lambda d: d["drugs"][0]["sources"].append({"kind": "wikipedia", "document": "x"}), "kind must be one of"),
    ],
)
def test_a_bad_record_is_an_error_naming_file_and_drug(monkeypatch, change, message):
    data = json.loads(json.dumps(classes.load_json("drug_classes.json")))
    change(data)
    monkeypatch.setattr(classes, "load_json", lambda name: data)
    classes.drug_classes.cache_clear()
    try:
        with pytest.raises(PatternFileError, match=rf"drug_classes.json: drugs\[0\].*{message}"):
            classes.drug_classes()
    finally:
        monkeypatch.undo()
        classes.drug_classes.cache_clear()
