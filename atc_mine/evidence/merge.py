"""Merging a study's figures into rows of the evidence table: one row per study and cohort.

Within a row, every figure feeds one *field* (``n``, ``orr_percent``, ``cr``,
``pfs_median_months``...) for an *arm* (a subgroup: dose level, randomised arm; none for the
whole cohort) at a *timepoint* (none for best response and medians). For each such slot:

- **The latest data cut is shown.** A document's cut is its publication date (registry records:
  the date results were posted); figures of earlier cuts are kept as ``history``.
- **Agreement** within the latest cut (the same number restated, a text copy and the PubMed record
  of one abstract) is recorded as ``agrees``. Numbers agree within ``PERCENT_TOLERANCE`` points,
  ``MONTHS_TOLERANCE`` months, counts exactly: the scorer's tolerances (gold/GUIDELINES.md s. 7).
- **Disagreement** within the latest cut is a *conflict*, shown, never resolved silently: the
  cell shows the value most figures state (then a registry's posted figure, which no text
  extraction stands between, then the one stated first) and the row lists every candidate.
  Except when the disagreeing figures carry different regimens (each its own, non-empty drug
  set): those are arms of a comparison (FACT: CP/fosbretabulin vs CP), shown per arm.

Main cells take the whole cohort's figure without a timepoint; when only timed figures exist
(Ha 2010: "response rates at 8 weeks") the earliest timepoint is used and the notes say so.
Everything else a row rests on (arms, other timepoints, CBR, DoR, landmark rates, percentages of
response categories) is listed in ``other_figures``: nothing is dropped.

ORR confidence intervals are exact (Clopper & Pearson 1934, :mod:`atc_mine.evidence.stats`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from atc_mine.evidence.classes import regimen_class
from atc_mine.evidence.grouping import (
    DEFAULT_ATC_COHORT,
    MIXED_POPULATION_COHORTS,
    SourceDocument,
    StudyGroup,
    cut_key,
    data_cut,
    document_is_atc,
    document_regimen,
    first_author,
    place_figure,
    same_cut,
)
from atc_mine.evidence.patterns import ROMAN, is_atc_cohort, phase_of
from atc_mine.evidence.stats import clopper_pearson
from atc_mine.evidence.units import MONTHS_PER_UNIT, to_months
from atc_mine.records import OutcomeFigure, readable_timepoint
from atc_mine.store.studies import (
    StudyConflict,
    StudyDocumentLink,
    StudyDrawing,
    StudyFigureLink,
    StudyRecord,
    StudyRow,
)

PERCENT_TOLERANCE = 0.5  # percentage points: abstracts round percents to whole numbers
MONTHS_TOLERANCE = 0.05  # months: converted times are rounded to two decimals
#: Fields shown as columns of the table; every other field goes to ``other_figures``.
MAIN_FIELDS = (
    "n",
    "n_evaluable",
    "orr_percent",
    "orr_count",
    "cr",
    "pr",
    "sd",
    "pd",
    "dcr_percent",
    "pfs_median_months",
    "os_median_months",
)
RESPONSE_CATEGORIES = ("cr", "pr", "sd", "pd")
#: Main fields that count patients: whole numbers in the table.
INTEGER_FIELDS = frozenset({"n", "n_evaluable", "orr_count", *RESPONSE_CATEGORIES})
MEDIANS = {"PFS_MEDIAN": "pfs_median_months", "OS_MEDIAN": "os_median_months", "DOR_MEDIAN": "dor_median_months"}
COUNT_FIELDS = {
    "N_ENROLLED": "n",
    "N_EVALUABLE": "n_evaluable",
    "ORR": "orr_count",
    "DCR": "dcr_count",
    "CBR": "cbr_count",
}
PERCENT_FIELDS = {"ORR": "orr_percent", "DCR": "dcr_percent", "CBR": "cbr_percent"}
PERCENT_FIELDS |= {"PFS_RATE": "pfs_rate_percent", "OS_RATE": "os_rate_percent"}


def figure_fields(figure: OutcomeFigure) -> list[tuple[str, float | None, bool]]:
    """(field, number in table units, not reached) for each number a figure states."""
    measure = figure.measure
    out: list[tuple[str, float | None, bool]] = []
    if measure in MEDIANS:
        if figure.not_reached:
            out.append((MEDIANS[measure], None, True))
        elif figure.value is not None:
            months = to_months(figure.value, figure.unit)
            if months is not None:
                out.append((MEDIANS[measure], months, False))
            else:
                out.append((MEDIANS[measure].replace("_months", "_unit_not_stated"), figure.value, False))
        return out
    category = measure.lower()
    if category in RESPONSE_CATEGORIES:
        if figure.count is not None:
            out.append((category, float(figure.count), False))
        if figure.percent is not None:
            out.append((f"{category}_percent", float(figure.percent), False))
        return out
    if measure in COUNT_FIELDS and figure.count is not None:
        out.append((COUNT_FIELDS[measure], float(figure.count), False))
    if measure in PERCENT_FIELDS and figure.percent is not None:
        out.append((PERCENT_FIELDS[measure], float(figure.percent), False))
    return out


def agree(field_name: str, a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if field_name.endswith("_months"):
        return abs(a - b) <= MONTHS_TOLERANCE + 1e-9
    if field_name.endswith("_percent"):
        return abs(a - b) <= PERCENT_TOLERANCE + 1e-9
    return a == b


def timepoint_months(timepoint: str | None) -> float:
    match = re.search(r"(\d+(?:\.\d+)?)\s*(day|week|month|year)", timepoint or "", re.I)
    if not match:
        return float("inf")
    return float(match.group(1)) * MONTHS_PER_UNIT[match.group(2).lower() + "s"]


def document_label(document: SourceDocument) -> str:
    """How a curator finds a source again: PMID, NCT ID of a registry record, else the file."""
    cut = data_cut(document)
    when = f" ({cut})" if cut else ""
    if document.source == "ctgov":
        return f"{document.doc_id} registry{when}"
    if document.is_registry and document.own_trial:
        return f"{document.own_trial} registry page ({document.doc_id}){when}"
    if document.pmid:
        return f"PMID {document.pmid}{when}" + ("" if document.source == "pubmed" else f" [{document.doc_id}]")
    return f"{document.doc_id}{when}"


def format_number(value: float | None) -> str:
    if value is None:
        return "NR"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# -- entries -----------------------------------------------------------------------------------
@dataclass(slots=True)
class Entry:
    """One number of one figure, placed in a row's slot (field, arm, timepoint)."""

    document: SourceDocument
    record_id: str
    figure: OutcomeFigure
    field: str
    number: float | None
    not_reached: bool
    cut: str | None
    arm: str | None
    timepoint: str | None
    status: str = "history"

    @property
    def drugs(self) -> tuple[str, ...]:
        return tuple(sorted(self.figure.drugs))

    @property
    def slot(self) -> tuple[str, str | None, str | None]:
        return (self.field, self.arm, self.timepoint)


