"""Terminal rendering of reports (rich tables), kept apart from the data they show."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def score_tables(report: dict[str, Any], *, title: str = "") -> list[Table]:
    tables = []
    for view in ("strict", "by_norm"):
        data = report["entities"][view]
        table = Table(title=f"{title} entities ({'strict span' if view == 'strict' else 'normalised ID'})".strip())
        for column in ("label", "P", "R", "F1", "tp", "fp", "fn"):
            table.add_column(column, justify="right" if column != "label" else "left")
        for label, prf in data["per_label"].items():
            table.add_row(label, *_prf_cells(prf))
        table.add_row("micro", *_prf_cells(data["micro"]), style="bold")
        table.add_row("macro F1", "", "", f"{data['macro_f1']:.3f}", "", "", "")
        tables.append(table)
    outcomes = report["outcomes"]
    table = Table(title=f"{title} outcome figures".strip())
    for column in ("measure", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    for measure, prf in outcomes["per_label"].items():
        table.add_row(measure, *_prf_cells(prf))
    table.add_row("overall (micro)", *_prf_cells(outcomes["micro"]), style="bold")
    tables.append(table)
    attribution = Table(title=f"{title} attribution over matched figures".strip())
    for column in ("field", "correct", "total", "accuracy"):
        attribution.add_column(column)
    for key, value in report["attribution"].items():
        accuracy = "-" if value["accuracy"] is None else f"{value['accuracy']:.3f}"
        attribution.add_row(key, str(value["correct"]), str(value["total"]), accuracy)
    tables.append(attribution)
    return tables


def _prf_cells(prf: dict[str, Any]) -> list[str]:
    return [
        f"{prf['precision']:.3f}",
        f"{prf['recall']:.3f}",
        f"{prf['f1']:.3f}",
        str(prf["tp"]),
        str(prf["fp"]),
        str(prf["fn"]),
    ]


def print_score(
    report: dict[str, Any], *, title: str = "", console: Console | None = None, show_errors: int = 0
) -> None:
    console = console or Console()
    for table in score_tables(report, title=title):
        console.print(table)
    if show_errors:
        for error in report["errors"][:show_errors]:
            console.print(f"  [dim]{error}[/dim]")
