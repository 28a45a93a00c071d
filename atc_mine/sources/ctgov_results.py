"""Posted results on ClinicalTrials.gov -> outcome figures of the extraction contract.

A trial with results posts *outcome measures*: a title, a parameter (``paramType``: NUMBER,
MEDIAN, COUNT_OF_PARTICIPANTS, ...), a dispersion (``dispersionType``: CONFIDENCE_INTERVAL_95,
...), a unit (``unitOfMeasure``), the arms or cohorts measured (``groups``), how many were
analysed per group (``denoms``), and the values in ``classes`` > ``categories`` >
``measurements`` (``value``, ``lowerLimit``/``upperLimit``, ``comment``). Field names and
enumerations: ClinicalTrials.gov data model, "Study Data Structure", Results Section
(https://clinicaltrials.gov/data-api/about-api/study-data-structure). The retired legacy XML
(``<clinical_results><outcome_list>``) carries the same content under other names
(``param``, ``dispersion``, ``units``, ``analyzed_list``, ``measurement@lower_limit``), so both
are read into one shape, :class:`PostedMeasure`, and mapped the same way.

Which measures become which figures is data, not code: ``data/ctgov_outcome_measures.json``
maps titles to measures by synonyms (``"Objective Response Rate (ORR)"`` -> ORR,
``"Progression-free survival"`` with a MEDIAN in months -> PFS_MEDIAN, unit from
``unitOfMeasure``), and the rows of a best-response table (``Complete Response``, ``Partial
response (PR)``, ...) to CR/PR/SD/PD. Measures no rule maps (quality of life, eczema scores)
give no figure: the contract has no measure for them.

A posted figure is not in the document's text (brief title + summary): its ``sentence`` is the
registry row rendered as text and ``start`` = ``end`` = 0. ``cohort`` is the group title,
``subgroup`` a class/category title (a PD-L1 stratum), ``timepoint`` a landmark ("12 months")
from a class title or the measure title, ``drugs`` the lower-cased drug/biological
interventions of the arm the group stands for, ``trial`` the NCT ID.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from atc_mine.errors import PatternFileError
from atc_mine.records import MEASURES, OutcomeFigure

RULES_FILE = "ctgov_outcome_measures.json"
RULES_SCHEMA = "atc-mine/ctgov-outcome-measures/1"
VALUE_KINDS = ("time", "proportion")
MEASURE_RULE_KEYS = frozenset(
    {"id", "measure", "value_kind", "synonyms", "abbreviations", "exclude", "examples", "counter_examples"}
)
CATEGORY_RULE_KEYS = frozenset(
    {"id", "measure", "synonyms", "abbreviations", "exclude", "examples", "counter_examples"}
)

#: ``paramType`` values that state a median (the contract's *_MEDIAN measures are medians only).
MEDIAN_PARAMS = frozenset({"MEDIAN"})
#: ``paramType`` values that state a percentage or a count of participants.
PROPORTION_PARAMS = frozenset({"NUMBER", "COUNT_OF_PARTICIPANTS", "COUNT_OF_UNITS"})
#: Units that are percentages ("Percentage of participants", "percent probability of OS").
PERCENT_UNIT = re.compile(r"percent|%")
#: Units that count people ("Participants", "patients").
COUNT_UNIT = re.compile(r"\b(participants?|patients?|subjects?|people|persons?)\b")
#: Time units, to the contract's plural names.
TIME_UNIT = re.compile(r"\b(day|week|month|year)s?\b")
#: A class or category title that is a landmark time ("6 months", "At 12 Months", "1 year").
TIMEPOINT_TITLE = re.compile(r"^(?:at\s+)?(\d+(?:\.\d+)?)[\s-]*(day|week|month|year)s?$", re.IGNORECASE)
#: A landmark inside a measure title ("... Rate at 12 Months", "1-Year Survival Rate").
TIMEPOINT_IN_TITLE = re.compile(r"\b(?:at\s+)?(\d+(?:\.\d+)?)[\s-](day|week|month|year)s?\b", re.IGNORECASE)
#: Words in a measurement's comment meaning the median was not reached.
NOT_REACHED = re.compile(r"not\s+(?:been\s+)?reached|\bNR\b", re.IGNORECASE)
#: Intervention types that are drugs in the contract's sense (v2 enum and legacy spelling).
DRUG_TYPES = frozenset({"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC"})
#: Interventions that are not regimens.
NOT_A_DRUG = re.compile(r"\bplacebo\b|\bbest supportive care\b|\bsham\b", re.IGNORECASE)
#: Best-response tables have at least this many rows that name a response category.
MIN_RESPONSE_ROWS = 2


# -- the rules -------------------------------------------------------------------------------
def normalise_title(text: str) -> tuple[str, str]:
    """(main text, everything) lower-cased: hyphens read as spaces in ``main``, whose
    parenthesised parts are set aside; ``everything`` keeps them (for abbreviations)."""
    lowered = text.lower().replace("–", "-").replace("—", "-")
    main = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", lowered)
    main = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", main)
    return " ".join(re.sub(r"[^\w%≥≤<>]+", " ", main).split()), lowered


def _phrase(phrase: str) -> re.Pattern[str]:
    words = normalise_title(phrase)[0]
    return re.compile(r"\b" + re.escape(words) + r"\b")


def _abbreviation(abbr: str) -> re.Pattern[str]:
    # Whole word, never part of a hyphenated word: "PD" must not match "PD-L1".
    return re.compile(r"(?<![\w-])" + re.escape(abbr.lower()) + r"(?![\w-])")


@dataclass(frozen=True, slots=True)
class TitleRule:
    id: str
    measure: str
    synonyms: tuple[re.Pattern[str], ...]
    abbreviations: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    value_kind: str | None = None  # None for category rules
    examples: tuple[Any, ...] = ()
    counter_examples: tuple[Any, ...] = ()

    def names(self, title: str) -> bool:
        main, everything = normalise_title(title)
        if any(p.search(main) for p in self.exclude):
            return False
        return any(p.search(main) for p in self.synonyms) or any(p.search(everything) for p in self.abbreviations)


@dataclass(frozen=True, slots=True)
class OutcomeRules:
    measure_rules: tuple[TitleRule, ...]
    category_rules: tuple[TitleRule, ...]
    source: str = RULES_FILE

    def measure_for(self, title: str, param: str | None, unit: str | None) -> TitleRule | None:
        """The first measure rule naming this title whose value kind fits the parameter and unit."""
        kind = value_kind(param, unit)
        if kind is None:
            return None
        return next((r for r in self.measure_rules if r.value_kind == kind and r.names(title)), None)

    def category_for(self, title: str | None) -> TitleRule | None:
        if not title:
            return None
        return next((r for r in self.category_rules if r.names(title)), None)


def value_kind(param: str | None, unit: str | None) -> str | None:
    """``time`` (a median duration), ``proportion`` (a percentage or a count) or None."""
    param = normalise_enum(param)
    unit = (unit or "").lower()
    if param in MEDIAN_PARAMS and TIME_UNIT.search(unit):
        return "time"
    if param in PROPORTION_PARAMS and (PERCENT_UNIT.search(unit) or COUNT_UNIT.search(unit)):
        return "proportion"
    return None


def _line_of(raw: str, rule_id: str | None) -> int:
    if rule_id:
        for number, line in enumerate(raw.splitlines(), 1):
            if re.search(r'"id"\s*:\s*"' + re.escape(rule_id) + '"', line):
                return number
    return 1


def parse_rules(raw: str, *, source: str = RULES_FILE) -> OutcomeRules:
    """Read and check a rules file (closed schema; errors name the file and line)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PatternFileError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("schema") != RULES_SCHEMA:
        raise PatternFileError(f"{source}:1: schema must be {RULES_SCHEMA!r}")
    unknown = set(data) - {"schema", "about", "measure_rules", "category_rules"}
    if unknown:
        raise PatternFileError(f"{source}:1: unknown keys {sorted(unknown)}")

    def build(item: Any, allowed: frozenset[str], *, category: bool) -> TitleRule:
        rule_id = item.get("id") if isinstance(item, dict) else None
        where = f"{source}:{_line_of(raw, rule_id)}"
        if not isinstance(item, dict):
            raise PatternFileError(f"{where}: a rule must be an object")
        extra = set(item) - allowed
        if extra:
            raise PatternFileError(f"{where}: rule {rule_id!r} has unknown keys {sorted(extra)}")
        missing = {"id", "measure", "synonyms"} - set(item)
        if missing:
            raise PatternFileError(f"{where}: rule {rule_id!r} lacks {sorted(missing)}")
        if item["measure"] not in MEASURES:
            raise PatternFileError(f"{where}: rule {rule_id!r}: unknown measure {item['measure']!r}")
        kind = item.get("value_kind")
        if not category and kind not in VALUE_KINDS:
            raise PatternFileError(f"{where}: rule {rule_id!r}: value_kind must be one of {VALUE_KINDS}")
        for key in ("synonyms", "abbreviations", "exclude"):
            values = item.get(key, [])
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise PatternFileError(f"{where}: rule {rule_id!r}: {key} must be a list of non-empty strings")
        return TitleRule(
            id=item["id"],
            measure=item["measure"],
            synonyms=tuple(_phrase(s) for s in item["synonyms"]),
            abbreviations=tuple(_abbreviation(a) for a in item.get("abbreviations", [])),
            exclude=tuple(_phrase(e) for e in item.get("exclude", [])),
            value_kind=None if category else kind,
            examples=tuple(item.get("examples", [])),
            counter_examples=tuple(item.get("counter_examples", [])),
        )

    measure_rules = tuple(build(r, MEASURE_RULE_KEYS, category=False) for r in data.get("measure_rules", []))
    category_rules = tuple(build(r, CATEGORY_RULE_KEYS, category=True) for r in data.get("category_rules", []))
    ids = [r.id for r in (*measure_rules, *category_rules)]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise PatternFileError(f"{source}:{_line_of(raw, duplicated[0])}: duplicate rule ids {duplicated}")
    return OutcomeRules(measure_rules, category_rules, source=source)


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> OutcomeRules:
    """The packaged rules (or a file at ``path``), read once on first use."""
    if path is None:
        raw = resources.files("atc_mine.sources.data").joinpath(RULES_FILE).read_text(encoding="utf-8")
        return parse_rules(raw, source=f"atc_mine/sources/data/{RULES_FILE}")
    return parse_rules(Path(path).read_text(encoding="utf-8"), source=str(path))


