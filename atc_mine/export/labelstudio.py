"""Label Studio export: ``labelstudio_tasks.json`` (tasks with pre-annotations) and
``labelstudio_config.xml`` (the labeling interface to paste into the project's settings).

One task per candidate figure, as Label Studio's "Import pre-annotated data" guide describes
(a list of tasks, each ``{"data": {...}, "predictions": [{"model_version", "result": [...]}]}``).
The task's ``text`` is the whole document, so the curator reads the figure in context; the
prediction marks the figure's numbers with its measure (``ORR``, ``PFS_MEDIAN``...) and every
recognised entity (``DRUG``, ``GENE``...). The curator answers ``decision`` (accept / correct /
reject), and for a correction writes ``field=value`` pairs in ``correction`` (``percent=21;
cohort=ATC``); Label Studio's JSON export of the project is read back by ``atc-mine import``,
which finds each figure again by the task's ``record_id``.

Offsets are Python character offsets (code points), which Label Studio's Text tag uses since
label-studio-frontend#308 (before, astral characters shifted later spans).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from atc_mine.curation import DECISION_STATUSES, Candidate
from atc_mine.export.brat import COLOURS, ENTITY_TYPES, FIGURE_COLOUR
from atc_mine.export.common import ExportData, atomic_file, describe, document_link, flag_text, link_label
from atc_mine.export.spans import figure_spans
from atc_mine.records import MEASURES, Entity

LABELS_NAME, TEXT_NAME = "label", "text"
DECISION_NAME, CORRECTION_NAME, NOTE_NAME = "decision", "correction", "note"


def labeling_config() -> str:
    labels = [
        f"    <Label value={quoteattr(label)} background={quoteattr(colour)}/>" for label, colour in COLOURS.items()
    ]
    labels += [f"    <Label value={quoteattr(m)} background={quoteattr(FIGURE_COLOUR)}/>" for m in MEASURES]
    choices = [f"    <Choice value={quoteattr(s)}/>" for s in DECISION_STATUSES]
    return "\n".join(
        [
            "<View>",
            '  <Header value="$figure"/>',
            '  <Header value="$context" size="6"/>',
            f'  <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}" showInline="true">',
            *labels,
            "  </Labels>",
            f'  <Text name="{TEXT_NAME}" value="$text" granularity="symbol"/>',
            '  <Header value="Is this figure right? (read the highlighted sentence)" size="5"/>',
            f'  <Choices name="{DECISION_NAME}" toName="{TEXT_NAME}" choice="single-radio" showInline="true" required="true">',
            *choices,
            "  </Choices>",
            f'  <TextArea name="{CORRECTION_NAME}" toName="{TEXT_NAME}" rows="2" maxSubmissions="1" editable="true"',
            '            placeholder="only for correct: field=value; ... e.g. percent=21; cohort=BRAF V600E-mutant ATC"/>',
            f'  <TextArea name="{NOTE_NAME}" toName="{TEXT_NAME}" rows="2" maxSubmissions="1" editable="true"',
            '            placeholder="note (optional)"/>',
            "</View>",
            "",
        ]
    )


def _region(region_id: str, text: str, start: int, end: int, label: str) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": LABELS_NAME,
        "to_name": TEXT_NAME,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def task(candidate: Candidate, text: str, entities: list[Entity], model_version: str) -> dict[str, Any]:
    figure = candidate.figure
    corrected = candidate.corrected
    spans = [(figure.start + s, figure.start + e) for s, e in figure_spans(figure)] or [(figure.start, figure.end)]
    result = [_region(f"fig{n}", text, s, e, figure.measure) for n, (s, e) in enumerate(spans, start=1)]
    result += [
        _region(f"ent{n}", text, e.start, e.end, e.label)
        for n, e in enumerate(entities, start=1)
        if e.label in ENTITY_TYPES and not any(s < e.end and e.start < t for s, t in spans)
    ]
    context = [link_label(candidate.source, candidate.doc_id, candidate.metadata)]
    context += [f"regimen: {' + '.join(corrected.drugs)}"] if corrected.drugs else []
    context += [f"trial: {corrected.trial}"] if corrected.trial else []
    context += [f"cohort: {corrected.cohort}"] if corrected.cohort else []
    context += [f"status: {candidate.status}"]
    flag = flag_text(candidate)
    return {
        "data": {
            "text": text,
            "figure": describe(corrected),
            "context": " | ".join(context + ([flag] if flag else [])),
            "record_id": candidate.record_id,
            "source": candidate.source,
            "doc_id": candidate.doc_id,
            "link": document_link(candidate.source, candidate.doc_id, candidate.metadata),
            "title": candidate.title,
            "measure": figure.measure,
            "status": candidate.status,
            "study_id": candidate.study_id,
        },
        "predictions": [{"model_version": model_version, "result": result}],
    }


def write(data: ExportData, out_dir: Path) -> list[Path]:
    from atc_mine import __version__
    from atc_mine.nlp.pipeline import EXTRACTOR_VERSION

    model_version = f"atc-mine {__version__} (extractor {EXTRACTOR_VERSION})"
    tasks = []
    for candidate in data.candidates:
        stored = data.documents[candidate.doc_pk]
        tasks.append(task(candidate, stored.document.text, data.entities.get(candidate.doc_pk, []), model_version))
    tasks_path, config_path = out_dir / "labelstudio_tasks.json", out_dir / "labelstudio_config.xml"
    with atomic_file(tasks_path) as tmp:
        tmp.write_text(json.dumps(tasks, ensure_ascii=False, indent=1), encoding="utf-8")
    with atomic_file(config_path) as tmp:
        tmp.write_text(labeling_config(), encoding="utf-8")
    return [tasks_path, config_path]
