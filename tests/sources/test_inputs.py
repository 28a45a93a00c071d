"""Walking files and folders: what is read, what is skipped and why."""

from __future__ import annotations

import pytest

from atc_mine.errors import InputError, RecordParseError
from atc_mine.sources import plan_inputs, read_documents
from atc_mine.sources.text import read_text_document


def test_corpora_plan_reads_documents_and_skips_non_documents(corpora):
    plan = plan_inputs([corpora])
    kinds = {(f.path.parent.name, f.kind) for f in plan.files}
    assert kinds == {
        ("abstracts", "text"),
        ("ctgov_pages", "text"),
        ("pubmed", "pubmed"),
        ("ctgov", "ctgov"),
        ("ctgov", "ctgov-legacy"),
    }
    skipped = {p.name: reason for p, reason in plan.skipped}
    assert "esearch result" in skipped["esearch_pubmed_no-hits_PhraseNotFound_biopython.xml"]
    assert all(not p.name.endswith(".txt") for p, _ in plan.skipped)


def test_text_document_and_its_sidecar(corpora):
    doc = read_text_document(corpora / "abstracts/abstract_23113752_savvides2013_sorafenib_ATC_phase2.txt")
    assert doc.doc_id == "abstract_23113752_savvides2013_sorafenib_ATC_phase2"
    assert doc.metadata["pmid"] == "23113752"
    assert doc.linked_trials == ("NCT00126568",)
    assert doc.text.startswith("Phase II Trial of Sorafenib")


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        plan_inputs([tmp_path / "nope"])


def test_non_utf8_text_is_a_parse_error(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Hürthle".encode("latin-1"))
    with pytest.raises(RecordParseError, match="not UTF-8"):
        read_documents([bad])


def test_crlf_is_kept_so_offsets_match_the_file(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title\r\n\r\nBody")
    assert read_text_document(path).text == "Title\r\n\r\nBody"