# -- one shape for v2 JSON and legacy XML -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Measurement:
    group_id: str
    value: str | None
    lower: str | None = None
    upper: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    title: str | None
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True, slots=True)
class MeasureClass:
    title: str | None
    categories: tuple[Category, ...]
    denoms: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostedMeasure:
    title: str
    param: str | None
    dispersion: str | None
    unit: str | None
    time_frame: str | None
    groups: Mapping[str, str]  # group id -> title
    denoms: Mapping[str, int]
    classes: tuple[MeasureClass, ...]


def normalise_enum(value: str | None) -> str | None:
    """``"Count of Participants"`` and ``COUNT_OF_PARTICIPANTS`` alike; ``"95% Confidence
    Interval"`` -> ``CONFIDENCE_INTERVAL_95`` (the v2 spelling)."""
    if not value:
        return None
    upper = value.strip().upper()
    if "CONFIDENCE" in upper:
        level = re.search(r"\d+", upper)
        return f"CONFIDENCE_INTERVAL_{level.group(0) if level else 'OTHER'}"
    return re.sub(r"[^A-Z0-9]+", "_", upper).strip("_") or None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _denoms(items: Any) -> dict[str, int]:
    """Participants analysed per group (the ``Participants`` denominator when several are given)."""
    if not isinstance(items, list) or not items:
        return {}
    chosen = next((d for d in items if str(d.get("units", "")).lower() == "participants"), items[0])
    return {c["groupId"]: n for c in chosen.get("counts") or [] if (n := _int(c.get("value"))) is not None}