def _clusters(entries: list[Entry]) -> list[list[Entry]]:
    clusters: list[list[Entry]] = []
    for entry in entries:
        for cluster in clusters:
            if agree(entry.field, cluster[0].number, entry.number) and cluster[0].not_reached == entry.not_reached:
                cluster.append(entry)
                break
        else:
            clusters.append([entry])
    return clusters


def _latest(entries: list[Entry]) -> list[Entry]:
    newest = max(entries, key=lambda e: cut_key(e.cut)).cut
    return [e for e in entries if same_cut(e.cut, newest)]


def _split_arms_by_regimen(entries: list[Entry]) -> None:
    """Disagreeing figures that each carry their own regimen are arms, not a conflict."""
    slots: dict[tuple, list[Entry]] = defaultdict(list)
    for entry in entries:
        slots[entry.slot].append(entry)
    for slot_entries in slots.values():
        clusters = _clusters(_latest(slot_entries))
        if len(clusters) < 2:
            continue
        regimens = [{e.drugs for e in cluster} for cluster in clusters]
        if all(len(r) == 1 and next(iter(r)) for r in regimens) and len({next(iter(r)) for r in regimens}) == len(
            regimens
        ):
            arm_of = {next(iter(r)): " + ".join(next(iter(r))) for r in regimens}
            for entry in slot_entries:
                if entry.drugs in arm_of and entry.arm is None:
                    entry.arm = arm_of[entry.drugs]


def _choose(cluster_list: list[list[Entry]]) -> list[Entry]:
    """The cluster a cell shows: most figures, then a registry's, then the first stated."""
    return min(
        cluster_list,
        key=lambda c: (-len(c), not any(e.document.source == "ctgov" for e in c), min(e.figure.start for e in c)),
    )


@dataclass(slots=True)
class SlotResult:
    shown: Entry | None
    conflict: list[list[Entry]] | None = None


