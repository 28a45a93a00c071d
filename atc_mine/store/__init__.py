"""The evidence base: an embedded SQLite file. All of atc-mine's SQL lives in this package.

``core`` holds the ``Store`` (documents, entities, outcome figures, runs); each later
feature keeps its own queries in a module beside it and its tables in a numbered
migration under ``migrations/`` (``NNNN_name.sql``), applied once and recorded.
"""

from atc_mine.store.core import Store, StoredDocument, content_sha1, migrations, open_store, utc_now

__all__ = ["Store", "StoredDocument", "content_sha1", "migrations", "open_store", "utc_now"]
