"""Gene and protein mentions normalised to HGNC symbols, and protein variants.

Protein names map to their gene (PD-L1 -> CD274, PD-1 -> PDCD1, mTOR -> MTOR). Short
symbols are matched case-sensitively, so "ret" in running text or "MET" in a heading do
not become genes by accident. Variants ("BRAF V600E", "BRAFV600E-mutant", "V600E-mutant
BRAF") are normalised to ``GENE CHANGE`` and win over the gene mention they contain.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.nlp.doc_data import add_entities
from atc_mine.nlp.lexicon import Lexicon, LexiconEntry
from atc_mine.nlp.rules import load_records


@cache
def curated_gene_lexicon(name: str = "genes_curated.json") -> Lexicon:
    lexicon = Lexicon()
    for record in load_records(name, "genes", required=("norm", "names"), optional=("case_sensitive", "hgnc_id")):
        for surface in record["names"]:
            lexicon.add(LexiconEntry(surface, record["norm"], "GENE", bool(record.get("case_sensitive", True))))
    return lexicon


@cache
def variant_patterns(name: str = "variants.json") -> tuple[tuple[str, re.Pattern[str]], ...]:
    records = load_records(name, "patterns", required=("id", "regex"))
    return tuple((r["id"], re.compile(r["regex"])) for r in records)


def _variant_norm(match: re.Match[str]) -> str:
    groups = match.groupdict()
    gene, change = groups.get("gene"), groups.get("change") or ""
    if change.startswith("RET/PTC"):
        return change
    if gene and change.startswith(gene):  # "NTRK fusions": the change names the gene
        kind = "fusion" if "fusion" in change.lower() else "rearrangement"
        return f"{gene} {kind}"
    return f"{gene} {change}" if gene else change


def find_variants(text: str) -> list[tuple[str, int, int, str]]:
    found: list[tuple[str, int, int, str]] = []
    for _id, pattern in variant_patterns():
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for _, s, e, _ in found):
                continue
            found.append(("VARIANT", start, end, _variant_norm(match)))
    return sorted(found, key=lambda f: f[1])


def find_genes(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, int, int, str]]:
    lexicon = lexicon or curated_gene_lexicon()
    return [("GENE", start, end, entry.norm) for start, end, entry in lexicon.find(text)]


class VariantRecognizer:
    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, find_variants(doc.text))
        return doc


class GeneRecognizer:
    def __init__(self, lexicon_file: str) -> None:
        self.lexicon = curated_gene_lexicon(lexicon_file)

    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, find_genes(doc.text, self.lexicon))
        return doc


@Language.factory("atc_variants", default_config={})
def make_variant_recognizer(nlp: Language, name: str) -> VariantRecognizer:
    return VariantRecognizer()


@Language.factory("atc_genes", default_config={"lexicon_file": "genes_curated.json"})
def make_gene_recognizer(nlp: Language, name: str, lexicon_file: str) -> GeneRecognizer:
    return GeneRecognizer(lexicon_file)