def merge_slot(entries: list[Entry]) -> SlotResult:
    """Statuses of one slot's entries: the latest cut shown, earlier ones history, conflicts kept."""
    latest = _latest(entries)
    for entry in entries:
        entry.status = "history"
    clusters = _clusters(latest)
    chosen = _choose(clusters)
    for entry in latest:
        entry.status = "agrees"
    for cluster in clusters:
        if cluster is not chosen:
            for entry in cluster:
                entry.status = "conflict"
    shown = min(chosen, key=lambda e: (e.document.source != "ctgov", e.figure.start))
    shown.status = "shown"
    return SlotResult(shown=shown, conflict=clusters if len(clusters) > 1 else None)


# -- rows --------------------------------------------------------------------------------------
@dataclass(slots=True)
class RowDraft:
    cohort: str | None
    entries: list[Entry] = field(default_factory=list)


def orr_interval(values: dict[str, Any], denominators: dict[str, int]) -> tuple[int, int, str] | None:
    """Responders k of n behind the ORR, and how they were found (for the exact CI)."""
    n = values.get("n_evaluable") or values.get("n")
    if values.get("orr_count") is not None:
        d = denominators.get("orr_count") or n
        if d and 0 <= values["orr_count"] <= d:
            return int(values["orr_count"]), int(d), "ORR count"
    if values.get("orr_percent") is not None and n:
        k = round(values["orr_percent"] * n / 100)
        if abs(100 * k / n - values["orr_percent"]) <= PERCENT_TOLERANCE:
            return k, int(n), "ORR % of n"
    cr, pr = values.get("cr"), values.get("pr")
    d = denominators.get("cr") or denominators.get("pr") or n
    if not d:
        return None
    if cr is not None and pr is not None and cr + pr <= d:
        return int(cr + pr), int(d), "CR + PR"
    known = {c: values.get(c) for c in RESPONSE_CATEGORIES}
    missing = [c for c in ("cr", "pr") if known[c] is None]
    complete = len(missing) == 1 and all(known[c] is not None for c in RESPONSE_CATEGORIES if c not in missing)
    if complete and sum(v for v in known.values() if v is not None) == d:
        k = int(cr or pr or 0)
        return k, int(d), f"CR + PR ({missing[0].upper()} 0: categories account for all {d})"
    return None


def _regimen(documents: Iterable[SourceDocument], entries: Iterable[Entry]) -> frozenset[str]:
    drugs: set[str] = set()
    for document in documents:
        drugs |= set(document.title_drugs)
    sets = Counter(e.drugs for e in entries if e.drugs and e.arm is None)
    if sets:
        drugs |= set(max(sets.items(), key=lambda item: (item[1], len(item[0])))[0])
    return frozenset(drugs)


def _other_label(entry: Entry) -> str:
    name = entry.field.replace("_percent", " %").replace("_months", " (months)").replace("_", " ")
    arm = f" [{entry.arm}]" if entry.arm else ""
    when = f" at {readable_timepoint(entry.timepoint)}" if entry.timepoint else ""
    return f"{name}{arm}{when}: {format_number(entry.number)}"


@dataclass(slots=True)
class StudyContext:
    """What every row of a study shares."""

    study_id: str
    trial: str | None
    documents: list[SourceDocument]
    phase: str | None
    status: str | None
    candidate_trials: tuple[str, ...]
    relevant: bool


def _slot_order(item: tuple[tuple, Any]) -> tuple[str, str, str]:
    field_name, arm, timepoint = item[0]
    return (field_name, arm or "", timepoint or "")


def _cells(results: dict[tuple, SlotResult]) -> tuple[dict[str, Any], dict[str, int], list[str], set[tuple]]:
    """The main cells (whole cohort; untimed, else the earliest timepoint), their denominators and notes."""
    values: dict[str, Any] = {}
    denominators: dict[str, int] = {}
    notes: list[str] = []
    main_slots: set[tuple] = set()
    for field_name in MAIN_FIELDS:
        candidates = [s for s in results if s[0] == field_name and s[1] is None]
        if not candidates:
            continue
        slot = min(candidates, key=lambda s: (s[2] is not None, timepoint_months(s[2])))
        main_slots.add(slot)
        shown = results[slot].shown
        if shown.not_reached:
            notes.append(f"{field_name.replace('_months', '')}: not reached")
            continue
        values[field_name] = int(shown.number) if field_name in INTEGER_FIELDS else shown.number
        if shown.figure.denominator:
            denominators[field_name] = shown.figure.denominator
        if slot[2] is not None:
            notes.append(f"{field_name} at {slot[2]}")
    if "n" not in values:
        total = _arms_total(results)
        if total is not None:
            values["n"], sizes = total
            notes.append(f"n: sum of the arms' sizes ({sizes})")
    interval = orr_interval(values, denominators)
    if interval:
        k, n, basis = interval
        low, high = clopper_pearson(k, n)
        values |= {"orr_ci_low": round(100 * low, 1), "orr_ci_high": round(100 * high, 1)}
        values["orr_basis"] = f"{k}/{n} ({basis})"
    return values, denominators, notes, main_slots


