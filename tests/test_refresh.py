"""Fetch and refresh end to end, against the misbehaving local server (tests/testserver.py).

Every run goes through real sockets to 127.0.0.1; records are the recorded real ones of
corpora/. Most runs use a blank spaCy pipeline (``light_nlp``): the store, the transactions and
the registry's posted figures are the same, and the suite stays fast; one test runs the full
pipeline. Faults are injected on the server; the properties checked are the issue's: the
refresh survives with nothing lost or duplicated, or stops with a clear error and nothing
half-written and resumes on the next run; request counts; kill -9 then a re-run equals an
uninterrupted run.
"""

from __future__ import annotations

import copy
import importlib
import math
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from atc_mine.errors import RateLimited, SourceError, UpstreamError
from atc_mine.records import OutcomeFigure
from atc_mine.refreshing import (
    fetch_ctgov,
    fetch_pubmed,
    figure_changes,
    refresh,
    saved_queries,
)
from atc_mine.settings import Settings
from atc_mine.sources.ctgov_api import PageTokenExpired
from atc_mine.sources.http import RetryPolicy
from atc_mine.store import Store
from atc_mine.store.refresh import (
    all_links,
    fetch_log,
    get_watermark,
    publications_of_trial,
    trials_of_publication,
    watermarks,
)
from tests.testserver import Fault, Study

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests/fixtures/run_refresh.py"
TODAY = date(2019, 1, 1)  # after every recorded PubMed entry date (the latest is 2018-05-17)
PUBMED_TOTAL = 25
CTGOV_TOTAL = 5
BATCH = 4
PAGE = 2
FAST = RetryPolicy(attempts=4, backoff_s=0.01, max_backoff_s=0.05, sleep=lambda s: None)


@pytest.fixture(scope="module")
def light_nlp():
    import spacy

    import atc_mine.nlp.pipeline  # noqa: F401  (registers the Doc extensions the extraction reads)

    return spacy.blank("en")


