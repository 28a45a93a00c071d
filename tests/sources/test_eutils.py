"""The E-utilities client on recorded real answers served by the misbehaving local server.

The articles are the real PubmedArticle records of corpora/ (tests/testserver.py); esearch
answers are either the real recorded ones served as they are or built by the server in their
recorded shape (its docstring says which parts are made up: WebEnv values, the ID selection).
"""

from __future__ import annotations

import math

import pytest

from atc_mine.errors import RateLimited, UpstreamError
from atc_mine.sources.eutils import (
    RATE_WITH_KEY,
    RATE_WITHOUT_KEY,
    EutilsClient,
    HistoryExpired,
    eutils_date,
)
from atc_mine.sources.http import RateLimiter
from tests.testserver import Fault


@pytest.fixture()
def eutils(local_sources, fast_retry):
    with EutilsClient(
        base_url=local_sources.eutils_url,
        email="curator@example.org",
        retry=fast_retry,
        limiter=RateLimiter(1000),
        batch_size=4,
        timeout=2.0,
    ) as client:
        yield client


def test_esearch_asks_for_the_history_server_and_identifies_the_tool(local_sources, eutils):
    result = eutils.esearch('"anaplastic thyroid"[tiab]', mindate="2015/05/07", maxdate="2015/05/08")
    (seen,) = local_sources.seen
    assert seen.method == "GET" and seen.endpoint == "esearch"
    assert seen.params == {
        "db": "pubmed",
        "tool": "atc-mine",
        "email": "curator@example.org",
        "term": '"anaplastic thyroid"[tiab]',
        "usehistory": "y",
        "retstart": "0",
        "retmax": "10000",
        "datetype": "edat",
        "mindate": "2015/05/07",
        "maxdate": "2015/05/08",
    }
    assert "api_key" not in seen.params
    # 13 NEJM records entered 2015-05-07 and one on 2015-05-08 (their own PubMedPubDate[@PubStatus="entrez"]).
    assert result.count == 14 and len(result.ids) == 14 and result.ids_complete
    assert result.webenv and result.query_key == "1"
    assert result.ids[0] == "25950269"  # most recent entry first, as PubMed sorts


def test_the_api_key_is_sent_and_raises_the_rate(local_sources):
    with EutilsClient(base_url=local_sources.eutils_url, api_key="MY-KEY", limiter=RateLimiter(1000)) as client:
        client.esearch("x")
    assert local_sources.seen[-1].params["api_key"] == "MY-KEY"
    # The shared limiter's rate follows the key: NBK25497's 10 requests/s with one, 3 without.
    with EutilsClient(base_url=local_sources.eutils_url, api_key="MY-KEY") as keyed:
        assert keyed.http.limiter.rate == RATE_WITH_KEY
    with EutilsClient(base_url=local_sources.eutils_url) as anonymous:
        assert anonymous.http.limiter.rate == RATE_WITHOUT_KEY
        assert anonymous.http.limiter is keyed.http.limiter  # one limiter per service, shared


def test_recorded_esearch_with_history(local_sources, eutils):
    local_sources.inject("esearch", Fault.error_body("eutils_esearch_recorded_cancer"))
    result = eutils.esearch("cancer", mindate="2025/09/27", maxdate="2025/11/26")
    assert result.count == 42249
    assert len(result.ids) == 100 and not result.ids_complete
    assert result.webenv == "MCID_6927d6e7fee3e90f880ec190" and result.query_key == "1"
    assert result.query_translation.endswith("AND 2025/09/27:2025/11/26[Date - Entry]")


def test_phrase_not_found_is_a_warning_not_an_error(local_sources, eutils):
    local_sources.inject("esearch", Fault.error_body("eutils_esearch_recorded_no_hits"))
    result = eutils.esearch("abcXYZ")
    assert result.count == 0 and result.ids == ()
    assert result.warnings == ("PhraseNotFound: abcXYZ", "OutputMessage: No items found.")
    assert list(eutils.fetch_batches(result)) == []
    assert local_sources.count("efetch") == 0


@pytest.mark.parametrize("recorded", ["eutils_error_recorded", "eutils_epost_error_recorded"])
def test_an_error_element_sent_with_200_is_an_upstream_error_and_not_retried(local_sources, eutils, recorded):
    local_sources.inject("esearch", Fault.error_body(recorded))
    with pytest.raises(UpstreamError) as info:
        eutils.esearch("x")
    message = str(info.value)
    assert message.startswith("E-utilities esearch.fcgi: ") and "\n" not in message
    assert ("Neither query_key nor id specified" in message) or ("Invalid db name specified: nothing" in message)
    assert local_sources.count("esearch") == 1


def test_the_rate_limit_json_sent_with_200_is_retried(local_sources, eutils):
    local_sources.inject("efetch", Fault.error_body("eutils_rate_limit_json_handwritten"))
    (doc,) = eutils.efetch_ids(["23121403"])
    assert doc.doc_id == "23121403"
    assert eutils.stats.retries == {"API rate limit exceeded": 1}


