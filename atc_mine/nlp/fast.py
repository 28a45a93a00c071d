"""The fast path: the same components on the text alone, spaCy's tokens only where they matter.

Every atc component reads ``doc.text`` and the plain values of ``doc._`` (see
:mod:`atc_mine.nlp.doc_data`); none reads tokens. Only scispaCy's abbreviation detector
(Schwartz & Hearst 2003) needs them, and for an abstract scispaCy's tokeniser (~0.9 ms) and the
detector (~1.4 ms) cost as much as all recognisers together, while ``Doc.text`` is rebuilt
from every token each time a component reads it. :class:`FastPipeline` therefore runs
each component's own ``__call__`` on a :class:`TextDoc` (a text and its extension values, no
tokens) and tokenises a document only when the detector's result can change the output:

- **Outcomes** read the abbreviations only for a document with candidate figures, and only
  regimen abbreviations ("carboplatin/paclitaxel (CP)": a long form holding two drugs), so a
  document naming fewer than two drugs gets an empty list. The value is *lazy*: the detector
  runs the first time a component reads ``doc._.abbreviations``.
- **Trial IDs**: a registry pattern runs only on a text holding the literals every match of it
  must hold (:mod:`atc_mine.nlp.prefilter`: "NCT", "ISRCTN", "ChiCTR" ...).
- **Genes** read them for every document, but use only definitions whose short form is a
  gene name the lexicon finds in the text. A short form is the whole content of a bracket
  pair, or the token just before a bracket (scispaCy's ``filter_matches``), and every other
  occurrence the detector adds has the same characters apart from whitespace. So when no gene
  name of the text, whitespace removed, stands as ``(NAME)`` or ``NAME(`` in the text with
  whitespace removed, the definitions cannot matter, and the gene recogniser reads an empty
  list instead (:func:`gene_abbreviations_matter`). When one can, it reads the definitions of
  only the brackets next to a gene name (:func:`gene_window_abbreviations`).

When the detector does run, it tokenises only windows around the brackets
(:func:`bracket_windows`, about 60% of an abstract that has brackets): spaCy tokenises each
whitespace-separated chunk alone, so a window of whole chunks holds the text's own tokens.

The result is the same extraction as ``nlp.pipe`` gives, document for document;
``tests/nlp/test_fast.py`` checks it on every real document of ``corpora/`` and ``gold/``.
A pipeline holding a component this module does not know runs the plain spaCy way
(:func:`fast_pipeline` returns None).
"""

from __future__ import annotations

import copy
import re
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.nlp import doc_data
from atc_mine.nlp.lexicon import Lexicon
from atc_mine.nlp.prefilter import LiteralScreen, requirement
from atc_mine.records import Document, Extraction

#: The factories whose components only read ``doc.text`` and ``doc._`` (the fast path can run
#: them on a :class:`TextDoc`), and scispaCy's detector, which the fast path runs lazily.
TEXT_FACTORIES = frozenset({"atc_sentences", "atc_trial_ids", "atc_variants", "atc_drugs", "atc_genes", "atc_outcomes"})
ABBREVIATION_FACTORY = "abbreviation_detector"
GENE_FACTORY = "atc_genes"
OUTCOME_FACTORY = "atc_outcomes"
TRIAL_ID_FACTORY = "atc_trial_ids"
#: The Doc extension the detector writes (``scispacy.abbreviation``).
ABBREVIATIONS = "abbreviations"

#: Documents per spaCy memory zone: what the tokeniser adds inside one (a quarter of
#: abstracts are tokenised, ~200 new strings each) is freed at its end.
ZONE_DOCUMENTS = 5000
#: Tokenised documents before the first zone. Inside a zone spaCy's tokeniser never caches
#: (``Tokenizer._save_cached`` returns early), so each abstract costs ~3.7 ms instead of
#: ~0.9 ms. The chunks of the first documents ("patients", "(n=12)") are cached for good
#: instead: the most frequent ones of any later text, for a few MB.
WARM_TOKENISED = 2000

#: scispaCy's ``filter_matches`` skips brackets holding more than this many tokens.
MAX_BRACKETED_TOKENS = 8


