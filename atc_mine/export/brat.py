"""BRAT standoff export: a brat collection folder ``brat/`` with ``annotation.conf``,
``visual.conf`` and, per document, ``<source>-<doc_id>.txt`` (the text exactly as stored) and
``.ann`` (its annotations), which brat serves as they are.

Format (brat's "standoff format" documentation): ``T`` text-bound annotations
``T1<TAB>TYPE START END<TAB>text`` with character offsets into the ``.txt`` (a span crossing a
new line is written as fragments ``START END;START END``); ``R`` relations
``R1<TAB>TYPE Arg1:T1 Arg2:T2``; ``A`` attributes ``A1<TAB>NAME T1 VALUE``; ``#`` notes
``#1<TAB>AnnotatorNotes T1<TAB>text``.

Entities are ``DRUG``, ``GENE``, ``VARIANT``, ``NCT_ID``, ``TRIAL_ID`` (note: the normalised
name). Each candidate figure is a text-bound annotation typed by its measure (``ORR``,
``PFS_MEDIAN``...) on its main number in the sentence (the sentence when no number is found),
with a ``Status`` attribute (pending/accept/correct/reject), a note holding the figure in words,
its regimen, trial, cohort and record id, and ``Regimen`` / ``Trial`` relations to the drug and
NCT ID mentions of its sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

from atc_mine.curation import DECISION_STATUSES, Candidate
from atc_mine.export.common import ExportData, describe, replace_dir, write_text
from atc_mine.export.spans import figure_spans, number_pattern
from atc_mine.records import ENTITY_LABELS, MEASURES, Entity

ENTITY_TYPES = (*ENTITY_LABELS, "TRIAL_ID")
COLOURS = {"DRUG": "#8fb2ff", "GENE": "#7fe2ff", "VARIANT": "#c9a3ff", "NCT_ID": "#b5e48c", "TRIAL_ID": "#d9ed92"}
FIGURE_COLOUR = "#ffb36b"


def annotation_conf() -> str:
    measures = "|".join(MEASURES)
    lines = [
        "[entities]",
        *ENTITY_TYPES,
        "!OUTCOME",
        *(f"\t{m}" for m in MEASURES),
        "",
        "[relations]",
        f"Regimen\tArg1:{measures}, Arg2:DRUG",
        f"Trial\tArg1:{measures}, Arg2:NCT_ID",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        "",
        "[attributes]",
        f"Status\tArg:{measures}, Value:{'|'.join(('pending', *DECISION_STATUSES))}",
        "",
    ]
    return "\n".join(lines)


def visual_conf() -> str:
    lines = [
        "[labels]",
        *(f"{m} | {m.replace('_', ' ')}" for m in MEASURES),
        "",
        "[drawing]",
        *(f"{label}\tbgColor:{colour}" for label, colour in COLOURS.items()),
        *(f"{m}\tbgColor:{FIGURE_COLOUR}" for m in MEASURES),
        "Status\tglyph:?|\u2714|\u270e|\u2718",
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        "",
    ]
    return "\n".join(lines)


def file_stem(source: str, doc_id: str) -> str:
    return f"{source}-{re.sub(r'[^A-Za-z0-9._-]+', '_', doc_id)[:150]}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut at new lines (brat's discontinuous annotation), blank pieces dropped."""
    pieces = []
    for match in re.finditer(r"[^\n\r]+", text[start:end]):
        piece_start, piece_end = start + match.start(), start + match.end()
        if text[piece_start:piece_end].strip():
            pieces.append((piece_start, piece_end))
    return pieces or [(start, end)]


def _t_line(tid: str, label: str, text: str, spans: list[tuple[int, int]]) -> str:
    where = ";".join(f"{s} {e}" for s, e in spans)
    return f"{tid}\t{label} {where}\t{' '.join(text[s:e] for s, e in spans)}"


def _figure_span(candidate: Candidate, text: str, taken: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The figure's main number (percent, then count, value...), else the sentence; a span
    already used by another figure is passed over while another choice remains."""
    figure = candidate.figure
    base = figure.start
    options: list[tuple[int, int]] = []
    for number in (figure.percent, figure.count, figure.value, figure.denominator):
        if number is None:
            continue
        here = [s for s in figure_spans(figure) if number_pattern(number).match(figure.sentence, s[0])]
        options.extend((base + s, base + e) for s, e in here)
    options.extend((base + s, base + e) for s, e in figure_spans(figure))
    for span in options:
        if span not in taken and text[span[0] : span[1]] == figure.sentence[span[0] - base : span[1] - base]:
            return [span]
    return _fragments(text, figure.start, figure.end)


def document_ann(text: str, entities: list[Entity], candidates: list[Candidate]) -> str:
    lines: list[str] = []
    ids: dict[tuple[str, int, int], str] = {}
    note = 0
    for number, entity in enumerate(entities, start=1):
        tid = f"T{number}"
        ids[(entity.label, entity.start, entity.end)] = tid
        lines.append(_t_line(tid, entity.label, text, _fragments(text, entity.start, entity.end)))
        note += 1
        lines.append(f"#{note}\tAnnotatorNotes {tid}\t{_one_line(entity.norm)}")
    next_t = len(entities) + 1
    relation = 0
    taken: set[tuple[int, int]] = set()
    for attribute, candidate in enumerate(candidates, start=1):
        figure = candidate.figure
        spans = _figure_span(candidate, text, taken)
        taken.update(spans)
        tid = f"T{next_t}"
        next_t += 1
        lines.append(_t_line(tid, figure.measure, text, spans))
        lines.append(f"A{attribute}\tStatus {tid} {candidate.status}")
        words = [describe(candidate.corrected)]
        words += [f"regimen: {' + '.join(candidate.corrected.drugs)}"] if candidate.corrected.drugs else []
        words += [f"trial: {candidate.corrected.trial}"] if candidate.corrected.trial else []
        words += [f"cohort: {candidate.corrected.cohort}"] if candidate.corrected.cohort else []
        words += [f"record: {candidate.record_id}"]
        note += 1
        lines.append(f"#{note}\tAnnotatorNotes {tid}\t{_one_line(' | '.join(words))}")
        for entity in entities:
            inside = figure.start <= entity.start and entity.end <= figure.end
            if inside and (
                (entity.label == "DRUG" and entity.norm in figure.drugs)
                or (entity.label == "NCT_ID" and entity.norm == figure.trial)
            ):
                relation += 1
                kind = "Regimen" if entity.label == "DRUG" else "Trial"
                lines.append(f"R{relation}\t{kind} Arg1:{tid} Arg2:{ids[(entity.label, entity.start, entity.end)]}")
    return "\n".join(lines) + ("\n" if lines else "")


def write(data: ExportData, out_dir: Path) -> list[Path]:
    def build(folder: Path) -> None:
        write_text(folder / "annotation.conf", annotation_conf())
        write_text(folder / "visual.conf", visual_conf())
        used: set[str] = set()
        for doc_pk, stored in sorted(
            data.documents.items(), key=lambda kv: (kv[1].document.source, kv[1].document.doc_id)
        ):
            document = stored.document
            stem = file_stem(document.source, document.doc_id)
            while stem in used:
                stem += "_"
            used.add(stem)
            entities = [e for e in data.entities.get(doc_pk, []) if e.label in ENTITY_TYPES]
            write_text(folder / f"{stem}.txt", document.text)
            write_text(folder / f"{stem}.ann", document_ann(document.text, entities, data.document_candidates(doc_pk)))

    return [replace_dir(out_dir / "brat", build)]
