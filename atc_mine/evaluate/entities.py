"""Entity scoring: strict spans, normalised IDs, and the nervaluate overlap view.

Three views of the same predictions, each per label (DRUG, GENE, VARIANT, NCT_ID):

``strict``
    Mention level: a prediction is a true positive when label, start and end all equal a
    gold mention's (each gold mention matched at most once, so a duplicated prediction is a
    false positive).
``by_norm``
    Document level: the sets of ``(label, norm)`` per document are compared, so a drug
    mentioned ten times counts once, and a mention found with the wrong boundaries but the
    right normalised ID still counts. This is the view a curator cares about ("does the
    tool know this abstract is about spartalizumab?").
``overlap``
    The four schemes of SemEval-2013 task 9.1 (Segura-Bedmar et al. 2013) as defined and
    implemented by nervaluate (github.com/MantisAI/nervaluate, v1.2.1; Batista 2018, "Named
    entity evaluation as in SemEval 2013 task 9.1"): ``strict`` (exact boundaries and type),
    ``exact`` (exact boundaries, any type), ``partial`` (overlapping boundaries, any type;
    a partial match counts half) and ``ent_type`` (overlapping boundaries, same type). Each
    prediction is ``correct``, ``incorrect``, ``partial`` or ``spurious``, each unmatched gold
    mention ``missed``; precision = (COR + 0.5 PAR) / ACT and recall = (COR + 0.5 PAR) / POS
    for partial and ent_type, COR / ACT and COR / POS otherwise. We re-implement nervaluate's
    algorithm (greedy over predictions in text order) instead of calling it because it is a
    development dependency only and reads ``end`` as inclusive where our offsets are
    exclusive; ``tests/evaluate/test_overlap_view.py`` checks the counts against nervaluate.

Optional gold mentions (GUIDELINES section 7) are neither rewarded nor penalised: in the
strict view a prediction with an optional mention's label and span is dropped; in the
by-norm view an ID found only among optional mentions is dropped from both sides; in the
overlap view optional mentions are removed, with every prediction that overlaps one and no
required mention.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from atc_mine.evaluate.gold import GoldEntity
from atc_mine.evaluate.metrics import Tally
from atc_mine.records import ENTITY_LABELS, Entity

STRICT = "entities.strict"
BY_NORM = "entities.by_norm"
OVERLAP_SCHEMES = ("strict", "exact", "partial", "ent_type")
#: nervaluate's default minimum overlap, in percent of the gold mention's length.
MIN_OVERLAP_PERCENT = 1.0
OVERLAP_KINDS = ("correct", "incorrect", "partial", "missed", "spurious")


def _key(e: Entity) -> tuple[str, int, int]:
    return (e.label, e.start, e.end)


def _text_order(e: Entity) -> tuple[int, int, str]:
    return (e.start, e.end, e.label)


def _overlaps(a: Entity, b: Entity) -> bool:
    return a.start < b.end and b.start < a.end


def score_strict(
    doc_id: str, golds: Sequence[GoldEntity], preds: Sequence[Entity], tally: Tally
) -> list[dict[str, Any]]:
    """Count strict-span tp/fp/fn into ``tally``; return one error record per fp and fn."""
    required = [g.entity for g in golds if not g.optional]
    optional_keys = {_key(g.entity) for g in golds if g.optional}
    unmatched = Counter(_key(e) for e in required)
    errors: list[dict[str, Any]] = []
    for label in ENTITY_LABELS:
        tally.touch(STRICT, label)
    for pred in sorted(preds, key=_key):
        key = _key(pred)
        if unmatched[key] > 0:
            unmatched[key] -= 1
            tally.add(STRICT, pred.label, "tp", doc_id, pred.start)
        elif key in optional_keys:
            continue
        else:
            tally.add(STRICT, pred.label, "fp", doc_id, pred.start)
            errors.append(_entity_error("entity_fp", doc_id, pred, _why_fp(pred, required)))
    for gold in sorted(required, key=_key):
        key = _key(gold)
        if unmatched[key] > 0:
            unmatched[key] -= 1
            tally.add(STRICT, gold.label, "fn", doc_id, gold.start)
            errors.append(_entity_error("entity_fn", doc_id, gold, _why_fn(gold, preds)))
    return errors


def _why_fp(pred: Entity, golds: Iterable[Entity]) -> str:
    for gold in golds:
        if (gold.start, gold.end) == (pred.start, pred.end) and gold.label != pred.label:
            return f"wrong label (gold {gold.label})"
    for gold in golds:
        if _overlaps(gold, pred):
            relation = "same label" if gold.label == pred.label else f"gold {gold.label}"
            return f"boundary: gold is {gold.text!r} at {gold.start}-{gold.end} ({relation})"
    return "spurious"


def _why_fn(gold: Entity, preds: Iterable[Entity]) -> str:
    for pred in preds:
        if (gold.start, gold.end) == (pred.start, pred.end) and gold.label != pred.label:
            return f"wrong label (predicted {pred.label})"
    for pred in preds:
        if _overlaps(gold, pred):
            return f"boundary: predicted {pred.text!r} at {pred.start}-{pred.end} ({pred.label})"
    return "missed"


def _entity_error(kind: str, doc_id: str, e: Entity, reason: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "doc_id": doc_id,
        "label": e.label,
        "text": e.text,
        "start": e.start,
        "end": e.end,
        "norm": e.norm,
        "reason": reason,
    }


def score_by_norm(
    doc_id: str, golds: Sequence[GoldEntity], preds: Sequence[Entity], tally: Tally
) -> list[dict[str, Any]]:
    """Document-level (label, norm) sets; each counted ID is placed at its first mention."""
    required: dict[tuple[str, str], Entity] = {}
    optional: set[tuple[str, str]] = set()
    for g in sorted(golds, key=lambda g: g.entity.start):
        key = (g.entity.label, g.entity.norm)
        if g.optional:
            optional.add(key)
        else:
            required.setdefault(key, g.entity)
    predicted: dict[tuple[str, str], Entity] = {}
    for p in sorted(preds, key=lambda p: p.start):
        predicted.setdefault((p.label, p.norm), p)
    for label in ENTITY_LABELS:
        tally.touch(BY_NORM, label)
    errors: list[dict[str, Any]] = []
    for key, first in sorted(required.items()):
        if key in predicted:
            tally.add(BY_NORM, key[0], "tp", doc_id, first.start)
        else:
            tally.add(BY_NORM, key[0], "fn", doc_id, first.start)
            errors.append(_norm_error("norm_fn", doc_id, first, "no prediction has this normalised ID"))
    for key, first in sorted(predicted.items()):
        if key in required or key in optional:
            continue
        tally.add(BY_NORM, key[0], "fp", doc_id, first.start)
        errors.append(_norm_error("norm_fp", doc_id, first, "not a normalised ID of this document's gold"))
    return errors


def _norm_error(kind: str, doc_id: str, first: Entity, reason: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "doc_id": doc_id,
        "label": first.label,
        "norm": first.norm,
        "text": first.text,
        "start": first.start,
        "end": first.end,
        "reason": f"{reason} (first mention shown)",
    }


# -- the nervaluate view ---------------------------------------------------------------------
@dataclass(slots=True)
class OverlapCounts:
    """SemEval-2013 9.1 / nervaluate counts of one scheme."""

    scheme: str
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    def add(self, other: OverlapCounts) -> None:
        for name in OVERLAP_KINDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def actual(self) -> int:
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def possible(self) -> int:
        return self.correct + self.incorrect + self.partial + self.missed

    def _credit(self) -> float:
        half = 0.5 * self.partial if self.scheme in ("partial", "ent_type") else 0.0
        return self.correct + half

    @property
    def precision(self) -> float | None:
        return self._credit() / self.actual if self.actual else None

    @property
    def recall(self) -> float | None:
        return self._credit() / self.possible if self.possible else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in OVERLAP_KINDS}
        data.update(possible=self.possible, actual=self.actual)
        for name in ("precision", "recall", "f1"):
            value = getattr(self, name)
            data[name] = None if value is None else round(value, 4)
        return data


def _enough_overlap(pred: Entity, gold: Entity) -> bool:
    """nervaluate's test: the overlap covers at least MIN_OVERLAP_PERCENT of the gold mention."""
    overlap = min(pred.end, gold.end) - max(pred.start, gold.start)
    return overlap > 0 and overlap / (gold.end - gold.start) * 100 >= MIN_OVERLAP_PERCENT


