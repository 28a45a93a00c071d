"""A dictionary matcher over raw text: Aho-Corasick automata over folded characters.

Real abstracts put names inside tokens ("carboplatin/paclitaxel", "lenvatinib-
pembrolizumab", "BRAF-mutant", "anti-PD-1"), so matching is done on characters, not on
tokens. Text and names are *folded* to a same-length form first: every character that
is not a letter or digit becomes a space (so "PD-L1", "PD L1" and "PD\u2013L1" are one
key, and hyphenation and dash variants need no extra patterns). Every key is stored
between two spaces and the text is padded with one space at each end, so the automaton
only ever reports whole-word matches: "RAS" is never found inside "NRAS", nor "mTOR"
inside "mTORC1" (gold/GUIDELINES.md, section 2). Because the fold keeps the length,
offsets into the folded text are offsets into the original.

Two automata are kept: one over case-folded keys for names that match in any case
(generic drug names, long gene names) and one over case-kept keys for symbols, whose
case carries meaning ("MET" the gene, "met" the verb). The cost per document is one pass
of each automaton over the text: nothing proportional to the size of the lexicon.
pyahocorasick was chosen over spaCy's PhraseMatcher by measurement
(``bench/lexicon_matchers.py``, results beside it).
"""

from __future__ import annotations

import gzip
import json
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import ahocorasick

from atc_mine.errors import PatternFileError

#: Everything that is not a letter or a digit (``\w`` minus ``_``): folded to a space.
#: The two fold functions keep their last few results: the DRUG and GENE recognisers and
#: the variant recogniser fold the same document text one after the other.
_NON_WORD = re.compile(r"[\W_]")
#: The same fold of ASCII characters as a table: ``str.translate`` of an ASCII text through an
#: ASCII table is a C loop, about three times faster than the regex's substitutions.
_ASCII_NON_WORD = str.maketrans(dict.fromkeys((chr(c) for c in range(128) if not chr(c).isalnum()), " "))


#: The same table for bytes, "?" included: what ``encode("ascii", "replace")`` writes for
#: each non-ASCII character, put back afterwards where that character is a letter or digit.
_ASCII_NON_WORD_BYTES = bytes(c if chr(c).isalnum() else 32 for c in range(256))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4)
def fold_case_kept(text: str) -> str:
    """``text`` with every non-alphanumeric character replaced by a space (same length)."""
    if text.isascii():
        return text.translate(_ASCII_NON_WORD)
    # The ASCII characters through the byte table (one C pass), then the few non-ASCII ones,
    # each a space unless it is a letter or digit: the regex's substitutions, far cheaper.
    folded = text.encode("ascii", "replace").translate(_ASCII_NON_WORD_BYTES).decode("ascii")
    parts = []
    position = 0
    for m in _NON_ASCII.finditer(text):
        char = m.group()
        if char.isalnum():
            parts += [folded[position : m.start()], char]
            position = m.end()
    parts.append(folded[position:])
    return "".join(parts)


@lru_cache(maxsize=4)
def fold(text: str) -> str:
    """Case-folded :func:`fold_case_kept`, same length as ``text``."""
    kept = fold_case_kept(text)
    lowered = kept.lower()
    if len(lowered) == len(kept):
        return lowered
    # A few characters lowercase to two code points (e.g. U+0130): fold one by one.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in kept)


def key_of(surface: str, case_sensitive: bool) -> str:
    """The automaton key of a name: folded, runs of spaces collapsed, padded by spaces."""
    folded = fold_case_kept(surface) if case_sensitive else fold(surface)
    return " " + " ".join(folded.split()) + " "


def is_word_char(char: str) -> bool:
    return char.isalnum()


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    """One name of one concept.

    ``needs_context`` marks a name that collides with a common abbreviation of the text
    (for a gene: "PR", "CT", "OS"); the recogniser decides on context whether such a
    match stands. ``common_word`` marks a name that is an everyday English word written
    in capitals ("SET", "MAX"), which only counts outside all-capitals text.
    """

    surface: str
    norm: str
    label: str
    case_sensitive: bool = False
    needs_context: bool = False
    common_word: bool = False


#: Flag bits stored per name (the compiled file writes each name's flags as one digit).
CASE_SENSITIVE, NEEDS_CONTEXT, COMMON_WORD = 1, 2, 4
_DIGIT_VALUES = bytes.maketrans(b"01234567", bytes(range(8)))