class Extensions:
    """``doc._`` of a :class:`TextDoc`: extension values by name, some computed on first read."""

    __slots__ = ("_values", "_lazy")

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._lazy: dict[str, Callable[[], Any]] = {}

    def get(self, name: str) -> Any:
        if name not in self._values and name in self._lazy:
            self._values[name] = self._lazy.pop(name)()
        return self._values.get(name)

    def set(self, name: str, value: Any) -> None:
        self._lazy.pop(name, None)
        self._values[name] = value

    def set_lazy(self, name: str, compute: Callable[[], Any]) -> None:
        """``compute()`` becomes the value the first time it is read."""
        self._values.pop(name, None)
        self._lazy[name] = compute

    def has(self, name: str) -> bool:
        return name in self._values or name in self._lazy

    def is_computed(self, name: str) -> bool:
        return name in self._values

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if not self.has(name):
            raise AttributeError(f"no extension value {name!r}")
        return self.get(name)

    @contextmanager
    def overriding(self, name: str, value: Any) -> Iterator[None]:
        """``value`` stands for ``name`` inside the block; the previous (possibly lazy) value after."""
        saved_value = self._values.pop(name, _MISSING)
        saved_lazy = self._lazy.pop(name, None)
        self._values[name] = value
        try:
            yield
        finally:
            del self._values[name]
            if saved_value is not _MISSING:
                self._values[name] = saved_value
            if saved_lazy is not None:
                self._lazy[name] = saved_lazy


_MISSING = object()


def _holds_two_drugs(doc: Any) -> bool:
    """Does the document name two different drugs (its DRUG entities so far)?"""
    norms = {norm for label, _start, _end, norm in doc_data.entities(doc) if label == "DRUG"}
    return len(norms) >= 2


class TextDoc:
    """A document as a text-only component sees it: ``text`` and ``_``, and no tokens (``len`` 0)."""

    __slots__ = ("text", "_")

    def __init__(self, text: str) -> None:
        self.text = text
        self._ = Extensions()

    def __len__(self) -> int:
        return 0


def paren_matches(doc: Doc) -> list[tuple[int, int, int]]:
    """What scispaCy's ``Matcher`` pattern ``( + )`` finds, bounded as the detector bounds it.

    Every "(" token with a ")" token after it and at least one token between, ordered as
    spaCy's Matcher returns them (by end, then the innermost start first), keeping only
    those with at most :data:`MAX_BRACKETED_TOKENS` tokens inside: ``filter_matches`` drops
    the others. A direct scan instead of the wildcard pattern, whose partial matches grow
    with every bracket of the text.
    """
    if not len(doc):
        return []
    orths = doc.to_array(ORTH)
    opens = np.flatnonzero(orths == doc.vocab.strings["("]).tolist()
    if not opens:
        return []
    found: list[tuple[int, int, int]] = []
    for i in np.flatnonzero(orths == doc.vocab.strings[")"]).tolist():
        for start in reversed(opens[: bisect_left(opens, i)]):
            inside = i - start - 1
            if inside > MAX_BRACKETED_TOKENS:
                break
            if inside >= 1:
                found.append((0, start, i + 1))
    return found


def detect_abbreviations(detector: Any, doc: Doc) -> Doc:
    """scispaCy's ``AbbreviationDetector.__call__``, keeping the definitions only.

    The bracket matcher is :func:`paren_matches`; the candidates are scispaCy's own
    ``filter_matches`` and ``find_abbreviation``, deduplicated as ``find_matches_for`` does
    (the first definition of a short form and of a long form wins). What is left out is the
    detector's global matcher, which adds every later occurrence of a defined short form: both
    readers (:func:`atc_mine.nlp.genes.abbreviation_definitions`, the outcome extractor's
    abbreviation pairs) read only (short form text, long form), which those occurrences
    repeat, and on an abstract the matcher costs more than everything else here.
    ``tests/nlp/test_fast.py`` checks the definitions against scispaCy's detector.
    """
    from scispacy.abbreviation import filter_matches, find_abbreviation

    matches_no_brackets = [(x[0], x[1] + 1, x[2] - 1) for x in paren_matches(doc)]
    seen_long: set[str] = set()
    seen_short: set[str] = set()
    for long_candidate, short_candidate in filter_matches(matches_no_brackets, doc):
        short, long_form = find_abbreviation(long_candidate, short_candidate)
        if not long_form or long_form.text in seen_long or short.text in seen_short:
            continue
        seen_long.add(long_form.text)
        seen_short.add(short.text)
        short._.long_form = long_form
        doc._.abbreviations.append(short)
    if detector.make_serializable:
        doc._.abbreviations = [detector.make_short_form_serializable(a) for a in doc._.abbreviations]
    return doc


