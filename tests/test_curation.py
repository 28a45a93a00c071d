"""Curator decisions: export -> edit -> import -> export round trips, validation before any write,
idempotent imports, and decisions that survive re-extraction (identical figures keep theirs,
changed figures come back for review)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from atc_mine import api
from atc_mine.cli import main
from atc_mine.curation import Decision, anchor, attach_decisions, fingerprint
from atc_mine.errors import DecisionFileError, InputError
from atc_mine.loading import load_paths
from atc_mine.records import Extraction, OutcomeFigure
from atc_mine.store import Store
from atc_mine.store import curation as sql
from tests.export.fixtures import FORMULAS


def export_csv(db: Path, out: Path, **selection) -> list[dict[str, str]]:
    api.export_candidates(db, fmt="csv", out_dir=out, **selection)
    return list(csv.DictReader(io.StringIO((out / "candidates.csv").read_text(encoding="utf-8-sig"))))


def write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def by_measure(rows: list[dict[str, str]], doc: str, measure: str) -> dict[str, str]:
    return next(r for r in rows if doc in r["doc_id"] and r["measure"] == measure)


def counts(db: Path) -> tuple[int, int, int]:
    with Store(db) as store:
        return len(sql.decision_rows(store)), len(sql.history_rows(store)), len(store.runs())


# -- round trips ---------------------------------------------------------------------------
def test_csv_round_trip_shows_the_decisions(real_db, tmp_path):
    rows = export_csv(real_db, tmp_path / "first")
    accept = by_measure(rows, "savvides", "PR")
    correct = by_measure(rows, "savvides", "SD")
    reject = by_measure(rows, "savvides", "N_ENROLLED")
    accept.update(status="accept", curator="ana")
    correct.update(status="correct", curator="ana", percent="26", cohort="ATC (evaluable)", note="=see table 2")
    reject.update(status="Rejected", curator="ben", note="counts screened patients")
    report = api.import_curation([write_csv(tmp_path / "edited.csv", rows)], db=real_db)
    assert report.decisions == {"new": 3, "changed": 0, "unchanged": 0}

    again = {r["record_id"]: r for r in export_csv(real_db, tmp_path / "second")}
    assert again[accept["record_id"]]["status"] == "accept" and again[accept["record_id"]]["curator"] == "ana"
    fixed = again[correct["record_id"]]
    assert (fixed["status"], fixed["percent"], fixed["cohort"]) == ("correct", "26.0", "ATC (evaluable)")
    assert fixed["extracted"] == "cohort=ATC; percent=25" and fixed["note"] == "'=see table 2"
    assert again[reject["record_id"]]["status"] == "reject"
    assert again[reject["record_id"]]["note"] == "counts screened patients"
    untouched = [
        r
        for r in again.values()
        if r["record_id"] not in {accept["record_id"], correct["record_id"], reject["record_id"]}
    ]
    assert untouched and {r["status"] for r in untouched} == {"pending"}

    frame = api.decisions(real_db)
    assert sorted(frame["status"]) == ["accept", "correct", "reject"] and set(frame["state"]) == {"applied"}
    assert frame.set_index("status").loc["correct", "corrections"] == {"percent": 26.0, "cohort": "ATC (evaluable)"}
    assert list(api.candidates(real_db, status="pending")["status"].unique()) == ["pending"]
    assert len(api.candidates(real_db, status="accept")) == 1


def test_xlsx_round_trip_shows_the_decisions(real_db, tmp_path):
    (path,) = api.export_candidates(real_db, fmt="xlsx", out_dir=tmp_path)
    book = load_workbook(path)
    sheet = book["candidates"]
    header = [c.value for c in sheet[1]]
    column = {name: index + 1 for index, name in enumerate(header)}
    target = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column["measure"]).value == "PFS_MEDIAN")
    record_id = sheet.cell(target, column["record_id"]).value
    sheet.cell(target, column["status"]).value = "correct"
    sheet.cell(target, column["value"]).value = 2.1  # a number typed in Excel
    sheet.cell(target, column["curator"]).value = "ana"
    book.save(path)
    assert api.import_curation([path], db=real_db).decisions["new"] == 1
    frame = api.candidates(real_db).set_index("record_id")
    assert frame.loc[record_id, "status"] == "correct" and frame.loc[record_id, "value"] == 2.1
    (again,) = api.export_candidates(real_db, fmt="xlsx", out_dir=tmp_path / "again")
    sheet = load_workbook(again)["candidates"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == record_id)
    assert row[header.index("status")] == "correct" and row[header.index("value")] == 2.1


def test_study_row_accepts_its_pending_figures_and_never_overrides(real_db, tmp_path):
    pytest.importorskip("atc_mine.evidence")
    rows = export_csv(real_db, tmp_path)
    studies = list(csv.DictReader(io.StringIO((tmp_path / "studies.csv").read_text(encoding="utf-8-sig"))))
    study = max(studies, key=lambda s: int(s["pending"]))
    members = [r for r in rows if r["study_row"] == study["row_id"]]
    assert len(members) >= 2
    members[0].update(status="reject", curator="ana")
    write_csv(tmp_path / "figures.csv", [members[0]])
    api.import_curation([tmp_path / "figures.csv"], db=real_db)
    study.update(status="accept", curator="ben")
    api.import_curation([write_csv(tmp_path / "studies_edited.csv", [study])], db=real_db)
    after = api.candidates(real_db).set_index("record_id")
    assert after.loc[members[0]["record_id"], "status"] == "reject"  # the figure's own decision stands
    others = after.loc[[m["record_id"] for m in members[1:]]]
    assert set(others["status"]) <= {"accept", "pending"} and "accept" in set(others["status"])
    assert set(others[others["status"] == "accept"]["curator"]) == {"ben"}


# -- validation first ----------------------------------------------------------------------
def test_malformed_rows_are_reported_by_line_and_nothing_is_written(real_db, tmp_path):
    rows = export_csv(real_db, tmp_path)
    rows[0].update(status="accept", curator="ana")
    rows[1].update(status="accept", curator="ana", note="a note\nover two lines")  # line 3-4 of the file
    rows[2].update(status="acept", curator="ana")  # line 5
    rows[3].update(status="correct", curator="ana", percent="abc")  # line 6
    path = write_csv(tmp_path / "bad.csv", rows)
    before = counts(real_db)
    with pytest.raises(DecisionFileError) as caught:
        api.import_curation([path], db=real_db)
    assert [where for where, _ in caught.value.errors] == ["line 5", "line 6"]
    assert "'acept' is not one of" in caught.value.errors[0][1]
    assert "percent: 'abc' is not a number" in caught.value.errors[1][1]
    assert str(caught.value).startswith(f"{path}: line 5: ")
    assert counts(real_db) == before  # no decision, no history, no run


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"record_id": "0123456789abcdef"}, "record 0123456789abcdef is not in"),
        ({"record_id": "1.23457E+15"}, "did a spreadsheet turn it into a number?"),
        ({"percent": "11"}, "status is accept but percent differ"),
        ({"status": "correct"}, "status is correct but no value differs"),
        ({"curator": ""}, "no curator"),
        ({"status": "correct", "percent": "150"}, "150 is not a percentage"),
        ({"status": "correct", "ci_low": "2"}, "give both ends of the confidence interval"),
        ({"status": "correct", "unit": "fortnights"}, "unit 'fortnights' is not one of"),
        ({"status": "correct", "trial": "NCT123"}, "is not an NCT ID"),
        ({"status": "correct", "measure": "XYZ"}, "measure 'XYZ' is not one of"),
        ({"status": "correct", "count": "25"}, "count 25 is above its denominator 20"),
        ({"regimen": "sorafenib + paclitaxel"}, "status is accept but regimen differ"),
    ],
)
def test_each_kind_of_bad_row_is_refused(real_db, tmp_path, edit, message):
    rows = export_csv(real_db, tmp_path)
    row = by_measure(rows, "savvides", "PR")
    row.update({"status": "accept", "curator": "ana"} | edit)
    with pytest.raises(DecisionFileError) as caught:
        api.import_curation([write_csv(tmp_path / "bad.csv", [row])], db=real_db)
    assert caught.value.errors[0][0] == "line 2" and message in caught.value.errors[0][1]
    assert counts(real_db)[0] == 0


@pytest.mark.parametrize(
    "edit",
    [
        {"regimen": "Sorafenib"},  # names are lower-cased
        {"percent": "10%", "count": "2.0"},  # as spreadsheets show numbers
        {"not_reached": "FALSE"},  # as Excel writes booleans back
        {"cohort": " ATC "},
    ],
)
def test_cells_a_spreadsheet_rewrites_are_not_corrections(real_db, tmp_path, edit):
    row = by_measure(export_csv(real_db, tmp_path), "savvides", "PR")
    row.update({"status": "accept", "curator": "ana"} | edit)
    api.import_curation([write_csv(tmp_path / "ok.csv", [row])], db=real_db)
    assert api.decisions(real_db).iloc[0]["status"] == "accept"


def test_conflicting_rows_for_one_figure_are_refused(real_db, tmp_path):
    row = by_measure(export_csv(real_db, tmp_path), "savvides", "PR")
    rows = [dict(row, status="accept", curator="ana"), dict(row, status="reject", curator="ana")]
    with pytest.raises(DecisionFileError, match="line 3: record .* has another decision at bad.csv line 2"):
        api.import_curation([write_csv(tmp_path / "bad.csv", rows)], db=real_db)


def test_minimal_semicolon_file_with_curator_option(real_db, tmp_path):
    """A spreadsheet in a decimal-comma locale saves ';'-separated CSV with '19,5'-style numbers."""
    row = by_measure(export_csv(real_db, tmp_path), "savvides", "PR")
    path = tmp_path / "decisions.csv"
    path.write_text(f"record_id;status;percent\n{row['record_id']};correct;10,5\n", encoding="cp1252")
    api.import_curation([path], db=real_db, curator="ana")
    decided = api.candidates(real_db).set_index("record_id").loc[row["record_id"]]
    assert (decided["status"], decided["percent"], decided["curator"]) == ("correct", 10.5, "ana")


# -- idempotent; old files do not wipe newer decisions -------------------------------------
def test_import_is_idempotent(real_db, tmp_path):
    rows = export_csv(real_db, tmp_path)
    for row in rows[:3]:
        row.update(status="accept", curator="ana")
    path = write_csv(tmp_path / "edited.csv", rows)
    api.import_curation([path], db=real_db)
    decisions, history, runs = counts(real_db)
    report = api.import_curation([path], db=real_db)
    assert report.decisions == {"new": 0, "changed": 0, "unchanged": 3}
    assert counts(real_db) == (decisions, history, runs + 1)  # only the runs log gains a line
    stale = export_csv(real_db, tmp_path / "stale")  # everything pending again? no: decided rows show their status
    assert sum(r["status"] == "accept" for r in stale) == 3
    old = [dict(r, status="pending", curator="") for r in rows]  # an old, undecided export
    api.import_curation([write_csv(tmp_path / "old.csv", old)], db=real_db)
    assert counts(real_db)[0] == 3  # pending rows are no decision: nothing is wiped


def test_formula_guard_is_not_a_correction(hostile_db, tmp_path):
    """HAND-WRITTEN HOSTILE FIXTURE: a neutralised cell read back equals the extracted value."""
    rows = export_csv(hostile_db, tmp_path)
    pr = next(r for r in rows if r["measure"] == "PR")
    assert pr["cohort"] == "'" + FORMULAS["cohort"]
    pr.update(status="accept", curator="ana", note=FORMULAS["trial_note"])
    api.import_curation([write_csv(tmp_path / "edited.csv", [pr])], db=hostile_db)
    again = next(r for r in export_csv(hostile_db, tmp_path / "again") if r["measure"] == "PR")
    assert again["status"] == "accept" and again["note"] == "'" + FORMULAS["trial_note"]
    assert api.decisions(hostile_db).iloc[0]["note"] == FORMULAS["trial_note"]


# -- decisions survive refreshes -----------------------------------------------------------
def copy_abstract(corpora: Path, folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in (".txt", ".meta.json"):
        shutil.copy(corpora / "abstracts" / f"{stem}{suffix}", folder / f"{stem}{suffix}")
    return folder / f"{stem}.txt"


SAVVIDES = "abstract_23113752_savvides2013_sorafenib_ATC_phase2"


def test_decisions_survive_reload_new_versions_and_flag_changed_figures(nlp, corpora, tmp_path):
    db = tmp_path / "atc_mine.db"
    text_path = copy_abstract(corpora, tmp_path / "in", SAVVIDES)
    with Store(db) as store:
        load_paths(store, nlp, [text_path.parent])
    rows = export_csv(db, tmp_path / "e1")
    pr, sd = by_measure(rows, "savvides", "PR"), by_measure(rows, "savvides", "SD")
    pr.update(status="accept", curator="ana")
    sd.update(status="reject", curator="ana")
    api.import_curation([write_csv(tmp_path / "d1.csv", [pr, sd])], db=db)

    # 1. the same input again, and a forced re-extraction: nothing changes
    with Store(db) as store:
        load_paths(store, nlp, [text_path.parent])
        for stored in store.iter_documents():
            store.replace_extraction(stored.doc_pk, store.extraction(stored.doc_pk), extractor_version="forced")
    statuses = api.candidates(db).set_index("record_id")["status"]
    assert statuses[pr["record_id"]] == "accept" and statuses[sd["record_id"]] == "reject"

    # 2. a new version of the document: a sentence added before, so every offset and record id moves
    text = text_path.read_bytes().decode("utf-8")
    text_path.write_bytes(("Erratum: the affiliations were corrected. " + text).encode("utf-8"))
    with Store(db) as store:
        assert load_paths(store, nlp, [text_path.parent]).documents["updated"] == 1
    moved = {r["measure"]: r for r in api.candidates(db).to_dict(orient="records")}
    assert moved["PR"]["record_id"] != pr["record_id"]  # the figure moved...
    assert (moved["PR"]["status"], moved["SD"]["status"]) == ("accept", "reject")  # ...and kept its decision

    # 3. the text changes a number: the figure changed, so it is pending again, flagged
    text_path.write_bytes(text_path.read_bytes().replace(b"(10%)", b"(11%)"))
    with Store(db) as store:
        load_paths(store, nlp, [text_path.parent])
    changed = api.candidates(db, status="changed")
    assert list(changed["measure"]) == ["PR"] and list(changed["status"]) == ["pending"]
    assert changed.iloc[0]["flag"].startswith("changed since accept by ana on ")
    assert "was PR 10% (2/20)" in changed.iloc[0]["flag"]
    assert api.candidates(db).set_index("measure").loc["SD", "status"] == "reject"
    states = api.decisions(db).set_index("status")["state"]
    assert states["accept"] == "changed" and states["reject"] == "applied"

    # 4. deciding again applies to the new figure; the earlier decision stays in the history
    again = by_measure(export_csv(db, tmp_path / "e2", status="pending"), "savvides", "PR")
    assert again["flag"].startswith("changed since accept")
    again.update(status="correct", curator="ben", percent="10")
    api.import_curation([write_csv(tmp_path / "d2.csv", [again])], db=db)
    assert api.candidates(db, status="changed").empty
    assert api.candidates(db).set_index("measure").loc["PR", "status"] == "correct"
    with Store(db) as store:
        assert len(sql.history_rows(store)) == 3


def test_fingerprint_ignores_offsets_but_not_values(real_db):
    with Store(real_db) as store:
        stored = next(d for d in store.iter_documents() if "savvides" in d.document.doc_id)
        extraction: Extraction = store.extraction(stored.doc_pk)
    figure = next(f for f in extraction.outcomes if f.measure == "PR")
    assert fingerprint(replace(figure, start=figure.start + 40, end=figure.end + 40)) == fingerprint(figure)
    assert fingerprint(replace(figure, percent=11.0)) != fingerprint(figure)
    assert fingerprint(replace(figure, cohort="DTC")) != fingerprint(figure)
    assert fingerprint(replace(figure, drugs=("sorafenib", "paclitaxel"))) != fingerprint(figure)
    # another figure of the sentence changed, this one did not: still the same figure
    assert fingerprint(replace(figure, sentence=figure.sentence.replace("(25%)", "(30%)"))) == fingerprint(figure)


def _outcome(figure: OutcomeFigure) -> dict:
    return {
        "doc_pk": 1,
        "source": "text",
        "doc_id": "d1",
        "title": None,
        "metadata": {},
        "record_id": figure.record_id,
        "run_id": 1,
        "figure": figure,
    }


def _decided(figure: OutcomeFigure, status: str = "accept") -> Decision:
    return Decision(
        source="text",
        doc_id="d1",
        record_id=figure.record_id,
        fingerprint=fingerprint(figure),
        anchor=anchor(figure),
        measure=figure.measure,
        figure=figure,
        status=status,
        corrections={},
        curator="ana",
        note=None,
        origin="hand-written",
        decided_at="2026-01-05T10:00:00.000000Z",
        run_id=None,
    )


def test_a_decision_decides_its_own_figure_only():
    """HAND-WRITTEN figures: an enrolment stated in Methods and again in Results are two figures."""
    methods = OutcomeFigure("N_ENROLLED", "Eleven patients were enrolled.", 0, 30, count=11, cohort="ATC")
    results = OutcomeFigure("N_ENROLLED", "All 11 patients were evaluable.", 100, 131, count=11, cohort="ATC")
    first, second = attach_decisions([_outcome(methods), _outcome(results)], [_decided(methods, "reject")])
    assert (first.status, second.status) == ("reject", "pending") and not second.changed


def test_moved_figures_keep_and_changed_figures_flag_their_decision():
    """HAND-WRITTEN figures: the same ORR moved by a new version, then changed by a new extraction."""
    before = OutcomeFigure("ORR", "The ORR was 19%.", 50, 66, percent=19.0, drugs=("lenvatinib",), cohort="ATC")
    decision = _decided(before)
    moved = replace(before, start=90, end=106)
    assert attach_decisions([_outcome(moved)], [decision])[0].decision is decision
    changed = replace(before, percent=24.0, sentence="The ORR was 24%.")  # same place, new number
    (candidate,) = attach_decisions([_outcome(changed)], [decision])
    assert candidate.status == "pending" and candidate.changed and candidate.previous is decision
    recohorted = replace(before, cohort="DTC", start=300, end=316, sentence="In DTC, the ORR was 19%.")
    assert not attach_decisions([_outcome(recohorted)], [decision])[0].changed  # elsewhere, about others: new
    other_measure = replace(before, measure="DCR")
    assert not attach_decisions([_outcome(other_measure)], [decision])[0].changed


# -- Label Studio --------------------------------------------------------------------------
def label_studio_export(tasks: list[dict], answers: dict[str, dict]) -> list[dict]:
    """What Label Studio's JSON export holds for our tasks once annotated (documented export
    format: each task with ``annotations`` whose ``result`` holds the control tags' values)."""
    exported = []
    for number, task in enumerate(tasks, start=1):
        answer = answers.get(task["data"]["record_id"])
        annotations = []
        if answer is not None:
            result = [
                {
                    "id": "d1",
                    "from_name": "decision",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": [answer["decision"]]},
                    "origin": "manual",
                }
            ]
            for name in ("correction", "note"):
                if name in answer:
                    result.append(
                        {
                            "id": name[:2],
                            "from_name": name,
                            "to_name": "text",
                            "type": "textarea",
                            "value": {"text": [answer[name]]},
                            "origin": "manual",
                        }
                    )
            annotations.append(
                {
                    "id": number,
                    "completed_by": {"id": 3, "email": "ana@example.org"},
                    "result": result,
                    "was_cancelled": False,
                    "created_at": "2026-01-05T10:00:00Z",
                    "updated_at": "2026-01-05T10:00:00Z",
                    "lead_time": 12.5,
                }
            )
            annotations.append(
                {
                    "id": 1000 + number,
                    "completed_by": 4,
                    "result": [],
                    "was_cancelled": True,
                    "created_at": "2026-01-06T10:00:00Z",
                    "updated_at": "2026-01-06T10:00:00Z",
                }
            )
        exported.append(
            {
                "id": number,
                "data": task["data"],
                "annotations": annotations,
                "predictions": task["predictions"],
                "project": 1,
            }
        )
    return exported