def _arms_total(results: dict[tuple, SlotResult]) -> tuple[int, str] | None:
    """A study's size as the sum of its arms' when one sentence lists them all and no total is
    stated ("Seven patients received 0.15 mg of efatutazone, 6 patients received 0.3 mg, and 2
    patients received 0.5 mg"): arms a text enumerates together partition its patients. Sizes
    from different sentences may overlap (an arm restated, a subset), so they are not added."""
    arms = [r.shown for slot, r in results.items() if slot[0] == "n" and slot[1] is not None and slot[2] is None]
    arms = [a for a in arms if a is not None and a.number is not None and not a.not_reached]
    if len(arms) < 2 or len({(a.document.doc_pk, a.figure.sentence) for a in arms}) != 1:
        return None
    arms.sort(key=lambda a: a.arm or "")
    return sum(int(a.number) for a in arms), " + ".join(format_number(a.number) for a in arms)


def _conflicts(
    context: StudyContext, row_id: str, results: dict[tuple, SlotResult]
) -> tuple[list[StudyConflict], list[str]]:
    """A conflict record for each slot whose latest cut disagrees, and its one-line text."""
    records: list[StudyConflict] = []
    text: list[str] = []
    for slot, result in sorted(results.items(), key=_slot_order):
        if not result.conflict:
            continue
        candidates = tuple(
            {
                "number": cluster[0].number,
                "not_reached": cluster[0].not_reached,
                "sources": sorted({document_label(e.document) for e in cluster}),
                "sentences": sorted({e.figure.sentence for e in cluster}),
            }
            for cluster in result.conflict
        )
        records.append(
            StudyConflict(
                row_id=row_id,
                study_id=context.study_id,
                field=slot[0],
                arm=slot[1],
                timepoint=slot[2],
                data_cut=result.shown.cut,
                chosen=result.shown.number,
                candidates=candidates,
            )
        )
        where = "".join(f" [{p}]" for p in (slot[1], slot[2]) if p)
        numbers = " vs ".join(f"{format_number(c['number'])} ({', '.join(c['sources'])})" for c in candidates)
        text.append(f"{slot[0]}{where}: {numbers}")
    return records, text


