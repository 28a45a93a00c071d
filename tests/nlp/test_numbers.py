"""atc_mine/nlp/numbers.py: numbers, percents, fractions, CIs and times as abstracts write them.

Phrasings are quoted from the corpus abstracts, the seed review and held-out abstracts (named)."""

from __future__ import annotations

import pytest

from atc_mine.nlp.numbers import Quantity, normalise, parse_quantity, parse_timepoints, unit_norm, word_to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Forty-two", 42),
        ("Twenty-eight", 28),
        ("twenty one", 21),
        ("none", 0),
        ("17", 17),
        ("One hundred thirty-two", 132),  # MEDLINE 22508830
        ("One-hundred and twenty", 120),  # MEDLINE 26702259
        ("a hundred and five", 105),
        ("forty-eleven", None),
        ("mg", None),
    ],
)
def test_word_to_int(text, value):
    assert word_to_int(text) == value


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("(n 5 17)", "(n = 17)"),  # Wirth 2021 JCO PDF: "=" printed as "5"
        ("who had $ 1 measurable target lesion", "who had ≥ 1 measurable target lesion"),  # same PDF: "≥" as "$"
        ("three patients experienced a . 30% tumor reduction", "three patients experienced a > 30% tumor reduction"),
        ("1·5 months", "1.5 months"),
        ("1.7–12.9", "1.7-12.9"),
        ("Erdheim–Chester", "Erdheim-Chester"),
        ("Figure\u00a01", "Figure 1"),
        ("aged 5 years", "aged 5 years"),  # a 5 that is a number stays
    ],
)
def test_normalise_repairs_without_moving_offsets(raw, clean):
    assert normalise(raw) == clean
    assert len(normalise(raw)) == len(raw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 of 20 (25%)", Quantity(percent=25.0, count=5, denominator=20)),  # Savvides 2013
        ("Two of the 20 patients", Quantity(count=2, denominator=20)),
        ("5/12 (42%)", Quantity(percent=42.0, count=5, denominator=12)),  # Iyer 2018
        ("two (5%)", Quantity(percent=5.0, count=2)),  # Lim 2013
        ("(8/28; 29%)", Quantity(percent=29.0, count=8, denominator=28)),  # Capdevila 2020
        ("0/8", Quantity(count=0, denominator=8)),  # Ha 2010: "complete response 0/8"
        ("42% (95% confidence interval [CI], 20 to 67)", Quantity(percent=42.0, ci=(20.0, 67.0))),  # Hyman 2015
        ("2.9%; 95% CI, 0.1 to 15.3", Quantity(percent=2.9, ci=(0.1, 15.3))),  # Wirth 2021 (held-out)
        # Gupta 2008 (held-out, PMC2653134): a proportion CI beside a percent is read as percent
        ("7 patients (23%; 95% CI, 0.10 to 0.42)", Quantity(percent=23.0, count=7, ci=(10.0, 42.0))),
    ],
)
def test_counts_and_percents(text, expected):
    q = parse_quantity(normalise(text))
    assert (q.percent, q.count, q.denominator, q.ci) == (
        expected.percent,
        expected.count,
        expected.denominator,
        expected.ci,
    )


@pytest.mark.parametrize(
    ("text", "value", "unit", "ci", "not_reached"),
    [
        ("3.9 months (95% CI 2.5-6.3)", 3.9, "months", (2.5, 6.3), False),
        ("7.4 months [95% confidence interval (CI): 1.7–12.9]", 7.4, "months", (1.7, 12.9), False),  # Tahara 2017
        ("5.2 months [95% confidence interval (CI) 3.1, 9.0]", 5.2, "months", (3.1, 9.0), False),  # Sosa 2014
        ("9 [95% confidence interval (CI): 4 to 14]", 9.0, None, (4.0, 14.0), False),  # Schneider 2017: unit after
        ("18 (95% CI: 7 to 29) months", 18.0, "months", (7.0, 29.0), False),
        ("47 weeks [95% confidence interval (CI) 14.9-78.5]", 47.0, "weeks", (14.9, 78.5), False),  # Lim 2013
        ("166 days", 166.0, "days", None, False),  # Iwasaki 2018 (held-out)
        ("5 mo", 5.0, "months", None, False),
        ("12 wk", 12.0, "weeks", None, False),
        ("not reached (95% CI, 22 months to not reached)", None, None, None, True),  # Mehnert 2019 (held-out)
        ("25.8 (18.4–not evaluable [NE])", 25.8, None, None, False),  # a CI bound "NE" is no CI
    ],
)
def test_times(text, value, unit, ci, not_reached):
    q = parse_quantity(normalise(text), time=True)
    assert (q.value, q.unit, q.ci, q.not_reached) == (value, unit, ci, not_reached)


