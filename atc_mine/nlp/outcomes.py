"""Outcome figures: patients, response categories and rates, medians with CIs, landmark rates.

A spaCy component (``atc_outcomes``) that reads every sentence of ``doc._.atc_sentence_spans``
that could hold a figure (a digit or number word, and a measure or enrolment word) and writes
``doc._.atc_outcomes``: figures of the extraction contract, tied to regimen, trial, cohort and
subgroup by :mod:`atc_mine.nlp.attribution`.

Per sentence:

1. **Normalise** without changing length (:func:`atc_mine.nlp.numbers.normalise`: PDF
   artefacts, dashes, spaces, "·" decimals).
2. **Mask** what can never be a figure (``outcome_exclusions.json`` scope ``mask``: doses,
   ages, p-values, hazard ratios, dates, reference numbers, ranges, follow-up, schedules...)
   with "#", and drug names with "§", again without changing length.
3. **Match templates** (``outcome_patterns.json``) in order; a template's ``region`` holds the
   stated numbers (one figure or a list), ``trig`` the measure words. A later template never
   takes numbers an earlier one took.
4. **Handle** each match by its kind: the measure words become contract measures
   (``outcome_lexicon.json``), the region is split into items that
   :func:`~atc_mine.nlp.numbers.parse_quantity` reads, and lists are paired with lists
   ("Median PFS and OS were 3.7 and 17.5 months, respectively"; "48%, 24%, and 12% ... after
   3, 6, and 12 months"; "26% versus 9% for CP/fosbretabulin versus CP").
5. **Veto** a figure whose clause or sentence is about something else
   (``outcome_exclusions.json`` scopes ``clause``/``sentence``/``trigger``: adverse events,
   preclinical models, biomarker prevalence, plans and hypotheses, prior therapy).

Figures in a structured abstract's background section describe other studies or the disease
and are dropped. Response categories are those of RECIST 1.1 (Eisenhauer et al., Eur J Cancer
2009;45:228-47): CR, PR, SD, PD; ORR = CR + PR; DCR = CR + PR + SD. What counts as a figure,
and what does not, follows ``gold/GUIDELINES.md`` section 4.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.nlp.doc_data import CONTEXT, OUTCOMES, entities
from atc_mine.nlp.numbers import LEXICON_FILE, Quantity, normalise, parse_quantity, parse_timepoints, unit_norm
from atc_mine.nlp.outcome_rules import (
    DRUG_CHAR,
    EXCLUSIONS_FILE,
    MASK_CHAR,
    PATTERNS_FILE,
    MeasureTerm,
    OutcomePattern,
    OutcomeRules,
    measure_terms,
    outcome_rules,
)
from atc_mine.nlp.prefilter import LiteralScreen
from atc_mine.nlp.sentences import DOC_TEXT, SENTENCE_SPANS, split_sentences

#: Sections whose figures are not the study's own results (NLM category BACKGROUND/OBJECTIVE).
NON_RESULT_SECTIONS = frozenset({"background"})
#: How far before the measure words a 'trigger'-scope veto looks ("prior partial responses").
TRIGGER_WINDOW = 40
#: How far after a match a trailing qualifier may run ("... (PR) in the stage IVB group").
TRAILING_QUALIFIER_CHARS = 60
#: How far before a bare "median" the outcome it reports may be named: past a hazard ratio,
#: its CI and a p-value in one bracket ("improved PFS compared with placebo (hazard ratio,
#: 0.59; 95% confidence interval, 0.45-0.76; P<0.0001; median 10.8 vs. 5.8 months)"), or past the
#: first arm's bracket ("longer with lenvatinib [n = 103; median 23.9 months; 95% CI ...] than
#: placebo [n = 48; median 3.7 months]").
MEDIAN_CONTEXT_CHARS = 240

_CLAUSE_BREAK = re.compile(r";|,\s+(?:but|whereas|while|although|and|however)\b|\.\s")
_QUAL_LEAD = re.compile(
    r"^(?:\s|,|;|and\b|versus\b|vs\.?|or\b|compared\s+(?:with|to)\b|respectively\b)*"
    r"(?:(?:for|in|among|with|within)\s+)?",
    re.I,
)
_LIST_SPLIT = re.compile(
    r"\s*(?:,\s*(?:and|or)?\s*|\s(?:and|or|versus|vs\.?|compared\s+with|than(?:\s+(?:with|in|for))?)\s+)\s*", re.I
)
_TRAILING_QUALIFIER = re.compile(
    r"\s*(?:(?:in|among|for|within)\s+(?:the\s+)?(?P<q>[^,;.()]{0,50}?(?:group|population|cohort|arm|patients|subset|stage\s+\w+)))",
    re.I,
)
_AT_TIMEPOINT = re.compile(
    r"\b(?:at|after)\s+(\d{1,3}|one|two|three|four|six|eight|twelve)\s*-?\s*(weeks?|months?|years?)\b", re.I
)
_EVALUABLE_WORDS = re.compile(r"evaluab|assessab|evaluated|assessed|measurable", re.I)
#: After "included": the set of patients whose response or efficacy was analysed (GUIDELINES 4.1:
#: patients evaluable for response / efficacy).
_EFFICACY_SET = re.compile(
    r"\s+(?:in|into)\s+(?:the\s+)?(?:(?:primary|main|final)\s+)?(?:efficacy|response|activity)[- ]"
    r"(?:analys[ie]s|evaluations?|population|set|assessments?)\b",
    re.I,
)
_PAREN_GROUP = re.compile(r"\([^()]*(?:\([^()]*\)[^()]*)*\)|\[[^\[\]]*\]")
_UNCLOSED_BRACKET = re.compile(r"\s*[(\[][^()\[\]]*$")
_COMPARATOR = re.compile(
    r"\b(?:than|compared\s+(?:with|to)|over(?=\s+(?:the\s+)?(?:placebo|controls?|observation|best\s+supportive|BSC)\b))"
    r"\s+(?:(?:in|with)\s+)?(?:(?:that|those)\s+(?:in|of|with|without|who)\s+)?"
    r"(?:the\s+)?(?P<cmp>[^,;()\[\]]{3,90}?)(?=\s*[(\[,;]|\.?\s*$)",
    re.I,
)
#: The arm compared, right before a bracket: "... than placebo [n = 48; median 3.7 months]".
_ARM_BEFORE_BRACKET = re.compile(
    r"\b(?:than|versus|vs\.?|compared\s+(?:with|to)|over)\s+(?:the\s+)?(?P<cmp>[\w§ -]{2,40}?)\s*$", re.I
)
#: How far before a bracket the arm it belongs to may be named.
ARM_BEFORE_BRACKET_CHARS = 60


def _with_arm_before(h: _Match, c: Candidate, bracket: int) -> Candidate:
    """``c`` qualified by the arm compared right before the bracket opening at ``bracket``
    ("... than placebo [n = 48; median 3.7 months]"), if one is named there."""
    arm = _ARM_BEFORE_BRACKET.search(h.norm, max(0, bracket - ARM_BEFORE_BRACKET_CHARS), bracket)
    if arm is None:
        return c
    return replace(c, qualifier=arm.group("cmp"), qualifier_start=h.offset + arm.start("cmp"))


_WORDS_BEFORE = re.compile(r"(?:(?!(?:for|in|of|with|and)\s)[\w/+.§#-]+\s+){1,2}$", re.I)
_VERB_START = re.compile(r"\b(?:were|was|had|have|received|who|with|and)\b", re.I)
_PERCENT_IN_NP = re.compile(r"^[^()]{0,40}\(\s*\d+(?:\.\d+)?\s*%")
_NOT_TREATED = re.compile(r"\b(?:controls?|healthy|volunteers?|untreated|comparators?)\b", re.I)
_CI_WORDS = re.compile(r"\bCI\b|confidence", re.I)
_CLAUSE_END = re.compile(r"[,;.]|$")
_SUBSET_PERCENT = re.compile(r"\s*\(\s*\d+(?:\.\d+)?\s*%")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A figure found in a sentence, before attribution. Offsets are document offsets."""

    measure: str
    quantity: Quantity
    value_start: int
    value_end: int
    trig_start: int
    sentence: int
    rule: str
    timepoint: str | None = None
    #: the words that qualify this value ("for the CP arm", "in MDTC patients"), if any
    qualifier: str | None = None
    qualifier_start: int | None = None
    #: the noun phrase of a counted group ("17 with ATC", "Two of the MTC patients")
    group: str | None = None
    group_start: int | None = None
    subgroup: str | None = None


@dataclass(slots=True)
class SentenceState:
    """What one sentence's matches share: the list of qualifiers a 'respectively' named."""

    last_qualifiers: list[tuple[str, int]] = field(default_factory=list)
    group_denominator: int | None = None
    #: the figures earlier templates found in the sentence ("with corresponding values of ...")
    found: list[Candidate] = field(default_factory=list)
    #: the figures of the sentence before ("For cohort 2 (n = 21), they were 8.74 and 4.80 months")
    previous: list[Candidate] = field(default_factory=list)


