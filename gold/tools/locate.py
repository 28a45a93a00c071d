#!/usr/bin/env python3
"""Locate hand-annotated strings in the gold documents and build the gold files.

The gold set is written by hand in ``gold/src/*.src.json`` (what is annotated: entity
surface forms with their label and normalised form, outcome figures with the exact sentence
they come from, study records with their evidence sentences).  This script only computes
character offsets and checksums; it decides nothing.  It fails loudly when a string is not
found, or is ambiguous and no occurrence index (``nth``, 1-based) was given.

Text convention: a document's text is the file's bytes decoded as UTF-8, with no newline
translation (``Path.read_bytes().decode("utf-8")``); offsets are Python ``str`` offsets.

Usage (from the repository root):

    python gold/tools/locate.py build            # (re)write every gold file from gold/src
    python gold/tools/locate.py check            # exit 1 if a gold file differs from a rebuild
    python gold/tools/locate.py find FILE TEXT [--nth N]
    python gold/tools/locate.py kwic DOC_ID      # every entity of a built gold file in context

It never imports or runs the atc_mine extractor.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC_DIR = ROOT / "gold" / "src"
SCHEMA_VERSION = "1"
GOLD_VERSION = "1.0.1"
ANNOTATION_DATE = "2026-11-25"
METHOD = (
    "hand-annotated by careful reading of the document text, paragraph by paragraph, "
    "following gold/GUIDELINES.md; offsets computed with gold/tools/locate.py; "
    "the atc_mine extractor was not run or imported"
)
ANNOTATOR = "atc-mine gold-set session (Claude, an AI model), 2026-11-25"

OUTCOME_FIELDS = [
    "measure",
    "percent",
    "count",
    "denominator",
    "value",
    "unit",
    "timepoint",
    "ci",
    "not_reached",
    "drugs",
    "trial",
    "cohort",
    "subgroup",
    "sentence",
    "start",
    "end",
    "optional",
    "note",
]
OUTCOME_DEFAULTS = {
    "percent": None,
    "count": None,
    "denominator": None,
    "value": None,
    "unit": None,
    "timepoint": None,
    "ci": None,
    "not_reached": False,
    "drugs": [],
    "trial": None,
    "cohort": None,
    "subgroup": None,
    "optional": False,
    "note": None,
}
RULE_KEYS = {"text", "label", "norm", "ignore_case", "skip", "only", "expect", "optional", "note", "comment"}
# DRUG names are matched case-insensitively by default, everything else case-sensitively.
DEFAULT_IGNORE_CASE = {"DRUG": True, "GENE": False, "VARIANT": False, "NCT_ID": False}


class LocateError(Exception):
    """A string was not found, was ambiguous, or spans conflict."""


# ---------------------------------------------------------------- text helpers


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def sha1_hex(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def sha256_hex(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def occurrences(text: str, needle: str, ignore_case: bool = False, word: bool = False) -> list[int]:
    """Start offsets of every (optionally case-insensitive, word-bounded) occurrence."""
    if not needle:
        raise LocateError("empty needle")
    hay = text.lower() if ignore_case else text
    pat = needle.lower() if ignore_case else needle
    if len(hay) != len(text):  # lower() must not change lengths, or offsets break
        raise LocateError("case folding changed the text length; use ignore_case=False")
    starts, i = [], hay.find(pat)
    while i != -1:
        end = i + len(pat)
        ok = True
        if word:
            if i > 0 and _is_word_char(text[i - 1]) and _is_word_char(text[i]):
                ok = False
            if end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
                ok = False
        if ok:
            starts.append(i)
        i = hay.find(pat, i + 1)
    return starts


def find_span(
    text: str, needle: str, nth: int | None = None, ignore_case: bool = False, word: bool = False, where: str = ""
) -> tuple[int, int]:
    """(start, end) of ``needle``; ``nth`` is 1-based and required when it occurs more than once."""
    starts = occurrences(text, needle, ignore_case=ignore_case, word=word)
    label = f"{where}: " if where else ""
    if not starts:
        raise LocateError(f"{label}not found: {needle!r}")
    if nth is None:
        if len(starts) > 1:
            raise LocateError(f"{label}ambiguous ({len(starts)} occurrences, give nth): {needle!r}")
        nth = 1
    if not 1 <= nth <= len(starts):
        raise LocateError(f"{label}nth={nth} but only {len(starts)} occurrences: {needle!r}")
    s = starts[nth - 1]
    return s, s + len(needle)


# ---------------------------------------------------------------- entities


def resolve_entities(text: str, rules: list[dict], where: str) -> tuple[list[dict], list[str]]:
    """Apply entity rules: every word-bounded occurrence of each rule's text, minus the listed
    skips; a shorter candidate inside a longer accepted span is dropped (longest span wins,
    e.g. BRAF inside "BRAF V600E"); two overlapping candidates of equal length are an error."""
    cands = []
    for r in rules:
        unknown = set(r) - RULE_KEYS
        if unknown:
            raise LocateError(f"{where}: unknown keys {sorted(unknown)} in entity rule {r.get('text')!r}")
        label = r["label"]
        ignore_case = r.get("ignore_case", DEFAULT_IGNORE_CASE[label])
        starts = occurrences(text, r["text"], ignore_case=ignore_case, word=True)
        if not starts:
            raise LocateError(f"{where}: entity text not found: {r['text']!r}")
        skip = {s["nth"] for s in r.get("skip", [])}
        only = set(r["only"]) if "only" in r else None
        for n in skip | (only or set()):
            if not 1 <= n <= len(starts):
                raise LocateError(f"{where}: nth {n} out of range for {r['text']!r} ({len(starts)})")
        if "expect" in r and r["expect"] != len(starts):
            raise LocateError(f"{where}: {r['text']!r} expected {r['expect']} occurrences, found {len(starts)}")
        for n, s in enumerate(starts, 1):
            if n in skip or (only is not None and n not in only):
                continue
            ent = {
                "label": label,
                "text": text[s : s + len(r["text"])],
                "start": s,
                "end": s + len(r["text"]),
                "norm": r["norm"],
            }
            if r.get("optional"):
                ent["optional"] = True
            if r.get("note"):
                ent["note"] = r["note"]
            cands.append(ent)
    cands.sort(key=lambda e: (-(e["end"] - e["start"]), e["start"]))
    accepted: list[dict] = []
    dropped: list[str] = []
    for c in cands:
        clash = [a for a in accepted if c["start"] < a["end"] and a["start"] < c["end"]]
        if not clash:
            accepted.append(c)
            continue
        a = clash[0]
        if (a["end"] - a["start"]) == (c["end"] - c["start"]):
            raise LocateError(f"{where}: equal-length overlap {a['text']!r}@{a['start']} / {c['text']!r}@{c['start']}")
        if not (a["start"] <= c["start"] and c["end"] <= a["end"]):
            raise LocateError(f"{where}: crossing spans {a['text']!r}@{a['start']} / {c['text']!r}@{c['start']}")
        dropped.append(f"{c['label']} {c['text']!r}@{c['start']} inside {a['label']} {a['text']!r}")
    accepted.sort(key=lambda e: (e["start"], e["end"]))
    return accepted, dropped


# ---------------------------------------------------------------- outcomes


def expand_outcomes(text: str, groups: list[dict], where: str) -> list[dict]:
    out = []
    for g in groups:
        defaults = g.get("defaults", {})
        for item in g["items"]:
            rec = dict(OUTCOME_DEFAULTS)
            rec.update(copy.deepcopy(defaults))
            rec.update(copy.deepcopy(item))
            nth = rec.pop("sentence_nth", None)
            s, e = find_span(text, rec["sentence"], nth=nth, where=f"{where} outcome {rec['measure']}")
            rec["start"], rec["end"] = s, e
            rec["drugs"] = sorted(rec["drugs"])
            unknown = set(rec) - set(OUTCOME_FIELDS)
            if unknown:
                raise LocateError(f"{where}: unknown outcome fields {sorted(unknown)}")
            out.append({k: rec[k] for k in OUTCOME_FIELDS})
    out.sort(key=lambda r: r["start"])  # stable: records of one sentence keep their written order
    return out


# ---------------------------------------------------------------- documents


def provenance_for(src: dict, text_path: Path) -> dict:
    prov = {
        "method": METHOD,
        "annotator": ANNOTATOR,
        "date": ANNOTATION_DATE,
        "source_file": src["text_file"],
        "source_sha256": sha256_hex(text_path),
    }
    meta_path = text_path.with_name(text_path.name[: -len(".txt")] + ".meta.json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        orig = meta.get("provenance", {})
        prov["original_source"] = orig.get("copied_from")
        prov["original_source_sha256"] = orig.get("sha256")
    elif src.get("original_source"):
        prov["original_source"] = src["original_source"]
        prov["original_source_sha256"] = src["original_source_sha256"]
    return prov


def build_document(src: dict) -> tuple[dict, list[str]]:
    text_path = ROOT / src["text_file"]
    text = read_text(text_path)
    where = src["doc_id"]
    entities, dropped = resolve_entities(text, src["entity_rules"], where)
    outcomes = expand_outcomes(text, src.get("outcome_groups", []), where)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "gold_version": GOLD_VERSION,
        "doc_id": src["doc_id"],
        "text_file": src["text_file"],
        "text_sha1": sha1_hex(text_path),
        "provenance": provenance_for(src, text_path),
        "notes": src.get("notes", []),
        "entities": entities,
        "outcomes": outcomes,
    }
    return doc, dropped


def build_studies(src: dict) -> dict:
    text_path = ROOT / src["text_file"]
    text = read_text(text_path)
    studies = []
    for st in src["studies"]:
        st = copy.deepcopy(st)
        ev = []
        for item in st["review_evidence"]:
            s, e = find_span(text, item["sentence"], nth=item.get("nth"), where=f"study {st['study_id']}")
            ev.append({"start": s, "end": e, "sentence": item["sentence"]})
        st["review_evidence"] = sorted(ev, key=lambda x: x["start"])
        st["drugs"] = sorted(st["drugs"])
        studies.append(st)
    return {
        "schema_version": SCHEMA_VERSION,
        "gold_version": GOLD_VERSION,
        "doc_id": src["doc_id"],
        "text_file": src["text_file"],
        "text_sha1": sha1_hex(text_path),
        "provenance": provenance_for(src, text_path) | {"method": src["method"]},
        "conventions": src["conventions"],
        "studies": studies,
        "unmatched_corpus_docs": src["unmatched_corpus_docs"],
    }


def dumps(obj: dict) -> str:
    """JSON with one entity per line (short, diffable) and indented records elsewhere."""

    def one(x) -> str:
        return json.dumps(x, ensure_ascii=False)

    parts = []
    for key, val in obj.items():
        if key == "entities":
            body = ",\n".join("  " + one(e) for e in val)
            parts.append(f' "{key}": [\n{body}\n ]' if val else f' "{key}": []')
        else:
            text = json.dumps(val, ensure_ascii=False, indent=1)
            parts.append(f" {one(key)}: " + text.replace("\n", "\n "))
    return "{\n" + ",\n".join(parts) + "\n}\n"


TAG_TITLES = {
    "contradiction": "the review and the abstract state different facts",
    "not in abstract": "the review states a figure the abstract does not contain",
    "derived": "the review states a number the abstract only implies",
    "terminology": "same number, different measure or wording",
    "omission": "the review leaves out a fact of the abstract that changes the reading",
}


def render_disagreements(studies_doc: dict) -> str:
    """gold/corpus/disagreements.md, generated from studies.json (never edited by hand)."""
    out = [
        "# Review vs. abstract disagreements",
        "",
        f"Generated by `gold/tools/locate.py build` from `gold/review/studies.json` (gold_version "
        f"{studies_doc['gold_version']}); edit `gold/src/studies.src.json`, not this file.",
        "",
        "Every point where the seed review (`review_42d08961c228dcf9`) and the abstract of the same study in",
        "`corpora/abstracts/` differ, found by reading both. Each entry quotes the review's sentence and the",
        "abstract's. Tags:",
        "",
    ]
    out += [f"- `[{tag}]`: {title}" for tag, title in TAG_TITLES.items()]
    counts: dict[str, int] = {}
    body: list[str] = []
    for st in studies_doc["studies"]:
        if not st["disagreements"]:
            continue
        ref = f"ref {st['review_ref']}" if st["review_ref"] else "no reference number"
        trial = st["trial"] or "no NCT ID"
        body += ["", f"## {st['study_id']}: {st['regimen']} ({ref}, {trial})", ""]
        body += [f"Abstract: `{d}`" for d in st["corpus_docs"]] or ["Abstract: none in corpora/"]
        body += ["", "Review sentences (offsets in the review text):", ""]
        body += [f"- [{ev['start']}:{ev['end']}] {ev['sentence']}" for ev in st["review_evidence"]]
        body += ["", "Disagreements:", ""]
        for item in st["disagreements"]:
            tag = item[1 : item.index("]")]
            counts[tag] = counts.get(tag, 0) + 1
            body.append(f"- {item}")
    total = sum(counts.values())
    summary = ", ".join(f"{counts[t]} {t}" for t in TAG_TITLES if t in counts)
    out += [
        "",
        f"{total} disagreements in {sum(1 for s in studies_doc['studies'] if s['disagreements'])} studies ({summary}).",
    ]
    return "\n".join(out + body) + "\n"


def build_all() -> dict[Path, str]:
    """Every gold file (path -> content) rebuilt from gold/src."""
    files: dict[Path, str] = {}
    for path in sorted(SRC_DIR.glob("*.src.json")):
        src = json.loads(path.read_text(encoding="utf-8"))
        if src["kind"] == "studies":
            studies_doc = build_studies(src)
            files[ROOT / src["gold_file"]] = dumps(studies_doc)
            files[ROOT / "gold" / "corpus" / "disagreements.md"] = render_disagreements(studies_doc)
        else:
            doc, _ = build_document(src)
            files[ROOT / src["gold_file"]] = dumps(doc)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    sub.add_parser("check")
    f = sub.add_parser("find")
    f.add_argument("file")
    f.add_argument("needle")
    f.add_argument("--nth", type=int)
    k = sub.add_parser("kwic")
    k.add_argument("doc_id")
    k.add_argument("--width", type=int, default=40)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "build":
            for path, content in build_all().items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
        elif args.cmd == "check":
            bad = [p for p, c in build_all().items() if not p.exists() or p.read_text(encoding="utf-8") != c]
            for p in bad:
                print(f"differs from a rebuild: {p.relative_to(ROOT)}")
            return 1 if bad else 0
        elif args.cmd == "find":
            text = read_text(Path(args.file))
            s, e = find_span(text, args.needle, nth=args.nth)
            print(s, e)
        elif args.cmd == "kwic":
            hits = list((ROOT / "gold").rglob(f"{args.doc_id}.gold.json"))
            if len(hits) != 1:
                raise LocateError(f"no single gold file for {args.doc_id}")
            doc = json.loads(hits[0].read_text(encoding="utf-8"))
            text = read_text(ROOT / doc["text_file"])
            w = args.width
            for ent in doc["entities"]:
                left = text[max(0, ent["start"] - w) : ent["start"]].replace("\n", " ")
                right = text[ent["end"] : ent["end"] + w].replace("\n", " ")
                flag = " (optional)" if ent.get("optional") else ""
                print(f"{ent['start']:>6} {ent['label']:<7} {ent['norm']:<14} {left:>{w}}[{ent['text']}]{right}{flag}")
    except LocateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
