"""Times in months, the unit of the evidence table.

A month is a Julian year's twelfth: 365.25 / 12 = 30.4375 days, the convention of the gold
set (gold/GUIDELINES.md section 6) and of the scorer. Days are divided by 30.4375, weeks
multiplied by 7 / 30.4375, years by 12.
"""

from __future__ import annotations

DAYS_PER_MONTH = 30.4375  # 365.25 / 12
MONTHS_PER_UNIT = {"days": 1 / DAYS_PER_MONTH, "weeks": 7 / DAYS_PER_MONTH, "months": 1.0, "years": 12.0}
#: Decimals kept for a converted time: two, as the gold set rounds (98 days -> 3.22 months).
MONTH_DECIMALS = 2


def to_months(value: float | None, unit: str | None) -> float | None:
    """``value`` in ``unit`` (days, weeks, months, years) as months; None when either is unknown.

    >>> to_months(98, "days"), to_months(47, "weeks"), to_months(1.5, "years")
    (3.22, 10.81, 18.0)
    """
    if value is None or unit not in MONTHS_PER_UNIT:
        return None
    return round(value * MONTHS_PER_UNIT[unit], MONTH_DECIMALS)
