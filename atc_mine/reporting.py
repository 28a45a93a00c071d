"""Terminal rendering of score reports (rich tables), kept apart from the data they show.

Everything here reads the plain-data report of :func:`atc_mine.evaluate.score.score` and
prints it; nothing is computed that is not in the JSON.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

ERROR_TAGS = {
    "entity_fp": "FP span",
    "entity_fn": "FN span",
    "norm_fp": "FP id",
    "norm_fn": "FN id",
    "outcome_fp": "FP figure",
    "outcome_fn": "FN figure",
    "wrong_drugs": "drugs",
    "wrong_trial": "trial",
    "wrong_cohort": "cohort",
    "wrong_subgroup": "subgroup",
}
#: Terminal shorthand of each accuracy's scope (the JSON report carries the full sentence).
SHORT_SCOPES = {
    "drugs": "regimen as a set",
    "trial": "NCT ID; null = null",
    "cohort": "exact; gold cohort not null",
    "cohort_lenient": "ancestor/descendant accepted",
    "subgroup": "null = null",
    "ci": "where the gold states a CI",
    "denominator": "where the gold states one",
    "sentence": "found in the gold's sentence",
}
SENTENCE_CHARS = 240  # a sentence longer than this is cut, around its mention when it has one


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _ci(interval: list[float] | None) -> str:
    return "-" if interval is None else f"{interval[0]:.3f}-{interval[1]:.3f}"


def _prf_table(title: str, first: str, data: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for column in ("P", "R", "F1", "95% CI", "tp", "fp", "fn"):
        table.add_column(column, justify="right")
    for label, prf in data["per_label"].items():
        table.add_row(label, *_prf_cells(prf))
    table.add_row("micro", *_prf_cells(data["micro"]), style="bold")
    table.add_row("macro F1", "", "", _num(data["macro_f1"]), _ci(data.get("macro_f1_ci")), "", "", "")
    return table


def _prf_cells(prf: dict[str, Any]) -> list[str]:
    return [
        _num(prf["precision"]),
        _num(prf["recall"]),
        _num(prf["f1"]),
        _ci(prf.get("f1_ci")),
        str(prf["tp"]),
        str(prf["fp"]),
        str(prf["fn"]),
    ]


def _overlap_table(title: str, overall: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("scheme")
    for column in ("COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1"):
        table.add_column(column, justify="right")
    for scheme, c in overall.items():
        table.add_row(
            scheme,
            *(str(c[k]) for k in ("correct", "incorrect", "partial", "missed", "spurious")),
            _num(c["precision"]),
            _num(c["recall"]),
            _num(c["f1"]),
        )
    return table


def _accuracy_table(title: str, data: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("field")
    for column in ("correct", "total", "accuracy", "95% CI"):
        table.add_column(column, justify="right")
    table.add_column("over")
    for name, value in data.items():
        table.add_row(
            name,
            str(value["correct"]),
            str(value["total"]),
            _num(value["accuracy"]),
            _ci(value["ci"]),
            SHORT_SCOPES.get(name, value["scope"]),
        )
    return table


def score_header(report: dict[str, Any], *, title: str = "") -> Text:
    """What was scored against what: documents, gold version, bootstrap settings, warnings."""
    docs = report["documents"]
    meta = report.get("meta", {})
    boot = report.get("bootstrap", {})
    text = Text()
    text.append(f"{title or 'score'}", style="bold")
    text.append(f": {docs['gold']} gold documents, {docs['predicted']} with predictions")
    versions = ", ".join(meta.get("gold_versions", [])) or "unversioned"
    digest = meta.get("gold_digest")
    text.append(f"; gold {versions}" + (f" (digest {digest[:12]})" if digest else ""))
    if boot.get("n_resamples"):
        text.append(
            f"\n95% CIs: percentile bootstrap, {boot['n_resamples']} resamples of {boot['n_units']} "
            f"{boot['unit']}s, seed {boot['seed']}",
            style="dim",
        )
    else:
        text.append("\nno bootstrap intervals (too few units, or resampling switched off)", style="dim")
    warnings = []
    if docs["missing_predictions"]:
        warnings.append(f"{len(docs['missing_predictions'])} gold documents have no prediction (counted as all misses)")
    if docs["ignored_predictions"]:
        warnings.append(f"{docs['ignored_predictions']} predicted documents are not in the gold (ignored)")
    if docs.get("text_mismatch"):
        warnings.append(
            f"{len(docs['text_mismatch'])} predictions come from a different text (text_sha1): their span scores are meaningless"
        )
    for warning in warnings:
        text.append(f"\nwarning: {warning}", style="yellow")
    return text


def score_tables(report: dict[str, Any], *, title: str = "") -> list[Table]:
    prefix = f"{title} " if title else ""
    entities = report["entities"]
    tables = [
        _prf_table(f"{prefix}entities, strict span", "label", entities["strict"]),
        _prf_table(f"{prefix}entities, normalised ID per document", "label", entities["by_norm"]),
    ]
    if "overlap" in entities:
        tables.append(_overlap_table(f"{prefix}entities, overlap schemes (nervaluate)", entities["overlap"]["overall"]))
    tables.append(_prf_table(f"{prefix}outcome figures", "measure", report["outcomes"]))
    tables.append(_accuracy_table(f"{prefix}attribution over matched figures", report["attribution"]))
    if report.get("details"):
        tables.append(_accuracy_table(f"{prefix}figure details over matched figures", report["details"]))
    return tables


def _shorten(sentence: str | None, error: dict[str, Any]) -> str:
    if not sentence:
        return ""
    sentence = " ".join(sentence.split())
    if len(sentence) <= SENTENCE_CHARS:
        return sentence
    anchor = sentence.find(error.get("text") or "\0")
    if anchor < 0:
        return sentence[: SENTENCE_CHARS - 1] + "…"
    lo = max(0, anchor - SENTENCE_CHARS // 2)
    hi = min(len(sentence), lo + SENTENCE_CHARS)
    return ("…" if lo else "") + sentence[lo:hi] + ("…" if hi < len(sentence) else "")


def _describe_error(error: dict[str, Any]) -> str:
    kind = error["kind"]
    if kind.startswith(("entity_", "norm_")):
        what = f"{error['label']} {error['text']!r} -> {error['norm']} at {error['start']}-{error['end']}"
        return f"{what}: {error['reason']}"
    if kind.startswith("outcome_"):
        closest = error.get("closest_prediction") or error.get("closest_gold")
        other = "predicted" if "closest_prediction" in error else "gold"
        return f"{error['figure']}: {error['reason']}" + (f" ({other}: {closest})" if closest else "")
    return f"{error['figure']}: predicted {error['predicted']!r}, gold {error['gold']!r}"


def errors_view(report: dict[str, Any], limit: int) -> Group:
    """The first ``limit`` errors, grouped by document, each with its sentence."""
    errors = report["errors"][:limit]
    parts: list[Any] = []
    kinds = Counter(e["kind"] for e in report["errors"])
    summary = ", ".join(f"{n} {ERROR_TAGS.get(k, k)}" for k, n in sorted(kinds.items()))
    parts.append(Text(f"errors: {len(report['errors'])} ({summary or 'none'})", style="bold"))
    current = None
    for error in errors:
        if error["doc_id"] != current:
            current = error["doc_id"]
            parts.append(Text(f"\n{current}", style="bold cyan"))
        tag = ERROR_TAGS.get(error["kind"], error["kind"])
        parts.append(Text.from_markup(f"  [bold]{escape(tag):<10}[/bold] {escape(_describe_error(error))}"))
        sentence = _shorten(error.get("sentence"), error)
        if sentence:
            parts.append(Text(f"             \u201c{sentence}\u201d", style="dim"))
    if len(report["errors"]) > limit:
        parts.append(Text(f"\n... and {len(report['errors']) - limit} more in the JSON report (--json)", style="dim"))
    return Group(*parts)


def print_score(
    report: dict[str, Any], *, title: str = "", console: Console | None = None, show_errors: int = 0
) -> None:
    console = console or Console()
    console.rule(title or "score")
    console.print(score_header(report, title=title))
    for table in score_tables(report, title=title):
        console.print(table)
    if show_errors:
        console.print(errors_view(report, show_errors))