def build_row(
    context: StudyContext, draft: RowDraft, *, in_atc_table: bool, note: str | None = None
) -> tuple[StudyRow, list[StudyFigureLink], list[StudyConflict]]:
    """One row of the table: its cells, regimen and class, sources, conflicts, and its figures' statuses."""
    row_id = f"{context.study_id}|{draft.cohort or 'not stated'}"
    entries = draft.entries
    _split_arms_by_regimen(entries)
    slots: dict[tuple, list[Entry]] = defaultdict(list)
    for entry in entries:
        slots[entry.slot].append(entry)
    results = {slot: merge_slot(slot_entries) for slot, slot_entries in slots.items()}
    values, _, cell_notes, main_slots = _cells(results)
    notes = ([note] if note else []) + cell_notes
    conflicts, conflict_text = _conflicts(context, row_id, results)
    other = [_other_label(r.shown) for slot, r in sorted(results.items(), key=_slot_order) if slot not in main_slots]

    contributing = {e.document.doc_pk: e.document for e in entries if e.status in ("shown", "agrees")}
    registries = [d for d in context.documents if d.is_registry]
    row_docs = list(contributing.values()) or [d for d in context.documents if not d.is_registry]
    drugs = _regimen(row_docs, entries) or frozenset().union(*(document_regimen(d) for d in context.documents))
    titles = "\n".join(filter(None, (d.display_title for d in (*row_docs, *registries))))
    regimen = regimen_class(drugs, title=titles)
    if regimen.unknown_drugs:
        notes.append("not in the drug class file: " + ", ".join(regimen.unknown_drugs))
    source_docs = sorted({d.doc_pk: d for d in (*contributing.values(), *registries)}.values(), key=_doc_order)
    shown_cuts = [e.cut for e in entries if e.status == "shown" and e.cut]
    all_cuts = [data_cut(d) for d in context.documents if data_cut(d)]
    values |= {
        "therapy_class": regimen.therapy_class,
        "regimen": " + ".join([*sorted(drugs), *regimen.unnamed]) or None,
        "drugs": "; ".join(sorted(drugs)) or None,
        "targets": "; ".join(regimen.targets) or None,
        "trial": context.trial,
        "phase": context.phase,
        "cohort": draft.cohort,
        "data_cut": max(shown_cuts or all_cuts, key=cut_key, default=None),
        "status": context.status,
        "sources": "; ".join(document_label(d) for d in source_docs or sorted(context.documents, key=_doc_order)),
        "conflicts": "; ".join(conflict_text) or None,
        "candidate_trials": "; ".join(context.candidate_trials) or None,
        "other_figures": "; ".join(other) or None,
        "notes": "; ".join(notes) or None,
    }
    figures = [
        StudyFigureLink(
            row_id=row_id,
            study_id=context.study_id,
            doc_pk=e.document.doc_pk,
            record_id=e.record_id,
            field=e.field,
            status=e.status,
            number=e.number,
            not_reached=e.not_reached,
            arm=e.arm,
            timepoint=e.timepoint,
            data_cut=e.cut,
        )
        for e in entries
    ]
    row = StudyRow(row_id=row_id, study_id=context.study_id, in_atc_table=in_atc_table, values=values)
    return row, figures, conflicts


def _doc_order(document: SourceDocument) -> tuple:
    return (cut_key(data_cut(document)), document.source, document.doc_id)


# -- studies -----------------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def study_id_of(group: StudyGroup) -> str:
    """``NCT########`` for a trial; else ``<drugs>-<first author><year>`` of its earliest publication."""
    if group.trial:
        return group.trial
    docs = sorted((d for d, _ in group.documents.values()), key=_doc_order)
    first = next((d for d in docs if not d.is_registry), docs[0])
    drugs = sorted(frozenset().union(*(document_regimen(d) for d in docs)))
    drug_part = "-".join(drugs) if 0 < len(drugs) <= 3 else ("combination" if drugs else "")
    author = first_author(first.metadata, hint=first.doc_id)
    year = (data_cut(first) or "")[:4]
    fallback = f"pmid{first.pmid}" if first.pmid else _slug(first.doc_id)[:40]
    tail = _slug(f"{author}{year}") if author else fallback
    return "-".join(p for p in (_slug(drug_part), tail) if p) or f"doc-{first.doc_pk}"


def study_phase(documents: list[SourceDocument]) -> str | None:
    """Phase from a registry record (its structured field), else the first a title or text states."""
    for document in documents:
        phases = document.metadata.get("phases") if document.source == "ctgov" else None
        numbers = re.findall(r"[123]", " ".join(map(str, phases or ())))
        if numbers:
            return "/".join(dict.fromkeys(ROMAN[n] for n in numbers))
    ordered = sorted(documents, key=lambda d: (not d.is_registry, _doc_order(d)))
    for text in [d.display_title for d in ordered] + [d.text for d in ordered]:
        found = phase_of(text)
        if found:
            return found
    return None


def study_status(documents: list[SourceDocument], has_figures: bool) -> str | None:
    parts = []
    if has_figures:
        parts.append("reported")
    for document in documents:
        if document.source == "ctgov":
            status = document.metadata.get("overall_status")
            if status:
                posted = ", results posted" if document.metadata.get("has_results") else ""
                parts.append(f"registry: {str(status).replace('_', ' ').lower()}{posted}")
    return "; ".join(dict.fromkeys(parts)) or None


