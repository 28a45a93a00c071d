"""Where a figure's numbers and the recognised entities stand inside the evidence sentence.

The extraction contract gives a figure the offsets of its *sentence*; a curator's eye wants the
numbers themselves marked. :func:`figure_spans` finds them again in the sentence the way real
abstracts write them ("10%", "10.0 %", "1·9", "3,9", "two of 20", "not reached"); it marks
every place a number of the figure appears, and nothing when it cannot find one (the sentence
is still shown whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atc_mine.records import Entity, OutcomeFigure

#: Counts that abstracts spell out ("Twenty patients", "two of the 20", "Forty-two patients").
NUMBER_WORDS = tuple(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ]
)
TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_word(number: int) -> str | None:
    """A regex for how a count below 100 is spelled: ``42`` -> ``forty[- ]two``."""
    if 0 <= number < len(NUMBER_WORDS):
        return NUMBER_WORDS[number]
    if len(NUMBER_WORDS) <= number < 100:
        tens, units = divmod(number, 10)
        return TENS_WORDS[tens] + (rf"[-\s]{NUMBER_WORDS[units]}" if units else "")
    return None


NOT_REACHED = re.compile(r"\bnot\s+(?:yet\s+)?(?:been\s+)?reached\b|\bNR\b", re.IGNORECASE)
#: Digits, or a decimal mark followed by a digit, may not touch a number on either side.
_DECIMAL = r"[.,\u00b7]"


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlighted stretch of a sentence: offsets into the sentence, and what it is."""

    start: int
    end: int
    kind: str  # "figure" or "entity"
    label: str  # the measure, or the entity label
    title: str  # a tooltip: the entity's normalised name, the figure in words


def number_pattern(number: float | int) -> re.Pattern[str]:
    """How a number is written: ``19`` matches "19", "19.0", "19,0"; ``3.9`` matches "3.9", "3·9"."""
    number = float(number)
    if number.is_integer():
        body = rf"{int(number)}(?:{_DECIMAL}0+)?"
        word = number_word(int(number))
    else:
        whole, _, fraction = f"{number:.6f}".rstrip("0").partition(".")
        body = rf"{whole}{_DECIMAL}{fraction}0*"
        word = None
    pattern = rf"(?<![\d])(?<!\d{_DECIMAL}){body}(?![\d])(?!{_DECIMAL}\d)"
    if word:
        pattern = rf"(?:{pattern}|\b{word}\b)"
    return re.compile(pattern, re.IGNORECASE)


def figure_spans(figure: OutcomeFigure, sentence: str | None = None) -> list[tuple[int, int]]:
    """Offsets (into the sentence) of every place the figure's numbers are written."""
    sentence = figure.sentence if sentence is None else sentence
    numbers = [figure.percent, figure.count, figure.denominator, figure.value, *(figure.ci or ())]
    spans: set[tuple[int, int]] = set()
    for number in numbers:
        if number is None:
            continue
        for match in number_pattern(number).finditer(sentence):
            end = match.end()
            if figure.percent is not None and float(number) == float(figure.percent):
                after = re.match(r"\s?%", sentence[end:])
                end += after.end() if after else 0
            spans.add((match.start(), end))
    if figure.not_reached:
        spans.update((m.start(), m.end()) for m in NOT_REACHED.finditer(sentence))
    return sorted(spans)


def entity_marks(entities: list[Entity], start: int, end: int) -> list[Mark]:
    """The document's entities that lie inside ``[start, end)``, as marks relative to ``start``."""
    return [
        Mark(e.start - start, e.end - start, "entity", e.label, f"{e.label}: {e.norm}")
        for e in entities
        if e.start >= start and e.end <= end
    ]


def sentence_marks(figure: OutcomeFigure, entities: list[Entity], title: str) -> list[Mark]:
    """Figure numbers first, then entities; overlapping marks are dropped (the earlier kept)."""
    marks = [Mark(s, e, "figure", figure.measure, title) for s, e in figure_spans(figure)]
    marks += entity_marks(entities, figure.start, figure.end)
    kept: list[Mark] = []
    for mark in marks:
        if all(mark.end <= k.start or mark.start >= k.end for k in kept):
            kept.append(mark)
    return sorted(kept, key=lambda m: (m.start, m.end))


def segments(text: str, marks: list[Mark]) -> list[tuple[str, Mark | None]]:
    """Cut ``text`` into plain and marked pieces (marks must not overlap)."""
    pieces: list[tuple[str, Mark | None]] = []
    position = 0
    for mark in sorted(marks, key=lambda m: m.start):
        if mark.start < position or mark.end > len(text):
            continue
        if mark.start > position:
            pieces.append((text[position : mark.start], None))
        pieces.append((text[mark.start : mark.end], mark))
        position = mark.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
