"""Trial registry identifiers: ClinicalTrials.gov NCT IDs, and other registries kept apart.

NCT IDs are ``NCT`` + 8 digits; real abstracts also write ``NCT 02034110``,
``NCT-01164176``, ``NCT\u2013 02034110`` or a lower-case ``nct`` inside a URL, which are
normalised to the canonical form. Other registries (EudraCT,
ChiCTR, JPRN/UMIN/jRCT, ISRCTN, ANZCTR, CTRI, CRIS/KCT, DRKS) are recognised as ``TRIAL_ID`` so they are not lost, and
are never confused with NCT IDs. Patterns, with examples the tests run, live in
``data/trial_ids.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.errors import PatternFileError
from atc_mine.nlp.doc_data import add_entities
from atc_mine.nlp.rules import load_records


@dataclass(frozen=True, slots=True)
class TrialIdPattern:
    id: str
    label: str
    registry: str
    regex: re.Pattern[str]
    normal_form: str
    #: The regex group the entity span covers (0: the whole match); EudraCT's is 1, so a
    #: leading "EudraCT number:" label is not part of the identifier.
    span_group: int = 0


@cache
def trial_id_patterns(name: str = "trial_ids.json") -> tuple[TrialIdPattern, ...]:
    records = load_records(
        name, "patterns", required=("id", "label", "registry", "regex", "normal_form"), optional=("span_group",)
    )
    patterns = []
    for r in records:
        try:
            regex = re.compile(r["regex"])
        except re.error as exc:
            raise PatternFileError(f"{name}: pattern {r['id']!r}: bad regex: {exc}") from None
        patterns.append(
            TrialIdPattern(r["id"], r["label"], r["registry"], regex, r["normal_form"], int(r.get("span_group", 0)))
        )
    return tuple(patterns)


def find_trial_ids(text: str, patterns: tuple[TrialIdPattern, ...] | None = None) -> list[tuple[str, int, int, str]]:
    """(label, start, end, normalised id) for every registry ID in ``text``, without overlaps."""
    found: list[tuple[str, int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in patterns or trial_id_patterns():
        for match in pattern.regex.finditer(text):
            start, end = match.span(pattern.span_group)
            if any(start < e and s < end for s, e in taken):
                continue
            groups = [g for g in match.groups() if g is not None]
            found.append((pattern.label, start, end, pattern.normal_form.format(*groups)))
            taken.append((start, end))
    return sorted(found, key=lambda f: f[1])


class TrialIdRecognizer:
    """Adds NCT_ID / TRIAL_ID entities to ``doc._.atc_entities``."""

    def __init__(self, patterns_file: str) -> None:
        self.patterns = trial_id_patterns(patterns_file)

    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, find_trial_ids(doc.text, self.patterns))
        return doc


@Language.factory("atc_trial_ids", default_config={"patterns_file": "trial_ids.json"})
def make_trial_id_recognizer(nlp: Language, name: str, patterns_file: str) -> TrialIdRecognizer:
    return TrialIdRecognizer(patterns_file)
