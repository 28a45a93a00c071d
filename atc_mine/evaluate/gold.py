"""Reading the gold set (``gold/``): document-level entity and outcome gold.

A document gold file (``*.gold.json``, schema ``gold/schema/document_gold.schema.json``,
``schema_version`` "1") holds the extraction-contract shape for one text, plus
``optional`` and ``note`` on every entity and figure; ``gold/GUIDELINES.md`` says what
counts. The JSON Schema itself is validated by the test suite (``jsonschema`` is a dev
dependency only); this reader checks, at run time and without it, everything the scorer
relies on: required keys, types, labels and measures, no unknown keys (a misspelt
``"optinal"`` would otherwise silently change a score), and that every entity's text
and every figure's sentence is what its offsets cut from the document text.

Every error is a :class:`GoldSetError` naming the file and the line of the offending
object, e.g. ``gold/corpus/x.gold.json:212: outcomes[3].count: expected an integer or null``.
Study-level records (``gold/review/studies.json``) are not read here.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import json.decoder
import json.scanner
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atc_mine.errors import GoldSetError
from atc_mine.records import ENTITY_LABELS, FIGURE_VALUE_FIELDS, MEASURES, TIME_UNITS, Entity, OutcomeFigure, sha1_text

GOLD_SUFFIX = ".gold.json"
SCHEMA_VERSION = "1"
COHORTS_FILE = Path("gold") / "schema" / "cohorts.json"

TOP_KEYS = {
    "schema_version",
    "gold_version",
    "doc_id",
    "text_file",
    "text_sha1",
    "provenance",
    "notes",
    "entities",
    "outcomes",
}
ENTITY_KEYS = {"label", "text", "start", "end", "norm", "optional", "note"}
OUTCOME_KEYS = {*FIGURE_VALUE_FIELDS, "sentence", "start", "end", "optional", "note"}


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """A gold mention; an ``optional`` one is neither rewarded nor penalised (GUIDELINES section 7)."""

    entity: Entity
    optional: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GoldFigure:
    """A gold outcome figure; an ``optional`` one is neither rewarded nor penalised."""

    figure: OutcomeFigure
    optional: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    doc_id: str
    text_sha1: str
    text_file: str | None
    entities: tuple[GoldEntity, ...]
    figures: tuple[GoldFigure, ...]
    path: str = ""
    gold_version: str | None = None
    #: sha1 of the gold file's bytes: which annotation a score was measured against.
    file_sha1: str | None = None
    #: The annotated text (None when the gold was built in memory without one).
    text: str | None = field(default=None, repr=False, compare=False)


# -- JSON with line numbers ----------------------------------------------------------------
class _LocatedDict(dict):
    """A JSON object that remembers the line it starts on."""

    __slots__ = ("line",)


def _loads_located(text: str) -> Any:
    """``json.loads`` whose objects are :class:`_LocatedDict` carrying their line number.

    Uses the pure-Python scanner of the standard library with a wrapped ``parse_object``
    (the C scanner does not call back into Python for objects).
    """
    line_starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        _s, begin = s_and_end
        obj, end = json.decoder.JSONObject(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo)
        located = _LocatedDict(obj)
        located.line = bisect.bisect_right(line_starts, begin - 1)
        return located, end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


def _line(obj: Any) -> int:
    return getattr(obj, "line", 1)


# -- validation ----------------------------------------------------------------------------
class _Checker:
    """Type checks that raise one GoldSetError naming file, line and JSON path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, obj: Any, where: str, message: str) -> GoldSetError:
        return GoldSetError(f"{self.path}:{_line(obj)}: {where}: {message}")

    def keys(self, obj: Any, where: str, allowed: set[str], required: set[str]) -> None:
        if not isinstance(obj, dict):
            raise self.fail(obj, where, "expected an object")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise self.fail(obj, where, f"unknown key(s) {', '.join(unknown)}")
        missing = sorted(required - set(obj))
        if missing:
            raise self.fail(obj, where, f"missing key(s) {', '.join(missing)}")

    def value(self, obj: dict, key: str, where: str, kind: str, *, nullable: bool = False) -> Any:
        value = obj.get(key)
        if value is None and nullable:
            return None
        ok = {
            "str": isinstance(value, str) and value != "",
            "int": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "list": isinstance(value, list),
        }[kind]
        if not ok:
            article = "an" if kind[0] in "aeiou" else "a"
            expected = {"str": "a non-empty string", "int": "a non-negative integer"}.get(kind, f"{article} {kind}")
            raise self.fail(
                obj, f"{where}.{key}", f"expected {expected}{' or null' if nullable else ''}, got {value!r}"
            )
        return value

    def choice(self, obj: dict, key: str, where: str, allowed: tuple[str, ...], *, nullable: bool = False) -> Any:
        value = obj.get(key)
        if (value is None and nullable) or value in allowed:
            return value
        raise self.fail(obj, f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}")

    def span(self, obj: dict, where: str) -> tuple[int, int]:
        start = self.value(obj, "start", where, "int")
        end = self.value(obj, "end", where, "int")
        if end <= start:
            raise self.fail(obj, where, f"end {end} is not after start {start}")
        return start, end


