"""A dictionary matcher over raw text: one Aho-Corasick automaton for many names.

Real abstracts put names inside tokens ("carboplatin/paclitaxel", "lenvatinib-
pembrolizumab", "BRAF-mutant"), so matching is done on characters with word-boundary
checks, not on tokens. Text is folded to a same-length form first (lowercase, dash and
space variants unified) so offsets into the folded text are offsets into the original.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

#: Dash and space variants seen in PDF-derived abstracts, folded to ASCII (same length).
_FOLD = str.maketrans(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u00a0": " ",  # no-break space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space
    }
)


def fold(text: str) -> str:
    """Lowercase and unify dashes/spaces without changing the string's length."""
    folded = text.translate(_FOLD).lower()
    if len(folded) == len(text):
        return folded
    # A few characters lowercase to two code points (e.g. U+0130): fold one by one.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_FOLD))


def is_word_char(char: str) -> bool:
    return char.isalnum()


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    surface: str  # the name as written in the lexicon
    norm: str
    label: str
    case_sensitive: bool = False


class Lexicon:
    """Surface forms -> (label, norm). Longest match wins; overlaps are resolved left to right."""

    def __init__(self, entries: Iterable[LexiconEntry] = ()) -> None:
        self._automaton = ahocorasick.Automaton()
        self._size = 0
        for entry in entries:
            self.add(entry)
        self._built = False

    def __len__(self) -> int:
        return self._size

    def add(self, entry: LexiconEntry) -> None:
        key = fold(entry.surface)
        if not key.strip():
            return
        existing = self._automaton.get(key, None)
        entries = existing + (entry,) if existing else (entry,)
        if existing and any(
            e.norm == entry.norm and e.case_sensitive == entry.case_sensitive and e.label == entry.label
            for e in existing
        ):
            return
        self._automaton.add_word(key, entries)
        if not existing:
            self._size += 1
        self._built = False

    def _ensure_built(self) -> None:
        if not self._built:
            self._automaton.make_automaton()
            self._built = True

    def iter_raw(self, text: str) -> Iterator[tuple[int, int, LexiconEntry]]:
        """Every boundary-respecting match (overlapping ones included)."""
        self._ensure_built()
        if self._size == 0:
            return
        folded = fold(text)
        length = len(text)
        for end_index, entries in self._automaton.iter(folded):
            end = end_index + 1
            start = end - len(fold(entries[0].surface))
            if start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start]):
                continue
            if end < length and is_word_char(text[end]) and is_word_char(text[end - 1]):
                continue
            for entry in entries:
                if entry.case_sensitive and text[start:end] != entry.surface:
                    continue
                yield start, end, entry
                break

    def find(self, text: str) -> list[tuple[int, int, LexiconEntry]]:
        """Non-overlapping matches, preferring the longest at each position."""
        matches = sorted(self.iter_raw(text), key=lambda m: (m[0], -(m[1] - m[0])))
        chosen: list[tuple[int, int, LexiconEntry]] = []
        last_end = -1
        for start, end, entry in matches:
            if start >= last_end:
                chosen.append((start, end, entry))
                last_end = end
            elif chosen and start == chosen[-1][0] and end > chosen[-1][1]:
                chosen[-1] = (start, end, entry)
                last_end = end
        return chosen