def v2_measures(results: Mapping[str, Any]) -> Iterator[PostedMeasure]:
    """The outcome measures of a v2 ``resultsSection``."""
    for om in (results.get("outcomeMeasuresModule") or {}).get("outcomeMeasures") or []:
        classes = tuple(
            MeasureClass(
                title=cls.get("title"),
                categories=tuple(
                    Category(
                        title=cat.get("title"),
                        measurements=tuple(
                            Measurement(
                                group_id=m.get("groupId", ""),
                                value=m.get("value"),
                                lower=m.get("lowerLimit"),
                                upper=m.get("upperLimit"),
                                comment=m.get("comment"),
                            )
                            for m in cat.get("measurements") or []
                        ),
                    )
                    for cat in cls.get("categories") or []
                ),
                denoms=_denoms(cls.get("denoms")),
            )
            for cls in om.get("classes") or []
        )
        yield PostedMeasure(
            title=om.get("title") or "",
            param=normalise_enum(om.get("paramType")),
            dispersion=normalise_enum(om.get("dispersionType")),
            unit=om.get("unitOfMeasure"),
            time_frame=om.get("timeFrame"),
            groups={g.get("id", ""): g.get("title") or "" for g in om.get("groups") or []},
            denoms=_denoms(om.get("denoms")),
            classes=classes,
        )


