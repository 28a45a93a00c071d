"""The Dask path (atc_mine/distributed.py) on a LocalCluster of two worker processes on 127.0.0.1:
one partition per file with the same extractions as one process, a manifest that makes a re-run
skip what is done, and the CLI pointed at the cluster's scheduler address."""

from __future__ import annotations

import json

import pytest

from atc_mine import distributed as dd
from atc_mine.nlp.pipeline import extract_documents
from atc_mine.records import Extraction

# The recorded efetch responses: four small real PubMed files (a task each).
EFETCH_GLOB = "efetch_pubmed_*.xml"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=True
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    from distributed import Client

    with Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def efetch_files(corpora):
    files = sorted((corpora / "pubmed").glob(EFETCH_GLOB))
    assert len(files) == 4
    return files


def _expected(nlp, files) -> dict[str, Extraction]:
    from atc_mine.sources import read_documents

    return {e.doc_id: e for e in extract_documents(nlp, read_documents(files))}


def test_parquet_partitions_hold_the_single_process_extractions(nlp, client, efetch_files, tmp_path):
    report = dd.extract_baseline(efetch_files, out_dir=tmp_path, client=client)
    assert [r.file for r in report.done] == sorted(f.name for f in efetch_files)
    assert report.skipped == [] and report.workers == 2
    assert all((tmp_path / r.partition).exists() and r.partition.endswith(".parquet") for r in report.done)
    assert not list(tmp_path.rglob("*.tmp"))
    extracted = list(dd.read_partitions(tmp_path))
    expected = _expected(nlp, efetch_files)
    assert {e.doc_id: e for e in extracted} == expected
    assert sum(r.documents for r in report.done) == len(expected)
    assert sum(r.outcomes for r in report.done) == sum(len(e.outcomes) for e in expected.values())

    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / report.done[0].partition)
    contract = list(next(iter(expected.values())).to_json())
    assert table.schema.names == [*contract, "file", "deleted"]
    assert set(table.column("file").to_pylist()) == {report.done[0].file}

    # a second run finds every file in the manifest and starts nothing
    again = dd.extract_baseline(efetch_files, out_dir=tmp_path, scheduler="tcp://127.0.0.1:1")
    assert again.done == [] and [r.file for r in again.skipped] == [r.file for r in report.done]


def test_an_interrupted_run_resumes_with_the_missing_file(client, efetch_files, tmp_path):
    first = dd.extract_baseline(efetch_files[:3], out_dir=tmp_path, fmt="jsonl", client=client)
    manifest = tmp_path / dd.MANIFEST_NAME
    lines = manifest.read_text(encoding="utf-8").splitlines()
    # a crash while writing the third line: half a line left, a temporary partition lying about
    manifest.write_text("\n".join(lines[:2]) + "\n" + lines[2][: len(lines[2]) // 2], encoding="utf-8")
    (tmp_path / "parts" / "leftover.jsonl.tmp").write_text("{", encoding="utf-8")
    missing = json.loads(lines[2])["file"]
    (tmp_path / json.loads(lines[2])["partition"]).unlink()  # and its partition lost: it must really run again

    resumed = dd.extract_baseline(efetch_files, out_dir=tmp_path, fmt="jsonl", client=client)
    assert sorted(r.file for r in resumed.done) == sorted([missing, efetch_files[3].name])
    assert len(resumed.skipped) == 2
    assert len(dd.read_manifest(tmp_path)) == 4
    assert (tmp_path / json.loads(lines[2])["partition"]).exists()
    lines = (tmp_path / resumed.done[0].partition).read_text(encoding="utf-8").splitlines()
    assert all(set(json.loads(line)) == {"doc_id", "source", "text_sha1", "entities", "outcomes"} for line in lines)
    assert first.done[0].extractor_version == resumed.done[0].extractor_version


def test_cli_extract_baseline_on_a_scheduler_address(cluster, efetch_files, tmp_path, capsys):
    from atc_mine.cli import main

    args = ["extract-baseline", *map(str, efetch_files[:2]), "--out", str(tmp_path), "--format", "jsonl"]
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    out = capsys.readouterr().out
    assert "2 files extracted" in out and "0 already done" in out
    assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
    assert "0 files extracted" in capsys.readouterr().out


def test_bad_arguments_are_one_line_errors(efetch_files, tmp_path, capsys):
    from atc_mine.cli import main

    assert main(["extract-baseline", str(efetch_files[0]), "--out", str(tmp_path), "--format", "csv"]) == 2
    assert "unknown partition format" in capsys.readouterr().err
    assert main(["extract-baseline", str(tmp_path / "nope.xml.gz"), "--out", str(tmp_path)]) == 2


def test_a_malformed_file_fails_with_its_name_after_the_others(client, efetch_files, tmp_path):
    from atc_mine.errors import RecordParseError

    broken = tmp_path / "in" / "broken.xml"
    broken.parent.mkdir()
    text = efetch_files[0].read_text(encoding="utf-8")
    broken.write_text(text[: len(text) // 2], encoding="utf-8")  # a file cut short in transfer
    with pytest.raises(RecordParseError, match="broken.xml: malformed XML") as raised:
        dd.extract_baseline([broken, *efetch_files[:2]], out_dir=tmp_path / "out", client=client)
    assert [f.file for f in raised.value.report.failed] == ["broken.xml"]
    assert len(dd.read_manifest(tmp_path / "out")) == 2  # the good files are done: a re-run retries only the bad one
    assert not (tmp_path / "out" / "parts" / "broken.parquet").exists()
    assert not list((tmp_path / "out").rglob("*.tmp"))
