"""Scores of predicted extractions against the gold set: entities, outcome figures, attribution.

:func:`score` returns the whole report as plain data (what ``atc-mine score --json``
writes); :mod:`atc_mine.reporting` renders it. What each number means:

- ``entities.strict`` / ``entities.by_norm`` / ``entities.overlap``: see
  :mod:`atc_mine.evaluate.entities` (strict spans; document-level normalised IDs; the
  SemEval-2013 9.1 schemes of nervaluate).
- ``outcomes``, ``attribution``, ``details``: see :mod:`atc_mine.evaluate.figures`
  (agreement within the issue-5 tolerances, optimal one-to-one matching, optional gold).
- P/R/F1, micro and macro: see :mod:`atc_mine.evaluate.metrics`.
- ``*_ci``: 95% percentile bootstrap intervals (:mod:`atc_mine.evaluate.bootstrap`),
  resampling documents, or the paragraphs of the gold texts when the gold set has fewer than
  :data:`MIN_DOCUMENTS_FOR_DOCUMENT_BOOTSTRAP` documents (the review is one document; its 70
  paragraphs are the natural clusters). Intervals of the document-level by-norm view are
  given only when documents are resampled: a document-level set has no paragraph.

Which predictions are scored:

- a prediction for a document that is not in the gold is ignored and counted;
- a gold document with no prediction counts as all misses, and is listed;
- a prediction whose ``text_sha1`` differs from the gold's (or is missing) was extracted from
  another text, so its offsets point elsewhere. By default the scorer **refuses** (an
  :class:`~atc_mine.errors.InputError` naming the documents): a span score computed on shifted
  offsets is a wrong number that looks right. ``text_mismatch="warn"`` scores them anyway and
  lists them in the report (outcome matching does not depend on offsets; span scores do).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from atc_mine.errors import InputError
from atc_mine.evaluate import entities as entity_views
from atc_mine.evaluate import figures
from atc_mine.evaluate.bootstrap import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, NO_INTERVAL, Interval, Resampler
from atc_mine.evaluate.figures import (  # noqa: F401  (re-exported: the scorer's public names)
    PERCENT_TOLERANCE,
    TIME_TOLERANCE,
    match_figures,
    numbers_agree,
)
from atc_mine.evaluate.gold import GoldDocument, load_cohort_parents, load_gold
from atc_mine.evaluate.metrics import Tally, macro_f1, total
from atc_mine.records import ENTITY_LABELS, MEASURES, TIME_UNITS, Extraction

#: Bumped whenever a scoring rule changes, so reports of different rules are not compared.
SCORER_VERSION = "2"
TEXT_MISMATCH_POLICIES = ("refuse", "warn")
#: Below this many documents, resample paragraphs: n documents give only C(2n-1, n) distinct
#: resamples (126 for n = 5), too few for a percentile interval; 10 give 92,378.
MIN_DOCUMENTS_FOR_DOCUMENT_BOOTSTRAP = 10
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")  # one or more blank lines
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])|\n+")
CONTEXT_CHARS = 400  # longest sentence shown with an entity error; longer ones are windowed


# -- reading predictions -----------------------------------------------------------------
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_line(data: Any) -> None:
    """Raise ValueError naming the first field of a contract line that has the wrong type."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if not isinstance(data.get("doc_id"), str) or not data["doc_id"]:
        raise ValueError("doc_id: expected a non-empty string")
    if not isinstance(data.get("text_sha1", ""), str):
        raise ValueError("text_sha1: expected a string")
    for key in ("entities", "outcomes"):
        if not isinstance(data.get(key, []), list):
            raise ValueError(f"{key}: expected a list")
    for i, e in enumerate(data.get("entities", [])):
        where = f"entities[{i}]"
        if not isinstance(e, dict):
            raise ValueError(f"{where}: expected an object")
        for key in ("label", "text", "norm"):
            if not isinstance(e.get(key), str):
                raise ValueError(f"{where}.{key}: expected a string, got {e.get(key)!r}")
        if not (_integer(e.get("start")) and _integer(e.get("end")) and 0 <= e["start"] < e["end"]):
            raise ValueError(f"{where}: start/end must be integers with 0 <= start < end")
    for i, o in enumerate(data.get("outcomes", [])):
        where = f"outcomes[{i}]"
        if not isinstance(o, dict):
            raise ValueError(f"{where}: expected an object")
        if o.get("measure") not in MEASURES:
            raise ValueError(f"{where}.measure: {o.get('measure')!r} is not a measure of the contract")
        checks: dict[str, Callable[[Any], bool]] = {
            "percent": _number,
            "value": _number,
            "count": _integer,
            "denominator": _integer,
            "timepoint": lambda v: isinstance(v, str),
            "trial": lambda v: isinstance(v, str),
            "cohort": lambda v: isinstance(v, str),
            "subgroup": lambda v: isinstance(v, str),
            "sentence": lambda v: isinstance(v, str),
            "start": _integer,
            "end": _integer,
            "not_reached": lambda v: isinstance(v, bool),
            "unit": lambda v: v in TIME_UNITS,
            "ci": lambda v: isinstance(v, list) and len(v) == 2 and all(_number(x) for x in v),
            "drugs": lambda v: isinstance(v, list) and all(isinstance(d, str) for d in v),
        }
        for key, ok in checks.items():
            if o.get(key) is not None and not ok(o[key]):
                raise ValueError(f"{where}.{key}: unexpected value {o[key]!r}")


