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
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

import ahocorasick
import numpy as np

from atc_mine.errors import PatternFileError
from atc_mine.nlp import regex_cache
from atc_mine.nlp.numbers import LEXICON_FILE, LEXICON_KEYS, number_tables
from atc_mine.nlp.prefilter import LiteralScreen
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
        "median_context",
        "median_change",
        "mixed_list",
        "corresponding",
        "landmark_continued",
        "landmark_value_at",
        "median_landmark",
        "landmark",
        "enrolled",
        "enrolled_arms",
        "enrolled_treated",
        "enrolled_with_outcome",
        "breakdown",
        "breakdown_counts",
        "evaluable",
    }
)
#: The words a sentence must hold (one of, by role) for templates of a kind to be tried there.
KIND_ROLES: dict[str, str] = {
    "category": "category",
    "category_zero": "category",
    "category_adjectives": "category",
    "rate": "rate",
    "rate_subgroups": "rate",
    "median": "time",
    "median_context": "time",
    "median_change": "time",
    "mixed_list": "time",
    "corresponding": "corresponding",
    "landmark_continued": "time",
    "landmark_value_at": "time",
    "median_landmark": "time",
    "landmark": "time",
    "enrolled": "enrol",
    "enrolled_arms": "enrol",
    "enrolled_treated": "enrol",
    "enrolled_with_outcome": "enrol",
    "breakdown": "enrol",
    "breakdown_counts": "enrol",
    "evaluable": "enrol",
}
#: Word stems that announce a counted group (the "enrol" role of the gate), and words that
#: announce the other roles without being measure names.
GATE_WORDS: dict[str, tuple[str, ...]] = {
    "enrol": (
        "enrol",
        "recruit",
        "treated",
        "includ",
        "evaluab",
        "evaluated",
        "assessab",
        "assessed",
        "received",
        "given",
        "analyzed",
        "analysed",
        "comprised",
        "consisted",
        "accrued",
        "assigned",
        "randomi",
        "registered",
        "entered",
        "started",
        "initiated",
        "among",
        "whom",
        "which",
        "study",
        "trial",
        "series",
        "cohort",
        "involved",
        "(n",
        "n =",
        "n=",
    ),
    "category": ("responded",),
    "rate": ("rate", "rates"),  # "objective response (CR + PR) rate": a bracket inside the name
    "time": ("alive", "progression-free", "progression free", "median duration"),
    "corresponding": (
        "corresponding",
        "they were",
        "these were",
        "that for",
        "that of",
        "that in",
        "that among",
        "those for",
        "those of",
        "those in",
    ),
}
#: What masking writes over a sentence before the templates run (``outcomes.mask``): doses,
#: ages, dates ... become MASK_CHAR, drug names DRUG_CHAR.
MASK_CHAR = "#"
DRUG_CHAR = "§"
MASKING_CHARS = MASK_CHAR + DRUG_CHAR

#: Gate keys this short must stand as whole words ("os" is in "dose" and "most").
SHORT_KEY = 4


class Gate:
    """One Aho-Corasick pass over a text: where numbers and the words of each role are.

    A sentence is read by a template only when it holds a number and a word of the
    template's role (:data:`KIND_ROLES`); most sentences of most abstracts hold neither, and
    a literal scan costs far less than the template regexes it spares.
    """

    def __init__(self, keys: dict[str, set[tuple[str, str | None]]], number_words: set[str]) -> None:
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str | None]]] = {}
        for role, items in keys.items():
            for key, case in items:
                entries.setdefault(key.lower(), []).append((role, case))
        for word in number_words:
            entries.setdefault(word.lower(), []).append(("number", None))
        for key, values in entries.items():
            # Per key, once: its length, and whether a letter or digit may not stand before it
            # (a key starting with one starts a word) or after it (a short key or number word
            # ending with one is a whole word: "os" is not read in "dose").
            whole = len(key) <= SHORT_KEY or any(role == "number" for role, _c in values)
            self.automaton.add_word(key, (len(key), key[0].isalnum(), whole and key[-1].isalnum(), tuple(values)))
        self.automaton.make_automaton()

    def scan(self, text: str, word_starts: frozenset[int] = frozenset()) -> dict[str, list[int]]:
        """role -> sorted start offsets (role "number" includes digit runs).

        ``word_starts``: offsets where a word starts whatever stands before them (sentence starts:
        "ResultsTwo patients ...", a label glued to the sentence by a web page)."""
        lower = text.lower()
        size = len(lower)
        found: dict[str, list[int]] = {"number": digit_run_starts(text)}
        for end, (length, starts_word, ends_word, values) in self.automaton.iter(lower):
            start = end - length + 1
            if starts_word and start > 0 and lower[start - 1].isalnum() and start not in word_starts:
                continue
            if ends_word and end + 1 < size and lower[end + 1].isalnum():
                continue
            for role, case in values:
                if case is None or text[start : end + 1] == case:
                    found.setdefault(role, []).append(start)
        for positions in found.values():
            positions.sort()
        return found


