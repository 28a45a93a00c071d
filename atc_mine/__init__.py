"""atc-mine: keep an evidence base on anaplastic thyroid carcinoma treatment current.

A small public API for notebooks and pipelines (everything else is an implementation
detail that may change)::

    import atc_mine
    for extraction in atc_mine.extract(["corpora/abstracts"]):
        print(extraction.doc_id, len(extraction.outcomes))
"""

from atc_mine.api import (
    candidates,
    decisions,
    demo,
    export,
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
    "export",
    "extract",
    "import_curation",
    "load",
    "refresh",
    "score",
    "write_jsonl",
]
