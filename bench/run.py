"""``make bench``: atc-mine's extraction against a reference spaCy pipeline, one machine, one corpus.

What is measured (each pipeline in its own process, so that its peak memory is its own):

- **reference**: ``spacy.blank("en")`` + ``sentencizer`` + ``entity_ruler`` holding the same
  compiled DRUG/GENE lexicon as phrase patterns (two rulers: ``LOWER`` for the case-insensitive
  names, ``ORTH`` for the symbols whose case matters). Labels only: given the names' norms as
  pattern ids, spaCy 3.8's EntityRuler recounts every id on every document (``__len__`` in
  ``_require_patterns``) and runs ~10x slower, which would flatter atc-mine.
- **atc-mine, plain**: atc-mine's own pipeline through ``nlp.pipe`` (every document tokenised).
- **atc-mine**: ``extract_documents``, the fast path the CLI uses, on one core.
- **atc-mine --workers N**: the CLI on the built 30,000-article baseline-format file (parsing
  included), with the whole process tree's memory sampled to show it stays flat.
- **Dask**: ``extract_baseline`` over built files on a LocalCluster of 1 and of 2 workers
  (the faster of two runs each).
- **cold start**: ``atc-mine extract`` of one abstract, from process start to exit (median of 3).
- **F1** of each pipeline on the gold set (gold/review + gold/corpus): entities, strict span,
  micro over both sets (the reference recognises DRUG and GENE names only); outcome figures.

The corpus: the real documents of ``corpora/abstracts`` and the real citations of the MEDLINE
update file in ``corpora/pubmed``, cycled to ``--documents`` (20,000); the baseline-format file
is built from the same records by ``bench/baseline_file.py`` (BUILT, not recorded). Documents
are parsed before timing, so docs/s is extraction only (except for the CLI runs). Results go to
``bench/results.json``; the README's Performance section quotes them.

    python bench/run.py [--documents 20000] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import baseline_file  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
GOLD_SETS = ("review", "corpus")
COLD_START_FILE = ROOT / "corpora" / "abstracts" / "abstract_29072975_subbiah2018_dabrafenib_trametinib_ATC.txt"
#: The plain pipeline is timed on this many documents of the corpus (it is the slowest atc-mine
#: variant; the per-document cost of a cycled corpus is the same on any whole number of cycles).
PLAIN_DOCUMENTS = 5000
#: The built files of the Dask comparison: enough tasks that two workers share them evenly.
DASK_FILES, DASK_ARTICLES = 6, 1500
#: Runs per cluster size; the faster counts (noise on a shared machine only ever slows a run).
DASK_RUNS = 2
RSS_SAMPLE_S = 0.5


# -- the corpus ---------------------------------------------------------------------------------
def real_documents() -> list:
    from atc_mine.sources import read_documents

    documents = read_documents([ROOT / "corpora" / "abstracts", baseline_file._medline_file()])
    return [d for d in documents if d.text and not d.deleted]


def corpus(count: int) -> list:
    return list(itertools.islice(itertools.cycle(real_documents()), count))


def gold_documents() -> dict[str, list]:
    from atc_mine.evaluate.gold import load_gold
    from atc_mine.sources import read_documents

    sets = {}
    for name in GOLD_SETS:
        gold_path = ROOT / "gold" / name
        texts = []
        for gold in load_gold(gold_path).values():
            for base in (gold_path, *gold_path.resolve().parents):
                if (base / gold.text_file).exists():
                    texts.append(base / gold.text_file)
                    break
        sets[name] = read_documents(texts)
    return sets


def score(extract: Any) -> dict[str, Any]:
    """F1 of ``extract(documents) -> extractions`` on each gold set and pooled over both."""
    from atc_mine.api import write_jsonl
    from atc_mine.evaluate.score import score_paths

    pooled = {"entities": [0, 0, 0], "outcomes": [0, 0, 0]}
    per_set = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, documents in gold_documents().items():
            predictions = Path(tmp) / f"{name}.jsonl"
            write_jsonl(extract(documents), predictions)
            report = score_paths(predictions, ROOT / "gold" / name, n_resamples=0)
            row = {}
            for key, table in (("entities", report["entities"]["strict"]), ("outcomes", report["outcomes"])):
                micro = table["micro"]
                row[key] = micro["f1"] or 0.0
                for i, field in enumerate(("tp", "fp", "fn")):
                    pooled[key][i] += micro[field]
            per_set[name] = row
    f1 = {key: round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0 for key, (tp, fp, fn) in pooled.items()}
    return {"entity_f1": f1["entities"], "outcome_f1": f1["outcomes"], "per_set": per_set}


# -- the pipelines (each run in its own process by --run NAME) ------------------------------------
def reference_pipeline():  # noqa: ANN201 - a spaCy Language
    import spacy

    from atc_mine.nlp.lexicon import COMPILED_NAME, read_compiled
    from atc_mine.nlp.rules import data_path

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    rulers = {
        False: nlp.add_pipe("entity_ruler", name="lexicon_any_case", config={"phrase_matcher_attr": "LOWER"}),
        True: nlp.add_pipe("entity_ruler", name="lexicon_case_kept", config={"phrase_matcher_attr": "ORTH"}),
    }
    patterns: dict[bool, list[dict[str, str]]] = {False: [], True: []}
    for label, columns in read_compiled(data_path(COMPILED_NAME))["entries"].items():
        for key, flags in zip(columns["keys"], columns["flags"], strict=True):
            patterns[int(flags) & 1 == 1].append({"label": label, "pattern": key})
    with nlp.select_pipes(enable=[]):
        for case_kept, ruler in rulers.items():
            ruler.add_patterns(patterns[case_kept])
    return nlp


def reference_extract(nlp, documents):  # noqa: ANN001, ANN201
    from atc_mine.records import Entity, Extraction

    texts = ((d.text, d) for d in documents)
    for doc, document in nlp.pipe(texts, as_tuples=True, batch_size=64):
        entities = tuple(Entity(e.label_, e.text, e.start_char, e.end_char, e.text.lower()) for e in doc.ents)
        yield Extraction(document.doc_id, document.source, document.text_sha1, entities, ())


def run_pipeline(name: str, documents: int) -> dict[str, Any]:
    started = time.perf_counter()
    if name == "reference":
        nlp = reference_pipeline()

        def extract(docs):  # noqa: ANN001, ANN202
            return reference_extract(nlp, docs)

        timed = documents
    else:
        from atc_mine.nlp.fast import fast_pipeline
        from atc_mine.nlp.pipeline import build_nlp, extract_documents, plain_extract_documents

        nlp = build_nlp()
        chosen = plain_extract_documents if name == "plain" else extract_documents

        def extract(docs):  # noqa: ANN001, ANN202
            return chosen(nlp, docs)

        timed = min(documents, PLAIN_DOCUMENTS) if name == "plain" else documents
    startup = time.perf_counter() - started
    docs = corpus(timed)
    wall, cpu = time.perf_counter(), time.process_time()
    counts = {"entities": 0, "outcomes": 0}
    for extraction in extract(docs):
        counts["entities"] += len(extraction.entities)
        counts["outcomes"] += len(extraction.outcomes)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    result = {
        "pipeline": name,
        "documents": len(docs),
        "startup_s": round(startup, 2),
        "seconds": round(wall, 2),
        "docs_per_s": round(len(docs) / wall, 1),
        "docs_per_cpu_s": round(len(docs) / cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **counts,
    }
    if name == "atc-mine":
        stats = fast_pipeline(nlp).stats
        result["tokenised_share"] = round(stats["tokenised"] / max(1, stats["documents"]), 3)
    result.update(score(extract))
    return result


# -- whole-process measurements ---------------------------------------------------------------------
def atc_mine_command() -> list[str]:
    return [str(Path(sys.executable).with_name("atc-mine"))]


def cold_start(runs: int = 3) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            began = time.perf_counter()
            completed = subprocess.run(
                [*atc_mine_command(), "extract", str(COLD_START_FILE), "--out", f"{tmp}/one.jsonl"],
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - began)
            if completed.returncode:
                raise SystemExit(f"bench: atc-mine extract failed:\n{completed.stderr[-3000:]}")
    return round(statistics.median(times), 2)


def cli_on_baseline_file(path: Path, workers: int) -> dict[str, Any]:
    """``atc-mine extract FILE --workers N``, with the process tree's RSS sampled."""
    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        load = round(os.getloadavg()[0], 2)
        began = time.perf_counter()
        process = subprocess.Popen(
            [*atc_mine_command(), "extract", str(path), "--out", f"{tmp}/out.jsonl", "--workers", str(workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        root = psutil.Process(process.pid)
        samples: list[tuple[float, float]] = []
        while process.poll() is None:
            try:
                tree = [root, *root.children(recursive=True)]
                # PSS: forked workers share the parent's lexicon pages, which RSS counts in each
                total = sum(_pss(p) for p in tree if p.is_running())
                samples.append((time.perf_counter() - began, total / 2**20))
            except psutil.Error:
                pass
            time.sleep(RSS_SAMPLE_S)
        seconds = time.perf_counter() - began
        output = process.stdout.read().decode()
        if process.returncode:
            raise SystemExit(f"bench: atc-mine extract --workers {workers} failed (exit {process.returncode})")
        documents = int(output.split()[0])
    rss = [mb for _, mb in samples]
    quarter = max(1, len(rss) // 4)
    return {
        "file": path.name,
        "workers": workers,
        "load_average_before": load,
        "documents": documents,
        "seconds": round(seconds, 1),
        "docs_per_s": round(documents / seconds, 1),
        "peak_tree_pss_mb": round(max(rss)) if rss else None,
        # flat memory: the tree's RSS over the second quarter of the run vs the last quarter
        "pss_second_quarter_mb": round(statistics.mean(rss[quarter : 2 * quarter])) if len(rss) >= 8 else None,
        "pss_last_quarter_mb": round(statistics.mean(rss[-quarter:])) if len(rss) >= 8 else None,
    }


def _pss(process) -> int:  # noqa: ANN001 - psutil.Process
    try:
        return process.memory_full_info().pss
    except (AttributeError, OSError):
        return process.memory_info().rss


def dask_ratio(files: list[Path]) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from atc_mine.distributed import _warm, extract_baseline
    from atc_mine.settings import Settings

    seconds: dict[int, float] = {}
    task_seconds: dict[int, float] = {}
    load: dict[int, float] = {}
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=True,
            ) as cluster,
            Client(cluster) as client,
            tempfile.TemporaryDirectory() as tmp,
        ):
            client.run(_warm, Settings())  # pipelines built before the clock starts
            load[workers] = round(os.getloadavg()[0], 2)
            runs = []
            for attempt in range(DASK_RUNS):  # the faster run: other jobs share this machine's cores
                began = time.perf_counter()
                report = extract_baseline(files, out_dir=Path(tmp) / str(attempt), client=client)
                runs.append((time.perf_counter() - began, sum(r.seconds for r in report.done)))
            seconds[workers], task_seconds[workers] = min(runs)
            documents = report.documents
    return {
        "files": len(files),
        "documents": documents,
        "seconds_1_worker": round(seconds[1], 1),
        "seconds_2_workers": round(seconds[2], 1),
        "dask_speedup_2v1": round(seconds[1] / seconds[2], 2),
        # the workers' own seconds over all files: equal sums mean the work itself scaled, and a
        # ratio below 2 is cores taken by other jobs (the load average before each phase)
        "task_seconds_1_worker": round(task_seconds[1], 1),
        "task_seconds_2_workers": round(task_seconds[2], 1),
        "load_average_before": {"1 worker": load[1], "2 workers": load[2]},
    }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def run_in_subprocess(name: str, documents: int) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-W", "ignore", __file__, "--run", name, "--documents", str(documents)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(f"bench: {name} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def table(results: dict[str, Any]) -> str:
    ref, plain, atc = (results["pipelines"][k] for k in ("reference", "plain", "atc-mine"))
    cli, cli1, dask = results["cli_workers"], results["cli_one_worker"], results["dask"]
    rows = [
        "| pipeline | documents | docs/s | docs/CPU-s | vs reference | peak RSS (MB) | start-up (s) | entity F1 | outcome F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in (
        ("reference: spaCy blank + sentencizer + EntityRuler", ref),
        ("atc-mine, plain nlp.pipe", plain),
        ("atc-mine (fast path, 1 core)", atc),
    ):
        rows.append(
            f"| {label} | {r['documents']} | {r['docs_per_s']} | {r['docs_per_cpu_s']} | "
            f"{r['docs_per_s'] / ref['docs_per_s']:.2f}x | {r['peak_rss_mb']} | {r['startup_s']} | "
            f"{r['entity_f1']:.3f} | {r['outcome_f1']:.3f} |"
        )
    for run in (cli1, cli):
        rows.append(
            f"| atc-mine extract --workers {run['workers']} (built {run['documents']}-article .xml.gz, parsing "
            f"included) | {run['documents']} | {run['docs_per_s']} | | | {run['peak_tree_pss_mb']} (PSS, all "
            f"processes) | | | |"
        )
    lines = [
        "\n".join(rows),
        "",
        f"cold start (atc-mine extract, one abstract, process start to exit): {results['cold_start_s']} s",
        f"memory over the {cli['documents']}-article file, --workers {cli['workers']}: "
        f"{cli['pss_second_quarter_mb']} MB (2nd quarter) -> {cli['pss_last_quarter_mb']} MB (last quarter), "
        f"all processes; --workers {cli['workers']} vs 1: {results['workers_speedup']}x",
        f"Dask extract-baseline, {dask['files']} built files / {dask['documents']} documents: "
        f"1 worker {dask['seconds_1_worker']} s, 2 workers {dask['seconds_2_workers']} s -> "
        f"{dask['dask_speedup_2v1']}x",
        f"speedup vs reference: {results['speedup']}x wall, {results['speedup_cpu']}x CPU; "
        f"F1 {results['f1']} vs {results['baseline_f1']}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", choices=("reference", "plain", "atc-mine"), help="one pipeline (used internally)")
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=30_000, help="records of the built baseline-format file")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the bench itself")
    parser.add_argument(
        "--dask-only",
        action="store_true",
        help="measure the Dask 2-vs-1 ratio again into the stored results (when other jobs took the cores)",
    )
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(run_pipeline(args.run, args.documents)))
        return 0
    if args.dask_only:
        return remeasure_dask()
    if args.quick:
        args.documents, args.articles = 1000, 2000
    results: dict[str, Any] = {"machine": machine(), "corpus": {"documents": args.documents}}
    print(f"bench: machine {results['machine']}", file=sys.stderr)
    real = real_documents()
    results["corpus"].update(
        {
            "real_documents": len(real),
            "cycles": round(args.documents / len(real), 1),
            "sources": ["corpora/abstracts", baseline_file._medline_file().name],
        }
    )
    (built,) = baseline_file.ensure(args.articles)
    dask_files = baseline_file.ensure(
        DASK_ARTICLES // (10 if args.quick else 1), files=DASK_FILES, out_dir=baseline_file.DATA / "dask"
    )
    results["pipelines"] = {}
    for name in ("reference", "plain", "atc-mine"):
        print(f"bench: {name} ...", file=sys.stderr)
        results["pipelines"][name] = run_in_subprocess(name, args.documents)
        print(f"bench: {json.dumps(results['pipelines'][name])}", file=sys.stderr)
    print("bench: cold start ...", file=sys.stderr)
    results["cold_start_s"] = cold_start()
    print(f"bench: atc-mine extract --workers on {built.name} ...", file=sys.stderr)
    results["cli_one_worker"] = cli_on_baseline_file(built, workers=1)
    results["cli_workers"] = cli_on_baseline_file(built, workers=os.cpu_count() or 1)
    results["workers_speedup"] = round(
        results["cli_workers"]["docs_per_s"] / results["cli_one_worker"]["docs_per_s"], 2
    )
    print("bench: Dask 1 vs 2 workers ...", file=sys.stderr)
    results["dask"] = dask_ratio(dask_files)
    ref, atc = results["pipelines"]["reference"], results["pipelines"]["atc-mine"]
    results.update(
        {
            "docs_per_s": atc["docs_per_s"],
            "baseline_docs_per_s": ref["docs_per_s"],
            "speedup": round(atc["docs_per_s"] / ref["docs_per_s"], 2),
            "speedup_cpu": round(atc["docs_per_cpu_s"] / ref["docs_per_cpu_s"], 2),
            "peak_rss_mb": atc["peak_rss_mb"],
            "f1": atc["entity_f1"],
            "baseline_f1": ref["entity_f1"],
            "outcome_f1": atc["outcome_f1"],
            "dask_speedup_2v1": results["dask"]["dask_speedup_2v1"],
        }
    )
    try:
        from bench.refresh_requests import refresh_request_counts

        began = time.perf_counter()
        results["refresh_request_counts"] = refresh_request_counts()
        results["refresh_request_counts_s"] = round(time.perf_counter() - began, 1)
    except Exception as exc:  # noqa: BLE001 - optional: the bench reports what it could not measure
        results["refresh_request_counts"] = f"not measured: {exc}"
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    if not args.quick:
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nresults -> {RESULTS if not args.quick else '(not written: --quick)'}")
    return 0


def remeasure_dask() -> int:
    """The Dask comparison alone, written into ``bench/results.json`` beside the rest of the run
    (marked with its own time): on a shared two-core machine a job of someone else's during the
    Dask phase halves the 2-worker figure, while the single-core figures are unaffected."""
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    files = baseline_file.ensure(DASK_ARTICLES, files=DASK_FILES, out_dir=baseline_file.DATA / "dask")
    print("bench: Dask 1 vs 2 workers ...", file=sys.stderr)
    results["dask"] = dask_ratio(files) | {"measured": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "separately": True}
    results["dask_speedup_2v1"] = results["dask"]["dask_speedup_2v1"]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results["dask"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
