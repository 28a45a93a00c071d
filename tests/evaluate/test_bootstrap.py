"""The bootstrap: determinism with its seed, hand-checkable intervals, the paired test.

All inputs are hand-written count arrays (per unit: [tp, fp, fn] or correct/total).
"""

from __future__ import annotations

import numpy as np
import pytest

from atc_mine.evaluate.bootstrap import (
    NO_INTERVAL,
    Resampler,
    accuracy_summary,
    f1_from_counts,
    f1_summary,
    paired_bootstrap_f1,
    percentile_interval,
)


def test_the_same_seed_gives_the_same_resamples_and_another_seed_does_not():
    a = Resampler(12, n_resamples=200, seed=7)
    b = Resampler(12, n_resamples=200, seed=7)
    c = Resampler(12, n_resamples=200, seed=8)
    assert np.array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)


def test_each_resample_draws_as_many_units_as_there_are():
    weights = Resampler(9, n_resamples=300).weights
    assert weights.shape == (300, 9)
    assert (weights.sum(axis=1) == 9).all()
    assert weights.min() >= 0


def test_identical_units_give_a_point_interval():
    counts = np.array([[2, 1, 1]] * 6)  # every unit F1 = 4/6
    interval = Resampler(6).f1(counts)
    assert interval.low == pytest.approx(2 / 3) and interval.high == pytest.approx(2 / 3)


def test_two_opposite_units_span_zero_to_one():
    # unit A all right, unit B all missed: resamples AA (F1 1), AB (2/3), BB (0); with 1000
    # resamples each extreme has probability 1/4, far above the 2.5% tails.
    interval = Resampler(2, n_resamples=1000).f1(np.array([[1, 0, 0], [0, 0, 1]]))
    assert (interval.low, interval.high) == (0.0, 1.0)


def test_resamples_where_f1_is_undefined_are_left_out_and_counted():
    counts = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0]])  # two units hold nothing
    interval = Resampler(3, n_resamples=500).f1(counts)
    assert (interval.low, interval.high) == (1.0, 1.0)
    assert 0 < interval.undefined < 500  # about (2/3)^3 = 30% of resamples draw neither


def test_accuracy_and_macro_f1_intervals():
    resampler = Resampler(4, n_resamples=400)
    constant = resampler.accuracy(np.array([1, 2, 3, 4]), np.array([2, 4, 6, 8]))
    assert (constant.low, constant.high) == (0.5, 0.5)
    # two classes, each perfect on its own units: macro F1 is 1 in every resample
    per_class = np.array([[[1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [1, 0, 0], [1, 0, 0]]])
    macro = resampler.macro_f1(per_class)
    assert (macro.low, macro.high) == (1.0, 1.0)


def test_one_unit_or_no_resamples_give_no_interval():
    assert Resampler(1).f1(np.array([[1, 0, 0]])) == NO_INTERVAL
    assert Resampler(5, n_resamples=0).f1(np.zeros((5, 3))) == NO_INTERVAL
    assert NO_INTERVAL.as_list() is None


def test_rows_must_match_the_units():
    with pytest.raises(ValueError, match="expected 3 rows"):
        Resampler(3).f1(np.zeros((4, 3)))


def test_f1_from_counts_and_percentiles():
    f1 = f1_from_counts(np.array([2, 0, 0]), np.array([2, 1, 0]), np.array([0, 0, 0]))
    assert f1[0] == pytest.approx(2 / 3) and f1[1] == 0.0 and np.isnan(f1[2])
    interval = percentile_interval(np.arange(101, dtype=float))  # 0..100: the 2.5th and 97.5th
    assert (interval.low, interval.high) == pytest.approx((2.5, 97.5))


def test_paired_bootstrap_finds_a_real_improvement_and_not_a_null_one():
    better = np.array([[5, 0, 0]] * 20)
    worse = np.array([[3, 2, 2]] * 20)
    result = paired_bootstrap_f1(better, worse)
    assert result["delta"] == pytest.approx(1 - 0.6)
    assert result["p_value"] < 0.05
    same = paired_bootstrap_f1(worse, worse)
    assert same["delta"] == 0 and same["p_value"] == 1.0
    # better on one unit in twenty, a little worse on another: not significant
    noisy = worse.copy()
    noisy[0] = [5, 0, 0]
    noisy[1] = [2, 3, 3]
    assert paired_bootstrap_f1(noisy, worse)["p_value"] > 0.05


def test_summaries_for_study_level_callers():
    # three studies: fields recovered right / fields stated: 2/3, 1/1, 0/2 -> 3/6
    summary = accuracy_summary(np.array([2, 1, 0]), np.array([3, 1, 2]))
    assert {k: summary[k] for k in ("correct", "total", "accuracy")} == {"correct": 3, "total": 6, "accuracy": 0.5}
    low, high = summary["ci"]
    assert 0.0 <= low < 0.5 < high <= 1.0
    f1 = f1_summary(np.array([[1, 0, 1], [2, 1, 0]]))
    # tp 3, fp 1, fn 1: P = R = F1 = 0.75
    assert {k: f1[k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")} == {
        "tp": 3,
        "fp": 1,
        "fn": 1,
        "precision": 0.75,
        "recall": 0.75,
        "f1": 0.75,
    }
    assert f1_summary(np.zeros((2, 3)))["f1"] is None