@dataclass(frozen=True, slots=True)
class LongForm:
    text: str
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A definition the detector found in a window of the text (:func:`window_abbreviations`),
    in document offsets: what both readers read of scispaCy's short-form Span (``text`` and
    ``_.long_form``'s text and character offsets; ``_`` is the record itself)."""

    text: str
    start_char: int
    end_char: int
    long_form: LongForm

    @property
    def _(self) -> Abbreviation:
        return self


_OPEN_BRACKET = re.compile(r"\(")
#: ``str.isspace`` of every code point up to U+3000 (the last space character), then False:
#: a text's chunks are found with one table look-up per character (numpy) instead of a regex
#: match object per chunk.
_LAST_SPACE = 0x3000
_IS_SPACE = np.array([chr(code).isspace() for code in range(_LAST_SPACE + 1)] + [False])


def chunk_bounds(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the whitespace-separated chunks of ``text`` (``\\S+``'s matches)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    word = ~_IS_SPACE[np.minimum(codes, _LAST_SPACE + 1)]
    edges = np.diff(word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()


#: ``filter_matches`` reads a bracket of at most this many tokens as a short form.
SHORT_FORM_TOKENS = 3


def bracket_windows(text: str, brackets: Mapping[int, int | None] | None = None) -> list[tuple[int, int]]:
    """The parts of ``text`` the detector's result depends on: around every "(", whole
    whitespace-separated chunks, merged where they meet.

    spaCy's tokeniser splits at whitespace first and tokenises each chunk alone, so a window
    that starts and ends at chunk boundaries holds the tokens the whole text has there (each
    chunk at least one token). A window reaches :data:`MAX_BRACKETED_TOKENS` + 2 chunks past
    the "(" (the ")" of any match) and back 2L + 2 chunks, where L bounds the characters of a
    bracketed short form (its at most three tokens lie within the next three chunks): the
    long-form candidate ``filter_matches`` takes is at most ``min(L + 5, 2L)`` tokens before
    the bracket.

    ``brackets``: only around the "(" at these offsets, each with its own L where known.
    """
    if "(" not in text:
        return []
    starts, ends = chunk_bounds(text)
    last = len(starts) - 1
    if brackets is None:
        brackets = dict.fromkeys(m.start() for m in _OPEN_BRACKET.finditer(text))
    reach: dict[int, int] = {}  # chunks back, by the chunk holding a "(" (in text order)
    for position, short_form_chars in brackets.items():
        i = bisect_right(starts, position) - 1
        if short_form_chars is None:
            short_form_chars = ends[min(i + SHORT_FORM_TOKENS, last)] - starts[i]
        reach[i] = max(reach.get(i, 0), 2 * short_form_chars + 2)
    windows: list[tuple[int, int]] = []
    for i, back in reach.items():
        first = starts[max(0, i - back)]
        stop = ends[min(last, i + MAX_BRACKETED_TOKENS + 2)]
        if windows and first <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(stop, windows[-1][1]))
        else:
            windows.append((first, stop))
    return windows


def window_abbreviations(detector: Any, make_doc: Callable[[str], Doc], text: str) -> list[Abbreviation]:
    """:func:`detect_abbreviations` on ``text``, tokenising only its :func:`bracket_windows`
    (on an abstract with brackets, about two thirds of it). Windows are read in text order
    with one record of the short and long forms seen, so the first definition of each still
    wins; ``tests/nlp/test_fast.py`` checks the definitions against scispaCy's on the real corpus."""
    return _window_definitions(detector, make_doc, text, bracket_windows(text))[0]


def gene_window_abbreviations(
    detector: Any, make_doc: Callable[[str], Doc], text: str, gene_names: Iterable[str]
) -> list[Abbreviation] | None:
    """The definitions of :func:`window_abbreviations` that the gene recogniser reads (those
    whose short form is one of ``gene_names``, surfaces the lexicon finds in ``text``), from
    the windows of only the brackets that can define one; None where that cannot be known.

    A short form is a bracket's content or the token before the bracket, so only a "(" with a
    name right after it or right before it can define a name; on an abstract that is one or
    two brackets of many ("(n = 12)", "(95% CI ...)"). Leaving the other brackets out changes
    nothing the gene recogniser reads unless it changes which definitions are taken first:
    that takes two definitions with one long-form text, so a second occurrence of it that
    could be a long form, one ending at a bracket (a long form is the end of the words before
    a "(" or of a bracket's content: scispaCy's ``find_abbreviation`` keeps a suffix). Where
    a long form taken here occurs so again, or one was turned down as seen, the answer is
    None and the caller reads every window (:func:`window_abbreviations`).
    """
    names = {name for name in gene_names if name}
    brackets: dict[int, int | None] = {}
    for m in _OPEN_BRACKET.finditer(text):
        inside = [len(name) for name in names if text.startswith(name, _word_start(text, m.end()))]
        if inside or any(text[: m.start()].rstrip().endswith(name) for name in names):
            brackets[m.start()] = max(inside, default=0)
    if not brackets:
        return []
    found, turned_down = _window_definitions(detector, make_doc, text, bracket_windows(text, brackets))
    if turned_down or any(_recurs_as_long_form(text, a.long_form) for a in found):
        return None
    return found


_BRACKET_AHEAD = re.compile(r"\s*[()]")


def _word_start(text: str, position: int) -> int:
    """The first offset from ``position`` that is not whitespace."""
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _recurs_as_long_form(text: str, long_form: LongForm) -> bool:
    """Does ``long_form``'s text occur elsewhere in ``text`` just before a bracket?"""
    part = long_form.text
    position = text.find(part)
    while position >= 0:
        end = position + len(part)
        if position != long_form.start_char and _BRACKET_AHEAD.match(text, end):
            return True
        position = text.find(part, position + 1)
    return False


def _window_definitions(
    detector: Any, make_doc: Callable[[str], Doc], text: str, windows: list[tuple[int, int]]
) -> tuple[list[Abbreviation], bool]:
    """The definitions the detector finds in ``windows`` of ``text``, and whether a candidate was
    turned down because its long form had been taken already."""
    from scispacy.abbreviation import filter_matches, find_abbreviation

    found: list[Abbreviation] = []
    seen_long: set[str] = set()
    seen_short: set[str] = set()
    turned_down = False
    for offset, end in windows:
        doc = make_doc(text[offset:end])
        matches_no_brackets = [(x[0], x[1] + 1, x[2] - 1) for x in paren_matches(doc)]
        for long_candidate, short_candidate in filter_matches(matches_no_brackets, doc):
            short, long_form = find_abbreviation(long_candidate, short_candidate)
            if not long_form:
                continue
            if long_form.text in seen_long:
                turned_down = True
                continue
            if short.text in seen_short:
                continue
            seen_long.add(long_form.text)
            seen_short.add(short.text)
            found.append(
                Abbreviation(
                    short.text,
                    offset + short.start_char,
                    offset + short.end_char,
                    LongForm(long_form.text, offset + long_form.start_char, offset + long_form.end_char),
                )
            )
    return found, turned_down


def gene_abbreviations_matter(text: str, gene_names: Iterable[str]) -> bool:
    """Could the abbreviation detector define any of ``gene_names`` (surfaces found in ``text``)?

    False means the detector's definitions cannot change the gene recogniser's output (see the
    module docstring); True means they might.
    """
    # "".join(x.split()) drops what re's \s matches (both read str.isspace), at a third of the cost.
    names = {"".join(name.split()) for name in gene_names}
    names.discard("")
    if not names or "(" not in text:
        return False
    squeezed = "".join(text.split())
    return any(f"({name})" in squeezed or f"{name}(" in squeezed for name in names)


class _LastFind:
    """A lexicon that remembers its last ``find``: the gene check and the gene recogniser look
    the same text up one after the other. Everything else goes to the lexicon itself."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._text: str | None = None
        self._found: list = []

    def find(self, text: str) -> list:
        if text is not self._text:
            self._found = self._lexicon.find(text)
            self._text = text
        return list(self._found)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lexicon, name)


class FastPipeline:
    """Runs ``nlp``'s components on :class:`TextDoc` objects, tokenising only when needed."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.steps: list[tuple[str, Callable[[Any], Any]]] = []
        self.detector: Callable[[Doc], Doc] | None = None
        for name, component in nlp.pipeline:
            factory = nlp.get_pipe_meta(name).factory
            if factory == ABBREVIATION_FACTORY:
                self.detector = component
            elif factory in TEXT_FACTORIES:
                if factory == GENE_FACTORY and isinstance(getattr(component, "lexicon", None), Lexicon):
                    component = copy.copy(component)  # reads the text's gene names the check found
                    component.lexicon = _LastFind(component.lexicon)
                self.steps.append((factory, component))
            else:
                raise ValueError(f"component {name!r} ({factory}) is not known to run on text alone")
        #: Trial-ID patterns with the literal screen of their regexes.
        self._trial_screens: dict[int, LiteralScreen] = {}
        #: How many times a document's windows were tokenised for the detector, and how many
        #: of those for the gene recogniser alone (a measure of the prefilter, printed by
        #: ``make bench``).
        self.stats = {"documents": 0, "tokenised": 0, "tokenised_for_genes": 0, "tokenised_outside_zones": 0}

    @classmethod
    def supports(cls, nlp: Language) -> bool:
        return all(
            nlp.get_pipe_meta(name).factory in TEXT_FACTORIES | {ABBREVIATION_FACTORY} for name in nlp.pipe_names
        )

    def _count_tokenised(self) -> None:
        self.stats["tokenised"] += 1
        if not self.nlp.vocab.in_memory_zone:
            self.stats["tokenised_outside_zones"] += 1

    def _abbreviations(self, text: str) -> Callable[[], list]:
        def compute() -> list:
            self._count_tokenised()
            if getattr(self.detector, "make_serializable", False):  # its readers expect dicts then
                return detect_abbreviations(self.detector, self.nlp.make_doc(text))._.abbreviations
            return window_abbreviations(self.detector, self.nlp.make_doc, text)

        return compute

    @property
    def warming(self) -> bool:
        """Still filling the tokeniser's cache (see :data:`WARM_TOKENISED`)?"""
        return self.stats["tokenised_outside_zones"] < WARM_TOKENISED

    def make_doc(self, document: Document) -> TextDoc:
        """A :class:`TextDoc` with the document's context, as ``nlp.pipe`` would start it."""
        from atc_mine.nlp.pipeline import doc_context

        doc = TextDoc(document.text)
        doc._.set(doc_data.CONTEXT, doc_context(document))
        if self.detector is not None:
            doc._.set_lazy(ABBREVIATIONS, self._abbreviations(document.text))
        elif Doc.has_extension(ABBREVIATIONS):
            doc._.set(ABBREVIATIONS, [])  # the default a Doc would give
        return doc

    def __call__(self, doc: TextDoc) -> TextDoc:
        self.stats["documents"] += 1
        for factory, component in self.steps:
            if factory == TRIAL_ID_FACTORY and hasattr(component, "patterns"):
                self._trial_ids(doc, component)
                continue
            if factory == GENE_FACTORY and doc._.has(ABBREVIATIONS):
                definitions = self._gene_abbreviations(doc, component)
                if definitions is not None:
                    with doc._.overriding(ABBREVIATIONS, definitions):
                        component(doc)
                    continue
            if (
                factory == OUTCOME_FACTORY
                and doc._.has(ABBREVIATIONS)
                and not doc._.is_computed(ABBREVIATIONS)
                and not _holds_two_drugs(doc)
            ):
                # the outcome extractor reads only definitions of regimens, whose long forms
                # hold two drugs or more (attribution.regimen_abbreviations)
                with doc._.overriding(ABBREVIATIONS, []):
                    component(doc)
                continue
            component(doc)
        return doc

    def _trial_ids(self, doc: TextDoc, component: Any) -> None:
        """``TrialIdRecognizer.__call__`` with only the patterns that can match this text
        (each pattern's matches do not depend on the others' being tried)."""
        from atc_mine.nlp.trial_ids import find_trial_ids

        screen = self._trial_screens.get(id(component))
        if screen is None:
            screen = LiteralScreen([requirement(p.regex) for p in component.patterns])
            self._trial_screens[id(component)] = screen
        possible = screen.possible(screen.present(doc.text))
        patterns = tuple(p for p, ok in zip(component.patterns, possible, strict=True) if ok)
        if patterns:
            doc_data.add_entities(doc, find_trial_ids(doc.text, patterns))  # type: ignore[arg-type]

    def _gene_abbreviations(self, doc: TextDoc, genes: Any) -> list | None:
        """What the gene recogniser may read for ``doc._.abbreviations`` at the cost of fewer
        tokens than the document's own value (None: read that): nothing where no gene name
        can be defined (:func:`gene_abbreviations_matter`), else the definitions of the
        brackets that can define one (:func:`gene_window_abbreviations`)."""
        if doc._.is_computed(ABBREVIATIONS):
            return None  # already computed: nothing to save
        lexicon = getattr(genes, "lexicon", None)
        if lexicon is None:
            return None
        text = doc.text
        names = [text[s:e] for s, e, _entry in lexicon.find(text)]
        if not gene_abbreviations_matter(text, names):
            return []
        if self.detector is None or getattr(self.detector, "make_serializable", False):
            return None
        self.stats["tokenised_for_genes"] += 1
        self._count_tokenised()
        return gene_window_abbreviations(self.detector, self.nlp.make_doc, text, names)

    def extract(self, document: Document) -> Extraction:
        """One document's extraction (strings the tokeniser adds stay in the vocabulary:
        callers that run many documents use :meth:`pipe` or :meth:`memory_zone`)."""
        from atc_mine.nlp.pipeline import extraction_from_doc

        return extraction_from_doc(document, self(self.make_doc(document)))

    def pipe(self, documents: Iterable[Document]) -> Iterator[Extraction]:
        """Extractions in document order, one at a time, in memory zones of
        :data:`ZONE_DOCUMENTS` documents (see :meth:`memory_zone`) once the tokeniser's cache
        is warm (:data:`WARM_TOKENISED`)."""
        iterator = iter(documents)
        if self.warming:
            for document in iterator:
                yield self.extract(document)
                if not self.warming:
                    break
            else:
                return
        while True:
            with self.memory_zone():
                count = 0
                for count, document in enumerate(iterator, 1):  # noqa: B007  (count read after the loop)
                    yield self.extract(document)
                    if count >= ZONE_DOCUMENTS:
                        break
                if count < ZONE_DOCUMENTS:
                    return

    def memory_zone(self) -> AbstractContextManager[None]:
        """spaCy's ``memory_zone``: strings and lexemes the tokeniser adds inside are freed at
        the end, so memory stays flat over a baseline file. No spaCy Doc of ``self.nlp`` made
        inside may be used after it."""
        return self.nlp.memory_zone()


_PIPELINES: weakref.WeakKeyDictionary[Language, FastPipeline | None] = weakref.WeakKeyDictionary()


def fast_pipeline(nlp: Language) -> FastPipeline | None:
    """The fast path for ``nlp`` (made once per pipeline), or None if it holds other components."""
    try:
        return _PIPELINES[nlp]
    except KeyError:
        runner = FastPipeline(nlp) if FastPipeline.supports(nlp) else None
        _PIPELINES[nlp] = runner
        return runner
