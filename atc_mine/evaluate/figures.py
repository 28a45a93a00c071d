"""Outcome-figure scoring: when two figures agree, one-to-one matching, attribution.

Agreement (issue 5): the measures are equal and the numbers agree: a percent within
:data:`PERCENT_TOLERANCE` points, a count exactly, a median time within
:data:`TIME_TOLERANCE` in the same unit or after conversion to months. A figure stated as a
count and a percent matches a prediction that has either one right and the other absent
(the same figure, stated differently); a stated number that is present and wrong never
matches. "Not reached" matches only "not reached". A landmark rate (PFS_RATE, OS_RATE)
must also carry the gold's time point: a rate without its landmark is not the figure.
Other measures with a time point ("SD at 8 weeks") must agree on it when both state one.
The denominator, the CI and the sentence are not part of the match; they are reported as
detail accuracy over matched figures.

Matching is one to one within a document and measure, by an optimal assignment
(:func:`scipy.optimize.linear_sum_assignment`, the Hungarian method; Kuhn 1955) instead of
greedy order. Greedy matching depends on the order figures are visited and can leave a gold
figure unmatched that a different pairing would match (prediction A agrees with gold X and
Y, prediction B only with X: taking A-X first loses Y), which understates recall by an
amount that depends on nothing real. The assignment maximises, in strict priority:

1. the number of required gold figures matched (the score),
2. the number of optional gold figures matched (so an extra prediction that states an
   optional figure is absorbed, not counted as a false positive),
3. the number of pairs whose sentences overlap (the figure a reader would point to),
4. the number of attribution fields that agree (drugs, trial, cohort, subgroup): when a
   sentence states the same number for two cohorts, the pairing that is right wins.

Levels 3-4 only break ties among assignments that score the same; they never change the
counts of level 1. Optional gold figures are neither rewarded nor penalised: a prediction
matched to one is removed from both sides, and an unmatched optional figure is not a miss.

Attribution accuracy is measured over matched required figures: drugs (as a set of
lowercase names), trial, cohort (strict equality; also a lenient match accepting an
ancestor or descendant in ``gold/schema/cohorts.json``; gold figures with cohort null are
skipped, GUIDELINES section 7) and subgroup (null equals null).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from atc_mine.evaluate.gold import GoldFigure, cohort_lineage
from atc_mine.evaluate.metrics import Tally
from atc_mine.records import OutcomeFigure

PERCENT_TOLERANCE = 0.5  # percentage points: abstracts round percents to whole numbers (issue 5)
TIME_TOLERANCE = 0.05  # in the figure's unit, or in months after conversion (issue 5)
DAYS_PER_MONTH = 30.4375  # 365.25 / 12, as the gold converts (GUIDELINES section 6)
TO_MONTHS = {"days": 1 / DAYS_PER_MONTH, "weeks": 7 / DAYS_PER_MONTH, "months": 1.0, "years": 12.0}
LANDMARK_MEASURES = ("PFS_RATE", "OS_RATE")
EPSILON = 1e-9  # float slack so that exactly-at-tolerance differences match

OUTCOMES = "outcomes"
ATTRIBUTION = "attribution"
DETAILS = "details"
ATTRIBUTION_FIELDS = ("drugs", "trial", "cohort", "cohort_lenient", "subgroup")
DETAIL_FIELDS = ("ci", "denominator", "sentence")


# -- numbers -----------------------------------------------------------------------------
def _months(value: float | None, unit: str | None) -> float | None:
    if value is None or unit not in TO_MONTHS:
        return None
    return value * TO_MONTHS[unit]


def _close(a: float | None, b: float | None, tolerance: float) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance + EPSILON


def _time_agrees(p_value: float | None, p_unit: str | None, g_value: float | None, g_unit: str | None) -> bool:
    same_unit = p_unit == g_unit and _close(p_value, g_value, TIME_TOLERANCE)
    return same_unit or _close(_months(p_value, p_unit), _months(g_value, g_unit), TIME_TOLERANCE)


def timepoint_months(timepoint: str | None) -> float | None:
    """``"12 months"`` -> 12.0, ``"1 year"`` -> 12.0; None when it cannot be read."""
    if not timepoint:
        return None
    parts = timepoint.split()
    if len(parts) != 2:
        return None
    try:
        value = float(parts[0])
    except ValueError:
        return None
    unit = parts[1].lower()
    return _months(value, unit if unit.endswith("s") else unit + "s")


def numbers_agree(pred: OutcomeFigure, gold: OutcomeFigure) -> bool:
    """Do two figures state the same measure and numbers, within the tolerances above?"""
    if pred.measure != gold.measure:
        return False
    if not _timepoints_agree(pred, gold):
        return False
    if gold.not_reached or pred.not_reached:
        return gold.not_reached == pred.not_reached
    checked = False
    if gold.percent is not None:
        # A matching count with no percent is the same figure stated differently.
        same_count = pred.percent is None and pred.count is not None and pred.count == gold.count
        if not (_close(pred.percent, gold.percent, PERCENT_TOLERANCE) or same_count):
            return False
        checked = True
    if gold.count is not None:
        # ...and so is a matching percent with no count.
        same_percent = pred.count is None and _close(pred.percent, gold.percent, PERCENT_TOLERANCE)
        if not (pred.count == gold.count or same_percent):
            return False
        checked = True
    if gold.value is not None:
        if not _time_agrees(pred.value, pred.unit, gold.value, gold.unit):
            return False
        checked = True
    return checked


def _timepoints_agree(pred: OutcomeFigure, gold: OutcomeFigure) -> bool:
    if gold.timepoint is None:
        return True
    if pred.timepoint is None:
        return gold.measure not in LANDMARK_MEASURES
    return _close(timepoint_months(pred.timepoint), timepoint_months(gold.timepoint), TIME_TOLERANCE)


def why_not(pred: OutcomeFigure, gold: OutcomeFigure) -> str:
    """A short reason two figures of one sentence do not match (for the error list)."""
    if pred.measure != gold.measure:
        return f"measure {pred.measure} vs gold {gold.measure}"
    reasons = []
    if pred.not_reached != gold.not_reached:
        reasons.append("not reached" if gold.not_reached else "gold is not 'not reached'")
    if (
        gold.percent is not None
        and pred.percent is not None
        and not _close(pred.percent, gold.percent, PERCENT_TOLERANCE)
    ):
        reasons.append(f"percent {pred.percent:g} vs gold {gold.percent:g}")
    if gold.count is not None and pred.count is not None and pred.count != gold.count:
        reasons.append(f"count {pred.count} vs gold {gold.count}")
    if gold.value is not None and not _time_agrees(pred.value, pred.unit, gold.value, gold.unit):
        reasons.append(f"value {pred.value} {pred.unit} vs gold {gold.value:g} {gold.unit}")
    if not _timepoints_agree(pred, gold):
        reasons.append(f"time point {pred.timepoint} vs gold {gold.timepoint}")
    if not reasons:
        reasons.append("numbers stated differently (count vs percent)")
    return "; ".join(reasons)


def describe(figure: OutcomeFigure) -> str:
    """``PR 2/20 (10%)``, ``OS_MEDIAN 3.9 months [2.5, 6.3]``, ``OS_RATE 20% at 1 years``..."""
    parts = [figure.measure]
    if figure.not_reached:
        parts.append("not reached")
    if figure.count is not None:
        parts.append(f"{figure.count}/{figure.denominator}" if figure.denominator else str(figure.count))
    if figure.percent is not None:
        parts.append(f"({figure.percent:g}%)" if figure.count is not None else f"{figure.percent:g}%")
    if figure.value is not None:
        parts.append(f"{figure.value:g} {figure.unit or ''}".strip())
    if figure.ci is not None:
        parts.append(f"[{figure.ci[0]:g}, {figure.ci[1]:g}]")
    if figure.timepoint:
        parts.append(f"at {figure.timepoint}")
    context = [", ".join(figure.drugs) or "no drugs", figure.cohort or "no cohort"]
    if figure.trial:
        context.append(figure.trial)
    if figure.subgroup:
        context.append(figure.subgroup)
    return f"{' '.join(parts)} {{{'; '.join(context)}}}"


# -- attribution -------------------------------------------------------------------------
def _norm_text(value: str | None) -> str | None:
    return " ".join(value.lower().split()) if value else None


def attribution(
    pred: OutcomeFigure, gold: OutcomeFigure, cohort_parents: Mapping[str, str | None] | None = None
) -> dict[str, bool | None]:
    """Which attribution fields of a matched prediction are right (None: not scored here)."""
    result: dict[str, bool | None] = {
        "drugs": {d.lower().strip() for d in pred.drugs} == {d.lower().strip() for d in gold.drugs},
        "trial": (pred.trial or "").upper().strip() == (gold.trial or "").upper().strip(),
        "cohort": None,
        "cohort_lenient": None,
        "subgroup": _norm_text(pred.subgroup) == _norm_text(gold.subgroup),
    }
    if gold.cohort is not None:
        result["cohort"] = pred.cohort == gold.cohort
        if cohort_parents is not None:
            related = pred.cohort is not None and (
                pred.cohort in cohort_lineage(gold.cohort, cohort_parents)
                or gold.cohort in cohort_lineage(pred.cohort, cohort_parents)
            )
            result["cohort_lenient"] = related
    return result


def details(pred: OutcomeFigure, gold: OutcomeFigure) -> dict[str, bool | None]:
    """Agreement of the parts that do not decide a match, where the gold states them.

    ``sentence``: the prediction's sentence overlaps the gold's. A match needs only the
    measure and the numbers (issue 5), so this shows how many matches were found where the
    gold figure is stated rather than elsewhere in the text with the same number.
    """
    result: dict[str, bool | None] = {"ci": None, "denominator": None, "sentence": _sentences_overlap(pred, gold)}
    if gold.ci is not None:
        result["ci"] = pred.ci is not None and all(
            _time_agrees(p, pred.unit, g, gold.unit) for p, g in zip(pred.ci, gold.ci, strict=True)
        )
    if gold.denominator is not None:
        result["denominator"] = pred.denominator == gold.denominator
    return result


# -- matching ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FigureMatching:
    """The outcome of matching one document's predictions to its gold figures."""

    matches: tuple[tuple[OutcomeFigure, GoldFigure], ...]  # optional gold included
    false_positives: tuple[OutcomeFigure, ...]
    missed: tuple[GoldFigure, ...]  # required gold only
    optional_unmatched: tuple[GoldFigure, ...]


