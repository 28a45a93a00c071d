"""Grouping documents and their figures into clinical studies.

A study is one clinical trial or series, however many documents report it: its abstracts,
later updates, and its registry record with posted results. Documents are joined into one
study by, in order of strength:

1. **Trial ID.** An NCT ID the document carries: the registry record's own ID, PubMed's
   DataBank list, a sidecar's ``linked_trials``, an NCT ID in the text (the recogniser's
   ``NCT_ID`` entities, or a figure's ``trial``). A publication that names more than one trial
   (a pooled report, a review) joins none of them as a whole; only its figures that carry a
   trial go to that trial's study.
2. **The registry's references.** A ClinicalTrials.gov record lists the PubMed IDs of its results
   publications (API v2 ``references`` of type RESULT or DERIVED, legacy ``results_reference``);
   a document with such a PMID joins the trial. Background references do not.
3. **The same publication.** Two documents with the same PMID or DOI (a text copy and the PubMed
   record of one abstract) are one publication.
4. **Without an ID: regimen + cohort + publication linkage.** An update of the same trial by the
   same group: two publications with the same regimen (set of drugs), overlapping cohorts and at
   least ``MIN_SHARED_AUTHORS`` author surnames in common. Joining never merges two different
   trial IDs into one study.

A registry record that merely has the same regimen and cohort as an unlinked publication is
not merged (that would be an inference, cf. ``corpora/README.md`` on Lim 2013 and NCT01164176);
it is offered as a *candidate trial* for a curator to confirm.

Everything here is pure: plain records in, plain records out; no SQL, no NLP.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from atc_mine.evidence.patterns import (
    is_atc_cohort,
    is_population_label,
    matches,
    mentions_atc,
    names_other_population,
)
from atc_mine.records import OutcomeFigure

#: Two shared surnames: one in common is often chance (Kim, Lee, Wang); two mark the same group.
MIN_SHARED_AUTHORS = 2
#: A publication naming more trials than this is a pooled report or a review: not one trial's.
MAX_TRIALS_PER_PUBLICATION = 1
#: ClinicalTrials.gov reference types that report the trial itself (v2 RESULT/DERIVED, legacy tag).
RESULT_REFERENCE_TYPES = frozenset({"RESULT", "DERIVED", "results_reference"})
#: Cohort labels of the extraction contract that describe a mixed population, not one histology.
MIXED_POPULATION_COHORTS = frozenset({"thyroid cancer", "all"})
#: The cohort of a figure whose own cohort is unknown, in a document whose title names ATC only.
DEFAULT_ATC_COHORT = "ATC"

NCT_ID = re.compile(r"^NCT\d{8}$")
MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}


# -- inputs --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceDocument:
    """A current document with what the grouping needs from its extraction.

    Not slotted, so that what is read from its whole text (is it about ATC, about the thyroid) is
    computed once per document and cached, not once per question.
    """

    doc_pk: int
    source: str
    doc_id: str
    text: str
    title: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    #: NCT IDs recognised in the text (``NCT_ID`` entities).
    nct_ids: tuple[str, ...] = ()
    #: Drugs recognised in the title (``DRUG`` entities inside it).
    title_drugs: tuple[str, ...] = ()
    #: Drugs recognised anywhere in the text.
    drugs: tuple[str, ...] = ()
    figures: tuple[tuple[str, OutcomeFigure], ...] = ()

    # Derived properties -----------------------------------------------------------------
    @property
    def is_registry(self) -> bool:
        return self.source == "ctgov" or self.metadata.get("kind") == "registry_page_excerpt"

    @property
    def own_trial(self) -> str | None:
        """The registry record's own NCT ID."""
        if not self.is_registry:
            return None
        nct = self.metadata.get("nct_id") or (self.doc_id if self.source == "ctgov" else None)
        return nct if isinstance(nct, str) and NCT_ID.match(nct) else None

    @property
    def pmid(self) -> str | None:
        pmid = self.doc_id if self.source == "pubmed" else self.metadata.get("pmid")
        return str(pmid) if pmid else None

    @property
    def doi(self) -> str | None:
        doi = self.metadata.get("doi")
        return str(doi).lower() if doi else None

    @property
    def display_title(self) -> str | None:
        if self.title:
            return self.title
        if self.source == "ctgov":
            return self.metadata.get("brief_title")
        first = next((line.strip() for line in self.text.splitlines() if line.strip()), None)
        return first

    @cached_property
    def mentions_atc(self) -> bool:
        """Its title, text or registry conditions name ATC (see :func:`patterns.mentions_atc`)."""
        return mentions_atc(self.relevance_text)

    @cached_property
    def mentions_thyroid(self) -> bool:
        return matches("THYROID_MENTION", self.relevance_text)

    @cached_property
    def relevance_text(self) -> str:
        """Title, text and the registry's conditions/keywords: what 'is it about ATC?' reads."""
        parts = [self.title or "", self.text]
        for key in ("official_title", "brief_title"):
            if isinstance(self.metadata.get(key), str):
                parts.append(self.metadata[key])
        for key in ("conditions", "keywords", "mesh_headings"):
            value = self.metadata.get(key)
            if isinstance(value, list):
                parts.extend(str(v) for v in value)
        return "\n".join(parts)


