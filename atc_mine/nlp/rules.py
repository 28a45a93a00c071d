"""Loading the project's rule and lexicon data files.

Every data file under ``atc_mine/nlp/data`` is JSON with a closed schema (the habit of
medspaCy's ConText rule files): ``{"version": ..., "source": ..., "<list key>": [records]}``;
each record has fixed keys, may carry ``examples`` that must match and
``counter_examples`` that must not, and the test suite runs every one of them. Loading
rejects unknown keys and names the file and the record, so a typo in a data file is a
clear error instead of a silently ignored rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from atc_mine.errors import PatternFileError

DATA_PACKAGE = "atc_mine.nlp.data"


def data_path(name: str) -> Path:
    return Path(str(resources.files(DATA_PACKAGE).joinpath(name)))


@cache
def load_data_file(name: str) -> dict[str, Any]:
    path = data_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PatternFileError(f"{name}: data file missing from the package") from None
    except json.JSONDecodeError as exc:
        raise PatternFileError(f"{name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PatternFileError(f"{name}: top level must be an object")
    return data


def load_records(
    name: str,
    list_key: str,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The records of ``list_key`` in data file ``name``, checked against a closed key set."""
    data = load_data_file(name)
    required = set(required)
    allowed = required | set(optional) | {"examples", "counter_examples", "comment"}
    top_allowed = {"version", "source", "licence", "comment", "macros", list_key}
    unknown_top = set(data) - top_allowed
    if unknown_top:
        raise PatternFileError(f"{name}: unknown top-level keys {sorted(unknown_top)}")
    records = data.get(list_key)
    if not isinstance(records, list):
        raise PatternFileError(f"{name}: '{list_key}' must be a list")
    for index, record in enumerate(records):
        where = f"{name}: {list_key}[{index}]" + (f" (id {record.get('id')!r})" if isinstance(record, dict) else "")
        if not isinstance(record, dict):
            raise PatternFileError(f"{where}: must be an object")
        missing = required - set(record)
        if missing:
            raise PatternFileError(f"{where}: missing keys {sorted(missing)}")
        unknown = set(record) - allowed
        if unknown:
            raise PatternFileError(f"{where}: unknown keys {sorted(unknown)}")
    return records
