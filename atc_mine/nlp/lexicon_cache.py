"""A per-user cache of the loaded lexicon, so that start-up does not rebuild ~300k names.

Reading ``lexicon.json.gz`` and adding every name to the Aho-Corasick automata takes about
0.65 s, and building the automata on the first document another fraction of a second: most
of the cold start of ``atc-mine extract`` on one abstract. The loaded :class:`CompiledLexicon`
(automata already built; pyahocorasick pickles them) loads again in about 0.2 s.

The cache lives in ``$ATC_MINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/atc-mine``, else
``~/.cache/atc-mine`` (set ``ATC_MINE_CACHE_DIR=off`` to disable it). Its file name holds a
hash of the compiled lexicon file and the versions of everything that shapes the pickle, so
a rebuilt lexicon or an upgraded pyahocorasick never reads a stale entry. The cache is an
optimisation only: an unreadable, corrupt or unwritable cache is ignored and the lexicon is
loaded from its file. Pickle runs code on load; the file is the user's own, written by this
module into the user's own cache directory (the trust placed in any per-user cache).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

#: Bumped whenever the pickled classes change shape (:class:`CompiledLexicon`, :class:`Lexicon`).
CACHE_FORMAT = 1
#: The environment variable naming the cache directory ("off" disables the cache).
CACHE_DIR_VARIABLE = "ATC_MINE_CACHE_DIR"

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where cached files go, or None when caching is off."""
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "none") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "atc-mine"


def cache_key(source: Path) -> str:
    """A name for the cached form of ``source``: its content hash and the versions that shape the pickle."""
    digest = hashlib.sha1(source.read_bytes()).hexdigest()[:16]
    try:
        ahocorasick_version = metadata.version("pyahocorasick")
    except metadata.PackageNotFoundError:
        ahocorasick_version = "unknown"
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    return f"{source.name}-{digest}-f{CACHE_FORMAT}-py{python}-ac{ahocorasick_version}.pickle"


def load_or_build(source: Path, build: Callable[[], T], expected: type) -> T:
    """The cached object built from ``source`` if there is a good one, else ``build()`` (then cached)."""
    directory = cache_dir()
    if directory is None or not source.is_file():
        return build()
    path = directory / cache_key(source)
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, expected):
            return cached
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - any broken cache entry is rebuilt, never fatal
        pass
    built = build()
    write_atomically(path, built)
    return built


def write_atomically(path: Path, value: object) -> None:
    """Write atomically (a temporary file renamed into place): a killed process leaves no half file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full cache directory: run without the cache