def trial_links(document: SourceDocument) -> dict[str, str]:
    """NCT IDs the document itself carries -> how (first reason wins)."""
    links: dict[str, str] = {}
    own = document.own_trial
    if own:
        links[own] = "registry record"
    metadata_reason = "databank" if document.source == "pubmed" else "sidecar"
    for nct in document.metadata.get("linked_trials") or ():
        if isinstance(nct, str) and NCT_ID.match(nct):
            links.setdefault(nct, "registry record" if document.is_registry else metadata_reason)
    for nct in document.nct_ids:
        links.setdefault(nct, "nct in text")
    for _, figure in document.figures:
        if figure.trial and NCT_ID.match(figure.trial):
            links.setdefault(figure.trial, "nct in text")
    return links


def result_reference_pmids(document: SourceDocument) -> set[str]:
    """PMIDs of the publications a registry record lists as reporting its results."""
    if document.source != "ctgov":
        return set()
    found = set()
    for ref in document.metadata.get("references") or ():
        if isinstance(ref, dict) and ref.get("pmid") and ref.get("type") in RESULT_REFERENCE_TYPES:
            found.add(str(ref["pmid"]))
    return found


# -- dates of data cuts ----------------------------------------------------------------------
def parse_date(value: Any) -> str | None:
    """A date as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from the forms the sources write.

    PubMed ``2015-12-26``, ``2015-10``, ``2015 Oct-Dec``; ClinicalTrials.gov ``2020-05-07`` or
    ``August 10, 2012``, ``June 2005``; a sidecar's integer ``year``.
    """
    if value is None:
        return None
    if isinstance(value, int):
        return f"{value:04d}" if 1900 <= value <= 2200 else None
    text = str(value).strip()
    match = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if match:
        return "-".join(p.zfill(2) if i else p for i, p in enumerate(match.groups()) if p)
    match = re.match(r"^([A-Za-z]{3})[a-z]*\.?\s+(?:(\d{1,2}),\s*)?(\d{4})$", text)
    if match and match.group(1).lower() in MONTHS:
        parts = [match.group(3), f"{MONTHS[match.group(1).lower()]:02d}"]
        if match.group(2):
            parts.append(match.group(2).zfill(2))
        return "-".join(parts)
    match = re.search(r"\b(\d{4})\b", text)
    return match.group(1) if match else None


def data_cut(document: SourceDocument) -> str | None:
    """When the document's figures were made public: its data cut, as far as the record says.

    Publications: the publication date (PubMed ``pub_date``), else the sidecar's ``pub_date`` or
    ``year``. Registry records: the date results were first posted, else the last update.
    """
    meta = document.metadata
    if document.source == "ctgov":
        keys = ("results_first_post_date", "last_update_post_date", "first_post_date")
    else:
        keys = ("pub_date", "year", "entrez_date")
    for key in keys:
        cut = parse_date(meta.get(key))
        if cut:
            return cut
    return None


def cut_key(cut: str | None) -> tuple[int, int, int]:
    """Sort key of a data cut; an unknown cut sorts before every known one."""
    if not cut:
        return (0, 0, 0)
    parts = [int(p) for p in cut.split("-")] + [0, 0]
    return (parts[0], parts[1], parts[2])


