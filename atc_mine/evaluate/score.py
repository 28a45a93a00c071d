"""Scores of predicted extractions against gold: entities, outcome figures, attribution.

Entities are scored per label in two ways: strict spans (label, start, end all equal)
and by normalised ID (the set of (label, norm) per document). Outcome figures match when
the measure agrees and their numbers agree within tolerances (percent within 0.5 points,
counts exact, times within 0.05 in the same unit or after conversion); matching is one
to one, greedy in document order. Gold figures marked ``optional`` are neither rewarded
nor penalised: a prediction matching one is dropped from both sides. Attribution
(drugs, trial, cohort) is the share of matched figures whose field equals the gold's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atc_mine.errors import InputError
from atc_mine.evaluate.gold import GoldDocument, GoldFigure
from atc_mine.records import ENTITY_LABELS, Extraction, OutcomeFigure

PERCENT_TOLERANCE = 0.5  # percentage points: abstracts round percents to whole numbers
TIME_TOLERANCE = 0.05  # in the figure's unit, or in months after conversion
DAYS_PER_MONTH = 30.4375  # 365.25 / 12
TO_MONTHS = {"days": 1 / DAYS_PER_MONTH, "weeks": 7 / DAYS_PER_MONTH, "months": 1.0, "years": 12.0}


@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def _sum(items: Iterable[PRF]) -> PRF:
    tp = fp = fn = 0
    for item in items:
        tp, fp, fn = tp + item.tp, fp + item.fp, fn + item.fn
    return PRF(tp, fp, fn)


def read_predictions(path: str | Path) -> dict[str, Extraction]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such predictions file")
    predictions: dict[str, Extraction] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                extraction = Extraction.from_json(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise InputError(f"{path}:{number}: not a line of the extraction contract ({exc})") from None
            predictions[extraction.doc_id] = extraction
    return predictions


# -- numbers -----------------------------------------------------------------------------
def _months(value: float | None, unit: str | None) -> float | None:
    if value is None or unit not in TO_MONTHS:
        return None
    return value * TO_MONTHS[unit]


def _close(a: float | None, b: float | None, tolerance: float) -> bool:
    return a is not None and b is not None and abs(a - b) <= tolerance + 1e-9


def numbers_agree(pred: OutcomeFigure, gold: OutcomeFigure) -> bool:
    """Do two figures of the same measure state the same numbers (within tolerance)?"""
    if pred.measure != gold.measure:
        return False
    if gold.not_reached or pred.not_reached:
        return gold.not_reached == pred.not_reached
    checked = False
    if gold.percent is not None:
        # A matching count without a percent is the same figure stated differently.
        same_count = pred.count is not None and pred.count == gold.count and pred.percent is None
        if not (_close(pred.percent, gold.percent, PERCENT_TOLERANCE) or same_count):
            return False
        checked = True
    if gold.count is not None:
        # ...and so is a matching percent without a count.
        same_percent = (
            pred.count is None and gold.percent is not None and _close(pred.percent, gold.percent, PERCENT_TOLERANCE)
        )
        if not (pred.count == gold.count or same_percent):
            return False
        checked = True
    if gold.value is not None:
        same_unit = pred.unit == gold.unit and _close(pred.value, gold.value, TIME_TOLERANCE)
        converted = _close(_months(pred.value, pred.unit), _months(gold.value, gold.unit), TIME_TOLERANCE)
        if not (same_unit or converted):
            return False
        checked = True
    if (
        gold.timepoint is not None
        and pred.timepoint is not None
        and _timepoint_months(pred.timepoint) != _timepoint_months(gold.timepoint)
    ):
        return False
    return checked


def _timepoint_months(timepoint: str) -> float | None:
    parts = timepoint.split()
    if len(parts) != 2:
        return None
    try:
        value = float(parts[0])
    except ValueError:
        return None
    unit = parts[1] if parts[1].endswith("s") else parts[1] + "s"
    months = _months(value, unit)
    return round(months, 2) if months is not None else None


def _attribution(pred: OutcomeFigure, gold: OutcomeFigure) -> dict[str, bool]:
    return {
        "drugs": sorted(pred.drugs) == sorted(gold.drugs),
        "trial": pred.trial == gold.trial,
        "cohort": (pred.cohort or None) == (gold.cohort or None),
    }


def match_figures(
    preds: list[OutcomeFigure], golds: list[GoldFigure]
) -> tuple[list[tuple[OutcomeFigure, GoldFigure]], list[OutcomeFigure], list[GoldFigure]]:
    """One-to-one matches, greedy: each gold figure takes the nearest agreeing prediction."""
    unused = list(preds)
    matches: list[tuple[OutcomeFigure, GoldFigure]] = []
    missed: list[GoldFigure] = []
    for gold in sorted(golds, key=lambda g: (g.optional, g.figure.start)):
        candidates = [p for p in unused if numbers_agree(p, gold.figure)]
        if not candidates:
            if not gold.optional:
                missed.append(gold)
            continue
        best = min(candidates, key=lambda p: abs(p.start - gold.figure.start))
        unused.remove(best)
        matches.append((best, gold))
    return matches, unused, missed


# -- scoring -----------------------------------------------------------------------------
def score(predictions: dict[str, Extraction], gold: dict[str, GoldDocument]) -> dict[str, Any]:
    """The full report as plain data (what ``atc-mine score --json`` writes)."""
    strict: dict[str, list[PRF]] = defaultdict(list)
    by_norm: dict[str, list[PRF]] = defaultdict(list)
    per_measure: dict[str, list[PRF]] = defaultdict(list)
    attribution: dict[str, list[bool]] = defaultdict(list)
    errors: list[dict[str, Any]] = []
    missing_docs = sorted(set(gold) - set(predictions))
    for doc_id, gold_doc in sorted(gold.items()):
        pred = predictions.get(doc_id)
        pred_entities = pred.entities if pred else ()
        for label in ENTITY_LABELS:
            g_spans = {(e.start, e.end) for e in gold_doc.entities if e.label == label}
            p_spans = {(e.start, e.end) for e in pred_entities if e.label == label}
            strict[label].append(PRF(len(g_spans & p_spans), len(p_spans - g_spans), len(g_spans - p_spans)))
            g_norms = {e.norm for e in gold_doc.entities if e.label == label}
            p_norms = {e.norm for e in pred_entities if e.label == label}
            by_norm[label].append(PRF(len(g_norms & p_norms), len(p_norms - g_norms), len(g_norms - p_norms)))
            for e in gold_doc.entities:
                if e.label == label and (e.start, e.end) not in p_spans:
                    errors.append(
                        {
                            "kind": "entity_fn",
                            "doc_id": doc_id,
                            "label": label,
                            "text": e.text,
                            "start": e.start,
                            "norm": e.norm,
                        }
                    )
            for e in pred_entities:
                if e.label == label and (e.start, e.end) not in g_spans:
                    errors.append(
                        {
                            "kind": "entity_fp",
                            "doc_id": doc_id,
                            "label": label,
                            "text": e.text,
                            "start": e.start,
                            "norm": e.norm,
                        }
                    )
        preds = list(pred.outcomes) if pred else []
        matches, false_pos, missed = match_figures(preds, list(gold_doc.figures))
        scored = [(p, g) for p, g in matches if not g.optional]
        measures = {g.figure.measure for g in gold_doc.figures} | {p.measure for p in preds}
        for measure in measures:
            tp = sum(1 for _p, g in scored if g.figure.measure == measure)
            fp = sum(1 for p in false_pos if p.measure == measure)
            fn = sum(1 for g in missed if g.figure.measure == measure)
            per_measure[measure].append(PRF(tp, fp, fn))
        for p, g in scored:
            for key, ok in _attribution(p, g.figure).items():
                attribution[key].append(ok)
                if not ok:
                    errors.append(
                        {
                            "kind": f"wrong_{key}",
                            "doc_id": doc_id,
                            "measure": p.measure,
                            "predicted": _field(p, key),
                            "gold": _field(g.figure, key),
                            "sentence": g.figure.sentence,
                        }
                    )
        for p in false_pos:
            errors.append({"kind": "outcome_fp", "doc_id": doc_id, "figure": _brief(p), "sentence": p.sentence})
        for g in missed:
            errors.append(
                {"kind": "outcome_fn", "doc_id": doc_id, "figure": _brief(g.figure), "sentence": g.figure.sentence}
            )

    def table(groups: dict[str, list[PRF]]) -> dict[str, Any]:
        per_label = {label: _sum(items) for label, items in sorted(groups.items())}
        micro = _sum(per_label.values())
        present = [v for v in per_label.values() if v.tp + v.fn > 0]
        macro_f1 = sum(v.f1 for v in present) / len(present) if present else 0.0
        return {
            "per_label": {k: v.as_dict() for k, v in per_label.items()},
            "micro": micro.as_dict(),
            "macro_f1": round(macro_f1, 4),
        }

    return {
        "documents": {
            "gold": len(gold),
            "predicted": len(set(predictions) & set(gold)),
            "missing_predictions": missing_docs,
        },
        "entities": {"strict": table(strict), "by_norm": table(by_norm)},
        "outcomes": table(per_measure),
        "attribution": {
            k: {"correct": sum(v), "total": len(v), "accuracy": round(sum(v) / len(v), 4) if v else None}
            for k, v in sorted(attribution.items())
        },
        "errors": errors,
    }


def _field(figure: OutcomeFigure, key: str) -> Any:
    value = getattr(figure, key)
    return list(value) if isinstance(value, tuple) else value


def _brief(figure: OutcomeFigure) -> dict[str, Any]:
    data = figure.to_json()
    return {k: v for k, v in data.items() if k not in ("sentence", "start", "end") and v not in (None, [], False)}
