"""Outcome figures: response counts and rates, medians with CIs, landmark rates, N.

Each sentence is matched against the patterns of ``data/outcome_patterns.json`` (macros
expanded, named groups giving the fields). Each figure is then tied to its regimen (the
drugs named in the sentence, else the document's main regimen), its trial (an NCT ID in
the sentence, else the document's only one, else the registry link of the record) and
its cohort (the histology named in the sentence, else the document's). Response
categories follow RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-47).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.errors import PatternFileError
from atc_mine.nlp.doc_data import CONTEXT, OUTCOMES, entities
from atc_mine.nlp.rules import load_data_file, load_records

NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "no": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "one hundred": 100,
}
UNIT_NAMES = {
    "mo": "months",
    "mos": "months",
    "month": "months",
    "months": "months",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "day": "days",
    "days": "days",
    "yr": "years",
    "yrs": "years",
    "year": "years",
    "years": "years",
}
MEDIAN_MEASURES = {
    "progression-free survival": "PFS_MEDIAN",
    "pfs": "PFS_MEDIAN",
    "overall survival": "OS_MEDIAN",
    "os": "OS_MEDIAN",
    "survival": "OS_MEDIAN",
    "duration of response": "DOR_MEDIAN",
    "response duration": "DOR_MEDIAN",
    "dor": "DOR_MEDIAN",
}
RATE_MEASURES = {"disease control": "DCR", "dcr": "DCR", "clinical benefit": "CBR", "cbr": "CBR"}

#: Cohort cues, most specific first: (regex, cohort label).
COHORT_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\bBRAF[ -]?V600E?\b.{0,60}?(?:anaplastic|ATC)|(?:anaplastic|ATC).{0,40}?BRAF[ -]?V600E?", re.I | re.S
        ),
        "BRAF V600E-mutant ATC",
    ),
    (re.compile(r"\banaplastic\b|\bATCs?\b"), "ATC"),
    (re.compile(r"\bpoorly differentiated\b|\bPDTCs?\b", re.I), "PDTC"),
    (re.compile(r"\bmedullary\b|\bMTCs?\b", re.I), "MTC"),
    (re.compile(r"\bradioiodine[- ]refractory\b|\bRR-DTC\b|\bRAI-refractory\b", re.I), "RR-DTC"),
    (re.compile(r"\bdifferentiated thyroid\b|\bDTCs?\b", re.I), "DTC"),
)


def to_int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    if "-" in text:
        tens, _, ones = text.partition("-")
        if tens in NUMBER_WORDS and ones in NUMBER_WORDS:
            return NUMBER_WORDS[tens] + NUMBER_WORDS[ones]
    return None


def to_float(text: str | None) -> float | None:
    return float(text) if text else None


def response_measure(word: str) -> str | None:
    word = word.lower()
    if word.startswith(("complete", "cr")):
        return "CR"
    if word.startswith(("partial", "pr")):
        return "PR"
    if word.startswith(("stable", "sd")):
        return "SD"
    if word.startswith(("progressive", "pd")):
        return "PD"
    if word.startswith("objective"):
        return "ORR"
    return None


def normalise_sentence(text: str) -> str:
    """Undo PDF artefacts without changing the length (offsets stay valid)."""
    text = text.replace("\u00b7", ".").replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    # "n 5 17" is how "n = 17" comes out of some PDF converters.
    return re.sub(r"\b([nN]) 5 (?=\d)", r"\1 = ", text)


@dataclass(frozen=True, slots=True)
class OutcomePattern:
    id: str
    group: str
    regex: re.Pattern[str]


@cache
def outcome_patterns(name: str = "outcome_patterns.json") -> tuple[OutcomePattern, ...]:
    macros: dict[str, str] = load_data_file(name).get("macros", {})
    records = load_records(name, "patterns", required=("id", "measure_group", "regex"))

    def expand(text: str) -> str:
        for _ in range(5):  # macros may use macros
            new = re.sub(r"\{([A-Z_]+)\}", lambda m: macros.get(m.group(1), m.group(0)), text)
            if new == text:
                break
            text = new
        return text

    compiled = []
    for record in records:
        try:
            compiled.append(OutcomePattern(record["id"], record["measure_group"], re.compile(expand(record["regex"]))))
        except re.error as exc:
            raise PatternFileError(f"{name}: pattern {record['id']!r}: {exc}") from None
    return tuple(compiled)


def _figures_from_match(group: str, m: re.Match[str]) -> list[dict]:
    g = m.groupdict()
    pct = to_float(g.get("percent"))
    if group == "trigger":
        trigger = g["trigger"].lower()
        measure = next((v for k, v in RATE_MEASURES.items() if trigger.startswith(k)), "ORR")
        return [{"measure": measure, "percent": pct}]
    if group == "response":
        measure = response_measure(g["response"])
        if measure is None:
            return []
        return [
            {
                "measure": measure,
                "count": to_int(g.get("count")),
                "denominator": to_int(g.get("denominator")),
                "percent": pct,
            }
        ]
    if group in ("median", "median_pair"):
        unit = UNIT_NAMES.get((g.get("unit") or "").rstrip(".").lower())
        if group == "median_pair":
            first = MEDIAN_MEASURES[g["first"].lower()]
            second = MEDIAN_MEASURES[g["second"].lower()]
            return [
                {"measure": first, "value": to_float(g["value"]), "unit": unit},
                {"measure": second, "value": to_float(g["value2"]), "unit": unit},
            ]
        measure = MEDIAN_MEASURES.get(g["trigger"].lower())
        if measure is None:
            return []
        ci = (float(g["ci_low"]), float(g["ci_high"])) if g.get("ci_low") else None
        if g.get("nr"):
            return [{"measure": measure, "not_reached": True}]
        return [{"measure": measure, "value": to_float(g.get("value")), "unit": unit, "ci": ci}]
    if group == "landmark":
        trigger = g["trigger"].lower()
        measure = "PFS_RATE" if trigger in ("progression-free survival", "pfs") else "OS_RATE"
        tp = to_int(g["tp_value"])
        return [{"measure": measure, "percent": pct, "timepoint": f"{tp} {g['tp_unit'].lower()}s"}]
    if group == "enrolled":
        return [{"measure": "N_ENROLLED", "count": to_int(g.get("count"))}]
    if group == "evaluable":
        return [
            {"measure": "N_EVALUABLE", "count": to_int(g.get("count"))},
            {"measure": "N_ENROLLED", "count": to_int(g.get("denominator"))},
        ]
    if group == "evaluated":
        return [{"measure": "N_EVALUABLE", "count": to_int(g.get("count"))}]
    return []


def find_outcomes_in_sentence(sentence: str) -> list[tuple[int, dict]]:
    """(offset in sentence, figure fields) for every figure the patterns find."""
    text = normalise_sentence(sentence)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, dict]] = []
    for pattern in outcome_patterns():
        for m in pattern.regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            figures = [f for f in _figures_from_match(pattern.group, m) if _has_number(f)]
            if figures:
                taken.append(m.span())
                found += [(m.start(), f) for f in figures]
    return sorted(found, key=lambda f: f[0])


def _has_number(figure: dict) -> bool:
    return figure.get("not_reached") or any(figure.get(k) is not None for k in ("percent", "count", "value"))


class OutcomeExtractor:
    """Writes outcome-figure dicts to ``doc._.atc_outcomes``."""

    def __call__(self, doc: Doc) -> Doc:
        context = doc._.get(CONTEXT) or {}
        ents = entities(doc)
        default_drugs = self._document_regimen(doc, ents, context)
        nct_ids = sorted({norm for label, _, _, norm in ents if label == "NCT_ID"})
        default_trial = nct_ids[0] if len(nct_ids) == 1 else None
        linked = list(context.get("linked_trials") or ())
        if default_trial is None and len(linked) == 1:
            default_trial = linked[0]
        default_cohort = self._cohort(doc.text[:4000])
        figures: list[dict] = []
        for sent in doc.sents:
            text = sent.text
            if not any(ch.isdigit() for ch in text) and not re.search(
                r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", text, re.I
            ):
                continue
            found = find_outcomes_in_sentence(text)
            if not found:
                continue
            start, end = sent.start_char, sent.end_char
            sent_ents = [e for e in ents if e[1] >= start and e[2] <= end]
            drugs = sorted({norm for label, _, _, norm in sent_ents if label == "DRUG"}) or default_drugs
            trials = sorted({norm for label, _, _, norm in sent_ents if label == "NCT_ID"})
            trial = trials[0] if len(trials) == 1 else default_trial
            cohort = self._cohort(text) or default_cohort
            stripped = text.rstrip()
            for _offset, fields in found:
                figure = {
                    "measure": fields["measure"],
                    "percent": fields.get("percent"),
                    "count": fields.get("count"),
                    "denominator": fields.get("denominator"),
                    "value": fields.get("value"),
                    "unit": fields.get("unit"),
                    "timepoint": fields.get("timepoint"),
                    "ci": list(fields["ci"]) if fields.get("ci") else None,
                    "not_reached": bool(fields.get("not_reached")),
                    "drugs": list(drugs),
                    "trial": trial,
                    "cohort": cohort,
                    "subgroup": None,
                    "sentence": stripped,
                    "start": start,
                    "end": start + len(stripped),
                }
                if figure not in figures:
                    figures.append(figure)
        doc._.set(OUTCOMES, figures)
        return doc

    @staticmethod
    def _document_regimen(doc: Doc, ents: list, context: dict) -> list[str]:
        """The drugs named in the title, else the most mentioned drug(s) of the document."""
        title_end = doc.text.find("\n\n")
        title_drugs = sorted({n for label, s, e, n in ents if label == "DRUG" and title_end > 0 and e <= title_end})
        if title_drugs:
            return title_drugs
        counts = Counter(n for label, *_rest, n in ents if label == "DRUG")
        if not counts:
            return []
        top = max(counts.values())
        return sorted(n for n, c in counts.items() if c == top)

    @staticmethod
    def _cohort(text: str) -> str | None:
        for pattern, label in COHORT_CUES:
            if pattern.search(text):
                return label
        return None


@Language.factory("atc_outcomes", default_config={})
def make_outcome_extractor(nlp: Language, name: str) -> OutcomeExtractor:
    return OutcomeExtractor()
