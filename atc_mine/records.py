"""Plain typed records that flow one way through the pipeline.

sources/ -> Document; nlp/ -> Entity, OutcomeFigure (an Extraction per document);
store / evaluate / export read them back. A missing value is ``None``, never ``""``.
The JSON shape of :class:`Extraction` is the *extraction contract* every command keeps
(see README, "The extraction contract").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Literal

Source = Literal["text", "pubmed", "ctgov"]
EntityLabel = Literal["DRUG", "GENE", "VARIANT", "NCT_ID", "TRIAL_ID"]

ENTITY_LABELS: tuple[str, ...] = ("DRUG", "GENE", "VARIANT", "NCT_ID")

MEASURES: tuple[str, ...] = (
    "N_ENROLLED",
    "N_EVALUABLE",
    "ORR",
    "DCR",
    "CBR",
    "CR",
    "PR",
    "SD",
    "PD",
    "PFS_MEDIAN",
    "OS_MEDIAN",
    "DOR_MEDIAN",
    "PFS_RATE",
    "OS_RATE",
)
TIME_UNITS: tuple[str, ...] = ("days", "weeks", "months", "years")


def sha1_text(text: str) -> str:
    """The content hash used everywhere: sha1 of the UTF-8 bytes of the text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Section:
    """A labelled part of a structured abstract (PubMed ``AbstractText@Label``)."""

    label: str | None
    category: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """One input document: an abstract, a registry record or a text file."""

    doc_id: str
    source: Source
    text: str
    title: str | None = None
    #: The source's own version (PubMed ``PMID@Version``; ClinicalTrials.gov last update date).
    source_version: str | None = None
    deleted: bool = False
    sections: tuple[Section, ...] = ()
    #: Source metadata: journal, dates, MeSH, DataBank NCT IDs, registry fields...
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: Structured outcome figures that the source itself states (registry posted results).
    posted_outcomes: tuple[OutcomeFigure, ...] = ()

    @property
    def text_sha1(self) -> str:
        return sha1_text(self.text)

    @property
    def linked_trials(self) -> tuple[str, ...]:
        """NCT IDs the source links to this document (DataBank, sidecar, the study itself)."""
        return tuple(self.metadata.get("linked_trials") or ())


@dataclass(frozen=True, slots=True)
class Entity:
    """A recognised mention: character offsets into the document text and its canonical name."""

    label: str
    text: str
    start: int
    end: int
    norm: str

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "start": self.start, "end": self.end, "norm": self.norm}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entity:
        return cls(data["label"], data["text"], int(data["start"]), int(data["end"]), data["norm"])


def readable_timepoint(timepoint: str) -> str:
    """A contract time point as a reader says it: "1 years" -> "1 year" ("6 months" unchanged).

    The contract keeps "number + plural unit" for every time point (gold/GUIDELINES.md), so
    that it parses one way; only text meant for people singularises one unit.
    """
    number, _, unit = timepoint.partition(" ")
    return f"{number} {unit[:-1]}" if number in ("1", "1.0") and unit.endswith("s") else timepoint


@dataclass(frozen=True, slots=True)
class OutcomeFigure:
    """One outcome figure a text states, tied to its regimen, trial and cohort.

    ``start``/``end`` are the offsets of ``sentence`` in the document text.
    """

    measure: str
    sentence: str
    start: int
    end: int
    percent: float | None = None
    count: int | None = None
    denominator: int | None = None
    value: float | None = None
    unit: str | None = None
    timepoint: str | None = None
    ci: tuple[float, float] | None = None
    not_reached: bool = False
    drugs: tuple[str, ...] = ()
    trial: str | None = None
    cohort: str | None = None
    subgroup: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "percent": self.percent,
            "count": self.count,
            "denominator": self.denominator,
            "value": self.value,
            "unit": self.unit,
            "timepoint": self.timepoint,
            "ci": list(self.ci) if self.ci is not None else None,
            "not_reached": self.not_reached,
            "drugs": list(self.drugs),
            "trial": self.trial,
            "cohort": self.cohort,
            "subgroup": self.subgroup,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutcomeFigure:
        ci = data.get("ci")
        return cls(
            measure=data["measure"],
            sentence=data.get("sentence") or "",
            start=int(data.get("start") or 0),
            end=int(data.get("end") or 0),
            percent=data.get("percent"),
            count=data.get("count"),
            denominator=data.get("denominator"),
            value=data.get("value"),
            unit=data.get("unit"),
            timepoint=data.get("timepoint"),
            ci=(float(ci[0]), float(ci[1])) if ci else None,
            not_reached=bool(data.get("not_reached", False)),
            drugs=tuple(data.get("drugs") or ()),
            trial=data.get("trial"),
            cohort=data.get("cohort"),
            subgroup=data.get("subgroup"),
        )

    @property
    def record_id(self) -> str:
        """A stable id: same figure, same sentence position -> same id across runs."""
        key = "|".join(
            str(part)
            for part in (
                self.measure,
                self.percent,
                self.count,
                self.denominator,
                self.value,
                self.unit,
                self.timepoint,
                self.ci,
                self.not_reached,
                ",".join(self.drugs),
                self.trial,
                self.cohort,
                self.subgroup,
                self.start,
            )
        )
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


#: An outcome figure's values: every field but its sentence and the sentence's offsets (the
#: fields a curator's decision and a gold figure are about).
FIGURE_VALUE_FIELDS = tuple(f.name for f in fields(OutcomeFigure) if f.name not in ("sentence", "start", "end"))


@dataclass(frozen=True, slots=True)
class Extraction:
    """What atc-mine extracts from one document: one line of the extraction contract."""

    doc_id: str
    source: str
    text_sha1: str
    entities: tuple[Entity, ...] = ()
    outcomes: tuple[OutcomeFigure, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "source": self.source,
            "text_sha1": self.text_sha1,
            "entities": [e.to_json() for e in self.entities],
            "outcomes": [o.to_json() for o in self.outcomes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            doc_id=data["doc_id"],
            source=data.get("source", "text"),
            text_sha1=data.get("text_sha1", ""),
            entities=tuple(Entity.from_json(e) for e in data.get("entities", ())),
            outcomes=tuple(OutcomeFigure.from_json(o) for o in data.get("outcomes", ())),
        )
