"""ClinicalTrials.gov study records: API v2 JSON and the retired legacy full-study XML.

API v2 (https://clinicaltrials.gov/data-api/api): a single study (``GET /api/v2/studies/
{nctId}``) is an object with ``protocolSection`` (and ``resultsSection`` when results are
posted); a search page (``GET /api/v2/studies``) is ``{"studies": [...], "nextPageToken"}``.
The legacy ``<clinical_study>`` XML (retired in 2024, still found in archives such as
AACT's) is read too, because real ATC trial records survive only in that form.

One study is one document: ``doc_id`` = NCT ID, text = brief title, blank line, brief
summary (and detailed description when present), so the same recognisers run on it.

Posted results (v2 ``resultsSection``, legacy ``<clinical_results>``) become structured outcome
figures of the extraction contract (``Document.posted_outcomes``, ``source = ctgov``), mapped by
the data-driven title synonyms of :mod:`atc_mine.sources.ctgov_results`. They are kept in the
metadata too (``posted_outcomes``), so a stored record can be extracted again without
fetching it (:func:`restore_posted_outcomes`), and a changed result makes a new version.
References (v2 ``referencesModule``; legacy ``reference``/``results_reference``) give the PMIDs
that link the trial to its publications (``reference_pmids``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from lxml import etree

from atc_mine.errors import RecordParseError
from atc_mine.records import Document, OutcomeFigure
from atc_mine.sources.ctgov_results import legacy_posted_outcomes, v2_posted_outcomes

NCT_ID = re.compile(r"^NCT\d{8}$")


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _join_text(title: str | None, *parts: str | None) -> str:
    return "\n\n".join(p.strip() for p in (title, *parts) if p and p.strip())


def study_document(study: dict[str, Any], *, name: str = "<study>") -> Document:
    """A Document from one API v2 study object."""
    protocol = study.get("protocolSection")
    if not isinstance(protocol, dict):
        raise RecordParseError("study without protocolSection", path=name)
    ident = protocol.get("identificationModule") or {}
    nct_id = ident.get("nctId")
    if not isinstance(nct_id, str) or not NCT_ID.match(nct_id):
        raise RecordParseError(f"study without a valid nctId ({nct_id!r})", path=name)
    status = protocol.get("statusModule") or {}
    design = protocol.get("designModule") or {}
    arms = protocol.get("armsInterventionsModule") or {}
    description = protocol.get("descriptionModule") or {}
    references = _get(protocol, "referencesModule", "references") or []
    interventions = [
        {"type": i.get("type"), "name": i.get("name"), "other_names": i.get("otherNames") or []}
        for i in arms.get("interventions") or []
    ]
    metadata: dict[str, Any] = {
        "nct_id": nct_id,
        "org_study_id": _get(ident, "orgStudyIdInfo", "id"),
        "brief_title": ident.get("briefTitle"),
        "official_title": ident.get("officialTitle"),
        "acronym": ident.get("acronym"),
        "overall_status": status.get("overallStatus"),
        "why_stopped": status.get("whyStopped"),
        "start_date": _get(status, "startDateStruct", "date"),
        "completion_date": _get(status, "completionDateStruct", "date"),
        "first_post_date": _get(status, "studyFirstPostDateStruct", "date"),
        "last_update_post_date": _get(status, "lastUpdatePostDateStruct", "date"),
        "results_first_post_date": _get(status, "resultsFirstPostDateStruct", "date"),
        "study_type": design.get("studyType"),
        "phases": design.get("phases") or [],
        "allocation": _get(design, "designInfo", "allocation"),
        "enrollment": _get(design, "enrollmentInfo", "count"),
        "enrollment_type": _get(design, "enrollmentInfo", "type"),
        "conditions": _get(protocol, "conditionsModule", "conditions") or [],
        "keywords": _get(protocol, "conditionsModule", "keywords") or [],
        "interventions": interventions,
        "arm_groups": [
            {"label": a.get("label"), "type": a.get("type"), "interventions": a.get("interventionNames") or []}
            for a in arms.get("armGroups") or []
        ],
        "lead_sponsor": _get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        "references": [
            {"pmid": r.get("pmid"), "type": r.get("type"), "citation": r.get("citation")} for r in references
        ],
        "reference_pmids": sorted({r["pmid"] for r in references if r.get("pmid")}),
        "has_results": bool(study.get("hasResults") or study.get("resultsSection")),
        "linked_trials": [nct_id],
    }
    text = _join_text(ident.get("briefTitle"), description.get("briefSummary"), description.get("detailedDescription"))
    posted = v2_posted_outcomes(study, nct_id)
    if posted:
        metadata["posted_outcomes"] = [figure.to_json() for figure in posted]
    return Document(
        doc_id=nct_id,
        source="ctgov",
        text=text,
        title=ident.get("briefTitle"),
        source_version=metadata["last_update_post_date"],
        metadata=metadata,
        posted_outcomes=posted,
    )


def parse_ctgov_json(data: Any, *, name: str = "<json>") -> Iterator[Document]:
    """Documents of a v2 single-study object or a v2 ``/studies`` page."""
    if isinstance(data, dict) and "protocolSection" in data:
        yield study_document(data, name=name)
    elif isinstance(data, dict) and isinstance(data.get("studies"), list):
        for study in data["studies"]:
            yield study_document(study, name=name)
    else:
        raise RecordParseError("not a ClinicalTrials.gov API v2 study or studies page", path=name)


def iter_ctgov_json_documents(path: Path) -> Iterator[Document]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise RecordParseError("not UTF-8", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise RecordParseError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", path=str(path)
        ) from None
    yield from parse_ctgov_json(data, name=str(path))


def _textblock(elem: etree._Element | None) -> str | None:
    """Legacy textblocks are hard-wrapped and indented: rejoin lines into paragraphs."""
    if elem is None:
        return None
    raw = elem.findtext("textblock") if elem.find("textblock") is not None else elem.text
    if not raw:
        return None
    paragraphs = re.split(r"\n\s*\n", raw.strip())
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs)


def legacy_study_document(root: etree._Element, *, name: str = "<xml>") -> Document:
    """A Document from one legacy ``<clinical_study>`` element."""
    nct_id = (root.findtext("id_info/nct_id") or "").strip()
    if not NCT_ID.match(nct_id):
        raise RecordParseError(f"clinical_study without a valid nct_id ({nct_id!r})", path=name)
    brief_title = (root.findtext("brief_title") or "").strip() or None
    enrollment = root.find("enrollment")
    phase = (root.findtext("phase") or "").strip()
    metadata: dict[str, Any] = {
        "nct_id": nct_id,
        "org_study_id": root.findtext("id_info/org_study_id"),
        "brief_title": brief_title,
        "official_title": root.findtext("official_title"),
        "acronym": root.findtext("acronym"),
        "overall_status": root.findtext("overall_status"),
        "start_date": root.findtext("start_date"),
        "completion_date": root.findtext("completion_date"),
        "first_post_date": root.findtext("firstreceived_date"),
        "last_update_post_date": root.findtext("lastchanged_date"),
        "study_type": root.findtext("study_type"),
        "phases": [p.strip() for p in phase.split("/")] if phase and phase != "N/A" else [],
        "enrollment": int(enrollment.text)
        if enrollment is not None and (enrollment.text or "").strip().isdigit()
        else None,
        "enrollment_type": enrollment.get("type") if enrollment is not None else None,
        "conditions": [c.text.strip() for c in root.iterfind("condition") if c.text],
        "keywords": [k.text.strip() for k in root.iterfind("keyword") if k.text],
        "interventions": [
            {
                "type": i.findtext("intervention_type"),
                "name": i.findtext("intervention_name"),
                "other_names": [o.text for o in i.iterfind("other_name") if o.text],
            }
            for i in root.iterfind("intervention")
        ],
        "arm_groups": [
            {"label": a.findtext("arm_group_label"), "type": a.findtext("arm_group_type"), "interventions": []}
            for a in root.iterfind("arm_group")
        ],
        "lead_sponsor": root.findtext("sponsors/lead_sponsor/agency"),
        "references": [
            {"pmid": r.findtext("PMID"), "type": r.tag, "citation": r.findtext("citation")}
            for r in root.iter("reference", "results_reference")
        ],
        "has_results": root.find("clinical_results") is not None,
        "format": "legacy-xml",
        "download_date": root.findtext("required_header/download_date"),
    }
    metadata["reference_pmids"] = sorted({r["pmid"] for r in metadata["references"] if r["pmid"]})
    metadata["linked_trials"] = [nct_id]
    text = _join_text(
        brief_title, _textblock(root.find("brief_summary")), _textblock(root.find("detailed_description"))
    )
    posted = legacy_posted_outcomes(root, nct_id)
    if posted:
        metadata["posted_outcomes"] = [figure.to_json() for figure in posted]
    return Document(
        doc_id=nct_id,
        source="ctgov",
        text=text,
        title=brief_title,
        source_version=metadata["last_update_post_date"],
        metadata=metadata,
        posted_outcomes=posted,
    )


def restore_posted_outcomes(document: Document) -> Document:
    """A stored ClinicalTrials.gov document with its posted figures back in ``posted_outcomes``."""
    if document.source != "ctgov" or document.posted_outcomes or not document.metadata.get("posted_outcomes"):
        return document
    figures = tuple(OutcomeFigure.from_json(f) for f in document.metadata["posted_outcomes"])
    return replace(document, posted_outcomes=figures)


def iter_ctgov_legacy_documents(path: Path) -> Iterator[Document]:
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise RecordParseError(f"malformed XML: {exc}", path=str(path)) from None
    if root.tag != "clinical_study":
        raise RecordParseError(f"not a legacy clinical_study record (root <{root.tag}>)", path=str(path))
    yield legacy_study_document(root, name=str(path))
