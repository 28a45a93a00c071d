"""Numbers as trial abstracts write them: numerals, number words, percents, fractions, CIs, times.

Everything here works on text that :func:`normalise` has made regular without changing
its length (so offsets stay those of the document): PDF artefacts ("n 5 17" for "n = 17",
"$ 1" for "≥ 1", a lone "." for ">"), en/em dashes and minus signs, non-breaking and thin
spaces, and the mid-dot used as a decimal point ("1·5"). Number words and time units come
from ``data/outcome_lexicon.json``.

:func:`parse_quantity` reads one stated figure ("5 of 20 (25%)", "3.9 months (95% CI
2.5-6.3)", "not reached") into a :class:`Quantity`; :func:`parse_timepoints` reads landmark
time points ("1- and 2-year", "3, 6, and 12 months").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from atc_mine.nlp.rules import load_records

LEXICON_FILE = "outcome_lexicon.json"
LEXICON_KEYS = dict(
    required=("id", "kind", "surfaces"),
    optional=("value", "norm", "measure", "role", "rate_measure", "abbreviations"),
)

#: A proportion CI printed as fractions next to a percent ("23%; 95% CI, 0.10 to 0.42") is
#: rescaled when both bounds are at most this and the percent is above it.
PROPORTION_MAX = 1.0

#: Dash and space variants folded to ASCII in one table (same length).
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"),
        **dict.fromkeys("\u00a0\u2009\u202f\u2007\u2002\u2003", " "),
    }
)
#: Any character :data:`_FOLD` maps, and what it becomes.
_FOLDED_CHAR = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
_FOLDED_TO = {chr(code): replacement for code, replacement in _FOLD.items()}


def _folded(match: re.Match[str]) -> str:
    return _FOLDED_TO[match.group()]


_PDF_EQUALS = re.compile(r"(?<![\w.])([nNpP]) 5 (?=\.?\d)")  # "n 5 17": "n = 17"
_PDF_GEQ = re.compile(r"(?<![\w$])\$ (?=\d)")  # "$ 1 measurable lesion": "≥ 1"
_PDF_GT = re.compile(r"(?<=[a-z] )\.(?= \d)")  # "experienced a . 30% reduction": ">"
#: What every spelled percent shows: a letter (a number word's last, checked by
#: ``tests/nlp/test_numbers.py``) before "percent" (its regex costs far more than this search).
_LETTER_PERCENT = re.compile(r"(?i:[a-z]\s?per\s?cent\b)")
_MIDDOT = re.compile(r"(?<=\d)[\u00b7\u2219](?=\d)")  # "1·5": "1.5"


def normalise(text: str) -> str:
    """Regularise dashes, spaces, decimal points and PDF artefacts; the length never changes."""
    if not text.isascii():
        # a few characters to fold: replacing each match beats str.translate's walk through
        # the whole text character by character (~6 against ~70 us an abstract)
        text = _FOLDED_CHAR.sub(_folded, text)
    if "\u00b7" in text or "\u2219" in text:
        text = _MIDDOT.sub(".", text)
    if " 5 " in text:
        text = _PDF_EQUALS.sub(r"\1 = ", text)
    if "$ " in text:
        text = _PDF_GEQ.sub("≥ ", text)
    if " . " in text:
        text = _PDF_GT.sub(">", text)
    if ("cent" in text or "CENT" in text) and _may_spell_a_percent(text):
        text = _spelled_percent().sub(_percent_digits, text)
    return text


#: The most characters of :data:`_LETTER_PERCENT` before its "cent" ("y per cent").
_BEFORE_CENT = 6


def _may_spell_a_percent(text: str) -> bool:
    """``_LETTER_PERCENT.search(text)``, looked for only around each "cent" of an ASCII text
    (``lower`` keeps its offsets), one character past it for the closing word boundary."""
    if not text.isascii():
        return _LETTER_PERCENT.search(text) is not None
    lower = text.lower()
    position = lower.find("cent")
    while position >= 0:
        if _LETTER_PERCENT.search(text, max(0, position - _BEFORE_CENT), position + 5):
            return True
        position = lower.find("cent", position + 1)
    return False


@cache
def _spelled_percent() -> re.Pattern[str]:
    """A number word before "percent" ("Forty percent of patients ...": house styles spell out a
    number that starts a sentence)."""
    return re.compile(rf"{number_tables().word_pattern}(?=\s?(?i:per\s?cent)\b)")


def _percent_digits(match: re.Match[str]) -> str:
    """The number word as digits, right-aligned in its own width ("Forty" -> "   40"), so that the
    length never changes and the percent templates read it as they read "40 percent"."""
    value = word_to_int(match.group())
    digits = str(value) if value is not None else ""
    if not digits or len(digits) > len(match.group()):
        return match.group()
    return digits.rjust(len(match.group()))


@dataclass(frozen=True, slots=True)
class NumberTables:
    words: dict[str, int]  # "forty" -> 40 (lower case)
    units: dict[str, str]  # "mos" -> "months"
    word_pattern: str  # regex of a number word, tens-ones compounds included
    unit_pattern: str  # regex of a time unit


@cache
def number_tables(name: str = LEXICON_FILE) -> NumberTables:
    words: dict[str, int] = {}
    units: dict[str, str] = {}
    for record in load_records(name, "terms", **LEXICON_KEYS):
        if record["kind"] == "number_word":
            for surface in record["surfaces"]:
                words[surface.lower()] = int(record["value"])
        elif record["kind"] == "unit":
            for surface in record["surfaces"]:
                units[surface.lower()] = record["norm"]
    tens = [w for w, v in words.items() if v >= 20 and v % 10 == 0 and v < 100]
    ones = [w for w, v in words.items() if 1 <= v <= 9]
    teens = [w for w, v in words.items() if 10 <= v <= 19]
    simple = sorted((w for w in words if " " not in w), key=len, reverse=True)
    below_hundred = rf"(?:(?:{'|'.join(tens)})(?:[- ](?:{'|'.join(ones)}))?|{'|'.join(teens)}|{'|'.join(ones)})"
    hundreds = rf"(?:(?:a|{'|'.join(ones)})[- ]hundred(?:[- ](?:and[- ])?{below_hundred})?)"
    compound = rf"(?:{'|'.join(tens)})[- ](?:{'|'.join(ones)})"
    initials = "".join(sorted({c for w in words for c in (w[0].lower(), w[0].upper())} | {"a", "A"}))
    # The lookahead on first letters lets the regex engine skip most positions cheaply (3-4x faster).
    word_pattern = rf"(?:\b(?=[{initials}])(?i:(?:{hundreds}|{compound}|{'|'.join(re.escape(w) for w in simple)})\b))"
    unit_pattern = rf"(?i:(?:{'|'.join(re.escape(u) for u in sorted(units, key=len, reverse=True))})\.?)(?![A-Za-z])"
    return NumberTables(words=words, units=units, word_pattern=word_pattern, unit_pattern=unit_pattern)


def word_to_int(text: str) -> int | None:
    """'Forty-two' -> 42, 'twenty one' -> 21, '12' -> 12, 'none' -> 0; anything else None."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    words = number_tables().words
    if text in words:
        return words[text]
    parts = [p for p in re.split(r"[- ]+", text) if p != "and"]
    total = 0
    if len(parts) >= 2 and parts[1] == "hundred":  # "one hundred thirty-two", "One-hundred and twenty"
        if parts[0] not in words and parts[0] != "a":
            return None
        total, parts = (1 if parts[0] == "a" else words[parts[0]]) * 100, parts[2:]
        if not parts:
            return total
    if len(parts) == 1 and parts[0] in words and words[parts[0]] < 100:
        return total + words[parts[0]]
    if len(parts) == 2 and parts[0] in words and parts[1] in words:
        tens, ones = words[parts[0]], words[parts[1]]
        if tens >= 20 and tens % 10 == 0 and 1 <= ones <= 9:
            return total + tens + ones
    return None


