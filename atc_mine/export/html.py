"""HTML export: ``review.html``, one self-contained static page for reading the candidates.

No server and no network: the CSS and the one script are inline, nothing is fetched (a
Content-Security-Policy allows no source but the page's own script, by its hash), and the page
works from a file or an e-mail attachment. It lists the candidate figures grouped by study (the
evidence table's study rows, else by trial or document), marks the figure's numbers and the
recognised entities in the evidence sentence, links the PubMed / ClinicalTrials.gov pages, and
filters (free text, status, measure, therapy class) and sorts (column headings; studies by
name, size, ORR or pending figures). The view lives in the address (``review.html#q=lenvatinib
&status=pending&sort=figure:desc``), so it can be bookmarked or sent.

Safety: every piece of document text is HTML-escaped where it is written, attribute values are
quoted and escaped, links are only http(s), and the script reads and writes the page with
``textContent`` / ``hidden`` / attributes only (never ``innerHTML``): an abstract containing
``<script>`` shows as text.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from atc_mine.curation import DECISION_STATUSES, Candidate
from atc_mine.export.common import (
    ExportData,
    atomic_file,
    describe,
    document_link,
    flag_text,
    link_label,
    safe_url,
    trial_link,
)
from atc_mine.export.spans import segments, sentence_marks
from atc_mine.records import MEASURES

#: Study-row fields shown under each study heading: (column, label).
SUMMARY_FIELDS = (
    ("therapy_class", "class"),
    ("phase", "phase"),
    ("cohort", "cohort"),
    ("n", "n"),
    ("orr_percent", "ORR %"),
    ("cr", "CR"),
    ("pr", "PR"),
    ("sd", "SD"),
    ("dcr_percent", "DCR %"),
    ("pfs_median_months", "median PFS (months)"),
    ("os_median_months", "median OS (months)"),
    ("data_cut", "data cut"),
    ("targets", "targets"),
    ("conflicts", "conflicts"),
)


def e(value: Any) -> str:
    """Text for HTML, escaped (quotes included); None is empty."""
    return "" if value is None else escape(str(value), quote=True)


@dataclass(slots=True)
class Group:
    key: str
    heading: str
    therapy_class: str | None = None
    summary: list[tuple[str, Any]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    n: float | None = None
    orr: float | None = None
    candidates: list[Candidate] = field(default_factory=list)


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _row_group(key: str, row: dict[str, Any], *, other: bool = False) -> Group:
    parts = (row.get("regimen"), row.get("trial"), row.get("cohort"))
    heading = " \u00b7 ".join(str(p) for p in parts if p) or str(row.get("study_id"))
    summary = [("study", row.get("study_id"))]
    if not other:
        summary += [(label, row.get(col)) for col, label in SUMMARY_FIELDS if row.get(col) not in (None, "")]
    return Group(
        key=key,
        heading=heading + (" (figures behind no table row)" if other else ""),
        therapy_class=row.get("therapy_class"),
        summary=summary,
        links=[(str(row["trial"]), trial_link(str(row["trial"])) or "")] if row.get("trial") else [],
        n=None if other else _number(row.get("n")),
        orr=None if other else _number(row.get("orr_percent")),
    )


def groups(data: ExportData) -> list[Group]:
    """Candidates by evidence-table row, then by study, then by trial, else by document."""
    found: dict[str, Group] = {}
    rows = data.studies.rows if data.studies is not None else []
    by_row = {r["row_id"]: r for r in rows if r.get("row_id")}
    by_study: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_study.setdefault(str(row["study_id"]), row)
    for candidate in data.candidates:
        figure = candidate.figure
        if candidate.study_row in by_row:
            key = f"row:{candidate.study_row}"
            if key not in found:
                found[key] = _row_group(key, by_row[candidate.study_row])
        elif candidate.study_id in by_study:
            key = f"study:{candidate.study_id}"
            if key not in found:
                found[key] = _row_group(key, by_study[candidate.study_id], other=True)
        elif figure.trial:
            key = f"trial:{figure.trial}"
            if key not in found:
                found[key] = Group(
                    key=key,
                    heading=f"{figure.trial} (not in a study row)",
                    links=[(figure.trial, trial_link(figure.trial) or "")],
                )
        else:
            key = f"doc:{candidate.source}:{candidate.doc_id}"
            if key not in found:
                found[key] = Group(key=key, heading=f"{candidate.title or candidate.doc_id} (not in a study row)")
        found[key].candidates.append(candidate)
    for group in found.values():
        if group.n is None:
            counts = [c.figure.count for c in group.candidates if c.figure.measure == "N_ENROLLED" and c.figure.count]
            group.n = float(max(counts)) if counts else None
        if group.orr is None:
            orr = [
                c.corrected.percent
                for c in group.candidates
                if c.corrected.measure == "ORR" and c.corrected.percent is not None
            ]
            group.orr = orr[0] if orr else None
    kinds = {"row": 0, "study": 1, "trial": 2, "doc": 3}
    return sorted(found.values(), key=lambda g: (kinds[g.key.split(":")[0]], g.heading.lower()))


def _sentence_html(candidate: Candidate, entities: list[Any]) -> str:
    figure = candidate.figure
    marks = sentence_marks(figure, entities, describe(candidate.corrected))
    out = []
    for text, mark in segments(figure.sentence, marks):
        if mark is None:
            out.append(e(text))
        elif mark.kind == "figure":
            out.append(f'<mark class="fig" title="{e(mark.title)}">{e(text)}</mark>')
        else:
            out.append(f'<mark class="ent {e(mark.label.lower())}" title="{e(mark.title)}">{e(text)}</mark>')
    return "".join(out)


def _figure_text(candidate: Candidate) -> str:
    words = describe(candidate.corrected).split(" ", 1)
    return words[1] if len(words) > 1 else ""


def _sort_value(candidate: Candidate) -> str:
    figure = candidate.corrected
    for value in (figure.percent, figure.value, figure.count):
        if value is not None:
            return f"{value:g}"
    return ""


def _row(candidate: Candidate, data: ExportData) -> str:
    corrected = candidate.corrected
    link = document_link(candidate.source, candidate.doc_id, candidate.metadata)
    label = link_label(candidate.source, candidate.doc_id, candidate.metadata)
    source_html = f'<a href="{e(link)}" rel="noopener noreferrer" target="_blank">{e(label)}</a>' if link else e(label)
    if corrected.trial and corrected.trial != candidate.doc_id:
        source_html += f' <a href="{e(trial_link(corrected.trial))}" rel="noopener noreferrer" target="_blank">{e(corrected.trial)}</a>'
    decision = candidate.decision
    notes = []
    if decision is not None:
        notes.append(f"{decision.status} by {decision.curator} on {decision.decided_at[:10]}")
        if decision.note:
            notes.append(decision.note)
    flag = flag_text(candidate)
    if flag:
        notes.append(flag)
    entities = data.entities.get(candidate.doc_pk, [])
    status = candidate.status
    return (
        f'<tr data-status="{e(status)}" data-changed="{str(candidate.changed).lower()}" '
        f'data-measure="{e(corrected.measure)}" data-record="{e(candidate.record_id)}">'
        f'<td data-sort="{e(status)}"><span class="badge {e(status)}">{e(status)}</span>'
        + ('<span class="badge changed" title="changed since decided">changed</span>' if candidate.changed else "")
        + f'</td><td data-sort="{e(corrected.measure)}">{e(corrected.measure)}</td>'
        f'<td data-sort="{e(_sort_value(candidate))}" class="num">{e(_figure_text(candidate))}</td>'
        f"<td>{e(' + '.join(corrected.drugs))}</td><td>{e(corrected.cohort)}"
        + (f' <span class="sub">({e(corrected.subgroup)})</span>' if corrected.subgroup else "")
        + f'</td><td class="evidence"><q>{_sentence_html(candidate, entities)}</q>'
        + (f'<div class="note">{e(" | ".join(notes))}</div>' if notes else "")
        + f'</td><td data-sort="{e(label)}">{source_html}</td>'
        f"<td><code>{e(candidate.record_id)}</code></td></tr>"
    )


HEADINGS = (
    ("status", "Status", True),
    ("measure", "Measure", True),
    ("figure", "Figure", True),
    ("regimen", "Regimen", True),
    ("cohort", "Cohort", True),
    ("evidence", "Evidence", False),
    ("source", "Source", True),
    ("record", "Record", False),
)


def _group_html(group: Group, data: ExportData) -> str:
    pending = sum(c.status == "pending" for c in group.candidates)
    search = " ".join([group.heading, group.therapy_class or "", *(str(v) for _, v in group.summary)])
    summary = "".join(f"<div><dt>{e(label)}</dt><dd>{e(value)}</dd></div>" for label, value in group.summary)
    links = " ".join(
        f'<a href="{e(url)}" rel="noopener noreferrer" target="_blank">{e(text)}</a>'
        for text, url in group.links
        if safe_url(url)
    )
    head = "".join(
        f'<th scope="col" data-key="{key}"'
        + (' class="sortable" tabindex="0" aria-sort="none"' if sortable else "")
        + f">{label}</th>"
        for key, label, sortable in HEADINGS
    )
    rows = "".join(_row(c, data) for c in group.candidates)
    return (
        f'<section class="study" data-key="{e(group.key)}" data-class="{e(group.therapy_class)}" '
        f'data-n="{e(group.n if group.n is not None else "")}" data-orr="{e(group.orr if group.orr is not None else "")}" '
        f'data-pending="{pending}" data-heading="{e(group.heading.lower())}" data-search="{e(search.lower())}">'
        f"<h2>{e(group.heading)}</h2>"
        + (f'<p class="links">{links}</p>' if links else "")
        + (f'<dl class="summary">{summary}</dl>' if summary else "")
        + f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _options(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<option value="{e(v)}">{e(label)}</option>' for v, label in values)


STYLE = """
:root { --ink: #1d2329; --muted: #5b6670; --line: #d8dee4; --paper: #fff; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f8fa; }
header { position: sticky; top: 0; z-index: 2; background: var(--paper); border-bottom: 1px solid var(--line); padding: .6rem 1rem; }
h1 { font-size: 1.15rem; margin: 0 0 .3rem; }
header p { margin: 0 0 .4rem; color: var(--muted); font-size: .85rem; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
input[type=search] { min-width: 18rem; padding: .3rem .5rem; }
select, input { font: inherit; }
output { color: var(--muted); font-size: .9rem; }
main { padding: .5rem 1rem 3rem; }
section.study { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; margin: .8rem 0; padding: .6rem .8rem; }
h2 { font-size: 1rem; margin: 0 0 .3rem; }
.links a { margin-right: .6rem; }
dl.summary { display: flex; flex-wrap: wrap; gap: .2rem 1rem; margin: .2rem 0 .5rem; font-size: .85rem; }
dl.summary div { display: flex; gap: .3rem; } dt { color: var(--muted); } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; border-top: 1px solid var(--line); }
th { font-weight: 600; white-space: nowrap; }
th.sortable { cursor: pointer; } th.sortable:hover, th.sortable:focus { color: var(--accent); }
th[aria-sort=ascending]::after { content: " \\25B2"; } th[aria-sort=descending]::after { content: " \\25BC"; }
td.num { white-space: nowrap; }
td.evidence { min-width: 24rem; } q { quotes: none; }
.note { color: var(--muted); font-size: .8rem; margin-top: .2rem; }
.sub { color: var(--muted); }
mark { border-radius: 3px; padding: 0 .1rem; }
mark.fig { background: #ffd8a8; outline: 1px solid #f08c00; font-weight: 600; }
mark.ent { background: #e7f1ff; } mark.ent.drug { background: #d0e2ff; } mark.ent.gene { background: #c5f6fa; }
mark.ent.variant { background: #e5dbff; } mark.ent.nct_id, mark.ent.trial_id { background: #d3f9d8; }
.badge { display: inline-block; border-radius: 9px; padding: 0 .45rem; font-size: .78rem; margin-right: .2rem; background: #eceff3; }
.badge.accept { background: #d3f9d8; } .badge.correct { background: #fff3bf; } .badge.reject { background: #ffe3e3; }
.badge.changed { background: #ffc9c9; }
code { font-size: .78rem; color: var(--muted); }
.legend mark { margin-right: .3rem; }
[hidden] { display: none !important; }
@media print { header { position: static; } form { display: none; } }
"""

SCRIPT = """
(function () {
  "use strict";
  var body = document.body;
  var controls = ["q", "status", "measure", "klass", "order"].map(function (id) { return document.getElementById(id); });
  var byId = {};
  controls.forEach(function (c) { byId[c.id] = c; });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.study"));
  var main = document.getElementById("studies");
  var total = document.querySelectorAll("section.study tbody tr").length;
  var sorted = "";

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    controls.forEach(function (c) { if (params.has(c.id)) { c.value = params.get(c.id); } });
    var sort = /^([a-z]+):(asc|desc)$/.exec(params.get("sort") || "");
    if (sort) { sortTables(sort[1], sort[2] === "asc"); }
  }
  function writeHash() {
    var params = new URLSearchParams();
    controls.forEach(function (c) { if (c.value) { params.set(c.id, c.value); } });
    if (sorted) { params.set("sort", sorted); }
    var hash = params.toString();
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }
  function rowMatches(row, section, query) {
    var status = byId.status.value, measure = byId.measure.value;
    if (status === "changed" ? row.getAttribute("data-changed") !== "true" : status && row.getAttribute("data-status") !== status) { return false; }
    if (measure && row.getAttribute("data-measure") !== measure) { return false; }
    if (query && (section.getAttribute("data-search") + " " + row.textContent.toLowerCase()).indexOf(query) === -1) { return false; }
    return true;
  }
  function filter() {
    var query = byId.q.value.trim().toLowerCase(), klass = byId.klass.value, shown = 0, studies = 0;
    sections.forEach(function (section) {
      var visible = 0, classOk = !klass || section.getAttribute("data-class") === klass;
      section.querySelectorAll("tbody tr").forEach(function (row) {
        var ok = classOk && rowMatches(row, section, query);
        row.hidden = !ok;
        if (ok) { visible += 1; }
      });
      section.hidden = visible === 0;
      if (visible) { studies += 1; shown += visible; }
    });
    document.getElementById("shown").textContent = shown + " of " + total + " figures shown, in " + studies + " groups";
    body.setAttribute("data-shown", String(shown));
  }
  // Sort keys: numbers first, then text, then blanks; only the order within a kind is reversed.
  function key(value) {
    value = (value || "").trim();
    var number = parseFloat(value);
    if (value === "") { return [2, ""]; }
    return !isNaN(number) && isFinite(value) ? [0, number] : [1, value.toLowerCase()];
  }
  function compare(a, b, direction) {
    if (a[0] !== b[0]) { return a[0] - b[0]; }
    return direction * (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  }
  function order() {
    var by = byId.order.value || "heading", direction = by === "heading" ? 1 : -1;
    sections.slice().sort(function (a, b) {
      return compare(key(a.getAttribute("data-" + by)), key(b.getAttribute("data-" + by)), direction);
    }).forEach(function (section) { main.appendChild(section); });
  }
  function cellKey(row, index) {
    var cell = row.cells[index];
    return key(cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent);
  }
  function sortTables(name, ascending) {
    var found = false;
    document.querySelectorAll("section.study table").forEach(function (table) {
      var th = table.querySelector("th.sortable[data-key='" + name + "']");
      if (!th) { return; }
      found = true;
      var index = Array.prototype.indexOf.call(th.parentNode.children, th), tbody = table.tBodies[0];
      table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      Array.prototype.slice.call(tbody.rows).sort(function (a, b) {
        return compare(cellKey(a, index), cellKey(b, index), ascending ? 1 : -1);
      }).forEach(function (row) { tbody.appendChild(row); });
    });
    sorted = found ? name + ":" + (ascending ? "asc" : "desc") : "";
  }
  function update() { filter(); order(); writeHash(); }
  function headingSort(th) {
    sortTables(th.getAttribute("data-key"), th.getAttribute("aria-sort") !== "ascending");
    writeHash();
  }

  document.querySelectorAll("th.sortable").forEach(function (th) {
    th.addEventListener("click", function () { headingSort(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); headingSort(th); }
    });
  });
  controls.forEach(function (c) { c.addEventListener(c.tagName === "INPUT" ? "input" : "change", update); });
  document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("hashchange", function () { readHash(); filter(); order(); });
  readHash();
  filter();
  order();
  body.setAttribute("data-ready", "true");
}());
"""


def script_hash(script: str) -> str:
    """The CSP source for an inline script: 'sha256-<base64 of the SHA-256 of its text>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def page(data: ExportData) -> str:
    all_groups = groups(data)
    statuses = Counter(c.status for c in data.candidates)
    changed = sum(c.changed for c in data.candidates)
    measures = sorted(
        {c.corrected.measure for c in data.candidates}, key=lambda m: MEASURES.index(m) if m in MEASURES else 99
    )
    classes = sorted({g.therapy_class for g in all_groups if g.therapy_class})
    run = data.run or {}
    about = [f"{len(data.candidates)} candidate figures from {len({c.doc_pk for c in data.candidates})} documents"]
    about.append(
        ", ".join(f"{statuses.get(s, 0)} {s}" for s in ("pending", *DECISION_STATUSES))
        + (f" ({changed} changed since decided)" if changed else "")
    )
    about.append(
        f"evidence base {data.db_name}" + (f", run {run['run_id']} ({run['finished_at'][:19]})" if run else "")
    )
    if data.since is not None:
        about.append(f"extracted after run {data.since}")
    if data.status is not None:
        about.append(f"status {data.status} only")
    status_options = [("", "any status"), ("pending", "pending"), ("changed", "changed since decided")]
    status_options += [(s, s) for s in DECISION_STATUSES]
    order_options = [
        ("heading", "studies by name"),
        ("n", "by patients (n)"),
        ("orr", "by ORR"),
        ("pending", "by pending figures"),
    ]
    subtitle = " \u00b7 ".join(about)
    body = (
        "".join(_group_html(g, data) for g in all_groups)
        or '<p class="empty">No candidate figures in this selection.</p>'
    )
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src {script_hash(SCRIPT)}; base-uri 'none'; form-action 'none'"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="atc-mine">
<title>atc-mine: candidate outcome figures for review</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Candidate outcome figures for review</h1>
<p>{e(subtitle)}</p>
<form id="filters" role="search">
<input type="search" id="q" placeholder="filter: drug, trial, cohort, words of the sentence" aria-label="filter text">
<select id="status" aria-label="status">{_options(status_options)}</select>
<select id="measure" aria-label="measure">{_options([("", "any measure"), *((m, m) for m in measures)])}</select>
<select id="klass" aria-label="therapy class">{_options([("", "any therapy class"), *((c, c) for c in classes)])}</select>
<select id="order" aria-label="order of studies">{_options(order_options)}</select>
<output id="shown" aria-live="polite">{len(data.candidates)} figures</output>
</form>
<p class="legend"><mark class="fig">figure</mark><mark class="ent drug">drug</mark><mark class="ent gene">gene</mark><mark class="ent variant">variant</mark><mark class="ent nct_id">trial id</mark>
Decide in candidates.xlsx / candidates.csv or Label Studio, then <code>atc-mine import</code>.</p>
</header>
<main id="studies">
{body}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write(data: ExportData, out_dir: Path) -> list[Path]:
    path = out_dir / "review.html"
    with atomic_file(path) as tmp:
        tmp.write_text(page(data), encoding="utf-8")
    return [path]
