"""The library functions behind every command; the CLI and notebooks call these."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atc_mine.curation import ImportReport, candidates_frame, decisions_frame, import_decisions
from atc_mine.errors import InputError
from atc_mine.evaluate.bootstrap import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from atc_mine.evaluate.gold import load_gold
from atc_mine.evaluate.studies import score_studies
from atc_mine.evidence import TableOutput, write_table
from atc_mine.export import FORMATS as EXPORT_FORMATS
from atc_mine.export import export_store
from atc_mine.loading import LoadReport, load_paths
from atc_mine.nlp.pipeline import build_nlp, extract_documents
from atc_mine.records import Extraction
from atc_mine.refreshing import RefreshReport, fetch_ctgov, fetch_pubmed, refresh  # noqa: F401  (library functions of fetch/refresh)
from atc_mine.settings import Settings
from atc_mine.sources import InputPlan, iter_documents, plan_inputs
from atc_mine.store import Store


def extract(paths: Iterable[str | Path], *, settings: Settings | None = None) -> Iterator[Extraction]:
    """Stateless extraction of every document under ``paths`` (files or folders), in a stable
    order, on ``settings.workers`` processes (None: every core; one for a small input)."""
    from atc_mine.parallel import extract_paths

    yield from extract_paths(paths, settings=settings)


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


def score(
    predictions: str | Path,
    gold: str | Path,
    *,
    text_mismatch: str = "refuse",
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Score a predictions JSONL file against a gold file or folder (the report as plain data).

    ``text_mismatch``: "refuse" (default) or "warn" for predictions whose text_sha1 differs
    from the gold's; ``resamples``/``seed``: the bootstrap of the 95% intervals (0: none).
    """
    from atc_mine.evaluate.score import score_paths  # scipy: imported only when scoring

    return score_paths(predictions, gold, text_mismatch=text_mismatch, n_resamples=resamples, seed=seed)


def _existing_db(db: str | Path) -> str | Path:
    """An evidence base that exists: reading a mistyped path must not create an empty one."""
    if str(db) != ":memory:" and not Path(db).is_file():
        raise InputError(f"{db}: no such evidence base (load documents first: atc-mine load PATH --db {db})")
    return db


def export_candidates(
    db: str | Path,
    *,
    fmt: str,
    out_dir: str | Path,
    since: int | None = None,
    status: str | None = None,
) -> list[Path]:
    """Write the curator export in ``fmt`` (one of ``EXPORT_FORMATS``, or ``all``) into ``out_dir``.

    ``since``: only figures extracted after that run; ``status``: only figures with that review
    status (pending, changed, accept, correct, reject). Returns the files (a folder for brat).
    """
    formats = list(EXPORT_FORMATS) if fmt == "all" else [fmt]
    if fmt != "all" and fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)}, or all)")
    with Store(_existing_db(db)) as store:
        written = export_store(store, formats, Path(out_dir), since=since, status=status)
    return [path for paths in written.values() for path in paths]


def import_curation(
    paths: Iterable[str | Path], *, db: str | Path = "atc_mine.db", curator: str | None = None
) -> ImportReport:
    """Bring curator decisions back: edited CSV/XLSX exports or a Label Studio JSON export.

    Every file is checked first (a malformed row raises DecisionFileError naming its line and
    nothing is written), then all decisions are saved in one transaction; idempotent.
    """
    with Store(_existing_db(db)) as store:
        return import_decisions(store, paths, curator=curator)


def candidates(db: str | Path, *, since: int | None = None, status: str | None = None) -> Any:
    """The candidate figures with their review status, as a pandas DataFrame (one row per figure)."""
    with Store(_existing_db(db)) as store:
        return candidates_frame(store, since=since, status=status)


def decisions(db: str | Path) -> Any:
    """The stored curator decisions and what each does now, as a pandas DataFrame."""
    with Store(_existing_db(db)) as store:
        return decisions_frame(store)


