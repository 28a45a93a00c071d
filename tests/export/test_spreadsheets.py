"""CSV and XLSX: one row per candidate, study rows beside them, formulas neutralised."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from atc_mine import api
from atc_mine.export.common import CANDIDATE_COLUMNS, neutralise
from atc_mine.store import Store
from tests.export.fixtures import FORMULAS, HOSTILE_SENTENCE


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindent", "'\tindent"),
        ("\r=1", "'\r=1"),
        # negatives: ordinary text and numbers stay as they are
        ("ORR 10% (2/20)", "ORR 10% (2/20)"),
        ("BRAF V600E-mutant ATC", "BRAF V600E-mutant ATC"),
        ("a=b", "a=b"),
        ("", ""),
        (-2.5, -2.5),
        (10, 10),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_has_one_row_per_candidate_figure(real_db, tmp_path):
    paths = api.export_candidates(real_db, fmt="csv", out_dir=tmp_path)
    assert [p.name for p in paths] == ["candidates.csv", "studies.csv"]
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it as UTF-8
    rows = read_csv(paths[0])
    assert list(rows[0]) == list(CANDIDATE_COLUMNS)
    with Store(real_db) as store:
        stored = store.outcome_rows()
    assert sorted(r["record_id"] for r in rows) == sorted(r["record_id"] for r in stored)
    assert {r["status"] for r in rows} == {"pending"}
    by_doc = {r["doc_id"]: r for r in rows}
    assert by_doc["29768149"]["link"] == "https://pubmed.ncbi.nlm.nih.gov/29768149/"
    savvides = next(r for r in rows if "savvides" in r["doc_id"] and r["measure"] == "PR")
    assert savvides["link"] == "https://pubmed.ncbi.nlm.nih.gov/23113752/"  # the text file's sidecar PMID
    assert (savvides["percent"], savvides["count"], savvides["denominator"]) == ("10.0", "2", "20")
    assert savvides["regimen"] == "sorafenib" and savvides["trial"] == "NCT00126568" and savvides["cohort"] == "ATC"
    assert "partial response (10%)" in savvides["sentence"]
    ctgov = [r for r in rows if r["source"] == "ctgov"]
    assert all(r["link"] == f"https://clinicaltrials.gov/study/{r['doc_id']}" for r in ctgov)


def test_study_rows_go_out_beside_the_figures(real_db, tmp_path):
    pytest.importorskip("atc_mine.evidence")
    _, studies_csv = api.export_candidates(real_db, fmt="csv", out_dir=tmp_path)
    studies = read_csv(studies_csv)
    candidates = read_csv(tmp_path / "candidates.csv")
    assert studies and list(studies[0])[:6] == ["row_id", "status", "curator", "note", "figures", "pending"]
    assert "study_status" in studies[0] and "orr_percent" in studies[0]  # the table's own status is renamed
    behind = {r["study_row"] for r in candidates if r["study_row"]}
    assert behind and behind <= {s["row_id"] for s in studies}
    for study in studies:
        listed = [c for c in candidates if c["study_row"] == study["row_id"]]
        assert int(study["figures"]) == len(listed)


def test_formula_injection_is_neutralised_in_csv(hostile_db, tmp_path):
    """HAND-WRITTEN HOSTILE FIXTURE: cohorts, subgroups and sentences that are formulas."""
    (path,) = [p for p in api.export_candidates(hostile_db, fmt="csv", out_dir=tmp_path) if p.name == "candidates.csv"]
    rows = read_csv(path)
    pr = next(r for r in rows if r["measure"] == "PR")
    assert pr["cohort"] == "'" + FORMULAS["cohort"] and pr["subgroup"] == "'" + FORMULAS["subgroup"]
    os_ = next(r for r in rows if r["measure"] == "OS_MEDIAN")
    assert os_["timepoint"] == "'" + FORMULAS["timepoint"]
    assert pr["sentence"] == HOSTILE_SENTENCE  # starts with a letter: left alone
    assert pr["link"] == ""  # a javascript: link from a sidecar is never written
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_xlsx_has_typed_text_cells_a_status_list_and_study_sheet(hostile_db, real_db, tmp_path):
    (path,) = api.export_candidates(hostile_db, fmt="xlsx", out_dir=tmp_path / "hostile")
    book = load_workbook(path)
    sheet = book["candidates"]
    header = [c.value for c in sheet[1]]
    assert header == list(CANDIDATE_COLUMNS)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)  # no formula anywhere
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + FORMULAS["cohort"] in texts and "'" + FORMULAS["subgroup"] in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    assert any("\ufffd" in t for t in texts) and all("\x07" not in t for t in texts)  # controls Excel refuses
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)
    validations = sheet.data_validations.dataValidation
    assert validations and '"pending,accept,correct,reject"' in validations[0].formula1
    assert set(book.sheetnames) >= {"candidates", "about"}
    (real,) = api.export_candidates(real_db, fmt="xlsx", out_dir=tmp_path / "real")
    real_book = load_workbook(real)
    if "studies" in real_book.sheetnames:
        assert [c.value for c in real_book["studies"][1]][:3] == ["row_id", "status", "curator"]
    column = real_book["candidates"].iter_cols(min_col=CANDIDATE_COLUMNS.index("link") + 1, min_row=2)
    links = [c.hyperlink.target for c in next(column) if c.hyperlink]
    assert links and all(t.startswith("https://") for t in links)
