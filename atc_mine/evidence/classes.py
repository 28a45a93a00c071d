"""Therapy class of a regimen, from the drug classes data file (``data/drug_classes.json``).

A drug's class (targeted, immuno, chemo), category and targets are data with their sources,
never a list in code. A regimen's class follows the seed review's three tables and the gold
set's convention (gold/GUIDELINES.md section 6):

- ``targeted``: targeted agents only, including combinations of targeted agents
  (dabrafenib + trametinib);
- ``immuno``: immunotherapy only (checkpoint antibodies);
- ``chemo``: cytotoxic chemotherapy only (with or without radiotherapy);
- ``combination``: immunotherapy + targeted therapy, or either of them with chemotherapy or
  radiotherapy (efatutazone + paclitaxel, carboplatin/paclitaxel +/- fosbretabulin,
  lenvatinib + pembrolizumab);
- ``unclassified``: no drug of the regimen is in the data file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from atc_mine.errors import PatternFileError
from atc_mine.evidence._datafiles import check_keys, load_json
from atc_mine.evidence.patterns import class_terms

CLASS_FILE = "drug_classes.json"
#: Classes a drug may have in the data file.
DRUG_CLASSES = ("targeted", "immuno", "chemo")
#: Classes a regimen (a table row) may have; the first three are the review's Tables 1-3.
THERAPY_CLASSES = ("targeted", "immuno", "combination", "chemo", "unclassified")
SOURCE_KINDS = frozenset({"corpus_text", "fda_label"})


@dataclass(frozen=True, slots=True)
class DrugClass:
    norm: str
    drug_class: str
    category: str
    targets: tuple[str, ...]
    sources: tuple[dict[str, str], ...]
    drugbank_id: str | None = None
    note: str | None = None


@cache
def drug_classes() -> dict[str, DrugClass]:
    """Every drug of the data file by its normalised name (lowercase INN)."""
    data = load_json(CLASS_FILE)
    check_keys(
        CLASS_FILE, data, required={"version", "source", "drugs", "classes"}, optional={"date", "licence", "comment"}
    )
    if set(data["classes"]) != set(DRUG_CLASSES):
        raise PatternFileError(f"{CLASS_FILE}: 'classes' must describe exactly {list(DRUG_CLASSES)}")
    found: dict[str, DrugClass] = {}
    for index, record in enumerate(data["drugs"]):
        where = f"{CLASS_FILE}: drugs[{index}]"
        check_keys(
            where,
            record,
            required={"norm", "class", "category", "targets", "sources", "identifiers"},
            optional={"note"},
        )
        where += f" ({record['norm']!r})"
        if record["norm"] in found:
            raise PatternFileError(f"{where}: duplicate drug")
        if record["norm"] != record["norm"].lower():
            raise PatternFileError(f"{where}: norm must be lowercase")
        if record["class"] not in DRUG_CLASSES:
            raise PatternFileError(f"{where}: unknown class {record['class']!r}")
        if not record["sources"]:
            raise PatternFileError(f"{where}: at least one source is required")
        for number, source in enumerate(record["sources"]):
            kind = source.get("kind") if isinstance(source, dict) else None
            if kind == "corpus_text":
                check_keys(f"{where} sources[{number}]", source, required={"kind", "document", "quote"})
            elif kind == "fda_label":
                check_keys(f"{where} sources[{number}]", source, required={"kind", "document", "section"})
            else:
                raise PatternFileError(f"{where} sources[{number}]: kind must be one of {sorted(SOURCE_KINDS)}")
        identifiers = check_keys(f"{where} identifiers", record["identifiers"], required={"drugbank_id"})
        found[record["norm"]] = DrugClass(
            norm=record["norm"],
            drug_class=record["class"],
            category=record["category"],
            targets=tuple(record["targets"]),
            sources=tuple(record["sources"]),
            drugbank_id=identifiers["drugbank_id"],
            note=record.get("note"),
        )
    return found


@dataclass(frozen=True, slots=True)
class RegimenClass:
    therapy_class: str
    #: Classes of the components: named drugs and components a title names only by class.
    component_classes: tuple[str, ...]
    targets: tuple[str, ...]
    #: Unnamed components added from the title ("kinase inhibitor (unnamed)").
    unnamed: tuple[str, ...]
    #: Drugs of the regimen that are not in the data file.
    unknown_drugs: tuple[str, ...]


def combine_classes(classes: Iterable[str]) -> str:
    """The class of a regimen whose components have ``classes`` (gold/GUIDELINES.md section 6)."""
    present = set(classes)
    targeted, immuno = "targeted" in present, "immuno" in present
    cytotoxic = bool(present & {"chemo", "radiotherapy"})
    if (targeted and immuno) or ((targeted or immuno) and cytotoxic):
        return "combination"
    if targeted:
        return "targeted"
    if immuno:
        return "immuno"
    if "chemo" in present:
        return "chemo"
    return "unclassified"


def regimen_class(drugs: Iterable[str], *, title: str | None = None) -> RegimenClass:
    """Class and targets of a regimen: its named drugs, plus what its title names only by class.

    A title term ("added to kinase inhibitor therapy") adds an unnamed component only when no
    named drug of that class is already in the regimen.
    """
    table = drug_classes()
    drugs = sorted(set(drugs))
    known = [table[d] for d in drugs if d in table]
    classes = [d.drug_class for d in known]
    unnamed: list[str] = []
    for rule in class_terms(title):
        if rule.term_class not in classes:
            classes.append(rule.term_class)
            unnamed.append(rule.regimen_text or rule.term_class)
    targets = tuple(dict.fromkeys(t for d in known for t in d.targets))
    return RegimenClass(
        therapy_class=combine_classes(classes),
        component_classes=tuple(dict.fromkeys(classes)),
        targets=targets,
        unnamed=tuple(unnamed),
        unknown_drugs=tuple(d for d in drugs if d not in table),
    )
