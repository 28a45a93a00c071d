"""The scorer itself: known predictions give known numbers, and worse predictions score lower.

The figures below are hand-written fixtures (not recordings), built from sentences of the
real abstracts in corpora/.
"""

from __future__ import annotations

from dataclasses import replace

from atc_mine.evaluate.gold import GoldDocument, GoldFigure
from atc_mine.evaluate.score import numbers_agree, score
from atc_mine.records import Entity, Extraction, OutcomeFigure

SENTENCE = "Two of the 20 patients had a partial response (10%) and an additional 5 of 20 (25%) had stable disease."
PR = OutcomeFigure("PR", SENTENCE, 100, 200, percent=10.0, count=2, denominator=20, drugs=("sorafenib",), cohort="ATC")
SD = OutcomeFigure("SD", SENTENCE, 100, 200, percent=25.0, count=5, denominator=20, drugs=("sorafenib",), cohort="ATC")
OS = OutcomeFigure("OS_MEDIAN", "median OS 3.9 months", 300, 320, value=3.9, unit="months", drugs=("sorafenib",), cohort="ATC")
ENTS = (Entity("DRUG", "sorafenib", 10, 19, "sorafenib"), Entity("NCT_ID", "NCT00126568", 30, 41, "NCT00126568"))
GOLD = {"d": GoldDocument("d", "sha", None, ENTS, (GoldFigure(PR), GoldFigure(SD), GoldFigure(OS)))}


def run(entities=ENTS, outcomes=(PR, SD, OS)):
    return score({"d": Extraction("d", "text", "sha", tuple(entities), tuple(outcomes))}, GOLD)


def test_perfect_predictions_score_one():
    report = run()
    assert report["outcomes"]["micro"]["f1"] == 1.0
    assert report["entities"]["strict"]["micro"]["f1"] == 1.0
    assert report["attribution"]["drugs"]["accuracy"] == 1.0
    assert report["errors"] == []


def test_one_figure_removed_lowers_recall_only():
    report = run(outcomes=(PR, OS))
    assert report["outcomes"]["micro"] == {"tp": 2, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.6667, "f1": 0.8}
    assert [e["kind"] for e in report["errors"]] == ["outcome_fn"]


def test_one_number_changed_is_a_false_positive_and_a_false_negative():
    report = run(outcomes=(PR, replace(SD, percent=35.0, count=7), OS))
    assert report["outcomes"]["per_label"]["SD"] == {"tp": 0, "fp": 1, "fn": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert report["outcomes"]["micro"]["f1"] < 1.0


def test_wrong_drug_is_counted_in_attribution_not_in_matching():
    report = run(outcomes=(PR, SD, replace(OS, drugs=("fosbretabulin",))))
    assert report["outcomes"]["micro"]["f1"] == 1.0
    assert report["attribution"]["drugs"] == {"correct": 2, "total": 3, "accuracy": 0.6667}


def test_entity_span_off_by_one_is_strict_miss_but_norm_hit():
    shifted = (replace(ENTS[0], start=11), ENTS[1])
    report = run(entities=shifted)
    assert report["entities"]["strict"]["per_label"]["DRUG"]["f1"] == 0.0
    assert report["entities"]["by_norm"]["per_label"]["DRUG"]["f1"] == 1.0


def test_optional_gold_neither_rewards_nor_penalises():
    gold = {"d": replace(GOLD["d"], figures=(GoldFigure(PR), GoldFigure(SD, optional=True), GoldFigure(OS)))}
    with_it = score({"d": Extraction("d", "text", "sha", ENTS, (PR, SD, OS))}, gold)
    without = score({"d": Extraction("d", "text", "sha", ENTS, (PR, OS))}, gold)
    assert with_it["outcomes"]["micro"]["f1"] == without["outcomes"]["micro"]["f1"] == 1.0


def test_tolerances():
    assert numbers_agree(replace(PR, percent=10.4), PR)
    assert not numbers_agree(replace(PR, percent=10.6), PR)
    assert not numbers_agree(replace(PR, count=3), PR)
    weeks = OutcomeFigure("PFS_MEDIAN", "", 0, 0, value=47.0, unit="weeks")
    months = OutcomeFigure("PFS_MEDIAN", "", 0, 0, value=round(47 * 7 / 30.4375, 2), unit="months")
    assert numbers_agree(weeks, months)
    assert numbers_agree(replace(OS, value=3.94), OS) and not numbers_agree(replace(OS, value=4.0), OS)
