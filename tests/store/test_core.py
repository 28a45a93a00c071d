"""The evidence base: migrations, idempotent upserts, content versions, transactions."""

from __future__ import annotations

import sqlite3

import pytest

from atc_mine.errors import StoreError
from atc_mine.records import Document, Entity, Extraction, OutcomeFigure
from atc_mine.store import Store, migrations


def doc(text: str = "Sorafenib in ATC.", **kw) -> Document:
    return Document(doc_id=kw.pop("doc_id", "d1"), source=kw.pop("source", "text"), text=text, **kw)


def test_fresh_store_is_at_the_newest_schema(store):
    assert store.schema_version == max(migrations())
    assert store.applied_migrations() == sorted(migrations())


def test_same_document_twice_is_unchanged(store):
    assert store.upsert_document(doc())[0] == "new"
    assert store.upsert_document(doc())[0] == "unchanged"
    assert store.counts()["document_versions"] == 1


def test_changed_document_becomes_a_new_version_and_keeps_history(store):
    _, first = store.upsert_document(doc())
    status, second = store.upsert_document(doc("Sorafenib in ATC: updated."))
    assert status == "updated" and second != first
    versions = store.document_versions("text", "d1")
    assert [v.version for v in versions] == [1, 2]
    assert store.get_document("text", "d1").document.text.endswith("updated.")
    assert store.counts()["documents"] == 1


def test_transient_metadata_does_not_make_a_version(store):
    store.upsert_document(doc(metadata={"file": "a/x.txt"}))
    assert store.upsert_document(doc(metadata={"file": "b/x.txt"}))[0] == "unchanged"


def test_deleted_citation_is_recorded(store):
    store.upsert_document(doc(source="pubmed", doc_id="26432306"))
    status, _ = store.upsert_document(doc("", source="pubmed", doc_id="26432306", deleted=True))
    assert status == "deleted"
    assert store.counts()["documents"] == 0 and store.counts()["deleted_documents"] == 1


def test_replace_extraction_is_idempotent(store):
    _, pk = store.upsert_document(doc())
    figure = OutcomeFigure(
        measure="ORR", sentence="Sorafenib in ATC.", start=0, end=17, percent=19.0, drugs=("sorafenib",)
    )
    extraction = Extraction("d1", "text", doc().text_sha1, (Entity("DRUG", "Sorafenib", 0, 9, "sorafenib"),), (figure,))
    for _ in range(2):
        store.replace_extraction(pk, extraction, extractor_version="t")
    assert store.extraction(pk) == extraction
    assert not store.needs_extraction(pk, "t") and store.needs_extraction(pk, "t2")


def test_atomic_rolls_back_everything_on_error(store):
    with pytest.raises(RuntimeError), store.atomic():
        store.upsert_document(doc())
        raise RuntimeError("boom")
    assert store.counts()["document_versions"] == 0


def test_nested_atomic_rolls_back_only_the_inner_block(store):
    with store.atomic():
        store.upsert_document(doc(doc_id="outer"))
        with pytest.raises(RuntimeError), store.atomic():
            store.upsert_document(doc(doc_id="inner"))
            raise RuntimeError("inner failure")
    assert store.get_document("text", "outer") and store.get_document("text", "inner") is None


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer than this atc-mine"):
        Store(path)


def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "e.db"
    with Store(path) as first:
        first.upsert_document(doc())
    with Store(path) as second:
        assert second.counts()["documents"] == 1
        assert second.applied_migrations() == sorted(migrations())