def test_label_studio_round_trip(real_db, tmp_path):
    tasks_path, _ = api.export_candidates(real_db, fmt="labelstudio", out_dir=tmp_path)
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    pr = next(t for t in tasks if "savvides" in t["data"]["doc_id"] and t["data"]["measure"] == "PR")
    sd = next(t for t in tasks if "savvides" in t["data"]["doc_id"] and t["data"]["measure"] == "SD")
    answers = {
        pr["data"]["record_id"]: {"decision": "accept"},
        sd["data"]["record_id"]: {
            "decision": "correct",
            "correction": "percent=26\ncohort = ATC (evaluable)",
            "note": "table 2",
        },
    }
    export = tmp_path / "project-1-at-2026-01-05.json"
    export.write_text(json.dumps(label_studio_export(tasks, answers)), encoding="utf-8")
    assert api.import_curation([export], db=real_db).decisions["new"] == 2
    frame = api.candidates(real_db).set_index("record_id")
    assert frame.loc[pr["data"]["record_id"], ["status", "curator"]].tolist() == ["accept", "ana@example.org"]
    corrected = frame.loc[sd["data"]["record_id"]]
    assert (corrected["status"], corrected["percent"], corrected["cohort"], corrected["note"]) == (
        "correct",
        26.0,
        "ATC (evaluable)",
        "table 2",
    )
    (again,) = [
        p for p in api.export_candidates(real_db, fmt="labelstudio", out_dir=tmp_path / "again") if p.suffix == ".json"
    ]
    statuses = {t["data"]["record_id"]: t["data"]["status"] for t in json.loads(again.read_text(encoding="utf-8"))}
    assert statuses[pr["data"]["record_id"]] == "accept" and statuses[sd["data"]["record_id"]] == "correct"