def same_cut(a: str | None, b: str | None) -> bool:
    """Two cuts are the same when they agree at the precision both state (2013 == 2013-04-15)."""
    if a is None or b is None:
        return a is b
    pa, pb = a.split("-"), b.split("-")
    shared = min(len(pa), len(pb))
    return pa[:shared] == pb[:shared]


# -- authors -----------------------------------------------------------------------------------
def author_surnames(metadata: Mapping[str, Any]) -> set[str]:
    """Lowercased surnames: PubMed's ``["Subbiah V", ...]`` or a sidecar's "Vivek Subbiah, ..."

    A sidecar name may be written given-name-first or surname-first ("Tahara Makoto"), so both
    its first and last words count as candidate surnames.
    """
    authors = metadata.get("authors")
    names: set[str] = set()
    if isinstance(authors, list):
        for author in authors:
            words = str(author).split()
            if len(words) >= 2:
                names.add(" ".join(words[:-1]).lower())
            elif words:
                names.add(words[0].lower())
    elif isinstance(authors, str) and "not shown" not in authors.lower():
        for author in re.split(r",|\band\b", authors):
            words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", author) if len(w.rstrip(".")) > 1]
            if words:
                names.update({words[0].lower(), words[-1].lower()})
    return names


def first_author(metadata: Mapping[str, Any], *, hint: str = "") -> str | None:
    """The first author's surname. A sidecar name is read given-name-first ("Vivek Subbiah") unless
    its first word, not its last, occurs in ``hint`` (the file name, e.g. ``..._tahara2017_...``
    for "Tahara Makoto")."""
    authors = metadata.get("authors")
    if isinstance(authors, list) and authors:
        words = str(authors[0]).split()
        return " ".join(words[:-1]) if len(words) >= 2 else (words[0] if words else None)
    if isinstance(authors, str) and "not shown" not in authors.lower():
        words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", authors.split(",")[0]) if len(w.rstrip(".")) > 1]
        if not words:
            return None
        hint = hint.lower()
        if words[0].lower() in hint and words[-1].lower() not in hint:
            return words[0]
        return words[-1]
    return None


# -- the grouping ------------------------------------------------------------------------------
@dataclass(slots=True)
class StudyGroup:
    """Documents (with how each was linked) and figures that make one study."""

    trial: str | None
    documents: dict[int, tuple[SourceDocument, str]] = field(default_factory=dict)
    figures: list[tuple[SourceDocument, str, OutcomeFigure]] = field(default_factory=list)
    candidate_trials: list[str] = field(default_factory=list)

    def add_document(self, document: SourceDocument, linked_by: str) -> None:
        self.documents.setdefault(document.doc_pk, (document, linked_by))


def atc_only_title(document: SourceDocument) -> bool:
    """The document's title names ATC and no other population."""
    title = document.display_title
    return mentions_atc(title) and not names_other_population(title)


def _results_groups(document: SourceDocument) -> set[str]:
    return {f.cohort for _, f in document.figures if f.cohort and not is_population_label(f.cohort)}


def place_figure(document: SourceDocument, figure: OutcomeFigure) -> tuple[str | None, str | None]:
    """The (cohort, arm) of a figure: its row of the table and its arm within the row.

    A text figure keeps its cohort and subgroup; one without a cohort gets ATC when the
    document's title names ATC and no other population. A registry record's posted figure has the
    title of its results group as cohort (``atc_mine.sources.ctgov_results``): a group that names
    ATC is the ATC cohort; in a record about ATC alone, the groups are arms of the ATC cohort
    (FACT: "CA4P + carboplatin + paclitaxel" vs "carboplatin + paclitaxel"; a single group is the
    whole cohort); in a record about several populations (a basket) a group is its own cohort.
    """
    cohort, arm = figure.cohort, figure.subgroup
    if document.source == "ctgov" and cohort and not is_population_label(cohort):
        group = cohort
        if is_atc_cohort(group) or mentions_atc(group):
            cohort = DEFAULT_ATC_COHORT
        elif atc_only_title(document):
            cohort = DEFAULT_ATC_COHORT
            if len(_results_groups(document)) > 1:
                arm = "; ".join(p for p in (group, figure.subgroup) if p)
    if not cohort and atc_only_title(document):
        cohort = DEFAULT_ATC_COHORT
    return cohort, arm


