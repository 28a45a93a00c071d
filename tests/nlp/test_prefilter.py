"""The literal screen (atc_mine/nlp/prefilter.py) may let through what a regex does not match,
never the reverse: checked on hand-written patterns, on random texts, on every code point the
regex engine folds, and on the real patterns over the real corpus."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atc_mine.nlp.prefilter import CASE_FOLDS, LiteralScreen, fold_for_screen, requirement


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"NCT\d{8}", ({"nct"},)),
        (r"(?i:median)\s+(?:PFS|OS)\b", ({"median"}, {"pfs", "os"})),
        (r"EudraCT[Nn]umber", ({"eudractnumber"},)),  # a class listing one letter's cases
        (r"(?:ChiCTR)?\d{6}", ()),  # optional: nothing required
        (r"(?:ISRCTN|\d{3})", ()),  # a branch that needs no literal
        (r"(?<=phase )II trial", ({"phase "}, {"ii trial"})),  # a positive lookbehind's literals are there too
        (r"(?<!no )response", ({"response"},)),  # a negative one requires nothing
        (r"(?:ab){2,}c", ({"ab"},)),
        (r"x(?P<g>ab)y(?P=g)", ({"ab"},)),  # single letters are not literals; a backreference requires nothing
        (r"caf\u00e9ine", ({"caf"}, {"ine"})),  # a non-ASCII character breaks a literal
        (r"a#b§cd", ({"cd"},)),  # with excluded="#§" below
    ],
)
def test_requirement(pattern, expected):
    excluded = "#§" if "#" in pattern else ""
    assert requirement(re.compile(pattern), excluded=excluded) == tuple(frozenset(c) for c in expected)


def test_an_unreadable_pattern_requires_nothing():
    assert requirement(re.compile(rb"NCT\d+")) == ()  # bytes patterns are not screened


def test_screen_answers_per_regex():
    screen = LiteralScreen([requirement(re.compile(r"NCT\d{8}")), requirement(re.compile(r"ISRCTN\d{8}")), ()])
    assert screen.possible(screen.present("Registered as nct01234567.")) == [True, False, True]
    assert not LiteralScreen([requirement(re.compile("ISRCTN"))]).any_possible("no registry here")
    assert LiteralScreen([]).present("anything") == set()


@settings(max_examples=200, deadline=None)
@given(st.sets(st.sampled_from(["nct", "isrctn", "median", "pfs", "os", "orr", "rate"])))
def test_a_regex_is_possible_when_each_of_its_clauses_holds_a_present_literal(words):
    """The clause index (``clauses_met``, ``is_possible``) answers as the AND of ORs it stores."""
    requirements = [
        (frozenset({"nct"}),),
        (frozenset({"median"}), frozenset({"pfs", "os"})),
        (frozenset({"pfs", "os"}), frozenset({"rate", "orr"})),  # a clause shared with the one above
        (),
    ]
    screen = LiteralScreen(requirements)
    present = screen.present(" ".join(sorted(words)))
    expected = [all(clause & words for clause in req) for req in requirements]
    assert screen.possible(present) == expected
    met = screen.clauses_met(present)
    assert [screen.is_possible(met, i) for i in range(len(requirements))] == expected


def test_case_folds_cover_every_character_ignorecase_matches_to_an_ascii_letter():
    letters = {x: re.compile(f"(?i){x}") for x in "abcdefghijklmnopqrstuvwxyz"}
    any_letter = re.compile("(?i)[a-z]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or not any_letter.fullmatch(char):
            continue
        for letter, regex in letters.items():
            if regex.fullmatch(char):
                assert fold_for_screen(char) == letter, (hex(code), letter)
    assert set(CASE_FOLDS) == {0x17F, 0x212A, 0x131, 0x130}


TRICKY = [
    r"(?i)\bmedian\s+(?:overall\s+)?survival\b",
    r"(?:NCT|nct)[\s:-]{0,2}\d{8}",
    r"(?i:stable)\s+disease|(?<![A-Za-z])SD(?![A-Za-z])",
    r"\b(?:\d+|one|two)\s+(?:patients?|subjects?)\s+(?:were|was)\s+enrol",
    r"(?:ab|cd)+e?f(?=gh)",
    r"x(?:yz)?k",
]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="abcdefghkxyz SDNCTnctpatiensurvlmod0123456789:-\u017f\u212a", max_size=40))
def test_screen_never_rejects_a_text_the_regex_matches(text):
    regexes = [re.compile(p) for p in TRICKY]
    possible = LiteralScreen([requirement(r) for r in regexes]).possible(
        LiteralScreen([requirement(r) for r in regexes]).present(text)
    )
    for regex, ok in zip(regexes, possible, strict=True):
        if regex.search(text):
            assert ok, (regex.pattern, text)


def test_real_trial_id_patterns_on_the_real_corpus(corpora, gold_dir):
    from atc_mine.nlp.trial_ids import trial_id_patterns
    from atc_mine.sources import read_documents

    patterns = trial_id_patterns()
    screen = LiteralScreen([requirement(p.regex) for p in patterns])
    matched = 0
    for document in read_documents([corpora, *sorted((gold_dir / "review").glob("*.txt"))]):
        possible = screen.possible(screen.present(document.text))
        for pattern, ok in zip(patterns, possible, strict=True):
            if pattern.regex.search(document.text):
                matched += 1
                assert ok, (pattern.id, document.doc_id)
    assert matched > 10  # the corpus does name registry IDs
