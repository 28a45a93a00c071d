"""Sentence boundaries for abstracts and reviews: layout, punctuation and section labels.

spaCy's rule-based ``sentencizer`` splits on end punctuation only. Abstracts carry more
of their structure in layout and labels, and real text is messy, so this component draws
boundaries on characters (the extraction contract's sentences are character spans, and
a boundary can fall inside a token such as "daily.Two"):

1. **Blocks and lines.** A blank line always ends a sentence. A single line break ends one
   after end punctuation, a table row ("... |"), or a heading line (at most
   :data:`HEADING_MAX_WORDS` words without end punctuation: "RESULTS", "Patients and
   methods", "2.1.1 Tyrosine kinase inhibitors", a title). Other line breaks are hard
   wraps and are joined ("...plan is to enroll 75\\npatients", PubMed's
   "β\\n\\t\\t2-agonist"); a line holding only a number joins the label above it
   ("Enrollment\\n40").
2. **Punctuation.** ".", "!" or "?" followed by space and a capital, a digit or an opening
   bracket ends a sentence, except after an abbreviation of ``data/sentence_rules.json``
   ("vs.", "et al.", "Fig."), after a single capital (an initial), or inside brackets
   ("(Yokohama, Kanagawa. Japan)"). A full stop glued to a capitalised word ("twice
   daily.Two of the 20", "accrual.Results:From") also ends one, as GUIDELINES section 5.4
   asks. Semicolons never do.
3. **Section labels.** A leading structured-abstract label ("Results:", "RESULTS",
   "Main outcomes:", run-in "Results Twelve patients...") is not part of the sentence; it
   sets the section of the sentences that follow (NLM structured-abstract categories), so
   that the outcome extractor can tell a study's results from its background.

The component writes plain data, ``doc._.atc_sentence_spans`` = ``[(start, end, section)]``
(character offsets; ``section`` one of :data:`SECTION_CATEGORIES` or None) and
``doc._.atc_text`` (the text, read once), and sets the
tokens' sentence starts so that ``doc.sents`` follows the same boundaries where they fall on
token boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.errors import PatternFileError
from atc_mine.nlp.rules import load_records

#: Doc extension: ``[(start, end, section)]`` per sentence, in text order.
SENTENCE_SPANS = "atc_sentence_spans"
#: Doc extension: the document text. ``Doc.text`` rebuilds the string from every token on each
#: access (about a millisecond for an abstract); later components read this copy instead.
DOC_TEXT = "atc_text"
for _name in (SENTENCE_SPANS, DOC_TEXT):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

RULES_FILE = "sentence_rules.json"

#: A line of at most this many words without end punctuation is a heading, not a wrapped
#: line of prose (the longest heading in the corpus, a numbered review subsection, has 7).
HEADING_MAX_WORDS = 10
#: Section categories a sentence can carry ("title": the first line of a text followed by a
#: blank line; "body": after an unlabelled heading such as a review's "2 Targeted therapy").
SECTION_CATEGORIES = ("title", "abstract", "background", "methods", "results", "conclusions", "body")

_BLOCK_SPLIT = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE = re.compile(r"[^\n]+")
_LINE_ENDS_SENTENCE = re.compile(r"(?:[.!?][\"'”’)\]]*|\|)\s*$")
_BARE_VALUE_LINE = re.compile(r"^\s*\d[\d.,]*\s*(?:participants|patients|subjects)?\s*$", re.I)
_FIELD_LINE = re.compile(r"^\s*[^:.]{1,40}?\s?:\s?\S")
_BULLET_LINE = re.compile(r"^\s*(?:[-•*▪]\s|[IVX]{1,4}\.\s|\d{1,2}\.\s+[A-Z])")
_HEADING_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")
#: End punctuation followed by whitespace (a candidate boundary), or glued to a capitalised
#: word after a lower-case word of two or more letters (a missing space).
_CANDIDATE = re.compile(r"([.!?])[\"'”’)\]]*(?:(\s+)(?=[\"“(\[]?[A-Z0-9])|(?=[A-Z][a-z]))")
_OPEN = "([{"
_CLOSE = ")]}"
_BRACKET = re.compile(r"[()\[\]{}]")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _word_before(text: str, begin: int, end: int) -> str:
    """The word (dots included) that ends at ``end``, or "" if none: what
    ``re.search(r"([A-Za-z][A-Za-z.]*)$", text[begin:end])`` finds, walking back from ``end``
    instead of trying every position of the sentence for each full stop."""
    if end > begin and text[end - 1] == "\n":
        end -= 1  # "$" also matches before a final newline
    run = end
    while run > begin and text[run - 1] in _WORD_CHARS:
        run -= 1
    while run < end and text[run] == ".":
        run += 1  # the word starts at a letter
    return text[run:end]


@dataclass(frozen=True, slots=True)
class SentenceRules:
    abbreviations: frozenset[str]
    #: (compiled label regex, category): labels followed by ":" or ". " (any case) ...
    label_punct: re.Pattern[str]
    #: ... and run-in labels (capitalised or upper case) before a capitalised word.
    label_runin: re.Pattern[str]
    categories: dict[str, str]


@cache
def sentence_rules(name: str = RULES_FILE) -> SentenceRules:
    records = load_records(name, "rules", required=("id", "kind", "surfaces"), optional=("category",))
    abbreviations: set[str] = set()
    categories: dict[str, str] = {}
    for record in records:
        if record["kind"] == "abbreviation":
            abbreviations.update(s.lower() for s in record["surfaces"])
        elif record["kind"] == "section_label":
            for surface in record["surfaces"]:
                categories[surface.lower()] = record.get("category") or "body"
        else:
            raise PatternFileError(f"{name}: rule {record['id']!r}: unknown kind {record['kind']!r}")
    labels = sorted(categories, key=len, reverse=True)
    alternation = "|".join(re.escape(label).replace(r"\ ", r"\s+") for label in labels)
    runin = "|".join(
        f"{re.escape(label[:1].upper() + label[1:]).replace(chr(92) + ' ', chr(92) + 's+')}"
        f"|{re.escape(label.upper()).replace(chr(92) + ' ', chr(92) + 's+')}"
        for label in labels
    )
    title_case = "|".join(
        re.escape(label[:1].upper() + label[1:]).replace(chr(92) + " ", chr(92) + "s+") for label in labels
    )
    return SentenceRules(
        abbreviations=frozenset(abbreviations),
        label_punct=re.compile(rf"(?i:(?P<label>{alternation}))\s*(?::\s*|\.\s+|\s*$)"),
        # run-in ("Results Twelve patients"), or glued to the next word by a web page's
        # rendering ("ResultsMinimum follow-up", "Patients and methodsEXAM compared")
        label_runin=re.compile(rf"(?P<label>{runin})\s+(?=[A-Z0-9])|(?P<glued>{title_case})(?=[A-Z][A-Za-z])"),
        categories=categories,
    )


def _label_category(label: str, rules: SentenceRules) -> str:
    return rules.categories.get(re.sub(r"\s+", " ", label).lower(), "body")


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    if not stripped or stripped[-1] in ".,;!?|" or ": " in stripped:
        return False  # ends a sentence, or is a labelled line ("BACKGROUND: In patients ...")
    return len(stripped.split()) <= HEADING_MAX_WORDS and (stripped[0].isupper() or stripped[0].isdigit())


def _continues(previous_line: str, line: str, unit_lines: int) -> bool:
    """Does ``line`` continue the layout unit whose last line is ``previous_line``?"""
    if _BARE_VALUE_LINE.match(previous_line):
        return False  # a value line closes its field
    if ("|" in line) != ("|" in previous_line):
        return False  # a table rendered as text starts or ends ("Table: 1914MO" / "Pazopanib (n=36) | ...")
    if _BARE_VALUE_LINE.match(line) and len(previous_line.split()) <= HEADING_MAX_WORDS:
        return True  # a value under its label: "Enrollment\n40", "Target enrollment:\n0"
    if _LINE_ENDS_SENTENCE.search(previous_line) or previous_line.rstrip().endswith(":"):
        return False
    if _FIELD_LINE.match(previous_line) and len(previous_line.split()) <= HEADING_MAX_WORDS:
        return False  # a short "label : value" line of a registry table ("Actual Enrollment : 80 participants")
    if _BULLET_LINE.match(line):
        return False
    if unit_lines == 1 and _is_heading(previous_line):
        return line.lstrip()[:1].islower()  # a heading, unless the next line goes on in lower case
    return True  # a hard-wrapped line


def _units(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, is_heading)`` for the layout units of ``text``: joined lines or headings."""
    units: list[tuple[int, int, bool]] = []
    bounds = [0] + [x for m in _BLOCK_SPLIT.finditer(text) for x in (m.start(), m.end())] + [len(text)]
    for block_start, block_end in zip(bounds[::2], bounds[1::2], strict=True):
        unit: list[int] | None = None
        unit_lines = 0
        previous = ""
        for m in _LINE.finditer(text, block_start, block_end):
            line = m.group()
            if not line.strip():
                continue
            if unit is not None and _continues(previous, line, unit_lines):
                unit[1] = m.end()
                unit_lines += 1
            else:
                if unit is not None:
                    units.append((unit[0], unit[1], unit_lines == 1 and _is_heading(previous)))
                unit, unit_lines = [m.start(), m.end()], 1
            previous = line
        if unit is not None:
            units.append((unit[0], unit[1], unit_lines == 1 and _is_heading(previous)))
    if units and units[-1][2]:
        units[-1] = (units[-1][0], units[-1][1], False)  # a text never ends with a heading: a cut-off line
    return units


