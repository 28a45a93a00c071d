"""The matcher (atc_mine/nlp/lexicon.py) and the compiled lexicon it loads (lexicon_build.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib import metadata
from pathlib import Path

import pytest

from atc_mine.errors import PatternFileError
from atc_mine.nlp import lexicon_build
from atc_mine.nlp.lexicon import (
    COMPILED_NAME,
    Lexicon,
    LexiconEntry,
    compiled_lexicon,
    fold,
    fold_case_kept,
    read_compiled,
)
from atc_mine.nlp.rules import data_path


# -- folding -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["PD‑L1–positive", "İstanbul BRAFV600E", "carboplatin/paclitaxel", "PPAR-γ", "a\u00a0b"]
)
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text) == len(fold_case_kept(text))


def test_fold_unifies_dashes_and_spaces() -> None:
    assert fold("PD\u2011L1 PD\u2013L1 PD L1 PD-L1") == "pd l1 pd l1 pd l1 pd l1"


def test_the_ascii_fold_table_folds_as_the_regex_does() -> None:
    """A text is folded through byte tables, non-ASCII letters put back: the regex's result."""
    from atc_mine.nlp.lexicon import _NON_WORD

    every_ascii = "".join(map(chr, range(128)))
    assert fold_case_kept(every_ascii) == _NON_WORD.sub(" ", every_ascii)
    assert fold_case_kept("BRAF_V600E (n=12); PD-L1 \u2265 1%") == "BRAF V600E  n 12   PD L1   1 "
    for text in [
        "PD\u2011L1\u2013positive",
        "\u0130stanbul PPAR-\u03b3 \u00b5g \u2265 5",
        "\u00bd \u0663 \u00e9_x",
        "\U0001f600x \u00df",
    ]:
        assert fold_case_kept(text) == _NON_WORD.sub(" ", text), text


# -- matching (hand-written entries) -------------------------------------------------------
@pytest.fixture()
def toy() -> Lexicon:
    """Hand-written lexicon: a few genes and drugs, not the compiled one."""
    return Lexicon(
        "TOY",
        [
            LexiconEntry("RAS", "RAS", "TOY", case_sensitive=True),
            LexiconEntry("mTOR", "MTOR", "TOY", case_sensitive=True),
            LexiconEntry("PD-L1", "CD274", "TOY", case_sensitive=True),
            LexiconEntry("paclitaxel", "paclitaxel", "TOY"),
            LexiconEntry("carboplatin", "carboplatin", "TOY"),
            LexiconEntry("sorafenib", "sorafenib", "TOY"),
            LexiconEntry("sorafenib tosylate", "sorafenib", "TOY"),
        ],
    )


def test_whole_words_only(toy: Lexicon) -> None:
    text = "NRAS and RAS; mTORC1 and mTOR"
    assert [(text[s:e], entry.norm) for s, e, entry in toy.find(text)] == [("RAS", "RAS"), ("mTOR", "MTOR")]


def test_case_kept_for_symbols_and_folded_for_names(toy: Lexicon) -> None:
    text = "Paclitaxel, PACLITAXEL, ras, Ras, pd-l1"
    assert [text[s:e] for s, e, _ in toy.find(text)] == ["Paclitaxel", "PACLITAXEL"]


def test_regimens_and_dash_variants(toy: Lexicon) -> None:
    text = "carboplatin/paclitaxel; anti-PD\u2013L1 (PD L1)"
    assert [text[s:e] for s, e, _ in toy.find(text)] == ["carboplatin", "paclitaxel", "PD\u2013L1", "PD L1"]


def test_longest_match_wins(toy: Lexicon) -> None:
    text = "sorafenib tosylate 400 mg"
    assert [(text[s:e], entry.norm) for s, e, entry in toy.find(text)] == [("sorafenib tosylate", "sorafenib")]


def test_lookup(toy: Lexicon) -> None:
    assert toy.lookup("PD L1").norm == "CD274"
    assert toy.lookup("pd-l1") is None
    assert toy.lookup("SORAFENIB").norm == "sorafenib"


# -- the compiled lexicon ------------------------------------------------------------------
def test_compiled_lexicon_records_the_installed_source_versions() -> None:
    """Rebuild with `make lexicon` when a source package changes version."""
    recorded = read_compiled(data_path(COMPILED_NAME))["sources"]
    assert set(recorded) == set(lexicon_build.SOURCE_PACKAGES)
    for package, version in recorded.items():
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue  # wordfreq is needed only to build
        assert installed == version, (
            f"{package} {installed} installed, lexicon built from {version}: run `make lexicon`"
        )


def test_compiled_lexicon_matches_the_curated_files() -> None:
    """Rebuild with `make lexicon` after editing a curated data file."""
    recorded = read_compiled(data_path(COMPILED_NAME))["curated"]
    for name in lexicon_build.CURATED_FILES:
        current = hashlib.sha256(data_path(name).read_bytes()).hexdigest()
        assert recorded.get(name) == current, f"{name} changed since the lexicon was built: run `make lexicon`"


def test_compiled_lexicon_loads_both_labels() -> None:
    compiled = compiled_lexicon()
    assert len(compiled.lexicons["DRUG"]) > 50_000
    assert len(compiled.lexicons["GENE"]) > 100_000
    assert compiled.identifiers("GENE", "CD274")["hgnc"] == "HGNC:17635"
    assert compiled.lexicons["DRUG"].lookup("Keytruda").norm == "pembrolizumab"


def test_build_report_lists_what_was_dropped() -> None:
    report = read_compiled(data_path(COMPILED_NAME))["report"]
    assert report["drug: everyday English word"]["count"] > 0
    assert report["gene: symbol shared by several genes (ambiguous)"]["count"] > 0


