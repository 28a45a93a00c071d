"""The library functions behind every command; the CLI and notebooks call these."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atc_mine.errors import InputError
from atc_mine.evaluate.gold import load_gold
from atc_mine.evaluate.score import read_predictions
from atc_mine.evaluate.score import score as score_extractions
from atc_mine.export.csv import write_candidates_csv
from atc_mine.loading import LoadReport, load_paths
from atc_mine.nlp.pipeline import build_nlp, extract_documents
from atc_mine.records import Extraction
from atc_mine.settings import Settings
from atc_mine.sources import InputPlan, iter_documents, plan_inputs
from atc_mine.store import Store

EXPORT_FORMATS = ("csv",)


def extract(paths: Iterable[str | Path], *, settings: Settings | None = None) -> Iterator[Extraction]:
    """Stateless extraction of every document under ``paths`` (files or folders)."""
    plan = plan_inputs(paths)
    nlp = build_nlp(settings)
    yield from extract_documents(nlp, iter_documents(plan))


def write_jsonl(extractions: Iterable[Extraction], out: Path) -> int:
    """Write extractions as JSON lines, atomically (a temporary file renamed into place)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as handle:
        for extraction in extractions:
            handle.write(json.dumps(extraction.to_json(), ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(out)
    return count


def load(
    paths: Iterable[str | Path],
    *,
    db: str | Path = "atc_mine.db",
    settings: Settings | None = None,
    plan: InputPlan | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Load documents into the evidence base, extracting what is new or changed."""
    paths = list(paths)
    plan = plan or plan_inputs(paths)
    with Store(db) as store:
        return load_paths(store, build_nlp(settings), paths, plan=plan, progress=progress)


def score(predictions: str | Path, gold: str | Path) -> dict[str, Any]:
    """Score a predictions JSONL file against a gold file or folder."""
    return score_extractions(read_predictions(predictions), load_gold(gold))


def export(db: str | Path, *, fmt: str, out_dir: str | Path) -> list[Path]:
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    with Store(db) as store:
        return [write_candidates_csv(store, Path(out_dir))]


@dataclass(slots=True)
class DemoResult:
    db: Path
    load_report: LoadReport
    predictions: dict[str, Path] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    score_files: dict[str, Path] = field(default_factory=dict)
    exports: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def demo(
    *,
    corpora: Path = Path("corpora"),
    gold: Path = Path("gold"),
    out_dir: Path = Path("out"),
    db: Path | None = None,
    settings: Settings | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """The main job on the bundled corpus: load, extract, store, score, export."""
    for required in (corpora, gold):
        if not required.exists():
            raise InputError(f"{required}: not found (run the demo from the project folder)")
    out_dir.mkdir(parents=True, exist_ok=True)
    db = db or out_dir / "atc_mine.db"
    nlp = build_nlp(settings)
    plan = plan_inputs([corpora])
    with Store(db) as store:
        report = load_paths(store, nlp, [corpora], plan=plan, progress=progress)
        counts = store.counts()
        exports = [write_candidates_csv(store, out_dir / "export")]
    result = DemoResult(db=db, load_report=report, exports=exports, counts=counts)
    gold_sets = {"review": gold / "review", "corpus": gold / "corpus"}
    for name, gold_path in gold_sets.items():
        if not gold_path.exists() or not any(gold_path.rglob("*.gold.json")):
            continue
        gold_docs = load_gold(gold_path)
        texts = [_gold_text_path(gold_path, g.text_file) for g in gold_docs.values()]
        predictions = out_dir / f"predictions_{name}.jsonl"
        write_jsonl(extract_documents(nlp, iter_documents(plan_inputs(texts))), predictions)
        report_data = score_extractions(read_predictions(predictions), gold_docs)
        score_file = out_dir / f"score_{name}.json"
        score_file.write_text(json.dumps(report_data, indent=2, ensure_ascii=False), encoding="utf-8")
        result.predictions[name] = predictions
        result.scores[name] = report_data
        result.score_files[name] = score_file
    return result


def _gold_text_path(gold_path: Path, text_file: str | None) -> Path:
    if text_file is None:
        raise InputError(f"{gold_path}: a gold document names no text_file")
    for base in (gold_path, *gold_path.resolve().parents):
        candidate = base / text_file
        if candidate.exists():
            return candidate
    raise InputError(f"{text_file}: text of a gold document not found")