def table(
    db: str | Path,
    *,
    fmt: str,
    out: str | Path,
    therapy_class: str | None = None,
    all_cohorts: bool = False,
    plot_dir: str | Path | None = None,
) -> TableOutput:
    """``atc-mine table``: the evidence table (one row per study) as md, csv, xlsx or html."""
    return write_table(db, fmt=fmt, out=out, therapy_class=therapy_class, all_cohorts=all_cohorts, plot_dir=plot_dir)


def score_study_table(db: str | Path, gold: str | Path) -> dict[str, Any]:
    """``atc-mine score --studies``: the evidence table against the review's study-level gold."""
    return score_studies(db, gold)


@dataclass(slots=True)
class DemoResult:
    db: Path
    load_report: LoadReport
    predictions: dict[str, Path] = field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)
    score_files: dict[str, Path] = field(default_factory=dict)
    exports: list[Path] = field(default_factory=list)
    #: The curator export's files by format (csv, xlsx, jsonl, brat, bioc, labelstudio, html).
    exports_by_format: dict[str, list[Path]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: The evidence table (md, csv, html) and its plot (png, svg); see ``evidence_table_step``.
    tables: dict[str, Path] = field(default_factory=dict)
    plots: list[Path] = field(default_factory=list)
    #: Study-level score against gold/review/studies.json (atc_mine.evaluate.studies).
    study_score: dict[str, Any] | None = None


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
    from atc_mine.evaluate.score import score_paths

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
    result = DemoResult(db=db, load_report=report, counts=counts)
    gold_sets = {"review": gold / "review", "corpus": gold / "corpus"}
    for name, gold_path in gold_sets.items():
        if not gold_path.exists() or not any(gold_path.rglob("*.gold.json")):
            continue
        gold_docs = load_gold(gold_path)
        texts = [_gold_text_path(gold_path, g.text_file) for g in gold_docs.values()]
        predictions = out_dir / f"predictions_{name}.jsonl"
        write_jsonl(extract_documents(nlp, iter_documents(plan_inputs(texts))), predictions)
        report_data = score_paths(predictions, gold_path)
        score_file = out_dir / f"score_{name}.json"
        score_file.write_text(json.dumps(report_data, indent=2, ensure_ascii=False), encoding="utf-8")
        result.predictions[name] = predictions
        result.scores[name] = report_data
        result.score_files[name] = score_file

    # -- curator review: every export format, into out/export/ ----------------------------
    with Store(db) as store:
        result.exports_by_format = export_store(store, EXPORT_FORMATS, out_dir / "export")
    result.exports = [path for paths in result.exports_by_format.values() for path in paths]

    # -- the evidence table: one row per study (md, csv, html), the plot, the study score ------
    evidence_table_step(result, gold=gold, out_dir=out_dir)
    return result


def evidence_table_step(result: DemoResult, *, gold: Path, out_dir: Path) -> None:
    """Demo step: write the evidence table as md, csv and html with its plot, and score it."""
    table_dir = out_dir / "table"
    with Store(result.db) as store:
        html = write_table(store, fmt="html", out=table_dir / "evidence_table.html", plot_dir=table_dir)
        result.plots = html.plots
        for fmt in ("md", "csv"):
            result.tables[fmt] = write_table(store, fmt=fmt, out=table_dir / f"evidence_table.{fmt}").table
        result.tables["html"] = html.table
        if (gold / "review" / "studies.json").exists():
            result.study_score = score_studies(store, gold)
            score_file = out_dir / "score_studies.json"
            score_file.write_text(json.dumps(result.study_score, indent=2, ensure_ascii=False), encoding="utf-8")
            result.score_files["studies"] = score_file


def _gold_text_path(gold_path: Path, text_file: str | None) -> Path:
    if text_file is None:
        raise InputError(f"{gold_path}: a gold document names no text_file")
    for base in (gold_path, *gold_path.resolve().parents):
        candidate = base / text_file
        if candidate.exists():
            return candidate
    raise InputError(f"{text_file}: text of a gold document not found")
