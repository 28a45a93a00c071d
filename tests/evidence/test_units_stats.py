"""Months from days and weeks; exact (Clopper-Pearson 1934) intervals checked against scipy."""

from __future__ import annotations

import pytest
from scipy.stats import beta, binomtest

from atc_mine.evidence.stats import clopper_pearson
from atc_mine.evidence.units import DAYS_PER_MONTH, to_months


@pytest.mark.parametrize(
    "value, unit, months",
    [
        (98, "days", 3.22),  # Smallridge 2013: median survival 98 days at 0.15 mg (the gold's 3.22)
        (138, "days", 4.53),
        (48, "days", 1.58),
        (47, "weeks", 10.81),  # Lim 2013: median PFS 47 weeks
        (3.9, "months", 3.9),
        (1.5, "years", 18.0),
        (30.4375, "days", 1.0),
        (None, "days", None),
        (12, None, None),
        (12, "fortnights", None),
    ],
)
def test_to_months(value, unit, months):
    assert to_months(value, unit) == months


def test_a_month_is_a_julian_year_s_twelfth():
    assert DAYS_PER_MONTH == 365.25 / 12


@pytest.mark.parametrize("k, n", [(0, 8), (2, 8), (4, 17), (8, 42), (11, 16), (6, 6), (1, 1), (51, 122)])
def test_clopper_pearson_equals_scipy_exact_interval_and_beta_quantiles(k, n):
    low, high = clopper_pearson(k, n)
    exact = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    assert low == pytest.approx(exact.low, abs=1e-9) and high == pytest.approx(exact.high, abs=1e-9)
    assert low == (0.0 if k == 0 else pytest.approx(beta.ppf(0.025, k, n - k + 1)))
    assert high == (1.0 if k == n else pytest.approx(beta.ppf(0.975, k + 1, n - k)))
    assert low <= k / n <= high


def test_clopper_pearson_known_values():
    # Capdevila 2020: 8 responders of 42 (ORR 19%): exact 95% CI 8.6% to 34.1%.
    low, high = clopper_pearson(8, 42)
    assert (round(100 * low, 1), round(100 * high, 1)) == (8.6, 34.1)
    # No responders of 25 (Pennell 2008): the interval still has an upper limit (13.7%).
    assert clopper_pearson(0, 25)[0] == 0.0 and round(100 * clopper_pearson(0, 25)[1], 1) == 13.7


@pytest.mark.parametrize("k, n", [(3, 2), (-1, 5), (0, 0)])
def test_clopper_pearson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError):
        clopper_pearson(k, n)
