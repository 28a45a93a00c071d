"""Study-level scoring: does the evidence table rebuild the review's studies from the abstracts?

Measured against ``gold/review/studies.json`` (gold/GUIDELINES.md section 6): for every study
of the review that has an abstract in ``corpora/`` (its ``corpus_docs``),

- **row found**: the ATC evidence table has a row of the study that holds those abstracts, for
  the gold cohort or an ancestor/descendant of it (``gold/schema/cohorts.json``, the lenient
  cohort match the guidelines allow);
- **fields agree**: each gold field (``n``, ``orr_percent``, ``cr``, ``pfs_median_months``...)
  equals the row's ``expected`` value: percentages within ``PERCENT_TOLERANCE`` points, months
  within ``MONTHS_TOLERANCE``, counts exactly (gold/GUIDELINES.md section 7). A per-arm or
  per-dose value (an object in the gold) agrees when every arm's value is the row's figure for an
  arm of the same name.

Every field that does not agree is given a cause, so a developer knows where to look:

- ``not in corpus``: only the review states it (``source: review``); no abstract in the corpus
  does, so no extraction of the corpus can have it;
- ``extraction: missed``: no figure of the study's abstracts states that number for that measure;
- ``extraction: attribution``: a figure states it, but its cohort or arm (subgroup) puts it outside
  the cell: in another row of the study, or in an arm when the gold has the whole cohort (or the
  reverse);
- ``grouping``: a figure states it, but it was grouped into another study, or the gold's abstracts
  are split over several studies, or the study has no row in the ATC table;
- ``merging``: a figure states it and sits in the cell's slot, but the cell shows another figure
  (a later cut, a conflicting figure of the same cut, another timepoint).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from atc_mine.errors import GoldSetError, InputError
from atc_mine.evidence.merge import figure_fields
from atc_mine.evidence.table import table_rows
from atc_mine.store import Store
from atc_mine.store.studies import current_doc_ids, figures_by_document, study_documents, study_figures

STUDIES_FILE = Path("review") / "studies.json"
COHORTS_FILE = Path("schema") / "cohorts.json"
PERCENT_TOLERANCE = 0.5  # percentage points, as the document scorer (gold/GUIDELINES.md section 7)
MONTHS_TOLERANCE = 0.05  # months, as the document scorer (gold/GUIDELINES.md section 7)
FIELDS = (
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
CAUSES = ("not in corpus", "extraction: missed", "extraction: attribution", "grouping", "merging")
EXTRACTION_CAUSES = frozenset({"extraction: missed", "extraction: attribution"})
GROUPING_CAUSES = frozenset({"grouping", "merging"})
STUDY_KEYS = {"study_id", "corpus_docs", "cohort", "fields"}


def _gold_root(gold: Path) -> Path:
    """``gold/`` from ``gold/``, ``gold/review`` or ``gold/review/studies.json``."""
    gold = Path(gold)
    for candidate in (gold, gold.parent, gold.parent.parent):
        if (candidate / STUDIES_FILE).is_file():
            return candidate
    raise InputError(f"{gold}: no {STUDIES_FILE} under it (the study-level gold)")


def load_study_gold(gold: str | Path) -> tuple[dict[str, Any], dict[str, str | None]]:
    """The study gold file and the cohort vocabulary (cohort -> parent)."""
    root = _gold_root(Path(gold))
    path = root / STUDIES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldSetError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise GoldSetError(f"{path}: expected an object with a 'studies' list")
    for index, study in enumerate(data["studies"]):
        missing = STUDY_KEYS - set(study) if isinstance(study, dict) else STUDY_KEYS
        if missing:
            raise GoldSetError(f"{path}: studies[{index}]: missing {sorted(missing)}")
        for name, value in study["fields"].items():
            if name not in FIELDS or not isinstance(value, dict) or "expected" not in value:
                raise GoldSetError(f"{path}: studies[{index}] ({study['study_id']}): bad field {name!r}")
    cohorts: dict[str, str | None] = {}
    if (root / COHORTS_FILE).is_file():
        cohorts = json.loads((root / COHORTS_FILE).read_text(encoding="utf-8")).get("cohorts", {})
    return data | {"path": str(path)}, cohorts


def _lineage(cohort: str | None, parents: dict[str, str | None]) -> list[str]:
    chain: list[str] = []
    while cohort and cohort not in chain:
        chain.append(cohort)
        cohort = parents.get(cohort)
    return chain


def cohort_match(gold: str | None, row: str | None, parents: dict[str, str | None]) -> int:
    """2: the same cohort; 1: ancestor or descendant (lenient); 0: neither."""
    if gold == row:
        return 2
    if gold and row and (row in _lineage(gold, parents) or gold in _lineage(row, parents)):
        return 1
    return 0


def _agree(field_name: str, expected: float, got: Any) -> bool:
    if got is None:
        return False
    got = float(got)
    if field_name.endswith("_months"):
        return abs(got - expected) <= MONTHS_TOLERANCE + 1e-9
    if field_name.endswith("_percent"):
        return abs(got - expected) <= PERCENT_TOLERANCE + 1e-9
    return got == expected


def _label(text: str | None) -> set[str]:
    """Words of an arm label, for matching "CP/fosbretabulin arm" with "cp/fosbretabulin arm"."""
    words = set(re.findall(r"[a-z0-9.]+", (text or "").lower())) - {"arm", "group", "cohort", "mg"}
    return words


def _arm_matches(gold_arm: str, row_arm: str | None) -> bool:
    gold_words, row_words = _label(gold_arm), _label(row_arm)
    return bool(gold_words and row_words) and (gold_words <= row_words or row_words <= gold_words)


def _candidates(figures: list[dict[str, Any]], field_name: str) -> list[dict[str, Any]]:
    return [f for f in figures if f["field"] == field_name]


def score_studies(db: str | Path | Store, gold: str | Path) -> dict[str, Any]:
    """Study-level report: rows found, fields agreeing, and why each other field does not."""
    if not isinstance(db, Store):
        if not Path(db).exists():
            raise InputError(f"{db}: no such evidence base")
        with Store(db) as store:
            return score_studies(store, gold)
    store = db
    data, parents = load_study_gold(gold)
    rows = table_rows(store, all_cohorts=True)
    atc_rows = [r for r in rows if r["in_atc_table"]]
    members = study_documents(store)
    study_of_doc: dict[str, set[str]] = defaultdict(set)
    for member in members:
        study_of_doc[member["doc_id"]].add(member["study_id"])
    figures = study_figures(store)
    figures_by_row: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for figure in figures:
        figures_by_row[figure["row_id"]].append(figure)
    doc_figures = _document_figures(store)
    gold_studies = [s for s in data["studies"] if s.get("corpus_docs")]
    owner_of_doc = {doc: s["study_id"] for s in gold_studies for doc in s["corpus_docs"]}

    results = []
    totals: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    by_field: dict[str, Counter[str]] = defaultdict(Counter)
    for gold_study in gold_studies:
        docs = list(gold_study["corpus_docs"])
        studies = Counter(s for doc in docs for s in study_of_doc.get(doc, ()))
        study_id = studies.most_common(1)[0][0] if studies else None
        problems = []
        if len({s for doc in docs for s in study_of_doc.get(doc, ())}) > 1:
            problems.append("the gold's abstracts are split over several studies")
        merged = sorted(
            {
                owner_of_doc[m["doc_id"]]
                for m in members
                if m["study_id"] == study_id
                and m["doc_id"] in owner_of_doc
                and owner_of_doc[m["doc_id"]] != gold_study["study_id"]
            }
        )
        if merged:
            problems.append("merged with the review's " + ", ".join(merged))
        candidates = [r for r in atc_rows if r["study_id"] == study_id]
        scored = [(cohort_match(gold_study["cohort"], r["cohort"], parents), r) for r in candidates]
        scored = [item for item in scored if item[0]] or [(0, r) for r in candidates]
        row = max(scored, key=lambda item: item[0])[1] if scored else None
        if study_id and row is None:
            problems.append("the study has no row in the ATC table")
        if study_id is None:
            problems.append("no study holds the gold's abstracts")
        fields = []
        for name, spec in gold_study["fields"].items():
            outcome = _score_field(
                name, spec, row, figures_by_row.get(row["row_id"], []) if row else [], docs, doc_figures, figures
            )
            if outcome["ok"]:
                totals["agree"] += 1
            else:
                causes[outcome["cause"]] += 1
            totals["fields"] += 1
            by_field[name]["fields"] += 1
            by_field[name]["agree"] += int(outcome["ok"])
            if spec.get("source") != "review":
                totals["stated_fields"] += 1
                totals["stated_agree"] += int(outcome["ok"])
            fields.append(outcome)
        results.append(
            {
                "study_id": gold_study["study_id"],
                "corpus_docs": docs,
                "gold_cohort": gold_study["cohort"],
                "found": row is not None,
                "row_id": row["row_id"] if row else None,
                "row_cohort": row["cohort"] if row else None,
                "problems": problems,
                "fields": fields,
            }
        )
    found = sum(r["found"] for r in results)
    matched_studies = {r["row_id"].split("|")[0] for r in results if r["row_id"]}
    review_trials = {s["trial"] for s in data["studies"] if s.get("trial")}
    registry_only = [s for s in data["studies"] if not s.get("corpus_docs") and s.get("registry_docs")]
    registry_found = [s["study_id"] for s in registry_only if any(r["trial"] == s["trial"] for r in atc_rows)]
    extra = sorted({r["study_id"] for r in atc_rows if r["trial"] not in review_trials} - matched_studies)
    return {
        "gold_file": data["path"],
        "gold_version": data.get("gold_version"),
        "review_studies": len(data["studies"]),
        "with_corpus_abstract": len(gold_studies),
        "rows_found": found,
        "fields": totals["fields"],
        "fields_agree": totals["agree"],
        "fields_agree_percent": _percent(totals["agree"], totals["fields"]),
        "stated_fields": totals["stated_fields"],
        "stated_fields_agree": totals["stated_agree"],
        "stated_fields_agree_percent": _percent(totals["stated_agree"], totals["stated_fields"]),
        "failures_by_cause": {cause: causes[cause] for cause in CAUSES},
        "failures_extraction": sum(causes[c] for c in EXTRACTION_CAUSES),
        "failures_grouping": sum(causes[c] for c in GROUPING_CAUSES),
        "by_field": {name: dict(counts) for name, counts in sorted(by_field.items())},
        "studies": results,
        "registry_only_studies": len(registry_only),
        "registry_only_found": len(registry_found),
        "table_rows": len(atc_rows),
        "rows_not_in_review": extra,
    }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _document_figures(store: Store) -> dict[str, list[tuple[str, float | None, dict[str, Any]]]]:
    """(field, number, identity) of every figure of every current document, by doc_id."""
    doc_ids = current_doc_ids(store)
    found: dict[str, list[tuple[str, float | None, dict[str, Any]]]] = defaultdict(list)
    for doc_pk, figures in figures_by_document(store).items():
        doc_id = doc_ids[doc_pk]
        for record_id, figure in figures:
            for field_name, number, _ in figure_fields(figure):
                found[doc_id].append((field_name, number, {"doc_id": doc_id, "record_id": record_id}))
    return found


def _score_field(
    name: str,
    spec: dict[str, Any],
    row: dict[str, Any] | None,
    row_figures: list[dict[str, Any]],
    docs: list[str],
    doc_figures: dict[str, list[tuple[str, float | None, dict[str, Any]]]],
    all_figures: list[dict[str, Any]],
) -> dict[str, Any]:
    expected = spec["expected"]
    outcome: dict[str, Any] = {"field": name, "expected": expected, "source": spec.get("source")}
    if isinstance(expected, dict):
        got = {}
        shown_arms = [f for f in _candidates(row_figures, name) if f["status"] == "shown" and f["timepoint"] is None]
        for arm in expected:
            # The arm of the same name, else one whose words contain (or are contained in) the gold's:
            # "CP arm" is the row's "CP arm", not "CP/fosbretabulin arm".
            exact = [f for f in shown_arms if _label(f["arm"]) == _label(arm)]
            close = exact or [f for f in shown_arms if _arm_matches(arm, f["arm"])]
            got[arm] = close[0]["number"] if close else None
        outcome["got"] = got
        outcome["ok"] = all(_agree(name, float(v), got[a]) for a, v in expected.items())
        values = [float(v) for v in expected.values()]
    else:
        outcome["got"] = row.get(name) if row else None
        outcome["ok"] = _agree(name, float(expected), outcome["got"])
        values = [float(expected)]
    if not outcome["ok"]:
        outcome["cause"] = _cause(name, values, spec, row, row_figures, docs, doc_figures, all_figures)
    return outcome


def _cause(
    name: str,
    values: list[float],
    spec: dict[str, Any],
    row: dict[str, Any] | None,
    row_figures: list[dict[str, Any]],
    docs: list[str],
    doc_figures: dict[str, list[tuple[str, float | None, dict[str, Any]]]],
    all_figures: list[dict[str, Any]],
) -> str:
    if spec.get("source") == "review":
        return "not in corpus"
    stated = [
        figure
        for doc in docs
        for field_name, number, figure in doc_figures.get(doc, ())
        if field_name == name and any(_agree(name, v, number) for v in values)
    ]
    if not stated:
        return "extraction: missed"
    if row is None:
        return "grouping"
    keys = {(f["doc_id"], f["record_id"]) for f in stated}
    in_row = [f for f in row_figures if (f["doc_id"], f["record_id"]) in keys and f["field"] == name]
    arms = list(spec["expected"]) if isinstance(spec["expected"], dict) else [None]
    in_slot = [f for f in in_row if any(f["arm"] == a if a is None else _arm_matches(a, f["arm"]) for a in arms)]
    if in_slot:
        return "merging"
    if in_row:
        return "extraction: attribution"
    elsewhere = [f for f in all_figures if (f["doc_id"], f["record_id"]) in keys and f["field"] == name]
    if any(f["study_id"] == row["study_id"] for f in elsewhere):
        return "extraction: attribution"
    return "grouping"


def format_study_score(report: dict[str, Any], *, details: bool = False) -> str:
    """The study-level score as a few plain lines (the CLI and the demo print it)."""
    causes = report["failures_by_cause"]
    lines = [
        f"study level ({report['gold_file']}, gold {report['gold_version']}):",
        f"  review studies with an abstract in corpora/ found as table rows: "
        f"{report['rows_found']}/{report['with_corpus_abstract']}"
        f" (registry-only review studies found: {report['registry_only_found']}/{report['registry_only_studies']})",
        f"  gold fields agreeing: {report['fields_agree']}/{report['fields']} ({report['fields_agree_percent']}%); "
        f"of those the abstracts state: {report['stated_fields_agree']}/{report['stated_fields']} "
        f"({report['stated_fields_agree_percent']}%)",
        "  fields not agreeing, by cause: " + ", ".join(f"{cause} {count}" for cause, count in causes.items()),
        f"    extraction {report['failures_extraction']}, grouping/merging {report['failures_grouping']}, "
        f"only in the review {causes['not in corpus']}",
        f"  ATC table rows: {report['table_rows']}; rows of studies the review does not report: "
        + (", ".join(report["rows_not_in_review"]) or "none"),
    ]
    if details:
        for study in report["studies"]:
            status = study["row_id"] or "NOT FOUND"
            lines.append(f"  {study['study_id']}: {status}" + "".join(f" ({p})" for p in study["problems"]))
            for f in study["fields"]:
                if not f["ok"]:
                    lines.append(f"    {f['field']}: expected {f['expected']}, got {f['got']} [{f['cause']}]")
    return "\n".join(lines)
