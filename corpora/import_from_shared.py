"""Rebuild corpora/ from the team's shared folder (../shared), recording provenance.

Run once by a developer who has ../shared beside the project; a user's clone already
holds the result and never needs this script. It copies the recorded API responses
byte for byte and turns each stored abstract / registry-page excerpt into a plain-text
document (title, blank line, abstract) plus a ``.meta.json`` sidecar with the header
fields the collector wrote (PMID, citation, source URL, completeness). Nothing is
invented: the only edits are dropping the header block, the collector's ``[TRUNCATED]``
marker and, for one file, a second (truncated) copy of the same abstract.

    python corpora/import_from_shared.py ../shared
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRUNCATION_MARK = "[TRUNCATED]"
HEADER_LINE = re.compile(r"^([A-Z][A-Z ]+?)(?: \(([^)]*)\))?:\s?(.*)$")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def split_header(raw: str, body_key: str) -> tuple[dict[str, str], str]:
    """Split a collector file into its header fields and the body after ``body_key:``."""
    lines = raw.split("\n")
    header: dict[str, str] = {}
    for i, line in enumerate(lines):
        if line.startswith(body_key + ":"):
            rest = line[len(body_key) + 1 :].strip()
            body = "\n".join(([rest] if rest else []) + lines[i + 1 :])
            return header, body
        match = HEADER_LINE.match(line)
        if match:
            key = match.group(1).strip().lower().replace(" ", "_")
            header[key] = (match.group(3) or "").strip()
            if match.group(2):
                header[key + "_qualifier"] = match.group(2)
    raise SystemExit(f"no {body_key}: line found")


def clean_body(body: str) -> tuple[str, bool]:
    body = re.split(r"\n\s*SECOND COPY \(", body)[0]
    truncated = TRUNCATION_MARK in body
    body = body.replace(TRUNCATION_MARK, "")
    return body.strip() + "\n", truncated


def first_int(value: str | None) -> str | None:
    if not value:
        return None
    match = re.match(r"\s*(\d{6,9})\b", value)
    return match.group(1) if match else None


def import_abstracts(shared: Path) -> list[dict]:
    out_dir = HERE / "abstracts"
    out_dir.mkdir(exist_ok=True)
    rows = []
    for src in sorted((shared / "corpus" / "abstracts").glob("*.txt")):
        header, body = split_header(src.read_text(encoding="utf-8"), "ABSTRACT")
        abstract, truncated = clean_body(body)
        title = header["title"].strip()
        text = f"{title}\n\n{abstract}"
        stem = src.stem
        year = re.search(r"[a-z]+(\d{4})", stem)
        trial = re.match(r"(NCT\d{8})", header.get("trial", ""))
        meta = {
            "doc_id": stem,
            "kind": "abstract",
            "pmid": first_int(header.get("pmid")),
            "title": title,
            "year": int(year.group(1)) if year else None,
            "citation": header.get("citation"),
            "authors": header.get("authors"),
            "source_url": header.get("source"),
            "complete": not truncated,
            "completeness_note": header.get("completeness"),
            # A registry link stated by the collector from the trial's own records; the
            # abstract text does not print it. Inferred links are kept as notes only.
            "linked_trials": [trial.group(1)] if trial and "inference" not in header.get("trial", "") else [],
            "notes": {k: v for k, v in header.items() if k in ("note", "trial", "related", "publication_types")},
            "provenance": {"copied_from": f"shared/corpus/abstracts/{src.name}", "sha256": sha256(src)},
        }
        (out_dir / f"{stem}.txt").write_text(text, encoding="utf-8")
        (out_dir / f"{stem}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        rows.append(meta)
    return rows


def import_ctgov_pages(shared: Path) -> list[dict]:
    out_dir = HERE / "ctgov_pages"
    out_dir.mkdir(exist_ok=True)
    rows = []
    for src in sorted((shared / "corpus" / "ctgov_pages").glob("*.txt")):
        raw = src.read_text(encoding="utf-8")
        # A two-part excerpt (two renderings of one record): keep both parts, in order,
        # without the collector's part headings.
        raw = raw.replace("TEXT (part 1, SOURCE):", "TEXT:", 1)
        raw = re.sub(r"\nTEXT \(part 2[^\n]*\n", "\n", raw)
        header, body = split_header(raw, "TEXT")
        text, truncated = clean_body(body)
        nct = re.search(r"NCT\d{8}", src.stem)
        meta = {
            "doc_id": src.stem,
            "kind": "registry_page_excerpt",
            "nct_id": nct.group(0) if nct else None,
            "linked_trials": [nct.group(0)] if nct else [],
            "source_url": header.get("source"),
            "format": header.get("format"),
            "complete": not truncated,
            "completeness_note": header.get("completeness"),
            "provenance": {"copied_from": f"shared/corpus/ctgov_pages/{src.name}", "sha256": sha256(src)},
        }
        (out_dir / f"{src.stem}.txt").write_text(text, encoding="utf-8")
        (out_dir / f"{src.stem}.meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        rows.append(meta)
    return rows


def copy_recordings(shared: Path) -> None:
    """Byte-for-byte copies; documents go where `atc-mine load` reads them, the rest to eutils/."""
    rec = shared / "recordings"
    targets = {"pubmed": HERE / "pubmed", "ctgov": HERE / "ctgov", "eutils": HERE / "eutils"}
    for path in targets.values():
        path.mkdir(exist_ok=True)
    for src in sorted((rec / "pubmed").iterdir()):
        is_document = src.name.startswith(("efetch_", "medline-update-file"))
        shutil.copyfile(src, (targets["pubmed"] if is_document else targets["eutils"]) / src.name)
    for src in sorted((rec / "ctgov").iterdir()):
        shutil.copyfile(src, targets["ctgov"] / src.name)
    shutil.copyfile(rec / "SOURCES.md", HERE / "RECORDINGS_SOURCES.md")


def main(argv: list[str]) -> int:
    shared = Path(argv[1] if len(argv) > 1 else HERE.parent.parent / "shared")
    import_abstracts(shared)
    import_ctgov_pages(shared)
    copy_recordings(shared)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
