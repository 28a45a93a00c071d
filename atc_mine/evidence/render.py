"""Rendering the evidence table: Markdown, CSV, Excel and an HTML review page.

- CSV: every column of ``TABLE_COLUMNS``, one row per study and cohort; unknown numbers are
  empty cells (never 0), times in months.
- Markdown: the review's layout, one table per therapy class (its Tables 1-3), with the ORR's
  exact 95% CI, then the conflicts and the sources of every row.
- Excel: the table, and beside it every figure each row rests on (status shown / agrees /
  history / conflict, with its sentence), the conflicts and the study <-> document links.
- HTML: one self-standing page for curators: the plot (when drawn), the tables per class with
  conflicts marked, and under each row the figures and sentences behind it. All text is
  escaped.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atc_mine.errors import InputError
from atc_mine.evidence.table import TABLE_COLUMNS, rows_to_frame, table_rows
from atc_mine.evidence.units import DAYS_PER_MONTH
from atc_mine.store import Store
from atc_mine.store.studies import study_conflicts, study_documents, study_figures

FORMATS = ("md", "csv", "xlsx", "html")
CLASS_TITLES = {
    "targeted": "Targeted therapy",
    "immuno": "Immunotherapy",
    "combination": "Combination therapy",
    "chemo": "Chemotherapy",
    "unclassified": "Unclassified regimens",
}
#: Columns of the compact (Markdown and HTML) view; the CSV and Excel files have them all.
COMPACT_COLUMNS = (
    ("study_id", "Study"),
    ("regimen", "Regimen"),
    ("trial", "Trial"),
    ("phase", "Phase"),
    ("cohort", "Cohort"),
    ("n", "N"),
    ("orr", "ORR % (95% CI)"),
    ("cr", "CR"),
    ("pr", "PR"),
    ("sd", "SD"),
    ("pd", "PD"),
    ("dcr_percent", "DCR %"),
    ("pfs_median_months", "mPFS (mo)"),
    ("os_median_months", "mOS (mo)"),
    ("data_cut", "Data cut"),
)
NOTE = (
    f"Times in months (days / {DAYS_PER_MONTH}, weeks x 7 / {DAYS_PER_MONTH}). ORR 95% CI: exact "
    "(Clopper-Pearson), from the responders and patients stated or implied (column orr_basis). "
    "Empty: not stated in the sources."
)


@dataclass(slots=True)
class TableOutput:
    table: Path
    plots: list[Path] = field(default_factory=list)
    rows: int = 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def _orr(row: dict[str, Any]) -> str:
    """ORR % as stated, else the responders behind the CI ("4/6"), then the exact CI."""
    parts = []
    if row.get("orr_percent") is not None:
        parts.append(_cell(row["orr_percent"]))
    elif row.get("orr_basis"):
        parts.append(str(row["orr_basis"]).split(" ")[0])
    elif row.get("orr_count") is not None:
        parts.append(f"{row['orr_count']} pts")
    if row.get("orr_ci_low") is not None:
        parts.append(f"({_cell(row['orr_ci_low'])}-{_cell(row['orr_ci_high'])})")
    return " ".join(parts)


def _compact(row: dict[str, Any], key: str) -> str:
    return _orr(row) if key == "orr" else _cell(row.get(key))


def _by_class(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["therapy_class"], []).append(row)
    return grouped


# -- Markdown ----------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_markdown(rows: list[dict[str, Any]], *, title: str = "Evidence table") -> str:
    lines = [f"# {title}", "", NOTE, ""]
    for number, (therapy_class, members) in enumerate(_by_class(rows).items(), start=1):
        lines += [f"## Table {number}. {CLASS_TITLES.get(therapy_class, therapy_class)}", ""]
        lines.append("| " + " | ".join(label for _, label in COMPACT_COLUMNS) + " |")
        lines.append("|" + "|".join("---" for _ in COMPACT_COLUMNS) + "|")
        for row in members:
            cells = [_md(_compact(row, key)) for key, _ in COMPACT_COLUMNS]
            if row.get("conflicts"):
                cells[0] += " (!)"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    flagged = [r for r in rows if r.get("conflicts")]
    if flagged:
        lines += ["## Conflicts (!)", ""]
        lines += [
            f"- **{_md(r['study_id'])}** ({_md(r['cohort'] or 'cohort not stated')}): {_md(r['conflicts'])}"
            for r in flagged
        ]
        lines.append("")
    lines += ["## Sources and notes", ""]
    for row in rows:
        extra = "".join(
            f"; {label}: {_md(row[key])}"
            for key, label in (
                ("candidate_trials", "candidate trials (unconfirmed)"),
                ("other_figures", "other figures"),
                ("notes", "notes"),
            )
            if row.get(key)
        )
        lines.append(f"- **{_md(row['study_id'])}**: {_md(row.get('sources') or 'none')}{extra}")
    return "\n".join(lines) + "\n"


# -- HTML --------------------------------------------------------------------------------------
STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.num { text-align: right; }
tr.conflict td { background: #fff3cd; }
details { font-size: 0.85em; }
.status-shown { font-weight: bold; } .status-conflict { color: #a00; } .status-history { color: #777; }
img.plot { max-width: 100%; border: 1px solid #ddd; }
"""