def overlap_counts(scheme: str, golds: Sequence[Entity], preds: Sequence[Entity]) -> OverlapCounts:
    """One document, one scheme, exactly as nervaluate 1.2.1's strategies count it.

    Predictions are visited in the order given; each takes the first (for ``ent_type``: the
    closest-bounded same-label) unmatched gold mention it matches.
    """
    counts = OverlapCounts(scheme)
    matched: set[int] = set()
    for pred in preds:
        match: int | None = None
        fallback: int | None = None  # an overlapping gold mention that makes the prediction incorrect/partial
        best_distance: int | None = None
        for i, gold in enumerate(golds):
            if i in matched or gold.end <= pred.start or gold.start >= pred.end:
                continue  # every outcome below needs the two spans to overlap
            same_span = (pred.start, pred.end) == (gold.start, gold.end)
            overlapping = _enough_overlap(pred, gold)
            if scheme == "strict" and same_span and pred.label == gold.label:
                match = i
                break
            if scheme == "exact" and same_span:
                match = i
                break
            if scheme == "partial" and overlapping and same_span:
                match = i
                break
            if scheme == "ent_type" and overlapping and pred.label == gold.label:
                distance = abs(pred.start - gold.start) + abs(pred.end - gold.end)
                if best_distance is None or distance < best_distance:
                    match, best_distance = i, distance
                continue
            if overlapping and fallback is None:
                fallback = i
        if match is not None:
            counts.correct += 1
            matched.add(match)
        elif fallback is not None:
            if scheme == "partial":
                counts.partial += 1
            else:
                counts.incorrect += 1
            matched.add(fallback)
        else:
            counts.spurious += 1
    counts.missed = len(golds) - len(matched)
    return counts


def score_overlap(
    golds: Sequence[GoldEntity], preds: Sequence[Entity]
) -> tuple[dict[str, OverlapCounts], dict[str, dict[str, OverlapCounts]]]:
    """All four schemes for one document: overall (all labels together) and per label.

    As in nervaluate, "overall" evaluates the mentions of all labels together (so a
    prediction with the right span and the wrong label is ``incorrect`` under strict),
    and each label is evaluated on its own mentions only.
    """
    required = sorted((g.entity for g in golds if not g.optional), key=_text_order)
    optional = [g.entity for g in golds if g.optional]
    kept = sorted(
        (
            p
            for p in preds
            if p.label in ENTITY_LABELS
            and not (any(_overlaps(p, o) for o in optional) and not any(_overlaps(p, r) for r in required))
        ),
        key=_text_order,
    )
    overall = {scheme: overlap_counts(scheme, required, kept) for scheme in OVERLAP_SCHEMES}
    per_label = {
        label: {
            scheme: overlap_counts(
                scheme, [g for g in required if g.label == label], [p for p in kept if p.label == label]
            )
            for scheme in OVERLAP_SCHEMES
        }
        for label in ENTITY_LABELS
    }
    return overall, per_label
