"""Counts and the scores read from them: precision, recall, F1, micro and macro averages.

Conventions (stated once, used by every table of the score report):

- precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2tp / (2tp + fp + fn), which equals
  the harmonic mean of P and R whenever both are defined. A ratio whose denominator is 0 is
  ``None`` (undefined), never a silent 0: a label with no gold and no prediction has no F1.
- micro average: the scores of the summed counts of all labels.
- macro F1: the arithmetic mean of the per-label F1 over the labels whose F1 is defined (the
  average of F1 scores, not the F1 of averaged P and R; Opitz & Burst 2019, "Macro F1 and
  Macro F1", arXiv:1911.03347).

Every counted item is recorded with the document and character offset it comes from, so the
same counts can be summed per document or per paragraph for the bootstrap
(:mod:`atc_mine.evaluate.bootstrap`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import numpy as np

KINDS = ("tp", "fp", "fn")
ROUND = 4  # decimals in the JSON report


@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "f1": _round(self.f1),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, ROUND)


def total(items: Iterable[PRF]) -> PRF:
    result = PRF(0, 0, 0)
    for item in items:
        result = result + item
    return result


def macro_f1(per_label: Iterable[PRF]) -> float | None:
    scores = [prf.f1 for prf in per_label if prf.f1 is not None]
    return sum(scores) / len(scores) if scores else None


@dataclass(frozen=True, slots=True)
class Mark:
    """One counted item: its kind (tp/fp/fn, or correct/wrong), and where it is."""

    kind: str
    doc_id: str
    offset: int


class Tally:
    """Counted items per (group, label), each kept with its place for per-unit sums."""

    def __init__(self) -> None:
        self._marks: dict[tuple[str, str], list[Mark]] = defaultdict(list)

    def add(self, group: str, label: str, kind: str, doc_id: str, offset: int) -> None:
        self._marks[(group, label)].append(Mark(kind, doc_id, offset))

    def touch(self, group: str, label: str) -> None:
        """Make ``label`` appear in ``group`` even with no counted item."""
        self._marks.setdefault((group, label), [])

    def labels(self, group: str) -> list[str]:
        return sorted(label for g, label in self._marks if g == group)

    def prf(self, group: str, label: str) -> PRF:
        marks = self._marks.get((group, label), [])
        return PRF(*(sum(1 for m in marks if m.kind == kind) for kind in KINDS))

    def count(self, group: str, label: str, kind: str) -> int:
        return sum(1 for m in self._marks.get((group, label), []) if m.kind == kind)

    def per_unit(
        self, group: str, label: str, kinds: tuple[str, ...], unit_of: Callable[[str, int], int], n_units: int
    ) -> np.ndarray:
        """Counts of each kind per unit: shape (n_units, len(kinds))."""
        columns = {kind: i for i, kind in enumerate(kinds)}
        counts = np.zeros((n_units, len(kinds)), dtype=np.int64)
        for mark in self._marks.get((group, label), []):
            if mark.kind in columns:
                counts[unit_of(mark.doc_id, mark.offset), columns[mark.kind]] += 1
        return counts


def unit_index(keys: Iterable[Hashable]) -> dict[Hashable, int]:
    """Stable indices for unit keys, in sorted order."""
    return {key: i for i, key in enumerate(sorted(set(keys)))}
