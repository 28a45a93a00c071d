"""PubMed-scale extraction on a Dask cluster: one task per file, a partition per file, a manifest.

``extract_baseline(files, scheduler=..., out_dir=...)`` sends each input file (a MEDLINE/PubMed
baseline or update file, ``pubmed25n0001.xml.gz`` ... ``pubmed25n1274.xml.gz``, or any file
``atc-mine extract`` reads) to a Dask worker as one task. The worker streams the file, runs the
same extraction as ``atc-mine extract`` (:func:`atc_mine.nlp.pipeline.extract_documents`: the
results are identical) and writes one partition, ``DIR/parts/<file>.parquet`` (or ``.jsonl``),
under a temporary name renamed into place when complete. The client appends a line to
``DIR/manifest.jsonl`` for each file done (size, MD5, counts, seconds, worker, extractor
version); a re-run skips every file the manifest lists with the same name, size, format and
extractor version whose partition is still there, so an interrupted run resumes where it
stopped and a new baseline year only extracts what is new.

``scheduler`` is a Dask scheduler address (``tcp://host:8786``) or ``"local"``: a
``distributed.LocalCluster`` of one single-threaded worker process per core on 127.0.0.1.
The extraction is pure Python under the GIL, so a worker process per core (``--nthreads 1``)
is what scales; every worker needs atc-mine installed and must see the input files and the
output folder at the same paths (a shared filesystem).

Parquet partitions hold one row per document: the extraction contract's fields (``doc_id``,
``source``, ``text_sha1``, ``entities``, ``outcomes`` as nested lists of structs, see
:data:`PARQUET_SCHEMA`) plus ``file`` (the input file's name) and ``deleted`` (a
``DeleteCitation``). JSONL partitions hold the contract's lines, as ``atc-mine extract``
writes them, so ``atc-mine score`` reads either.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atc_mine.errors import AtcMineError, InputError, PatternFileError, RecordParseError, SourceError
from atc_mine.records import Document, Extraction
from atc_mine.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa
    from spacy.language import Language

FORMATS = ("parquet", "jsonl")
MANIFEST_NAME = "manifest.jsonl"
PARTS_DIR = "parts"
#: Documents per Parquet row group: a worker holds at most this many rows in memory
#: (~10 MB for abstracts) while it streams a 30,000-article file.
ROW_GROUP_DOCUMENTS = 2000
#: How long to wait for a remote scheduler to answer before giving up (seconds).
CONNECT_TIMEOUT_S = 30

_WORKER_PIPELINES: dict[Settings, Language] = {}


# -- results ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FileResult:
    """One input file extracted into one partition (a line of the manifest)."""

    file: str
    path: str
    size: int
    md5: str
    format: str
    partition: str
    documents: int
    deleted: int
    entities: int
    outcomes: int
    seconds: float
    worker: str
    extractor_version: str
    finished: str

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.file, self.size, self.format, self.extractor_version)


@dataclass(frozen=True, slots=True)
class FileFailure:
    """A task's own error, sent back as data: Dask's transport of exceptions can turn an
    exception class into a bare ``Exception``, and the CLI must print the named error."""

    file: str
    kind: str
    message: str

    def exception(self) -> AtcMineError:
        kinds = {cls.__name__: cls for cls in (RecordParseError, InputError, PatternFileError)}
        return kinds.get(self.kind, AtcMineError)(self.message)


@dataclass(slots=True)
class BaselineReport:
    """What ``extract_baseline`` did: files extracted now, files skipped as already done."""

    out_dir: Path
    manifest: Path
    done: list[FileResult] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    workers: int = 0
    seconds: float = 0.0

    @property
    def documents(self) -> int:
        return sum(r.documents for r in self.done)


# -- the manifest -------------------------------------------------------------------------------
def read_manifest(out_dir: Path) -> dict[tuple[str, int, str, str], FileResult]:
    """Files done in ``out_dir`` whose partition is still there, by (name, size, format, version).

    A line cut short by a crash is ignored (that file is simply extracted again)."""
    path = out_dir / MANIFEST_NAME
    done: dict[tuple[str, int, str, str], FileResult] = {}
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            result = FileResult(**json.loads(line))
        except (ValueError, TypeError):
            continue
        if (out_dir / result.partition).exists():
            done[result.key] = result
    return done


def _append_manifest(out_dir: Path, result: FileResult) -> None:
    path = out_dir / MANIFEST_NAME
    line = json.dumps(asdict(result), ensure_ascii=False) + "\n"
    if path.exists() and path.stat().st_size:
        with path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            if existing.read(1) != b"\n":
                line = "\n" + line  # a line cut short by a crash stays on its own line
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


# -- partitions ---------------------------------------------------------------------------------
def parquet_schema() -> pa.Schema:
    """One row per document: the extraction contract plus ``file`` and ``deleted``."""
    import pyarrow as pa

    entity = pa.struct(
        [
            ("label", pa.string()),
            ("text", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("norm", pa.string()),
        ]
    )
    outcome = pa.struct(
        [
            ("measure", pa.string()),
            ("percent", pa.float64()),
            ("count", pa.int64()),
            ("denominator", pa.int64()),
            ("value", pa.float64()),
            ("unit", pa.string()),
            ("timepoint", pa.string()),
            ("ci", pa.list_(pa.float64())),
            ("not_reached", pa.bool_()),
            ("drugs", pa.list_(pa.string())),
            ("trial", pa.string()),
            ("cohort", pa.string()),
            ("subgroup", pa.string()),
            ("sentence", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
        ]
    )
    return pa.schema(
        [
            ("doc_id", pa.string()),
            ("source", pa.string()),
            ("text_sha1", pa.string()),
            ("entities", pa.list_(entity)),
            ("outcomes", pa.list_(outcome)),
            ("file", pa.string()),
            ("deleted", pa.bool_()),
        ]
    )


class _PartitionWriter:
    """Writes one partition under a temporary name; ``commit`` renames it into place."""

    def __init__(self, path: Path, fmt: str, file_name: str) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.fmt = fmt
        self.file_name = file_name
        self.rows: list[dict[str, Any]] = []
        self._writer: Any = None
        self._handle: Any = None
        if fmt == "parquet":
            import pyarrow.parquet as pq

            self._schema = parquet_schema()
            self._writer = pq.ParquetWriter(self.tmp, self._schema, compression="zstd")
        else:
            self._handle = self.tmp.open("w", encoding="utf-8")

    def write(self, document: Document, extraction: Extraction) -> None:
        data = extraction.to_json()
        if self._handle is not None:
            self._handle.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        data["file"] = self.file_name
        data["deleted"] = document.deleted
        self.rows.append(data)
        if len(self.rows) >= ROW_GROUP_DOCUMENTS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self._writer.write_table(pa.Table.from_pylist(self.rows, schema=self._schema))
            self.rows = []

    def commit(self) -> None:
        if self._writer is not None:
            self._flush()
            self._writer.close()
        else:
            self._handle.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
            elif self._handle is not None:
                self._handle.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def read_partitions(out_dir: str | Path) -> Iterator[Extraction]:
    """Every extraction of an ``extract_baseline`` output folder, in manifest order."""
    out_dir = Path(out_dir)
    results = sorted(read_manifest(out_dir).values(), key=lambda r: r.partition)
    for result in results:
        path = out_dir / result.partition
        if result.format == "jsonl":
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    yield Extraction.from_json(json.loads(line))
        else:
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches():
                for row in batch.to_pylist():
                    yield Extraction.from_json(row)


# -- the task -----------------------------------------------------------------------------------
def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def worker_pipeline(settings: Settings) -> Language:
    """The pipeline of this worker process, built once per settings."""
    nlp = _WORKER_PIPELINES.get(settings)
    if nlp is None:
        from atc_mine.nlp.pipeline import build_nlp

        nlp = _WORKER_PIPELINES[settings] = build_nlp(settings)
    return nlp


def _extract_pairs(nlp: Language, documents: Iterable[Document]) -> Iterator[tuple[Document, Extraction]]:
    """(document, extraction) in order; a queue pairs them whatever the pipeline buffers."""
    from atc_mine.nlp.pipeline import extract_documents

    queue: deque[Document] = deque()

    def fed() -> Iterator[Document]:
        for document in documents:
            queue.append(document)
            yield document

    for extraction in extract_documents(nlp, fed()):
        yield queue.popleft(), extraction


def partition_name(path: Path, fmt: str) -> str:
    """``parts/pubmed25n0001.parquet`` for ``pubmed25n0001.xml.gz``."""
    stem = path.name
    for suffix in (".gz", ".xml", ".json", ".txt"):
        stem = stem.removesuffix(suffix)
    return f"{PARTS_DIR}/{stem}.{fmt}"


def extract_file(path: str, kind: str, out_dir: str, fmt: str, settings: Settings) -> FileResult | FileFailure:
    """The task: extract one input file into one partition of ``out_dir`` (runs on a worker).
    A malformed input comes back as a :class:`FileFailure`."""
    try:
        return _extract_file(path, kind, out_dir, fmt, settings)
    except AtcMineError as exc:
        return FileFailure(Path(path).name, type(exc).__name__, str(exc))


def _extract_file(path: str, kind: str, out_dir: str, fmt: str, settings: Settings) -> FileResult:
    from atc_mine.nlp.pipeline import EXTRACTOR_VERSION
    from atc_mine.sources import InputFile, iter_file_documents

    started = time.perf_counter()
    source = Path(path)
    partition = partition_name(source, fmt)
    target = Path(out_dir) / partition
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp = worker_pipeline(settings)
    counts = {"documents": 0, "deleted": 0, "entities": 0, "outcomes": 0}
    writer = _PartitionWriter(target, fmt, source.name)
    try:
        for document, extraction in _extract_pairs(nlp, iter_file_documents(InputFile(source, kind))):
            writer.write(document, extraction)
            counts["documents"] += 1
            counts["deleted"] += document.deleted
            counts["entities"] += len(extraction.entities)
            counts["outcomes"] += len(extraction.outcomes)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return FileResult(
        file=source.name,
        path=str(source),
        size=source.stat().st_size,
        md5=_md5(source),
        format=fmt,
        partition=partition,
        seconds=round(time.perf_counter() - started, 3),
        worker=f"{socket.gethostname()}:{os.getpid()}",
        extractor_version=EXTRACTOR_VERSION,
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        **counts,
    )


def _warm(settings: Settings) -> str:
    """Build the worker's pipeline before the first task (and fail early where atc-mine or its
    data is missing on a worker)."""
    worker_pipeline(settings)
    return "ready"


# -- the client ---------------------------------------------------------------------------------
def _connect(scheduler: str, workers: int | None) -> tuple[Any, Any]:
    """(client, the LocalCluster it runs on or None for a remote scheduler)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a dependency
        raise InputError(f"Dask distributed is not installed ({exc})") from None
    if scheduler == "local":
        from atc_mine.parallel import available_cores

        cluster = LocalCluster(
            n_workers=workers or available_cores(),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=True,
        )
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S), None
    except (OSError, TimeoutError) as exc:
        raise SourceError(f"cannot reach the Dask scheduler at {scheduler}: {exc}", url=scheduler) from None