def read_predictions(path: str | Path) -> dict[str, Extraction]:
    """A JSONL file of the extraction contract, keyed by doc_id; bad lines are one-line InputErrors."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such predictions file")
    predictions: dict[str, Extraction] = {}
    first_line: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    _check_line(data)
                    extraction = Extraction.from_json(data)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: invalid JSON: {exc.msg} (column {exc.colno})") from None
                except (KeyError, TypeError, ValueError) as exc:
                    raise InputError(f"{path}:{number}: not a line of the extraction contract: {exc}") from None
                if extraction.doc_id in predictions:
                    raise InputError(
                        f"{path}:{number}: doc_id {extraction.doc_id} already given on line {first_line[extraction.doc_id]}"
                    )
                predictions[extraction.doc_id] = extraction
                first_line[extraction.doc_id] = number
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 ({exc.reason})") from None
    return predictions


# -- units of the bootstrap ----------------------------------------------------------------
class _Units:
    """Maps (doc_id, offset) to a bootstrap unit: a document, or a paragraph of one."""

    def __init__(self, gold: Mapping[str, GoldDocument], by_document: bool) -> None:
        self.by_document = by_document
        self.starts: dict[str, list[int]] = {}
        self.first: dict[str, int] = {}
        n = 0
        for doc_id in sorted(gold):
            text = gold[doc_id].text
            if by_document or not text:
                starts = [0]
            else:
                starts = [0] + [m.end() for m in PARAGRAPH_BREAK.finditer(text) if text[m.end() :].strip()]
            self.starts[doc_id] = starts
            self.first[doc_id] = n
            n += len(starts)
        self.count = n

    @property
    def name(self) -> str:
        return "document" if self.by_document else "paragraph"

    def __call__(self, doc_id: str, offset: int) -> int:
        starts = self.starts[doc_id]
        return self.first[doc_id] + max(0, bisect.bisect_right(starts, offset) - 1)


# -- context for the error list ------------------------------------------------------------
def _sentence_starts(text: str | None) -> list[int]:
    return [] if not text else [0] + [m.end() for m in SENTENCE_BREAK.finditer(text)] + [len(text)]


def _sentence_around(text: str | None, boundaries: list[int], start: int, end: int) -> str | None:
    """The sentence holding ``start``-``end`` (cut around it when very long), for the error list."""
    if not text or end > len(text):
        return None
    i = bisect.bisect_right(boundaries, start) - 1
    j = bisect.bisect_left(boundaries, end)
    lo, hi = boundaries[max(i, 0)], boundaries[min(j, len(boundaries) - 1)]
    if hi - lo > CONTEXT_CHARS:
        lo = max(lo, start - CONTEXT_CHARS // 2)
        hi = min(hi, end + CONTEXT_CHARS // 2)
    return text[lo:hi].strip()


# -- the report ----------------------------------------------------------------------------
def _table(
    tally: Tally, group: str, labels: list[str], resampler: Resampler, units: _Units, *, with_ci: bool
) -> dict[str, Any]:
    per_label = {label: tally.prf(group, label) for label in labels}
    micro = total(per_label.values())
    counts = {label: tally.per_unit(group, label, ("tp", "fp", "fn"), units, units.count) for label in labels}

    def ci(interval: Interval) -> list[float] | None:
        return interval.as_list() if with_ci else None

    rows = {}
    for label, prf in per_label.items():
        rows[label] = {**prf.as_dict(), "f1_ci": ci(resampler.f1(counts[label]) if with_ci else NO_INTERVAL)}
    summed = sum(counts.values()) if counts else np.zeros((units.count, 3), dtype=np.int64)
    macro = macro_f1(per_label.values())
    defined = [counts[label] for label, prf in per_label.items() if prf.f1 is not None]
    return {
        "per_label": rows,
        "micro": {**micro.as_dict(), "f1_ci": ci(resampler.f1(summed) if with_ci else NO_INTERVAL)},
        "macro_f1": None if macro is None else round(macro, 4),
        "macro_f1_ci": ci(resampler.macro_f1(np.stack(defined)) if with_ci and defined else NO_INTERVAL),
    }


def _accuracy_table(
    tally: Tally, group: str, fields: tuple[str, ...], scopes: Mapping[str, str], resampler: Resampler, units: _Units
) -> dict[str, Any]:
    result = {}
    for name in fields:
        correct, wrong = tally.count(group, name, "correct"), tally.count(group, name, "wrong")
        counts = tally.per_unit(group, name, ("correct", "wrong"), units, units.count)
        interval = resampler.accuracy(counts[:, 0], counts.sum(axis=1)) if correct + wrong else NO_INTERVAL
        result[name] = {
            "correct": correct,
            "total": correct + wrong,
            "accuracy": round(correct / (correct + wrong), 4) if correct + wrong else None,
            "ci": interval.as_list(),
            "scope": scopes[name],
        }
    return result


ATTRIBUTION_SCOPES = {
    "drugs": "matched required figures; the regimen as a set of lowercase names",
    "trial": "matched required figures; NCT ID or both null",
    "cohort": "matched required figures whose gold cohort is not null; string equality",
    "cohort_lenient": "as cohort, accepting an ancestor or descendant cohort (gold/schema/cohorts.json)",
    "subgroup": "matched required figures; null equals null",
}
DETAIL_SCOPES = {
    "ci": "matched required figures whose gold states a CI; both bounds within the time tolerance",
    "denominator": "matched required figures whose gold states a denominator; exact",
    "sentence": "matched required figures; the prediction's sentence overlaps the gold figure's",
}


def score(
    predictions: Mapping[str, Extraction],
    gold: Mapping[str, GoldDocument],
    *,
    cohort_parents: Mapping[str, str | None] | None = None,
    text_mismatch: str = "refuse",
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """The full report as plain data (what ``atc-mine score --json`` writes)."""
    if text_mismatch not in TEXT_MISMATCH_POLICIES:
        raise InputError(f"unknown text-mismatch policy {text_mismatch!r} (choose from refuse, warn)")
    if not gold:
        raise InputError("the gold set holds no documents")
    mismatched = sorted(
        doc_id for doc_id in gold if doc_id in predictions and predictions[doc_id].text_sha1 != gold[doc_id].text_sha1
    )
    if mismatched and text_mismatch == "refuse":
        shown = ", ".join(mismatched[:3]) + (f" and {len(mismatched) - 3} more" if len(mismatched) > 3 else "")
        raise InputError(
            f"{len(mismatched)} prediction(s) were extracted from a different text than the gold "
            f"(text_sha1 differs or is missing): {shown}; re-extract from the gold's text files, "
            "or score anyway with --text-mismatch warn (span scores of those documents are then meaningless)"
        )
    tally = Tally()
    errors: list[dict[str, Any]] = []
    overlap_overall = {s: entity_views.OverlapCounts(s) for s in entity_views.OVERLAP_SCHEMES}
    overlap_labels = {
        label: {s: entity_views.OverlapCounts(s) for s in entity_views.OVERLAP_SCHEMES} for label in ENTITY_LABELS
    }
    ignored_labels: Counter[str] = Counter()
    optional_figures = optional_matched = 0
    for doc_id, gold_doc in sorted(gold.items()):
        pred = predictions.get(doc_id)
        pred_entities = [e for e in (pred.entities if pred else ()) if e.label in ENTITY_LABELS]
        ignored_labels.update(e.label for e in (pred.entities if pred else ()) if e.label not in ENTITY_LABELS)
        doc_errors = entity_views.score_strict(doc_id, gold_doc.entities, pred_entities, tally)
        doc_errors += entity_views.score_by_norm(doc_id, gold_doc.entities, pred_entities, tally)
        boundaries = _sentence_starts(gold_doc.text) if doc_errors else []
        for error in doc_errors:
            error["sentence"] = _sentence_around(gold_doc.text, boundaries, error["start"], error["end"])
        overall, per_label = entity_views.score_overlap(gold_doc.entities, pred_entities)
        for scheme, counts in overall.items():
            overlap_overall[scheme].add(counts)
        for label, schemes in per_label.items():
            for scheme, counts in schemes.items():
                overlap_labels[label][scheme].add(counts)
        matching, figure_errors = figures.score_figures(
            doc_id, list(pred.outcomes) if pred else [], gold_doc.figures, tally, cohort_parents
        )
        optional_figures += sum(1 for g in gold_doc.figures if g.optional)
        optional_matched += sum(1 for _p, g in matching.matches if g.optional)
        errors += sorted(doc_errors + figure_errors, key=lambda e: (e["start"], e["kind"]))

    by_document = len(gold) >= MIN_DOCUMENTS_FOR_DOCUMENT_BOOTSTRAP
    units = _Units(gold, by_document)
    resampler = Resampler(units.count, n_resamples=n_resamples, seed=seed)
    measures = [m for m in MEASURES if m in set(tally.labels(figures.OUTCOMES))]
    outcomes = _table(tally, figures.OUTCOMES, measures, resampler, units, with_ci=True)
    outcomes["optional"] = {"gold": optional_figures, "matched_by_predictions": optional_matched}
    bootstrap = resampler.describe(units.name)
    bootstrap["note"] = (
        "documents resampled"
        if by_document
        else f"fewer than {MIN_DOCUMENTS_FOR_DOCUMENT_BOOTSTRAP} gold documents: paragraphs of the gold texts "
        "resampled as clusters; no intervals for the document-level by-norm view"
    )
    return {
        "meta": {
            "scorer_version": SCORER_VERSION,
            "gold_versions": sorted({d.gold_version for d in gold.values() if d.gold_version}),
            "gold_digest": _gold_digest(gold),
            "settings": {
                "percent_tolerance": PERCENT_TOLERANCE,
                "time_tolerance": TIME_TOLERANCE,
                "outcome_matching": "optimal one-to-one assignment per document and measure (scipy linear_sum_assignment)",
                "text_mismatch": text_mismatch,
            },
        },
        "documents": {
            "gold": len(gold),
            "predicted": len(set(predictions) & set(gold)),
            "missing_predictions": sorted(set(gold) - set(predictions)),
            "ignored_predictions": len(set(predictions) - set(gold)),
            "ignored_prediction_ids": sorted(set(predictions) - set(gold)),
            "text_mismatch": mismatched,
        },
        "entities": {
            "strict": _table(tally, entity_views.STRICT, list(ENTITY_LABELS), resampler, units, with_ci=True),
            "by_norm": _table(tally, entity_views.BY_NORM, list(ENTITY_LABELS), resampler, units, with_ci=by_document),
            "overlap": {
                "overall": {s: c.as_dict() for s, c in overlap_overall.items()},
                "per_label": {
                    label: {s: c.as_dict() for s, c in schemes.items()} for label, schemes in overlap_labels.items()
                },
            },
            "optional_gold": sum(1 for d in gold.values() for g in d.entities if g.optional),
            "ignored_labels": dict(sorted(ignored_labels.items())),
        },
        "outcomes": outcomes,
        "attribution": _accuracy_table(
            tally, figures.ATTRIBUTION, figures.ATTRIBUTION_FIELDS, ATTRIBUTION_SCOPES, resampler, units
        ),
        "details": _accuracy_table(tally, figures.DETAILS, figures.DETAIL_FIELDS, DETAIL_SCOPES, resampler, units),
        "bootstrap": bootstrap,
        "error_counts": dict(sorted(Counter(e["kind"] for e in errors).items())),
        "errors": errors,
    }


def _gold_digest(gold: Mapping[str, GoldDocument]) -> str | None:
    if not all(d.file_sha1 for d in gold.values()):
        return None
    lines = "".join(f"{doc_id} {gold[doc_id].file_sha1}\n" for doc_id in sorted(gold))
    return hashlib.sha1(lines.encode("utf-8")).hexdigest()


def score_paths(
    predictions: str | Path,
    gold: str | Path,
    *,
    text_mismatch: str = "refuse",
    n_resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Read a predictions JSONL file and a gold file or folder, and score (see :func:`score`)."""
    predicted = read_predictions(predictions)
    report = score(
        predicted,
        load_gold(gold),
        cohort_parents=load_cohort_parents(gold),
        text_mismatch=text_mismatch,
        n_resamples=n_resamples,
        seed=seed,
    )
    report["meta"]["gold"] = str(gold)
    report["meta"]["predictions"] = str(predictions)
    return report
