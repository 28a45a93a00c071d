"""JSONL, BRAT, BioC and Label Studio files, read back by their reference readers.

Readers: BRAT with pybrat's ``BratParser`` (strict line grammar, raises on a malformed line) and
``bioc.brat`` (its loader and validator check every span's text); BioC with the ``bioc``
package's XML and JSON readers and its validator. Label Studio has no light reader (its SDK pins
numpy 2), so tasks are checked against the documented task format (a JSON Schema written from
labelstud.io/guide/task_format and /guide/predictions, below) and against the labeling config.
"""

from __future__ import annotations

import json
from pathlib import Path

import bioc
import jsonschema
import lxml.etree
import pytest
from bioc import biocjson, biocxml
from bioc.brat import loads as brat_loads
from bioc.brat.validator import validate as brat_validate
from pybrat.parser import BratParser

from atc_mine import api
from atc_mine.records import MEASURES, Extraction
from atc_mine.store import Store

# -- JSONL -----------------------------------------------------------------------------------


def test_jsonl_is_one_contract_line_per_stored_document(real_db, tmp_path):
    (path,) = api.export_candidates(real_db, fmt="jsonl", out_dir=tmp_path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with Store(real_db) as store:
        expected = [e.to_json() for e in store.iter_extractions()]
    assert lines == expected
    assert any(not line["outcomes"] for line in lines)  # documents without figures are there too
    assert all(Extraction.from_json(line).to_json() == line for line in lines)


def test_jsonl_since_keeps_documents_extracted_after_the_run(real_db, tmp_path):
    with Store(real_db) as store:
        last = store.runs()[-1]["run_id"]
    (path,) = api.export_candidates(real_db, fmt="jsonl", out_dir=tmp_path, since=last)
    assert path.read_text(encoding="utf-8") == ""
    (path,) = api.export_candidates(real_db, fmt="jsonl", out_dir=tmp_path, since=last - 1)
    assert path.read_text(encoding="utf-8").count("\n") > 1


# -- BRAT ------------------------------------------------------------------------------------
def brat_folder(db: Path, out: Path) -> Path:
    (folder,) = api.export_candidates(db, fmt="brat", out_dir=out)
    return folder


@pytest.mark.parametrize("fixture", ["real_db", "hostile_db"])
def test_brat_collection_parses_with_pybrat_and_bioc(fixture, request, tmp_path):
    folder = brat_folder(request.getfixturevalue(fixture), tmp_path)
    examples = BratParser(error="raise").parse(folder)
    assert examples
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    declared = {line.strip() for line in conf.splitlines() if line and not line.startswith(("[", "!", "<"))}
    for example in examples:
        text = (folder / f"{example.id}.txt").read_bytes().decode("utf-8")
        for entity in example.entities:
            assert entity.type in declared
            assert entity.mention == " ".join(text[s.start : s.end] for s in entity.spans)
        document = brat_loads(text, (folder / f"{example.id}.ann").read_text(encoding="utf-8"), example.id)
        brat_validate(document)  # raises on a span whose text differs, or a dangling id
        figures = [e for e in document.entities if e.type in MEASURES]
        statuses = {a.refid: a for a in document.attributes if a.type == "Status"}
        assert figures and all(f.id in statuses for f in figures)
        notes = {n.refid: n.text for n in document.notes}
        assert all("record: " in notes[f.id] for f in figures)


def test_brat_text_is_the_stored_text_and_figures_sit_on_their_numbers(real_db, tmp_path):
    folder = brat_folder(real_db, tmp_path)
    name = next(p.stem for p in folder.glob("*savvides*.txt"))
    with Store(real_db) as store:
        stored = next(d for d in store.iter_documents() if "savvides" in d.document.doc_id)
    assert (folder / f"{name}.txt").read_bytes().decode("utf-8") == stored.document.text
    document = brat_loads(stored.document.text, (folder / f"{name}.ann").read_text(encoding="utf-8"), name)
    pr = next(e for e in document.entities if e.type == "PR")
    assert pr.text == "10%"
    # "Twenty patients with ATC were treated with sorafenib": the figure's regimen is joined to the mention
    enrolled = next(e for e in document.entities if e.type == "N_ENROLLED")
    assert enrolled.text == "Twenty"
    regimen = [r for r in document.relations if r.type == "Regimen" and r.arguments["Arg1"] == enrolled.id]
    assert [document.get_annotation(r.arguments["Arg2"]).text for r in regimen] == ["sorafenib"]


# -- BioC ------------------------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["real_db", "hostile_db"])
def test_bioc_xml_and_json_read_back_and_validate(fixture, request, tmp_path):
    xml_path, json_path = api.export_candidates(request.getfixturevalue(fixture), fmt="bioc", out_dir=tmp_path)
    with xml_path.open(encoding="utf-8") as handle:
        from_xml = biocxml.load(handle)
    with json_path.open(encoding="utf-8") as handle:
        from_json = biocjson.load(handle)
    for collection in (from_xml, from_json):
        bioc.validate(collection)  # every annotation's text is the text at its location
        assert collection.documents
        figures = [r.annotation for r in bioc.annotations(collection) if r.annotation.infons.get("type") == "OUTCOME"]
        assert figures and all(len(a.infons["record_id"]) == 16 and a.infons["status"] == "pending" for a in figures)
    assert [d.id for d in from_xml.documents] == [d.id for d in from_json.documents]


def test_bioc_annotations_carry_the_figure(real_db, tmp_path):
    xml_path, _ = api.export_candidates(real_db, fmt="bioc", out_dir=tmp_path)
    with xml_path.open(encoding="utf-8") as handle:
        collection = biocxml.load(handle)
    document = next(d for d in collection.documents if "savvides" in d.id)
    assert document.infons["link"] == "https://pubmed.ncbi.nlm.nih.gov/23113752/"
    passage = document.passages[0]
    pr = next(a for a in passage.annotations if a.infons.get("measure") == "PR")
    assert (pr.infons["percent"], pr.infons["count"], pr.infons["denominator"]) == ("10.0", "2", "20")
    assert pr.infons["drugs"] == "sorafenib" and pr.infons["trial"] == "NCT00126568"
    assert "partial response (10%)" in pr.text
    # "Twenty patients with ATC were treated with sorafenib": the figure's regimen is joined to the mention
    enrolled = next(a for a in passage.annotations if a.infons.get("measure") == "N_ENROLLED")
    regimen = [r for r in passage.relations if r.infons["type"] == "regimen" and r.get_node(refid=enrolled.id)]
    drug = passage.get_annotation(regimen[0].get_node(role="regimen").refid)
    assert len(regimen) == 1 and drug.infons == {"type": "DRUG", "identifier": "sorafenib"} and drug.text == "sorafenib"


# -- Label Studio ----------------------------------------------------------------------------
#: Written from Label Studio's documented task format (guide/task_format, guide/predictions).
LABEL_STUDIO_TASKS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
            "predictions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["result"],
                    "properties": {
                        "model_version": {"type": "string"},
                        "score": {"type": "number"},
                        "result": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "from_name", "to_name", "type", "value"],
                                "properties": {
                                    "id": {"type": "string", "minLength": 1},
                                    "from_name": {"type": "string"},
                                    "to_name": {"type": "string"},
                                    "type": {"enum": ["labels"]},
                                    "value": {
                                        "type": "object",
                                        "required": ["start", "end", "text", "labels"],
                                        "properties": {
                                            "start": {"type": "integer", "minimum": 0},
                                            "end": {"type": "integer", "minimum": 0},
                                            "text": {"type": "string"},
                                            "labels": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.mark.parametrize("fixture", ["real_db", "hostile_db"])
def test_label_studio_tasks_follow_the_documented_format_and_the_config(fixture, request, tmp_path):
    tasks_path, config_path = api.export_candidates(
        request.getfixturevalue(fixture), fmt="labelstudio", out_dir=tmp_path
    )
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    jsonschema.validate(tasks, LABEL_STUDIO_TASKS)
    config = lxml.etree.fromstring(config_path.read_bytes())
    labels_tags = {t.get("name"): t for t in config.iter("Labels")}
    text_tags = {t.get("name"): t.get("value") for t in config.iter("Text")}
    assert {t.get("name") for t in config.iter("Choices")} == {"decision"}
    assert {t.get("name") for t in config.iter("TextArea")} == {"correction", "note"}
    for task in tasks:
        text = task["data"]["text"]
        for variable in (v.lstrip("$") for v in config.xpath("//@value") if v.startswith("$")):
            assert variable in task["data"]
        (prediction,) = task["predictions"]
        ids = [r["id"] for r in prediction["result"]]
        assert len(ids) == len(set(ids))
        measures = []
        for region in prediction["result"]:
            tag = labels_tags[region["from_name"]]
            assert tag.get("toName") == region["to_name"] and text_tags[region["to_name"]] == "$text"
            allowed = {label.get("value") for label in tag.iter("Label")}
            assert set(region["value"]["labels"]) <= allowed
            value = region["value"]
            assert text[value["start"] : value["end"]] == value["text"]
            measures += [label for label in value["labels"] if label in MEASURES]
        assert measures and set(measures) == {task["data"]["measure"]}