class Lexicon:
    """Names of one label -> (norm, flags). Longest match wins; overlaps resolve left to right.

    Storage is compact because the full lexicon holds ~300k names: each automaton maps a
    key to an int (pyahocorasick ``STORE_INTS``), and per-name data lives in arrays
    (norm index, flags, key length); :class:`LexiconEntry` objects are made only for the
    names a text actually contains.
    """

    def __init__(self, label: str, entries: Iterable[LexiconEntry] = ()) -> None:
        self.label = label
        self._automata = {
            True: ahocorasick.Automaton(ahocorasick.STORE_INTS),
            False: ahocorasick.Automaton(ahocorasick.STORE_INTS),
        }
        self._norms: list[str] = []
        self._norm_index: dict[str, int] = {}
        self._norm_of = array("I")
        self._flags = array("B")
        self._key_length = array("H")
        self._built = False
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._flags)

    def add(self, entry: LexiconEntry) -> None:
        """Add a name; a name whose key is already present is ignored (first one wins)."""
        flags = (
            (CASE_SENSITIVE if entry.case_sensitive else 0)
            | (NEEDS_CONTEXT if entry.needs_context else 0)
            | (COMMON_WORD if entry.common_word else 0)
        )
        self.add_key(key_of(entry.surface, entry.case_sensitive), entry.norm, flags)

    def add_key(self, key: str, norm: str, flags: int) -> None:
        """Add a name by its precomputed key (see :func:`key_of`)."""
        if not key.strip():
            return
        automaton = self._automata[bool(flags & CASE_SENSITIVE)]
        if automaton.exists(key):
            return
        index = self._norm_index.get(norm)
        if index is None:
            index = self._norm_index[norm] = len(self._norms)
            self._norms.append(norm)
        automaton.add_word(key, len(self._flags))
        self._norm_of.append(index)
        self._flags.append(flags)
        self._key_length.append(len(key))
        self._built = False

    @classmethod
    def from_columns(cls, label: str, norms: list[str], keys: list[str], norm_of: list[int], flags: str) -> Lexicon:
        """Bulk load of a compiled lexicon: unpadded keys (see :func:`key_of`), each with an
        index into ``norms`` and its flags as one decimal digit. Keys must be unique."""
        lexicon = cls(label)
        lexicon._norms = list(norms)
        lexicon._norm_index = {norm: i for i, norm in enumerate(norms)}
        lexicon._norm_of = array("I", norm_of)
        lexicon._flags = array("B", flags.encode("ascii").translate(_DIGIT_VALUES))
        lexicon._key_length = array("H", (len(key) + 2 for key in keys))
        automata = lexicon._automata
        for row, (key, flag) in enumerate(zip(keys, lexicon._flags, strict=True)):
            automata[flag & CASE_SENSITIVE == CASE_SENSITIVE].add_word(" " + key + " ", row)
        return lexicon

    def _entry(self, row: int, surface: str) -> LexiconEntry:
        flags = self._flags[row]
        return LexiconEntry(
            surface,
            self._norms[self._norm_of[row]],
            self.label,
            bool(flags & CASE_SENSITIVE),
            bool(flags & NEEDS_CONTEXT),
            bool(flags & COMMON_WORD),
        )

    def lookup(self, surface: str) -> LexiconEntry | None:
        """The entry a whole string would match as written (case-sensitive names first)."""
        for case_sensitive in (True, False):
            row = self._automata[case_sensitive].get(key_of(surface, case_sensitive), None)
            if row is not None:
                return self._entry(row, surface)
        return None

    def _ensure_built(self) -> None:
        if not self._built:
            for automaton in self._automata.values():
                if len(automaton):
                    automaton.make_automaton()
            self._built = True

    def _raw_matches(self, text: str) -> list[tuple[int, int, int]]:
        """Every whole-word match as (start, end, row), case-kept automaton first."""
        self._ensure_built()
        key_length = self._key_length
        found: list[tuple[int, int, int]] = []
        for case_sensitive, automaton in self._automata.items():
            if automaton.kind != ahocorasick.AHOCORASICK:
                continue  # empty
            padded = " " + (fold_case_kept(text) if case_sensitive else fold(text)) + " "
            # ``last`` is the key's closing space in ``padded``; the name ends one before
            # it, and padding shifts every offset by one.
            found += [(last - key_length[row] + 1, last - 1, row) for last, row in automaton.iter(padded)]
        return found

    def iter_raw(self, text: str) -> Iterator[tuple[int, int, LexiconEntry]]:
        """Every whole-word match, overlapping ones included, as (start, end, entry)."""
        for start, end, row in self._raw_matches(text):
            yield start, end, self._entry(row, text[start:end])

    def find(self, text: str) -> list[tuple[int, int, LexiconEntry]]:
        """Non-overlapping matches, preferring the longest at each position (the first
        automaton's on a tie). Entries are made only for the matches chosen."""
        matches = sorted(self._raw_matches(text), key=_leftmost_longest)
        chosen: list[tuple[int, int, LexiconEntry]] = []
        last_end = -1
        for start, end, row in matches:
            if start >= last_end:
                chosen.append((start, end, self._entry(row, text[start:end])))
                last_end = end
        return chosen


