"""Bootstrap confidence intervals for scores computed from per-unit counts.

The gold set is small (one review, fifteen abstracts), so a point estimate of F1 says little
on its own. We resample the *units* the counts come from (documents, or paragraphs when
there are too few documents) with replacement and read the 2.5th and 97.5th percentiles
of the statistic over the resamples: the percentile interval of Efron & Tibshirani, *An
Introduction to the Bootstrap* (1993), ch. 13. Resampling whole units rather than single
mentions keeps the correlation between mentions of one text inside a resample (a cluster
bootstrap), which is what makes the interval honest for text data.

For comparing two systems on the same gold set, :func:`paired_bootstrap_f1` implements
the paired bootstrap test of Berg-Kirkpatrick, Burkett & Klein, "An Empirical
Investigation of Statistical Significance in NLP" (EMNLP 2012), section 2.

Everything here is plain numpy over count arrays, so study-level scoring (or any other
caller) can reuse it: build one :class:`Resampler` for the units, and ask it for
:meth:`~Resampler.f1`, :meth:`~Resampler.accuracy` or any :meth:`~Resampler.statistic`
over per-unit columns (all statistics of one report are read from the *same* resamples),
or call :func:`f1_summary` / :func:`accuracy_summary` for a result in the report's shape.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Efron & Tibshirani (1993, section 19.3) find B of about 1000 adequate for percentile intervals.
BOOTSTRAP_RESAMPLES = 1000
#: Fixed, so a report is reproducible bit for bit (the date the scorer's rules were fixed).
BOOTSTRAP_SEED = 20261125
#: Two-sided coverage of the percentile interval.
CONFIDENCE = 0.95
#: Fewer units than this give no interval: with one unit every resample is the sample itself.
MIN_UNITS = 2


@dataclass(frozen=True, slots=True)
class Interval:
    """A percentile bootstrap interval; ``low``/``high`` are None when it cannot be computed.

    ``undefined`` counts resamples in which the statistic had no value (e.g. F1 of a label
    that no resampled unit contains): they are left out of the percentiles.
    """

    low: float | None
    high: float | None
    undefined: int = 0

    def as_list(self) -> list[float] | None:
        if self.low is None or self.high is None:
            return None
        return [round(self.low, 4), round(self.high, 4)]


NO_INTERVAL = Interval(None, None)


def f1_from_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """F1 = 2tp / (2tp + fp + fn), NaN where nothing was predicted or expected."""
    denominator = 2 * tp + fp + fn
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, 2 * tp / np.where(denominator > 0, denominator, 1), np.nan)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (accuracy over no items)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def percentile_interval(samples: np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    """The percentile interval of a statistic's bootstrap distribution (NaNs left out)."""
    samples = np.asarray(samples, dtype=float)
    defined = samples[~np.isnan(samples)]
    undefined = int(samples.size - defined.size)
    if defined.size == 0:
        return Interval(None, None, undefined)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return Interval(float(low), float(high), undefined)


class Resampler:
    """A fixed set of bootstrap resamples of ``n_units`` units (documents, paragraphs, studies).

    Each resample draws ``n_units`` units with replacement; it is kept as a row of weights
    (how many times each unit was drawn), so a statistic over summed counts is one matrix
    product. With ``n_resamples=0`` or fewer than :data:`MIN_UNITS` units every interval is
    :data:`NO_INTERVAL`.
    """

    def __init__(
        self,
        n_units: int,
        *,
        n_resamples: int = BOOTSTRAP_RESAMPLES,
        seed: int = BOOTSTRAP_SEED,
        confidence: float = CONFIDENCE,
    ) -> None:
        if n_resamples < 0:
            raise ValueError("n_resamples must be >= 0")
        if not 0 < confidence < 1:
            raise ValueError("confidence must be between 0 and 1")
        self.n_units = n_units
        self.n_resamples = n_resamples
        self.seed = seed
        self.confidence = confidence
        self.enabled = n_resamples > 0 and n_units >= MIN_UNITS
        if self.enabled:
            rng = np.random.default_rng(seed)
            draws = rng.integers(0, n_units, size=(n_resamples, n_units))
            weights = np.zeros((n_resamples, n_units), dtype=np.int64)
            np.add.at(weights, (np.arange(n_resamples)[:, None], draws), 1)
            self.weights = weights
        else:
            self.weights = np.zeros((0, n_units), dtype=np.int64)

    def sums(self, columns: np.ndarray) -> np.ndarray:
        """Per-resample totals of per-unit columns: (n_units, k) -> (n_resamples, k)."""
        columns = np.asarray(columns, dtype=np.int64)
        if columns.ndim == 1:
            columns = columns[:, None]
        if columns.shape[0] != self.n_units:
            raise ValueError(f"expected {self.n_units} rows (one per unit), got {columns.shape[0]}")
        return self.weights @ columns

    def statistic(self, columns: np.ndarray, function: Callable[[np.ndarray], np.ndarray]) -> Interval:
        """Interval of ``function`` (resampled column totals (B, k) -> values (B,)) over the resamples."""
        if not self.enabled:
            return NO_INTERVAL
        return percentile_interval(function(self.sums(columns)), self.confidence)

    def f1(self, counts: np.ndarray) -> Interval:
        """Interval of micro F1 from per-unit ``[tp, fp, fn]`` rows, shape (n_units, 3)."""
        return self.statistic(counts, lambda s: f1_from_counts(s[:, 0], s[:, 1], s[:, 2]))

    def macro_f1(self, counts: np.ndarray) -> Interval:
        """Interval of the mean F1 over classes; ``counts`` has shape (n_classes, n_units, 3).

        In each resample, classes whose F1 is undefined there (no gold, no prediction) are
        left out of the mean, as they are from the point estimate.
        """
        if not self.enabled or len(counts) == 0:
            return NO_INTERVAL
        per_class = np.stack([f1_from_counts(*self.sums(c).T) for c in counts], axis=1)
        with warnings.catch_warnings():  # an all-NaN row is an undefined resample, not a problem
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(per_class, axis=1)
        return percentile_interval(means, self.confidence)

    def accuracy(self, correct: np.ndarray, total: np.ndarray) -> Interval:
        """Interval of sum(correct) / sum(total) from per-unit arrays."""
        return self.statistic(np.stack([correct, total], axis=1), lambda s: ratio(s[:, 0], s[:, 1]))

    def describe(self, unit: str) -> dict[str, object]:
        """The settings a reader needs to reproduce the intervals."""
        return {
            "method": "percentile bootstrap over resampled units (Efron & Tibshirani 1993, ch. 13)",
            "unit": unit,
            "n_units": self.n_units,
            "n_resamples": self.n_resamples if self.enabled else 0,
            "seed": self.seed,
            "confidence": self.confidence,
        }


