"""Sequence variants tied to their gene, on real sentences of corpora/ and the review."""

from __future__ import annotations

import pytest

from atc_mine.nlp.variants import find_variants
from tests.nlp.recognition import mentions


def variants(text: str) -> list[tuple[str, str]]:
    return [(surface, norm) for _, surface, norm in mentions(text, "VARIANT")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Because dabrafenib plus trametinib has strong clinical activity against BRAF V600E mutant ATC",
            [("BRAF V600E", "BRAF V600E")],
        ),
        (
            "dabrafenib has also shown antitumor activity in patients with BRAFV600E mutant anaplastic thyroid cancer",
            [("BRAFV600E", "BRAF V600E")],
        ),
        (
            "vemurafenib in a variety of non-melanoma cancers with BRAFV600 mutations (NCT01524978)",
            [("BRAFV600", "BRAF V600")],
        ),
        ("A total of 122 patients with BRAF V600 mutation–positive cancer were treated", [("BRAF V600", "BRAF V600")]),
        ("V600E-mutant BRAF was found in 40%", [("V600E-mutant BRAF", "BRAF V600E")]),
        ("the BRAF p.Val600Glu substitution", [("BRAF p.Val600Glu", "BRAF V600E")]),
        ("NRAS Q61R and RAS Q61K", [("NRAS Q61R", "NRAS Q61R"), ("RAS Q61K", "RAS Q61K")]),
        ("TERT promoter C228T mutations", [("TERT promoter C228T", "TERT C228T")]),
        ("RET/PTC1 and RET/PTC3 rearrangements", [("RET/PTC1", "RET RET/PTC1"), ("RET/PTC3", "RET RET/PTC3")]),
        ("mutant BRAF (V600E) in 2 patients", [("BRAF (V600E)", "BRAF V600E")]),
        ("KRASG12D and PIK3CA H1047R", [("KRASG12D", "KRAS G12D"), ("PIK3CA H1047R", "PIK3CA H1047R")]),
        # A change written alone takes the gene the text ties it to.
        ("BRAF mutations were tested. The V600E mutation was found in 12 tumours.", [("V600E", "BRAF V600E")]),
    ],
)
def test_variants_are_tied_to_their_gene(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert variants(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "BRAF-mutant ATC and BRAF inhibitors",  # a gene, no change: GENE mentions (guidelines 3.3)
        "Lenvatinib (E7080) was given to A549 xenografts.",  # code names and cell lines
        "inhibits VEGFR1-3, VEGFR1 and mTORC1",  # gene names ending in a letter and digit
        "The V600E mutation was common.",  # a change with no gene in reach cannot be normalised
        "stage T4 disease",
    ],
)
def test_non_variants(sentence: str) -> None:
    assert variants(sentence) == []


def test_gene_inside_a_variant_is_not_a_separate_gene_mention() -> None:
    assert mentions("against BRAF V600E mutant ATC") == [("VARIANT", "BRAF V600E", "BRAF V600E")]


def test_find_variants_works_without_spacy() -> None:
    assert find_variants("BRAFV600E") == [("VARIANT", 0, 9, "BRAF V600E")]


# -- generalisation round on varied oncology text (issue 4, held-out dev3 error classes) -----
def test_a_change_the_text_tied_once_stays_tied_in_later_sentences() -> None:
    # https://pmc.ncbi.nlm.nih.gov/articles/PMC6549661 (osimertinib by EGFR mutation type): the later
    # sentences name L858R without EGFR, more than a sentence away from it.
    text = (
        "The aim of this study was to assess the differential clinical outcomes of osimertinib therapy in NSCLC "
        "patients with T790M according to the type of activating EGFR mutation, ie, exon 19 deletion or L858R "
        "point mutation. A total of 51 patients were included in this study. An objective response was obtained "
        "in 29 patients, indicating an objective response rate of 58.8%. The median PFS in the exon 19 deletion "
        "and L858R point mutation groups was 8.0 months and 5.2 months, respectively, indicating a statistically "
        "significant difference (P=0.045)."
    )
    found = [(surface, norm) for _, surface, norm in mentions(text, "VARIANT")]
    assert found == [("T790M", "EGFR T790M"), ("L858R", "EGFR L858R"), ("L858R", "EGFR L858R")]


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2013"])
def test_gene_and_change_joined_by_a_dash_are_one_variant(dash: str) -> None:
    # https://pmc.ncbi.nlm.nih.gov/articles/PMC7403827 writes "EGFR‐T790M" with U+2010.
    text = f"The EGFR{dash}T790M mutation remained the dominant resistance mechanism."
    assert [(s, n) for _, s, n in mentions(text)] == [(f"EGFR{dash}T790M", "EGFR T790M")]


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        # Drug code names shaped like a gene glued to a change ("MPD" + "L3280A"): hand-written
        # phrases around real code names (atezolizumab = MPDL3280A, osimertinib = AZD9291).
        ("atezolizumab (MPDL3280A) blocks PD-L1", "atezolizumab"),
        ("AZD9291 was given at 80 mg", "osimertinib"),
    ],
)
def test_a_drug_code_name_is_not_a_glued_variant(text: str, drug: str) -> None:
    found = mentions(text)
    assert not [m for m in found if m[0] == "VARIANT"]
    assert drug in {norm for label, _, norm in found if label == "DRUG"}


@pytest.mark.parametrize(
    "text",
    ["BRAFV600E and KRASG12D", "xBRAFV600E", "KRASG12D KRASG12", "(BRAFV600E)", "NRASQ61R*x", "AKT1E17K*PIK3CAH1047R"],
)
def test_glued_words_are_the_word_regexs_matches(text):
    """find_glued tries the word regex only at runs holding a change: the same matches."""
    from atc_mine.nlp.variants import _GLUED_WORD, _glued_words

    assert [m.span() for m in _glued_words(text)] == [m.span() for m in _GLUED_WORD.finditer(text)]


def test_glued_words_on_every_real_document(corpora):
    from atc_mine.nlp.variants import _GLUED_WORD, _glued_words
    from atc_mine.sources import read_documents

    found = 0
    for document in read_documents([corpora]):
        expected = [m.span() for m in _GLUED_WORD.finditer(document.text)]
        assert [m.span() for m in _glued_words(document.text)] == expected, document.doc_id
        found += len(expected)
    assert found > 0


def test_a_pattern_gate_finds_every_text_its_pattern_matches(corpora):
    """A gated pattern runs only where its gate finds something: the gate must find every text
    the pattern matches (its examples and every document of corpora/), and rule most out."""
    from atc_mine.nlp.variants import variant_patterns
    from atc_mine.sources import read_documents

    texts = [d.text for d in read_documents([corpora])]
    gated = [p for p in variant_patterns() if p.gate is not None]
    assert gated
    for pattern in gated:
        for text in texts + ["BRAF p.V600E", "p.Val600Glu", "(Val600Glu)"]:
            assert pattern.regex.search(text) is None or pattern.gate.search(text), (pattern.id, text[:60])
        assert sum(bool(pattern.gate.search(text)) for text in texts) < len(texts) / 2
