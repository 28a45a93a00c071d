"""The outcome extractor's data files (atc_mine/nlp/data/outcome_*.json) and their loader.

Every template, exclusion and lexicon term carries examples that must match and
counter_examples that must not (STYLE.md, habit 3); this file runs all of them, the way the
extractor runs the rules (normalised text, excluded spans and drug names masked, anchored)."""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.nlp.numbers import LEXICON_FILE, LEXICON_KEYS, normalise
from atc_mine.nlp.outcome_rules import (
    EXCLUSIONS_FILE,
    GROUPS,
    KINDS,
    PATTERNS_FILE,
    expand,
    measure_terms,
    outcome_rules,
)
from atc_mine.nlp.outcomes import find_in_sentence, mask, template_matches
from atc_mine.nlp.rules import load_data_file, load_records
from tests.nlp.recognition import recognition_nlp

RULES = outcome_rules()


def _drug_spans(text: str) -> list[tuple[int, int]]:
    doc = recognition_nlp()(text)
    return [(s, e) for label, s, e, _n in doc._.atc_entities if label == "DRUG"]


def _records(name: str, key: str, **keys):
    return load_records(name, key, **keys)


PATTERNS = _records(PATTERNS_FILE, "patterns", required=("id", "kind", "regex", "anchor"), optional=("measure",))
EXCLUSIONS = _records(
    EXCLUSIONS_FILE, "exclusions", required=("id", "scope", "regex"), optional=("applies_to", "releases")
)
TERMS = _records(LEXICON_FILE, "terms", **LEXICON_KEYS)


@pytest.mark.parametrize("record", PATTERNS, ids=[r["id"] for r in PATTERNS])
def test_template_examples_match_and_counter_examples_give_no_figure(record):
    assert record["examples"], "every template needs an example"
    alone = dataclasses.replace(RULES, patterns=tuple(p for p in RULES.patterns if p.id == record["id"]))
    for example in record["examples"]:
        assert template_matches(RULES, record["id"], example, _drug_spans(example)), example
    for counter in record.get("counter_examples", []):
        assert find_in_sentence(alone, counter, drug_spans=_drug_spans(counter)) == [], counter


@pytest.mark.parametrize("record", EXCLUSIONS, ids=[r["id"] for r in EXCLUSIONS])
def test_exclusion_examples(record):
    regex = re.compile(record["regex"])
    for example in record["examples"]:
        assert regex.search(normalise(example)), example
    for counter in record.get("counter_examples", []):
        assert not regex.search(normalise(counter)), counter


@pytest.mark.parametrize("record", [t for t in TERMS if t.get("examples")], ids=lambda r: r["id"])
def test_lexicon_examples_name_their_measure(record):
    if record["kind"] != "measure":
        return
    for example in record["examples"]:
        assert record["measure"] in [t.measure for t in measure_terms(RULES, record["role"], example)], example
    for counter in record.get("counter_examples", []):
        assert record["measure"] not in [t.measure for t in measure_terms(RULES, record["role"], counter)], counter


def test_the_anchor_mask_and_template_screens_never_rule_out_a_match():
    """The screens skip an anchor or a mask only when it cannot match: checked on every example
    and counter-example sentence of the templates and exclusions (real phrasings)."""
    sentences = [
        normalise(text)
        for record in PATTERNS + EXCLUSIONS
        for text in record.get("examples", []) + record.get("counter_examples", [])
    ]
    skipped = template_skips = 0
    for sentence in sentences:
        anchors_possible = RULES.anchor_screen.possible(RULES.anchor_screen.present(sentence))
        for anchor, possible in zip(RULES.anchors, anchors_possible, strict=True):
            assert possible or anchor.search(sentence) is None, (anchor.pattern[:60], sentence)
            skipped += not possible
        masks_possible = RULES.mask_screen.possible(RULES.mask_screen.present(sentence))
        for exclusion, possible in zip(RULES.masks, masks_possible, strict=True):
            assert possible or exclusion.regex.search(sentence) is None, (exclusion.id, sentence)
        # the one-pass screen agrees with the two above, and rules a template out only when its
        # regex finds nothing in the masked sentence (drug names masked as the extractor does)
        anchors_again, masks_again, templates_possible = RULES.screened(sentence)
        assert (anchors_again, masks_again) == (anchors_possible, masks_possible)
        # ... and so does the lazy form the extractor reads (clause subsets)
        met = RULES.clauses_met(sentence)
        assert RULES.masks_possible(met) == masks_possible
        for pattern, needs, anchor_needs in RULES.patterns_for(frozenset(p.role for p in RULES.patterns)):
            assert (needs <= met, anchor_needs <= met) == (
                templates_possible[pattern.screen_index],
                anchors_possible[pattern.anchor_index],
            )
        masked = mask(RULES, sentence, _drug_spans(sentence))
        for pattern in RULES.patterns:
            possible = templates_possible[pattern.screen_index]
            assert possible or pattern.regex.search(masked) is None, (pattern.id, sentence)
            template_skips += not possible
    assert len(sentences) > 200 and skipped > len(sentences)  # the screens do skip work
    assert template_skips > 10 * len(sentences)
    assert {p.anchor for p in RULES.patterns} == set(RULES.anchors)
    assert all(RULES.anchors[p.anchor_index] is p.anchor for p in RULES.patterns)