def f1_summary(
    counts: np.ndarray, *, n_resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> dict[str, float | int | list[float] | None]:
    """P/R/F1 of per-unit ``[tp, fp, fn]`` rows with the F1 interval, in the report's shape.

    For callers outside the document scorer (e.g. study-level scoring with one row per study):
    ``{"tp", "fp", "fn", "precision", "recall", "f1", "f1_ci"}``, undefined ratios as None.
    """
    counts = np.asarray(counts, dtype=np.int64).reshape(-1, 3)
    tp, fp, fn = (int(x) for x in counts.sum(axis=0))
    interval = Resampler(len(counts), n_resamples=n_resamples, seed=seed).f1(counts)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else None,
        "f1_ci": interval.as_list(),
    }


def accuracy_summary(
    correct: np.ndarray, total: np.ndarray, *, n_resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> dict[str, float | int | list[float] | None]:
    """Accuracy of per-unit ``correct`` out of ``total`` with its interval: ``{"correct", "total", "accuracy", "ci"}``.

    E.g. study-level field recovery: one unit per study record, ``correct`` the fields recovered
    right, ``total`` the fields the gold states.
    """
    correct = np.asarray(correct, dtype=np.int64)
    total = np.asarray(total, dtype=np.int64)
    n_correct, n_total = int(correct.sum()), int(total.sum())
    interval = Resampler(len(correct), n_resamples=n_resamples, seed=seed).accuracy(correct, total)
    return {
        "correct": n_correct,
        "total": n_total,
        "accuracy": round(n_correct / n_total, 4) if n_total else None,
        "ci": interval.as_list(),
    }


def paired_bootstrap_f1(
    system_a: np.ndarray,
    system_b: np.ndarray,
    *,
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, float | int]:
    """Is system A's F1 better than system B's by more than resampling noise?

    ``system_a`` and ``system_b`` are per-unit ``[tp, fp, fn]`` rows over the *same* units.
    Following Berg-Kirkpatrick et al. (2012, section 2), with delta(x) = F1_A(x) - F1_B(x)
    on the test set x, the p-value is the share of resamples x(i) where
    delta(x(i)) > 2 * delta(x): the resamples are centred on delta(x), not on 0.
    """
    system_a = np.asarray(system_a)
    system_b = np.asarray(system_b)
    if system_a.shape != system_b.shape:
        raise ValueError("both systems must be counted over the same units")
    observed_a = f1_from_counts(*system_a.sum(axis=0))
    observed_b = f1_from_counts(*system_b.sum(axis=0))
    delta = float(np.nan_to_num(observed_a) - np.nan_to_num(observed_b))
    resampler = Resampler(len(system_a), n_resamples=n_resamples, seed=seed)
    if not resampler.enabled:
        return {"delta": round(delta, 4), "p_value": 1.0, "n_resamples": 0}
    a = np.nan_to_num(f1_from_counts(*resampler.sums(system_a).T))
    b = np.nan_to_num(f1_from_counts(*resampler.sums(system_b).T))
    p_value = float(np.mean((a - b) > 2 * delta)) if delta > 0 else 1.0
    return {"delta": round(delta, 4), "p_value": round(p_value, 4), "n_resamples": n_resamples}
