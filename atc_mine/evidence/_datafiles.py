"""Reading the evidence table's data files (``atc_mine/evidence/data``) with a closed schema.

Like the rule files of ``atc_mine/nlp/data`` (the habit of medspaCy's ConText rule files): a
typo in a key is an error naming the file and the record, never a silently ignored setting.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from atc_mine.errors import PatternFileError

DATA_PACKAGE = "atc_mine.evidence.data"


@cache
def load_json(name: str) -> dict[str, Any]:
    try:
        text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PatternFileError(f"{name}: data file missing from the package") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PatternFileError(f"{name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PatternFileError(f"{name}: top level must be an object")
    return data


def check_keys(where: str, record: Any, *, required: Iterable[str], optional: Iterable[str] = ()) -> dict[str, Any]:
    """``record`` as a dict with exactly the allowed keys, or a ``PatternFileError`` naming ``where``."""
    if not isinstance(record, dict):
        raise PatternFileError(f"{where}: must be an object")
    required = set(required)
    missing = required - set(record)
    if missing:
        raise PatternFileError(f"{where}: missing keys {sorted(missing)}")
    unknown = set(record) - required - set(optional)
    if unknown:
        raise PatternFileError(f"{where}: unknown keys {sorted(unknown)}")
    return record