def test_label_studio_json_min_and_bad_correction(real_db, tmp_path):
    tasks_path, _ = api.export_candidates(real_db, fmt="labelstudio", out_dir=tmp_path)
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    minimal = [
        dict(t["data"], id=i, decision="reject", annotator="ben@example.org") for i, t in enumerate(tasks[:2], 1)
    ]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(minimal), encoding="utf-8")
    assert api.import_curation([path], db=real_db).decisions["new"] == 2
    minimal[1].update(decision="correct", correction="percentage=12")
    path.write_text(json.dumps(minimal), encoding="utf-8")
    with pytest.raises(DecisionFileError, match="task 2 \\(id 2\\): correction: 'percentage' cannot be corrected"):
        api.import_curation([path], db=real_db)


def test_since_selects_the_figures_extracted_after_a_run(nlp, corpora, tmp_path):
    db = tmp_path / "atc_mine.db"
    tahara = "abstract_28299283_tahara2017_lenvatinib_ATC_phase2"
    with Store(db) as store:
        first = load_paths(store, nlp, [corpora / "abstracts" / f"{SAVVIDES}.txt"]).run_id
        load_paths(store, nlp, [corpora / "abstracts" / f"{tahara}.txt"])
    assert {r["doc_id"] for r in export_csv(db, tmp_path / "new", since=first)} == {tahara}
    assert {r["doc_id"] for r in export_csv(db, tmp_path / "all")} == {tahara, SAVVIDES}