def test_every_template_is_well_formed():
    for pattern in RULES.patterns:
        assert pattern.kind in KINDS
        assert set(pattern.regex.groupindex) <= GROUPS and "region" in pattern.regex.groupindex


def test_a_bracketed_abbreviation_is_not_a_second_measure():
    # Lim 2013: "Stable disease (SD) and progressive disease was reported in 76% and 17% ..."
    terms = measure_terms(RULES, "category", "Stable disease (SD) and progressive disease")
    assert [t.measure for t in terms] == ["SD", "PD"]


def test_masking_keeps_offsets_and_hides_non_figures():
    # Sosa 2014 (corpus)
    text = normalise(
        "Median OS was 5.2 months for the CP/fosbretabulin arm (n=55; hazard ratio 0.73 [95% CI 0.44, 1.21]; p=0.22)"
    )
    masked = mask(RULES, text, [(35, 48)])
    assert len(masked) == len(text)
    assert "0.73" not in masked and "p=0.22" not in masked and "fosbretabulin" not in masked
    assert "5.2 months" in masked and "n=55" in masked


def test_unknown_macro_and_cycles_are_named_errors():
    with pytest.raises(PatternFileError, match="unknown macro"):
        expand("{NOPE}", {}, "test")
    with pytest.raises(PatternFileError, match="cycle"):
        expand("{A}", {"A": "{B}", "B": "{A}"}, "test")


def test_a_template_with_unknown_keys_or_groups_is_rejected(tmp_path, monkeypatch):
    good = load_data_file(PATTERNS_FILE)
    bad = dict(good, patterns=[dict(good["patterns"][0], colour="red")])
    path = tmp_path / "bad_patterns.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    monkeypatch.setattr(
        "atc_mine.nlp.rules.data_path", lambda name: path if name == "bad_patterns.json" else _real(name)
    )
    with pytest.raises(PatternFileError, match="unknown keys"):
        outcome_rules.__wrapped__("bad_patterns.json")
    bad = dict(good, patterns=[dict(good["patterns"][0], regex="(?P<nogroup>x)")])
    path.write_text(json.dumps(bad), encoding="utf-8")
    load_data_file.cache_clear()
    with pytest.raises(PatternFileError, match="groups must include 'region'"):
        outcome_rules.__wrapped__("bad_patterns.json")
    load_data_file.cache_clear()


def _real(name):
    from atc_mine.nlp.rules import DATA_PACKAGE

    return Path(str(resources.files(DATA_PACKAGE).joinpath(name)))


@pytest.mark.parametrize(
    "text", ["", "7", "n=12, 3 (25%) and 40-50", "a1b22c333", "x \u0663\u0664 5 patients", "ATC 12"]
)
def test_digit_run_starts_are_the_digit_regexs_matches(text):
    """The gate's numbers: a numpy pass for ASCII text, the regex (any script's digits) otherwise."""
    import re

    from atc_mine.nlp.outcome_rules import digit_run_starts

    assert digit_run_starts(text) == [m.start() for m in re.finditer(r"\d+", text)]