NUMBER_CELL = '<td class="num">'


def _e(value: Any) -> str:
    return html.escape(_cell(value), quote=True)


def render_html(
    rows: list[dict[str, Any]],
    *,
    figures: list[dict[str, Any]] | None = None,
    plot: str | None = None,
    title: str = "ATC evidence table",
) -> str:
    by_row: dict[str, list[dict[str, Any]]] = {}
    for figure in figures or ():
        by_row.setdefault(figure["row_id"], []).append(figure)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(NOTE)} Rows with conflicting figures are highlighted.</p>",
    ]
    if plot:
        out.append(
            f'<figure><img class="plot" src="{html.escape(plot, quote=True)}" alt="ORR with exact 95% CI and '
            'median PFS/OS per study, by therapy class"><figcaption>ORR with exact (Clopper-Pearson) 95% CI; '
            "median PFS and OS (months).</figcaption></figure>"
        )
    numeric = {"n", "cr", "pr", "sd", "pd", "dcr_percent", "pfs_median_months", "os_median_months", "orr"}
    for number, (therapy_class, members) in enumerate(_by_class(rows).items(), start=1):
        out.append(f"<h2>Table {number}. {html.escape(CLASS_TITLES.get(therapy_class, therapy_class))}</h2>")
        out.append("<table><thead><tr>" + "".join(f"<th>{html.escape(label)}</th>" for _, label in COMPACT_COLUMNS))
        out.append("<th>Sources, conflicts and figures</th></tr></thead><tbody>")
        for row in members:
            css = ' class="conflict"' if row.get("conflicts") else ""
            cells = "".join(
                (NUMBER_CELL if key in numeric else "<td>") + f"{html.escape(_compact(row, key))}</td>"
                for key, _ in COMPACT_COLUMNS
            )
            out.append(f"<tr{css}>{cells}<td>{_details(row, by_row.get(row['row_id'], []))}</td></tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _details(row: dict[str, Any], figures: list[dict[str, Any]]) -> str:
    parts = [f"<div>{_e(row.get('sources'))}</div>"]
    for key, label in (
        ("conflicts", "Conflicts"),
        ("candidate_trials", "Candidate trials (unconfirmed)"),
        ("other_figures", "Other figures"),
        ("notes", "Notes"),
        ("targets", "Targets"),
        ("status", "Status"),
    ):
        if row.get(key):
            parts.append(f"<div><b>{label}:</b> {_e(row[key])}</div>")
    if figures:
        items = "".join(
            f'<li class="status-{_e(f["status"])}">{_e(f["field"])}'
            f"{' [' + _e(f['arm']) + ']' if f.get('arm') else ''} = {_e('NR' if f['not_reached'] else f['number'])} "
            f"({_e(f['status'])}; {_e(f['doc_id'])}, cut {_e(f['data_cut'] or '?')}): <q>{_e(f['sentence'])}</q></li>"
            for f in figures
        )
        parts.append(f"<details><summary>{len(figures)} figures</summary><ul>{items}</ul></details>")
    return "".join(parts)


# -- writing -----------------------------------------------------------------------------------
def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    frame = rows_to_frame(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frame.to_csv(tmp, index=False, na_rep="", columns=list(TABLE_COLUMNS), lineterminator="\n")
    tmp.replace(path)


def write_xlsx(store: Store, rows: list[dict[str, Any]], path: Path) -> None:
    import pandas as pd

    row_ids = {r["row_id"] for r in rows}
    figures = [f for f in study_figures(store) if f["row_id"] in row_ids]
    conflicts = [c for c in study_conflicts(store) if c["row_id"] in row_ids]
    studies = {r["study_id"] for r in rows}
    documents = [d for d in study_documents(store) if d["study_id"] in studies]
    sheets = {
        "evidence table": rows_to_frame(rows),
        "figures": pd.DataFrame(
            [
                {
                    "row_id": f["row_id"],
                    "field": f["field"],
                    "arm": f["arm"],
                    "timepoint": f["timepoint"],
                    "number": f["number"],
                    "not_reached": f["not_reached"],
                    "status": f["status"],
                    "data_cut": f["data_cut"],
                    "source": f["source"],
                    "doc_id": f["doc_id"],
                    "record_id": f["record_id"],
                    "sentence": f["sentence"],
                }
                for f in figures
            ]
        ),
        "conflicts": pd.DataFrame(
            [
                {
                    "row_id": c["row_id"],
                    "field": c["field"],
                    "arm": c["arm"],
                    "timepoint": c["timepoint"],
                    "data_cut": c["data_cut"],
                    "shown": c["chosen"],
                    "candidates": "; ".join(
                        f"{'NR' if x['not_reached'] else _cell(x['number'])} ({', '.join(x['sources'])})"
                        for x in c["candidates"]
                    ),
                }
                for c in conflicts
            ]
        ),
        "documents": pd.DataFrame(documents),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.xlsx")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            if frame.shape[1]:
                sheet.auto_filter.ref = sheet.dimensions
    tmp.replace(path)


def write_table(
    db: str | Path | Store,
    *,
    fmt: str,
    out: str | Path,
    therapy_class: str | None = None,
    all_cohorts: bool = False,
    plot_dir: str | Path | None = None,
) -> TableOutput:
    """``atc-mine table``: render the evidence table as ``fmt`` to ``out`` (and the plot)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown table format {fmt!r} (choose from {', '.join(FORMATS)})")
    if not isinstance(db, Store):
        if str(db) != ":memory:" and not Path(db).exists():
            raise InputError(f"{db}: no such evidence base")
        with Store(db) as store:
            return write_table(
                store, fmt=fmt, out=out, therapy_class=therapy_class, all_cohorts=all_cohorts, plot_dir=plot_dir
            )
    store, out = db, Path(out)
    rows = table_rows(store, therapy_class=therapy_class, all_cohorts=all_cohorts)
    result = TableOutput(table=out, rows=len(rows))
    if plot_dir is not None:
        from atc_mine.evidence.plot import write_plot

        result.plots = write_plot(rows, Path(plot_dir))
    if fmt == "csv":
        write_csv(rows, out)
    elif fmt == "md":
        _atomic_write(out, render_markdown(rows))
    elif fmt == "xlsx":
        write_xlsx(store, rows, out)
    else:
        png = next((p for p in result.plots if p.suffix == ".svg"), None)
        relative = os.path.relpath(png, out.parent).replace(os.sep, "/") if png else None
        row_ids = {r["row_id"] for r in rows}
        figures = [f for f in study_figures(store) if f["row_id"] in row_ids]
        _atomic_write(out, render_html(rows, figures=figures, plot=relative))
    return result