_DIGITS = re.compile(r"\d+")


def digit_run_starts(text: str) -> list[int]:
    """Where the runs of digits of ``text`` start (``\\d+``'s matches): for an ASCII text, from
    one numpy pass over its bytes (no match object per number); otherwise by the regex, whose
    ``\\d`` also reads the other scripts' digits."""
    if not text.isascii():
        return [m.start() for m in _DIGITS.finditer(text)]
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    digit = (codes >= 48) & (codes <= 57)
    return np.flatnonzero(digit & ~np.concatenate(([False], digit[:-1]))).tolist()


#: The named groups a template may use; ``region`` (the stated numbers) is required.
GROUPS = frozenset(
    {
        "region",
        "trig",
        "trig2",
        "tail",
        "tail2",
        "tps",
        "quals",
        "postquals",
        "resp",
        "den",
        "enr",
        "zero",
        "cihead",
        "obj",
    }
)
MEASURE_ROLES = ("category", "rate", "time")
#: Category names too general to stand alone after a bare count ("146 responses" to a survey).
BARE_CATEGORY_NAMES = frozenset({"response", "responses"})
EXCLUSION_SCOPES = frozenset({"mask", "clause", "after", "sentence", "trigger"})
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
    #: where a match can start; the matcher tries ``regex.match`` only at these positions
    anchor: re.Pattern[str]
    #: the gate role a sentence must show for this template to be tried (:data:`KIND_ROLES`)
    role: str
    #: the anchor's index in ``OutcomeRules.anchors`` (patterns share anchors)
    anchor_index: int = 0
    #: the template's own index among the templates of ``OutcomeRules.sentence_screen``
    screen_index: int = 0


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: str
    scope: str
    regex: re.Pattern[str]
    applies_to: frozenset[str] | None
    #: A figure this vetoes leaves its numbers to the other templates (its template misread them:
    #: "Best responses in 32 evaluable patients were ..." is no response count, but 32 evaluable).
    releases: bool = False


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
    #: a cheap test that it names a measure or a counted group
    gate: re.Pattern[str]
    #: the literal scan that finds, in one pass, where numbers and role words are
    scanner: Gate
    #: the distinct anchors of the patterns (``OutcomePattern.anchor_index`` points here) and a
    #: literal screen of them: which anchors can match a sentence, from one pass over it
    anchors: tuple[re.Pattern[str], ...] = ()
    anchor_screen: LiteralScreen | None = None
    #: the same screen over ``masks``, in their order
    mask_screen: LiteralScreen | None = None
    #: one screen over the anchors, the masks and the templates, in that order (see
    #: :meth:`screened`); a template's literals are read as masking leaves them (:data:`MASKING_CHARS`)
    sentence_screen: LiteralScreen | None = None
    #: ids of the vetoes that release a figure's numbers (:attr:`Exclusion.releases`)
    releasing: frozenset[str] = frozenset()
    #: :meth:`patterns_for`'s answers (at most one per subset of the five roles), and the masks'
    #: needs under :data:`_MASKS`
    _memo: dict[frozenset[str] | str, tuple] = field(default_factory=dict, init=False, compare=False, repr=False)

    def screened(self, sentence: str) -> tuple[list[bool], list[bool], list[bool]]:
        """Which anchors, masks and templates can match ``sentence``, from one pass over it
        (the templates by ``OutcomePattern.screen_index``)."""
        a, m = len(self.anchors), len(self.masks)
        if self.sentence_screen is None:
            return [True] * a, [True] * m, [True] * (1 + max((p.screen_index for p in self.patterns), default=0))
        possible = self.sentence_screen.possible(self.sentence_screen.present(sentence))
        return possible[:a], possible[a : a + m], possible[a + m :]

    def clauses_met(self, sentence: str) -> set[int]:
        """The lazy form of :meth:`screened`: the screen's clauses ``sentence`` meets, from one
        pass over it. A template, anchor or mask can match when its needs (:meth:`patterns_for`,
        :meth:`masks_possible`) are a subset: a sentence tries the templates of one or two
        roles, and the masks only once one of them can run."""
        screen = self.sentence_screen
        return set() if screen is None else screen.clauses_met(screen.present(sentence))

    def patterns_for(self, roles: frozenset[str]) -> tuple[ScreenedPattern, ...]:
        """The templates of ``roles`` in template order, each with the clauses it and its anchor need."""
        found = self._memo.get(roles)
        if found is None:
            found = self._memo[roles] = tuple(
                ScreenedPattern(p, self._needs(self._template_offset + p.screen_index), self._needs(p.anchor_index))
                for p in self.patterns
                if p.role in roles
            )
        return found

    def masks_possible(self, met: set[int]) -> list[bool]:
        """Which masks can match a sentence that meets the clauses ``met`` (:meth:`clauses_met`)."""
        needs = self._memo.get(_MASKS)
        if needs is None:
            needs = self._memo[_MASKS] = tuple(self._needs(len(self.anchors) + i) for i in range(len(self.masks)))
        return [mask_needs <= met for mask_needs in needs]

    @property
    def _template_offset(self) -> int:
        return len(self.anchors) + len(self.masks)

    def _needs(self, index: int) -> frozenset[int]:
        return frozenset() if self.sentence_screen is None else self.sentence_screen.needs(index)


