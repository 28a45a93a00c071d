"""Curator review: which decision applies to which figure, and importing decision files.

A curator accepts, corrects or rejects each candidate figure in a tool they already use (a
spreadsheet, Label Studio) and the decisions come back with ``atc-mine import``:

* **Validation first.** Every row of every file is read and checked against the evidence base
  (known record, known status, values that parse, a curator named) before anything is written;
  a problem raises :class:`~atc_mine.errors.DecisionFileError` naming the line (CSV), row (XLSX)
  or task (Label Studio), and nothing is written.
* **Then one transaction**, logged as an ``import`` run. Importing the same file again changes
  nothing (a decision equal to the stored one is left as it is).
* **Decisions outlive re-extraction.** A decision is stored with the figure it was made on:
  ``(source, doc_id, record_id)``, a snapshot of the figure, and its *fingerprint* (measure,
  numbers, unit, time point, CI, regimen, trial, cohort, subgroup: the record's values, without
  offsets or sentence). When candidates are read, each current figure of the document takes the
  decision whose fingerprint it shares: an identical figure keeps its decision even when a new
  version of the document moved it. A figure left without one that *stands where* an unused
  decision's figure stood (same measure, and the same sentence, the same offset, or the same
  regimen, trial and cohort) is that figure *changed*: it is pending again, with the earlier
  decision shown, so the curator reviews it once more. Nothing is matched by row keys of
  ``outcomes``.

Decision files:

* CSV / XLSX as exported (``candidates.csv``, ``candidates.xlsx``): columns ``record_id`` and
  ``status`` are required; ``curator`` and ``note`` are read; a ``correct`` row's corrected
  values are the cells that differ from the extracted figure (``measure``, ``percent``,
  ``count``, ``denominator``, ``value``, ``unit``, ``timepoint``, ``ci_low``, ``ci_high``,
  ``not_reached``, ``regimen``, ``trial``, ``cohort``, ``subgroup``; columns left out count as
  unedited). Status ``pending`` or empty means "no decision in this file" and is skipped, so an
  old file cannot wipe newer decisions. Study rows (``studies.csv``, the ``studies`` sheet) take
  ``accept`` or ``reject`` for every figure of the study; a figure row in the same import wins.
* Label Studio's JSON export (full ``JSON`` or ``JSON_MIN``) of the tasks ``atc-mine export
  --format labelstudio`` wrote: the ``decision`` choice, the ``correction`` text (``field=value``
  pairs separated by ``;`` or new lines, fields named as the CSV columns) and the ``note``; the
  latest annotation that was not cancelled counts; the annotator is the curator.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atc_mine.errors import DecisionFileError, InputError
from atc_mine.records import FIGURE_VALUE_FIELDS, MEASURES, TIME_UNITS, OutcomeFigure
from atc_mine.store import Store, utc_now
from atc_mine.store import curation as sql

if TYPE_CHECKING:
    import pandas as pd

#: What a curator decides about a figure.
DECISION_STATUSES = ("accept", "correct", "reject")
#: What ``--status`` selects: a decision, ``pending`` (no decision applies, changed ones included)
#: or ``changed`` (pending because the figure changed since it was decided).
STATUS_FILTERS = ("pending", "changed", *DECISION_STATUSES)
#: Spellings curators type for each status.
STATUS_SYNONYMS = {
    "accept": "accept",
    "accepted": "accept",
    "ok": "accept",
    "correct": "correct",
    "corrected": "correct",
    "correction": "correct",
    "reject": "reject",
    "rejected": "reject",
    "pending": "pending",
    "": "pending",
}
#: The figure fields that make a figure's identity for a decision: its values. Offsets and the
#: sentence are left out on purpose: a new document version moves a figure, and a sentence also
#: changes when another figure of it does.
FINGERPRINT_FIELDS = FIGURE_VALUE_FIELDS
#: Two numbers read back from a spreadsheet are the same figure value within this (float noise).
SAME_NUMBER = 1e-9
NCT_ID = re.compile(r"NCT\d{8}")


# -- identity of a figure ------------------------------------------------------------------
def _normal_sentence(sentence: str) -> str:
    return " ".join(sentence.split())


def _normal_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in ("percent", "value"):
        return float(value)
    if name == "ci":
        return [float(value[0]), float(value[1])]
    if name == "drugs":
        return list(value)
    return value


def fingerprint(figure: OutcomeFigure) -> str:
    """The figure's values, without offsets or sentence: identical figures share it."""
    payload = [[name, _normal_value(name, getattr(figure, name))] for name in FINGERPRINT_FIELDS]
    return hashlib.sha1(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


#: What a figure is about (beside its measure): a changed figure usually keeps it.
ATTRIBUTION_FIELDS = ("drugs", "trial", "cohort", "subgroup", "timepoint")


def anchor(figure: OutcomeFigure) -> str:
    """Where the figure stands: its measure and sentence (stored with a decision, for reading)."""
    payload = json.dumps([figure.measure, _normal_sentence(figure.sentence)], ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


# -- records -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Decision:
    """A curator's decision on one figure, as stored."""

    source: str
    doc_id: str
    record_id: str
    fingerprint: str
    anchor: str
    measure: str
    figure: OutcomeFigure
    status: str
    corrections: dict[str, Any] = field(hash=False, compare=False)
    curator: str
    note: str | None
    origin: str
    decided_at: str
    run_id: int | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        return cls(
            source=row["source"],
            doc_id=row["doc_id"],
            record_id=row["record_id"],
            fingerprint=row["fingerprint"],
            anchor=row["anchor"],
            measure=row["measure"],
            figure=OutcomeFigure.from_json(row["figure"]),
            status=row["status"],
            corrections=row["corrections"],
            curator=row["curator"],
            note=row["note"],
            origin=row["origin"],
            decided_at=row["decided_at"],
            run_id=row["run_id"],
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A current figure put to the curator, with the decision that applies to it, if any."""

    source: str
    doc_id: str
    doc_pk: int
    record_id: str
    title: str | None
    metadata: dict[str, Any] = field(hash=False, compare=False)
    figure: OutcomeFigure
    run_id: int | None = None
    #: The decision made on this very figure (same fingerprint).
    decision: Decision | None = None
    #: A decision made on an earlier, different version of this figure: review again.
    previous: Decision | None = None
    #: The study the figure belongs to, and the evidence-table row it is behind (if any).
    study_id: str | None = None
    study_row: str | None = None

    @property
    def status(self) -> str:
        return self.decision.status if self.decision else "pending"

    @property
    def changed(self) -> bool:
        return self.decision is None and self.previous is not None

    @property
    def corrected(self) -> OutcomeFigure:
        """The figure with the curator's corrections applied (the figure itself if none)."""
        if self.decision is None or self.decision.status != "correct":
            return self.figure
        return apply_corrections(self.figure, self.decision.corrections)

    def selected_by(self, status: str | None) -> bool:
        if status is None:
            return True
        if status == "changed":
            return self.changed
        return self.status == status


def apply_corrections(figure: OutcomeFigure, corrections: dict[str, Any]) -> OutcomeFigure:
    values = {
        name: (tuple(value) if name in ("ci", "drugs") and value is not None else value)
        for name, value in corrections.items()
    }
    return dataclasses.replace(figure, **values)


# -- which decision applies ----------------------------------------------------------------
def _same_fields(a: OutcomeFigure, b: OutcomeFigure, names: Iterable[str]) -> int:
    return sum(_normal_value(n, getattr(a, n)) == _normal_value(n, getattr(b, n)) for n in names)


def _similarity(a: OutcomeFigure, b: OutcomeFigure) -> int:
    return _same_fields(a, b, FINGERPRINT_FIELDS) + (_normal_sentence(a.sentence) == _normal_sentence(b.sentence))


def stands_where(old: OutcomeFigure, new: OutcomeFigure) -> bool:
    """Is ``new`` where ``old`` stood: same measure, and same sentence, offset or attribution?"""
    if old.measure != new.measure:
        return False
    return (
        _normal_sentence(old.sentence) == _normal_sentence(new.sentence)
        or old.start == new.start
        or _same_fields(old, new, ATTRIBUTION_FIELDS) == len(ATTRIBUTION_FIELDS)
    )


def _pair(pairs: list[tuple[tuple[Any, ...], int, Decision]], taken: set[int], used: set[str]) -> dict[int, Decision]:
    """Greedy one-to-one pairing, best score first: each figure and each decision once."""
    paired: dict[int, Decision] = {}
    for _score, index, decision in sorted(pairs, key=lambda p: p[0], reverse=True):
        if index not in taken and index not in paired and decision.record_id not in used:
            paired[index] = decision
            used.add(decision.record_id)
    return paired


def attach_decisions(outcomes: list[dict[str, Any]], decisions: Iterable[Decision]) -> list[Candidate]:
    """Pair each current figure with its decision (same fingerprint) or an earlier one (changed).

    Per document, one decision per figure and one figure per decision:

    1. a figure takes the decision made on its own record id, if it has the same fingerprint;
    2. a figure still without one takes an unused decision with its fingerprint (the figure moved:
       a new document version), the one made on the same sentence first, then the newest;
       decisions with the fingerprint of a figure that has one are superseded, not used again;
    3. a figure still without one takes, as ``previous``, the most similar unused decision made on
       its record id or on a figure that :func:`stands_where` it stands (the figure changed).

    Two figures of a document with the same values (an enrolment stated in Methods and again in
    Results) are two figures: a decision on one does not decide the other.
    """
    by_doc: dict[tuple[str, str], list[Decision]] = defaultdict(list)
    for decision in decisions:
        by_doc[(decision.source, decision.doc_id)].append(decision)
    by_doc_outcomes: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for outcome in outcomes:
        by_doc_outcomes[(outcome["source"], outcome["doc_id"])].append(outcome)
    candidates: dict[int, Candidate] = {}
    for key, rows in by_doc_outcomes.items():
        pool = by_doc.get(key, [])
        prints = [fingerprint(row["figure"]) for row in rows]
        used: set[str] = set()
        own = {d.record_id: d for d in pool}
        exact: dict[int, Decision] = {}
        for index, row in enumerate(rows):
            decision = own.get(row["record_id"])
            if decision is not None and decision.fingerprint == prints[index]:
                exact[index] = decision
                used.add(decision.record_id)
        moved = [
            ((_normal_sentence(d.figure.sentence) == _normal_sentence(row["figure"].sentence), d.decided_at), index, d)
            for index, row in enumerate(rows)
            if index not in exact
            for d in pool
            if d.fingerprint == prints[index]
        ]
        exact |= _pair(moved, set(exact), used)
        decided_prints = {prints[index] for index in exact}
        used.update(d.record_id for d in pool if d.fingerprint in decided_prints)
        changed = [
            ((_similarity(d.figure, row["figure"]), d.decided_at), index, d)
            for index, row in enumerate(rows)
            if index not in exact
            for d in pool
            if d.record_id == row["record_id"] or stands_where(d.figure, row["figure"])
        ]
        previous = _pair(changed, set(exact), used)
        for index, row in enumerate(rows):
            candidates[id(row)] = Candidate(
                source=row["source"],
                doc_id=row["doc_id"],
                doc_pk=row["doc_pk"],
                record_id=row["record_id"],
                title=row["title"],
                metadata=row["metadata"],
                figure=row["figure"],
                run_id=row["run_id"],
                decision=exact.get(index),
                previous=previous.get(index),
            )
    return [candidates[id(row)] for row in outcomes]


def stored_decisions(store: Store, documents: Iterable[tuple[str, str]] | None = None) -> list[Decision]:
    return [Decision.from_row(r) for r in sql.decision_rows(store, documents)]


def check_selection(store: Store, *, since: int | None = None, status: str | None = None) -> None:
    """Refuse an unknown ``--status`` or a ``--since`` run the evidence base never had."""
    if status is not None and status not in STATUS_FILTERS:
        raise InputError(f"unknown status {status!r} (choose from {', '.join(STATUS_FILTERS)})")
    if since is not None:
        runs = sql.run_ids(store)
        if since not in runs and since != 0:
            span = f"runs {runs[0]}..{runs[-1]}" if runs else "no runs yet"
            raise InputError(f"--since {since}: no such run in {store.path} ({span})")


def review_candidates(store: Store, *, since: int | None = None, status: str | None = None) -> list[Candidate]:
    """The current candidate figures with their decisions (figures extracted after run ``since``;
    only those with review ``status``), in document order."""
    check_selection(store, since=since, status=status)
    outcomes = sql.candidate_outcomes(store, since_run=since)
    documents = {(o["source"], o["doc_id"]) for o in outcomes}
    candidates = attach_decisions(outcomes, stored_decisions(store, documents))
    return [c for c in candidates if c.selected_by(status)]


# -- reading cells -------------------------------------------------------------------------
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def unneutralise(value: Any) -> Any:
    """Undo the export's formula guard: ``'=x`` back to ``=x`` (other text unchanged)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(unneutralise(value)).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    text = _cell_text(value)
    if text is None:
        return None
    text = text.rstrip("%").strip().replace("\u00b7", ".")
    if re.fullmatch(r"-?\d+,\d+", text):  # a decimal comma (spreadsheets in many locales)
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


def _percent(value: Any) -> float | None:
    number = _number(value)
    if number is not None and not 0 <= number <= 100:
        raise ValueError(f"{number:g} is not a percentage (0 to 100)")
    return number


def _non_negative(value: Any) -> float | None:
    number = _number(value)
    if number is not None and number < 0:
        raise ValueError(f"{number:g} is negative")
    return number


def _whole(value: Any) -> int | None:
    number = _non_negative(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"{number:g} is not a whole number")
    return int(number)


def _measure(value: Any) -> str | None:
    text = _cell_text(value)
    if text is None:
        raise ValueError("a figure needs a measure")
    if text.upper() not in MEASURES:
        raise ValueError(f"measure {text!r} is not one of {', '.join(MEASURES)}")
    return text.upper()


#: Abbreviations of time units curators type (and abstracts use: "mo", "wk").
UNIT_SPELLINGS = {
    "mo": "months",
    "mos": "months",
    "m": "months",
    "wk": "weeks",
    "wks": "weeks",
    "w": "weeks",
    "d": "days",
    "yr": "years",
    "yrs": "years",
    "y": "years",
}


def _unit(value: Any) -> str | None:
    text = _cell_text(value)
    if text is None:
        return None
    unit = text.lower().rstrip(".")
    unit = UNIT_SPELLINGS.get(unit, unit if unit.endswith("s") else unit + "s")
    if unit not in TIME_UNITS:
        raise ValueError(f"unit {text!r} is not one of {', '.join(TIME_UNITS)}")
    return unit


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = (_cell_text(value) or "false").lower()
    if text in ("true", "yes", "y", "1", "x"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    raise ValueError(f"{text!r} is not true or false")


def _drugs(value: Any) -> tuple[str, ...]:
    text = _cell_text(value)
    if text is None:
        return ()
    return tuple(part.strip().lower() for part in re.split(r"\s*[+;,]\s*", text) if part.strip())


def _trial(value: Any) -> str | None:
    text = _cell_text(value)
    if text is None:
        return None
    if not NCT_ID.fullmatch(text.upper()):
        raise ValueError(f"trial {text!r} is not an NCT ID (NCT followed by 8 digits)")
    return text.upper()


#: Columns a curator may correct: column -> (figure field, how a cell is read).
EDITABLE_COLUMNS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "measure": ("measure", _measure),
    "percent": ("percent", _percent),
    "count": ("count", _whole),
    "denominator": ("denominator", _whole),
    "value": ("value", _non_negative),
    "unit": ("unit", _unit),
    "timepoint": ("timepoint", _cell_text),
    "not_reached": ("not_reached", _flag),
    "regimen": ("drugs", _drugs),
    "trial": ("trial", _trial),
    "cohort": ("cohort", _cell_text),
    "subgroup": ("subgroup", _cell_text),
    "ci_low": ("ci", _non_negative),
    "ci_high": ("ci", _non_negative),
}


def read_edits(cells: dict[str, Any]) -> dict[str, Any]:
    """Cells of the editable columns -> figure fields; raises ValueError naming the column."""
    edits: dict[str, Any] = {}
    for column, (name, reader) in EDITABLE_COLUMNS.items():
        if column in cells and name != "ci":
            try:
                edits[name] = reader(cells[column])
            except ValueError as exc:
                raise ValueError(f"{column}: {exc}") from None
    if "ci_low" in cells or "ci_high" in cells:
        try:
            low, high = _non_negative(cells.get("ci_low")), _non_negative(cells.get("ci_high"))
        except ValueError as exc:
            raise ValueError(f"ci: {exc}") from None
        if (low is None) != (high is None):
            raise ValueError("ci_low, ci_high: give both ends of the confidence interval, or neither")
        if low is not None and high is not None and low > high:
            raise ValueError(f"ci_low, ci_high: {low:g} is above {high:g}")
        edits["ci"] = (low, high) if low is not None else None
    return edits


def parse_correction_text(text: str) -> dict[str, Any]:
    """``percent=21; cohort=ATC`` (``;`` or new lines between pairs) -> figure fields."""
    cells: dict[str, Any] = {}
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise ValueError(f"{part.strip()!r} is not field=value")
        if name == "ci":
            ends = re.split(r"\s*(?:-|\u2013|to)\s*", value.strip())
            if len(ends) != 2:
                raise ValueError(f"ci {value.strip()!r} is not low-high")
            cells["ci_low"], cells["ci_high"] = ends
            continue
        if name not in EDITABLE_COLUMNS:
            raise ValueError(f"{name!r} cannot be corrected (fields: {', '.join(EDITABLE_COLUMNS)}, ci)")
        cells[name] = value
    return read_edits(cells)


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "drugs":  # a regimen is a set: "paclitaxel + sorafenib" is "sorafenib + paclitaxel"
        return sorted(a or ()) == sorted(b or ())
    if name == "ci":
        a, b = tuple(a or ()), tuple(b or ())
        if len(a) != len(b):
            return False
        return all(_same("x", x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= SAME_NUMBER
    return a == b


def differences(figure: OutcomeFigure, edits: dict[str, Any]) -> dict[str, Any]:
    """The edited fields whose value differs from the figure's: the curator's corrections."""
    return {
        name: (list(value) if isinstance(value, tuple) else value)
        for name, value in edits.items()
        if not _same(name, getattr(figure, name), value)
    }


# -- decision files ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DecisionInput:
    """One decision as a file states it, before it is checked against the evidence base."""

    where: str
    status: str
    curator: str | None
    note: str | None
    edits: dict[str, Any] = field(hash=False, compare=False)
    record_id: str | None = None
    doc_id: str | None = None
    source: str | None = None
    #: A study row (its ``row_id``): the decision applies to the figures behind the row.
    study_row: str | None = None


@dataclass(slots=True)
class ImportReport:
    run_id: int
    files: list[str]
    decisions: dict[str, int] = field(default_factory=lambda: {"new": 0, "changed": 0, "unchanged": 0})

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "decisions": dict(self.decisions)}


def _row_input(where: str, cells: dict[str, Any], errors: list[tuple[str, str]]) -> DecisionInput | None:
    """A sheet or CSV row -> a decision (None for a pending row or on error, noted in ``errors``)."""
    raw_status = _cell_text(cells.get("status")) or ""
    status = STATUS_SYNONYMS.get(raw_status.lower())
    if status is None:
        errors.append((where, f"status {raw_status!r} is not one of {', '.join(('pending', *DECISION_STATUSES))}"))
        return None
    if status == "pending":
        return None
    study_row = _cell_text(cells.get("row_id")) if "record_id" not in cells else None
    if "record_id" not in cells and study_row is None:
        errors.append((where, "no row_id: a study row needs the row_id it was exported with"))
        return None
    record_id = _cell_text(cells.get("record_id"))
    if study_row is None and not (record_id and re.fullmatch(r"[0-9a-f]{16}", record_id)):
        hint = " (did a spreadsheet turn it into a number? use the XLSX export)" if record_id else ""
        errors.append((where, f"record_id {record_id!r} is not a record id{hint}"))
        return None
    try:
        edits = read_edits(cells) if study_row is None else {}
    except ValueError as exc:
        errors.append((where, str(exc)))
        return None
    if study_row is not None and status == "correct":
        errors.append((where, f"study row {study_row}: takes accept or reject; correct the figures' own rows"))
        return None
    return DecisionInput(
        where=where,
        status=status,
        curator=_cell_text(cells.get("curator")),
        note=_cell_text(cells.get("note")),
        edits=edits,
        record_id=record_id if study_row is None else None,
        doc_id=_cell_text(cells.get("doc_id")) if study_row is None else None,
        source=_cell_text(cells.get("source")) if study_row is None else None,
        study_row=study_row,
    )


def _header(cells: Iterable[Any]) -> list[str]:
    return [(_cell_text(c) or "").lower().replace(" ", "_") for c in cells]


def _table_inputs(
    header: list[str], rows: Iterable[tuple[str, list[Any]]], errors: list[tuple[str, str]], what: str
) -> list[DecisionInput]:
    if "status" not in header or not ({"record_id", "row_id"} & set(header)):
        errors.append((what, "needs a status column and a record_id (figures) or row_id (study rows) column"))
        return []
    inputs = []
    for where, values in rows:
        if all(_cell_text(v) is None for v in values):
            continue
        cells = {name: value for name, value in zip(header, values, strict=False) if name}
        parsed = _row_input(where, cells, errors)
        if parsed is not None:
            inputs.append(parsed)
    return inputs


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows save "CSV" in the ANSI code page; the columns read back
        # (ids, statuses, numbers, names) survive it.
        return data.decode("cp1252", errors="replace")


def read_csv_decisions(path: Path, errors: list[tuple[str, str]]) -> list[DecisionInput]:
    text = _decode(path, path.read_bytes())
    # The header tells the delimiter: spreadsheets in decimal-comma locales save ';', some save tabs.
    # (csv.Sniffer would also guess the quoting from a header that has none, and get "" wrong.)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        header = _header(next(reader))
    except StopIteration:
        errors.append(("line 1", "the file is empty"))
        return []
    except csv.Error as exc:
        errors.append(("line 1", f"not CSV ({exc})"))
        return []

    def rows() -> Iterator[tuple[str, list[Any]]]:
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                errors.append((f"line {start}", f"not CSV ({exc})"))
                return
            yield f"line {start}", values
            start = reader.line_num + 1

    return _table_inputs(header, rows(), errors, "line 1")


def read_xlsx_decisions(path: Path, errors: list[tuple[str, str]]) -> list[DecisionInput]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for a bad file
        errors.append(("workbook", f"cannot read it as XLSX ({type(exc).__name__}: {exc})"))
        return []
    inputs: list[DecisionInput] = []
    try:
        sheets = [s for s in book.worksheets if s.title in ("candidates", "studies")] or book.worksheets[:1]
        for sheet in sheets:
            rows = sheet.iter_rows(values_only=True)
            try:
                header = _header(next(rows))
            except StopIteration:
                continue
            numbered = ((f"sheet {sheet.title} row {n}", list(values)) for n, values in enumerate(rows, start=2))
            inputs.extend(_table_inputs(header, numbered, errors, f"sheet {sheet.title} row 1"))
    finally:
        book.close()
    return inputs


def _annotator(value: Any) -> str | None:
    if isinstance(value, dict):
        name = " ".join(filter(None, (value.get("first_name"), value.get("last_name"))))
        return value.get("email") or name or (f"labelstudio user {value['id']}" if "id" in value else None)
    if isinstance(value, int):
        return f"labelstudio user {value}"
    return _cell_text(value)


def _ls_text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("text") or value.get("choices")
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    return _cell_text(value)


def read_labelstudio_decisions(path: Path, errors: list[tuple[str, str]]) -> list[DecisionInput]:
    """Label Studio's JSON (or JSON_MIN) export of the tasks atc-mine wrote."""
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.append(("file", f"not a Label Studio JSON export ({exc})"))
        return []
    if not isinstance(tasks, list):
        errors.append(("file", "not a Label Studio JSON export (expected a list of tasks)"))
        return []
    inputs = []
    for number, task in enumerate(tasks, start=1):
        where = f"task {number}" + (f" (id {task['id']})" if isinstance(task, dict) and "id" in task else "")
        if not isinstance(task, dict):
            errors.append((where, "not a task object"))
            continue
        if "data" in task or "annotations" in task:  # the full JSON export
            data = task.get("data") or {}
            done = [a for a in task.get("annotations") or () if isinstance(a, dict) and not a.get("was_cancelled")]
            if not done:
                continue  # not reviewed yet
            annotation = max(
                done, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0)
            )
            answers: dict[str, Any] = {}
            for result in annotation.get("result") or ():
                if isinstance(result, dict) and result.get("type") in ("choices", "textarea"):
                    answers[result.get("from_name")] = result.get("value")
            curator = _annotator(annotation.get("completed_by"))
        else:  # JSON_MIN: data fields and answers side by side
            data, answers = task, task
            curator = _annotator(task.get("annotator"))
        record_id = _cell_text(data.get("record_id"))
        if not record_id:
            errors.append(
                (where, "no record_id in the task data (tasks must come from atc-mine export --format labelstudio)")
            )
            continue
        raw_status = (_ls_text(answers.get("decision")) or "").lower()
        status = STATUS_SYNONYMS.get(raw_status)
        if status is None:
            errors.append((where, f"decision {raw_status!r} is not one of {', '.join(DECISION_STATUSES)}"))
            continue
        if status == "pending":
            continue
        try:
            edits = parse_correction_text(_ls_text(answers.get("correction")) or "")
        except ValueError as exc:
            errors.append((where, f"correction: {exc}"))
            continue
        inputs.append(
            DecisionInput(
                where=where,
                status=status,
                curator=curator,
                note=_ls_text(answers.get("note")),
                edits=edits,
                record_id=record_id,
                doc_id=_cell_text(data.get("doc_id")),
                source=_cell_text(data.get("source")),
            )
        )
    return inputs


READERS: dict[str, Callable[[Path, list[tuple[str, str]]], list[DecisionInput]]] = {
    ".csv": read_csv_decisions,
    ".tsv": read_csv_decisions,
    ".xlsx": read_xlsx_decisions,
    ".json": read_labelstudio_decisions,
}


def read_decision_file(path: Path) -> tuple[list[DecisionInput], list[tuple[str, str]]]:
    """The decisions a file states and the problems found reading it."""
    if not path.is_file():
        raise InputError(f"{path}: no such decisions file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            f"{path}: cannot read decisions from {path.suffix or 'a file without extension'} (use {', '.join(READERS)})"
        )
    errors: list[tuple[str, str]] = []
    return reader(path, errors), errors


# -- import --------------------------------------------------------------------------------
def plan_decisions(
    store: Store, inputs: list[tuple[Path, list[DecisionInput]]], *, curator: str | None = None
) -> list[dict[str, Any]]:
    """Check every stated decision against the evidence base; the rows to save, or raise.

    Raises :class:`DecisionFileError` for the first file with problems (all its problems listed).
    """
    table: Any = None  # the study rows (atc_mine.export.studies.StudyTable), read when a file has some
    decided: set[tuple[str, str, str]] = set()
    record_sources: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in store.conn.execute(
        "SELECT DISTINCT d.source, d.doc_id, o.record_id FROM outcomes o JOIN documents d USING (doc_pk)"
    ):
        record_sources[row["record_id"]].append((row["source"], row["doc_id"]))
    planned: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    study_planned: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    now = utc_now()
    for path, decisions in inputs:
        errors: list[tuple[str, str]] = []
        resolved: list[tuple[DecisionInput, tuple[str, str, str]]] = []
        for item in decisions:
            if item.study_row is not None:
                if table is None:
                    from atc_mine.export.studies import study_table

                    current = review_candidates(store)
                    decided = {(c.source, c.doc_id, c.record_id) for c in current if c.decision is not None}
                    table = study_table(store, current) or False
                if not table or table.row(item.study_row) is None:
                    errors.append((item.where, f"study row {item.study_row!r} is not in the evidence table"))
                    continue
                # A study row decides the figures still pending: it never overrides a figure's own decision.
                keys = table.decided_by_row(item.study_row, item.status)
                resolved.extend((item, key) for key in keys if key not in decided)
                continue
            places = record_sources.get(item.record_id or "", [])
            if item.source or item.doc_id:
                places = [p for p in places if (item.source or p[0]) == p[0] and (item.doc_id or p[1]) == p[1]]
            if not places:
                errors.append(
                    (
                        item.where,
                        f"record {item.record_id} is not in {store.path}"
                        + (f" for document {item.doc_id}" if item.doc_id else "")
                        + " (exported from another evidence base? export again)",
                    )
                )
                continue
            if len(places) > 1:
                errors.append((item.where, f"record {item.record_id} is in several documents; give source and doc_id"))
                continue
            resolved.append((item, (places[0][0], places[0][1], item.record_id or "")))
        found = sql.find_outcomes(store, (key for _, key in resolved))
        for item in decisions:
            if not (item.curator or curator):
                errors.append((item.where, "no curator: fill the curator column, or pass --curator"))
        for item, key in resolved:
            figure: OutcomeFigure = found[key]["figure"]
            who = item.curator or curator
            if who is None:
                continue
            corrections = differences(figure, item.edits)
            if item.status == "correct" and not corrections:
                errors.append((item.where, "status is correct but no value differs from the extracted figure"))
                continue
            fixed = apply_corrections(figure, corrections)
            if (
                item.status == "correct"
                and None not in (fixed.count, fixed.denominator)
                and fixed.count > fixed.denominator
            ):
                errors.append((item.where, f"count {fixed.count} is above its denominator {fixed.denominator}"))
                continue
            if item.status == "accept" and corrections:
                shown = {"drugs": "regimen", "ci": "ci_low/ci_high"}
                changed = ", ".join(sorted(shown.get(name, name) for name in corrections))
                errors.append(
                    (
                        item.where,
                        f"status is accept but {changed} differ from the extracted figure: "
                        "use correct to keep the edit, or undo it",
                    )
                )
                continue
            row = {
                "source": key[0],
                "doc_id": key[1],
                "record_id": key[2],
                "fingerprint": fingerprint(figure),
                "anchor": anchor(figure),
                "measure": figure.measure,
                "figure": sql.figure_snapshot(figure),
                "status": item.status,
                "corrections": corrections if item.status == "correct" else {},
                "curator": who,
                "note": item.note,
                "origin": f"{path.name} {item.where}" + (f" (study row {item.study_row})" if item.study_row else ""),
                "decided_at": now,
            }
            target = study_planned if item.study_row is not None else planned
            if key in target and _decision_key(target[key][1]) != _decision_key(row):
                errors.append((item.where, f"record {key[2]} has another decision at {target[key][0]}"))
                continue
            target[key] = (f"{path.name} {item.where}", row)
        if errors:
            raise DecisionFileError(str(path), errors)
    merged = {**{k: v for k, v in study_planned.items()}, **planned}  # a figure's own row wins
    return [row for _, row in merged.values()]


def _decision_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["status"], json.dumps(row["corrections"], sort_keys=True), row["curator"], row["note"])


def import_decisions(store: Store, paths: Iterable[str | Path], *, curator: str | None = None) -> ImportReport:
    """Read, check, then save the decisions of every file in one transaction (see module doc)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("no decisions file given")
    inputs = []
    for path in paths:
        decisions, errors = read_decision_file(path)
        if errors:
            raise DecisionFileError(str(path), errors)
        inputs.append((path, decisions))
    rows = plan_decisions(store, inputs, curator=curator)
    with store.atomic():
        run_id = store.start_run("import", {"paths": [str(p) for p in paths], "curator": curator})
        report = ImportReport(run_id=run_id, files=[str(p) for p in paths])
        for row in rows:
            report.decisions[sql.save_decision(store, row, run_id=run_id)] += 1
        store.finish_run(run_id, status="ok", counts=report.as_dict())
    return report


# -- notebooks -----------------------------------------------------------------------------
def candidates_frame(store: Store, *, since: int | None = None, status: str | None = None) -> pd.DataFrame:
    import pandas as pd

    from atc_mine.export.common import CANDIDATE_COLUMNS, candidate_rows

    return pd.DataFrame(candidate_rows(store, since=since, status=status), columns=list(CANDIDATE_COLUMNS))


DECISION_COLUMNS = (
    "source",
    "doc_id",
    "record_id",
    "measure",
    "status",
    "corrections",
    "curator",
    "note",
    "decided_at",
    "origin",
    "run_id",
    "state",
    "applies_to",
)


def decisions_frame(store: Store) -> pd.DataFrame:
    """Every stored decision and what it does now: ``state`` is ``applied`` (its figure is
    current), ``changed`` (its figure changed: the new one, ``applies_to``, awaits review) or
    ``orphaned`` (no current figure of its document matches it)."""
    import pandas as pd

    decisions = stored_decisions(store)
    outcomes = sql.candidate_outcomes(store)
    applied: dict[tuple[str, str, str], str] = {}
    changed: dict[tuple[str, str, str], str] = {}
    for candidate in attach_decisions(outcomes, decisions):
        if candidate.decision is not None:
            d = candidate.decision
            applied.setdefault((d.source, d.doc_id, d.record_id), candidate.record_id)
        elif candidate.previous is not None:
            d = candidate.previous
            changed.setdefault((d.source, d.doc_id, d.record_id), candidate.record_id)
    rows = []
    for d in decisions:
        key = (d.source, d.doc_id, d.record_id)
        state = "applied" if key in applied else "changed" if key in changed else "orphaned"
        rows.append(
            {
                "source": d.source,
                "doc_id": d.doc_id,
                "record_id": d.record_id,
                "measure": d.measure,
                "status": d.status,
                "corrections": d.corrections or None,
                "curator": d.curator,
                "note": d.note,
                "decided_at": d.decided_at,
                "origin": d.origin,
                "run_id": d.run_id,
                "state": state,
                "applies_to": applied.get(key) or changed.get(key),
            }
        )
    return pd.DataFrame(rows, columns=list(DECISION_COLUMNS))
