"""Literal screens: a cheap, sound test that a regex *cannot* match a text.

Most text atc-mine reads holds nothing it extracts: a sentence of a random MEDLINE abstract
names no trial registry and states no response rate. Running every template regex over it
costs more than everything else the pipeline does. A *screen* answers "can this regex match
here at all?" from the literal strings any match must contain, the idea behind the
prefilters of RE2 and Hyperscan (Cox, "Regular Expression Matching with a Trigram Index",
2012): ``(?i:median)\\s+(?:PFS|OS)\\b`` cannot match a text that holds neither "median
pfs" ... nor "median" at all.

:func:`requirement` reads a compiled pattern's parse tree (the standard library's own
parser, ``re._parser``) and returns what every match must contain as an AND of ORs of
lower-case literals (a :data:`Requirement`). It only ever weakens: when a construct is not
understood it requires nothing, so a screen can let through a text the regex does not match,
never the reverse. :class:`LiteralScreen` holds the requirements of many regexes in one
Aho-Corasick automaton, so one pass over a text tells which of them could match.

Soundness rests on four rules, each checked by ``tests/nlp/test_prefilter.py``:

1. Literals are compared in lower case, after :data:`CASE_FOLDS` maps the few non-ASCII
   characters that ``re.IGNORECASE`` treats as ASCII letters ("ſ" matches "s", the Kelvin
   sign "K" matches "k"); literals keep ASCII characters only.
2. Optional parts (``?``, ``*``, ``{0,n}``), negative lookarounds, backreferences and
   conditionals require nothing; a positive lookaround's literals are in the text too.
3. An alternation requires one clause of each branch (the union of the branches' most
   selective clauses); a branch that requires nothing makes the alternation require nothing.
4. Characters in ``excluded`` break literals: a caller whose text is rewritten before the
   regex runs (outcome templates run on text with doses masked to "#" and drugs to "§")
   excludes the characters the rewrite writes, so a literal found in the masked text is in
   the unmasked text too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import ahocorasick

try:  # the standard library's regex parser (Python 3.11+); without it nothing is screened
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - other interpreters
    _sre = _sre_parse = None

#: An OR of literals (any one of them in the text satisfies it).
Clause = frozenset[str]
#: An AND of clauses; the empty tuple requires nothing (the regex may match any text).
Requirement = tuple[Clause, ...]

#: A literal shorter than this is not worth a clause: one character ("-", "%") is in every
#: text, so a clause holding it screens nothing and costs an automaton hit per occurrence.
MIN_LITERAL = 2

#: Up to this many literals a screen tests each with ``in`` (a few substring searches cost less
#: than walking an automaton that reports every occurrence of a common literal such as "20").
#: Measured on the real abstracts: ``in`` costs ~1 us per literal, one automaton pass ~12 us.
SMALL_SCREEN = 16

#: Non-ASCII characters that ``re.IGNORECASE`` matches to an ASCII letter (CPython's
#: ``re._casefix`` and ``str.lower``), mapped before lower-casing a text to screen.
#: ``tests/nlp/test_prefilter.py`` checks every code point against the regex engine.
CASE_FOLDS = str.maketrans({"\u017f": "s", "\u212a": "k", "\u0131": "i", "\u0130": "i"})


def fold_for_screen(text: str) -> str:
    """The form of a text that literals are looked up in (lower case, :data:`CASE_FOLDS`)."""
    if not text.isascii() and any(chr(code) in text for code in CASE_FOLDS):  # translate is slow: only if needed
        text = text.translate(CASE_FOLDS)
    return text.lower()


def requirement(pattern: re.Pattern[str] | str, flags: int = 0, *, excluded: str = "") -> Requirement:
    """What every match of ``pattern`` must contain, as an AND of ORs of lower-case literals.

    ``excluded``: characters that may not be part of a literal (see the module docstring).
    Returns ``()`` (no requirement) for a pattern this cannot read.
    """
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, flags)
    if _sre_parse is None or not isinstance(source, str):
        return ()
    try:
        tree = _sre_parse.parse(source, flags)
    except Exception:  # noqa: BLE001  (an unreadable pattern is simply not screened)
        return ()
    return _dedupe(_sequence(tree, frozenset(excluded)))


def _dedupe(clauses: Iterable[Clause]) -> Requirement:
    return tuple(dict.fromkeys(clauses))


def _literal_char(code: int, excluded: frozenset[str]) -> str | None:
    char = chr(code)
    if not char.isascii() or char in excluded:
        return None
    return char.lower()


def _one_literal(members: Sequence[tuple[object, object]], excluded: frozenset[str]) -> str | None:
    """The letter a character class stands for when it only lists its cases (``[Nn]``)."""
    chars = set()
    for op, av in members:
        if op is not _sre.LITERAL:
            return None
        char = _literal_char(av, excluded)  # type: ignore[arg-type]
        if char is None:
            return None
        chars.add(char)
    return chars.pop() if len(chars) == 1 else None


def _sequence(items: Iterable[tuple[object, object]], excluded: frozenset[str]) -> list[Clause]:
    """The clauses a sequence of parsed items requires (literal runs, then nested parts)."""
    clauses: list[Clause] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= MIN_LITERAL:
            clauses.append(frozenset({"".join(run)}))
        run.clear()

    for op, av in items:
        if op is _sre.LITERAL:
            char = _literal_char(av, excluded)  # type: ignore[arg-type]
            if char is None:
                flush()
            else:
                run.append(char)
            continue
        if op is _sre.IN:
            char = _one_literal(av, excluded)  # type: ignore[arg-type]
            if char is not None:
                run.append(char)
                continue
        flush()
        if op is _sre.SUBPATTERN:
            clauses += _sequence(av[-1], excluded)  # type: ignore[index]
        elif op is _sre.ATOMIC_GROUP:
            clauses += _sequence(av, excluded)  # type: ignore[arg-type]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            low, _high, body = av  # type: ignore[misc]
            if low >= 1:
                clauses += _sequence(body, excluded)
        elif op is _sre.ASSERT:
            clauses += _sequence(av[1], excluded)  # type: ignore[index]
        elif op is _sre.BRANCH:
            clause = _alternation(av[1], excluded)  # type: ignore[index]
            if clause:
                clauses.append(clause)
        # AT (anchors, \b), ASSERT_NOT, ANY, NOT_LITERAL, other classes, GROUPREF,
        # GROUPREF_EXISTS: nothing required.
    flush()
    return clauses


def _alternation(branches: Sequence[object], excluded: frozenset[str]) -> Clause | None:
    """One clause implied by an alternation: the union of each branch's most selective clause."""
    union: set[str] = set()
    for branch in branches:
        clauses = _sequence(branch, excluded)  # type: ignore[arg-type]
        if not clauses:
            return None  # this branch can match without any literal
        union |= max(clauses, key=lambda c: (min(map(len, c)), -len(c)))
    return frozenset(union)


