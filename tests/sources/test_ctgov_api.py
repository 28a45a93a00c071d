"""The ClinicalTrials.gov API v2 client and the posted-results mapping, on recorded real records.

Studies served by tests/testserver.py are the recorded v2 records of corpora/ctgov/; the page
envelope and page tokens are the server's, in the recorded /studies page's shape. Posted
results are checked on the recorded legacy XML of CheckMate 017 (NCT01642004) and of the
nelfinavir trial (NCT01065844), the only oncology records with results in corpora/; the v2 path
on the recorded dupilumab record, once as it is (nothing maps: negatives) and once with one
outcome title changed by the test (said where it happens).
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from atc_mine.errors import PatternFileError, UpstreamError
from atc_mine.sources.ctgov import iter_ctgov_json_documents, iter_ctgov_legacy_documents, restore_posted_outcomes
from atc_mine.sources.ctgov_api import CtgovClient, CtgovQuery, PageTokenExpired, updated_since_filter
from atc_mine.sources.ctgov_results import load_rules, parse_rules, v2_posted_outcomes, value_kind
from atc_mine.sources.http import RateLimiter
from tests.testserver import Fault

CHECKMATE_017 = "ctgov/legacy-xml_NCT01642004_CheckMate017-nivolumab-NSCLC_with-results_2018-05.xml"
NELFINAVIR = "ctgov/legacy-xml_NCT01065844_nelfinavir-adenoid-cystic-HN_with-results_2018-05.xml"
DUPILUMAB = "ctgov/v2-study_NCT02210780_dupilumab_with-results.json"


@pytest.fixture()
def ctgov(local_sources, fast_retry):
    with CtgovClient(
        base_url=local_sources.ctgov_url, retry=fast_retry, limiter=RateLimiter(1000), page_size=2, timeout=2.0
    ) as client:
        yield client


# -- paging ------------------------------------------------------------------------------------
def test_pages_follow_next_page_token_to_the_end(local_sources, ctgov):
    pages = list(ctgov.iter_pages(CtgovQuery(cond="anaplastic thyroid cancer")))
    assert [[d.doc_id for d in p.documents] for p in pages] == [
        ["NCT02210780", "NCT04523987"],
        ["NCT05594173", "NCT05013879"],
        ["NCT06927986"],
    ]
    assert pages[0].total_count == 5 and pages[1].total_count is None
    assert pages[-1].next_page_token is None
    first, *rest = [r.params for r in local_sources.seen]
    assert first == {
        "query.cond": "anaplastic thyroid cancer",
        "format": "json",
        "sort": "LastUpdatePostDate:asc",
        "pageSize": "2",
        "countTotal": "true",
    }
    # Every later page repeats the first page's parameters except countTotal, pageSize, pageToken.
    for params in rest:
        assert {k: v for k, v in params.items() if k != "pageToken"} == {
            k: v for k, v in first.items() if k != "countTotal"
        }
        assert params["pageToken"]


def test_updated_since_becomes_a_last_update_range(local_sources, ctgov):
    pages = list(ctgov.iter_pages(CtgovQuery(term="thyroid"), updated_since=date(2022, 11, 21)))
    assert [d.doc_id for p in pages for d in p.documents] == ["NCT05594173", "NCT05013879", "NCT06927986"]
    assert local_sources.seen[0].params["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2022-11-21,MAX]"
    assert pages[0].last_update == "2024-02-23"


def test_a_users_advanced_filter_is_kept_beside_the_range(ctgov):
    params = ctgov.search_params(CtgovQuery(cond="ATC", advanced="AREA[Phase]PHASE2"), updated_since="2024-01-01")
    assert params["filter.advanced"] == "(AREA[Phase]PHASE2) AND AREA[LastUpdatePostDate]RANGE[2024-01-01,MAX]"


def test_the_recorded_page_is_read_and_its_token_followed(local_sources, ctgov):
    # The real page's token was issued by the real API, so this server refuses it (HTTP 400).
    local_sources.inject("studies", Fault.error_body("ctgov_studies_page_recorded"))
    pages = ctgov.iter_pages(CtgovQuery(cond="lung cancer"))
    first = next(pages)
    assert [d.doc_id for d in first.documents] == ["NCT05363319", "NCT05403554", "NCT06461156"]
    assert first.next_page_token == "ZVNj7o2Elu8o3lp3WNj7seytmpOQJJxmYPWt0A"
    with pytest.raises(PageTokenExpired, match="pageToken refused"):
        next(pages)
    assert local_sources.seen[-1].params["pageToken"] == "ZVNj7o2Elu8o3lp3WNj7seytmpOQJJxmYPWt0A"


def test_an_expired_page_token_is_its_own_error_and_not_retried(local_sources, ctgov):
    local_sources.inject("studies", Fault.expired_token())
    with pytest.raises(PageTokenExpired) as info:
        list(ctgov.iter_pages(CtgovQuery(cond="x")))
    assert info.value.status == 400 and "\n" not in str(info.value)
    assert local_sources.count("studies") == 2  # the first page, then the refused token once


def test_a_400_without_a_page_token_is_a_plain_upstream_error(local_sources, ctgov):
    local_sources.inject("studies", Fault.http(400, body="ctgov_page_token_handwritten"))
    with pytest.raises(UpstreamError) as info:
        ctgov.studies_page(CtgovQuery(cond="x"))
    assert not isinstance(info.value, PageTokenExpired)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.error_body("ctgov_malformed_json_from_recording"),
        Fault.truncate(),
        Fault.error_body("html_maintenance_handwritten"),
        Fault.http(503, retry_after="1"),
        Fault.reset(),
    ],
    ids=["malformed-json", "truncated", "html", "503", "reset"],
)
def test_damaged_pages_are_fetched_again(local_sources, ctgov, fault):
    local_sources.inject("studies", fault)
    page = ctgov.studies_page(CtgovQuery(cond="x"))
    assert [d.doc_id for d in page.documents] == ["NCT02210780", "NCT04523987"]
    assert local_sources.count("studies") == 2


def test_a_json_error_object_is_an_upstream_error(local_sources, ctgov):
    local_sources.inject("studies", Fault.error_body("ctgov_error_json_handwritten"))
    with pytest.raises(UpstreamError, match="Internal Server Error"):
        ctgov.studies_page(CtgovQuery(cond="x"))


def test_one_study_and_a_missing_one(local_sources, ctgov):
    doc = ctgov.study("nct02210780")
    assert doc.doc_id == "NCT02210780" and doc.source == "ctgov"
    assert local_sources.seen[-1].endpoint == "study"
    with pytest.raises(UpstreamError, match="HTTP 404") as info:
        ctgov.study("NCT99999999")
    assert info.value.status == 404
    with pytest.raises(ValueError, match="not an NCT ID"):
        ctgov.study("ISRCTN12345678")


def test_a_query_needs_something_to_search_for():
    with pytest.raises(ValueError, match="needs query.cond"):
        CtgovQuery()
    with pytest.raises(ValueError, match="not an ISO date"):
        updated_since_filter("2024/01/01")
    assert CtgovQuery(cond="  anaplastic   thyroid ").key() == '{"query.cond": "anaplastic thyroid"}'


# -- posted results -> outcome figures ----------------------------------------------------------
def figures(doc, measure):
    return [f for f in doc.posted_outcomes if f.measure == measure]


def test_checkmate_017_posted_results(corpora):
    (doc,) = iter_ctgov_legacy_documents(corpora / CHECKMATE_017)
    os_primary = [f for f in figures(doc, "OS_MEDIAN") if f.ci == (7.33, 13.27)]
    (nivolumab,) = os_primary
    assert (nivolumab.value, nivolumab.unit, nivolumab.denominator) == (9.23, "months", 135)
    assert nivolumab.drugs == ("nivolumab",) and nivolumab.cohort == "Nivolumab" and nivolumab.trial == "NCT01642004"
    assert nivolumab.start == nivolumab.end == 0  # not in the text: a registry row
    assert nivolumab.sentence.startswith(
        "Overall Survival (OS) Time in Months for All Randomized Participants at Primary"
    )
    orr = {f.cohort: f for f in figures(doc, "ORR") if f.subgroup is None}
    assert (orr["Nivolumab"].percent, orr["Nivolumab"].ci) == (20.0, (13.6, 27.7))
    assert (orr["Docetaxel"].percent, orr["Docetaxel"].drugs) == (8.8, ("docetaxel",))
    rates = {(f.cohort, f.timepoint): f.percent for f in figures(doc, "OS_RATE")}
    assert rates[("Nivolumab", "12 months")] == 42.2 and rates[("Docetaxel", "18 months")] == 12.5
    assert {(f.cohort, f.timepoint) for f in figures(doc, "PFS_RATE")} >= {("Nivolumab", "6 months")}


def test_a_median_not_reached_is_marked_not_dropped(corpora):
    (doc,) = iter_ctgov_legacy_documents(corpora / CHECKMATE_017)
    dor = {f.cohort: f for f in figures(doc, "DOR_MEDIAN")}
    # "Median DOR was not reached in the Nivolumab group" (value NA in the record).
    assert dor["Nivolumab"].not_reached and dor["Nivolumab"].value is None
    assert dor["Docetaxel"].value == 8.41 and not dor["Docetaxel"].not_reached


def test_an_open_upper_limit_gives_no_interval(corpora):
    (doc,) = iter_ctgov_legacy_documents(corpora / CHECKMATE_017)
    (row,) = [
        f
        for f in figures(doc, "OS_MEDIAN")
        if f.subgroup and f.subgroup.startswith("PD-L1 not") and f.cohort == "Nivolumab"
    ]
    assert row.value == 9.41 and row.ci is None  # "Upper CI not reached"


def test_subgroups_keep_their_title_and_take_no_foreign_denominator(corpora):
    (doc,) = iter_ctgov_legacy_documents(corpora / CHECKMATE_017)
    pdl1 = [f for f in figures(doc, "ORR") if f.subgroup]
    assert {f.subgroup for f in pdl1} == {
        "PD-L1 expression >= 5% (n=42,39)",
        "PD-L1 expression < 5% (n=75,69)",
        "PD-L1 not quantifiable at baseline (n=18,29)",
    }
    assert all(f.denominator is None for f in pdl1)


def test_measures_no_rule_maps_give_no_figure(corpora):
    (doc,) = iter_ctgov_legacy_documents(corpora / CHECKMATE_017)
    sentences = " ".join(f.sentence for f in doc.posted_outcomes)
    assert "Time To Response" not in sentences  # a median in months, but not one of the contract's
    assert "Symptom Improvement" not in sentences and "Number of Deaths" not in sentences
    (dupilumab,) = iter_ctgov_json_documents(corpora / DUPILUMAB)
    assert dupilumab.metadata["has_results"] and dupilumab.posted_outcomes == ()


def test_a_best_response_table_becomes_cr_pr_sd_pd(corpora):
    (doc,) = iter_ctgov_legacy_documents(corpora / NELFINAVIR)
    table = {f.measure: (f.count, f.denominator) for f in doc.posted_outcomes}
    # Outcome "Tumor Progression", rows "Complete reponse (CR)" (sic), "Partial response (PR)", ...
    assert table == {"CR": (0, 11), "PR": (0, 11), "SD": (7, 11), "PD": (4, 11)}
    assert {f.drugs for f in doc.posted_outcomes} == {("nelfinavir",)}


def test_v2_results_structure_through_the_same_rules(corpora):
    study = json.loads((corpora / DUPILUMAB).read_bytes().decode("utf-8"))
    # Changed by this test, not recorded: the first outcome measure's title (a vaccine response
    # percentage) renamed to an objective response rate, to drive a real v2 resultsSection
    # (groups, denoms, classes) through the ORR rule.
    edited = copy.deepcopy(study)
    edited["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["title"] = "Objective Response Rate (ORR)"
    orr = {f.cohort: f for f in v2_posted_outcomes(edited, "NCT02210780")}
    assert (orr["Dupilumab 300 mg qw"].percent, orr["Dupilumab 300 mg qw"].denominator) == (83.3, 90)
    assert orr["Dupilumab 300 mg qw"].drugs == ("dupilumab",)
    assert orr["Placebo qw"].percent == 83.7 and orr["Placebo qw"].drugs == ()  # placebo is no regimen
    assert v2_posted_outcomes(study, "NCT02210780") == ()  # as recorded: nothing maps


def test_posted_figures_survive_storage(corpora, store):
    (doc,) = iter_ctgov_legacy_documents(corpora / NELFINAVIR)
    store.upsert_document(doc)
    stored = store.get_document("ctgov", "NCT01065844").document
    assert stored.posted_outcomes == ()
    assert restore_posted_outcomes(stored).posted_outcomes == doc.posted_outcomes


# -- the rules file ------------------------------------------------------------------------------
RULES = load_rules()


@pytest.mark.parametrize("rule", RULES.measure_rules, ids=lambda r: r.id)
def test_every_measure_rule_on_its_examples(rule):
    assert rule.examples, "every rule needs examples"
    for example in rule.examples:
        found = RULES.measure_for(example["title"], example["param"], example["unit"])
        assert found is not None and found.measure == rule.measure, example
    for counter in rule.counter_examples:
        found = RULES.measure_for(counter["title"], counter["param"], counter["unit"])
        assert found is None or found.measure != rule.measure, counter


@pytest.mark.parametrize("rule", RULES.category_rules, ids=lambda r: r.id)
def test_every_category_rule_on_its_examples(rule):
    for example in rule.examples:
        assert RULES.category_for(example).measure == rule.measure, example
    for counter in rule.counter_examples:
        found = RULES.category_for(counter)
        assert found is None or found.measure != rule.measure, counter


def test_value_kinds():
    assert value_kind("MEDIAN", "months") == "time"
    assert value_kind("Median", "Weeks") == "time"
    assert value_kind("MEAN", "months") is None  # a mean is not a median
    assert value_kind("NUMBER", "percentage of participants") == "proportion"
    assert value_kind("COUNT_OF_PARTICIPANTS", "Participants") == "proportion"
    assert value_kind("LEAST_SQUARES_MEAN", "Units on a scale") is None


def test_the_rules_file_has_a_closed_schema():
    raw = '{\n "schema": "atc-mine/ctgov-outcome-measures/1",\n "measure_rules": [\n  {"id": "x", "measure": "ORR", "value_kind": "proportion", "synonyms": ["a"], "colour": "red"}\n ]\n}'
    with pytest.raises(PatternFileError, match=r"rules.json:4: rule 'x' has unknown keys \['colour'\]"):
        parse_rules(raw, source="rules.json")
    with pytest.raises(PatternFileError, match="unknown measure 'RR'"):
        parse_rules(raw.replace('"ORR"', '"RR"').replace(', "colour": "red"', ""), source="rules.json")
    with pytest.raises(PatternFileError, match="schema must be"):
        parse_rules('{"schema": "other"}', source="rules.json")
