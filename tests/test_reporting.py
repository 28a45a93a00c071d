"""Terminal rendering of the score report: tables with CIs, warnings, errors by document.

The reports rendered here are produced by the real scorer from the hand-written fixtures of
tests/evaluate/test_score.py (a short text built from sentences of a corpus abstract).
"""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from atc_mine.evaluate.score import score
from atc_mine.records import Entity, Extraction
from atc_mine.reporting import print_score
from tests.evaluate.test_score import ENTS, FIGS, GOLD, OS, PR, S2, SD, SHA, gold_doc


def render(report, **options) -> str:
    console = Console(record=True, width=140, color_system=None)
    print_score(report, title="gold/test", console=console, **options)
    return console.export_text()


def test_tables_show_scores_intervals_and_what_was_scored():
    report = score({"d": Extraction("d", "text", SHA, ENTS, (PR, OS))}, GOLD)
    out = render(report)
    assert "gold/test: 1 gold documents, 1 with predictions; gold unversioned" in out
    assert "95% CIs: percentile bootstrap, 1000 resamples of 3 paragraphs, seed 20261125" in out
    for title in ("entities, strict span", "normalised ID", "overlap schemes", "outcome figures", "attribution"):
        assert title in out
    low, high = report["outcomes"]["micro"]["f1_ci"]
    assert f"{low:.3f}-{high:.3f}" in out
    assert "errors:" not in out  # only with show_errors


def test_warnings_for_missing_ignored_and_mismatched_documents():
    gold = {"d": GOLD["d"], "e": gold_doc(doc_id="e")}
    predictions = {
        "d": Extraction("d", "text", "f" * 40, ENTS, FIGS),
        "x": Extraction("x", "text", SHA, (), ()),
    }
    out = render(score(predictions, gold, text_mismatch="warn"))
    assert "warning: 1 gold documents have no prediction (counted as all misses)" in out
    assert "warning: 1 predicted documents are not in the gold (ignored)" in out
    assert "warning: 1 predictions come from a different text" in out


def test_errors_are_grouped_by_document_with_their_sentence_and_capped():
    predictions = {
        "d": Extraction("d", "text", SHA, ENTS[:2], (PR, replace(SD, percent=35.0, count=7), OS)),
        "e": Extraction("e", "text", SHA, ENTS, (PR, SD)),
    }
    report = score(predictions, {"d": GOLD["d"], "e": gold_doc(doc_id="e")})
    out = render(report, show_errors=10)
    assert len(report["errors"]) == 5  # d: SD changed (FN + FP), VARIANT missed (span + id); e: OS missed
    assert out.index("\nd\n") < out.index("\ne\n")
    assert "FN span    VARIANT 'BRAF V600E' -> BRAF V600E" in out
    assert "FN figure  SD 5/20 (25%)" in out and "percent 35 vs gold 25" in out
    assert f"\u201c{S2}\u201d" in out
    assert "more in the JSON report" not in out
    capped = render(report, show_errors=2)
    assert "\ne\n" not in capped and "... and 3 more in the JSON report (--json)" in capped


def test_text_that_looks_like_markup_is_printed_as_is():
    odd = Entity("DRUG", "[bold]x[/bold]", 0, 9, "[red]x")
    report = score({"d": Extraction("d", "text", SHA, (odd, *ENTS), FIGS)}, GOLD)
    out = render(report, show_errors=10)
    assert "'[bold]x[/bold]' -> [red]x" in out
