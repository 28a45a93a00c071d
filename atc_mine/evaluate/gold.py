"""Reading the gold set (``gold/``): document-level entity and outcome gold.

A document gold file (``*.gold.json``) holds the extraction-contract shape for one text,
plus ``optional`` and ``note`` per figure; see ``gold/GUIDELINES.md`` for what counts and
``gold/schema/`` for the JSON Schemas the test suite validates every file against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atc_mine.errors import GoldSetError
from atc_mine.records import Entity, OutcomeFigure, sha1_text

GOLD_SUFFIX = ".gold.json"


@dataclass(frozen=True, slots=True)
class GoldFigure:
    figure: OutcomeFigure
    optional: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    doc_id: str
    text_sha1: str
    text_file: str | None
    entities: tuple[Entity, ...]
    figures: tuple[GoldFigure, ...]
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def read_gold_file(path: Path, *, root: Path | None = None, check_text: bool = True) -> GoldDocument:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldSetError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except OSError as exc:
        raise GoldSetError(f"{path}: {exc.strerror}") from None
    try:
        doc = GoldDocument(
            doc_id=data["doc_id"],
            text_sha1=data["text_sha1"],
            text_file=data.get("text_file"),
            entities=tuple(Entity.from_json(e) for e in data.get("entities", [])),
            figures=tuple(
                GoldFigure(OutcomeFigure.from_json(o), bool(o.get("optional", False)), o.get("note"))
                for o in data.get("outcomes", [])
            ),
            path=str(path),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise GoldSetError(f"{path}: not a document gold file ({exc})") from None
    if check_text and doc.text_file and root is not None:
        text_path = root / doc.text_file
        if not text_path.exists():
            raise GoldSetError(f"{path}: its text file {doc.text_file} is missing")
        if sha1_text(text_path.read_bytes().decode("utf-8")) != doc.text_sha1:
            raise GoldSetError(f"{path}: text_sha1 does not match {doc.text_file}")
    return doc


def find_repo_root(start: Path) -> Path | None:
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