def orr_dupilumab(study: Study, *, value: str = "83.3", updated: str | None = None) -> Study:
    """The recorded NCT02210780 record, CHANGED BY THE TEST: its first outcome measure retitled
    "Objective Response Rate (ORR)" (so the registry figures path has something to map), and
    optionally the dupilumab group's value and the last-update date edited."""
    data = copy.deepcopy(study.data)
    measure = data["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]
    measure["title"] = "Objective Response Rate (ORR)"
    measure["classes"][0]["categories"][0]["measurements"][1]["value"] = value
    last_update = study.last_update
    if updated:
        data["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated
        last_update = date.fromisoformat(updated)
    return Study(study.nct_id, data, last_update)


@pytest.fixture()
def server(local_sources):
    """The local server, with NCT02210780 served in its test-edited ORR form (see orr_dupilumab)."""
    local_sources.studies["NCT02210780"] = orr_dupilumab(local_sources.studies["NCT02210780"])
    return local_sources


def run(server, db, nlp, *, today=TODAY, retry=FAST, **kw):
    settings = Settings(eutils_url=server.eutils_url, ctgov_url=server.ctgov_url, timeout_s=kw.pop("timeout", 0.5))
    return refresh(
        db=db,
        settings=settings,
        batch_size=kw.pop("batch_size", BATCH),
        page_size=kw.pop("page_size", PAGE),
        retry=retry,
        rate=1000,
        today=today,
        nlp=nlp,
        **kw,
    )


def snapshot(db: Path) -> dict:
    """The evidence base, without what depends on run ids and clocks."""
    with Store(db) as store:
        c = store.conn
        return {
            "documents": [
                tuple(r)
                for r in c.execute(
                    "SELECT source, doc_id, version, is_current, content_sha1, deleted FROM documents ORDER BY 1, 2, 3"
                )
            ],
            "outcomes": [
                tuple(r)
                for r in c.execute(
                    """SELECT d.source, d.doc_id, d.version, o.record_id, o.measure, o.percent, o.count, o.denominator,
                              o.value, o.cohort FROM outcomes o JOIN documents d USING (doc_pk) ORDER BY 1, 2, 3, 4"""
                )
            ],
            "extractions": [
                tuple(r)
                for r in c.execute(
                    """SELECT d.source, d.doc_id, d.version, e.extractor_version FROM extractions e
                       JOIN documents d USING (doc_pk) ORDER BY 1, 2, 3"""
                )
            ],
            "links": all_links(store),
            "watermarks": [(w.source, w.query_key, w.watermark, w.progress) for w in watermarks(store)],
        }


@pytest.fixture(scope="module")
def clean(tmp_path_factory, light_nlp):
    """An uninterrupted first refresh on a well-behaved server: what every faulty run must end as."""
    from tests.testserver import local_sources

    db = tmp_path_factory.mktemp("clean") / "clean.db"
    with local_sources() as server:
        server.studies["NCT02210780"] = orr_dupilumab(server.studies["NCT02210780"])
        report = run(server, db, light_nlp)
    assert report.status == "ok"
    return snapshot(db)


# -- the first refresh, and the second with nothing new -------------------------------------------
def test_first_refresh_pulls_everything_and_a_second_makes_one_request_per_source(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    first = run(server, db, light_nlp)
    assert first.counts()["documents_new"] == PUBMED_TOTAL + CTGOV_TOTAL
    assert server.counts() == {
        "esearch": 1,
        "efetch": math.ceil(PUBMED_TOTAL / BATCH),
        "studies": math.ceil(CTGOV_TOTAL / PAGE),
    }
    assert first.request_counts() == {
        "pubmed": {"esearch.fcgi": 1, "efetch.fcgi": math.ceil(PUBMED_TOTAL / BATCH)},
        "ctgov": {"studies": math.ceil(CTGOV_TOTAL / PAGE)},
    }
    # The registry's posted ORR of the (test-edited) NCT02210780 came in as figures.
    assert {(f.doc_id, f.measure, f.after["percent"]) for f in first.figures} == {
        ("NCT02210780", "ORR", 83.3),
        ("NCT02210780", "ORR", 83.7),
    }
    server.reset_log()
    second = run(server, db, light_nlp)
    assert server.counts() == {"esearch": 1, "studies": 1}  # one ESearch, no EFetch; one page
    assert second.documents == [] and second.figures == [] and second.extracted == 0
    pubmed, ctgov = second.sources
    assert pubmed.found == pubmed.skipped_stored and pubmed.fetched == 0
    assert ctgov.documents == {"unchanged": 1}  # the study of the watermark's own day, not rewritten
    with Store(db) as store:
        assert store.counts()["document_versions"] == PUBMED_TOTAL + CTGOV_TOTAL


@pytest.mark.parametrize("batch", [1, 3, 7, 25, 500])
def test_pulling_n_new_records_takes_at_most_ceil_n_over_batch_plus_two_requests(server, tmp_path, light_nlp, batch):
    report = run(server, tmp_path / "e.db", light_nlp, batch_size=batch, sources=("pubmed",))
    requests = server.count("esearch") + server.count("efetch")
    assert report.sources[0].fetched == PUBMED_TOTAL
    assert requests <= math.ceil(PUBMED_TOTAL / batch) + 2
    assert requests == 1 + math.ceil(PUBMED_TOTAL / batch)


def test_pubmed_is_incremental_by_entry_date(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    run(server, db, light_nlp, today=date(2015, 5, 8), sources=("pubmed",))
    search = server.seen[0].params
    assert (search["datetype"], search["mindate"], search["maxdate"]) == ("edat", "1800/01/01", "2015/05/08")
    with Store(db) as store:
        assert store.counts()["documents"] == 17  # 3 older records + 13 of 2015-05-07 + 1 of 2015-05-08
        assert get_watermark(store, "pubmed", _pubmed_key()).watermark == "2015/05/08"

    server.reset_log()
    second = run(server, db, light_nlp, today=date(2015, 5, 14), sources=("pubmed",))
    search, *fetches = server.seen
    assert (search.params["mindate"], search.params["maxdate"]) == ("2015/05/08", "2015/05/14")
    (pubmed,) = second.sources
    # The window holds the watermark's own day again (inclusive): its one record is skipped, not fetched.
    assert (pubmed.found, pubmed.skipped_stored, pubmed.fetched) == (7, 1, 6)
    assert [f.method for f in fetches] == ["POST", "POST"]  # ceil(6 / 4) id lists
    assert {d.doc_id for d in second.documents} == {
        "25970051",
        "25970050",
        "25970049",
        "25970010",
        "25970009",
        "25970008",
    }

    server.reset_log()
    third = run(server, db, light_nlp, today=TODAY, sources=("pubmed",))
    assert {d.doc_id for d in third.documents} == {"28775130", "29768149"}  # entered 2017 and 2018
    assert server.counts() == {"esearch": 1, "efetch": 1}


def _pubmed_key() -> str:
    from atc_mine.refreshing import pubmed_query_key

    _, queries = saved_queries()
    return pubmed_query_key(queries["atc"].pubmed)


def test_ctgov_is_incremental_by_last_update_date(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    server.hide(ncts=["NCT05013879", "NCT06927986"])  # updated 2024-02-23 and 2026-07-01: not yet there
    first = run(server, db, light_nlp, sources=("ctgov",))
    assert first.sources[0].watermark_after == "2022-11-21"
    assert "filter.advanced" not in server.seen[0].params

    server.restore()
    server.reset_log()
    second = run(server, db, light_nlp, sources=("ctgov",))
    assert server.seen[0].params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2022-11-21,MAX]"
    assert {(d.doc_id, d.status) for d in second.documents} == {("NCT05013879", "new"), ("NCT06927986", "new")}
    assert second.sources[0].documents == {"new": 2, "unchanged": 1}
    assert second.sources[0].watermark_after == "2026-07-01"
    assert server.count("studies") == math.ceil(3 / PAGE)


def test_a_changed_record_becomes_a_new_version_and_the_report_shows_the_changed_figure(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    run(server, db, light_nlp, sources=("ctgov",))
    # The registry posts a corrected value (an edit made by this test to the served record).
    server.studies["NCT02210780"] = orr_dupilumab(server.studies["NCT02210780"], value="85.0", updated="2026-08-01")
    report = run(server, db, light_nlp, sources=("ctgov",))
    assert [(d.doc_id, d.status, d.version) for d in report.documents] == [("NCT02210780", "updated", 2)]
    (change,) = report.figures
    assert (change.status, change.measure, change.before["percent"], change.after["percent"]) == (
        "changed",
        "ORR",
        83.3,
        85.0,
    )
    assert change.after["cohort"] == "Dupilumab 300 mg qw" and change.after["drugs"] == ["dupilumab"]
    with Store(db) as store:
        versions = store.document_versions("ctgov", "NCT02210780")
        assert [(v.version, v.document.source_version) for v in versions] == [(1, "2020-05-07"), (2, "2026-08-01")]
    markdown = report.files[1].read_text(encoding="utf-8")
    assert "| changed | ctgov | NCT02210780 | ORR | 83.3% (95% CI" not in markdown  # no CI posted for it
    assert (
        "| changed | ctgov | NCT02210780 | ORR | 83.3% [dupilumab; Dupilumab 300 mg qw; NCT02210780] | 85% ["
        in markdown
    )


def test_reports_are_written_as_json_and_markdown(server, tmp_path, light_nlp):
    import json

    report = run(server, tmp_path / "e.db", light_nlp, report_dir=tmp_path / "out")
    assert [p.name for p in report.files] == ["refresh-run1.json", "refresh-run1.md"]
    data = json.loads(report.files[0].read_text(encoding="utf-8"))
    assert data["counts"]["documents_new"] == PUBMED_TOTAL + CTGOV_TOTAL and data["status"] == "ok"
    assert {s["source"] for s in data["sources"]} == {"pubmed", "ctgov"}
    markdown = report.files[1].read_text(encoding="utf-8")
    assert markdown.startswith("# atc-mine refresh: what changed (run 1)")
    assert (
        "| new | pubmed | 25970050 | 1 | Randomized trial of TAS-102 for refractory metastatic colorectal cancer. |"
        in markdown
    )


def test_trials_and_publications_are_linked_both_ways(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    run(server, db, light_nlp)
    with Store(db) as store:
        assert [(r["nct_id"], r["via"]) for r in trials_of_publication(store, "25970050")] == [
            ("NCT01607957", "pubmed_databank")
        ]
        pubs = publications_of_trial(store, "NCT04523987")
        assert {(r["pmid"], r["reference_type"]) for r in pubs} == {("21994333", "RESULT"), ("28348497", "RESULT")}
        assert not any(r["stored"] for r in pubs)  # the evidence base does not hold those PMIDs


def test_fetch_stores_without_extracting_and_the_next_refresh_extracts_and_reports(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    settings = Settings(eutils_url=server.eutils_url, ctgov_url=server.ctgov_url, timeout_s=0.5)
    fetched = fetch_pubmed(db=db, query="x", settings=settings, batch_size=BATCH, retry=FAST, rate=1000, today=TODAY)
    assert fetched.counts()["documents_new"] == PUBMED_TOTAL and fetched.extracted == 0
    fetch_ctgov(db=db, nct_ids=["NCT02210780"], settings=settings, retry=FAST, rate=1000)
    with Store(db) as store:
        assert store.counts()["documents"] == PUBMED_TOTAL + 1
        assert store.conn.execute("SELECT count(*) FROM extractions").fetchone()[0] == 0
    report = run(server, db, light_nlp, query="x")
    assert report.extracted == PUBMED_TOTAL + CTGOV_TOTAL
    # What the fetches stored is reported by the refresh that extracted it.
    assert len(report.covers_runs) == 3 and len(report.documents) == PUBMED_TOTAL + CTGOV_TOTAL
    assert {(f.doc_id, f.measure) for f in report.figures} == {("NCT02210780", "ORR")}


def test_fetch_by_ids_posts_them_and_by_nct_asks_for_each_study(server, tmp_path):
    settings = Settings(eutils_url=server.eutils_url, ctgov_url=server.ctgov_url, timeout_s=0.5)
    db = tmp_path / "e.db"
    report = fetch_pubmed(db=db, ids=["23121403", "25970050"], settings=settings, retry=FAST, rate=1000)
    assert [(r.method, r.params["id"]) for r in server.seen] == [("POST", "23121403,25970050")]
    assert {d.doc_id for d in report.documents} == {"23121403", "25970050"}
    report = fetch_ctgov(db=db, nct_ids=["NCT05594173", "nct04523987"], settings=settings, retry=FAST, rate=1000)
    assert [r.endpoint for r in server.seen[1:]] == ["study", "study"]
    with Store(db) as store:
        assert get_watermark(store, "pubmed", "{}") is None and store.counts()["documents"] == 4


def test_modification_dates_fetch_known_records_again_and_do_not_rewrite_them(server, tmp_path, light_nlp):
    db = tmp_path / "e.db"
    run(server, db, light_nlp, sources=("pubmed",), datetype="mdat")
    server.reset_log()
    # (The local server filters every datetype by the entry dates it knows.)
    report = run(server, db, light_nlp, sources=("pubmed",), datetype="mdat", today=date(2019, 6, 1))
    assert server.seen[0].params["datetype"] == "mdat"
    assert report.sources[0].documents == {} and report.documents == []
    server.reset_log()
    run(server, db, light_nlp, sources=("pubmed",), datetype="mdat", today=date(2019, 6, 1))
    assert server.counts() == {"esearch": 1}  # nothing modified since the watermark day


def test_a_window_over_the_esearch_ceiling_is_halved(server, tmp_path, light_nlp, monkeypatch):
    refresh_module = importlib.import_module("atc_mine.refreshing")
    monkeypatch.setattr(refresh_module, "ESEARCH_MAX_IDS", 10)  # PubMed's is 10,000; the server holds 25
    report = run(server, tmp_path / "e.db", light_nlp, sources=("pubmed",))
    windows = [(w["mindate"], w["maxdate"], w["count"]) for w in report.sources[0].windows]
    assert sum(c for *_, c in windows) == PUBMED_TOTAL and len(windows) > 1
    # Halved until each window fits, or is one day (13 records were entered on 2015-05-07 alone).
    assert all(count <= 10 or low == high for low, high, count in windows)
    assert ("2015/05/07", "2015/05/07", 13) in windows
    assert [w[0] for w in windows] == sorted(w[0] for w in windows)  # oldest first: watermarks move forward
    assert report.sources[0].fetched == PUBMED_TOTAL


def test_the_full_pipeline_extracts_what_a_refresh_brings(server, tmp_path, nlp):
    report = run(server, tmp_path / "e.db", nlp)
    assert report.status == "ok" and report.extracted == PUBMED_TOTAL + CTGOV_TOTAL
    with Store(tmp_path / "e.db") as store:
        recourse = store.extraction(store.get_document("pubmed", "25970050").doc_pk)
    assert any(e.label == "NCT_ID" and e.norm == "NCT01607957" for e in recourse.entities)


# -- faults: survive with nothing lost or duplicated ------------------------------------------------
SURVIVABLE = [
    ("efetch", [Fault.ok(), Fault.http(429, retry_after="3")]),
    ("efetch", [Fault.http(500)]),
    ("efetch", [Fault.ok(), Fault.http(502)]),
    ("efetch", [Fault.ok(), Fault.ok(), Fault.http(503), Fault.http(503)]),
    ("efetch", [Fault.ok(), Fault.reset()]),
    ("efetch", [Fault.ok(), Fault.stall(0.8)]),
    ("efetch", [Fault.ok(), Fault.truncate()]),
    ("efetch", [Fault.ok(), Fault.short()]),
    ("efetch", [Fault.ok(), Fault.error_body("eutils_rate_limit_json_handwritten")]),
    ("efetch", [Fault.ok(), Fault.error_body("html_maintenance_handwritten")]),
    ("efetch", [Fault.ok(), Fault.error_body("eutils_history_expired_handwritten")]),
    ("esearch", [Fault.http(503, retry_after="1")]),
    ("esearch", [Fault.reset()]),
    ("esearch", [Fault.truncate()]),
    ("studies", [Fault.ok(), Fault.http(429, retry_after="2")]),
    ("studies", [Fault.http(503)]),
    ("studies", [Fault.ok(), Fault.reset()]),
    ("studies", [Fault.ok(), Fault.stall(0.8)]),
    ("studies", [Fault.ok(), Fault.error_body("ctgov_malformed_json_from_recording")]),
    ("studies", [Fault.ok(), Fault.truncate()]),
    ("studies", [Fault.ok(), Fault.expired_token()]),
]


def _fault_id(case) -> str:
    endpoint, faults = case
    last = faults[-1]
    return f"{endpoint}-{last.kind}-{last.status if last.kind == 'status' else last.body or ''}".rstrip("-")


@pytest.mark.parametrize("case", SURVIVABLE, ids=[_fault_id(c) for c in SURVIVABLE])
def test_the_refresh_survives(server, tmp_path, light_nlp, clean, case):
    endpoint, faults = case
    server.inject(endpoint, *faults)
    report = run(server, tmp_path / "e.db", light_nlp)
    assert server.pending_faults() == 0, "every fault was met"
    assert report.status == "ok"
    assert snapshot(tmp_path / "e.db") == clean  # nothing lost, nothing duplicated
    # The fetch log counts every request a batch took, retries included.
    with Store(tmp_path / "e.db") as store:
        log = fetch_log(store)
    counts = server.counts()
    assert sum(r["requests"] for r in log if r["source"] == "ctgov") == counts["studies"]
    logged = sum(r["requests"] for r in log if r["source"] == "pubmed")
    assert counts["efetch"] <= logged <= counts["efetch"] + counts["esearch"] - 1  # + a search made again


# -- faults: stop with a clear error, nothing half-written, resume --------------------------------
STOPPING = [
    (
        "efetch",
        [Fault.ok(), Fault.ok()] + [Fault.http(503)] * 4,
        UpstreamError,
        "E-utilities efetch.fcgi: HTTP 503 after 4 attempts",
    ),
    (
        "efetch",
        [Fault.ok()] + [Fault.reset()] * 4,
        SourceError,
        "E-utilities efetch.fcgi: connection reset after 4 attempts",
    ),
    (
        "efetch",
        [Fault.ok()] + [Fault.error_body("eutils_rate_limit_json_handwritten")] * 4,
        RateLimited,
        "API rate limit exceeded",
    ),
    ("efetch", [Fault.http(429, retry_after="86400")], RateLimited, "server asks to wait 86400 s"),
    (
        "efetch",
        [Fault.ok(), Fault.error_body("eutils_error_recorded")],
        UpstreamError,
        "Neither query_key nor id specified",
    ),
    (
        "efetch",
        [Fault.ok()] + [Fault.error_body("eutils_history_expired_handwritten")] * 3,
        UpstreamError,
        "Unable to obtain query #1",
    ),
    ("esearch", [Fault.error_body("eutils_epost_error_recorded")], UpstreamError, "Invalid db name specified: nothing"),
    (
        "studies",
        [Fault.ok()] + [Fault.http(503)] * 4,
        UpstreamError,
        "ClinicalTrials.gov studies: HTTP 503 after 4 attempts",
    ),
    (
        "studies",
        [Fault.ok()] + [Fault.error_body("ctgov_malformed_json_from_recording")] * 4,
        UpstreamError,
        "malformed JSON",
    ),
    # One study per page: every restart from the watermark meets the same first page, so no progress
    # is made and the fourth refused token ends the run (with two per page the restarts get through).
    ("studies", [Fault.ok()] + [Fault.expired_token()] * 4, PageTokenExpired, "pageToken refused", {"page_size": 1}),
]


@pytest.mark.parametrize(
    "case",
    STOPPING,
    ids=[
        f"{c[0]}-{c[1][-1].kind}-{c[1][-1].status if c[1][-1].kind == 'status' else c[1][-1].body or ''}"
        for c in STOPPING
    ],
)
def test_the_refresh_stops_cleanly_and_resumes(server, tmp_path, light_nlp, clean, case):
    endpoint, faults, error, message, *options = case
    kwargs = options[0] if options else {}
    page = kwargs.get("page_size", PAGE)
    db = tmp_path / "e.db"
    server.inject(endpoint, *faults)
    with pytest.raises(error) as info:
        run(server, db, light_nlp, **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert server.pending_faults() == 0

    stored = snapshot(db)
    with Store(db) as store:
        (failed_run,) = store.runs()
        assert failed_run["status"] == "failed" and message in failed_run["counts"]["error"]
        log = fetch_log(store)
        assert log[-1]["status"] == "failed" and message in log[-1]["error"]
        committed = [row for row in log if row["status"] == "ok"]
        by_source = {s: [r for r in committed if r["source"] == s] for s in ("pubmed", "ctgov")}
        # Whole batches only: every stored document came with a logged batch and its extraction.
        pubmed_docs = [d for d in stored["documents"] if d[0] == "pubmed"]
        assert len(pubmed_docs) == sum(r["documents"] for r in by_source["pubmed"])
        assert all(r["documents"] == BATCH for r in by_source["pubmed"][:-1])
        ctgov_docs = [d for d in stored["documents"] if d[0] == "ctgov"]
        # (A restarted search fetches the watermark's own day again: logged twice, stored once.)
        assert len(ctgov_docs) <= sum(r["documents"] for r in by_source["ctgov"])
        assert all(r["documents"] <= page for r in by_source["ctgov"])
        assert len(stored["extractions"]) == len(stored["documents"])
        if endpoint in {"efetch", "esearch"}:
            mark = get_watermark(store, "pubmed", _pubmed_key())
            assert mark is None or mark.watermark is None  # the window did not finish: no watermark move
            assert not [d for d in stored["documents"] if d[0] == "ctgov"]  # stopped before ClinicalTrials.gov

    report = run(server, db, light_nlp)  # the faults are used up: the next run finishes the job
    assert report.status == "ok"
    assert snapshot(db) == clean
    assert report.covers_runs == [1, 2]  # and reports what the failed run stored too
    assert len(report.documents) == PUBMED_TOTAL + CTGOV_TOTAL


# -- kill -9 ---------------------------------------------------------------------------------------
def _documents_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created or not migrated yet


def test_kill_9_mid_refresh_then_a_rerun_equals_an_uninterrupted_run(server, tmp_path, light_nlp, clean):
    db = tmp_path / "killed.db"
    server.delay_s = 0.1  # a slow server, so the kill lands mid-way
    process = subprocess.Popen(
        [
            sys.executable,
            str(RUNNER),
            str(db),
            server.eutils_url,
            server.ctgov_url,
            TODAY.isoformat(),
            str(BATCH),
            str(PAGE),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60  # a guard against a hung child, not a timing assertion
        while _documents_in(db) < 2 * BATCH and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, f"the refresh ended before it could be killed: {process.stderr.read()!r}"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    stored = _documents_in(db)
    assert 2 * BATCH <= stored < PUBMED_TOTAL + CTGOV_TOTAL
    assert stored % BATCH == 0 or stored >= PUBMED_TOTAL  # whole PubMed batches only

    server.delay_s = 0.0
    server.reset_log()
    report = run(server, db, light_nlp)
    assert snapshot(db) == clean
    # The re-run fetched only what the killed run had not committed.
    if stored < PUBMED_TOTAL:
        assert report.sources[0].skipped_stored == stored
        assert server.count("efetch") == math.ceil((PUBMED_TOTAL - stored) / BATCH)
    # Its report covers the killed run too: the same documents as an uninterrupted run reports.
    with Store(db) as store:
        assert [r["status"] for r in store.runs()] == ["running", "ok"]
    assert len(report.documents) == PUBMED_TOTAL + CTGOV_TOTAL


# -- the command line -------------------------------------------------------------------------------
def test_cli_refresh_fetch_and_a_one_line_error(server, tmp_path, monkeypatch, capsys):
    from atc_mine.cli import main

    monkeypatch.setenv("ATC_MINE_EUTILS_URL", server.eutils_url)
    monkeypatch.setenv("ATC_MINE_CTGOV_URL", server.ctgov_url)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    db = tmp_path / "cli.db"
    assert main(["fetch", "pubmed", "--id", "23121403,25970050", "--db", str(db)]) == 0
    assert main(["fetch", "ctgov", "--nct", "NCT02210780", "--db", str(db), "--report-dir", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "pubmed: 2 found" in out and "ctgov: 1 found" in out
    assert (tmp_path / "r" / "fetch-ctgov-run2.md").exists()

    server.inject("esearch", Fault.error_body("eutils_error_recorded"))
    assert main(["refresh", "--db", str(db), "--query", "anaplastic thyroid", "--source", "pubmed"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith(
        "atc-mine: error: E-utilities esearch.fcgi: Neither query_key nor id specified (http://127.0.0.1:"
    )


def test_cli_refresh_runs_against_a_mirror_url(server, tmp_path, capsys):
    from atc_mine.cli import main

    db = tmp_path / "cli.db"
    args = ["refresh", "--db", str(db), "--eutils-url", server.eutils_url, "--ctgov-url", server.ctgov_url]
    assert main([*args, "--source", "ctgov", "--page-size", "100"]) == 0
    out = capsys.readouterr().out
    assert "ctgov: 5 found, 0 already stored, 5 fetched (5 new" in out
    assert f"report: {tmp_path / 'reports' / 'refresh-run1.md'}" in out
    assert server.count("studies") == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["fetch", "pubmed", "--db", ":memory:"], "give either --query or --id"),
        (["fetch", "ctgov", "--db", ":memory:"], "give a search"),
        (["refresh", "--db", ":memory:", "--saved", "nope"], "no saved query 'nope'"),
        (["refresh", "--db", ":memory:", "--source", "embase"], "unknown sources"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    from atc_mine.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err


def test_every_fetch_subcommand_has_help(capsys):
    from atc_mine.cli import main

    for argv in (
        ["fetch", "--help"],
        ["fetch", "pubmed", "--help"],
        ["fetch", "ctgov", "--help"],
        ["refresh", "--help"],
    ):
        assert main(argv) == 0
    assert "Usage: atc-mine fetch ctgov" in capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "atc-mine fetch pubmed" in readme and "atc-mine fetch ctgov" in readme and "atc-mine refresh" in readme


# -- pieces -----------------------------------------------------------------------------------------
def test_saved_queries_file():
    default, queries = saved_queries()
    assert default == "atc"
    atc = queries["atc"]
    assert "anaplastic thyroid" in atc.pubmed and atc.ctgov.cond


def test_figure_changes_match_by_what_a_figure_is_about():
    def fig(**kw) -> OutcomeFigure:
        base = {"measure": "ORR", "sentence": "s", "start": 0, "end": 1, "percent": 33.0, "drugs": ("lenvatinib",)}
        return OutcomeFigure(**(base | kw))

    same_elsewhere = figure_changes("pubmed", "1", [fig()], [fig(start=50, end=60, sentence="moved")])
    assert same_elsewhere == []  # an edit elsewhere in the text moves the sentence, not the figure
    changed = figure_changes("pubmed", "1", [fig()], [fig(percent=24.0)])
    assert [(c.status, c.before["percent"], c.after["percent"]) for c in changed] == [("changed", 33.0, 24.0)]
    added = figure_changes(
        "pubmed", "1", [fig()], [fig(), fig(measure="PFS_MEDIAN", percent=None, value=7.4, unit="months")]
    )
    assert [(c.status, c.measure) for c in added] == [("new", "PFS_MEDIAN")]
    removed = figure_changes("pubmed", "1", [fig()], [])
    assert [c.status for c in removed] == ["removed"]


def test_bench_script_returns_request_counts():
    sys.path.insert(0, str(ROOT))
    from bench.refresh_requests import refresh_request_counts

    counts = refresh_request_counts(batch_size=10, page_size=2)
    assert counts["first refresh"]["pubmed"] == {"efetch.fcgi": 3, "esearch.fcgi": 1}  # 23 records
    assert counts["first refresh"]["fetched"] == {"pubmed": 23, "ctgov": 3}
    assert counts["nothing new"]["pubmed"] == {"esearch.fcgi": 1} and counts["nothing new"]["ctgov"] == {"studies": 1}
    assert counts["new records arrive"]["pubmed"] == {"efetch.fcgi": 1, "esearch.fcgi": 1}
