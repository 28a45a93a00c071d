"""Shared fixtures: one spaCy pipeline per session, an in-memory evidence base, the
recorded corpus, and a guard that fails any test trying to reach the network (only
127.0.0.1 is allowed, for the local test servers)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

#: Evidence bases for the export and curation tests: real corpus documents, a hostile fixture.
pytest_plugins = ("tests.export.fixtures",)

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
GOLD = ROOT / "gold"

_TEST_CACHE: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """A cache directory of the session's own (subprocesses inherit it): the tests never
    read or write the user's ~/.cache/atc-mine (see :mod:`atc_mine.nlp.lexicon_cache`)."""
    global _TEST_CACHE
    if "ATC_MINE_CACHE_DIR" not in os.environ:
        _TEST_CACHE = tempfile.mkdtemp(prefix="atc-mine-test-cache-")
        os.environ["ATC_MINE_CACHE_DIR"] = _TEST_CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    if _TEST_CACHE is not None:
        shutil.rmtree(_TEST_CACHE, ignore_errors=True)
        os.environ.pop("ATC_MINE_CACHE_DIR", None)


_real_connect = socket.socket.connect
_real_create_connection = socket.create_connection


def _is_local(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and host in {"127.0.0.1", "localhost", "::1"} or not isinstance(address, tuple)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def guarded_connect(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return _real_connect(self, address)

    def guarded_create_connection(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        if not _is_local(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return _real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", guarded_create_connection)


@pytest.fixture(scope="session")
def nlp():
    from atc_mine.nlp.pipeline import build_nlp

    return build_nlp()


@pytest.fixture()
def store():
    from atc_mine.store import Store

    with Store(":memory:") as db:
        yield db


@pytest.fixture(scope="session")
def corpora() -> Path:
    return CORPORA


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    return GOLD


@pytest.fixture()
def local_sources():
    """The misbehaving local E-utilities + ClinicalTrials.gov server (tests/testserver.py), on 127.0.0.1."""
    from tests.testserver import local_sources as serve

    with serve() as sources:
        yield sources


@pytest.fixture()
def retry_waits() -> list[float]:
    """The waits a :func:`fast_retry` policy was asked to sleep (it does not sleep them)."""
    return []


@pytest.fixture()
def fast_retry(retry_waits):
    """Four attempts, millisecond backoff, and no real sleeping: waits go to ``retry_waits``."""
    from atc_mine.sources.http import RetryPolicy

    return RetryPolicy(attempts=4, backoff_s=0.01, max_backoff_s=0.05, sleep=retry_waits.append)


def text_of(path: Path) -> str:
    """A document's text as atc-mine reads it: UTF-8 bytes, no newline translation."""
    return path.read_bytes().decode("utf-8")