def _legacy_denoms(elem: etree._Element | None) -> dict[str, int]:
    if elem is None:
        return {}
    analyzed = elem.findall("analyzed_list/analyzed")
    chosen = next((a for a in analyzed if (a.findtext("units") or "").lower() == "participants"), None)
    chosen = chosen if chosen is not None else (analyzed[0] if analyzed else None)
    if chosen is None:
        return {}
    return {
        c.get("group_id", ""): n for c in chosen.iterfind("count_list/count") if (n := _int(c.get("value"))) is not None
    }


def legacy_measures(root: etree._Element) -> Iterator[PostedMeasure]:
    """The outcome measures of a legacy ``<clinical_study>``'s ``<clinical_results>``."""
    for outcome in root.iterfind("clinical_results/outcome_list/outcome"):
        measure = outcome.find("measure")
        if measure is None:
            continue  # an outcome without data (e.g. "Quality of Life" not analysed)
        classes = tuple(
            MeasureClass(
                title=(cls.findtext("title") or "").strip() or None,
                categories=tuple(
                    Category(
                        title=(cat.findtext("title") or "").strip() or None,
                        measurements=tuple(
                            Measurement(
                                group_id=m.get("group_id", ""),
                                value=m.get("value"),
                                lower=m.get("lower_limit"),
                                upper=m.get("upper_limit"),
                                comment=(m.text or "").strip() or None,
                            )
                            for m in cat.iterfind("measurement_list/measurement")
                        ),
                    )
                    for cat in cls.iterfind("category_list/category")
                ),
                denoms=_legacy_denoms(cls),
            )
            for cls in measure.iterfind("class_list/class")
        )
        yield PostedMeasure(
            title=(outcome.findtext("title") or measure.findtext("title") or "").strip(),
            param=normalise_enum(measure.findtext("param")),
            dispersion=normalise_enum(measure.findtext("dispersion")),
            unit=measure.findtext("units"),
            time_frame=outcome.findtext("time_frame"),
            groups={
                g.get("group_id", ""): (g.findtext("title") or "").strip() for g in outcome.iterfind("group_list/group")
            },
            denoms=_legacy_denoms(measure),
            classes=classes,
        )


# -- arms -> drugs ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Arm:
    label: str
    drugs: tuple[str, ...]


def _drug_name(name: str) -> str:
    return " ".join(name.lower().split())


def v2_arms(protocol: Mapping[str, Any]) -> tuple[Arm, ...]:
    module = protocol.get("armsInterventionsModule") or {}
    by_label: dict[str, list[str]] = {a.get("label") or "": [] for a in module.get("armGroups") or []}
    for intervention in module.get("interventions") or []:
        name = intervention.get("name") or ""
        if normalise_enum(intervention.get("type")) not in DRUG_TYPES or not name or NOT_A_DRUG.search(name):
            continue
        for label in intervention.get("armGroupLabels") or []:
            by_label.setdefault(label, []).append(_drug_name(name))
    return tuple(Arm(label, tuple(dict.fromkeys(drugs))) for label, drugs in by_label.items())


