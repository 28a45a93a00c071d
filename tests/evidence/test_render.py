"""Rendering the evidence table: exact CSV columns, empty unknowns, escaped HTML/Markdown, the
Excel sheets, the plot files, the DataFrame API and the ``atc-mine table`` command."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

import atc_mine
from atc_mine.cli import main
from atc_mine.errors import InputError
from atc_mine.evidence import TABLE_COLUMNS, evidence_table, write_table
from atc_mine.evidence.redraw import redraw_studies
from atc_mine.evidence.render import render_html, render_markdown
from atc_mine.store import Store
from tests.evidence.conftest import CAPDEVILA, SAVVIDES, SORAFENIB_PAGE, fig, put, read

#: The columns issue 6 asks for, in its order.
ISSUE_COLUMNS = [
    "study_id", "therapy_class", "regimen", "drugs", "targets", "trial", "phase", "cohort", "n",
    "orr_percent", "cr", "pr", "sd", "dcr_percent", "pfs_median_months", "os_median_months",
    "data_cut", "sources", "conflicts",
]  # fmt: skip


def build(store: Store) -> None:
    savvides, page, capdevila = read(SAVVIDES), read(SORAFENIB_PAGE), read(CAPDEVILA)
    put(
        store,
        savvides,
        [
            fig(savvides, "N_ENROLLED", "Twenty patients with ATC were treated", count=20, drugs=("sorafenib",)),
            fig(
                savvides,
                "PR",
                "Two of the 20 patients had a partial response (10%)",
                count=2,
                denominator=20,
                percent=10,
                drugs=("sorafenib",),
            ),
            fig(
                savvides,
                "OS_MEDIAN",
                "a median and a 1-year survival of 3.9 months",
                value=3.9,
                unit="months",
                drugs=("sorafenib",),
            ),
        ],
    )
    put(store, page, ncts=["NCT00126568"])
    put(
        store,
        capdevila,
        [
            fig(capdevila, "N_ENROLLED", "Forty-two patients were enrolled.", count=42, drugs=("spartalizumab",)),
            fig(capdevila, "ORR", "The overall response rate was 19%", percent=19, drugs=("spartalizumab",)),
        ],
    )
    redraw_studies(store)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("table") / "e.db"
    with Store(path) as store:
        build(store)
    return path


@pytest.fixture(scope="module")
def page(db, tmp_path_factory):
    """The HTML page and its plot, drawn once for the tests that look at them."""
    folder = tmp_path_factory.mktemp("page")
    return write_table(db, fmt="html", out=folder / "page" / "t.html", plot_dir=folder / "plots")


def test_csv_has_exactly_the_table_columns_and_empty_cells_for_unknown_numbers(db, tmp_path):
    out = write_table(db, fmt="csv", out=tmp_path / "t.csv").table
    text = out.read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == list(TABLE_COLUMNS)
    assert [c for c in TABLE_COLUMNS if c in ISSUE_COLUMNS] == ISSUE_COLUMNS  # every asked column, in order
    rows = {r["study_id"]: r for r in reader}
    sorafenib = rows["NCT00126568"]
    assert (sorafenib["n"], sorafenib["pr"], sorafenib["os_median_months"]) == ("20", "2", "3.9")
    assert sorafenib["orr_percent"] == "" and sorafenib["cr"] == "" and sorafenib["pfs_median_months"] == ""
    assert rows["spartalizumab-capdevila2020"]["orr_percent"] == "19.0"


def test_class_filter(db, tmp_path):
    out = write_table(db, fmt="csv", out=tmp_path / "i.csv", therapy_class="immuno").table
    assert [r["study_id"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["spartalizumab-capdevila2020"]
    with pytest.raises(InputError, match="unknown therapy class"):
        write_table(db, fmt="csv", out=tmp_path / "x.csv", therapy_class="hormonal")


def test_dataframe_api_types_and_missing_values(db):
    frame = atc_mine.evidence_table(db)
    assert list(frame.columns) == list(TABLE_COLUMNS) and len(frame) == 2
    assert str(frame["n"].dtype) == "Int64" and str(frame["os_median_months"].dtype) == "Float64"
    row = frame.set_index("study_id").loc["NCT00126568"]
    assert row["n"] == 20 and pd.isna(row["cr"]) and row["therapy_class"] == "targeted"
    with pytest.raises(InputError, match="no such evidence base"):
        evidence_table(db.parent / "missing.db")


def test_html_escapes_every_text_and_shows_the_plot(page):
    hostile = {c: None for c in TABLE_COLUMNS} | {
        "row_id": "x|ATC",
        "study_id": "<script>alert(1)</script>",
        "therapy_class": "targeted",
        "regimen": 'a "b" & <c>',
        "sources": "<img src=x onerror=alert(1)>",
        "conflicts": "orr_percent: 1 vs 2",
    }
    rendered = render_html([hostile], figures=[], plot="plots/evidence_plot.svg")
    assert "<script>" not in rendered and "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<img src=x" not in rendered and "&quot;b&quot; &amp; &lt;c&gt;" in rendered
    assert 'class="conflict"' in rendered and 'src="plots/evidence_plot.svg"' in rendered
    html = page.table.read_text(encoding="utf-8")
    assert 'src="../plots/evidence_plot.svg"' in html and "Twenty patients with ATC were treated" in html


def test_markdown_tables_per_class_with_escaped_cells(db, tmp_path):
    text = write_table(db, fmt="md", out=tmp_path / "t.md").table.read_text(encoding="utf-8")
    assert "## Table 1. Targeted therapy" in text and "## Table 2. Immunotherapy" in text
    assert "| spartalizumab-capdevila2020 | spartalizumab |" in text and "19 (8.6-34.1)" in text
    row = {c: None for c in TABLE_COLUMNS} | {"row_id": "r", "study_id": "a|b", "therapy_class": "chemo"}
    assert "| a\\|b |" in render_markdown([row])


def test_xlsx_has_the_table_and_what_each_row_rests_on(db, tmp_path):
    out = write_table(db, fmt="xlsx", out=tmp_path / "t.xlsx").table
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["evidence table", "figures", "conflicts", "documents"]
    assert list(sheets["evidence table"].columns) == list(TABLE_COLUMNS)
    assert set(sheets["figures"]["status"]) == {"shown"}
    assert "Two of the 20 patients had a partial response (10%)" in set(sheets["figures"]["sentence"])


def test_plot_files_are_written_and_not_empty(page):
    png, svg = page.plots
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]


def test_the_table_command(db, tmp_path, capsys):
    out = tmp_path / "cli.csv"
    assert main(["table", "--db", str(db), "--format", "csv", "--out", str(out), "--class", "targeted"]) == 0
    assert "1 rows" in capsys.readouterr().out and out.exists()
    assert main(["table", "--db", str(db), "--format", "docx", "--out", str(tmp_path / "x")]) == 2
    assert "unknown table format" in capsys.readouterr().err
    assert main(["table", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "x.md")]) == 2
