"""XLSX export (openpyxl): ``candidates.xlsx`` with a ``candidates`` sheet (one row per figure),
a ``studies`` sheet (the evidence table's study rows) and an ``about`` sheet saying how to fill it.

Every text cell is stored as a string, never as a formula: openpyxl would write a value that
begins with ``=`` as a formula, so text goes through the same formula guard as the CSV and is
typed explicitly. The status column offers accept / correct / reject in a drop-down; record ids
are text cells, so Excel cannot turn an all-digit id into a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from atc_mine.curation import DECISION_STATUSES
from atc_mine.export.common import CANDIDATE_COLUMNS, ExportData, atomic_file, candidate_row, neutralise, safe_url

#: Excel's limit on the characters of one cell.
MAX_CELL = 32_767
#: Column widths (characters) where the default of 14 reads badly.
WIDTHS = {"record_id": 18, "status": 10, "note": 30, "flag": 40, "title": 40, "sentence": 80, "extracted": 30}
EDITABLE_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FONT = Font(bold=True)

ABOUT = [
    ("How to review", ""),
    ("status", "accept, correct or reject each row (pending: not decided yet). A drop-down offers them."),
    (
        "correct",
        "set status to correct and change the value cells (measure, percent, count, denominator, value, "
        "unit, timepoint, ci_low, ci_high, not_reached, regimen, trial, cohort, subgroup) to the right values.",
    ),
    ("curator, note", "who decided (or pass --curator to atc-mine import) and why, if it helps."),
    ("flag", "this figure changed since it was last decided; the earlier decision is shown. Decide again."),
    ("studies sheet", "accept or reject a whole study: every still-pending figure of the study takes it."),
    ("import", "atc-mine import candidates.xlsx --db FILE (nothing is written if a row is malformed)."),
    (
        "text starting with '",
        "a leading apostrophe keeps a spreadsheet from running text as a formula; atc-mine removes it on import.",
    ),
]


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if len(value) > MAX_CELL:
            value = value[: MAX_CELL - 1] + "\u2026"
        return neutralise(value)
    return value


def _fill_sheet(sheet: Worksheet, columns: Sequence[str], rows: list[dict[str, Any]], *, editable: set[str]) -> None:
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    for row in rows:
        sheet.append([None] * len(columns))
        excel_row = sheet.max_row
        for index, name in enumerate(columns, start=1):
            value = _cell_value(row.get(name))
            cell = sheet.cell(row=excel_row, column=index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
            if name == "link" and safe_url(row.get(name)):
                cell.hyperlink = row[name]
                cell.style = "Hyperlink"
            if name == "sentence":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 14)
        if name in editable:
            sheet.cell(row=1, column=index).fill = EDITABLE_FILL
        if name in ("record_id", "doc_id", "study_id"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
    sheet.freeze_panes = "C2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    if "status" in columns and rows:
        letter = get_column_letter(list(columns).index("status") + 1)
        choices = DataValidation(
            type="list", formula1='"' + ",".join(("pending", *DECISION_STATUSES)) + '"', allow_blank=True
        )
        choices.error = "Choose pending, accept, correct or reject"
        choices.add(f"{letter}2:{letter}{len(rows) + 1}")
        sheet.add_data_validation(choices)


def write(data: ExportData, out_dir: Path) -> list[Path]:
    book = Workbook()
    sheet = book.active
    sheet.title = "candidates"
    editable = {
        "status",
        "curator",
        "note",
        "measure",
        "percent",
        "count",
        "denominator",
        "value",
        "unit",
        "timepoint",
        "ci_low",
        "ci_high",
        "not_reached",
        "regimen",
        "trial",
        "cohort",
        "subgroup",
    }
    _fill_sheet(sheet, CANDIDATE_COLUMNS, [candidate_row(c) for c in data.candidates], editable=editable)
    if data.studies is not None:
        _fill_sheet(
            book.create_sheet("studies"),
            data.studies.columns,
            data.studies.rows,
            editable={"status", "curator", "note"},
        )
    about = book.create_sheet("about")
    for row in ABOUT:
        about.append([_cell_value(v) for v in row])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 110
    about["A1"].font = HEADER_FONT
    path = out_dir / "candidates.xlsx"
    with atomic_file(path) as tmp:
        book.save(tmp)
    return [path]