class _Match:
    """One template match on one sentence, with the views a handler needs."""

    def __init__(self, m: re.Match[str], pattern: OutcomePattern, norm: str, masked: str, offset: int, index: int):
        self.m, self.pattern, self.norm, self.masked, self.offset, self.index = m, pattern, norm, masked, offset, index

    def text(self, group: str) -> str:
        span = self.m.span(group) if group in self.m.re.groupindex else (-1, -1)
        return self.norm[span[0] : span[1]] if span[0] >= 0 else ""

    def span(self, group: str) -> tuple[int, int] | None:
        if group not in self.m.re.groupindex or self.m.start(group) < 0:
            return None
        return self.m.span(group)

    def candidate(self, measure: str, quantity: Quantity, start: int, end: int, **extra) -> Candidate:
        trig = self.span("trig") or (start, end)
        return Candidate(
            measure=measure,
            quantity=quantity,
            value_start=self.offset + start,
            value_end=self.offset + end,
            trig_start=self.offset + trig[0],
            sentence=self.index,
            rule=self.pattern.id,
            **extra,
        )


# -- lists, items and qualifiers -------------------------------------------------------------------
def _items(rules: OutcomeRules, kind: str, masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the values in ``masked[start:end]``, skipping bracketed asides that follow a word."""
    blanked = masked
    for g in _PAREN_GROUP.finditer(masked, start, end):
        before = masked[max(start, g.start() - 2) : g.start()].rstrip()
        aside = before and not before[-1].isdigit() and not before.endswith("%") and not _CI_WORDS.search(g.group())
        if aside and kind == "time":  # "(n=55; ...)" after "for the CP/fosbretabulin arm"
            blanked = blanked[: g.start()] + " " * (g.end() - g.start()) + blanked[g.end() :]
    return [i.span() for i in rules.item_regex[kind].finditer(blanked, start, end) if i.group().strip()]


def _clean_qualifier(text: str) -> str | None:
    text = _PAREN_GROUP.sub(" ", text)
    text = _UNCLOSED_BRACKET.sub("", text)  # "placebo [HR, 0.60": the aside the region cut off
    text = _QUAL_LEAD.sub("", text)
    text = re.sub(
        r"(?:\s|,|;|\band\b|\bversus\b|\bvs\.?|\bor\b|\b(?:as\s+)?compared\s+(?:with|to)\b)+$", "", text, flags=re.I
    ).strip(" ,;:.")
    return text or None


def _split_list(text: str, start: int) -> list[tuple[str, int]]:
    """'RR-DTC, MTC, and ATC' -> parts with offsets; a shared unit spreads ('0.15 and 0.3 mg')."""
    text_clean = _QUAL_LEAD.sub("", text)
    base = start + (len(text) - len(text_clean))
    parts: list[tuple[str, int]] = []
    position = 0
    for m in _LIST_SPLIT.finditer(text_clean):
        parts.append((text_clean[position : m.start()], base + position))
        position = m.end()
    parts.append((text_clean[position:], base + position))
    parts = [(re.sub(r"^(?:the|a|an)\s+", "", p.strip(" ,;."), flags=re.I), s) for p, s in parts if p.strip(" ,;.")]
    head = re.match(r"([A-Za-z]+)\s+\S+$", parts[0][0]) if parts else None
    if head and all(" " not in p for p, _s in parts[1:]):  # "stage IVA, IVB and IVC": each is a stage
        parts = [parts[0]] + [(f"{head.group(1)} {p}", s) for p, s in parts[1:]]
    unit = next(
        (u.group(1) for p, _ in reversed(parts) if (u := re.search(r"\d\s*(mg(?:/m2|/kg)?|µg|mcg)\b", p))), None
    )
    if unit:
        parts = [(f"{p} {unit}" if re.fullmatch(r"\d+(?:\.\d+)?", p) else p, s) for p, s in parts]
    return parts


def _pair(
    measures: list[str | None],
    timepoints: list[str],
    items: list[tuple[int, int, str | None, int | None]],
    listed: list[tuple[str, int]],
) -> list[tuple[str | None, str | None, tuple[int, int], str | None, int | None]]:
    """Pair measures, time points, values and qualifiers, 'respectively'-style.

    ``items`` are (start, end, own qualifier, its offset); ``listed`` is a qualifier list
    stated once for all values ("for RR-DTC, MTC, and ATC, respectively").
    """
    k, n = len(measures), len(items)
    if n == 1 and k > 1:  # one value for several measures: "The median DOR, PFS and OS were not reached"
        items = items * k
        n = k
    out = []
    for i, (start, end, qual, qual_at) in enumerate(items):
        if k == n or k <= 1:
            measure = measures[i] if k == n else (measures[0] if measures else None)
            group = i
        elif n % k == 0:
            measure, group = measures[i % k], i // k
        else:
            measure, group = (measures[i] if i < k else None), i
        if qual is None and k > 1 and n % k == 0 and n > k:
            last = items[(group + 1) * k - 1]
            qual, qual_at = last[2], last[3]
        per = len(timepoints)
        if qual is None and listed and k <= 1 and per > 1 and len(listed) > 1 and n == per * len(listed):
            # "OS rates for trametinib versus chemotherapy arms at 1 year, 2 years and 5 years were
            # 60.9% versus 49.6%, 32.0% versus 29.4% and 13.3% versus 17.0%": the arms at each time point
            qual, qual_at = listed[i % len(listed)]
        if qual is None and listed:
            groups = n // k if k > 1 and n % k == 0 else n
            # the value's group among the listed qualifiers (k measures per group; one group when k == n)
            index = i // k if k > 1 and n % k == 0 else i
            if len(listed) == groups:
                qual, qual_at = listed[index]
            elif len(listed) == 1:
                qual, qual_at = listed[0]
        timepoint = None
        if len(timepoints) == n:
            timepoint = timepoints[i]
        elif len(timepoints) == k and k > 1:
            timepoint = timepoints[i % k]
        elif len(timepoints) == 1:
            timepoint = timepoints[0]
        elif per > 1 and k <= 1 and n % per == 0:
            timepoint = timepoints[i // (n // per)]  # the values of each time point in turn
        out.append((measure, timepoint, (start, end), qual, qual_at))
    return out


def _value_items(h: _Match, rules: OutcomeRules, kind: str) -> list[tuple[int, int, str | None, int | None]]:
    """The items of the region, each with the qualifier that follows it."""
    region = h.span("region")
    if region is None:
        return []
    spans = _items(rules, kind, h.masked, *region)
    if not spans:
        spans = [region]
    result = []
    for i, (start, end) in enumerate(spans):
        stop = spans[i + 1][0] if i + 1 < len(spans) else region[1]
        bracket = _TRAILING_BRACKET.search(h.norm, start, end)
        if kind == "percent" and bracket and rules.role_regex["category"].search(bracket.group()):
            end = bracket.start()  # "40% (8 PR, 0 CR)": the categories in the bracket are figures of their own
        described = None  # "2 of 7 ATC patients (29%)": the group named before the noun
        if kind == "count" and (pct := _NOUN_AND_PERCENT.match(h.norm, end, stop)):
            words = pct.group("words") or ""
            named = " ".join(_PATIENT_NOUN.sub(" ", words).split())
            if named and named in words:
                described = (named, pct.start("words") + words.find(named))
            end = pct.end()  # "2 of 6 patients (33%) with ...": the bracketed percent is the item's
        raw = h.norm[end:stop]
        qual = _clean_qualifier(raw)
        qual_at = end + raw.find(qual[:8]) if qual else None
        if qual is None and described is not None:
            qual, qual_at = described
        result.append((start, end, qual, qual_at))
    return result


def _listed_qualifiers(h: _Match, state: SentenceState) -> list[tuple[str, int]]:
    for name in ("postquals", "quals"):
        span = h.span(name)
        if span and span[1] > span[0]:
            parts = _split_list(h.norm[span[0] : span[1]], span[0])
            if name == "postquals" or len(parts) > 1 or h.span("resp"):
                if len(parts) > 1:
                    state.last_qualifiers = parts
                return parts
            return parts
    return []


def _timepoints(h: _Match) -> list[str]:
    text = h.text("tps")
    return parse_timepoints(text) if text else []


def _sentence_timepoint(norm: str) -> str | None:
    m = _AT_TIMEPOINT.search(norm)
    return parse_timepoints(m.group())[0] if m and parse_timepoints(m.group()) else None


# -- handlers ----------------------------------------------------------------------------------------
Handler = Callable[[_Match, OutcomeRules, SentenceState], list[Candidate]]


_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
#: A bracket holding at most one bracket of its own ("(95% CI [CI], 44 to 62; 6% with ...)"), and
#: one that ends the text it is searched in.
_CUT_BRACKET = re.compile(r"\s*[(\[](?:[^()\[\]]|[(\[][^()\[\]]*[)\]])*[)\]]")
_TRAILING_BRACKET = re.compile(_CUT_BRACKET.pattern + "$")
_GROUP_SIZES = frozenset({"N_ENROLLED", "N_EVALUABLE"})


#: Masked drug names compared or listed before a "respectively" list of values.
_COMPARED_DRUGS = re.compile(
    rf"{DRUG_CHAR}+(?:\s*(?:,\s*)?(?:\s(?:over|versus|vs\.?|and|or|compared\s+(?:with|to)|than)\s+|/)(?:the\s+)?{DRUG_CHAR}+)+",
    re.I,
)


_DRUG_RUN = re.compile(f"{DRUG_CHAR}+")


def _compared_drugs(norm: str, masked: str, before: int, count: int) -> list[tuple[str, int]]:
    """The names of the last run of ``count`` drugs compared before ``before``, with offsets."""
    runs = list(_COMPARED_DRUGS.finditer(masked, 0, before))
    if not runs:
        return []
    names = [m.span() for m in _DRUG_RUN.finditer(masked, *runs[-1].span())]
    if len(names) != count:
        return []
    return [(norm[start:end], start) for start, end in names]


def _paired_candidates(
    h: _Match,
    rules: OutcomeRules,
    state: SentenceState,
    measures: list[str | None],
    kind: str,
    *,
    time: bool = False,
    timepoints: list[str] | None = None,
) -> list[Candidate]:
    items = _value_items(h, rules, kind)
    listed = _listed_qualifiers(h, state)
    if (
        not listed
        and not any(q for _s, _e, q, _a in items)
        and len(items) > 1
        and len(state.last_qualifiers) == len(items)
    ):
        listed = state.last_qualifiers  # "corresponding median survival was 98 vs 138 days"
    if len(items) > 1 and not listed and h.span("resp") and not any(q for _s, _e, q, _a in items):
        # "did not favor nivolumab over docetaxel (median, 2.3 months and 4.2 months, respectively)":
        # the drugs compared before the values, in their order
        listed = _compared_drugs(h.norm, h.masked, h.m.start(), len(items))
    if len(items) == 2 and not listed and not any(q for _s, _e, q, _a in items):
        # "OS was longer with X than in the controls (median 10.4 vs 3.3 months)": the second is theirs
        # ... or named after the values: "Improved ORR (23.3% vs. 1.7%) ... in the donafenib group over placebo"
        c = _COMPARATOR.search(h.norm, 0, items[0][0]) or _COMPARATOR.search(h.norm, h.m.end())
        if c:
            items[1] = (items[1][0], items[1][1], c.group("cmp").strip(), c.start("cmp"))
    ci_header = bool(h.span("cihead"))
    default_unit = None
    if time:
        units = [parse_quantity(h.norm[s:e], time=True).unit for s, e, _q, _a in items]
        default_unit = next((u for u in reversed(units) if u), None)
    out = []
    for measure, timepoint, (start, end), qual, qual_at in _pair(measures, timepoints or [], items, listed):
        if measure is None:
            continue
        quantity = parse_quantity(h.norm[start:end], time=time, ci_header=ci_header, default_unit=default_unit)
        if kind == "percent" and quantity.ci is None and (aside := _CUT_BRACKET.match(h.norm, end)):
            # "23% (all partial responses; 95% CI, 10%-56%)": the bracket left to its categories
            # (:func:`_value_items`) still states the rate's CI
            quantity = replace(quantity, ci=parse_quantity(aside.group()).ci)
        if kind == "percent" and quantity.percent is None and _BARE_NUMBER.fullmatch(h.norm, start, end):
            # a list whose last value carries the sign: "81, 69, and 76%, respectively"
            quantity = replace(quantity, percent=float(h.norm[start:end]), count=None)
        if time and quantity.unit is None and not quantity.not_reached:
            continue
        if quantity.empty:
            continue
        out.append(
            h.candidate(
                measure,
                quantity,
                start,
                end,
                timepoint=timepoint,
                qualifier=qual,
                qualifier_start=(h.offset + qual_at) if qual_at is not None else None,
            )
        )
    return out


#: Outcome names before a rate that share its head noun: "the objective response and disease
#: control rates were 30% and 60%" (the match starts at the last name, "disease control rates").
_SHARED_RATE_HEAD = re.compile(
    r"(?<![\w-])(?P<names>(?:[\w-]+\s+){0,3}?[\w-]+)(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?$", re.I
)
SHARED_HEAD_CHARS = 60


def _shared_head_measures(h: _Match, rules: OutcomeRules) -> list[str | None]:
    """The measures of the names that share the matched rate's head noun, in order."""
    trig = h.span("trig")
    if trig is None or not re.search(r"\brates\b", h.text("trig"), re.I):
        return []  # "response and disease control rates": a shared head is plural
    head = _SHARED_RATE_HEAD.search(h.norm, max(0, h.m.start() - SHARED_HEAD_CHARS), h.m.start())
    if head is None:
        return []
    terms = measure_terms(rules, "rate", f"{head.group('names')} rate")
    return [t.measure for t in terms if t.measure]


def _rate(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    terms = measure_terms(rules, "rate", h.text("trig"))
    measures = [t.measure for t in terms] or ([h.pattern.measure] if h.pattern.measure else [])
    if len(measures) == 1:  # "the objective response and disease control rates"
        measures = _shared_head_measures(h, rules) + measures
    timepoints = _timepoints(h)
    found = _paired_candidates(h, rules, state, measures, "percent", timepoints=timepoints)
    region = h.span("region")
    counted = _COUNT_WITH_PERCENT.match(h.norm, region[0]) if region else None
    if counted and len(found) == 1 and found[0].quantity.count is None:
        # "was 11 patients (31%; 95% CI, 16-47%)": the count stated before its percent
        found[0] = replace(found[0], quantity=replace(found[0].quantity, count=int(counted.group("n"))))
    tail = h.span("tail")
    if tail and found and tail[1] > tail[0]:
        extra = parse_quantity(h.norm[tail[0] : tail[1]])
        q = found[0].quantity
        q = replace(q, ci=q.ci or extra.ci)
        if q.count is None and extra.denominator is not None:  # "31.6% ORR (24/76)"
            q = replace(q, count=extra.count, denominator=extra.denominator)
        found[0] = replace(found[0], quantity=q)
    return found


def _rate_subgroups(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    terms = measure_terms(rules, "rate", h.text("trig"))
    if not terms or terms[0].measure is None:
        return []
    region = h.span("region")
    out = []
    previous = region[0]
    for g in re.finditer(r"\(\s*\d{1,4}\s?/\s?\d{1,4}\s*[;,]\s*\d+(?:\.\d+)?\s?%\s*\)", h.norm[region[0] : region[1]]):
        start, end = region[0] + g.start(), region[0] + g.end()
        qual = _clean_qualifier(
            re.sub(
                r"\b(?:were|was|higher|lower|observed|in|the|subset|of|patients|with)\b",
                " ",
                h.norm[previous:start],
                flags=re.I,
            )
        )
        out.append(
            h.candidate(
                terms[0].measure,
                parse_quantity(h.norm[start:end]),
                start,
                end,
                qualifier=qual,
                qualifier_start=h.offset + previous,
            )
        )
        previous = end
    return out


#: The template whose region is a category's count split by group ("eight achieved partial response
#: (three with lenvatinib and five with dabrafenib plus trametinib)").
BREAKDOWN_BY_GROUP = "category-breakdown-by-group"
#: The template whose region lists categories with their percents ("30% (CR 10%, PR 20%)").
BRACKETED_CATEGORIES = "categories-in-bracket"
#: The template of an arm's size opening the bracket of its median ("than placebo [n = 48; median ...").
ARM_BRACKET_SIZE = "enrolled-arm-bracket-n"
#: The template of one percent split into complete and partial responses with their counts.
SPLIT_CATEGORIES = "pct-split-categories"
#: The template whose region lists counts before the categories they had, "respectively".
LISTED_COUNTS = "counts-had-categories-respectively"
#: A noun and a bracketed percent right after a count item ("2 of 6 patients (33%)").
_NOUN_AND_PERCENT = re.compile(r"\s*(?P<words>(?:[A-Za-z-]+\s+){0,2}?)\(\s*\d+(?:\.\d+)?\s*%[^()]*\)")
_PATIENT_NOUN = re.compile(r"\b(?:patients?|pts|cases?|subjects?|participants?)\b", re.I)
#: "x of y" items of a region, each a group's figure ("2 of 6 ... and in 1 of 5 ...").
_GROUP_OF_ITEMS = re.compile(r"\b\w+\s+(?:of|out\s+of)\s+\d{1,5}\b|\b\d{1,5}\s*/\s*\d{1,5}\b")


#: Categories a count may be stated for together ("complete or partial response"), and the
#: measure the union is: an objective response, or disease control (RECIST 1.1).
CATEGORY_UNIONS = {frozenset({"CR", "PR"}): "ORR", frozenset({"CR", "PR", "SD"}): "DCR"}
_EITHER = re.compile(r"\bor\b|/")


#: A count with its percent in brackets: "25 (25%)", the items of a list of counts.
_COUNT_WITH_PERCENT = re.compile(r"(?<![\d.])(?P<n>\d+)(?:\s+(?:patients|pts))?\s*\(\s*\d+(?:\.\d+)?\s*%")


_BRACKET_ITEM_VALUE = re.compile(r"(?P<pct>\d+(?:\.\d+)?)\s?%|[nN]\s*=\s*(?P<n>\d{1,4})")


def _bracketed_categories(h: _Match, rules: OutcomeRules, timepoints: list[str]) -> list[Candidate]:
    """ "30% (CR 10%, PR 20%)", "(partial response, n = 7; complete response, n = 0)": each
    category the bracket names, with the value that follows it."""
    region = h.span("region")
    if region is None:
        return []
    values = list(_BRACKET_ITEM_VALUE.finditer(h.norm, *region))
    out: list[Candidate] = []
    start = region[0]
    for value in values:
        between = h.norm[start : value.start()]
        terms = measure_terms(rules, "category", between)
        start = value.end()
        if not terms and out and value.group("n") is not None and between.strip() in (",", ";", ""):
            # "CR, 0%, N= 0": the count of the category just read
            last = out[-1]
            out[-1] = replace(last, quantity=replace(last.quantity, count=int(value.group("n"))))
            continue
        if len(terms) != 1 or terms[0].measure is None:
            continue
        if value.group("pct") is not None:
            quantity = Quantity(percent=float(value.group("pct")))
        else:
            count = int(value.group("n"))
            quantity = Quantity(count=count, percent=0.0 if count == 0 else None)
        out.append(
            h.candidate(terms[0].measure, quantity, *value.span(), timepoint=timepoints[0] if timepoints else None)
        )
    return out


_N_EQUALS = re.compile(r"[nN]\s*=\s*(\d{1,4})")


def _split_categories(h: _Match) -> list[Candidate]:
    """One percent of responders split into complete and partial responses with their counts
    ("61.2% of patients had a complete (n = 19) or partial response (n = 55)"): the percent is the
    ORR, the counts are CR and PR, in the template's order."""
    region, trig = h.span("region"), h.span("trig")
    if region is None or trig is None:
        return []
    out = [h.candidate("ORR", parse_quantity(h.norm[region[0] : region[1]]), *region)]
    for measure, m in zip(("CR", "PR"), _N_EQUALS.finditer(h.norm, *trig), strict=False):
        out.append(h.candidate(measure, Quantity(count=int(m.group(1))), *m.span(1)))
    return out


def _category(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    terms = measure_terms(rules, "category", h.text("trig"))
    measures = [t.measure for t in terms] or ([h.pattern.measure] if h.pattern.measure else [])
    region = h.span("region")
    region_text = h.norm[region[0] : region[1]]
    timepoints = _timepoints(h) or ([t] if (t := _sentence_timepoint(h.norm)) else [])
    # a list of values: "10 and 20%", "25 (25%) and 64 (65%)"
    listed = re.search(r"\d\s*%?\s*\)?\s*(?:,|\band\b)\s*\d", h.masked[region[0] : region[1]]) is not None
    if h.pattern.id == SPLIT_CATEGORIES:  # "61.2% had a complete (n = 19) or partial response (n = 55)"
        return _split_categories(h)
    if h.pattern.id == LISTED_COUNTS:  # "36 (76.6%) and 8 (17.0%) patients achieved PR and SD, respectively"
        return _paired_candidates(h, rules, state, measures, "count", timepoints=timepoints)
    if h.pattern.id == BRACKETED_CATEGORIES:  # each category with its own percent or "n =", in order
        return _bracketed_categories(h, rules, timepoints)
    if h.pattern.id == BREAKDOWN_BY_GROUP:  # "PR (three with lenvatinib and five with ...)": one count per group
        return _paired_candidates(h, rules, state, measures[:1], "count", timepoints=timepoints)
    if len(measures) == 1 and len(_GROUP_OF_ITEMS.findall(region_text)) > 1:
        # "observed in 2 of 6 patients (33%) with oncocytic carcinoma and in 1 of 5 (20%) with poorly DTC"
        return _paired_candidates(h, rules, state, measures, "count", timepoints=timepoints)
    if listed and len(measures) >= 1 and (h.span("resp") or len(measures) > 1 or h.span("tps")):
        counted = "%" not in region_text or _COUNT_WITH_PERCENT.search(region_text) is not None
        return _paired_candidates(h, rules, state, measures, "count" if counted else "percent", timepoints=timepoints)
    tail = f"{h.text('tail')} {h.text('tail2')}"  # tail2: a bracket after a qualifier ("for ATCs only (6/16)")
    quantity = parse_quantity(region_text + " " + tail)
    if quantity.count is None and quantity.percent is None:
        return []
    if quantity.count == 0 and quantity.percent is None:
        quantity = replace(quantity, percent=0.0)
    group = region_text if re.search(r"[A-Za-z]", region_text) else None
    qualifier = _clean_qualifier(h.text("postquals")) if h.span("postquals") else None
    qualifier_start = h.offset + h.norm.find(qualifier, h.span("postquals")[0]) if qualifier else None
    distinct = list(dict.fromkeys(m for m in measures if m))
    if len(distinct) > 1 and _EITHER.search(h.text("trig")):
        # "26 achieved partial response or complete response": one count for the categories
        # together, which is a rate measure only for the unions that define one
        union = CATEGORY_UNIONS.get(frozenset(distinct))
        distinct = [union] if union else []
    out = []
    for measure in distinct:
        out.append(
            h.candidate(
                measure,
                quantity,
                *region,
                timepoint=timepoints[0] if timepoints else None,
                group=group,
                group_start=h.offset + region[0] if group else None,
                qualifier=qualifier,
                qualifier_start=qualifier_start,
            )
        )
    return out


def _category_zero(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    terms = measure_terms(rules, "category", h.text("trig"))
    denominator = None
    if h.text("den"):
        denominator = parse_quantity(h.text("den")).count
    qual_span = h.span("postquals")
    qual = _clean_qualifier(h.norm[qual_span[0] : qual_span[1]]) if qual_span else None
    region = h.span("region")
    quantity = Quantity(count=0, percent=0.0, denominator=denominator)
    return [
        h.candidate(
            measure, quantity, *region, qualifier=qual, qualifier_start=(h.offset + qual_span[0]) if qual else None
        )
        for measure in dict.fromkeys(t.measure for t in terms if t.measure)
    ]


def _category_adjectives(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    region = h.span("region")
    out = []
    for m in re.finditer(r"(\S+(?:[- ]\S+)?)\s+(complete|partial)", h.norm[region[0] : region[1]], re.I):
        quantity = parse_quantity(m.group(1))
        if quantity.count is None:
            continue
        measure = "CR" if m.group(2).lower() == "complete" else "PR"
        out.append(h.candidate(measure, quantity, region[0] + m.start(), region[0] + m.end()))
    return out


_RESPONSES_BEFORE = re.compile(r"\b(?:respon(?:se|ses|ded|ders|ding)|remissions?)\b", re.I)


def _median(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    terms = measure_terms(rules, "time", h.text("trig"))
    if h.pattern.measure and not terms:
        # "Responses were durable, with a median duration of 11.1 months": the template names the
        # measure; the sentence must have spoken of responses before the median
        if not _RESPONSES_BEFORE.search(h.norm, 0, h.m.start()):
            return []
        return _paired_candidates(h, rules, state, [h.pattern.measure], "time", time=True)
    if not terms:
        return []
    measures = [t.measure for t in terms]
    if h.text("region").strip().lower() in ("reached", "attained"):  # "neither median PFS nor OS had been reached"
        region = h.span("region")
        return [h.candidate(m, Quantity(not_reached=True), *region) for m in measures if m]
    found = _paired_candidates(h, rules, state, measures, "time", time=True)
    if not any(measures):
        _listed_qualifiers(h, state)  # a TTP list still names the groups a following median shares
    return found


#: The control arm a "from ... to ..." change is measured against, named after it.
_CHANGE_COMPARATOR = re.compile(
    r"\s*,?\s+(?:compared\s+(?:with|to)|versus|vs\.?|over|relative\s+to)\s+(?:the\s+)?"
    r"(?P<cmp>(?:[\w-]+\s+){0,2}?(?:placebo|controls?|observation|best\s+supportive\s+care|BSC)(?:\s+(?:arm|group))?)\b",
    re.I,
)


#: A change of a median, the verb before the measure: "prolonged the median PFS from ... to ...".
_CHANGE_VERB = re.compile(r"\b(?:prolong|improv|increas|extend|lengthen|doubl)\w*\s+(?:the\s+)?$", re.I)
_FROM_TO = re.compile(
    r"(?P<a>\d+(?:\.\d+)?)\s*(?P<ua>[a-z]+)?[^\d]*?\s(?:to)\s+(?P<b>\d+(?:\.\d+)?)\s*(?P<ub>[a-z]+)", re.I
)


def _median_change(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """A median moved "from" the control arm's value "to" the treated arm's: "anlotinib
    prolonged the median PFS from 11.1 months to 20.7 months compared with placebo". The first
    value is the control's (the arm named after the change, else "controls"); the second the
    treatment's. Without a verb of change before the measure, "from ... to" is a range."""
    if not _CHANGE_VERB.search(h.norm, max(0, h.m.start() - 40), h.m.start()):
        return []
    measures = [t.measure for t in measure_terms(rules, "time", h.text("trig")) if t.measure]
    region = h.span("region")
    values = _FROM_TO.match(h.norm, *region) if region else None
    if len(measures) != 1 or values is None:
        return []
    unit = unit_norm(values.group("ub"))
    first_unit = unit_norm(values.group("ua")) or unit
    if unit is None or first_unit != unit:
        return []
    control = _CHANGE_COMPARATOR.match(h.norm, h.m.end())
    name, at = (control.group("cmp"), control.start("cmp")) if control else ("controls", None)
    return [
        h.candidate(
            measures[0],
            Quantity(value=float(values.group("a")), unit=unit),
            *values.span("a"),
            qualifier=name,
            qualifier_start=(h.offset + at) if at is not None else None,
        ),
        h.candidate(measures[0], Quantity(value=float(values.group("b")), unit=unit), *values.span("b")),
    ]


_LIST_PART = re.compile(r"\s*(?:,\s*(?:and\s+)?|\band\b)\s*", re.I)
_MIXED_VALUE = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s?%|(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>months?|weeks?|days?|years?|mos?)\b", re.I
)


def _mixed_list(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """Medians and rates listed together, their values in the same order: "the median
    progression-free survival, overall survival, and objective response rate were 27.5 months,
    60.8 months, and 19.0%, respectively". Each name is a rate when it says "rate", else a median."""
    measures: list[tuple[str, bool]] = []  # (measure, is a rate)
    for part in _LIST_PART.split(h.text("trig")):
        rate = measure_terms(rules, "rate", part) if re.search(r"\brates?\b|\b[A-Z]{2,4}R\b", part) else []
        terms = rate or measure_terms(rules, "time", part)
        if len(terms) != 1 or terms[0].measure is None:
            return []
        measures.append((terms[0].measure, bool(rate)))
    if len({is_rate for _m, is_rate in measures}) < 2:
        return []  # one kind only: the median and rate templates read it
    region = h.span("region")
    masked_brackets = re.sub(r"[(\[][^()\[\]]*[)\]]", lambda b: " " * len(b.group()), h.norm[region[0] : region[1]])
    values = list(_MIXED_VALUE.finditer(masked_brackets))
    if len(values) != len(measures):
        return []
    out = []
    for (measure, is_rate), value in zip(measures, values, strict=True):
        if is_rate != (value.group("pct") is not None):
            return []
        start, end = region[0] + value.start(), region[0] + value.end()
        aside = _CUT_BRACKET.match(h.norm, end)
        stated = h.norm[start : aside.end() if aside else end]
        out.append(h.candidate(measure, parse_quantity(stated, time=not is_rate), start, end))
    return out


def _median_context(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """A bare "median" whose outcome the sentence named before it: "Sorafenib improved PFS
    compared with placebo (hazard ratio, 0.59; ...; median 10.8 vs. 5.8 months, respectively)"."""
    start = h.m.start()
    named = list(rules.role_regex["time"].finditer(h.norm, max(0, start - MEDIAN_CONTEXT_CHARS), start))
    if not named:
        return []
    terms = measure_terms(rules, "time", named[-1].group())
    if not terms or terms[0].measure is None:
        return []  # the nearest outcome is not a contract measure ("follow-up", "time to progression")
    found = _paired_candidates(h, rules, state, [terms[0].measure], "time", time=True)
    if len(found) == 1 and found[0].qualifier is None:
        # "... longer with lenvatinib [n = 103; median 23.9 months] than placebo [n = 48; median 3.7
        # months]": the arm compared, named before the bracket that holds the median
        opening = max(h.norm.rfind("[", 0, start), h.norm.rfind("(", 0, start))
        closing = max(h.norm.rfind("]", 0, start), h.norm.rfind(")", 0, start))
        if opening > closing:
            found[0] = _with_arm_before(h, found[0], opening)
    return found


def _corresponding(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """Values that restate the sentence's last measure for another group: "median OS was 44.3
    months for cabozantinib versus 18.9 months for placebo ..., with corresponding values of
    20.2 versus 21.5 months in the RET M918T-negative subgroup"."""
    before = sorted(
        (c for c in state.found if c.value_start - h.offset < h.m.start() and c.measure not in _GROUP_SIZES),
        key=lambda c: c.value_start,
    )
    if not before and state.previous and h.pattern.id == "anaphoric-values":
        # "the median OS and PFS was 43.24 months and 13.93 months. For cohort 2, they were 8.74 months
        # and 4.80 months": the measures of the last list of the sentence before, in their order
        ordered = sorted((c for c in state.previous if c.measure not in _GROUP_SIZES), key=lambda c: c.value_start)
        if not ordered:
            return []
        last = ordered[-1]
        group = [c for c in ordered if c.rule == last.rule and c.trig_start == last.trig_start]
        measures = list(dict.fromkeys(c.measure for c in group))
        time = last.quantity.value is not None or last.quantity.not_reached
        return _paired_candidates(h, rules, state, measures, "time" if time else "percent", time=time)
    if not before:
        return []
    last = before[-1]
    time = last.quantity.value is not None or last.quantity.not_reached
    group = [c for c in before if c.rule == last.rule and c.trig_start == last.trig_start and c.measure == last.measure]
    state.last_qualifiers = []
    if all(c.qualifier for c in group) and all(c.qualifier_start is not None for c in group):
        # the groups of the earlier list, in its order ("for cabozantinib versus ... for placebo")
        state.last_qualifiers = [(c.qualifier, c.qualifier_start - h.offset) for c in group]  # type: ignore[misc]
    timepoints = [last.timepoint] if last.timepoint else []
    found = _paired_candidates(
        h, rules, state, [last.measure], "time" if time else "percent", time=time, timepoints=timepoints
    )
    if len(found) == len(group) > 1 and state.last_qualifiers:
        # the arms of the earlier list name each value's group; a shared "in the ... subgroup" does not
        found = [
            replace(c, qualifier=q, qualifier_start=h.offset + at)
            for c, (q, at) in zip(found, state.last_qualifiers, strict=True)
        ]
    return found


def _landmark_continued(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """A second outcome at the time point of the landmark rate before it: "had 12-month OS of
    93.6% [CI 84.9-100] and PFS of 84.4% [CI 71.8-96.7]"."""
    before = [c for c in state.found if c.value_start - h.offset < h.m.start() and c.timepoint]
    if not before:
        return []
    last = max(before, key=lambda c: c.value_start)
    if not last.measure.endswith("_RATE"):
        return []
    if h.span("tps"):  # "OS at 12 months was 58% and at 18 months was 43%": the same outcome, later
        return _paired_candidates(h, rules, state, [last.measure], "percent", timepoints=_timepoints(h))
    measures = [t.rate_measure for t in measure_terms(rules, "time", h.text("trig"))]
    return _paired_candidates(h, rules, state, measures, "percent", timepoints=[last.timepoint])


_VALUE_AT = re.compile(
    r"(?P<value>\d+(?:\.\d+)?\s?%(?:\s*[(\[][^()\[\]]*[)\]])?)\s+(?:at|after)\s+(?P<tp>\S+\s+\S+)", re.I
)


def _landmark_value_at(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """Rates each followed by its own time point: "The PFS rates were 21% at four years and 19% at five years"."""
    terms = measure_terms(rules, "time", h.text("trig"))
    if not terms or terms[0].rate_measure is None:
        return []
    region = h.span("region")
    out = []
    for m in _VALUE_AT.finditer(h.norm, *region):
        points = parse_timepoints(m.group("tp"))
        quantity = parse_quantity(m.group("value"))
        if points and quantity.percent is not None:
            out.append(
                h.candidate(
                    terms[0].rate_measure,
                    replace(quantity, count=None),
                    m.start("value"),
                    m.end("value"),
                    timepoint=points[0],
                )
            )
    return out


def _median_landmark(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    terms = measure_terms(rules, "time", h.text("trig"))
    if not terms:
        return []
    out = []
    region, tail = h.span("region"), h.span("tail")
    median = parse_quantity(h.norm[region[0] : region[1]], time=True)
    if terms[0].measure and median.value is not None and median.unit:
        out.append(h.candidate(terms[0].measure, median, *region))
    rate = parse_quantity(h.norm[tail[0] : tail[1]])
    timepoints = _timepoints(h)
    if terms[0].rate_measure and rate.percent is not None and timepoints:
        out.append(h.candidate(terms[0].rate_measure, rate, *tail, timepoint=timepoints[0]))
    return out


def _landmark(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    if h.pattern.measure:
        measures: list[str | None] = [h.pattern.measure]
    else:
        measures = [t.rate_measure for t in measure_terms(rules, "time", h.text("trig"))]
    timepoints = _timepoints(h)
    if not timepoints:
        return []
    found = _paired_candidates(h, rules, state, measures, "percent", timepoints=timepoints)
    return [c for c in found if c.timepoint]


def _enrolled(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    words = f"{h.text('trig')} {h.text('trig2')}"
    measure = h.pattern.measure or ("N_EVALUABLE" if _EVALUABLE_WORDS.search(words) else "N_ENROLLED")
    if measure == "N_ENROLLED" and h.pattern.measure is None and _EFFICACY_SET.match(h.norm, h.m.end()):
        measure = "N_EVALUABLE"  # "29 were included in the primary efficacy analysis"
    region = h.span("region")
    out = []
    items = [i.span() for i in rules.item_regex["n_item"].finditer(h.masked, *region)]
    if not items or h.pattern.id == "evaluable-of":
        items = [(region[0], region[0])]
    subgroup_hint = None
    obj = h.span("obj")
    if obj:
        subgroup_hint = h.norm[obj[0] : obj[1]]
    quals = h.span("quals")
    if quals and h.pattern.anchor.match(h.masked, quals[0]):
        before = _WORDS_BEFORE.search(h.masked, 0, quals[0])  # "the CP/fosbretabulin" + "arm (n=55"
        quals = (before.start() if before else quals[0], quals[1])
    for i, (start, count_end) in enumerate(items):
        stop = items[i + 1][0] if i + 1 < len(items) else region[1]
        np_end = _VERB_START.search(h.norm, count_end, stop)
        noun_phrase = h.norm[count_end : np_end.start() if np_end else stop]
        if _SUBSET_PERCENT.match(h.norm, count_end) or _PERCENT_IN_NP.search(noun_phrase):
            continue  # "seven (50%) patients", "29 patients (2.4%)": a subset, not a group size
        if _NOT_TREATED.search(noun_phrase):
            continue  # "121 control subjects", "healthy volunteers"
        item_text = h.norm[start:stop]
        if count_end == start:  # the region is the count alone ("Among the 5 ATC patients recruited"):
            clause_end = _CLAUSE_END.search(h.norm, region[1])  # the group is the rest of its phrase
            item_text = h.norm[start : clause_end.start() if clause_end else len(h.norm)]
        quantity = parse_quantity(h.norm[start:count_end] if count_end > start else h.norm[region[0] : region[1]])
        if quantity.count is None:
            continue
        if h.pattern.id != "evaluable-of":
            quantity = replace(quantity, denominator=None, percent=None)
        out.append(
            h.candidate(
                measure,
                quantity,
                start,
                stop,
                group=item_text,
                group_start=h.offset + start,
                qualifier=h.norm[quals[0] : quals[1]] if quals else subgroup_hint,
                qualifier_start=h.offset + (quals or obj or (start, 0))[0],
            )
        )
    enr = h.span("enr")
    if enr and out and out[0].quantity.denominator:
        out.append(
            h.candidate(
                "N_ENROLLED",
                Quantity(count=out[0].quantity.denominator),
                *region,
                group=out[0].group,
                group_start=out[0].group_start,
            )
        )
    if h.pattern.id == ARM_BRACKET_SIZE and len(out) == 1:
        out[0] = _with_arm_before(h, out[0], h.m.start())  # "... than placebo [n = 48; median 3.7 months]"
    return out


_ARM_SIZE = re.compile(
    r"(?P<name>[^\W\d_][^,;()|]{0,40}?)(?:\s*\(\s*(?:[nN]\s*[=:]\s*)?(?P<n>\d{1,5})(?:\s+[a-z]+)?\s*\)"
    r"|(?:\s*,\s*|\s+)[nN]\s*[=:]\s*(?P<n2>\d{1,5})(?=\s*[;,)|]|\s*$))"
)
_ARM_TO = re.compile(
    r"(?P<n>\d{1,5})\s+(?:[a-z]+\s+)?(?:(?:were|was)\s+(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated)\s+)?"
    r"(?:to|in|on)\s+(?:the\s+)?(?P<name>[^,;()]{1,40}?)(?=\s*(?:[,;.]|$|\s(?:and|or|versus|vs\.?)\s))"
)
_BREAKDOWN_ITEM = re.compile(r"(?P<name>[^,;]+?)\s+(?i:in)\s+(?P<n>\d{1,5}|[A-Za-z]+(?:-[A-Za-z]+)?)\b")


def _enrolled_treated(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """An enrolment phrasing that many non-treatment studies share ("group (50 subjects)", "data
    were collected from 90 subjects"): a figure only where its clause names a drug."""
    before = max(h.masked.rfind(",", 0, h.m.start()), h.masked.rfind(";", 0, h.m.start())) + 1
    ends = [i for i in (h.masked.find(c, h.m.end()) for c in ",;(") if i >= 0]
    clause = h.masked[before : min(ends) if ends else len(h.masked)]
    return _enrolled(h, rules, state) if DRUG_CHAR in clause else []


def _enrolled_with_outcome(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """A group size stated inline ("Patients who had surgery before BRAF-directed therapy (n = 12)
    had 12-month OS of 74.1%"): a figure only where the sentence also states the group's outcome."""
    if not any(c.measure not in ("N_ENROLLED", "N_EVALUABLE") for c in state.found):
        return []
    return _enrolled(h, rules, state)


def _enrolled_arms(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """Arms with their sizes: "randomized to sorafenib (n=207) or placebo (n=210)", a table's
    header row "Pazopanib (n=36) | Placebo (n=35) |". The arm's name qualifies its count."""
    region = h.span("region")
    out = []
    if h.span("enr"):  # "113 pts (76 in anlotinib arm and 37 in placebo arm) were enrolled": the total too
        total = parse_quantity(h.text("enr"))
        if total.count is not None:
            out.append(h.candidate("N_ENROLLED", Quantity(count=total.count), *h.span("enr")))
    if h.pattern.id in (
        "enrolled-arms-to",
        "enrolled-arms-in",
        "enrolled-assigned-then-to",
    ):  # "62 to anlotinib arm", "(76 in anlotinib arm ...)"
        for m in _ARM_TO.finditer(h.norm, *region):
            name = _clean_qualifier(m.group("name"))
            if name:
                out.append(
                    h.candidate(
                        "N_ENROLLED",
                        Quantity(count=int(m.group("n"))),
                        m.start("n"),
                        m.end("n"),
                        qualifier=name,
                        qualifier_start=h.offset + m.start("name"),
                    )
                )
        return out
    for m in _ARM_SIZE.finditer(h.norm, *region):
        name = _clean_qualifier(m.group("name"))
        if name is None:
            continue
        start = m.start("name") + m.group("name").find(name[:8])
        n = "n" if m.group("n") else "n2"
        out.append(
            h.candidate(
                "N_ENROLLED",
                Quantity(count=int(m.group(n))),
                m.start(n),
                m.end(n),
                qualifier=name,
                qualifier_start=h.offset + start,
            )
        )
    return out


def _breakdown(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """A population's histologies, each with its count: "Tumour histology was papillary (PTC)
    in 20 (69%) patients, follicular (FTC) in 2 (7%), and anaplastic (ATC) in 7 (24%) patients"."""
    return _group_sizes(h, _BREAKDOWN_ITEM)


#: One "<count> <histology>" item of a bracketed breakdown ("7 MTC", "28 WDTC patients").
_COUNT_ITEM = re.compile(
    r"(?<![\w-])(?P<n>\d{1,5}|(?!(?:and|or)\b)[A-Za-z]+(?:-[A-Za-z]+)?)\s+(?P<name>[^,;()]+?)(?=\s*(?:[,;)]|$|\s(?:and|or)\s))"
)


def _breakdown_counts(h: _Match, rules: OutcomeRules, state: SentenceState) -> list[Candidate]:
    """A population's histologies as counts in a bracket after its size: "Thirty-five patients
    were enrolled (7 MTC, 28 WDTC)". Each count is the size of its histology's group."""
    return _group_sizes(h, _COUNT_ITEM)


def _group_sizes(h: _Match, item: re.Pattern[str]) -> list[Candidate]:
    """Each item of the region (its ``n`` and ``name`` groups) as the size of the group it names."""
    out = []
    for m in item.finditer(h.masked, *h.span("region")):
        count = parse_quantity(h.norm[m.start("n") : m.end("n")]).count
        name = _clean_qualifier(h.norm[m.start("name") : m.end("name")])
        if count is None or name is None:
            continue
        start = m.start("name") + h.norm[m.start("name") : m.end("name")].find(name[:8])
        out.append(
            h.candidate(
                "N_ENROLLED",
                Quantity(count=count),
                m.start("n"),
                m.end("n"),
                group=name,
                group_start=h.offset + start,
            )
        )
    return out


HANDLERS: dict[str, Handler] = {
    "rate": _rate,
    "rate_subgroups": _rate_subgroups,
    "category": _category,
    "category_zero": _category_zero,
    "category_adjectives": _category_adjectives,
    "median": _median,
    "median_context": _median_context,
    "median_change": _median_change,
    "mixed_list": _mixed_list,
    "corresponding": _corresponding,
    "landmark_continued": _landmark_continued,
    "landmark_value_at": _landmark_value_at,
    "median_landmark": _median_landmark,
    "landmark": _landmark,
    "enrolled": _enrolled,
    "enrolled_arms": _enrolled_arms,
    "enrolled_treated": _enrolled_treated,
    "enrolled_with_outcome": _enrolled_with_outcome,
    "breakdown": _breakdown,
    "breakdown_counts": _breakdown_counts,
    "evaluable": _enrolled,
}


# -- masking and vetoes --------------------------------------------------------------------------------
def mask(
    rules: OutcomeRules,
    norm: str,
    drug_spans: Iterable[tuple[int, int]] = (),
    possible: Sequence[bool] | None = None,
) -> str:
    """``norm`` with excluded spans blanked to '#' and drug names to '§' (same length).

    ``possible``: which masks can match ``norm`` (:meth:`OutcomeRules.screened`), if known."""
    if possible is None:
        possible = _screened(rules.mask_screen, norm, len(rules.masks))
    spans = sorted(
        m.span()
        for exclusion, can_match in zip(rules.masks, possible, strict=True)
        if can_match
        for m in exclusion.regex.finditer(norm)
        if m.end() > m.start()
    )
    parts = []
    position = 0
    for start, end in spans:
        if end <= position:
            continue
        start = max(start, position)
        parts += [norm[position:start], MASK_CHAR * (end - start)]
        position = end
    parts.append(norm[position:])
    masked = "".join(parts)
    for start, end in drug_spans:
        masked = masked[:start] + DRUG_CHAR * (end - start) + masked[end:]
    return masked


def _screened(screen: LiteralScreen | None, text: str, count: int) -> list[bool]:
    """Which of ``count`` regexes can match ``text`` (all of them without a screen)."""
    return screen.possible(screen.present(text)) if screen is not None else [True] * count


def _clause(norm: str, position: int) -> tuple[int, int]:
    """The clause around ``position``: between the breaks (";", ", but" ...) outside brackets.
    A break inside a bracket ("23 patients analysed (14 males; mean age 64 years)") parts the
    aside, not the clause."""
    start, end = 0, len(norm)
    for m in _CLAUSE_BREAK.finditer(norm):
        if _bracket_depth(norm, m.start()) > 0:
            continue
        if m.end() <= position:
            start = m.end()
        elif m.start() >= position:
            end = m.start()
            break
    return start, end


_WITH_PHRASE = re.compile(r",\s+with\s+(?:an?\s+|the\s+)?")


def _with_phrase_start(norm: str, start: int, position: int) -> int:
    """Where the ", with ..." phrase holding ``position`` starts (outside brackets), else ``start``."""
    found = start
    for m in _WITH_PHRASE.finditer(norm, start, position):
        if _bracket_depth(norm, m.start()) == 0:
            found = m.end()
    return found


def _bracket_depth(text: str, position: int) -> int:
    """How many round or square brackets are open at ``position``."""
    depth = 0
    for char in text[:position]:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
    return depth


def template_matches(
    rules: OutcomeRules, pattern_id: str, sentence: str, drug_spans: Iterable[tuple[int, int]] = ()
) -> list[re.Match[str]]:
    """The matches of one template on a sentence, as the extractor sees it (normalised, masked, anchored).

    For rule authors and the test that runs every template's examples.
    """
    pattern = next(p for p in rules.patterns if p.id == pattern_id)
    norm = normalise(sentence)
    starts = [a.start() for a in pattern.anchor.finditer(norm)]
    return list(_anchored(pattern.regex, mask(rules, norm, drug_spans), starts))


def _anchored(regex: re.Pattern[str], text: str, starts: list[int]) -> Iterable[re.Match[str]]:
    """Like ``regex.finditer(text)``, trying only the anchor positions (non-overlapping, in order)."""
    end = -1
    for start in starts:
        if start < end:
            continue
        m = regex.match(text, start)
        if m is not None:
            yield m
            end = m.end() if m.end() > start else start + 1


def _next_break(text: str, start: int) -> int:
    """The next comma or semicolon after ``start`` outside brackets (or the end)."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0:
            return i
    return len(text)


def vetoed(rules: OutcomeRules, kind: str, norm: str, value_start: int, value_end: int, trig_start: int) -> str | None:
    """The id of the exclusion that vetoes a figure at these sentence offsets, or None."""
    clause_start, clause_end = _clause(norm, value_start)
    # A clause speaks for a figure up to the figure and the phrase that follows it, not beyond
    # the next comma ("... was 31.5%, with adverse events consistent with ...").
    clause_end = min(clause_end, _next_break(norm, value_end))
    # "Tumour shrinkage was seen in 10 patients, with an objective response in 4 (20%)": a
    # figure whose measure opens a ", with ..." phrase is that phrase's, not the clause's subject's
    clause_start = max(clause_start, _with_phrase_start(norm, clause_start, min(trig_start, value_start)))
    clause = norm[clause_start:clause_end]
    for g in _PAREN_GROUP.finditer(clause):  # an aside does not speak for the whole clause ("(planned, 180)")
        if not (clause_start + g.start() <= value_start < clause_start + g.end()):
            clause = clause[: g.start()] + " " * (g.end() - g.start()) + clause[g.end() :]
    for exclusion in rules.vetoes:
        if exclusion.applies_to is not None and kind not in exclusion.applies_to:
            continue
        if exclusion.scope == "sentence":
            text = norm
        elif exclusion.scope == "clause":
            text = clause
        elif exclusion.scope == "after":
            text = norm[value_end:clause_end]  # what the clause says of the figure's own count
        else:
            text = norm[max(clause_start, trig_start - TRIGGER_WINDOW) : trig_start]
            cut = max(text.rfind(","), text.rfind(" and "), text.rfind(")"), text.rfind("("))
            text = text[cut + 1 :] if cut >= 0 else text  # the measure's own phrase only
        if exclusion.regex.search(text):
            return exclusion.id
    return None


def find_in_sentence(
    rules: OutcomeRules,
    sentence: str,
    *,
    offset: int = 0,
    index: int = 0,
    drug_spans: Iterable[tuple[int, int]] = (),
    roles: frozenset[str] | None = None,
    previous: Sequence[Candidate] = (),
) -> list[Candidate]:
    """Candidate figures in one sentence (offsets shifted by ``offset``).

    ``previous``: the figures of the sentence before, which "they were 8.74 and 4.80 months" restates.

    ``roles``: the gate roles the caller found in the (already normalised) sentence; without
    them the sentence is normalised and scanned here.
    """
    if roles is None:
        sentence = normalise(sentence)
        scan = rules.scanner.scan(sentence)
        if not scan.get("number"):
            return []
        roles = frozenset(role for role in scan if role not in ("number", "patients"))
        if scan.get("patients"):
            roles |= {"enrol"}
    norm = sentence
    # Anchors are found on the unmasked text (a superset of where a masked match can start);
    # a sentence where no template can start is never masked.
    # An anchor whose literals the sentence lacks cannot match it (the screen reads the text once).
    # A template whose own literals the sentence lacks is not tried either.
    positions: dict[int, list[int]] = {}
    met = rules.clauses_met(norm)
    runnable = []
    for pattern, needs, anchor_needs in rules.patterns_for(roles):
        if not needs <= met:
            continue
        starts = positions.get(pattern.anchor_index)
        if starts is None:
            starts = positions[pattern.anchor_index] = (
                [a.start() for a in pattern.anchor.finditer(norm)] if anchor_needs <= met else []
            )
        if starts:
            runnable.append((pattern, starts))
    if not runnable:
        return []
    masked = mask(rules, norm, drug_spans, rules.masks_possible(met))
    state = SentenceState(previous=list(previous))
    taken: list[tuple[int, int]] = []
    found: list[Candidate] = []
    for pattern, starts in runnable:
        for m in _anchored(pattern.regex, masked, starts):
            region = m.span("region")
            if any(region[0] < e and s < region[1] for s, e in taken):
                continue
            h = _Match(m, pattern, norm, masked, offset, index)
            candidates = HANDLERS[pattern.kind](h, rules, state)
            verdicts = [
                vetoed(rules, pattern.kind, norm, c.value_start - offset, c.value_end - offset, c.trig_start - offset)
                for c in candidates
            ]
            released = [v is not None and v in rules.releasing for v in verdicts]
            if candidates and all(released):
                continue  # the template misread these numbers: the others may read them
            state.found.extend(candidates)
            # The numbers a match read are taken; a match that yields nothing (a TTP) takes its region.
            taken.extend([(c.value_start - offset, c.value_end - offset) for c in candidates] or [region])
            for c, veto in zip(candidates, verdicts, strict=True):
                if veto is not None:
                    continue
                if c.qualifier is None and c.measure not in ("N_ENROLLED", "N_EVALUABLE"):
                    trailing = _TRAILING_QUALIFIER.match(
                        norm, m.end(), min(len(norm), m.end() + TRAILING_QUALIFIER_CHARS)
                    )
                    if trailing:
                        c = replace(c, qualifier=trailing.group("q"), qualifier_start=offset + trailing.start("q"))
                found.append(c)
    return _merge(_group_denominators(found))


#: Templates whose count names the group a sentence's other figures are out of
#: ("Among the 20 recruited patients, the disease control rate was 35%": denominator 20;
#: "Of the 15 evaluable patients, 3 (20%) had a partial response": denominator 15).
GROUP_RULES = frozenset({"enrolled-group", "evaluable-group"})


def _group_denominators(found: list[Candidate]) -> list[Candidate]:
    groups = [c for c in found if c.rule in GROUP_RULES and c.quantity.count]
    if not groups:
        return found
    out = []
    for c in found:
        q = c.quantity
        if (
            c.rule not in GROUP_RULES
            and c.measure not in ("N_ENROLLED", "N_EVALUABLE")
            and q.denominator is None
            and (q.count is not None or q.percent is not None)
            and q.value is None
        ):
            group = groups[0].quantity.count
            if q.count is None or q.count <= group:
                c = replace(c, quantity=replace(q, denominator=group))
        out.append(c)
    return out


def _merge(candidates: list[Candidate]) -> list[Candidate]:
    """One figure per (measure, numbers, qualifier): 'no responses ... (response rate = 0%)' is one."""
    out: list[Candidate] = []
    for c in candidates:
        twin = next(
            (
                o
                for o in out
                if o.measure == c.measure
                and o.sentence == c.sentence
                and o.timepoint == c.timepoint
                and (o.qualifier or None) == (c.qualifier or None)
                and _compatible(o.quantity, c.quantity)
            ),
            None,
        )
        if twin is None:
            out.append(c)
            continue
        a, b = twin.quantity, c.quantity
        merged = Quantity(
            percent=a.percent if a.percent is not None else b.percent,
            count=a.count if a.count is not None else b.count,
            denominator=a.denominator if a.denominator is not None else b.denominator,
            value=a.value if a.value is not None else b.value,
            unit=a.unit or b.unit,
            ci=a.ci or b.ci,
            not_reached=a.not_reached or b.not_reached,
        )
        out[out.index(twin)] = replace(twin, quantity=merged, group=twin.group or c.group)
    return out


def _compatible(a: Quantity, b: Quantity) -> bool:
    pairs = ((a.percent, b.percent), (a.count, b.count), (a.value, b.value), (a.denominator, b.denominator))
    shared = [(x, y) for x, y in pairs if x is not None and y is not None]
    if any(x != y for x, y in shared):
        return False
    return bool(shared) or (a.not_reached and b.not_reached)


# -- tables rendered as text ------------------------------------------------------------------------------
#: A table row as a conference abstract's page renders it: cells between "|".
_CELL = re.compile(r"[^|]+")
_TABLE_ARM = re.compile(r"^\s*(?P<name>[^\W\d_][^|()]{0,40}?)\s*\(?\s*[nN]\s*[=:]\s*(?P<n>\d{1,5})\s*\)?\s*$")
_ROW_TIMEPOINT = re.compile(r"^\s*(?:\d{1,3}|[A-Za-z]+)[- ]?(?:years?|months?|weeks?|yr|mo|wk)s?\s*$", re.I)
_ROW_CI = re.compile(r"[\[(]\s*(\d+(?:\.\d+)?)\s*%?\s*(?:-|to|,)\s*(\d+(?:\.\d+)?)\s*%?\s*[\])]")
_ROW_RATE = re.compile(r"\brates?\b|%|\bprobabilit", re.I)
_ROW_UNIT = re.compile(r",\s*(months?|mos?|weeks?|wks?|days?|years?)\b", re.I)
_MEDIAN_WORD = re.compile(r"\bmedian\b", re.I)


def _cells(norm: str, start: int, end: int) -> list[tuple[str, int]]:
    """The cells of a table row (text, document offset), empty cells included."""
    return [(m.group(), m.start()) for m in _CELL.finditer(norm, start, end)]


def table_candidates(rules: OutcomeRules, norm: str, spans: Sequence[tuple[int, int, str | None]]) -> list[Candidate]:
    """Figures of a table rendered as text, one cell per arm (a conference abstract):

    ``Pazopanib (n=36) | Placebo (n=35) | |`` (a header: one column per arm), ``OS rate (95% CI) | ||``
    (a section: the landmark measure of the rows below), ``1-year | 37.1% (21.1-53.2%) | 29.0% (13.2-44.8%) |``
    (a time-point row), ``Median OS, mo (95% CI) | 33.1 (26.0, 35.9) | 25.7 (19.6, 32.8) |`` (a measure
    row). A row that names neither a time point nor a contract measure ends the section ("Highest
    treatment-related AE"); the header's arms are each value's qualifier.
    """
    out: list[Candidate] = []
    arms: list[tuple[str, int]] = []
    section: MeasureTerm | None = None  # the landmark outcome a section row announced
    section_ci = False
    for index, (start, end, section_name) in enumerate(spans):
        if "|" not in norm[start:end]:
            arms, section = [], None
            continue
        if section_name in NON_RESULT_SECTIONS:
            continue
        cells = _cells(norm, start, end)
        named = [(m, offset) for text, offset in cells if (m := _TABLE_ARM.match(text))]
        if len(named) >= 2:
            arms = [(m.group("name").strip(), offset + m.start("name")) for m, offset in named]
            section = None
            continue
        if not cells:
            continue
        label = cells[0][0]
        values = [(text, offset) for text, offset in cells[1:] if text.strip()]
        time_terms = measure_terms(rules, "time", label)
        rate_terms = measure_terms(rules, "rate", label)
        if not values:  # a section row: "OS rate (95% CI) | ||"
            rate_section = time_terms and _ROW_RATE.search(label)
            section = time_terms[0] if rate_section else None
            section_ci = "CI" in label
            continue
        timepoint = None
        if _ROW_TIMEPOINT.match(label) and section is not None:
            points = parse_timepoints(label)
            measure, time, timepoint, with_ci = section.rate_measure, False, points[0] if points else None, section_ci
        elif time_terms and _MEDIAN_WORD.search(label):
            measure, time, with_ci, section = time_terms[0].measure, True, "CI" in label, None
        elif rate_terms and not time_terms:
            measure, time, with_ci, section = rate_terms[0].measure, False, "CI" in label, None
        else:
            section = None  # an adverse-event row, a hazard ratio, deaths: the section ends
            continue
        if measure is None or (measure.endswith("_RATE") and timepoint is None):
            continue
        unit = _ROW_UNIT.search(label)
        for column, (text, offset) in enumerate(values):
            quantity = parse_quantity(text, time=time, default_unit=unit_norm(unit.group(1)) if unit else None)
            if time and not quantity.not_reached and (quantity.value is None or quantity.unit is None):
                continue
            if not time and quantity.percent is None:
                continue
            ci = _ROW_CI.search(text) if with_ci else None
            if ci and quantity.ci is None:
                quantity = replace(quantity, ci=(float(ci.group(1)), float(ci.group(2))))
            qualifier, qualifier_at = arms[column] if column < len(arms) else (None, None)
            out.append(
                Candidate(
                    measure=measure,
                    quantity=quantity if time else replace(quantity, count=None),
                    value_start=offset,
                    value_end=offset + len(text.rstrip()),
                    trig_start=start,
                    sentence=index,
                    rule="table-row",
                    timepoint=timepoint,
                    qualifier=qualifier,
                    qualifier_start=qualifier_at,
                )
            )
    return out


# -- the component ------------------------------------------------------------------------------------
class OutcomeExtractor:
    """Writes outcome-figure dicts (the extraction contract's shape) to ``doc._.atc_outcomes``."""

    def __init__(
        self,
        patterns_file: str = PATTERNS_FILE,
        lexicon_file: str = LEXICON_FILE,
        exclusions_file: str = EXCLUSIONS_FILE,
    ) -> None:
        self.rules = outcome_rules(patterns_file, lexicon_file, exclusions_file)

    def candidates(self, doc: Doc, text: str) -> tuple[list[tuple[int, int, str | None]], list[Candidate]]:
        spans = doc._.get(SENTENCE_SPANS)
        if spans is None:
            spans = split_sentences(text)
        # One literal pass over the whole text finds where numbers and the words of each role
        # are; a sentence is read only by the templates whose role it shows.
        norm = normalise(text)
        scan = self.rules.scanner.scan(norm, frozenset(start for start, _end, _section in spans))
        numbers = scan.get("number", [])
        if not numbers:
            return spans, []
        patients = scan.pop("patients", [])
        roles = [(role, positions) for role, positions in scan.items() if role != "number"]
        drugs = [(s, e) for label, s, e, _n in entities(doc) if label == "DRUG"]
        found: list[Candidate] = []
        previous: list[Candidate] = []
        for index, (start, end, section) in enumerate(spans):
            previous = [c for c in previous if c.sentence == index - 1]
            if section in NON_RESULT_SECTIONS or not _any_in(numbers, start, end):
                continue
            present = frozenset(role for role, positions in roles if _any_in(positions, start, end))
            if "enrol" not in present and _counted_group(patients, numbers, start, end):
                present |= {"enrol"}  # "Of 41 PTC patients, ...": a count before a patient noun
            if not present:
                continue
            local = [(s - start, e - start) for s, e in drugs if s >= start and e <= end]
            previous = find_in_sentence(
                self.rules,
                norm[start:end],
                offset=start,
                index=index,
                drug_spans=local,
                roles=present,
                previous=previous,
            )
            found.extend(previous)
        if "|" in norm:
            found.extend(table_candidates(self.rules, norm, spans))
        return spans, found

    def __call__(self, doc: Doc) -> Doc:
        from atc_mine.nlp.attribution import attribute  # the attribution module imports this one

        text = doc._.get(DOC_TEXT) or doc.text  # Doc.text joins every token: read it once
        spans, found = self.candidates(doc, text)
        if not found:
            doc._.set(OUTCOMES, [])
            return doc
        context = doc._.get(CONTEXT) or {}
        abbreviations = _abbreviation_pairs(doc)
        doc._.set(OUTCOMES, attribute(text, spans, found, entities(doc), context, abbreviations))
        return doc


#: A count names a group of patients when it comes at most this many characters before the noun.
COUNT_TO_NOUN = 40


def _counted_group(nouns: list[int], numbers: list[int], start: int, end: int) -> bool:
    for i in range(bisect_left(nouns, start), len(nouns)):
        if nouns[i] >= end:
            break
        if _any_in(numbers, max(start, nouns[i] - COUNT_TO_NOUN), nouns[i]):
            return True
    return False


def _any_in(positions: list[int], start: int, end: int) -> bool:
    i = bisect_left(positions, start)
    return i < len(positions) and positions[i] < end


def _abbreviation_pairs(doc: Doc) -> list[tuple[str, int, int]]:
    """(short form, long-form start, long-form end) from scispaCy's AbbreviationDetector, if it ran."""
    if not Doc.has_extension("abbreviations"):
        return []
    pairs = []
    for short in doc._.get("abbreviations") or ():
        long_form = getattr(short._, "long_form", None)
        if long_form is not None:
            pairs.append((short.text, long_form.start_char, long_form.end_char))
    return pairs


@Language.factory(
    "atc_outcomes",
    default_config={"patterns_file": PATTERNS_FILE, "lexicon_file": LEXICON_FILE, "exclusions_file": EXCLUSIONS_FILE},
)
def make_outcome_extractor(
    nlp: Language, name: str, patterns_file: str, lexicon_file: str, exclusions_file: str
) -> OutcomeExtractor:
    return OutcomeExtractor(patterns_file, lexicon_file, exclusions_file)
