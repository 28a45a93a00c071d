"""The compiled-regex cache: the same patterns re.compile gives, from disk, and never fatal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from atc_mine.nlp import lexicon_cache, regex_cache
from atc_mine.nlp.outcome_rules import outcome_rules

pytestmark = pytest.mark.skipif(regex_cache._sre is None, reason="needs CPython's regex compiler internals")

#: A template-shaped pattern (named groups, inline flags, lookarounds, a class) for the round trips.
PATTERN = r"(?<![\w-])(?P<trig>(?i:median)\s+(?:PFS|OS))\b\s+(?:was|of)\s+(?P<region>\d+(?:\.\d+)?)\s*(?=months?)"


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(lexicon_cache.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    regex_cache.clear_memory()
    yield tmp_path / "cache"
    regex_cache.clear_memory()


def _no_parsing(monkeypatch):
    def refuse(pattern, flags):  # noqa: ANN001, ANN202
        raise AssertionError(f"parsed again: {pattern[:40]!r}")

    monkeypatch.setattr(regex_cache, "_compile_parts", refuse)


def test_every_outcome_rule_regex_is_what_re_compile_gives():
    # Patterns compare equal when source, flags and opcodes are equal (CPython's Pattern.__eq__).
    rules = outcome_rules()
    regexes = [p.regex for p in rules.patterns] + list(rules.anchors)
    regexes += [x.regex for x in rules.masks + rules.vetoes] + list(rules.item_regex.values())
    regexes += [*rules.role_regex.values(), rules.gate, rules.has_number]
    assert len(regexes) > 150
    for compiled in regexes:
        assert compiled == re.compile(compiled.pattern), compiled.pattern[:80]
        assert compiled.groupindex == re.compile(compiled.pattern).groupindex


def test_a_saved_pattern_is_read_back_without_parsing(cache, monkeypatch):
    first = regex_cache.compile(PATTERN)
    regex_cache.save()
    assert [p.name for p in cache.iterdir()] == [regex_cache.cache_path().name]
    regex_cache.clear_memory()
    _no_parsing(monkeypatch)
    again = regex_cache.compile(PATTERN)
    assert again == first == re.compile(PATTERN)
    m = again.search("The median PFS was 5.5 months.")
    assert (m.group("trig"), m.group("region")) == ("median PFS", "5.5")


def test_flags_are_part_of_the_key(cache):
    assert regex_cache.compile(PATTERN) == re.compile(PATTERN)
    assert regex_cache.compile(PATTERN, re.IGNORECASE) == re.compile(PATTERN, re.IGNORECASE) != re.compile(PATTERN)
    assert {(PATTERN, 0), (PATTERN, int(re.IGNORECASE))} <= set(regex_cache._entries())


def test_a_corrupt_cache_file_is_ignored_and_replaced(cache):
    cache.mkdir()
    regex_cache.cache_path().write_bytes(b"not a pickle")
    assert regex_cache.compile(PATTERN) == re.compile(PATTERN)
    regex_cache.save()
    regex_cache.clear_memory()
    assert (PATTERN, 0) in regex_cache._entries()


def test_a_bad_entry_is_compiled_again(cache):
    regex_cache.compile(PATTERN)
    flags, code, groups, groupindex, indexgroup = regex_cache._entries()[(PATTERN, 0)]
    regex_cache._entries()[(PATTERN, 0)] = (flags, code[:3], groups, groupindex, indexgroup)  # truncated opcodes
    assert regex_cache.compile(PATTERN) == re.compile(PATTERN)


def test_an_invalid_pattern_raises_as_re_compile_does(cache):
    with pytest.raises(re.error):
        regex_cache.compile(r"(?P<region>\d+")


def test_no_cache_directory_still_compiles(monkeypatch):
    monkeypatch.setenv(lexicon_cache.CACHE_DIR_VARIABLE, "off")
    regex_cache.clear_memory()
    assert regex_cache.cache_path() is None
    assert regex_cache.compile(PATTERN) == re.compile(PATTERN)
    regex_cache.save()  # nothing to write to: no error
    regex_cache.clear_memory()


def test_the_outcome_templates_are_the_same_under_any_hash_seed():
    # The cache is keyed by the regex source: a source built from set order would miss on
    # every start (and match alternatives in a different order from run to run).
    script = (
        "import hashlib; from atc_mine.nlp.outcome_rules import outcome_rules; r = outcome_rules(); "
        "print(hashlib.sha1(''.join(p.regex.pattern for p in r.patterns).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**_environment(), "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


def _environment() -> dict[str, str]:
    import os

    return {**os.environ, lexicon_cache.CACHE_DIR_VARIABLE: "off"}