def _sentences_overlap(a: OutcomeFigure, b: OutcomeFigure) -> bool:
    return a.start < b.end and b.start < a.end


def _agreeing_fields(pred: OutcomeFigure, gold: OutcomeFigure) -> int:
    return sum(1 for key in ("drugs", "trial", "cohort", "subgroup") if attribution(pred, gold).get(key))


def match_figures(preds: Sequence[OutcomeFigure], golds: Sequence[GoldFigure]) -> FigureMatching:
    """One-to-one matching of one document's figures by optimal assignment (see module doc)."""
    matches: list[tuple[OutcomeFigure, GoldFigure]] = []
    used_preds: set[int] = set()
    used_golds: set[int] = set()
    for measure in sorted({p.measure for p in preds} & {g.figure.measure for g in golds}):
        p_idx = [i for i, p in enumerate(preds) if p.measure == measure]
        g_idx = [j for j, g in enumerate(golds) if g.figure.measure == measure]
        # Lexicographic priorities as one weight: each level's largest possible total is
        # below one unit of the level above (exact in float64 while size**4 * 125 < 2**53).
        size = max(len(p_idx), len(g_idx)) + 1
        base = float(5 * size)
        weights = np.zeros((len(p_idx), len(g_idx)))
        for a, i in enumerate(p_idx):
            for b, j in enumerate(g_idx):
                pred, gold = preds[i], golds[j]
                if not numbers_agree(pred, gold.figure):
                    continue
                level = base**2 if gold.optional else base**3
                weights[a, b] = (
                    level + base * _sentences_overlap(pred, gold.figure) + _agreeing_fields(pred, gold.figure)
                )
        rows, cols = linear_sum_assignment(weights, maximize=True)
        for a, b in zip(rows, cols, strict=True):
            if weights[a, b] > 0:
                matches.append((preds[p_idx[a]], golds[g_idx[b]]))
                used_preds.add(p_idx[a])
                used_golds.add(g_idx[b])
    matches.sort(key=lambda pair: (pair[1].figure.start, pair[1].figure.measure))
    false_positives = tuple(p for i, p in enumerate(preds) if i not in used_preds)
    missed = tuple(g for j, g in enumerate(golds) if j not in used_golds and not g.optional)
    optional_unmatched = tuple(g for j, g in enumerate(golds) if j not in used_golds and g.optional)
    return FigureMatching(tuple(matches), false_positives, missed, optional_unmatched)