def _split_unit(text: str, start: int, end: int, rules: SentenceRules) -> list[tuple[int, int]]:
    """Sentence spans inside one layout unit, split at end punctuation."""
    spans: list[tuple[int, int]] = []
    begin = start
    depth = 0
    scanned = start
    for m in _CANDIDATE.finditer(text, start, end):
        p = m.start(1)
        for bracket in _BRACKET.finditer(text, scanned, p):
            if bracket.group() in _OPEN:
                depth += 1
            elif depth:
                depth -= 1
        scanned = p
        if depth:
            continue
        glued = m.group(2) is None
        word = _word_before(text, begin, p)
        if m.group(1) == "." and p > 0 and text[p - 1] == " ":
            continue  # a stray full stop ("experienced a . 30% reduction": a PDF's lost ">")
        if m.group(1) == ".":
            if word.lower() in rules.abbreviations or word.lower().rstrip(".") in rules.abbreviations:
                continue
            if glued and rules.label_runin.match(text, m.end(), end):
                pass  # a section label glued to the full stop: "(PD-L1).MethodsPatients", "1.1.ResultsTwenty"
            elif len(word) == 1 and word.isupper():
                continue  # an initial ("J. A. Smith", "U.S.")
            elif glued and not (len(word) >= 2 and word[-2:].isalpha() and word[-2:].islower()):
                continue
        cut = m.end(1)
        while cut < end and text[cut] in "\"'”’)]":
            cut += 1
        spans.append((begin, cut))
        begin = m.end()
    spans.append((begin, end))
    return spans


