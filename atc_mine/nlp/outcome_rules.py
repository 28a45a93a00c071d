"""The outcome extractor's rules, loaded from data files and compiled once.

Three closed-schema files under ``atc_mine/nlp/data`` (loaded with
:func:`atc_mine.nlp.rules.load_records`, so unknown keys are errors that name file and
record):

- ``outcome_lexicon.json``: measure names by role (a response *category* such as "partial
  response", a *rate* such as "disease control rate", a *time* outcome such as
  "progression-free survival"), number words, time units and patient nouns. The macros
  NUMWORD, UNIT, PTS, RESP, RESP4, RESPX, RATE, TIME and SURVIVAL are generated from it, longest name first;
  HISTOLOGY from the histology cues of ``cohort_cues.json``.
- ``outcome_patterns.json``: regex templates with named groups and a ``kind`` that names
  the handler in :mod:`atc_mine.nlp.outcomes`; macros in braces are expanded before
  compiling.
- ``outcome_exclusions.json``: spans masked before the templates run (doses, ages,
  p-values, hazard ratios, dates, reference numbers...) and contexts that veto a figure
  (adverse events, preclinical models, biomarker prevalence, planned enrolment...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from atc_mine.errors import PatternFileError
from atc_mine.nlp.numbers import LEXICON_FILE, LEXICON_KEYS, number_tables
from atc_mine.nlp.rules import load_data_file, load_records

PATTERNS_FILE = "outcome_patterns.json"
EXCLUSIONS_FILE = "outcome_exclusions.json"

#: Handler names a template's ``kind`` may take (see ``outcomes.HANDLERS``).
KINDS = frozenset(
    {
        "category",
        "category_zero",
        "category_adjectives",
        "rate",
        "rate_subgroups",
        "median",
        "median_landmark",
        "landmark",
        "enrolled",
        "evaluable",
    }
)
#: The named groups a template may use; ``region`` (the stated numbers) is required.
GROUPS = frozenset(
    {"region", "trig", "trig2", "tail", "tps", "quals", "postquals", "resp", "den", "enr", "zero", "cihead", "obj"}
)
MEASURE_ROLES = ("category", "rate", "time")
#: Category names too general to stand alone after a bare count ("146 responses" to a survey).
BARE_CATEGORY_NAMES = frozenset({"response", "responses"})
EXCLUSION_SCOPES = frozenset({"mask", "clause", "sentence", "trigger"})
#: Macro expansion depth: macros use macros (PVLIST -> PV -> PCT); deeper means a cycle.
MAX_MACRO_DEPTH = 8
_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class MeasureTerm:
    """A measure name: its contract measure (None: recognised, not a contract measure)."""

    surface: str
    role: str
    measure: str | None
    rate_measure: str | None


@dataclass(frozen=True, slots=True)
class OutcomePattern:
    id: str
    kind: str
    regex: re.Pattern[str]
    measure: str | None


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: str
    scope: str
    regex: re.Pattern[str]
    applies_to: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class OutcomeRules:
    patterns: tuple[OutcomePattern, ...]
    masks: tuple[Exclusion, ...]
    vetoes: tuple[Exclusion, ...]
    #: role -> regex finding the measure names of that role
    role_regex: dict[str, re.Pattern[str]]
    #: (role, normalised surface) -> term; abbreviations keyed as written
    terms: dict[tuple[str, str], MeasureTerm]
    macros: dict[str, str]
    #: compiled list items: percent values, time values, counts (see outcome_patterns.json)
    item_regex: dict[str, re.Pattern[str]]
    #: a cheap test that a sentence may hold a figure: a digit or a number word
    has_number: re.Pattern[str]


def _key(surface: str) -> str:
    return re.sub(r"[\s\-‐]+", " ", surface.strip().lower())


def _alternation(surfaces: list[str], abbreviations: list[str]) -> str:
    parts = []
    if surfaces:
        escaped = [
            re.escape(s).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?")
            for s in sorted(set(surfaces), key=len, reverse=True)
        ]
        parts.append(rf"(?i:\b(?:{'|'.join(escaped)})\b)")
    if abbreviations:
        escaped = [re.escape(a).replace(r"\ ", r"\s+") for a in sorted(set(abbreviations), key=len, reverse=True)]
        parts.append(rf"(?<![\w-])(?:{'|'.join(escaped)})(?![\w]|-\w)")
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


def expand(text: str, macros: dict[str, str], where: str) -> str:
    for _ in range(MAX_MACRO_DEPTH):
        missing = [name for name in _MACRO.findall(text) if name not in macros]
        if missing:
            raise PatternFileError(f"{where}: unknown macro(s) {sorted(set(missing))}")
        new = _MACRO.sub(lambda m: macros[m.group(1)], text)
        if new == text:
            return text
        text = new
    raise PatternFileError(f"{where}: macros nested deeper than {MAX_MACRO_DEPTH} (a cycle?)")


@cache
def outcome_rules(
    patterns_file: str = PATTERNS_FILE,
    lexicon_file: str = LEXICON_FILE,
    exclusions_file: str = EXCLUSIONS_FILE,
) -> OutcomeRules:
    tables = number_tables(lexicon_file)
    terms: dict[tuple[str, str], MeasureTerm] = {}
    by_role: dict[str, tuple[list[str], list[str]]] = {role: ([], []) for role in MEASURE_ROLES}
    resp4: tuple[list[str], list[str]] = ([], [])
    survival: tuple[list[str], list[str]] = ([], [])
    named: tuple[list[str], list[str]] = ([], [])  # categories named beyond a bare "response(s)"
    patients: list[str] = []
    for record in load_records(lexicon_file, "terms", **LEXICON_KEYS):
        kind = record["kind"]
        where = f"{lexicon_file}: term {record['id']!r}"
        if kind == "patient_noun":
            patients.extend(record["surfaces"])
        elif kind == "measure":
            role = record.get("role")
            if role not in MEASURE_ROLES:
                raise PatternFileError(f"{where}: role must be one of {MEASURE_ROLES}")
            surfaces, abbreviations = record["surfaces"], record.get("abbreviations", [])
            by_role[role][0].extend(surfaces)
            by_role[role][1].extend(abbreviations)
            if role == "category" and record.get("measure") in ("CR", "PR", "SD", "PD"):
                resp4[0].extend(surfaces)
                resp4[1].extend(abbreviations)
            if role == "category":
                named[0].extend(x for x in surfaces if x.lower() not in BARE_CATEGORY_NAMES)
                named[1].extend(abbreviations)
            if role == "time" and record.get("measure") in ("PFS_MEDIAN", "OS_MEDIAN"):
                survival[0].extend(surfaces)
                survival[1].extend(abbreviations)
            for surface in surfaces:
                terms[(role, _key(surface))] = MeasureTerm(
                    surface, role, record.get("measure"), record.get("rate_measure")
                )
            for abbreviation in abbreviations:
                terms[(role, abbreviation)] = MeasureTerm(
                    abbreviation, role, record.get("measure"), record.get("rate_measure")
                )
        elif kind not in ("number_word", "unit"):
            raise PatternFileError(f"{where}: unknown kind {kind!r}")
    from atc_mine.nlp.cohorts import cohort_cues  # the populations a breakdown names ("of whom 8 had MTC")

    histology = [cue.regex.pattern for cue in cohort_cues() if cue.kind == "histology"]
    generated = {
        "HISTOLOGY": "(?:" + "|".join(f"(?:{h})" for h in histology) + ")",
        "NUMWORD": tables.word_pattern,
        "UNIT": tables.unit_pattern,
        "PTS": rf"(?i:\b(?:{'|'.join(re.escape(p) for p in sorted(set(patients), key=len, reverse=True))})\b(?!\s+(?:reports?|series|stud(?:y|ies)|control)\b))",
        "RESP": _alternation(*by_role["category"]),
        "RESP4": _alternation(*resp4),
        "RESPX": _alternation(*named),
        "RATE": _alternation(*by_role["rate"]),
        "TIME": _alternation(*by_role["time"]),
        "SURVIVAL": _alternation(*survival),
    }
    data = load_data_file(patterns_file)
    macros = dict(data.get("macros") or {})
    overlap = set(macros) & set(generated)
    if overlap:
        raise PatternFileError(f"{patterns_file}: macros {sorted(overlap)} are generated from {lexicon_file}")
    macros.update(generated)
    expanded = {name: expand(value, macros, f"{patterns_file}: macro {name}") for name, value in macros.items()}
    patterns = []
    for record in load_records(patterns_file, "patterns", required=("id", "kind", "regex"), optional=("measure",)):
        where = f"{patterns_file}: pattern {record['id']!r}"
        if record["kind"] not in KINDS:
            raise PatternFileError(f"{where}: unknown kind {record['kind']!r}")
        try:
            regex = re.compile(expand(record["regex"], expanded, where))
        except re.error as exc:
            raise PatternFileError(f"{where}: {exc}") from None
        unknown = set(regex.groupindex) - GROUPS
        if unknown or "region" not in regex.groupindex:
            raise PatternFileError(f"{where}: groups must include 'region' and be among {sorted(GROUPS)}")
        patterns.append(OutcomePattern(record["id"], record["kind"], regex, record.get("measure")))
    masks, vetoes = [], []
    for record in load_records(
        exclusions_file, "exclusions", required=("id", "scope", "regex"), optional=("applies_to",)
    ):
        where = f"{exclusions_file}: exclusion {record['id']!r}"
        if record["scope"] not in EXCLUSION_SCOPES:
            raise PatternFileError(f"{where}: scope must be one of {sorted(EXCLUSION_SCOPES)}")
        try:
            regex = re.compile(record["regex"])
        except re.error as exc:
            raise PatternFileError(f"{where}: {exc}") from None
        applies = frozenset(record["applies_to"]) if record.get("applies_to") else None
        if applies and not applies <= KINDS:
            raise PatternFileError(f"{where}: applies_to names unknown kinds {sorted(applies - KINDS)}")
        exclusion = Exclusion(record["id"], record["scope"], regex, applies)
        (masks if record["scope"] == "mask" else vetoes).append(exclusion)
    item_regex = {
        "percent": re.compile(expanded["PV"]),
        "time": re.compile(expanded["TV"]),
        "count": re.compile(
            rf"(?:{expanded['FRAC']}|{expanded['CNT']}{expanded['OFDEN']}?)(?:\s*{expanded['PAREN']})?"
        ),
        "n_item": re.compile(
            rf"{expanded['CNT']}(?=(?:\s*{expanded['PAREN']})?\s+(?:{expanded['MOD']}{expanded['PTS']}|(?i:with|had|were)\b)|\s*\()"
        ),
    }
    return OutcomeRules(
        patterns=tuple(patterns),
        masks=tuple(masks),
        vetoes=tuple(vetoes),
        role_regex={
            role: re.compile(generated[name])
            for role, name in (("category", "RESP"), ("rate", "RATE"), ("time", "TIME"))
        },
        terms=terms,
        macros=expanded,
        item_regex=item_regex,
        # zeros are stated in words: "No CR or PR was observed", "not reached"
        has_number=re.compile(
            rf"\d|{tables.word_pattern}|(?i:\bno\b|\bneither\b|\bnot\s+(?:yet\s+)?(?:been\s+)?reached)"
        ),
    )


def measure_terms(rules: OutcomeRules, role: str, text: str) -> list[MeasureTerm]:
    """The measure names of ``role`` in ``text``, in order ("PFS and OS" -> [PFS, OS])."""
    found = []
    # A bracketed abbreviation restates the name before it ("Stable disease (SD) and ..."):
    # it is not a second measure. Blank bracket contents, keeping offsets.
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", lambda b: " " * len(b.group()), text)
    for m in rules.role_regex[role].finditer(text):
        surface = m.group()
        term = rules.terms.get((role, surface)) or rules.terms.get((role, _key(surface)))
        if term is None:  # an inflected or hyphen-variant surface: compare on the folded key
            key = _key(surface)
            term = next((t for (r, k), t in rules.terms.items() if r == role and _key(k) == key), None)
        if term is not None:
            found.append(term)
    return found