def figure_cohort(document: SourceDocument, figure: OutcomeFigure) -> str | None:
    """The row (cohort) of a figure; see :func:`place_figure`."""
    return place_figure(document, figure)[0]


def document_regimen(document: SourceDocument) -> frozenset[str]:
    """Drugs the document's patients received: its title's drugs and its figures' most common set.

    A registry record whose title names no drug (a page excerpt without its title) falls back to
    every drug its text names: a registry description talks about the trial's own drugs, where an
    abstract may name others (Savvides 2013 compares with "our previous experience with
    fosbretabulin").
    """
    sets = Counter(tuple(sorted(f.drugs)) for _, f in document.figures if f.drugs)
    common = max(sets.items(), key=lambda item: (item[1], len(item[0])))[0] if sets else ()
    drugs = frozenset(document.title_drugs) | frozenset(common)
    if not drugs and document.is_registry:
        drugs = frozenset(document.drugs)
    return drugs


def document_cohorts(document: SourceDocument) -> set[str]:
    cohorts = {figure_cohort(document, f) for _, f in document.figures}
    if atc_only_title(document):
        cohorts.add(DEFAULT_ATC_COHORT)
    return {c for c in cohorts if c}


def document_is_atc(document: SourceDocument) -> bool:
    return document.mentions_atc or any(is_atc_cohort(figure_cohort(document, f)) for _, f in document.figures)


class _Groups:
    """Union-find over documents that never joins two different trial IDs."""

    def __init__(self, keys: Iterable[int]) -> None:
        self.parent = {k: k for k in keys}
        self.trial: dict[int, str | None] = dict.fromkeys(self.parent)
        self.reason: dict[int, str] = {}

    def find(self, key: int) -> int:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def set_trial(self, key: int, trial: str) -> bool:
        root = self.find(key)
        if self.trial[root] not in (None, trial):
            return False
        self.trial[root] = trial
        return True

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        ta, tb = self.trial[ra], self.trial[rb]
        if ta and tb and ta != tb:
            return False
        self.parent[rb] = ra
        self.trial[ra] = ta or tb
        return True