def _leftmost_longest(match: tuple[int, int, int]) -> tuple[int, int]:
    return match[0], match[0] - match[1]


# -- the compiled lexicon -------------------------------------------------------------------
#: The compiled lexicon (built by ``atc_mine.nlp.lexicon_build``) and the layout it must have.
COMPILED_NAME = "lexicon.json.gz"
COMPILED_FORMAT = 1


@dataclass(frozen=True)
class CompiledLexicon:
    """The DRUG and GENE lexicons with their concepts' identifiers and provenance."""

    lexicons: dict[str, Lexicon]
    concepts: dict[str, dict[str, dict[str, str]]]
    sources: dict[str, str]
    curated: dict[str, str]
    built: str

    def identifiers(self, label: str, norm: str) -> dict[str, str]:
        """DrugBank / UNII / MeSH ids of a drug, the HGNC id of a gene ({} when unknown)."""
        return dict(self.concepts.get(label, {}).get(norm, {}))


def read_compiled(path: Path) -> dict:
    """The compiled lexicon file as plain data (checked for its format)."""
    try:
        with gzip.open(path, "rb") as handle:
            data = json.loads(handle.read())
    except FileNotFoundError:
        raise PatternFileError(f"{path.name}: compiled lexicon missing; run `make lexicon`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise PatternFileError(f"{path.name}: unreadable compiled lexicon ({exc}); run `make lexicon`") from None
    if not isinstance(data, dict) or data.get("format") != COMPILED_FORMAT:
        raise PatternFileError(
            f"{path.name}: compiled lexicon format {data.get('format')!r}, expected {COMPILED_FORMAT}"
        )
    return data


def lexicon_from_columns(label: str, columns: dict) -> Lexicon:
    """A :class:`Lexicon` from one label's columns of the compiled file."""
    try:
        return Lexicon.from_columns(label, columns["norms"], columns["keys"], columns["norm"], columns["flags"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PatternFileError(f"compiled lexicon: {label} columns are malformed ({exc}); run `make lexicon`") from None


def compiled_lexicon(name: str = COMPILED_NAME) -> CompiledLexicon:
    """The compiled lexicon, loaded once per process (and per user from a cache:
    :mod:`atc_mine.nlp.lexicon_cache`; about a second for ~380k names without it)."""
    from atc_mine.nlp.rules import data_path

    return _load_compiled(Path(name) if Path(name).is_absolute() else data_path(name))


@cache
def _load_compiled(path: Path) -> CompiledLexicon:
    # Keyed by the resolved path: ``compiled_lexicon()`` and ``compiled_lexicon(COMPILED_NAME)``
    # are one load, not two.
    from atc_mine.nlp.lexicon_cache import load_or_build

    return load_or_build(path, lambda: _read_and_build(path), CompiledLexicon)


def _read_and_build(path: Path) -> CompiledLexicon:
    data = read_compiled(path)
    compiled = CompiledLexicon(
        lexicons={label: lexicon_from_columns(label, columns) for label, columns in data["entries"].items()},
        concepts=data.get("concepts", {}),
        sources=data.get("sources", {}),
        curated=data.get("curated", {}),
        built=data.get("built", ""),
    )
    for lexicon in compiled.lexicons.values():
        lexicon._ensure_built()  # built once, before caching: a cached lexicon is ready to match
    return compiled
