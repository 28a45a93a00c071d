"""Every record of the recognition data files runs its own examples and counter-examples.

Data files (atc_mine/nlp/data): drugs_curated.json, genes_curated.json, lexicon_rules.json,
gene_context.json, variants.json, trial_ids.json. The loader's closed schema is tested too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.nlp import rules
from atc_mine.nlp.genes import gene_context
from atc_mine.nlp.trial_ids import trial_id_patterns
from tests.nlp.recognition import mentions


def _records(name: str, key: str) -> list[dict]:
    return json.loads(rules.data_path(name).read_text(encoding="utf-8"))[key]


def _cases(name: str, key: str, field: str) -> list:
    cases = []
    for index, record in enumerate(_records(name, key)):
        ident = record.get("id") or record.get("norm") or str(index)
        cases.extend(pytest.param(record, text, id=f"{ident}: {text[:40]}") for text in record.get(field, ()))
    return cases


# -- curated names -------------------------------------------------------------------------
@pytest.mark.parametrize(("record", "text"), _cases("drugs_curated.json", "drugs", "examples"))
def test_curated_drug_examples(record: dict, text: str) -> None:
    assert record["norm"] in {norm for _, _, norm in mentions(text, "DRUG")}


@pytest.mark.parametrize(("record", "text"), _cases("genes_curated.json", "genes", "examples"))
def test_curated_gene_examples(record: dict, text: str) -> None:
    assert record["norm"] in {norm for _, _, norm in mentions(text, "GENE")}


# -- build rules ---------------------------------------------------------------------------
@pytest.mark.parametrize(("record", "text"), _cases("lexicon_rules.json", "rules", "examples"))
def test_lexicon_rule_examples(record: dict, text: str) -> None:
    found = mentions(text, record["label"])
    if record["action"] in ("salt_word", "dosage_form_word"):
        assert len(found) == 1 and found[0][1] == text and len(found[0][2]) < len(text), found
    elif record["action"] == "keep_mesh_tree":
        assert found
    else:
        assert found == []


@pytest.mark.parametrize(("record", "text"), _cases("lexicon_rules.json", "rules", "counter_examples"))
def test_lexicon_rule_counter_examples(record: dict, text: str) -> None:
    assert mentions(text, record["label"])


# -- gene context ----------------------------------------------------------------------------
def _context_check(record: dict, text: str) -> bool:
    kind = record["kind"]
    context = gene_context()
    if kind == "gene_heads":
        return context.long_form_reading(text) is True
    if kind == "non_gene_heads":
        return context.long_form_reading(text) is False
    if kind == "numbered_abbreviations":
        return context.is_numbered_abbreviation(text)
    regex = re.compile(record["regex"], re.I if kind == "classification_after" else 0)
    return bool(regex.search(text) if kind == "cue_before" else regex.match(text))


@pytest.mark.parametrize(("record", "text"), _cases("gene_context.json", "rules", "examples"))
def test_gene_context_examples(record: dict, text: str) -> None:
    assert _context_check(record, text)


@pytest.mark.parametrize(("record", "text"), _cases("gene_context.json", "rules", "counter_examples"))
def test_gene_context_counter_examples(record: dict, text: str) -> None:
    assert not _context_check(record, text)


# -- variants and registry IDs ---------------------------------------------------------------
@pytest.mark.parametrize(("record", "text"), _cases("variants.json", "patterns", "examples"))
def test_variant_examples(record: dict, text: str) -> None:
    found = {norm for _, _, norm in mentions(text, "VARIANT")}
    assert found and found <= set(record["norms"]), found


@pytest.mark.parametrize(("record", "text"), _cases("variants.json", "patterns", "counter_examples"))
def test_variant_counter_examples(record: dict, text: str) -> None:
    assert mentions(text, "VARIANT") == []


@pytest.mark.parametrize(("record", "text"), _cases("trial_ids.json", "patterns", "examples"))
def test_trial_id_examples(record: dict, text: str) -> None:
    pattern = next(p for p in trial_id_patterns() if p.id == record["id"])
    assert pattern.regex.search(text)


@pytest.mark.parametrize(("record", "text"), _cases("trial_ids.json", "patterns", "counter_examples"))
def test_trial_id_counter_examples(record: dict, text: str) -> None:
    pattern = next(p for p in trial_id_patterns() if p.id == record["id"])
    assert not pattern.regex.search(text)


# -- the loader's closed schema --------------------------------------------------------------
def test_unknown_keys_are_rejected_with_file_and_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad_rules_for_test.json"  # hand-written file with a typo'd key
    bad.write_text(json.dumps({"version": "1", "rules": [{"id": "r1", "kind": "cue_after", "regx": "x"}]}))
    monkeypatch.setattr(rules, "data_path", lambda name: tmp_path / name)
    with pytest.raises(
        PatternFileError, match=r"bad_rules_for_test.json: rules\[0\] \(id 'r1'\): unknown keys \['regx'\]"
    ):
        rules.load_records("bad_rules_for_test.json", "rules", required=("id", "kind"), optional=("regex",))
