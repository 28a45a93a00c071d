"""Multi-core extraction (atc_mine/parallel.py): the same extractions in the same order as one
process, a bounded number of documents in flight, and the CLI's --workers."""

from __future__ import annotations

import json

import pytest

from atc_mine import parallel
from atc_mine.nlp.pipeline import extract_documents
from atc_mine.records import Document


@pytest.fixture(scope="module")
def pubmed_documents(corpora):
    from atc_mine.sources import read_documents

    return read_documents([corpora / "pubmed", corpora / "abstracts"])


def test_two_workers_give_the_single_process_extractions_in_order(nlp, pubmed_documents):
    single = list(extract_documents(nlp, pubmed_documents))
    several = list(parallel.extract_parallel(iter(pubmed_documents), workers=2, nlp=nlp, batch_size=50))
    assert [e.doc_id for e in several] == [d.doc_id for d in pubmed_documents]
    assert several == single


def test_documents_in_flight_stay_bounded(nlp, pubmed_documents):
    produced = 0
    workers, batch = 2, 20
    limit = workers * parallel.IN_FLIGHT_PER_WORKER * batch

    def source():
        nonlocal produced
        for document in pubmed_documents[:300]:
            produced += 1
            yield document

    received = 0
    for _extraction in parallel.extract_parallel(source(), workers=workers, nlp=nlp, batch_size=batch):
        received += 1
        assert produced - received <= limit  # memory does not grow with the input
    assert received == produced == 300


def test_workers_for_small_and_explicit_inputs(corpora):
    from atc_mine.sources import plan_inputs

    small = plan_inputs([corpora / "abstracts"])
    assert parallel.input_bytes(small) < parallel.MIN_PARALLEL_BYTES
    assert parallel.workers_for(small, None) == 1  # starting workers would cost more than it saves
    assert parallel.workers_for(small, 3) == 3  # an explicit request is honoured
    assert parallel.workers_for(small, 0) == 1
    assert parallel.available_cores() >= 1


def test_one_worker_runs_in_this_process(nlp):
    documents = [Document("d1", "text", "Dabrafenib plus trametinib was given to 16 patients with ATC.")]
    (extraction,) = parallel.extract_parallel(documents, workers=1, nlp=nlp)
    assert {e.norm for e in extraction.entities} >= {"dabrafenib", "trametinib"}


def test_cli_extract_with_workers_writes_the_single_process_lines(nlp, corpora, tmp_path, capsys):
    from atc_mine.cli import main
    from atc_mine.sources import read_documents

    out = tmp_path / "abstracts.jsonl"
    assert main(["extract", str(corpora / "abstracts"), "--out", str(out), "--workers", "2"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    expected = [e.to_json() for e in extract_documents(nlp, read_documents([corpora / "abstracts"]))]
    assert [json.loads(line) for line in lines] == expected
    assert f"{len(expected)} documents" in capsys.readouterr().out