def _read_entity(check: _Checker, obj: Any, where: str) -> GoldEntity:
    check.keys(obj, where, ENTITY_KEYS, ENTITY_KEYS - {"optional", "note"})
    check.choice(obj, "label", where, ENTITY_LABELS)
    check.value(obj, "text", where, "str")
    check.value(obj, "norm", where, "str")
    check.span(obj, where)
    optional = bool(check.value(obj, "optional", where, "bool", nullable=True))
    note = check.value(obj, "note", where, "str", nullable=True)
    return GoldEntity(Entity.from_json(obj), optional, note)


def _read_figure(check: _Checker, obj: Any, where: str) -> GoldFigure:
    check.keys(obj, where, OUTCOME_KEYS, {"measure", "sentence", "start", "end"})
    check.choice(obj, "measure", where, MEASURES)
    for key in ("percent", "value"):
        check.value(obj, key, where, "number", nullable=True)
    for key in ("count", "denominator"):
        check.value(obj, key, where, "int", nullable=True)
    check.choice(obj, "unit", where, TIME_UNITS, nullable=True)
    for key in ("timepoint", "trial", "cohort", "subgroup", "note"):
        check.value(obj, key, where, "str", nullable=True)
    check.value(obj, "sentence", where, "str")
    check.span(obj, where)
    for key in ("not_reached", "optional"):
        check.value(obj, key, where, "bool", nullable=True)
    ci = obj.get("ci")
    if ci is not None and not (
        isinstance(ci, list)
        and len(ci) == 2
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in ci)
    ):
        raise check.fail(obj, f"{where}.ci", f"expected [low, high] or null, got {ci!r}")
    drugs = obj.get("drugs") or []
    if not isinstance(drugs, list) or not all(isinstance(d, str) and d for d in drugs):
        raise check.fail(obj, f"{where}.drugs", f"expected a list of drug names, got {drugs!r}")
    return GoldFigure(OutcomeFigure.from_json(obj), bool(obj.get("optional", False)), obj.get("note"))