def split_sentences(text: str, rules: SentenceRules | None = None) -> list[tuple[int, int, str | None]]:
    """``(start, end, section)`` for every sentence of ``text``, section labels excluded."""
    rules = rules or sentence_rules()
    result: list[tuple[int, int, str | None]] = []
    section: str | None = None
    for index, (unit_start, unit_end, heading) in enumerate(_units(text)):
        if index == 0 and "\n" not in text[unit_start:unit_end] and _BLOCK_SPLIT.match(text, unit_end):
            start, end = _strip(text, unit_start, unit_end)
            result.append((start, end, "title"))  # the first line of a text, set off by a blank line
            continue
        if heading:
            bare = _HEADING_NUMBER.sub("", text[unit_start:unit_end]).strip().rstrip(":").strip()
            category = rules.categories.get(re.sub(r"\s+", " ", bare).lower())
            if category:
                section = _next_section(section, category)  # a label on its own line ("Results") is not a sentence
                continue
            section = "body"  # an unlabelled heading ("2.1 MAPK pathway") opens a part of the text
            start, end = _strip(text, unit_start, unit_end)
            result.append((start, end, section))
            continue
        for start, end in _split_unit(text, unit_start, unit_end, rules):
            start, end = _strip(text, start, end)
            while start < end:
                m = rules.label_punct.match(text, start, end) or rules.label_runin.match(text, start, end)
                if not m or m.end() == start:
                    break
                section = _next_section(section, _label_category(m.group("label") or m.group("glued"), rules))
                start, end = _strip(text, m.end(), end)
            if start < end:
                result.append((start, end, section))
    return result


#: Sections after which a background label is a page's mangling, not a new background: a
#: structured abstract runs background -> methods -> results -> conclusions (NLM categories).
_AFTER_BACKGROUND = frozenset({"methods", "results"})


def _next_section(current: str | None, label: str) -> str:
    """The section a label opens. A background label met after the methods or results
    ("Results: ... Objective: responses were noted in all histologic subtypes", a page that
    turned "Objective responses" into a label) does not send the results back to background."""
    if label == "background" and current in _AFTER_BACKGROUND:
        return current
    return label


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class AbstractSentencizer:
    """Writes ``doc._.atc_sentence_spans`` and the tokens' sentence starts."""

    def __init__(self, rules_file: str = RULES_FILE) -> None:
        self.rules = sentence_rules(rules_file)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        spans = split_sentences(text, self.rules)
        doc._.set(SENTENCE_SPANS, spans)
        doc._.set(DOC_TEXT, text)
        if len(doc):
            starts = doc.to_array([IDX]).reshape(len(doc), -1)[:, 0].astype(np.int64)
            flags = np.full(len(doc), -1, dtype=np.int32)
            flags[0] = 1
            if spans:
                positions = np.searchsorted(
                    starts, np.fromiter((s for s, _e, _x in spans), dtype=np.int64), side="left"
                )
                positions = positions[positions < len(doc)]
                flags[positions] = 1
            doc.from_array([SENT_START], flags.reshape(-1, 1).astype(np.uint64))
        return doc


@Language.factory("atc_sentences", default_config={"rules_file": RULES_FILE})
def make_abstract_sentencizer(nlp: Language, name: str, rules_file: str) -> AbstractSentencizer:
    return AbstractSentencizer(rules_file)
