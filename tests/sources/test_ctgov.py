"""ClinicalTrials.gov parsing on recorded real API v2 JSON and legacy XML."""

from __future__ import annotations

import json

import pytest

from atc_mine.errors import RecordParseError
from atc_mine.sources.ctgov import iter_ctgov_json_documents, iter_ctgov_legacy_documents, parse_ctgov_json


def test_v2_single_study_with_results(corpora):
    (doc,) = iter_ctgov_json_documents(corpora / "ctgov/v2-study_NCT02210780_dupilumab_with-results.json")
    assert doc.doc_id == "NCT02210780"
    assert doc.source == "ctgov"
    assert doc.metadata["has_results"] is True
    assert doc.metadata["overall_status"] == "COMPLETED"
    assert doc.source_version == "2020-05-07"
    assert doc.text.startswith(doc.title + "\n\n")


def test_v2_compact_raw_record_keeps_unicode(corpora):
    (doc,) = iter_ctgov_json_documents(
        corpora / "ctgov/v2-study_NCT06927986_SYS6010-EGFR-NSCLC-phase3_compact-raw.json"
    )
    assert doc.doc_id == "NCT06927986"
    assert "（SYNSTAR01）" in doc.title
    assert doc.metadata["phases"] == ["PHASE3"]


def test_v2_studies_page_yields_each_study(corpora):
    docs = list(
        iter_ctgov_json_documents(
            corpora / "ctgov/v2-studies-page_oncology-NSCLC_fields-filtered_pageSize3_nextPageToken.json"
        )
    )
    assert [d.doc_id for d in docs] == ["NCT05363319", "NCT05403554", "NCT06461156"]


def test_legacy_xml_roar_trial(corpora):
    (doc,) = iter_ctgov_legacy_documents(
        corpora / "ctgov/legacy-xml_NCT02034110_ROAR_dabrafenib-trametinib_2015-05.xml"
    )
    assert doc.doc_id == "NCT02034110"
    assert "anaplastic thyroid cancer" in doc.text
    assert doc.metadata["enrollment"] == 135
    assert {i["name"] for i in doc.metadata["interventions"]} == {"Dabrafenib", "Trametinib"}
    assert "\n      " not in doc.text  # hard-wrapped textblocks rejoined


def test_malformed_json_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"protocolSection": ', encoding="utf-8")
    with pytest.raises(RecordParseError, match="invalid JSON at line 1"):
        list(iter_ctgov_json_documents(bad))


def test_json_that_is_not_a_study(tmp_path):
    with pytest.raises(RecordParseError, match="not a ClinicalTrials.gov API v2"):
        list(parse_ctgov_json(json.loads('{"error": "rate limit"}')))