def read_gold_file(path: Path, *, root: Path | None = None, check_text: bool = True) -> GoldDocument:
    """Read and check one ``*.gold.json``; ``root`` is the folder ``text_file`` is relative to."""
    try:
        raw_bytes = path.read_bytes()
        raw = raw_bytes.decode("utf-8")
    except OSError as exc:
        raise GoldSetError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise GoldSetError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = _loads_located(raw)
    except json.JSONDecodeError as exc:
        raise GoldSetError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    check = _Checker(path)
    check.keys(data, "document", TOP_KEYS, {"schema_version", "doc_id", "text_sha1", "entities", "outcomes"})
    if data["schema_version"] != SCHEMA_VERSION:
        raise check.fail(data, "schema_version", f"{data['schema_version']!r}; this reader knows {SCHEMA_VERSION!r}")
    for key in ("doc_id", "text_sha1"):
        check.value(data, key, "document", "str")
    check.value(data, "text_file", "document", "str", nullable=True)
    check.value(data, "gold_version", "document", "str", nullable=True)
    entities = tuple(
        _read_entity(check, obj, f"entities[{i}]")
        for i, obj in enumerate(check.value(data, "entities", "document", "list"))
    )
    figures = tuple(
        _read_figure(check, obj, f"outcomes[{i}]")
        for i, obj in enumerate(check.value(data, "outcomes", "document", "list"))
    )
    text = None
    text_file = data.get("text_file")
    if check_text and text_file and root is not None:
        text = _read_text(path, root / text_file, text_file, data["text_sha1"])
        for i, (gold, obj) in enumerate(zip(entities, data["entities"], strict=True)):
            e = gold.entity
            if text[e.start : e.end] != e.text:
                raise check.fail(
                    obj, f"entities[{i}]", f"text {e.text!r} is not what {e.start}-{e.end} cuts from the text"
                )
        for i, (gold, obj) in enumerate(zip(figures, data["outcomes"], strict=True)):
            f = gold.figure
            if text[f.start : f.end] != f.sentence:
                raise check.fail(obj, f"outcomes[{i}]", f"sentence is not what {f.start}-{f.end} cuts from the text")
    return GoldDocument(
        doc_id=data["doc_id"],
        text_sha1=data["text_sha1"],
        text_file=text_file,
        entities=entities,
        figures=figures,
        path=str(path),
        gold_version=data.get("gold_version"),
        file_sha1=hashlib.sha1(raw_bytes).hexdigest(),
        text=text,
    )


def _read_text(gold_path: Path, text_path: Path, text_file: str, text_sha1: str) -> str:
    if not text_path.exists():
        raise GoldSetError(f"{gold_path}: its text file {text_file} is missing")
    text = text_path.read_bytes().decode("utf-8")
    if sha1_text(text) != text_sha1:
        raise GoldSetError(f"{gold_path}: text_sha1 does not match {text_file} (the text changed after annotation)")
    return text


def find_repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``gold/`` or ``corpora/``."""
    for candidate in (start, *start.parents):
        if (candidate / "gold").is_dir() or (candidate / "corpora").is_dir():
            return candidate
    return None


def load_gold(path: str | Path) -> dict[str, GoldDocument]:
    """Every ``*.gold.json`` under ``path`` (a file or a folder), keyed by doc_id."""
    path = Path(path)
    if not path.exists():
        raise GoldSetError(f"{path}: no such gold file or folder")
    files = sorted(path.rglob(f"*{GOLD_SUFFIX}")) if path.is_dir() else [path]
    if not files:
        raise GoldSetError(f"{path}: no *{GOLD_SUFFIX} files found")
    root = find_repo_root(path.resolve())
    gold: dict[str, GoldDocument] = {}
    for file in files:
        doc = read_gold_file(file, root=root)
        if doc.doc_id in gold:
            raise GoldSetError(f"{file}: doc_id {doc.doc_id} already defined in {gold[doc.doc_id].path}")
        gold[doc.doc_id] = doc
    return gold


def load_cohort_parents(gold_path: str | Path) -> dict[str, str | None] | None:
    """The cohort vocabulary (``gold/schema/cohorts.json``: cohort -> parent) for a gold path.

    None when the gold path is not inside a project holding that file; the scorer then
    reports only the strict cohort match.
    """
    root = find_repo_root(Path(gold_path).resolve())
    if root is None or not (root / COHORTS_FILE).exists():
        return None
    file = root / COHORTS_FILE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldSetError(f"{file}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    cohorts = data.get("cohorts") if isinstance(data, dict) else None
    if not isinstance(cohorts, dict) or not all(p is None or p in cohorts for p in cohorts.values()):
        raise GoldSetError(f"{file}: 'cohorts' must map each cohort to its parent cohort or null")
    return dict(cohorts)


def cohort_lineage(cohort: str, parents: Mapping[str, str | None]) -> list[str]:
    """``cohort`` and its ancestors, nearest first (a cycle is cut where it repeats)."""
    lineage: list[str] = []
    current: str | None = cohort
    while current is not None and current not in lineage:
        lineage.append(current)
        current = parents.get(current)
    return lineage
