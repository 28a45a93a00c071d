"""Sequence variants tied to their gene, normalised to ``GENE CHANGE``.

Changes are found by the patterns of ``data/variants.json`` (HGVS and the shorthand of
abstracts) and tied to a gene by what the text writes next to them, looked up in the
gene lexicon (so every HGNC symbol and curated family works, not a fixed list):

- gene before the change, joined or not: "BRAF V600E", "BRAFV600E", "BRAF p.V600E",
  "BRAF (V600E)", "RAS Q61R" (a family keeps its family name);
- gene after it: "V600E-mutant BRAF", "V600E BRAF mutation";
- a change written alone ("V600E") takes the gene the same text ties the same change to
  elsewhere, else the nearest gene in its sentence (gold/GUIDELINES.md 3.3); with no
  gene in reach it is left out, since it cannot be normalised;
- named hotspots and rearrangements that belong to one gene (TERT C228T, RET/PTC1)
  carry their gene in the data file.

Three-letter HGVS changes are converted to one letter (p.Val600Glu -> V600E). The span
covers gene and change; the gene inside is not a separate GENE mention (guidelines 2).
A change without its new residue ("BRAF V600") counts only with the gene next to it, so
"E7080" or "A549" are never variants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.errors import PatternFileError
from atc_mine.nlp.doc_data import add_entities
from atc_mine.nlp.lexicon import COMPILED_NAME, Lexicon, compiled_lexicon
from atc_mine.nlp.prefilter import LiteralScreen, requirement
from atc_mine.nlp.rules import load_records

THREE_TO_ONE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*", "*": "*", "fs": "fs",
}  # fmt: skip
KINDS = ("protein", "protein3", "cdna", "promoter", "rearrangement")
#: A change written alone is tied to the nearest gene at most this many characters before
#: it (about two sentences of an abstract) or VARIANT_AFTER_REACH after it in its sentence.
VARIANT_BEFORE_REACH = 200
VARIANT_AFTER_REACH = 60
#: The smallest residue position a change written alone may have: "E2F", "H1N1"-like
#: strings with one-digit positions are names, not changes.
MIN_BARE_POSITION = 10

#: What may stand between a gene and its change: nothing, a space or a hyphen or dash
#: ("EGFR‐T790M" with U+2010), "p.", "(".
_GENE_BEFORE = re.compile(r"(?P<gene>[A-Za-z][A-Za-z0-9-]*?[A-Za-z0-9]|[A-Za-z])[\s\u00a0\u2010-\u2013-]?\(?(?:p\.)?$")
#: After the change: "-mutant BRAF", " mutated BRAF", " BRAF mutation".
_GENE_AFTER = re.compile(
    r"\)?[\s\u00a0\u2010-\u2014-]*(?:(?:mutant|mutated|mutation|mutations|positive|-positive)[\s\u00a0]+)?(?P<gene>[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])(?![A-Za-z0-9])"
)
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z(])|\n")


@dataclass(frozen=True)
class VariantPattern:
    id: str
    kind: str
    regex: re.Pattern[str]
    gene: str | None
    #: a cheap regex every text holding a match also matches (a residue and its position:
    #: upper-case letters, which the engine skips to); the pattern runs only where it does
    gate: re.Pattern[str] | None = None


@cache
def variant_patterns(name: str = "variants.json") -> tuple[VariantPattern, ...]:
    patterns = []
    for record in load_records(name, "patterns", required=("id", "kind", "regex"), optional=("gene", "norms", "gate")):
        if record["kind"] not in KINDS:
            raise PatternFileError(f"{name}: pattern {record['id']!r}: unknown kind {record['kind']!r}")
        try:
            regex = re.compile(record["regex"])
            gate = re.compile(record["gate"]) if record.get("gate") else None
        except re.error as exc:
            raise PatternFileError(f"{name}: pattern {record['id']!r}: bad regex: {exc}") from None
        patterns.append(VariantPattern(record["id"], record["kind"], regex, record.get("gene"), gate))
    return tuple(patterns)


@cache
def _variant_screen(name: str = "variants.json") -> LiteralScreen:
    """The literals each pattern's matches must hold ("c.", "RET/PTC", "C228T"...): a
    text without them is not searched (:mod:`atc_mine.nlp.prefilter`)."""
    return LiteralScreen([requirement(p.regex) for p in variant_patterns(name)])


def _change(pattern: VariantPattern, match: re.Match[str]) -> tuple[str, bool, int | None]:
    """(normalised change, complete?, residue position) of a pattern match."""
    groups = match.groupdict()
    if pattern.kind in ("promoter", "rearrangement"):
        return re.sub(r"\s", "", groups["change"]), True, None
    if pattern.kind == "cdna":
        return f"c.{groups['pos']}{groups['ref']}>{groups['alt']}", True, None
    ref, pos, alt = groups["ref"], groups["pos"], groups.get("alt") or ""
    if pattern.kind == "protein3":
        ref, alt = THREE_TO_ONE[ref], THREE_TO_ONE[alt]
    return f"{ref}{pos}{alt}", bool(alt), int(pos)


def _gene_at(lexicon: Lexicon, token: str) -> str | None:
    entry = lexicon.lookup(token)
    return entry.norm if entry is not None else None


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    right_match = _SENTENCE_END.search(text, end)
    return left, right_match.start() if right_match else len(text)


def find_variants(
    text: str, lexicon: Lexicon | None = None, drugs: Lexicon | None = None
) -> list[tuple[str, int, int, str]]:
    """VARIANT mentions of ``text`` as (label, start, end, "GENE CHANGE"); ``drugs`` is the
    drug lexicon (code names are not glued variants, :func:`find_glued`)."""
    lexicon = lexicon or compiled_lexicon().lexicons["GENE"]
    found: list[tuple[str, int, int, str]] = []
    bare: list[tuple[int, int, str]] = []

    def overlaps(start: int, end: int) -> bool:
        return any(start < e and s < end for _, s, e, _ in found)

    found.extend(find_glued(text, lexicon, drugs))

    screen = _variant_screen()
    for pattern, possible in zip(variant_patterns(), screen.possible(screen.present(text)), strict=True):
        if not possible or (pattern.gate is not None and pattern.gate.search(text) is None):
            continue
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            if overlaps(start, end):
                continue
            change, complete, position = _change(pattern, match)
            if pattern.gene:
                gene_start = _gene_prefix_start(text, start, pattern.gene)
                found.append(("VARIANT", gene_start, end, f"{pattern.gene} {change}"))
                continue
            before = _GENE_BEFORE.search(text, max(0, start - 24), start)
            if before and _gene_at(lexicon, before.group("gene")):
                if "(" in before.group(0) and text[end : end + 1] == ")":
                    end += 1  # "BRAF (V600E)": the closing bracket too
                found.append(
                    ("VARIANT", before.start("gene"), end, f"{_gene_at(lexicon, before.group('gene'))} {change}")
                )
                continue
            after = _GENE_AFTER.match(text, end)
            if after and complete and _gene_at(lexicon, after.group("gene")):
                found.append(
                    ("VARIANT", start, after.end("gene"), f"{_gene_at(lexicon, after.group('gene'))} {change}")
                )
                continue
            if complete and (position is None or position >= MIN_BARE_POSITION):
                bare.append((start, end, change))
    if bare:
        found.extend(_tie_bare_changes(text, bare, found, lexicon))
    return sorted(found, key=lambda f: (f[1], f[2]))


def _gene_prefix_start(text: str, start: int, gene: str) -> int:
    """Start of "TERT promoter C228T" when the gene is written before a hotspot."""
    window = text[max(0, start - 40) : start]
    match = re.search(rf"(?<![A-Za-z0-9]){re.escape(gene)}(?:[\s-]+promoter)?(?:[\s-]+mutations?)?[\s(-]*$", window)
    return start - len(window) + match.start() if match else start


#: A word that may be a gene glued to a one-letter change ("BRAFV600E", "KRASG12D").
_GLUED_WORD = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]{1,15}[ACDEFGHIKLMNPQRSTVWY][1-9]\d{0,3}[A-Z*]?(?![A-Za-z0-9])"
)
#: What every glued word holds: a one-letter residue and a position digit. Upper-case letters
#: are rare in text, so the engine skips to them; the word regex then runs only on the words
#: around these (it would otherwise be tried at every letter of the text).
_GLUED_CHANGE_START = re.compile(r"[ACDEFGHIKLMNPQRSTVWY][1-9]")
_ASCII_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_GLUED_CHANGE = re.compile(r"(?P<ref>[ACDEFGHIKLMNPQRSTVWY])(?P<pos>[1-9]\d{0,3})(?P<alt>[ACDEFGHIKLMNPQRSTVWY*]?)")


def find_glued(text: str, lexicon: Lexicon, drugs: Lexicon | None = None) -> list[tuple[str, int, int, str]]:
    """Genes written together with their change ("BRAFV600E"): every split of the word
    whose left part is a gene name and right part a change.

    A word that is a drug's code name ("MPDL3280A", atezolizumab: not "MPD" + "L3280A")
    is not split, and the left part must be a gene name that stands without context (an
    acronym-like alias flagged ``needs_context`` does not make a variant of a code).
    """
    drugs = drugs if drugs is not None else compiled_lexicon().lexicons["DRUG"]
    found = []
    for match in _glued_words(text):
        word = match.group(0)
        if _gene_at(lexicon, word):
            continue  # a gene name itself ("VEGFR1", "FGFR4")
        if drugs.lookup(word) is not None:
            continue  # a drug's code name
        for split in range(1, len(word) - 1):
            change = _GLUED_CHANGE.fullmatch(word, split)
            if change is None or (not change.group("alt") and int(change.group("pos")) < MIN_BARE_POSITION):
                continue
            entry = lexicon.lookup(word[:split])
            gene = entry.norm if entry is not None and not entry.needs_context else None
            if gene:
                found.append(("VARIANT", match.start(), match.end(), f"{gene} {change.group(0)}"))
                break
    return found


def _glued_words(text: str) -> Iterator[re.Match[str]]:
    """``_GLUED_WORD.finditer(text)``, tried only at the start of each ASCII letter-and-digit
    run that holds a change (a match starts a run: its lookbehind; and ends it, or one "*" on)."""
    tried = -1
    for hit in _GLUED_CHANGE_START.finditer(text):
        start = hit.start()
        while start > 0 and text[start - 1] in _ASCII_ALNUM:
            start -= 1
        if start <= tried:
            continue  # this run was tried for an earlier change in it
        tried = start
        match = _GLUED_WORD.match(text, start)
        if match is not None:
            yield match


def _tie_bare_changes(
    text: str, bare: list[tuple[int, int, str]], found: list[tuple[str, int, int, str]], lexicon: Lexicon
) -> list[tuple[str, int, int, str]]:
    """Tie changes written alone to a gene: the same change tied elsewhere (with its gene,
    or alone earlier in the text), else the nearest gene of the sentence."""
    tied_elsewhere: dict[str, str] = {}
    for _, _, _, norm in found:
        gene, _, change = norm.partition(" ")
        tied_elsewhere.setdefault(change, gene)
    genes = None
    result = []
    for start, end, change in bare:
        gene = tied_elsewhere.get(change)
        if gene is None:
            if genes is None:
                genes = lexicon.find(text)
            _left, right = _sentence_bounds(text, start, end)
            near = [
                (abs(start - g_end) if g_end <= start else abs(g_start - end), entry.norm)
                for g_start, g_end, entry in genes
                if start - VARIANT_BEFORE_REACH <= g_start
                and g_end <= min(right, end + VARIANT_AFTER_REACH)
                and not entry.needs_context
            ]
            if not near:
                continue
            gene = min(near)[1]
            # The text has now tied this change to a gene: its later bare mentions, even
            # in sentences that do not repeat the gene, are the same variant.
            tied_elsewhere[change] = gene
        result.append(("VARIANT", start, end, f"{gene} {change}"))
    return result


class VariantRecognizer:
    """Adds VARIANT entities to ``doc._.atc_entities`` (before genes: the longer span wins)."""

    def __init__(self, lexicon_file: str) -> None:
        self.lexicon = compiled_lexicon(lexicon_file).lexicons["GENE"]
        self.drugs = compiled_lexicon(lexicon_file).lexicons["DRUG"]

    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, find_variants(doc.text, self.lexicon, self.drugs))
        return doc


@Language.factory("atc_variants", default_config={"lexicon_file": COMPILED_NAME})
def make_variant_recognizer(nlp: Language, name: str, lexicon_file: str) -> VariantRecognizer:
    return VariantRecognizer(lexicon_file)
