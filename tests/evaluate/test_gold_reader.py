"""The gold reader: every real gold file loads; a broken one is a one-line error naming file and line.

The broken files are hand-written variations of a minimal valid document (written below),
not copies of real gold files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atc_mine.errors import GoldSetError
from atc_mine.evaluate.gold import (
    GOLD_SUFFIX,
    cohort_lineage,
    load_cohort_parents,
    load_gold,
    read_gold_file,
)
from atc_mine.records import sha1_text
from tests.conftest import GOLD

REAL_FILES = sorted(GOLD.rglob(f"*{GOLD_SUFFIX}")) if GOLD.is_dir() else []


@pytest.mark.skipif(not REAL_FILES, reason="gold/ holds no *.gold.json yet (the gold set is being built)")
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: str(p.relative_to(GOLD)))
def test_every_real_gold_file_is_accepted(path):
    doc = read_gold_file(path, root=GOLD.parent)
    assert doc.doc_id == path.name[: -len(GOLD_SUFFIX)]
    assert doc.text is not None  # its text was found and its sha1 checked
    assert doc.gold_version and doc.file_sha1
    for gold in doc.entities:
        assert doc.text[gold.entity.start : gold.entity.end] == gold.entity.text
    for gold in doc.figures:
        assert doc.text[gold.figure.start : gold.figure.end] == gold.figure.sentence


@pytest.mark.skipif(not REAL_FILES, reason="gold/ holds no *.gold.json yet (the gold set is being built)")
def test_the_whole_gold_folder_loads_with_unique_doc_ids_and_a_cohort_vocabulary():
    gold = load_gold(GOLD)
    assert len(gold) == len(REAL_FILES)
    parents = load_cohort_parents(GOLD)
    assert parents is not None
    cohorts = {g.figure.cohort for d in gold.values() for g in d.figures} - {None}
    assert cohorts <= set(parents)  # every gold cohort is in the vocabulary the lenient match uses


# -- a minimal valid document, then broken one way at a time ---------------------------------------
TEXT = "Sorafenib was given.\nTwo of the 20 patients had a partial response (10%).\n"
SENTENCE = "Two of the 20 patients had a partial response (10%)."


def minimal() -> dict:
    start = TEXT.index(SENTENCE)
    return {
        "schema_version": "1",
        "gold_version": "1.0.0",
        "doc_id": "doc",
        "text_file": "gold/doc.txt",
        "text_sha1": sha1_text(TEXT),
        "provenance": {"method": "hand-written test fixture"},
        "notes": [],
        "entities": [
            {"label": "DRUG", "text": "Sorafenib", "start": 0, "end": 9, "norm": "sorafenib"},
            {"label": "GENE", "text": "given", "start": 14, "end": 19, "norm": "GIVEN", "optional": True, "note": "x"},
        ],
        "outcomes": [
            {
                "measure": "PR",
                "percent": 10,
                "count": 2,
                "denominator": 20,
                "value": None,
                "unit": None,
                "timepoint": None,
                "ci": None,
                "not_reached": False,
                "drugs": ["sorafenib"],
                "trial": None,
                "cohort": "ATC",
                "subgroup": None,
                "sentence": SENTENCE,
                "start": start,
                "end": start + len(SENTENCE),
                "optional": False,
                "note": None,
            }
        ],
    }


def write(tmp_path: Path, data: dict, *, text: str = TEXT) -> Path:
    (tmp_path / "gold").mkdir(exist_ok=True)
    (tmp_path / "gold" / "doc.txt").write_text(text, encoding="utf-8", newline="")
    path = tmp_path / "gold" / f"doc{GOLD_SUFFIX}"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def object_line(path: Path, needle: str) -> int:
    """The line where the JSON object holding ``needle`` opens."""
    lines = path.read_text(encoding="utf-8").splitlines()
    number = line_of(path, needle)
    while "{" not in lines[number - 1]:
        number -= 1
    return number


def test_a_minimal_document_reads_with_optional_items(tmp_path):
    doc = read_gold_file(write(tmp_path, minimal()), root=tmp_path)
    assert [g.optional for g in doc.entities] == [False, True]
    assert doc.entities[1].note == "x"
    assert doc.figures[0].figure.count == 2 and not doc.figures[0].optional
    assert load_gold(tmp_path / "gold")["doc"].text == TEXT


def broken(change):
    data = minimal()
    change(data)
    return data


@pytest.mark.parametrize(
    "change, message, line_needle",
    [
        (
            lambda d: d["outcomes"][0].update(count="2"),
            r"outcomes\[0\]\.count: expected a non-negative integer",
            '"measure"',
        ),
        (lambda d: d["outcomes"][0].update(optinal=True), r"outcomes\[0\]: unknown key\(s\) optinal", '"measure"'),
        (lambda d: d["outcomes"][0].update(measure="TTP"), r"'TTP' is not one of", '"measure"'),
        (lambda d: d["outcomes"][0].update(ci=[1]), r"outcomes\[0\]\.ci: expected \[low, high\]", '"measure"'),
        (lambda d: d["entities"][1].update(label="DISEASE"), r"entities\[1\]\.label", '"given"'),
        (lambda d: d["entities"][0].update(end=0), r"entities\[0\]: end 0 is not after start 0", '"Sorafenib"'),
        (lambda d: d["entities"][0].update(start=1), r"entities\[0\]: text 'Sorafenib' is not what 1-9", '"Sorafenib"'),
        (lambda d: d["outcomes"][0].update(start=0), r"outcomes\[0\]: sentence is not what", '"measure"'),
        (lambda d: d.update(schema_version="2"), r"schema_version: '2'; this reader knows '1'", '"schema_version"'),
        (lambda d: d.pop("doc_id"), r"document: missing key\(s\) doc_id", "{"),
    ],
)
def test_a_broken_gold_file_is_one_line_naming_file_and_line(tmp_path, change, message, line_needle):
    path = write(tmp_path, broken(change))
    with pytest.raises(GoldSetError, match=message) as info:
        read_gold_file(path, root=tmp_path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}:{object_line(path, line_needle)}: ")


def test_invalid_json_names_its_line(tmp_path):
    path = write(tmp_path, minimal())
    path.write_text(path.read_text(encoding="utf-8").replace('"notes": []', '"notes": [,]'), encoding="utf-8")
    with pytest.raises(GoldSetError, match=rf"{path}:{line_of(path, '[,]')}: invalid JSON"):
        read_gold_file(path, root=tmp_path)


def test_a_changed_or_missing_text_is_refused(tmp_path):
    path = write(tmp_path, minimal(), text=TEXT.replace("Two", "Three"))
    with pytest.raises(GoldSetError, match="text_sha1 does not match gold/doc.txt"):
        read_gold_file(path, root=tmp_path)
    (tmp_path / "gold" / "doc.txt").unlink()
    with pytest.raises(GoldSetError, match="its text file gold/doc.txt is missing"):
        read_gold_file(path, root=tmp_path)


def test_duplicate_doc_ids_and_empty_folders_are_refused(tmp_path):
    path = write(tmp_path, minimal())
    (tmp_path / "gold" / "sub").mkdir()
    (tmp_path / "gold" / "sub" / f"doc{GOLD_SUFFIX}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(GoldSetError, match="doc_id doc already defined"):
        load_gold(tmp_path / "gold")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GoldSetError, match="no \\*.gold.json files found"):
        load_gold(tmp_path / "empty")
    with pytest.raises(GoldSetError, match="no such gold file or folder"):
        load_gold(tmp_path / "nowhere")


def test_cohort_vocabulary_and_lineage(tmp_path):
    write(tmp_path, minimal())
    assert load_cohort_parents(tmp_path / "gold") is None  # no gold/schema/cohorts.json here
    (tmp_path / "gold" / "schema").mkdir()
    vocabulary = {"cohorts": {"thyroid cancer": None, "ATC": "thyroid cancer", "BRAF V600E-mutant ATC": "ATC"}}
    (tmp_path / "gold" / "schema" / "cohorts.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    parents = load_cohort_parents(tmp_path / "gold")
    assert cohort_lineage("BRAF V600E-mutant ATC", parents) == ["BRAF V600E-mutant ATC", "ATC", "thyroid cancer"]
    (tmp_path / "gold" / "schema" / "cohorts.json").write_text(json.dumps({"cohorts": {"ATC": "nowhere"}}))
    with pytest.raises(GoldSetError, match="must map each cohort to its parent"):
        load_cohort_parents(tmp_path / "gold")