#: The key under which :meth:`OutcomeRules.masks_possible` keeps the masks' needs.
_MASKS = "masks"


class ScreenedPattern(NamedTuple):
    """A template with the screen clauses a sentence must meet for it and for its anchor to match."""

    pattern: OutcomePattern
    needs: frozenset[int]
    anchor_needs: frozenset[int]


def _key(surface: str) -> str:
    return re.sub(r"[\s\-‐]+", " ", surface.strip().lower())


def _initials(words: list[str]) -> str:
    """A lookahead on the words' first characters: the engine skips other positions cheaply."""
    chars = {c for w in words for c in (w[:1].lower(), w[:1].upper()) if c}
    return "(?=[" + re.escape("".join(sorted(chars))) + "])"


def _longest_first(names: list[str]) -> list[str]:
    """Distinct names, longest first (the alternation tries them in this order), ties in
    alphabetical order: the same regex source in every process, whatever the hash seed."""
    return sorted(set(names), key=lambda name: (-len(name), name))


def _alternation(surfaces: list[str], abbreviations: list[str]) -> str:
    parts = []
    if surfaces:
        escaped = [re.escape(s).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?") for s in _longest_first(surfaces)]
        parts.append(rf"\b{_initials(surfaces)}(?i:(?:{'|'.join(escaped)})\b)")
    if abbreviations:
        escaped = [re.escape(a).replace(r"\ ", r"\s+") for a in _longest_first(abbreviations)]
        parts.append(rf"(?<![\w-]){_initials(abbreviations)}(?:{'|'.join(escaped)})(?![\w]|-\w)")
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
    gate_keys: dict[str, set[tuple[str, str | None]]] = {
        role: {(w, None) for w in words} for role, words in GATE_WORDS.items()
    }
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
            gate_keys.setdefault(role, set()).update((x, None) for x in surfaces)
            gate_keys[role].update((a, a) for a in abbreviations)
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
        "PTS": rf"\b{_initials(patients)}(?i:(?:{'|'.join(re.escape(p) for p in _longest_first(patients))})\b(?!\s+(?:reports?|series|stud(?:y|ies)|control)\b))",
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
    anchors: dict[str, re.Pattern[str]] = {}
    for record in load_records(
        patterns_file, "patterns", required=("id", "kind", "regex", "anchor"), optional=("measure",)
    ):
        where = f"{patterns_file}: pattern {record['id']!r}"
        if record["kind"] not in KINDS:
            raise PatternFileError(f"{where}: unknown kind {record['kind']!r}")
        try:
            regex = regex_cache.compile(expand(record["regex"], expanded, where))
            anchor_source = expand(record["anchor"], expanded, where)
            anchor = anchors.get(anchor_source) or anchors.setdefault(anchor_source, regex_cache.compile(anchor_source))
        except re.error as exc:
            raise PatternFileError(f"{where}: {exc}") from None
        unknown = set(regex.groupindex) - GROUPS
        if unknown or "region" not in regex.groupindex:
            raise PatternFileError(f"{where}: groups must include 'region' and be among {sorted(GROUPS)}")
        patterns.append(
            OutcomePattern(
                record["id"],
                record["kind"],
                regex,
                record.get("measure"),
                anchor,
                KIND_ROLES[record["kind"]],
                list(anchors).index(anchor_source),
                len(patterns),
            )
        )
    masks, vetoes = [], []
    for record in load_records(
        exclusions_file, "exclusions", required=("id", "scope", "regex"), optional=("applies_to", "releases")
    ):
        where = f"{exclusions_file}: exclusion {record['id']!r}"
        if record["scope"] not in EXCLUSION_SCOPES:
            raise PatternFileError(f"{where}: scope must be one of {sorted(EXCLUSION_SCOPES)}")
        try:
            regex = regex_cache.compile(record["regex"])
        except re.error as exc:
            raise PatternFileError(f"{where}: {exc}") from None
        applies = frozenset(record["applies_to"]) if record.get("applies_to") else None
        if applies and not applies <= KINDS:
            raise PatternFileError(f"{where}: applies_to names unknown kinds {sorted(applies - KINDS)}")
        if not isinstance(record.get("releases", False), bool):
            raise PatternFileError(f"{where}: releases must be true or false")
        exclusion = Exclusion(record["id"], record["scope"], regex, applies, record.get("releases", False))
        (masks if record["scope"] == "mask" else vetoes).append(exclusion)
    item_regex = {
        "percent": regex_cache.compile(f"(?:{expanded['PV']}|{expanded['PVB']})"),
        "time": regex_cache.compile(f"(?:{expanded['TV']}|{expanded['TVQ']})"),
        "count": regex_cache.compile(
            rf"(?:{expanded['FRAC']}|{expanded['CNT']}{expanded['OFDEN']}?)(?:\s*{expanded['PAREN']})?"
        ),
        "n_item": regex_cache.compile(
            rf"{expanded['CNT']}(?=(?:\s*{expanded['PAREN']})?\s+(?:{expanded['MOD']}{expanded['PTS']}|(?i:with|had|were)\b)|\s*\()"
        ),
    }
    anchor_requirements = [regex_cache.requirement(anchor) for anchor in anchors.values()]
    mask_requirements = [regex_cache.requirement(exclusion.regex) for exclusion in masks]
    # A template runs on the masked sentence: a literal holding a masking character is not in
    # the text the screen reads, so those characters break literals (prefilter rule 4).
    template_requirements = [regex_cache.requirement(p.regex, excluded=MASKING_CHARS) for p in patterns]
    return OutcomeRules(
        patterns=tuple(patterns),
        masks=tuple(masks),
        vetoes=tuple(vetoes),
        releasing=frozenset(v.id for v in vetoes if v.releases),
        anchors=tuple(anchors.values()),
        anchor_screen=LiteralScreen(anchor_requirements),
        mask_screen=LiteralScreen(mask_requirements),
        sentence_screen=LiteralScreen(anchor_requirements + mask_requirements + template_requirements),
        role_regex={
            role: regex_cache.compile(generated[name])
            for role, name in (("category", "RESP"), ("rate", "RATE"), ("time", "TIME"))
        },
        terms=terms,
        macros=expanded,
        item_regex=item_regex,
        gate=regex_cache.compile(
            "|".join(generated[name] for name in ("RESP", "RATE", "TIME"))
            + r"|\b(?=[EeRrTtIiAaNnCcGgSs])(?i:enrol\w*|recruit\w*|treated|included|includes|evaluab\w*|assessab\w*"
            r"|received|given|analy[sz]ed|comprised|consisted|accrued|assigned|randomi[sz]ed|registered|entered|alive"
            r"|responded|started|initiated|cases?)\b|\bn\s*[=:]"
        ),
        # zeros are stated in words: "No CR or PR was observed", "not reached"
        scanner=Gate(
            {**gate_keys, "patients": {(p, None) for p in patients}},
            set(tables.words)
            | {"no", "neither", "none", "not reached", "not been reached", "not yet reached", "not yet been reached"},
        ),
        has_number=regex_cache.compile(
            rf"\d|{tables.word_pattern}|(?i:\bno\b|\bneither\b|\bnot\s+(?:yet\s+)?(?:been\s+)?reached)"
        ),
    )


#: A "...-free" outcome whose head noun the next one supplies ("progression-free and overall survival").
_SHARED_SURVIVAL = re.compile(
    r"\b(?:(?:progression|event|disease|relapse|recurrence|metastasis)[- ]free|overall)"
    r"(?=\s*(?:,\s*|\s+)(?:and|or)\s+(?:[\w-]+\s+)?survival)",
    re.I,
)


def measure_terms(rules: OutcomeRules, role: str, text: str) -> list[MeasureTerm]:
    """The measure names of ``role`` in ``text``, in order ("PFS and OS" -> [PFS, OS])."""
    found = []
    # A bracketed abbreviation restates the name before it ("Stable disease (SD) and ..."):
    # it is not a second measure. Blank bracket contents, keeping offsets.
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", lambda b: " " * len(b.group()), text)
    if role == "time":  # "progression-free and overall survival": two outcomes sharing "survival"
        text = _SHARED_SURVIVAL.sub(r"\g<0> survival", text)
    for m in rules.role_regex[role].finditer(text):
        surface = m.group()
        term = rules.terms.get((role, surface)) or rules.terms.get((role, _key(surface)))
        if term is None:  # an inflected or hyphen-variant surface: compare on the folded key
            key = _key(surface)
            term = next((t for (r, k), t in rules.terms.items() if r == role and _key(k) == key), None)
        if term is not None:
            found.append(term)
    return found
