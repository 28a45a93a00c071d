"""Compiled regular expressions kept between runs, so start-up does not re-parse ~170 templates.

Kept with each pattern: its opcodes (:func:`compile`) and the literals every match must hold
(:func:`requirement`, the literal screens of :mod:`atc_mine.nlp.prefilter`).

CPython compiles a pattern in two pure-Python steps, ``re._parser.parse`` (source -> tree) and
``re._compiler._code`` (tree -> the engine's opcodes, a list of ints), then hands the opcodes
to the C engine with ``_sre.compile``. For the outcome templates (macro-expanded alternations
of every measure name, some 10k characters each) the two Python steps cost about 0.5 s of
every start: a third of the cold start of ``atc-mine extract`` on one abstract. The opcodes
depend only on the pattern, its flags and the interpreter, so :func:`compile` keeps them in a
per-user file (the directory of :mod:`atc_mine.nlp.lexicon_cache`) and later starts call
``_sre.compile`` on them directly.

The result is the same object ``re.compile`` returns: patterns compare equal when their
source, flags and opcodes are equal, and ``tests/nlp/test_regex_cache.py`` checks that for
every template. The engine validates opcodes it is given (``_sre``'s ``_validate``), the
file name carries the interpreter version and the engine's magic number, and anything
unexpected (no cache directory, a corrupt file, another interpreter without these internals)
falls back to ``re.compile``: the cache only ever saves time.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import re
import sys
import threading
from array import array
from pathlib import Path
from typing import Any

from atc_mine.nlp import lexicon_cache, prefilter
from atc_mine.nlp.prefilter import Requirement

try:  # CPython 3.11+'s compiler internals; without them every pattern is compiled as usual
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - other interpreters
    _sre = _compiler = _parser = None

#: Bumped whenever a stored value changes shape.
CACHE_FORMAT = 2
#: At most this many patterns are kept: past it, entries this process did not use are dropped
#: (an edited pattern file leaves its old templates behind).
MAX_ENTRIES = 4000

#: (flags, opcodes, group count, group index, index group): ``_sre.compile``'s arguments after
#: the source, the opcodes stored as an unsigned int array (``_sre.CODESIZE`` bytes each).
_Parts = tuple[int, array, int, dict[str, int], tuple[str | None, ...]]

#: The array type code of one opcode (``_sre.CODESIZE`` is 4 on CPython).
_CODE_TYPE = "I"

_lock = threading.Lock()
#: (source, flags) -> opcodes; ("requirement", source, flags, excluded) -> literal requirement
_stored: dict[tuple, Any] | None = None
_used: set[tuple] = set()
_dirty = False


def cache_path() -> Path | None:
    """The cache file for this interpreter, or None when caching is off."""
    directory = lexicon_cache.cache_dir()
    if directory is None or _sre is None:
        return None
    engine = f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}|{_sre.MAXREPEAT}|{_sre.MAXGROUPS}|{CACHE_FORMAT}"
    return directory / f"regex-{hashlib.sha1(engine.encode()).hexdigest()[:16]}.pickle"


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's name, on purpose
    """``re.compile(pattern, flags)``, from the cached opcodes when this pattern was seen before."""
    flags = int(flags)
    if _sre is None or flags & re.DEBUG or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    key = (pattern, flags)
    parts = _lookup(key)
    if parts is not None:
        try:
            return _build(pattern, parts)
        except Exception:  # noqa: BLE001 - a bad entry is recompiled below, never fatal
            pass
    parts = _compile_parts(pattern, flags)  # raises re.error as re.compile does
    compiled = _build(pattern, parts)
    _store(key, parts)
    return compiled


def requirement(pattern: re.Pattern[str], *, excluded: str = "") -> Requirement:
    """:func:`atc_mine.nlp.prefilter.requirement` of a compiled pattern, kept with its opcodes
    (reading the literals parses the pattern again: as slow as compiling it)."""
    key = ("requirement", pattern.pattern, int(pattern.flags), excluded)
    found = _lookup(key)
    if isinstance(found, tuple) and all(isinstance(clause, frozenset) for clause in found):
        return found
    computed = prefilter.requirement(pattern, excluded=excluded)
    _store(key, computed)
    return computed


def _lookup(key: tuple) -> Any:
    with _lock:
        found = _entries().get(key)
        if found is not None:
            _used.add(key)
        return found


def _store(key: tuple, value: Any) -> None:
    global _dirty
    with _lock:
        _entries()[key] = value
        _used.add(key)
        if not _dirty:
            _dirty = True
            atexit.register(save)


def _compile_parts(pattern: str, flags: int) -> _Parts:
    """What ``re._compiler.compile`` passes to ``_sre.compile`` (Python 3.11's own steps)."""
    tree = _parser.parse(pattern, flags)
    code = _compiler._code(tree, flags)
    groupindex = dict(tree.state.groupdict)
    indexgroup: list[str | None] = [None] * tree.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # the opcodes are ints and named int constants (which do not pickle): stored as plain ints
    return flags | tree.state.flags, array(_CODE_TYPE, code), tree.state.groups - 1, groupindex, tuple(indexgroup)


def _build(pattern: str, parts: _Parts) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = parts
    return _sre.compile(pattern, flags, code.tolist(), groups, groupindex, indexgroup)


def _entries() -> dict[tuple, Any]:
    global _stored
    if _stored is None:
        _stored = _read(cache_path())
    return _stored


def _read(path: Path | None) -> dict[tuple, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            stored: Any = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a missing or broken cache is an empty one
        return {}
    return stored if isinstance(stored, dict) else {}


def save() -> None:
    """Write the patterns compiled since the last save (called at exit; safe to call any time)."""
    global _dirty
    path = cache_path()
    with _lock:
        if not _dirty or path is None:
            return
        entries = dict(_entries())
        if len(entries) > MAX_ENTRIES:
            entries = {key: parts for key, parts in entries.items() if key in _used}
        _dirty = False
    lexicon_cache.write_atomically(path, entries)


def clear_memory() -> None:
    """Forget what was read from the cache file (tests point the cache elsewhere)."""
    global _stored, _dirty
    with _lock:
        _stored, _dirty = None, False
        _used.clear()