def test_the_rate_limit_json_until_retries_run_out_is_rate_limited(local_sources, eutils):
    local_sources.inject("efetch", *[Fault.error_body("eutils_rate_limit_json_handwritten")] * 4)
    with pytest.raises(RateLimited, match="API rate limit exceeded .*after 4 attempts"):
        eutils.efetch_ids(["23121403"])


@pytest.mark.parametrize(
    "fault",
    [Fault.error_body("html_maintenance_handwritten"), Fault.truncate(0.6), Fault.truncate(0.999), Fault.short()],
    ids=["html-page", "truncated-xml", "truncated-last-bytes", "cut-connection"],
)
def test_bodies_that_are_not_whole_xml_are_fetched_again(local_sources, eutils, fault):
    result = eutils.esearch("x", mindate="2015/05/14", maxdate="2015/05/14")
    local_sources.inject("efetch", fault)
    documents = eutils.efetch_history(result, retstart=0, retmax=6)
    assert sorted(d.doc_id for d in documents) == sorted(result.ids)
    assert local_sources.count("efetch") == 2


def test_an_expired_webenv_is_its_own_error(local_sources, eutils):
    result = eutils.esearch("x")
    local_sources.expire_history()
    with pytest.raises(HistoryExpired, match="Unable to obtain query #1"):
        eutils.efetch_history(result, retstart=0)


def test_history_batches_use_retstart_and_retmax(local_sources, eutils):
    result = eutils.esearch("x")
    batches = list(eutils.fetch_batches(result))
    assert [b.retstart for b in batches] == [0, 4, 8, 12, 16, 20, 24]
    assert sum(len(b.documents) for b in batches) == 25 == result.count
    efetches = [r for r in local_sources.seen if r.endpoint == "efetch"]
    assert [(r.params["retstart"], r.params["retmax"]) for r in efetches][:2] == [("0", "4"), ("4", "4")]
    assert all(r.params["WebEnv"] == result.webenv and r.params["query_key"] == "1" for r in efetches)
    assert len(efetches) == math.ceil(25 / 4)


def test_known_pmids_are_skipped_and_the_rest_fetched_by_post(local_sources, eutils):
    result = eutils.esearch("x", mindate="2015/05/07", maxdate="2015/05/14")
    known = set(result.ids[:10])
    batches = list(eutils.fetch_batches(result, skip=known))
    fetched = [d.doc_id for b in batches for d in b.documents]
    assert sorted(fetched) == sorted(set(result.ids) - known)
    efetches = [r for r in local_sources.seen if r.endpoint == "efetch"]
    assert {r.method for r in efetches} == {"POST"}  # NBK25497: POST for id lists
    assert len(efetches) == math.ceil(len(fetched) / 4)
    assert all("id" in r.params and "WebEnv" not in r.params for r in efetches)


def test_everything_known_means_no_efetch(local_sources, eutils):
    result = eutils.esearch("x", mindate="2015/05/07", maxdate="2015/05/14")
    assert list(eutils.fetch_batches(result, skip=result.ids)) == []
    assert local_sources.count("efetch") == 0


def test_pmids_that_do_not_come_back_are_reported(local_sources, eutils):
    (batch,) = list(eutils.fetch_ids(["23121403", "99999999"]))
    assert [d.doc_id for d in batch.documents] == ["23121403"]
    assert batch.missing == ("99999999",)


def test_fetched_records_are_parsed_like_files(local_sources, eutils):
    docs = {d.doc_id: d for d in eutils.efetch_ids(["25970050", "23121403"])}
    recourse = docs["25970050"]
    assert recourse.metadata["databank_nct_ids"] == ["NCT01607957"]
    assert [s.label for s in recourse.sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert docs["23121403"].title == "Low-dose aspirin for preventing recurrent venous thromboembolism."


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tool": "atc mine"}, "without spaces"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 10_001}, "batch_size"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EutilsClient(**kwargs)


def test_a_date_range_needs_both_ends(eutils):
    with pytest.raises(ValueError, match="go together"):
        eutils.esearch("x", mindate="2020/01/01")


def test_dates_in_eutils_form():
    from datetime import date

    assert eutils_date(date(2025, 1, 31)) == "2025/01/31"
    assert eutils_date("2025-01-31") == "2025/01/31"
    assert eutils_date(None) is None


def test_a_long_search_term_goes_by_post(local_sources, eutils):
    term = " OR ".join(f'"synonym {i}"[tiab]' for i in range(120))  # a long saved query (~2,500 characters)
    result = eutils.esearch(term)
    (seen,) = local_sources.seen
    assert seen.method == "POST" and seen.params["term"] == term and seen.params["usehistory"] == "y"
    assert result.count == 25
