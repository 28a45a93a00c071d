"""atc-mine: keep an evidence base on anaplastic thyroid carcinoma treatment current.

A small public API for notebooks and pipelines (everything else is an implementation
detail that may change)::

    import atc_mine
    for extraction in atc_mine.extract(["corpora/abstracts"]):
        print(extraction.doc_id, len(extraction.outcomes))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module that defines it. Imported on first use (PEP 562), so that
#: ``import atc_mine`` and the command line start fast: ``atc-mine extract`` needs neither
#: pandas nor scipy nor the evidence table.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "candidates",
            "decisions",
            "demo",
            "export_candidates",
            "extract",
            "import_curation",
            "load",
            "refresh",
            "score",
            "write_jsonl",
        ),
        "atc_mine.api",
    ),
    **dict.fromkeys(
        (
            "AtcMineError",
            "DecisionFileError",
            "GoldSetError",
            "InputError",
            "PatternFileError",
            "RateLimited",
            "RecordParseError",
            "SourceError",
            "StoreError",
            "UpstreamError",
        ),
        "atc_mine.errors",
    ),
    "evidence_table": "atc_mine.evidence",
    **dict.fromkeys(("Document", "Entity", "Extraction", "OutcomeFigure"), "atc_mine.records"),
    "Settings": "atc_mine.settings",
    "Store": "atc_mine.store",
}

if TYPE_CHECKING:
    from atc_mine.api import (
        candidates,
        decisions,
        demo,
        export_candidates,
        extract,
        import_curation,
        load,
        refresh,
        score,
        write_jsonl,
    )
    from atc_mine.errors import (
        AtcMineError,
        DecisionFileError,
        GoldSetError,
        InputError,
        PatternFileError,
        RateLimited,
        RecordParseError,
        SourceError,
        StoreError,
        UpstreamError,
    )
    from atc_mine.evidence import evidence_table
    from atc_mine.records import Document, Entity, Extraction, OutcomeFigure
    from atc_mine.settings import Settings
    from atc_mine.store import Store


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'atc_mine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__version__ = "0.1.0"

__all__ = [
    "AtcMineError",
    "DecisionFileError",
    "Document",
    "Entity",
    "Extraction",
    "GoldSetError",
    "InputError",
    "OutcomeFigure",
    "PatternFileError",
    "RateLimited",
    "RecordParseError",
    "Settings",
    "SourceError",
    "Store",
    "StoreError",
    "UpstreamError",
    "candidates",
    "decisions",
    "demo",
    "evidence_table",
    "export_candidates",
    "extract",
    "import_curation",
    "load",
    "refresh",
    "score",
    "write_jsonl",
]
