"""Invariants of the hand-annotated gold set in gold/ (self-contained: no atc_mine import).

Every gold file validates against its JSON Schema; checksums match the annotated texts; every
span's text equals text[start:end]; entity spans do not overlap and respect word boundaries;
the same surface form always gets the same normalised form; every NCT ID and BRAF V600 variant
in a text is annotated; outcome figures are internally consistent and attributed only to drugs
and trials the document names; study records point at existing documents and at the review
sentences they quote; and every gold file is exactly what gold/tools/locate.py rebuilds from
gold/src (so disagreements.md cannot drift from studies.json).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "gold"
SCHEMAS = GOLD / "schema"
ABSTRACTS = ROOT / "corpora" / "abstracts"
CTGOV_PAGES = ROOT / "corpora" / "ctgov_pages"
REVIEW_ID = "review_42d08961c228dcf9"

DOC_FILES = sorted(
    [*GOLD.glob("review/*.gold.json"), *GOLD.glob("corpus/*.gold.json"), *GOLD.glob("registry/*.gold.json")]
)
DOC_IDS = [p.name[: -len(".gold.json")] for p in DOC_FILES]
STUDIES_FILE = GOLD / "review" / "studies.json"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def text_of(rel_path: str) -> str:
    return (ROOT / rel_path).read_bytes().decode("utf-8")


@cache
def schema(name: str) -> Draft202012Validator:
    data = load(SCHEMAS / name)
    Draft202012Validator.check_schema(data)
    return Draft202012Validator(data)


def sidecar(doc_id: str) -> dict:
    for folder in (ABSTRACTS, CTGOV_PAGES):
        path = folder / f"{doc_id}.meta.json"
        if path.exists():
            return load(path)
    return {}


# ------------------------------------------------------------------ inventory


def test_the_gold_set_is_all_there() -> None:
    assert (GOLD / "GUIDELINES.md").is_file()
    assert (GOLD / "README.md").is_file()
    assert STUDIES_FILE.is_file()
    assert (GOLD / "corpus" / "disagreements.md").is_file()
    assert REVIEW_ID in DOC_IDS
    abstracts = {p.stem for p in ABSTRACTS.glob("*.txt")}
    pages = {p.stem for p in CTGOV_PAGES.glob("*.txt")}
    assert abstracts and pages, "no corpus abstracts or registry pages found"
    assert abstracts == {p.name[: -len(".gold.json")] for p in GOLD.glob("corpus/*.gold.json")}, (
        "one gold file per abstract"
    )
    assert pages == {p.name[: -len(".gold.json")] for p in GOLD.glob("registry/*.gold.json")}, (
        "one gold file per registry page"
    )
    assert len(DOC_IDS) == len(set(DOC_IDS)) == len(abstracts) + len(pages) + 1


# ------------------------------------------------------------------ document gold


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_document_validates_against_schema(path: Path) -> None:
    errors = sorted(schema("document_gold.schema.json").iter_errors(load(path)), key=lambda e: e.json_path)
    assert not errors, "\n".join(f"{e.json_path}: {e.message}" for e in errors[:10])


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_document_identity_and_checksums(path: Path) -> None:
    doc = load(path)
    assert doc["doc_id"] == path.name[: -len(".gold.json")]
    raw = (ROOT / doc["text_file"]).read_bytes()
    assert Path(doc["text_file"]).stem == doc["doc_id"]
    assert hashlib.sha1(raw).hexdigest() == doc["text_sha1"]
    assert doc["provenance"]["source_file"] == doc["text_file"]
    assert hashlib.sha256(raw).hexdigest() == doc["provenance"]["source_sha256"]
    meta = sidecar(doc["doc_id"])
    if meta:
        assert doc["provenance"]["original_source_sha256"] == meta["provenance"]["sha256"]


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_entity_spans_match_the_text(path: Path) -> None:
    doc = load(path)
    text = text_of(doc["text_file"])
    for ent in doc["entities"]:
        assert 0 <= ent["start"] < ent["end"] <= len(text), ent
        assert text[ent["start"] : ent["end"]] == ent["text"], ent
        assert ent["text"] == ent["text"].strip(), f"span with surrounding whitespace: {ent}"
        before = text[ent["start"] - 1] if ent["start"] > 0 else " "
        after = text[ent["end"]] if ent["end"] < len(text) else " "
        assert not (before.isalnum() and ent["text"][0].isalnum()), f"span starts inside a word: {ent}"
        assert not (after.isalnum() and ent["text"][-1].isalnum()), f"span ends inside a word: {ent}"


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_entity_spans_do_not_overlap(path: Path) -> None:
    ents = sorted(load(path)["entities"], key=lambda e: (e["start"], e["end"]))
    for a, b in zip(ents, ents[1:], strict=False):
        assert a["end"] <= b["start"], f"overlapping mentions {a} / {b}"


def test_same_surface_form_same_norm_everywhere() -> None:
    norms: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in DOC_FILES:
        for ent in load(path)["entities"]:
            key_text = ent["text"].lower() if ent["label"] == "DRUG" else ent["text"]
            norms[(ent["label"], key_text)].add(ent["norm"])
    clashes = {k: v for k, v in norms.items() if len(v) > 1}
    assert not clashes, clashes


def test_no_surface_form_is_both_a_drug_and_a_gene() -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for path in DOC_FILES:
        for ent in load(path)["entities"]:
            labels[ent["text"].lower()].add(ent["label"])
    assert not {t: v for t, v in labels.items() if {"DRUG", "GENE"} <= v}


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_every_nct_id_and_braf_v600_variant_is_annotated(path: Path) -> None:
    doc = load(path)
    text = text_of(doc["text_file"])
    spans = {(e["start"], e["end"], e["label"]) for e in doc["entities"]}
    for m in re.finditer(r"NCT\d{8}", text):
        assert (m.start(), m.end(), "NCT_ID") in spans, f"unannotated {m.group()} at {m.start()}"
    for m in re.finditer(r"BRAF ?V600E?(?![0-9A-Za-z])", text):
        assert (m.start(), m.end(), "VARIANT") in spans, f"unannotated {m.group()!r} at {m.start()}"
    variant_norms = {e["norm"] for e in doc["entities"] if e["label"] == "VARIANT"}
    assert variant_norms <= {"BRAF V600", "BRAF V600E"}


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_outcome_sentences_match_the_text(path: Path) -> None:
    doc = load(path)
    text = text_of(doc["text_file"])
    for out in doc["outcomes"]:
        assert text[out["start"] : out["end"]] == out["sentence"], out
        assert out["sentence"] == out["sentence"].strip()
        assert not re.match(r"(Results?|RESULTS|Methods|Main outcomes)\s*:?\s", out["sentence"]), (
            f"section label inside the sentence: {out['sentence'][:40]!r}"
        )


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_outcome_figures_are_consistent(path: Path) -> None:
    doc = load(path)
    for out in doc["outcomes"]:
        if out["count"] is not None and out["denominator"] is not None:
            assert out["count"] <= out["denominator"], out
            if out["percent"] is not None:
                computed = 100 * out["count"] / out["denominator"]
                assert abs(computed - out["percent"]) <= 1.0, f"percent {out['percent']} vs {computed:.1f}: {out}"
        if out["ci"] is not None:
            low, high = out["ci"]
            assert low <= high
            point = out["value"] if out["value"] is not None else out["percent"]
            assert point is None or low <= point <= high, out
        assert out["drugs"] == sorted(out["drugs"]), out
        if out["optional"] or out["cohort"] is None:
            assert out["note"], f"optional or unattributed figures must say why: {out}"
        numbers = set(re.findall(r"\d+(?:\.\d+)?", out["sentence"]))
        for key in ("percent", "value"):
            number = out[key]
            if number not in (None, 0):
                assert str(number) in numbers, f"{key} {number} is not written in its sentence: {out}"


@pytest.mark.parametrize("path", DOC_FILES, ids=DOC_IDS)
def test_outcome_drugs_and_trials_are_named_in_the_document(path: Path) -> None:
    doc = load(path)
    drug_norms = {e["norm"] for e in doc["entities"] if e["label"] == "DRUG"}
    nct_ids = {e["norm"] for e in doc["entities"] if e["label"] == "NCT_ID"}
    linked = set(sidecar(doc["doc_id"]).get("linked_trials", []))
    for out in doc["outcomes"]:
        assert set(out["drugs"]) <= drug_norms, f"drug not named in {doc['doc_id']}: {out['drugs']}"
        if out["trial"] is not None:
            assert out["trial"] in nct_ids | linked, f"trial neither in the text nor linked: {out['trial']}"


def test_cohort_vocabulary_is_one_list() -> None:
    vocab = load(SCHEMAS / "cohorts.json")["cohorts"]
    parents = {p for p in vocab.values() if p is not None}
    assert parents <= set(vocab), "every parent cohort is itself in the vocabulary"
    doc_enum = load(SCHEMAS / "document_gold.schema.json")["$defs"]["cohort"]["enum"]
    study_enum = load(SCHEMAS / "studies.schema.json")["$defs"]["study"]["properties"]["cohort"]["enum"]
    assert set(doc_enum) - {None} == set(vocab)
    assert set(study_enum) == set(vocab)


# ------------------------------------------------------------------ studies


def test_studies_validate_against_schema() -> None:
    errors = sorted(schema("studies.schema.json").iter_errors(load(STUDIES_FILE)), key=lambda e: e.json_path)
    assert not errors, "\n".join(f"{e.json_path}: {e.message}" for e in errors[:10])


def test_studies_point_at_existing_documents() -> None:
    data = load(STUDIES_FILE)
    assert data["text_file"] == f"gold/review/{REVIEW_ID}.txt"
    assert hashlib.sha1((ROOT / data["text_file"]).read_bytes()).hexdigest() == data["text_sha1"]
    ids = [s["study_id"] for s in data["studies"]]
    assert len(ids) == len(set(ids)), "study_id must be unique"
    matched: set[str] = set()
    for st in data["studies"]:
        for doc_id in st["corpus_docs"]:
            assert (ABSTRACTS / f"{doc_id}.txt").is_file(), doc_id
            assert (GOLD / "corpus" / f"{doc_id}.gold.json").is_file(), doc_id
            matched.add(doc_id)
        for rel in st["registry_docs"]:
            assert (ROOT / rel).is_file(), rel
            if st["trial"]:
                assert st["trial"] in Path(rel).name, f"{rel} is not the record of {st['trial']}"
        if st["disagreements"]:
            assert st["corpus_docs"], f"{st['study_id']}: a disagreement needs an abstract to disagree with"
    unmatched = {u["doc_id"] for u in data["unmatched_corpus_docs"]}
    for doc_id in unmatched:
        assert (ABSTRACTS / f"{doc_id}.txt").is_file() or (CTGOV_PAGES / f"{doc_id}.txt").is_file(), doc_id
    assert not matched & unmatched
    abstracts = {p.stem for p in ABSTRACTS.glob("*.txt")}
    assert abstracts <= matched | unmatched, (
        f"abstracts neither matched nor explained: {abstracts - matched - unmatched}"
    )


def test_review_evidence_offsets_match() -> None:
    data = load(STUDIES_FILE)
    text = text_of(data["text_file"])
    for st in data["studies"]:
        for ev in st["review_evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["sentence"], (st["study_id"], ev)


def test_study_trials_and_drugs_come_from_the_texts() -> None:
    data = load(STUDIES_FILE)
    review = load(GOLD / "review" / f"{REVIEW_ID}.gold.json")
    review_ncts = {e["norm"] for e in review["entities"] if e["label"] == "NCT_ID"}
    review_drugs = {e["norm"] for e in review["entities"] if e["label"] == "DRUG"}
    for st in data["studies"]:
        assert st["drugs"] == sorted(st["drugs"]), st["study_id"]
        assert set(st["drugs"]) <= review_drugs, f"{st['study_id']}: drug not named in the review"
        evidence = " ".join(ev["sentence"] for ev in st["review_evidence"])
        if st["trial"] is None:
            continue
        linked = {t for d in st["corpus_docs"] for t in sidecar(d).get("linked_trials", [])}
        assert st["trial"] in review_ncts | linked, st["study_id"]
        if st["trial"] in evidence:
            assert st["study_id"] == st["trial"].lower(), "records named by their NCT ID when the review gives it"


def test_study_fields_follow_the_expected_rule() -> None:
    for st in load(STUDIES_FILE)["studies"]:
        for name, field in st["fields"].items():
            want = field["corpus"] if field["corpus"] is not None else field["review"]
            assert field["expected"] == want, (st["study_id"], name)
            both_numbers = isinstance(field["review"], (int, float)) and isinstance(field["corpus"], (int, float))
            if both_numbers and field["review"] != field["corpus"]:
                assert any("[contradiction]" in d for d in st["disagreements"]), (st["study_id"], name)


# ------------------------------------------------------------------ reproducibility


def test_gold_files_are_exactly_what_locate_py_rebuilds() -> None:
    spec = importlib.util.spec_from_file_location("gold_locate", GOLD / "tools" / "locate.py")
    assert spec and spec.loader
    locate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(locate)
    rebuilt = locate.build_all()
    assert rebuilt, "no gold sources found"
    stale = [
        str(p.relative_to(ROOT))
        for p, content in rebuilt.items()
        if not p.exists() or p.read_text(encoding="utf-8") != content
    ]
    assert not stale, f"gold files differ from a rebuild of gold/src (run gold/tools/locate.py build): {stale}"
    built_docs = {p for p in rebuilt if p.name.endswith(".gold.json")}
    assert built_docs == set(DOC_FILES), "every gold file has a source in gold/src and vice versa"
