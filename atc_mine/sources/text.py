"""Plain-text documents: one ``*.txt`` file is one document.

``doc_id`` is the file stem and the text is the file's bytes decoded as UTF-8, unchanged
(no newline translation), so character offsets mean the same thing to every reader of
the file. An optional sidecar ``<stem>.meta.json`` carries metadata (PMID, citation,
linked trials...), as written by ``corpora/import_from_shared.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from atc_mine.errors import RecordParseError
from atc_mine.records import Document

SIDECAR_SUFFIX = ".meta.json"


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_text_document(path: Path) -> Document:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordParseError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=str(path)) from None
    except OSError as exc:
        raise RecordParseError(exc.strerror or str(exc), path=str(path)) from None
    metadata: dict = {}
    meta_file = sidecar_path(path)
    if meta_file.exists():
        try:
            metadata = json.loads(meta_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RecordParseError(f"invalid JSON at line {exc.lineno}: {exc.msg}", path=str(meta_file)) from None
        if not isinstance(metadata, dict):
            raise RecordParseError("sidecar must hold a JSON object", path=str(meta_file))
    metadata.setdefault("file", path.name)
    return Document(
        doc_id=path.stem,
        source="text",
        text=text,
        title=metadata.get("title"),
        metadata=metadata,
    )


def iter_text_documents(path: Path) -> Iterator[Document]:
    yield read_text_document(path)
