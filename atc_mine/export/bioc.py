"""BioC export with the ``bioc`` package: ``candidates.bioc.xml`` and ``candidates.bioc.json``, one
BioC collection whose documents are the stored documents with candidates.

Each document has one passage (offset 0: the whole text, so annotation offsets are the
extraction contract's offsets). Annotations: entities (infon ``type`` = DRUG, GENE, VARIANT,
NCT_ID, TRIAL_ID; ``identifier`` = the normalised name) and candidate figures (``type`` =
``OUTCOME``, ``measure``, the values, ``status``, ``record_id``; location = the sentence).
Relations ``regimen`` / ``trial`` join a figure to the drug and NCT ID mentions of its sentence.
Characters XML cannot hold (C0 controls) are written as U+FFFD, one for one, so offsets hold.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bioc
from bioc import biocjson, biocxml

from atc_mine.export.common import ExportData, atomic_file, document_link
from atc_mine.records import Entity

#: Characters XML 1.0 does not allow (lxml refuses them); each becomes one U+FFFD.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return XML_ILLEGAL.sub("\ufffd", text)


def _infons(values: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in values.items():
        if value is None or value == () or value == []:
            continue
        if isinstance(value, list | tuple):
            value = " + ".join(map(str, value)) if key == "drugs" else ",".join(map(str, value))
        out[key] = xml_safe(str(value).lower() if isinstance(value, bool) else str(value))
    return out


def _annotation(ann_id: str, infons: dict[str, Any], text: str, start: int, end: int) -> bioc.BioCAnnotation:
    annotation = bioc.BioCAnnotation()
    annotation.id = ann_id
    annotation.infons.update(_infons(infons))
    annotation.add_location(bioc.BioCLocation(start, end - start))
    annotation.text = text[start:end]
    return annotation


def collection(data: ExportData) -> bioc.BioCCollection:
    from atc_mine import __version__

    result = bioc.BioCCollection()
    result.source = f"atc-mine {__version__}: candidate outcome figures for curator review"
    result.date = (data.run or {}).get("finished_at", "")[:10]
    result.key = "atc_mine.key"
    result.infons.update(_infons({"evidence_base": data.db_name, "since_run": data.since, "status": data.status}))
    for doc_pk, stored in sorted(data.documents.items(), key=lambda kv: (kv[1].document.source, kv[1].document.doc_id)):
        document = stored.document
        text = xml_safe(document.text)
        item = bioc.BioCDocument()
        item.id = document.doc_id
        item.infons.update(
            _infons(
                {
                    "source": document.source,
                    "title": document.title,
                    "version": stored.version,
                    "link": document_link(document.source, document.doc_id, document.metadata),
                }
            )
        )
        passage = bioc.BioCPassage()
        passage.offset = 0
        passage.text = text
        passage.infons["type"] = {"ctgov": "registry record"}.get(document.source, "abstract")
        entities: list[Entity] = data.entities.get(doc_pk, [])
        entity_ids: dict[tuple[str, int, int], str] = {}
        for number, entity in enumerate(entities, start=1):
            ann_id = f"E{number}"
            entity_ids[(entity.label, entity.start, entity.end)] = ann_id
            passage.add_annotation(
                _annotation(ann_id, {"type": entity.label, "identifier": entity.norm}, text, entity.start, entity.end)
            )
        relations = 0
        for number, candidate in enumerate(data.document_candidates(doc_pk), start=1):
            figure, corrected = candidate.figure, candidate.corrected
            ann_id = f"F{number}"
            infons = {
                "type": "OUTCOME",
                "measure": corrected.measure,
                "status": candidate.status,
                "record_id": candidate.record_id,
                **{k: v for k, v in corrected.to_json().items() if k not in ("measure", "sentence", "start", "end")},
            }
            if candidate.changed:
                infons["flag"] = "changed since decided"
            passage.add_annotation(_annotation(ann_id, infons, text, figure.start, figure.end))
            for entity in entities:
                inside = figure.start <= entity.start and entity.end <= figure.end
                role = (
                    "regimen"
                    if entity.label == "DRUG" and entity.norm in corrected.drugs
                    else "trial"
                    if entity.label == "NCT_ID" and entity.norm == corrected.trial
                    else None
                )
                if inside and role:
                    relations += 1
                    relation = bioc.BioCRelation()
                    relation.id = f"R{relations}"
                    relation.infons["type"] = role
                    relation.add_node(bioc.BioCNode(ann_id, "figure"))
                    relation.add_node(bioc.BioCNode(entity_ids[(entity.label, entity.start, entity.end)], role))
                    passage.add_relation(relation)
        item.add_passage(passage)
        result.add_document(item)
    return result


KEY_FILE = """atc_mine.key: the BioC key of atc-mine's curator export.

collection infons: evidence_base, since_run, status (the export's selection).
document: id = atc-mine doc_id; infons source (text|pubmed|ctgov), title, version, link.
passage: offset 0, the whole stored text (PubMed: title, blank line, abstract); infon type.
annotation E*: an entity. infons type (DRUG|GENE|VARIANT|NCT_ID|TRIAL_ID), identifier (normalised name).
annotation F*: a candidate outcome figure; location = its evidence sentence. infons type=OUTCOME, measure,
  percent, count, denominator, value, unit, timepoint, ci (low,high), not_reached, drugs (a + b), trial,
  cohort, subgroup (corrected values where a curator corrected them), status (pending|accept|correct|reject),
  record_id (stable id of the figure), flag (changed since decided).
relation R*: type regimen|trial; nodes figure (an F*) and regimen/trial (an E*).
"""


def write(data: ExportData, out_dir: Path) -> list[Path]:
    result = collection(data)
    xml_path, json_path, key_path = (
        out_dir / "candidates.bioc.xml",
        out_dir / "candidates.bioc.json",
        out_dir / "atc_mine.key",
    )
    with atomic_file(xml_path) as tmp:
        tmp.write_bytes(biocxml.dumps(result).encode("utf-8"))
    with atomic_file(json_path) as tmp:
        tmp.write_text(biocjson.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    with atomic_file(key_path) as tmp:
        tmp.write_text(KEY_FILE, encoding="utf-8")
    return [xml_path, json_path]