def legacy_arms(root: etree._Element) -> tuple[Arm, ...]:
    by_label: dict[str, list[str]] = {
        (a.findtext("arm_group_label") or "").strip(): [] for a in root.iterfind("arm_group")
    }
    for intervention in root.iterfind("intervention"):
        name = (intervention.findtext("intervention_name") or "").strip()
        kind = normalise_enum(intervention.findtext("intervention_type"))
        if kind not in DRUG_TYPES or not name or NOT_A_DRUG.search(name):
            continue
        for label in intervention.iterfind("arm_group_label"):
            by_label.setdefault((label.text or "").strip(), []).append(_drug_name(name))
    return tuple(Arm(label, tuple(dict.fromkeys(drugs))) for label, drugs in by_label.items())


def drugs_for_group(group_title: str, arms: tuple[Arm, ...]) -> tuple[str, ...]:
    """The drugs of the arm a results group stands for.

    Group titles usually repeat the arm label ("Nivolumab" for "Arm A: Nivolumab"): an equal
    label, else the one label containing (or contained in) the title, else the drugs named in
    the title, else the only arm's drugs. Ambiguity gives no drugs rather than wrong ones.
    """
    title = group_title.strip().lower()
    if not title:
        return ()
    exact = [a for a in arms if a.label.strip().lower() == title]
    if len(exact) == 1:
        return exact[0].drugs
    near = [a for a in arms if a.label and (title in a.label.lower() or a.label.lower() in title)]
    if len(near) == 1:
        return near[0].drugs
    named = tuple(dict.fromkeys(d for a in arms for d in a.drugs if re.search(r"\b" + re.escape(d) + r"\b", title)))
    if named:
        return named
    if len(arms) == 1:
        return arms[0].drugs
    return ()


# -- measures -> figures ------------------------------------------------------------------------
def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        return None
    return number if number == number else None  # NaN is not a value


def _timepoint(text: str | None, pattern: re.Pattern[str]) -> str | None:
    if not text:
        return None
    match = pattern.search(text.strip())
    if not match:
        return None
    amount = match.group(1).rstrip("0").rstrip(".") if "." in match.group(1) else match.group(1)
    unit = match.group(2).lower()
    return f"{amount} {unit}{'' if amount == '1' else 's'}"


def _fmt(number: float | None) -> str:
    return "NA" if number is None else f"{number:g}"


def _sentence(measure: PostedMeasure, group: str, subgroup: str | None, figure: dict[str, Any]) -> str:
    where = ", ".join(p for p in (group, subgroup, figure.get("timepoint")) if p)
    if figure.get("not_reached"):
        value = "not reached"
    elif figure.get("percent") is not None:
        value = f"{_fmt(figure['percent'])}%"
    elif figure.get("count") is not None:
        value = f"{figure['count']} participants"
    else:
        value = f"{_fmt(figure.get('value'))} {figure.get('unit') or ''}".strip()
    ci = figure.get("ci")
    ci_text = f" (95% CI {_fmt(ci[0])} to {_fmt(ci[1])})" if ci else ""
    denominator = f", n={figure['denominator']}" if figure.get("denominator") is not None else ""
    return f"{measure.title} [ClinicalTrials.gov posted result] {where}: {value}{ci_text}{denominator}"


def figures_from_measures(
    measures: Iterable[PostedMeasure], *, nct_id: str, arms: tuple[Arm, ...], rules: OutcomeRules | None = None
) -> tuple[OutcomeFigure, ...]:
    """Outcome figures for every posted measure a rule maps (see the module docstring)."""
    rules = rules or load_rules()
    figures: list[OutcomeFigure] = []
    for measure in measures:
        kind = value_kind(measure.param, measure.unit)
        if kind is None:
            continue
        rows = [(cls, cat) for cls in measure.classes for cat in cls.categories]
        categorised = [(cls, cat, rules.category_for(cat.title) or rules.category_for(cls.title)) for cls, cat in rows]
        response_table = kind == "proportion" and sum(1 for *_, r in categorised if r) >= MIN_RESPONSE_ROWS
        title_rule = None if response_table else rules.measure_for(measure.title, measure.param, measure.unit)
        if not response_table and title_rule is None:
            continue
        for cls, cat, category_rule in categorised:
            if response_table and category_rule is None:
                continue  # a row such as "Not evaluable"
            rule = category_rule if response_table else title_rule
            assert rule is not None
            for m in cat.measurements:
                figure = _figure(
                    measure, cls, cat, m, rule.measure, kind, nct_id=nct_id, arms=arms, table=response_table
                )
                if figure is not None:
                    figures.append(figure)
    return tuple(figures)