def _input_files(files: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Readable input files (folders expanded), absolute, each name once."""
    from atc_mine.sources import plan_inputs

    plan = plan_inputs(files)
    seen: dict[str, Path] = {}
    result = []
    for item in plan.files:
        path = item.path.resolve()
        if path.name in seen and seen[path.name] != path:
            raise InputError(
                f"two input files are named {path.name} ({seen[path.name]}, {path}): partitions would clash"
            )
        seen[path.name] = path
        result.append((path, item.kind))
    return result


def extract_baseline(
    files: Iterable[str | Path],
    *,
    out_dir: str | Path,
    scheduler: str = "local",
    fmt: str = "parquet",
    settings: Settings | None = None,
    workers: int | None = None,
    progress: Callable[[FileResult], None] | None = None,
    client: Any = None,
) -> BaselineReport:
    """Extract every file as one Dask task into ``out_dir`` (see the module docstring).

    ``scheduler``: a scheduler address, or ``"local"`` for a LocalCluster of ``workers``
    processes (default: one per core); ``client``: a connected ``distributed.Client`` to use
    instead (left open). Files the manifest lists as done are skipped. A file that cannot be
    read does not stop the others: once all are done its error is raised (the first by name,
    with a count of the rest; ``error.report`` holds the :class:`BaselineReport`).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown partition format {fmt!r} (choose from {', '.join(FORMATS)})")
    from atc_mine.nlp.pipeline import EXTRACTOR_VERSION

    settings = settings or Settings()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    report = BaselineReport(out_dir=out, manifest=out / MANIFEST_NAME)
    done = read_manifest(out)
    todo = []
    for path, kind in _input_files(files):
        previous = done.get((path.name, path.stat().st_size, fmt, EXTRACTOR_VERSION))
        if previous is not None:
            report.skipped.append(previous)
        else:
            todo.append((path, kind))
    if not todo:
        return report
    started = time.perf_counter()
    own = client is None
    cluster = None
    if own:
        client, cluster = _connect(scheduler, workers)
    try:
        from distributed import as_completed

        try:
            client.run(_warm, settings)
        except ImportError as exc:
            raise AtcMineError(f"a Dask worker cannot import atc-mine ({exc}): install it on every worker") from None
        report.workers = len(client.scheduler_info(n_workers=-1)["workers"])
        run = uuid.uuid4().hex[:12]  # a key per run: a client still holding an earlier run's key would reuse its result
        futures = [
            client.submit(
                extract_file, str(path), kind, str(out), fmt, settings, key=f"atc-extract-{path.name}-{run}", pure=False
            )
            for path, kind in todo
        ]
        for future in as_completed(futures):
            result = future.result()
            if isinstance(result, FileFailure):
                report.failed.append(result)
                continue
            _append_manifest(out, result)
            report.done.append(result)
            if progress is not None:
                progress(result)
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()
    report.done.sort(key=lambda r: r.partition)
    report.seconds = round(time.perf_counter() - started, 3)
    if report.failed:
        first = min(report.failed, key=lambda f: f.file)
        error = first.exception()
        if len(report.failed) > 1:
            others = ", ".join(sorted(f.file for f in report.failed if f is not first))
            error = type(error)(f"{error} (and {len(report.failed) - 1} more files failed: {others})")
        error.report = report  # type: ignore[attr-defined]  (what did finish, for a caller that wants it)
        raise error
    return report