def unit_norm(text: str | None) -> str | None:
    if not text:
        return None
    return number_tables().units.get(text.strip().rstrip(".").lower())


@dataclass(frozen=True, slots=True)
class Quantity:
    """One stated figure: its numbers, offsets relative to the text it was parsed from."""

    percent: float | None = None
    count: int | None = None
    denominator: int | None = None
    value: float | None = None
    unit: str | None = None
    ci: tuple[float, float] | None = None
    not_reached: bool = False
    start: int = 0
    end: int = 0

    @property
    def empty(self) -> bool:
        return (
            not self.not_reached
            and self.percent is None
            and self.count is None
            and self.value is None
            and self.denominator is None
        )


_NUM = r"\d+(?:\.\d+)?"
_BOUND = rf"(?:{_NUM}\s?%?|NE|NR|NA|N/?A|(?i:not\s+(?:evaluable|estimable|reached|calculable|available)))"
_CI = re.compile(
    rf"(?i:(?:95|90)\s?%\s?|95-percent\s+)?(?:\bCIs?\b|C\.I\.|confidence\s+intervals?)(?:\s*[\[(]\s*CI\s*[\])])?"
    rf"\s*[:,=]?\s*[\[(]?\s*(?P<lo>{_BOUND})\s*(?:-|to|,|–)\s*(?P<hi>{_BOUND})\s*[\])]?"
)
_BARE_RANGE = re.compile(rf"[\[(]\s*(?P<lo>{_NUM})\s*%?\s*(?:-|to)\s*(?P<hi>{_BOUND})\s*(?:\[[^\]]*\])?\s*[\])]")
_NOT_REACHED = re.compile(
    r"(?i:(?:\b(?:has|had|have)\s+)?\bnot\s+(?:yet\s+)?(?:been\s+)?(?:reached|attained)\b)|\bNR\b"
)
_PERCENT = re.compile(rf"(?<![\w.]){_NUM}(?=\s?(?:%|(?i:per\s?cent\b)))")
_FRACTION = re.compile(r"(?<![\w./])(\d{1,5})\s?/\s?(\d{1,5})(?![\w/]|\.\d)")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_DECIMAL = re.compile(rf"(?<![\w.]){_NUM}(?![\w]|\.\d)")
_PLUS_MINUS = re.compile(rf"±\s*{_NUM}")
_N_EQUALS = re.compile(r"\(\s*[nN]\s*[=:]\s*(\d{1,5})\s*[);,]")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    tables = number_tables()
    integer = rf"(?:(?<![\w.,/])\d{{1,5}}(?![\w]|[.,]\d)|{tables.word_pattern})"
    # "Ten (40%) of the 25": the percent is blanked before this runs, leaving its empty bracket
    of_pattern = re.compile(
        rf"(?P<c>{integer})(?:\s*[(\[][\s%]*[)\]])?\s+(?i:of|out\s+of)\s+(?i:the\s+|these\s+|all\s+)?(?P<d>{integer})"
    )
    # "4.2 months"; a spelled value only before a spelled-out unit word ("four months")
    duration = re.compile(
        rf"(?:(?P<v>{_NUM})\s*(?P<u>{tables.unit_pattern})|(?P<w>{tables.word_pattern})\s+(?P<wu>{tables.unit_pattern}))"
    )
    return re.compile(integer), of_pattern, duration


