"""Drug recognition: generic, brand and development code names, normalised to one name.

Each name maps to one lowercase generic name ("PDR001" -> spartalizumab, "Keytruda" ->
pembrolizumab). Regimens need no special case: matching is on characters with word
boundaries, so "carboplatin/paclitaxel" and "lenvatinib-pembrolizumab" yield each drug.
"""

from __future__ import annotations

from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from atc_mine.nlp.doc_data import add_entities
from atc_mine.nlp.lexicon import Lexicon, LexiconEntry
from atc_mine.nlp.rules import load_records


@cache
def curated_drug_lexicon(name: str = "drugs_curated.json") -> Lexicon:
    lexicon = Lexicon()
    for record in load_records(
        name, "drugs", required=("norm", "names"), optional=("unii", "drugbank", "mesh", "source")
    ):
        for surface in record["names"]:
            lexicon.add(LexiconEntry(surface=surface, norm=record["norm"], label="DRUG"))
    return lexicon


def find_drugs(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, int, int, str]]:
    lexicon = lexicon or curated_drug_lexicon()
    return [("DRUG", start, end, entry.norm) for start, end, entry in lexicon.find(text)]


class DrugRecognizer:
    def __init__(self, lexicon_file: str) -> None:
        self.lexicon = curated_drug_lexicon(lexicon_file)

    def __call__(self, doc: Doc) -> Doc:
        add_entities(doc, find_drugs(doc.text, self.lexicon))
        return doc


@Language.factory("atc_drugs", default_config={"lexicon_file": "drugs_curated.json"})
def make_drug_recognizer(nlp: Language, name: str, lexicon_file: str) -> DrugRecognizer:
    return DrugRecognizer(lexicon_file)
