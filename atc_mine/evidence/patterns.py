"""Text patterns of the evidence table, from ``data/patterns.json``.

Each rule is a regular expression with examples that must match and counter-examples that
must not (run by ``tests/evidence/test_patterns.py``). They answer the few questions the
table asks of a text: is this document about anaplastic thyroid carcinoma, is this cohort
label in the ATC lineage, which trial phase does the text state, which regimen component does
a title name only by its class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from atc_mine.errors import PatternFileError
from atc_mine.evidence._datafiles import check_keys, load_json

PATTERN_FILE = "patterns.json"
LABELS = frozenset(
    {
        "ATC_MENTION",
        "ANAPLASTIC_HISTOLOGY",
        "THYROID_MENTION",
        "ALL_HISTOLOGIES",
        "ATC_COHORT",
        "OTHER_POPULATION",
        "POPULATION_LABEL",
        "PHASE",
        "CLASS_TERM",
    }
)
#: Classes a CLASS_TERM may add: the drug classes plus radiotherapy (gold/GUIDELINES.md section 6).
TERM_CLASSES = frozenset({"targeted", "immuno", "chemo", "radiotherapy"})
FLAGS = {"IGNORECASE": re.IGNORECASE}


@dataclass(frozen=True, slots=True)
class TextRule:
    id: str
    label: str
    regex: re.Pattern[str]
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    term_class: str | None = None
    regimen_text: str | None = None


@cache
def text_rules() -> tuple[TextRule, ...]:
    data = load_json(PATTERN_FILE)
    check_keys(PATTERN_FILE, data, required={"version", "source", "patterns"}, optional={"licence", "comment"})
    rules: list[TextRule] = []
    seen: set[str] = set()
    for index, record in enumerate(data["patterns"]):
        where = f"{PATTERN_FILE}: patterns[{index}]"
        check_keys(
            where,
            record,
            required={"id", "label", "pattern"},
            optional={"flags", "class", "regimen_text", "comment", "examples", "counter_examples"},
        )
        where += f" (id {record['id']!r})"
        if record["id"] in seen:
            raise PatternFileError(f"{where}: duplicate id")
        seen.add(record["id"])
        if record["label"] not in LABELS:
            raise PatternFileError(f"{where}: unknown label {record['label']!r}")
        if (record["label"] == "CLASS_TERM") != ("class" in record):
            raise PatternFileError(f"{where}: 'class' is required for CLASS_TERM rules and only for them")
        if "class" in record and record["class"] not in TERM_CLASSES:
            raise PatternFileError(f"{where}: unknown class {record['class']!r}")
        flags = 0
        for name in filter(None, (record.get("flags") or "").split("|")):
            if name not in FLAGS:
                raise PatternFileError(f"{where}: unknown flag {name!r}")
            flags |= FLAGS[name]
        try:
            regex = re.compile(record["pattern"], flags)
        except re.error as exc:
            raise PatternFileError(f"{where}: invalid pattern ({exc})") from None
        rules.append(
            TextRule(
                id=record["id"],
                label=record["label"],
                regex=regex,
                examples=tuple(record.get("examples") or ()),
                counter_examples=tuple(record.get("counter_examples") or ()),
                term_class=record.get("class"),
                regimen_text=record.get("regimen_text"),
            )
        )
    return tuple(rules)


def rules_for(label: str) -> tuple[TextRule, ...]:
    return tuple(rule for rule in text_rules() if rule.label == label)


def matches(label: str, text: str | None) -> bool:
    return bool(text) and any(rule.regex.search(text) for rule in rules_for(label))


def mentions_atc(text: str | None) -> bool:
    """Is the text about (or does it include) anaplastic thyroid carcinoma?

    Either the phrase itself ("anaplastic thyroid cancer", "anaplastic carcinoma of the
    thyroid"), or a text about the thyroid that names "anaplastic" as a histology or enrols
    thyroid cancer of every histology (which includes ATC: Lim 2013, "all histologic subtypes").
    """
    if not text:
        return False
    if matches("ATC_MENTION", text):
        return True
    return matches("THYROID_MENTION", text) and (
        matches("ANAPLASTIC_HISTOLOGY", text) or matches("ALL_HISTOLOGIES", text)
    )


def is_atc_cohort(cohort: str | None) -> bool:
    return matches("ATC_COHORT", cohort)


def is_population_label(cohort: str | None) -> bool:
    """Is the label one of the extraction contract's cohorts (not a registry results group's title)?"""
    return matches("POPULATION_LABEL", cohort)


def names_other_population(title: str | None) -> bool:
    return matches("OTHER_POPULATION", title)


ROMAN = {"1": "I", "2": "II", "3": "III", "I": "I", "II": "II", "III": "III"}


def phase_of(text: str | None) -> str | None:
    """The first trial phase the text states, in roman numerals ("II", "I/II"); None if none."""
    if not text:
        return None
    found: list[tuple[int, str]] = []
    for rule in rules_for("PHASE"):
        match = rule.regex.search(text)
        if match:
            found.append((match.start(), match.group("phase")))
    if not found:
        return None
    raw = min(found)[1]
    parts = re.findall(r"III|II|I|[123]", raw, flags=re.IGNORECASE)
    return "/".join(dict.fromkeys(ROMAN[p.upper()] for p in parts)) or None


def class_terms(title: str | None) -> list[TextRule]:
    """CLASS_TERM rules the title matches: regimen components named only by their class."""
    if not title:
        return []
    return [rule for rule in rules_for("CLASS_TERM") if rule.regex.search(title)]