def _bound(text: str) -> float | None:
    match = re.match(_NUM, text.strip())
    return float(match.group()) if match else None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def parse_quantity(
    text: str, *, time: bool = False, ci_header: bool = False, default_unit: str | None = None
) -> Quantity:
    """The figure stated in ``text`` (one item: "5 of 20 (25%)", "9 [95% CI: 4 to 14]").

    ``time`` reads a median (a value with a unit, or "not reached"); otherwise counts,
    denominators and percents are read. ``ci_header`` says a "(95% CI)" heading announced
    bare ranges as CIs ("25.8 (18.4-NE)"); ``default_unit`` is the unit a list shares
    ("3.7 and 17.5 months").
    """
    ci: tuple[float, float] | None = None
    work = _PLUS_MINUS.sub(lambda b: " " * len(b.group()), text)  # "6.9 ± 1.45 months": the SD goes
    m = _CI.search(work) or (_BARE_RANGE.search(work) if ci_header and time else None)
    if m:
        lo, hi = _bound(m.group("lo")), _bound(m.group("hi"))
        if lo is not None and hi is not None:
            ci = (lo, hi)
        work = _blank(work, m.start(), m.end())
    if time:
        # Asides left after the CI ("25.8 (18.4-NE)") and brackets it left open go: the value
        # and its unit are what remain ("18 (95% CI: 7 to 29) months" -> "18 ... months").
        work = _BRACKETED.sub(lambda b: " " * len(b.group()), work)
        work = re.sub(r"[\[\]()]", " ", work)
        if _NOT_REACHED.match(work.lstrip()):
            return Quantity(not_reached=True, ci=ci, end=len(text))
        duration = _patterns()[2]
        d = duration.search(work)
        if d and d.group("v"):
            return Quantity(value=float(d.group("v")), unit=unit_norm(d.group("u")), ci=ci, end=len(text))
        if d and (spelled := word_to_int(d.group("w"))) is not None:
            return Quantity(value=float(spelled), unit=unit_norm(d.group("wu")), ci=ci, end=len(text))
        n = _DECIMAL.search(work)
        if n:
            return Quantity(value=float(n.group()), unit=default_unit, ci=ci, end=len(text))
        return Quantity()
    percent = count = denominator = None
    p = _PERCENT.search(work)
    if p:
        percent = float(p.group())
        work = _blank(work, p.start(), p.end())
    f = _FRACTION.search(work)
    integer, of_pattern, _duration = _patterns()
    if f:
        count, denominator = int(f.group(1)), int(f.group(2))
    else:
        o = of_pattern.search(work)
        if o:
            count, denominator = word_to_int(o.group("c")), word_to_int(o.group("d"))
        else:
            # With a percent, the count stands before it ("7 (23%)") or is an "n =" after it
            # ("51.9% (n = 14)"); other integers in a bracket after it are not the count
            # ("12% [CR, 0%, N= 0; PR, 12%, N= 2]", "88% (74-100%)").
            n = _N_EQUALS.search(work) if p else None
            i = integer.search(work, 0, p.start()) if p else integer.search(work)
            if i:
                count = word_to_int(i.group())
            elif n:
                count = int(n.group(1))
    if ci and percent is not None and percent > PROPORTION_MAX and max(ci) <= PROPORTION_MAX:
        ci = (round(ci[0] * 100, 4), round(ci[1] * 100, 4))
    return Quantity(percent=percent, count=count, denominator=denominator, ci=ci, end=len(text))


_TP_UNIT = re.compile(r"(?i:(month|year|week|day)s?|mo|yr|wk|y)(?![a-z])")


def parse_timepoints(text: str) -> list[str]:
    """Landmark time points as the contract writes them: "1- and 2-year" -> ["1 years", "2 years"]."""
    integer = _patterns()[0]
    numbers = [(m.start(), word_to_int(m.group())) for m in integer.finditer(text)]
    units = [(m.start(), m.group(1) or m.group()) for m in _TP_UNIT.finditer(text)]
    if not numbers or not units:
        return []
    result = []
    for position, number in numbers:
        if number is None:
            continue
        following = [u for p, u in units if p > position]
        unit = (following[0] if following else units[-1][1]).lower()
        unit = {"mo": "month", "yr": "year", "wk": "week", "y": "year"}.get(unit, unit)
        result.append(f"{number} {unit}s")
    return result
