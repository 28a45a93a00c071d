"""Study-level scoring of the evidence table against the review's studies (gold/review/studies.json).

The small gold below is hand-written for the test (three studies, marked fixture); the last test
scores the real gold against the real corpus as the demo does.
"""

from __future__ import annotations

import json
import shutil

import pytest

from atc_mine.cli import main
from atc_mine.errors import GoldSetError, InputError
from atc_mine.evaluate.studies import cohort_match, format_study_score, load_study_gold, score_studies
from atc_mine.evidence.redraw import redraw_studies
from atc_mine.store import Store
from tests.conftest import GOLD
from tests.evidence.conftest import CAPDEVILA, DIERKS, SAVVIDES, SOSA, fig, put, read


def field(expected, source="corpus", review=None):
    corpus = None if source == "review" else expected
    return {"review": review if review is not None else (expected if source != "corpus" else None),
            "corpus": corpus, "expected": expected, "source": source, "note": None}  # fmt: skip


def gold_dir(tmp_path, studies):
    """Hand-written fixture gold: ``review/studies.json`` with the given studies, the real cohorts.json."""
    (tmp_path / "review").mkdir()
    (tmp_path / "schema").mkdir()
    shutil.copy(GOLD / "schema" / "cohorts.json", tmp_path / "schema" / "cohorts.json")
    data = {"schema_version": "1", "gold_version": "0.0.1-fixture", "studies": studies}
    (tmp_path / "review" / "studies.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def study(study_id, docs, fields, cohort="ATC"):
    return {"study_id": study_id, "corpus_docs": docs, "cohort": cohort, "fields": fields}


@pytest.fixture()
def scored(store, tmp_path):
    savvides, capdevila, dierks = read(SAVVIDES), read(CAPDEVILA), read(DIERKS)
    put(
        store,
        savvides,
        [
            fig(savvides, "N_ENROLLED", "Twenty patients with ATC were treated", count=20, drugs=("sorafenib",)),
            fig(savvides, "PR", "Two of the 20 patients had a partial response (10%)", count=2, drugs=("sorafenib",)),
            fig(savvides, "SD", "an additional 5 of 20 (25%) had stable disease", count=5, drugs=("sorafenib",)),
            fig(savvides, "SD", "an additional 5 of 20 (25%) had stable disease.", count=4, drugs=("sorafenib",)),
            fig(savvides, "SD", "an additional 5 of 20", count=4, drugs=("sorafenib",)),
        ],
    )
    put(
        store,
        capdevila,
        [fig(capdevila, "ORR", "The overall response rate was 19%", percent=19, drugs=("spartalizumab",))],
    )
    put(
        store,
        dierks,
        [
            fig(
                dierks,
                "PFS_MEDIAN",
                "16.5 months for ATCs",
                value=16.5,
                unit="months",
                drugs=("lenvatinib", "pembrolizumab"),
                cohort="PDTC",
            ),
            fig(dierks, "CR", "4/6 CR", count=4, drugs=("lenvatinib", "pembrolizumab"), cohort="ATC"),
        ],
    )
    redraw_studies(store)
    gold = gold_dir(tmp_path, [
        study("nct00126568", [savvides.doc_id], {
            "n": field(20, "both"),
            "pr": field(2),
            "sd": field(5),  # the row shows 4: two same-cut figures say 4, one says 5 -> merging
            "dcr_percent": field(35, "review"),  # only the review states it
            "os_median_months": field(3.9, "both"),  # no figure extracted
        }),
        study("spartalizumab-capdevila2020", [capdevila.doc_id], {"orr_percent": field(19, "both")}),
        study("lenvatinib-pembrolizumab-dierks2021", [dierks.doc_id], {
            "cr": field(4), "pfs_median_months": field(16.5, "both"),  # PFS extracted with cohort PDTC
        }),
        study("missing-abstract", ["no_such_document"], {"n": field(7)}),
    ])  # fmt: skip
    return score_studies(store, gold)


def test_rows_found_and_fields_agreeing(scored):
    assert (scored["with_corpus_abstract"], scored["rows_found"]) == (4, 3)
    assert (scored["fields"], scored["fields_agree"]) == (9, 4)
    assert (scored["stated_fields"], scored["stated_fields_agree"]) == (8, 4)
    assert scored["fields_agree_percent"] == 44.4


def test_each_failing_field_has_its_cause(scored):
    causes = {(s["study_id"], f["field"]): f.get("cause") for s in scored["studies"] for f in s["fields"]}
    assert causes[("nct00126568", "dcr_percent")] == "not in corpus"
    assert causes[("nct00126568", "os_median_months")] == "extraction: missed"
    assert causes[("nct00126568", "sd")] == "merging"
    assert causes[("lenvatinib-pembrolizumab-dierks2021", "pfs_median_months")] == "extraction: attribution"
    assert causes[("missing-abstract", "n")] == "extraction: missed"
    assert causes[("nct00126568", "n")] is None
    assert scored["failures_by_cause"] == {
        "not in corpus": 1,
        "extraction: missed": 2,
        "extraction: attribution": 1,
        "grouping": 0,
        "merging": 1,
    }
    missing = next(s for s in scored["studies"] if s["study_id"] == "missing-abstract")
    assert not missing["found"] and "no study holds the gold's abstracts" in missing["problems"]


def test_the_summary_names_the_numbers(scored):
    text = format_study_score(scored, details=True)
    assert "found as table rows: 3/4" in text and "4/9 (44.4%)" in text
    assert "sd: expected 5, got 4 [merging]" in text


@pytest.mark.parametrize(
    "gold, row, match",
    [
        ("ATC", "ATC", 2),
        ("BRAF V600-mutant ATC", "ATC", 1),
        ("ATC", "thyroid cancer", 1),
        ("ATC", "PDTC", 0),
        ("ATC", None, 0),
    ],
)
def test_cohort_match_is_lenient_along_the_lineage(gold, row, match):
    _, parents = load_study_gold(GOLD)
    assert cohort_match(gold, row, parents) == match


def test_bad_gold_is_a_named_error(tmp_path):
    with pytest.raises(InputError, match="no review/studies.json"):
        load_study_gold(tmp_path)
    gold = gold_dir(
        tmp_path, [{"study_id": "x", "corpus_docs": [], "cohort": "ATC", "fields": {"orr": {"expected": 1}}}]
    )
    with pytest.raises(GoldSetError, match="bad field 'orr'"):
        load_study_gold(gold)


def test_score_studies_command(tmp_path, capsys):
    db = tmp_path / "e.db"
    with Store(db) as store:
        savvides = read(SAVVIDES)
        put(store, savvides, [fig(savvides, "N_ENROLLED", "Twenty patients", count=20, drugs=("sorafenib",))])
        redraw_studies(store)
    report = tmp_path / "s.json"
    assert main(["score", "--studies", "--db", str(db), "--gold", str(GOLD), "--json", str(report)]) == 0
    out = capsys.readouterr().out
    assert "review studies with an abstract in corpora/ found as table rows: 1/13" in out
    assert json.loads(report.read_text(encoding="utf-8"))["rows_found"] == 1
    assert main(["score", "--gold", str(GOLD)]) == 2  # neither predictions nor --studies


def test_every_review_study_with_an_abstract_is_a_row_of_the_real_corpus(nlp, corpora, tmp_path):
    """The demo's measurement: the real corpus through the real pipeline, against the real gold."""
    from atc_mine.loading import load_paths

    with Store(tmp_path / "real.db") as store:
        load_paths(store, nlp, [corpora / "abstracts", corpora / "ctgov_pages", corpora / "ctgov"])
        report = score_studies(store, GOLD)
    assert report["with_corpus_abstract"] == 13
    assert report["rows_found"] == 13
    assert report["failures_by_cause"]["grouping"] == 0
    assert report["fields_agree"] + sum(report["failures_by_cause"].values()) == report["fields"]
    assert report["rows_not_in_review"] == ["dabrafenib-falchook2015", "everolimus-harris2019"]


def test_per_arm_gold_matches_the_arm_of_the_same_name_first(store, tmp_path):
    sosa = read(SOSA)
    sentence = "Median OS was 5.2 months [95% confidence interval (CI) 3.1, 9.0] for the CP/fosbretabulin arm"
    put(store, sosa, [
        fig(sosa, "OS_MEDIAN", sentence, value=5.2, unit="months", subgroup="CP/fosbretabulin arm", cohort="ATC"),
        fig(sosa, "OS_MEDIAN", "4.0 months [95% CI 2.8, 6.2] for the CP arm", value=4.0, unit="months", subgroup="CP arm", cohort="ATC"),
    ])  # fmt: skip
    redraw_studies(store)
    gold = gold_dir(
        tmp_path,
        [study("fact", [sosa.doc_id], {"os_median_months": field({"CP/fosbretabulin arm": 5.2, "CP arm": 4.0})})],
    )
    (outcome,) = score_studies(store, gold)["studies"][0]["fields"]
    assert outcome["ok"] and outcome["got"] == {"CP/fosbretabulin arm": 5.2, "CP arm": 4.0}