# -- the pandas API and the command line ---------------------------------------------------
def test_candidates_selection_is_checked(real_db):
    with pytest.raises(InputError, match="unknown status 'maybe'"):
        api.candidates(real_db, status="maybe")
    with pytest.raises(InputError, match="--since 999: no such run"):
        api.candidates(real_db, since=999)
    with pytest.raises(InputError, match="no such evidence base"):
        api.candidates(real_db.parent / "missing.db")
    assert len(api.candidates(real_db, since=0)) == len(api.candidates(real_db))


def test_cli_import_and_export(real_db, tmp_path, capsys):
    assert main(["export", "--db", str(real_db), "--format", "all", "--out", str(tmp_path / "out")]) == 0
    written = capsys.readouterr().out
    for name in (
        "candidates.csv",
        "studies.csv" if "studies.csv" in written else "candidates.csv",
        "candidates.xlsx",
        "extractions.jsonl",
        "brat",
        "candidates.bioc.xml",
        "labelstudio_tasks.json",
        "review.html",
    ):
        assert name in written and (tmp_path / "out" / name).exists()
    rows = export_csv(real_db, tmp_path / "csv")
    rows[0].update(status="accept")
    path = write_csv(tmp_path / "d.csv", rows)
    assert main(["import", str(path), "--db", str(real_db)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "line 2: no curator" in error and "Traceback" not in error
    assert main(["import", str(path), "--db", str(real_db), "--curator", "ana"]) == 0
    assert "1 new, 0 changed, 0 unchanged decisions" in capsys.readouterr().out
    assert (
        main(["export", "--db", str(real_db), "--format", "csv", "--out", str(tmp_path / "p"), "--status", "accept"])
        == 0
    )
    assert len(export_csv(real_db, tmp_path / "p2", status="accept")) == 1