def group_documents(documents: Iterable[SourceDocument]) -> list[StudyGroup]:
    """Group documents and their figures into studies (see the module docstring for the rules)."""
    docs = {d.doc_pk: d for d in documents}
    groups = _Groups(docs)
    links = {pk: trial_links(d) for pk, d in docs.items()}
    linked_by: dict[int, str] = {}

    # 1. Trial IDs the documents carry.
    doc_trial: dict[int, str] = {}
    for pk, doc in docs.items():
        trials = links[pk]
        if doc.own_trial:
            doc_trial[pk] = doc.own_trial
        elif 0 < len(trials) <= MAX_TRIALS_PER_PUBLICATION:
            doc_trial[pk] = next(iter(trials))
        if pk in doc_trial:
            groups.set_trial(pk, doc_trial[pk])
            linked_by[pk] = links[pk].get(doc_trial[pk], "registry record")
    by_trial: dict[str, list[int]] = defaultdict(list)
    for pk, trial in doc_trial.items():
        by_trial[trial].append(pk)
    for members in by_trial.values():
        for pk in members[1:]:
            groups.union(members[0], pk)

    # 2. The registry's results references; 3. the same publication (PMID, DOI).
    by_pmid: dict[str, list[int]] = defaultdict(list)
    by_doi: dict[str, list[int]] = defaultdict(list)
    for pk, doc in docs.items():
        if doc.pmid:
            by_pmid[doc.pmid].append(pk)
        if doc.doi:
            by_doi[doc.doi].append(pk)
    for pk, doc in docs.items():
        for pmid in result_reference_pmids(doc):
            for other in by_pmid.get(pmid, ()):
                if other not in doc_trial and groups.union(pk, other):
                    linked_by.setdefault(other, "ctgov reference")
    for index in (by_pmid, by_doi):
        for members in index.values():
            for pk in members[1:]:
                if groups.union(members[0], pk):
                    linked_by.setdefault(pk, "same publication")

    # 4. No ID: same regimen, overlapping cohorts, shared authors (an update by the same group).
    publications = [pk for pk, d in docs.items() if not d.is_registry]
    regimen = {pk: document_regimen(docs[pk]) for pk in publications}
    cohorts = {pk: document_cohorts(docs[pk]) for pk in publications}
    authors = {pk: author_surnames(docs[pk].metadata) for pk in publications}
    for i, a in enumerate(publications):
        for b in publications[i + 1 :]:
            if a in doc_trial and b in doc_trial:
                continue
            if not regimen[a] or regimen[a] != regimen[b] or not (cohorts[a] & cohorts[b]):
                continue
            if len(authors[a] & authors[b]) < MIN_SHARED_AUTHORS:
                continue
            if groups.union(a, b):
                linked_by.setdefault(b if b not in doc_trial else a, "regimen + cohort + authors")

    # Assemble the groups; figures that name a trial of their own follow it.
    study_groups: dict[int | str, StudyGroup] = {}
    trial_root: dict[str, int] = {}
    for pk in docs:
        root = groups.find(pk)
        if groups.trial[root]:
            trial_root[groups.trial[root]] = root
    for pk, doc in docs.items():
        root = groups.find(pk)
        group = study_groups.setdefault(root, StudyGroup(trial=groups.trial[root]))
        group.add_document(doc, linked_by.get(pk, "own record" if doc.is_registry else "own publication"))
        for record_id, figure in doc.figures:
            target = group
            if figure.trial and figure.trial != group.trial and pk not in doc_trial:
                key = trial_root.get(figure.trial, figure.trial)
                target = study_groups.setdefault(key, StudyGroup(trial=figure.trial))
                target.add_document(doc, "nct in text")
            target.figures.append((doc, record_id, figure))
    result = list(study_groups.values())
    _suggest_trials(result)
    return result


def _enrolment(group_docs: Iterable[SourceDocument]) -> int | None:
    """The largest enrolment a set of documents states (registry field or N_ENROLLED figures)."""
    counts = [
        int(d.metadata["enrollment"])
        for d in group_docs
        if d.source == "ctgov" and isinstance(d.metadata.get("enrollment"), int) and d.metadata["enrollment"] < 10**6
    ]
    counts += [f.count for d in group_docs for _, f in d.figures if f.measure == "N_ENROLLED" and f.count]
    return max(counts) if counts else None


def _same_disease(a: Iterable[SourceDocument], b: Iterable[SourceDocument]) -> bool:
    a, b = list(a), list(b)
    if any(document_is_atc(d) for d in a) and any(document_is_atc(d) for d in b):
        return True
    return any(d.mentions_thyroid for d in a) and any(d.mentions_thyroid for d in b)


def _suggest_trials(groups: list[StudyGroup]) -> None:
    """Registry records that may be the trial of a study without a trial ID, for a curator to confirm.

    Same regimen (the registry title's drugs), the same disease (both about ATC, or both about
    thyroid cancer), and compatible enrolment: equal, or the registry enrols several populations
    (a basket: its title names other populations) and more patients than the publication reports;
    an enrolment not stated on either side does not rule a candidate out.
    """
    registries = [g for g in groups if g.trial and any(d.is_registry for d, _ in g.documents.values())]
    for group in groups:
        if group.trial:
            continue
        docs = [d for d, _ in group.documents.values()]
        drugs = frozenset().union(*(document_regimen(d) for d in docs))
        if not drugs:
            continue
        published_n = _enrolment(docs)
        for registry in registries:
            reg_docs = [d for d, _ in registry.documents.values() if d.is_registry]
            reg_drugs = frozenset().union(*(frozenset(d.title_drugs) for d in reg_docs))
            if reg_drugs != drugs or not _same_disease(docs, reg_docs):
                continue
            registry_n = _enrolment(reg_docs)
            basket = any(names_other_population(d.display_title) for d in reg_docs)
            if published_n and registry_n and not (published_n == registry_n or (basket and published_n < registry_n)):
                continue
            group.candidate_trials.append(registry.trial)
