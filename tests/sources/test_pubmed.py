"""PubMed XML parsing on recorded real efetch responses and a real MEDLINE update file."""

from __future__ import annotations

import gzip
import io

import pytest

from atc_mine.errors import RecordParseError
from atc_mine.sources.pubmed import iter_pubmed_documents, parse_pubmed_bytes

NEJM = "pubmed/efetch_pubmed_NEJM-20articles_2015-05_TAS102-NCT01607957_lenvatinib-thyroid-letters_jds.xml"
MEDLINE_2016 = "pubmed/medline-update-file_medline16n0902_MedlineCitationSet_604-citations_DeleteCitation.xml.gz"


def test_efetch_articles_with_databank_and_labelled_sections(corpora):
    docs = {d.doc_id: d for d in iter_pubmed_documents(corpora / NEJM)}
    assert len(docs) == 20
    recourse = docs["25970050"]
    assert recourse.source == "pubmed"
    assert recourse.metadata["databank_nct_ids"] == ["NCT01607957"]
    assert recourse.linked_trials == ("NCT01607957",)
    assert recourse.text.startswith("Randomized trial of TAS-102 for refractory metastatic colorectal cancer.\n\n")
    labels = [s.label for s in recourse.sections]
    assert labels == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    results = recourse.sections[2]
    assert recourse.text[results.start - len("RESULTS: ") : results.start] == "RESULTS: "
    assert "overall survival" in recourse.text[results.start : results.end]


def test_current_compact_dtd_and_metadata(corpora):
    docs = list(iter_pubmed_documents(corpora / "pubmed/efetch_pubmed_11748933-11700088_DTD2025-compact_biopython.xml"))
    assert [d.doc_id for d in docs] == ["11748933", "11700088"]
    first = docs[0]
    assert first.metadata["journal"] == "Cryobiology"
    assert first.metadata["year"] == 2001
    assert first.title and first.text.startswith(first.title + "\n\n")


def test_medline_update_file_streams_604_citations_and_marks_the_deletion(corpora):
    docs = list(iter_pubmed_documents(corpora / MEDLINE_2016))
    live = [d for d in docs if not d.deleted]
    deleted = [d for d in docs if d.deleted]
    assert len(live) == 604
    assert [d.doc_id for d in deleted] == ["26432306"]
    assert deleted[0].text == ""
    nct_linked = [d for d in live if d.metadata["databank_nct_ids"]]
    assert len(nct_linked) == 5


def test_truncated_xml_is_a_clear_error(corpora):
    data = (corpora / NEJM).read_bytes()
    with pytest.raises(RecordParseError, match="malformed XML"):
        parse_pubmed_bytes(data[: len(data) // 2])


def test_error_body_is_not_mistaken_for_documents(corpora):
    data = (corpora / "eutils/esummary_ERROR_no-id-or-query_key_biopython.xml").read_bytes()
    with pytest.raises(RecordParseError, match="not a PubMed article set"):
        parse_pubmed_bytes(data)


def test_an_empty_article_set_gives_no_documents_and_no_error():
    # hand-written: what an efetch of nothing returns (only the root element)
    assert parse_pubmed_bytes(b"<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>") == []


def test_gzip_and_plain_give_the_same_documents(corpora, tmp_path):
    plain = corpora / "pubmed/efetch_pubmed_28775130_structured-abstract_hypothyroidism_biopython.xml"
    gz = tmp_path / "copy.xml.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(iter_pubmed_documents(gz)) == list(iter_pubmed_documents(plain))


def test_parse_from_bytes_stream():
    # Hand-written minimal fixture (not a recording): the smallest valid article set.
    xml = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version='2'>1</PMID><Article><ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    (doc,) = parse_pubmed_bytes(io.BytesIO(xml).read())
    assert (doc.doc_id, doc.source_version, doc.text) == ("1", "2", "T")