def test_a_bare_range_is_a_ci_only_under_a_ci_heading():
    # Tahara COSA 2016 (held-out): "Median PFS (95% CI) was 25.8 (18.4–NE), ... 7.4 (1.7–12.9) months"
    assert parse_quantity("7.4 (1.7-12.9)", time=True, ci_header=True, default_unit="months").ci == (1.7, 12.9)
    assert parse_quantity("38 months (2-64)", time=True).ci is None  # Schneider 2017: a follow-up range


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("1-year", ["1 years"]),
        ("One-year", ["1 years"]),
        ("12-month", ["12 months"]),
        ("1-year and 2-year", ["1 years", "2 years"]),  # Liu 2016 (held-out)
        ("1- and 2-year", ["1 years", "2 years"]),
        ("3, 6, and 12 months", ["3 months", "6 months", "12 months"]),  # Pennell 2008
        ("6 and 12 months", ["6 months", "12 months"]),  # Mooney 2009 (held-out)
        ("no time", []),
    ],
)
def test_timepoints(text, points):
    assert parse_timepoints(text) == points


def test_units():
    assert [unit_norm(u) for u in ("mos", "mo.", "Months", "wk", "d", "yrs", "parsec", None)] == [
        "months",
        "months",
        "months",
        "weeks",
        "days",
        "years",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("text", "count", "percent", "denominator"),
    [
        # held-out dev2 (cancertherapyadvisor.com news on Cabanillas 2017): the percent between count and group
        ("Ten (40%) of the 25 study patients", 10, 40.0, 25),
        ("1 out of 4 patients with anaplastic thyroid carcinoma (25%)", 1, 25.0, 4),
        ("13 (52%) patients", 13, 52.0, None),  # negative: no group after the bracket
    ],
)
def test_a_count_its_percent_then_its_group(text, count, percent, denominator):
    q = parse_quantity(normalise(text))
    assert (q.count, q.percent, q.denominator) == (count, percent, denominator)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("four months", 4.0, "months"),  # held-out dev2 (In Vivo 2025): "and four months for ATC"
        ("six weeks", 6.0, "weeks"),  # hand-written
        ("four", None, None),  # negative: a spelled number without its unit is no time
    ],
)
def test_spelled_times(text, value, unit):
    q = parse_quantity(text, time=True)
    assert (q.value, q.unit) == (value, unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Forty percent of patients achieved disease control.", "   40 percent of patients achieved disease control."),
        ("Twenty-five percent of patients responded.", "         25 percent of patients responded."),
        ("one per cent had grade 4 events", "  1 per cent had grade 4 events"),
        ("forty patients were enrolled", "forty patients were enrolled"),  # no percent: unchanged
    ],
)
def test_a_spelled_number_before_percent_becomes_digits_in_its_own_width(text, expected):
    """House styles spell out a number that starts a sentence ("Forty percent of patients ...",
    hand-written examples of that style); the length never changes, so offsets stay valid."""
    assert normalise(text) == expected


def test_every_number_word_ends_in_the_letter_the_spelled_percent_gate_looks_for():
    """``normalise`` reads spelled percents only in a text where a letter stands before
    "percent" (``_LETTER_PERCENT``): sound only while every number word ends in an ASCII letter."""
    from atc_mine.nlp.numbers import _LETTER_PERCENT, number_tables

    words = number_tables().words
    assert words and all(word[-1].isascii() and word[-1].isalpha() for word in words)
    assert _LETTER_PERCENT.search("Forty-two percent") and _LETTER_PERCENT.search("seven per cent")
    assert not _LETTER_PERCENT.search("42 percent of the patients, a percentage")


def test_a_spelled_percent_is_read_as_a_figure(nlp):
    figures = nlp("Forty percent of patients achieved disease control.")._.atc_outcomes
    assert [(f["measure"], f["percent"]) for f in figures] == [("DCR", 40.0)]
    assert figures[0]["sentence"].startswith("Forty percent")


def test_normalise_folds_every_dash_and_space_variant_as_its_table_says():
    """The substitution normalise uses gives what str.translate through the table gives."""
    from atc_mine.nlp.numbers import _FOLD

    text = "a" + "b".join(map(chr, _FOLD)) + "é 12\u2009mg"
    assert normalise(text) == text.translate(_FOLD)
    assert normalise("PD\u2011L1 \u2013 5\u00a0mg") == "PD-L1 - 5 mg"
