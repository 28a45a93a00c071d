"""Cohorts and subgroups: which population a figure describes, in the gold vocabulary.

The vocabulary (``data/cohort_vocabulary.json``) mirrors ``gold/schema/cohorts.json``
(GUIDELINES section 5.3): ``thyroid cancer`` > ``ATC`` > ``BRAF V600-mutant ATC`` >
``BRAF V600E-mutant ATC``; ``DTC`` > ``RR-DTC``/``PTC``/``FTC``; ``PDTC``, ``MTC``; other
tumours of basket trials; ``all`` for the pooled population of a multi-cohort study. The
cues (``data/cohort_cues.json``) are regexes from histology names to terms, molecular
selections (BRAF V600, V600E) that combine with ATC or thyroid cancer, a pooled-population
cue, a multi-tumour cue, subgroup templates (PD-L1 status, dose level, arm, numbered
cohort, stage), and negations: a histology right after "without", "excluding" or "non-"
names the population left out, and is no cue, as is one later in the coordinated list a word
negation reaches across ("excluding non-small-cell lung cancer and thyroid cancer").

:func:`resolve` turns the terms a text supports into one: the most specific when they lie on
one line of descent ("patients with thyroid cancer ... 17 with ATC" -> ATC), the pooled label
when they are siblings ("28 with DTC and 7 with ATC").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from atc_mine.errors import PatternFileError
from atc_mine.nlp.prefilter import LiteralScreen, requirement
from atc_mine.nlp.rules import load_records

VOCABULARY_FILE = "cohort_vocabulary.json"
CUES_FILE = "cohort_cues.json"
CUE_KINDS = frozenset({"histology", "molecular", "pooled", "multi", "subgroup", "negation"})
#: Gap (characters) between a specific histology and a following "thyroid cancer" that makes
#: them one name ("anaplastic thyroid cancer", "medullary thyroid carcinoma").
ADJACENT_GAP = 2
#: Molecular selection x histology -> the vocabulary term that combines them.
COMBINED = {
    ("BRAF V600E", "ATC"): "BRAF V600E-mutant ATC",
    ("BRAF V600", "ATC"): "BRAF V600-mutant ATC",
    ("BRAF V600E", "BRAF V600-mutant ATC"): "BRAF V600E-mutant ATC",
    ("BRAF V600E", "thyroid cancer"): "BRAF V600E-mutant thyroid cancer",
}
THYROID = "thyroid cancer"
POOLED = "all"


@dataclass(frozen=True, slots=True)
class Cue:
    id: str
    kind: str
    regex: re.Pattern[str]
    term: str | None
    subgroup: str | None
    #: Of a negation: the coordinated list right after it, which it reaches across ("excluding
    #: NSCLC and thyroid cancer").
    scope: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Vocabulary:
    parents: dict[str, str | None]

    def lineage(self, term: str) -> list[str]:
        """The term and its ancestors, most specific first."""
        chain = []
        while term is not None and term not in chain:
            chain.append(term)
            term = self.parents.get(term)
        return chain

    def depth(self, term: str) -> int:
        return len(self.lineage(term))

    def is_thyroid(self, term: str) -> bool:
        return THYROID in self.lineage(term)


@cache
def vocabulary(name: str = VOCABULARY_FILE) -> Vocabulary:
    records = load_records(name, "cohorts", required=("term", "parent"))
    parents = {r["term"]: r["parent"] for r in records}
    for term, parent in parents.items():
        if parent is not None and parent not in parents:
            raise PatternFileError(f"{name}: cohort {term!r} has unknown parent {parent!r}")
    return Vocabulary(parents)


@cache
def cohort_cues(name: str = CUES_FILE) -> tuple[Cue, ...]:
    vocab = vocabulary()
    cues = []
    for record in load_records(name, "cues", required=("id", "kind", "regex"), optional=("term", "subgroup", "scope")):
        where = f"{name}: cue {record['id']!r}"
        if record["kind"] not in CUE_KINDS:
            raise PatternFileError(f"{where}: unknown kind {record['kind']!r}")
        if record["kind"] in ("histology", "pooled") and record.get("term") not in vocab.parents:
            raise PatternFileError(f"{where}: term {record.get('term')!r} is not in the cohort vocabulary")
        if "scope" in record and record["kind"] != "negation":
            raise PatternFileError(f"{where}: only a negation has a scope")
        try:
            regex = re.compile(record["regex"])
            scope = re.compile(record["scope"]) if "scope" in record else None
        except re.error as exc:
            raise PatternFileError(f"{where}: {exc}") from None
        cues.append(Cue(record["id"], record["kind"], regex, record.get("term"), record.get("subgroup"), scope))
    return tuple(cues)


@dataclass(frozen=True, slots=True)
class Found:
    kind: str
    value: str
    start: int
    end: int


@cache
def cue_screen(name: str = CUES_FILE) -> LiteralScreen:
    """The literal screen of :func:`cohort_cues`, in their order: of the ~24 cues an abstract
    can match about 3, and each regex scan of an abstract costs ~15 us."""
    return LiteralScreen([requirement(cue.regex) for cue in cohort_cues(name)])


def find_cues(text: str, kinds: frozenset[str] = CUE_KINDS) -> list[Found]:
    """Histology, molecular, pooled and multi-tumour cues in ``text``, overlaps resolved."""
    vocab = vocabulary()
    found: list[Found] = []
    scoped: list[tuple[int, re.Pattern[str]]] = []
    screen = cue_screen()
    for cue, possible in zip(cohort_cues(), screen.possible(screen.present(text)), strict=True):
        if possible and cue.kind in kinds and cue.kind != "subgroup":
            matches = [Found(cue.kind, cue.term or "", m.start(), m.end()) for m in cue.regex.finditer(text)]
            found += matches
            if cue.scope is not None:
                scoped += [(f.end, cue.scope) for f in matches]
    # "without ATC", "non-anaplastic": a histology right after a negation is the population left
    # out, and so is one later in the list the negation reaches ("excluding NSCLC and thyroid cancer")
    left_out = {f.end for f in found if f.kind == "negation"}

    lists = [m.span() for end, scope in scoped if (m := scope.match(text, end))]

    def is_left_out(f: Found) -> bool:
        return f.start in left_out or any(start <= f.start and f.end <= end for start, end in lists)

    histology = sorted(
        (f for f in found if f.kind == "histology" and not is_left_out(f)),
        key=lambda f: (f.start, -vocab.depth(f.value)),
    )
    kept: list[Found] = []
    for f in histology:
        clash = [k for k in kept if f.start < k.end and k.start < f.end]
        if clash:
            if all(vocab.depth(f.value) > vocab.depth(k.value) for k in clash):
                kept = [k for k in kept if k not in clash] + [f]
            continue
        if f.value == THYROID and kept and 0 <= f.start - kept[-1].end <= ADJACENT_GAP:
            continue  # "anaplastic thyroid cancer": the thyroid cancer is the anaplastic one
        kept.append(f)
    return sorted(kept + [f for f in found if f.kind not in ("histology", "negation")], key=lambda f: f.start)


def combine(histology: str | None, molecular: str | None) -> str | None:
    if histology is None or molecular is None:
        return histology
    return COMBINED.get((molecular, histology), histology)


def most_specific_molecular(cues: list[Found]) -> str | None:
    values = {f.value for f in cues if f.kind == "molecular"}
    if "BRAF V600E" in values:
        return "BRAF V600E"
    return "BRAF V600" if "BRAF V600" in values else None


def resolve(terms: list[str], *, pooled_label: str | None = None) -> str | None:
    """One term for a set of terms: the most specific of one line of descent, else the pooled label."""
    vocab = vocabulary()
    terms = [t for t in dict.fromkeys(terms) if t and t != POOLED]
    if not terms:
        return None
    deepest = max(terms, key=vocab.depth)
    lineage = vocab.lineage(deepest)
    if all(t in lineage for t in terms):
        return deepest
    if pooled_label:
        return pooled_label
    common = [t for t in lineage if all(t in vocab.lineage(o) for o in terms)]
    return common[0] if common else POOLED


def cohort_of(text: str, molecular_context: str | None = None) -> tuple[str | None, list[str]]:
    """(the cohort ``text`` names, every histology it names) with a molecular selection applied."""
    return cohort_from_cues(find_cues(text), molecular_context)


def cohort_from_cues(cues: list[Found], molecular_context: str | None = None) -> tuple[str | None, list[str]]:
    """:func:`cohort_of` for cues already found (a span of a document scanned once)."""
    histologies = [f.value for f in cues if f.kind == "histology"]
    if any(f.kind == "pooled" for f in cues) and not histologies:
        return POOLED, []
    molecular = most_specific_molecular(cues) or molecular_context
    combined = [combine(h, molecular) or h for h in histologies]
    if not combined:
        return None, []
    return resolve(combined) if len(set(combined)) > 1 else combined[0], combined


def subgroup_of(
    text: str, *, drug: str | None = None, only: frozenset[str] | None = None, before: int | None = None
) -> str | None:
    """A subgroup the qualifier ``text`` names (GUIDELINES 5.3): PD-L1 status, dose, arm...

    ``only``: the ids of the cues to try; ``before``: a cue must start before this offset.
    """
    for cue in cohort_cues():
        if cue.kind != "subgroup" or not cue.subgroup or (only is not None and cue.id not in only):
            continue
        m = cue.regex.search(text)
        if not m or (before is not None and m.start() >= before):
            continue
        values = {k: (v or "").strip() for k, v in m.groupdict().items()}
        if "{drug}" in cue.subgroup:
            values["drug"] = drug or ""
        if "op" in values:
            values["op"] = {"≥": ">=", "≤": "<="}.get(values["op"], values["op"])
        try:
            return re.sub(r"\s+", " ", cue.subgroup.format(**values)).strip()
        except (KeyError, IndexError):
            continue
    return None
