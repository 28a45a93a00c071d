"""Finding a figure's numbers in its sentence, as real abstracts write them (sentences from corpora/)."""

from __future__ import annotations

import pytest

from atc_mine.export.spans import figure_spans, number_pattern, segments, sentence_marks
from atc_mine.records import Entity, OutcomeFigure


def marked(sentence: str, **values) -> list[str]:
    figure = OutcomeFigure(
        measure=values.pop("measure", "ORR"), sentence=sentence, start=0, end=len(sentence), **values
    )
    return [sentence[s:e] for s, e in figure_spans(figure)]


@pytest.mark.parametrize(
    "sentence, values, expected",
    [
        (
            "Two of the 20 patients had a partial response (10%) and an additional 5 of 20 (25%) had stable disease.",
            {"measure": "PR", "percent": 10.0, "count": 2, "denominator": 20},
            ["Two", "20", "10%", "20"],
        ),
        ("Forty-two patients were enrolled.", {"measure": "N_ENROLLED", "count": 42}, ["Forty-two"]),
        ("The overall median progression-free survival was 1.9 months", {"value": 1.9}, ["1.9"]),
        (
            "median OS 3\u00b79 months (95% CI 2\u00b75\u20136\u00b73)",
            {"value": 3.9, "ci": (2.5, 6.3)},
            ["3\u00b79", "2\u00b75", "6\u00b73"],
        ),
        ("The objective response rate was 24.0 %.", {"percent": 24.0}, ["24.0 %"]),
        (
            "Median OS was not reached (NR) at 12 months.",
            {"measure": "OS_MEDIAN", "not_reached": True},
            ["not reached", "NR"],
        ),
        # negatives: a number inside another number, a year, a dose, a decimal's digits
        ("In 2020, 120 patients received 20.5 mg; 12 responded.", {"count": 20}, []),
        ("An ORR of 1.9% and a DCR of 19.5% were seen.", {"percent": 19.0}, []),
    ],
)
def test_figure_spans(sentence, values, expected):
    assert marked(sentence, **values) == expected


def test_number_pattern_negatives():
    assert not number_pattern(2).search("in 2013 (n=120)")
    assert number_pattern(2).search("two of them") and number_pattern(42).search("forty two")


def test_marks_do_not_overlap_and_segments_rebuild_the_sentence():
    sentence = "Twenty patients with ATC were treated with sorafenib 400 mg twice daily."
    figure = OutcomeFigure(measure="N_ENROLLED", sentence=sentence, start=100, end=100 + len(sentence), count=20)
    entities = [Entity("DRUG", "sorafenib", 143, 152, "sorafenib"), Entity("DRUG", "elsewhere", 10, 19, "x")]
    marks = sentence_marks(figure, entities, "N_ENROLLED 20")
    assert [(sentence[m.start : m.end], m.kind) for m in marks] == [("Twenty", "figure"), ("sorafenib", "entity")]
    assert "".join(text for text, _ in segments(sentence, marks)) == sentence