def draw_study(group: StudyGroup, study_id: str) -> StudyDrawing:
    """The study record, its document links, rows, figure links and conflicts."""
    documents = sorted((d for d, _ in group.documents.values()), key=_doc_order)
    links = {pk: how for pk, (_, how) in group.documents.items()}
    relevant_docs = [d for d in documents if document_is_atc(d)]
    context = StudyContext(
        study_id=study_id,
        trial=group.trial,
        documents=documents,
        phase=study_phase(documents),
        status=study_status(documents, bool(group.figures)),
        candidate_trials=tuple(dict.fromkeys(group.candidate_trials)),
        relevant=bool(relevant_docs),
    )
    drafts: dict[str | None, RowDraft] = {}
    for document, record_id, figure in group.figures:
        cohort, arm = place_figure(document, figure)
        draft = drafts.setdefault(cohort, RowDraft(cohort=cohort))
        for field_name, number, not_reached in figure_fields(figure):
            draft.entries.append(
                Entry(
                    document=document,
                    record_id=record_id,
                    figure=figure,
                    field=field_name,
                    number=number,
                    not_reached=not_reached,
                    cut=data_cut(document),
                    arm=arm,
                    timepoint=figure.timepoint,
                )
            )
    drafts = {c: d for c, d in drafts.items() if d.entries}
    atc_rows = [c for c in drafts if is_atc_cohort(c)]
    mixed_rows = [c for c in drafts if c is None or c in MIXED_POPULATION_COHORTS]
    shown = set(atc_rows or mixed_rows) if context.relevant else set()
    drawing = StudyDrawing()
    for cohort, draft in sorted(drafts.items(), key=lambda item: (item[0] not in shown, item[0] or "")):
        row, figures, conflicts = build_row(context, draft, in_atc_table=cohort in shown)
        drawing.rows.append(row)
        drawing.figures.extend(figures)
        drawing.conflicts.extend(conflicts)
    if context.relevant and not shown:
        others = ", ".join(sorted(c or "not stated" for c in drafts))
        note = f"no ATC figures in the sources (figures for: {others})" if drafts else "no figures in the sources"
        cohort = DEFAULT_ATC_COHORT if any(d.mentions_atc for d in documents) else None
        row, _, _ = build_row(context, RowDraft(cohort=cohort), in_atc_table=True, note=note)
        drawing.rows.insert(0, row)
    main = next((r for r in drawing.rows if r.in_atc_table), drawing.rows[0] if drawing.rows else None)
    cuts = sorted({data_cut(d) for d in documents if data_cut(d)}, key=cut_key)
    main_values = main.values if main else {}
    drawing.studies.append(
        StudyRecord(
            study_id=study_id,
            key_kind="trial" if group.trial else "publication",
            therapy_class=main_values.get("therapy_class") or "unclassified",
            atc_relevant=context.relevant,
            trial=group.trial,
            title=next((d.display_title for d in documents if not d.is_registry), None)
            or next((d.display_title for d in documents), None),
            regimen=main_values.get("regimen"),
            drugs=tuple((main_values.get("drugs") or "").split("; ")) if main_values.get("drugs") else (),
            targets=tuple((main_values.get("targets") or "").split("; ")) if main_values.get("targets") else (),
            phase=context.phase,
            status=context.status,
            relevance="; ".join(d.doc_id for d in relevant_docs) or None,
            candidate_trials=context.candidate_trials,
            first_cut=cuts[0] if cuts else None,
            latest_cut=cuts[-1] if cuts else None,
        )
    )
    drawing.documents.extend(
        StudyDocumentLink(
            study_id=study_id,
            doc_pk=d.doc_pk,
            role="registry" if d.is_registry else "publication",
            linked_by=links[d.doc_pk],
            label=document_label(d),
            data_cut=data_cut(d),
        )
        for d in documents
    )
    return drawing


def keep_group(group: StudyGroup) -> bool:
    """Only groups that are studies worth a record: with figures, a registry record, or about ATC."""
    docs = [d for d, _ in group.documents.values()]
    return bool(group.figures) or any(d.is_registry for d in docs) or any(document_is_atc(d) for d in docs)


def draw(groups: Iterable[StudyGroup]) -> StudyDrawing:
    """The whole drawing: every kept group as a study with unique, stable IDs."""
    drawing = StudyDrawing()
    used: Counter[str] = Counter()
    kept = sorted(
        (g for g in groups if keep_group(g)), key=lambda g: min(_doc_order(d) for d, _ in g.documents.values())
    )
    for group in kept:
        base = study_id_of(group)
        used[base] += 1
        study_id = base if used[base] == 1 else f"{base}-{used[base]}"
        part = draw_study(group, study_id)
        drawing.studies.extend(part.studies)
        drawing.documents.extend(part.documents)
        drawing.rows.extend(part.rows)
        drawing.figures.extend(part.figures)
        drawing.conflicts.extend(part.conflicts)
    return drawing