def test_a_wrong_format_is_a_named_error(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump({"format": 0}, handle)
    with pytest.raises(PatternFileError, match="format"):
        read_compiled(path)
    with pytest.raises(PatternFileError, match="missing"):
        read_compiled(tmp_path / "absent.json.gz")


# -- build steps -----------------------------------------------------------------------------
def test_generic_norm_strips_salts_down_to_a_known_parent() -> None:
    rules = lexicon_build.load_rules()
    known = {"sorafenib", "imatinib", "estradiol"}
    assert lexicon_build.generic_norm("SORAFENIB TOSYLATE", rules, known) == "sorafenib"
    assert lexicon_build.generic_norm("Imatinib mesylate", rules, known) == "imatinib"
    assert lexicon_build.generic_norm("methyl salicylate", rules, known) == "methyl salicylate"
    assert lexicon_build.generic_norm("estradiol patch", rules, known) == "estradiol"
    assert lexicon_build.generic_norm("PLX-4720", rules, known) == "plx4720"
    assert lexicon_build.generic_norm("brolucizumab-dbll", rules, known) == "brolucizumab"


def test_gene_spelling_variants() -> None:
    def zipf(word: str, lang: str) -> float:  # hand-written stand-in for wordfreq
        return {"kit": 4.4}.get(word, 1.0)

    def variants(surface: str) -> set[str]:
        name = lexicon_build.Name(surface, "X", "GENE", "hgnc-alias", case_sensitive=True)
        return {v.surface for v in lexicon_build.gene_variants(name, zipf)}

    assert variants("PPARgamma") >= {"PPARγ", "PPAR-γ"}
    assert "PDL1" in variants("PD-L1")
    assert "CCL-2" in variants("CCL2")
    assert "NKP46" in variants("NKp46")
    assert "c-Fms" in variants("C-FMS")
    assert "Abl" in variants("ABL")
    assert "Kit" not in variants("KIT")


def test_unii_reader_checks_its_header(tmp_path: Path) -> None:
    path = tmp_path / "UNII_Names.txt"
    path.write_text("Name\tTYPE\tUNII\tDisplay Name\nPDR001\tcd\tQOG25L6Z8Z\tSPARTALIZUMAB\n", encoding="utf-8")
    unii = lexicon_build.read_unii(path)  # hand-written two-line file
    assert unii.code_names == [("PDR001", "QOG25L6Z8Z")]
    path.write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(lexicon_build.InputError):
        lexicon_build.read_unii(path)


def test_generic_norm_is_the_inn_without_usan_prefixes_and_fda_suffixes() -> None:
    rules = lexicon_build.load_rules()
    known: set[str] = set()
    # USAN / FDA proper names of the two conjugates on the market (FDA labels of Kadcyla, Enhertu)
    assert lexicon_build.generic_norm("ado-trastuzumab emtansine", rules, known) == "trastuzumab emtansine"
    assert lexicon_build.generic_norm("fam-trastuzumab deruxtecan-nxki", rules, known) == "trastuzumab deruxtecan"
    # the drug dictionary's "epoetin alfa," (a trailing comma in the source)
    assert lexicon_build.generic_norm("epoetin alfa,", rules, known) == "epoetin alfa"
    # a hyphenated INN is not a prefixed one
    assert lexicon_build.generic_norm("ado-tablet", rules, known) == "ado-tablet"  # hand-written: no space, kept


def test_alpha_spellings_of_inn_alfa() -> None:
    names = [
        lexicon_build.Name("interferon alfa-2a", "interferon alfa-2a", "DRUG", "drug-ner"),
        lexicon_build.Name("Alfatradiol", "alfatradiol", "DRUG", "drug-ner"),
    ]
    assert [n.surface for n in lexicon_build.alpha_spellings(names)] == ["interferon alpha-2a"]


def test_receptor_hyphen_spellings_need_the_ligand_symbol() -> None:
    def gene(surface: str, norm: str) -> lexicon_build.Name:
        return lexicon_build.Name(surface, norm, "GENE", "hgnc-symbol", case_sensitive=True)

    genes = {(s, True): gene(s, n) for s, n in [("EGFR", "EGFR"), ("EGF", "EGF"), ("TSHR", "TSHR"), ("CHIR", "CHIR")]}
    assert {(n.surface, n.norm) for n in lexicon_build.receptor_hyphen_spellings(genes)} == {("EGF-R", "EGFR")}


@pytest.mark.parametrize(
    ("surface", "label", "norm"),
    [
        ("T-DM1", "DRUG", "trastuzumab emtansine"),
        ("Enhertu", "DRUG", "trastuzumab deruxtecan"),
        ("epoetin alpha", "DRUG", "epoetin alfa"),
        ("EGF-R", "GENE", "EGFR"),
        ("VEGF-R", "GENE", "VEGFR"),
        ("hepatocyte growth factor", "GENE", "HGF"),
        ("Kirsten rat sarcoma viral oncogene homolog", "GENE", "KRAS"),
    ],
)
def test_compiled_lexicon_has_the_generalisation_names(surface: str, label: str, norm: str) -> None:
    entry = compiled_lexicon().lexicons[label].lookup(surface)
    assert entry is not None and entry.norm == norm


@pytest.mark.parametrize(("surface", "label"), [("BrdU", "DRUG"), ("DMSO", "DRUG"), ("BCR-ABL", "GENE")])
def test_compiled_lexicon_drops_reagents_and_fusion_names(surface: str, label: str) -> None:
    assert compiled_lexicon().lexicons[label].lookup(surface) is None