def _nearest(figure: OutcomeFigure, others: Sequence[OutcomeFigure]) -> OutcomeFigure | None:
    """The unmatched figure of the same sentence most like ``figure`` (same measure, else same numbers)."""
    same_sentence = [o for o in others if _sentences_overlap(o, figure)]
    same_measure = [o for o in same_sentence if o.measure == figure.measure]
    relabelled = [o for o in same_sentence if numbers_agree(replace(o, measure=figure.measure), figure)]
    return (same_measure or relabelled or [None])[0]


def score_figures(
    doc_id: str,
    preds: Sequence[OutcomeFigure],
    golds: Sequence[GoldFigure],
    tally: Tally,
    cohort_parents: Mapping[str, str | None] | None = None,
) -> tuple[FigureMatching, list[dict[str, Any]]]:
    """Match one document's figures, count into ``tally``, return the matching and its errors."""
    matching = match_figures(preds, golds)
    for measure in {g.figure.measure for g in golds if not g.optional}:
        tally.touch(OUTCOMES, measure)  # a row even when nothing was predicted; false positives add their own
    errors: list[dict[str, Any]] = []
    for pred, gold in matching.matches:
        if gold.optional:
            continue
        g = gold.figure
        tally.add(OUTCOMES, g.measure, "tp", doc_id, g.start)
        for key, ok in attribution(pred, g, cohort_parents).items():
            if ok is None:
                continue
            tally.add(ATTRIBUTION, key, "correct" if ok else "wrong", doc_id, g.start)
            if not ok and key != "cohort_lenient":
                errors.append(
                    {
                        "kind": f"wrong_{key}",
                        "doc_id": doc_id,
                        "measure": g.measure,
                        "figure": describe(g),
                        "predicted": _field(pred, key),
                        "gold": _field(g, key),
                        "sentence": g.sentence,
                        "start": g.start,
                        "end": g.end,
                    }
                )
        for key, ok in details(pred, g).items():
            if ok is not None:
                tally.add(DETAILS, key, "correct" if ok else "wrong", doc_id, g.start)
    unmatched_preds = list(matching.false_positives)
    for pred in unmatched_preds:
        tally.add(OUTCOMES, pred.measure, "fp", doc_id, pred.start)
        near = _nearest(pred, [g.figure for g in matching.missed])
        errors.append(
            _figure_error("outcome_fp", doc_id, pred, near, why_not(pred, near) if near else "no gold figure like it")
        )
    for gold in matching.missed:
        g = gold.figure
        tally.add(OUTCOMES, g.measure, "fn", doc_id, g.start)
        near = _nearest(g, unmatched_preds)
        errors.append(_figure_error("outcome_fn", doc_id, g, near, why_not(near, g) if near else "not extracted"))
    return matching, errors


def _figure_error(
    kind: str, doc_id: str, figure: OutcomeFigure, other: OutcomeFigure | None, reason: str
) -> dict[str, Any]:
    error = {
        "kind": kind,
        "doc_id": doc_id,
        "measure": figure.measure,
        "figure": describe(figure),
        "numbers": brief(figure),
        "reason": reason,
        "sentence": figure.sentence,
        "start": figure.start,
        "end": figure.end,
    }
    if other is not None:
        error["closest_prediction" if kind == "outcome_fn" else "closest_gold"] = describe(other)
    return error


def _field(figure: OutcomeFigure, key: str) -> Any:
    value = getattr(figure, key)
    return sorted(value) if isinstance(value, tuple) else value


def brief(figure: OutcomeFigure) -> dict[str, Any]:
    """The figure's contract fields that carry a value (no sentence or offsets)."""
    data = figure.to_json()
    return {k: v for k, v in data.items() if k not in ("sentence", "start", "end") and v not in (None, [], False)}