def _figure(
    measure: PostedMeasure,
    cls: MeasureClass,
    cat: Category,
    m: Measurement,
    name: str,
    kind: str,
    *,
    nct_id: str,
    arms: tuple[Arm, ...],
    table: bool,
) -> OutcomeFigure | None:
    group = measure.groups.get(m.group_id, "")
    value = _number(m.value)
    is_rate = name.endswith("_RATE")
    timepoint = None
    labels = [t for t in (cls.title, None if table else cat.title) if t]
    if is_rate:
        for label in list(labels):
            found = _timepoint(label, TIMEPOINT_TITLE)
            if found:
                timepoint = found
                labels.remove(label)
        timepoint = timepoint or _timepoint(measure.title, TIMEPOINT_IN_TITLE)
    subgroup = "; ".join(labels) or None
    # A subgroup row without its own count: the measure's count is of everyone analysed, not of
    # the subgroup, so it is no denominator for this figure.
    denominator = cls.denoms.get(m.group_id) if subgroup else cls.denoms.get(m.group_id, measure.denoms.get(m.group_id))
    lower, upper = _number(m.lower), _number(m.upper)
    ci = (
        (lower, upper)
        if measure.dispersion == "CONFIDENCE_INTERVAL_95" and lower is not None and upper is not None
        else None
    )
    data: dict[str, Any] = {"timepoint": timepoint, "ci": ci, "denominator": denominator}
    if kind == "time":
        unit_match = TIME_UNIT.search((measure.unit or "").lower())
        data["unit"] = unit_match.group(1) + "s" if unit_match else None
        if value is None:
            if not (m.comment and NOT_REACHED.search(m.comment)):
                return None  # "NA" without saying why: no figure
            data["not_reached"] = True
        data["value"] = value
    elif PERCENT_UNIT.search((measure.unit or "").lower()):
        if value is None:
            return None
        data["percent"] = value
    else:
        if value is None or value != int(value):
            return None
        data["count"] = int(value)
    sentence = _sentence(measure, group, subgroup, data)
    return OutcomeFigure(
        measure=name,
        sentence=sentence,
        start=0,
        end=0,
        percent=data.get("percent"),
        count=data.get("count"),
        denominator=denominator,
        value=data.get("value"),
        unit=data.get("unit"),
        timepoint=timepoint,
        ci=ci,
        not_reached=bool(data.get("not_reached")),
        drugs=drugs_for_group(group, arms),
        trial=nct_id,
        cohort=group or None,
        subgroup=subgroup,
    )


def v2_posted_outcomes(study: Mapping[str, Any], nct_id: str) -> tuple[OutcomeFigure, ...]:
    results = study.get("resultsSection")
    if not isinstance(results, dict):
        return ()
    return figures_from_measures(v2_measures(results), nct_id=nct_id, arms=v2_arms(study.get("protocolSection") or {}))


def legacy_posted_outcomes(root: etree._Element, nct_id: str) -> tuple[OutcomeFigure, ...]:
    if root.find("clinical_results") is None:
        return ()
    return figures_from_measures(legacy_measures(root), nct_id=nct_id, arms=legacy_arms(root))


__all__ = [
    "OutcomeRules",
    "PostedMeasure",
    "TitleRule",
    "drugs_for_group",
    "figures_from_measures",
    "legacy_posted_outcomes",
    "load_rules",
    "parse_rules",
    "v2_posted_outcomes",
    "value_kind",
]
