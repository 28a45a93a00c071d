"""What every export format shares: the candidate rows and spreadsheet-safe cells."""

from __future__ import annotations

from typing import Any

#: A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CANDIDATE_COLUMNS = (
    "record_id",
    "status",
    "source",
    "doc_id",
    "link",
    "measure",
    "percent",
    "count",
    "denominator",
    "value",
    "unit",
    "timepoint",
    "ci_low",
    "ci_high",
    "not_reached",
    "drugs",
    "trial",
    "cohort",
    "subgroup",
    "sentence",
    "start",
    "end",
)


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def document_link(source: str, doc_id: str, metadata: dict[str, Any] | None = None) -> str | None:
    metadata = metadata or {}
    if source == "pubmed":
        return f"https://pubmed.ncbi.nlm.nih.gov/{doc_id}/"
    if source == "ctgov":
        return f"https://clinicaltrials.gov/study/{doc_id}"
    if metadata.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{metadata['pmid']}/"
    if metadata.get("nct_id"):
        return f"https://clinicaltrials.gov/study/{metadata['nct_id']}"
    return metadata.get("source_url")


def candidate_rows(outcome_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store rows -> one flat row per candidate figure, in ``CANDIDATE_COLUMNS`` order."""
    rows = []
    for r in outcome_rows:
        rows.append(
            {
                "record_id": r["record_id"],
                "status": r.get("status") or "pending",
                "source": r["source"],
                "doc_id": r["doc_id"],
                "link": document_link(r["source"], r["doc_id"], r.get("metadata")),
                "measure": r["measure"],
                "percent": r["percent"],
                "count": r["count"],
                "denominator": r["denominator"],
                "value": r["value"],
                "unit": r["unit"],
                "timepoint": r["timepoint"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "not_reached": bool(r["not_reached"]),
                "drugs": " + ".join(r["drugs"]),
                "trial": r["trial"],
                "cohort": r["cohort"],
                "subgroup": r["subgroup"],
                "sentence": r["sentence"],
                "start": r["start"],
                "end": r["end"],
            }
        )
    return rows