class LiteralScreen:
    """The requirements of several regexes, looked up in one pass over a text.

    >>> screen = LiteralScreen([requirement(re.compile(r"NCT\\d{8}")), requirement(re.compile(r"\\d+"))])
    >>> screen.possible(screen.present("no registry here"))
    [False, True]
    """

    def __init__(self, requirements: Sequence[Requirement]) -> None:
        literals = sorted({literal for req in requirements for clause in req for literal in clause})
        ids = {literal: i for i, literal in enumerate(literals)}
        self._literals = list(ids.items())
        self._automaton: ahocorasick.Automaton | None = None
        if len(literals) > SMALL_SCREEN:
            self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for literal, i in ids.items():
                self._automaton.add_word(literal, i)
            self._automaton.make_automaton()
        self._requirements = [tuple(frozenset(ids[lit] for lit in clause) for clause in req) for req in requirements]
        # The same requirements by clause: a regex is possible when every clause it needs is met,
        # and a text meets the clauses of the few literals it holds (see :meth:`clauses_met`).
        clause_ids: dict[frozenset[int], int] = {}
        self._needs = [frozenset(clause_ids.setdefault(c, len(clause_ids)) for c in req) for req in self._requirements]
        clauses_of: list[list[int]] = [[] for _ in literals]
        for clause, clause_id in clause_ids.items():
            for literal in clause:
                clauses_of[literal].append(clause_id)
        self._clauses_of = [tuple(ids) for ids in clauses_of]

    def __len__(self) -> int:
        return len(self._requirements)

    def present(self, text: str) -> set[int]:
        """Ids of the literals ``text`` contains (the argument of :meth:`possible`)."""
        if not self._literals:
            return set()
        folded = fold_for_screen(text)
        if self._automaton is None:
            return {i for literal, i in self._literals if literal in folded}
        return {i for _end, i in self._automaton.iter(folded)}

    def possible(self, present: set[int]) -> list[bool]:
        """For each regex, in order: can it match a text whose literals are ``present``?"""
        met = self.clauses_met(present)
        return [needs <= met for needs in self._needs]

    def clauses_met(self, present: set[int]) -> set[int]:
        """The clauses a text whose literals are ``present`` meets (the argument of :meth:`is_possible`)."""
        met: set[int] = set()
        for literal in present:
            met.update(self._clauses_of[literal])
        return met

    def needs(self, index: int) -> frozenset[int]:
        """The clauses regex ``index`` needs met (it is possible when they are a subset of :meth:`clauses_met`)."""
        return self._needs[index]

    def is_possible(self, met: set[int], index: int) -> bool:
        """:meth:`possible` for one regex, from :meth:`clauses_met`: a caller that needs only a
        few of the regexes asks for those."""
        return self._needs[index] <= met

    def any_possible(self, text: str) -> bool:
        """Can any of the regexes match ``text``?"""
        disjoint = self.present(text).isdisjoint
        return any(not any(map(disjoint, req)) for req in self._requirements)
