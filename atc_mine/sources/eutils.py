"""NCBI E-utilities client for PubMed: ESearch on the history server, EFetch in batches.

What it implements, from the Entrez Programming Utilities Help (NCBI Bookshelf):

- NBK25497, "A General Introduction to the E-utilities": the usage guidelines (no more than
  3 requests per second without an API key, 10 with one, passed as ``api_key``; identify
  the software with ``tool`` (no spaces) and a contact ``email``); the Entrez history server
  (``usehistory=y`` keeps a result set under a ``WebEnv`` + ``query_key`` for later
  ``efetch`` calls); HTTP POST for long UID lists (more than about 200 UIDs); the JSON error
  body sent when the rate is exceeded (``{"error":"API rate limit exceeded","count":"11"}``,
  also with HTTP 429).
- NBK25499, "The E-utilities In-Depth": ESearch ``term``, ``retstart``/``retmax`` (at most
  10,000 UIDs per call; PubMed will not page past the first 10,000), ``datetype``
  (``edat`` entry date, ``pdat`` publication date, ``mdat`` modification date) with
  ``mindate``/``maxdate`` in ``YYYY/MM/DD``, both required together; EFetch
  ``db=pubmed&retmode=xml`` by ``WebEnv``/``query_key`` + ``retstart``/``retmax`` (up to 10,000
  records per request) or by ``id`` (comma-separated).

Errors arrive in more ways than HTTP statuses, so every answer is checked: an ``<ERROR>``
element in the XML, a ``{"error": ...}`` JSON object, or an HTML page, all with status 200,
and XML cut short. A body worth asking again for (rate limit, a backend hiccup, an HTML
maintenance page, truncated XML) is retried by :mod:`atc_mine.sources.http`; one that is not
becomes :class:`~atc_mine.errors.UpstreamError`; an expired ``WebEnv`` is
:class:`HistoryExpired`, which the caller answers by searching again. ``<ErrorList>`` with
``PhraseNotFound`` is not an error: it is how ESearch says "no hits for this phrase".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import requests
from lxml import etree

from atc_mine.errors import RecordParseError, UpstreamError
from atc_mine.records import Document
from atc_mine.settings import DEFAULT_EUTILS_URL, Settings
from atc_mine.sources.http import (
    HttpClient,
    RateLimiter,
    RequestStats,
    Response,
    RetryPolicy,
    Transient,
    html_title,
    json_error_message,
    looks_like_html,
    shared_limiter,
    snippet,
)
from atc_mine.sources.pubmed import parse_pubmed_bytes

log = logging.getLogger(__name__)

#: Records per EFetch: NBK25499 allows 10,000; 500 keeps one batch (one transaction of the
#: evidence base) to a few MB of XML and bounds what a crash can make us fetch again.
DEFAULT_BATCH_SIZE = 500
#: NBK25499: ESearch returns at most 10,000 UIDs per call, and PubMed no more than its first 10,000.
ESEARCH_MAX_IDS = 10_000
#: NBK25497 "Usage Guidelines and Requirements": requests per second without / with an API key.
RATE_WITHOUT_KEY = 3.0
RATE_WITH_KEY = 10.0
DATE_TYPES = ("edat", "pdat", "mdat")

#: <ERROR>/{"error"} messages a later attempt may not get (lower-case fragments): NCBI's rate
#: limit answer (NBK25497) and the backend failures its front end reports under load.
TRANSIENT_MESSAGES = ("api rate limit exceeded", "search backend failed", "temporarily unavailable", "try again")
#: The message of an EFetch against a WebEnv the history server has dropped (as users report it).
HISTORY_EXPIRED_MESSAGES = ("unable to obtain query",)


class HistoryExpired(UpstreamError):
    """The history server no longer holds this ``WebEnv``/``query_key``: search again."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One ESearch answer: the hit count, the first UIDs, and where the full set is kept."""

    term: str
    count: int
    ids: tuple[str, ...]
    webenv: str | None
    query_key: str | None
    query_translation: str | None = None
    warnings: tuple[str, ...] = ()
    datetype: str | None = None
    mindate: str | None = None
    maxdate: str | None = None

    @property
    def ids_complete(self) -> bool:
        """Whether ``ids`` lists the whole result set (so already-stored UIDs can be skipped)."""
        return len(self.ids) >= self.count


@dataclass(frozen=True, slots=True)
class FetchBatch:
    """The documents of one EFetch, and what was asked for."""

    documents: tuple[Document, ...]
    #: PMIDs asked for by ``id`` (None for a history-server batch).
    requested: tuple[str, ...] | None = None
    #: Position in the history set (None for an ``id`` batch).
    retstart: int | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """PMIDs asked for that did not come back (withdrawn or not yet public)."""
        if self.requested is None:
            return ()
        got = {d.doc_id for d in self.documents}
        return tuple(p for p in self.requested if p not in got)


def eutils_date(value: date | str | None) -> str | None:
    """``YYYY/MM/DD`` as ESearch's ``mindate``/``maxdate`` want (NBK25499)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    return value.replace("-", "/")


class EutilsClient:
    """PubMed through E-utilities. Keyword-only settings; a context manager.

    >>> with EutilsClient(api_key=os.environ.get("NCBI_API_KEY"), email="me@example.org") as client:
    ...     result = client.esearch('"anaplastic thyroid"[tiab]', mindate="2025/01/01", maxdate="2025/12/31")
    ...     for batch in client.fetch_batches(result):
    ...         ...
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_EUTILS_URL,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "atc-mine",
        timeout: float | tuple[float, float] = 30.0,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        rate: float | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        db: str = "pubmed",
    ) -> None:
        if not tool or any(c.isspace() for c in tool):
            raise ValueError("tool must be a non-empty string without spaces (NBK25497)")
        if not 1 <= batch_size <= ESEARCH_MAX_IDS:
            raise ValueError(f"batch_size must be between 1 and {ESEARCH_MAX_IDS} (NBK25499)")
        self.api_key = api_key or None
        self.email = email or None
        if self.email is None:
            log.info("E-utilities: no contact email set (ATC_MINE_EMAIL or --email); NCBI asks tools to send one")
        self.tool = tool
        self.db = db
        self.batch_size = batch_size
        if limiter is None:
            host = urlsplit(base_url).netloc
            limiter = shared_limiter(f"eutils:{host}", rate or (RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY))
        self.http = HttpClient(
            base_url=base_url, name="E-utilities", timeout=timeout, session=session, retry=retry, limiter=limiter
        )

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> EutilsClient:
        options: dict[str, Any] = {
            "base_url": settings.eutils_url,
            "api_key": settings.ncbi_api_key,
            "email": settings.email,
            "tool": settings.tool,
            "timeout": settings.timeout_s,
        }
        options.update(overrides)
        return cls(**options)

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def stats(self) -> RequestStats:
        return self.http.stats

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _common(self) -> dict[str, str]:
        params = {"db": self.db, "tool": self.tool}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        return params

    # -- ESearch -------------------------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        mindate: date | str | None = None,
        maxdate: date | str | None = None,
        datetype: str = "edat",
        retmax: int = ESEARCH_MAX_IDS,
    ) -> SearchResult:
        """Search and keep the result set on the history server (``usehistory=y``).

        ``retmax`` UIDs come back in the answer too (up to 10,000): with them the caller can
        skip records it already holds without fetching them.
        """
        if not term or not term.strip():
            raise ValueError("an empty search term")
        if datetype not in DATE_TYPES:
            raise ValueError(f"datetype must be one of {', '.join(DATE_TYPES)}")
        if (mindate is None) != (maxdate is None):
            raise ValueError("mindate and maxdate go together (NBK25499)")
        params = self._common() | {
            "term": term,
            "usehistory": "y",
            "retstart": "0",
            "retmax": str(min(max(retmax, 0), ESEARCH_MAX_IDS)),
        }
        if mindate is not None:
            params |= {"datetype": datetype, "mindate": eutils_date(mindate), "maxdate": eutils_date(maxdate)}
        # Long queries (many OR'ed synonyms) go by POST, as NBK25497 advises for long URLs.
        send = self.http.post if len(term) > 1500 else self.http.get
        kwargs = {"data": params} if send == self.http.post else {"params": params}
        root = send("esearch.fcgi", check=lambda r: _xml_root(r, "eSearchResult"), **kwargs)
        count = int(root.findtext("Count") or 0)
        warnings = tuple(
            f"{child.tag}: {(child.text or '').strip()}"
            for container in ("ErrorList", "WarningList")
            for child in root.iterfind(f"{container}/*")
        )
        return SearchResult(
            term=term,
            count=count,
            ids=tuple(i.text.strip() for i in root.iterfind("IdList/Id") if i.text),
            webenv=root.findtext("WebEnv"),
            query_key=root.findtext("QueryKey"),
            query_translation=root.findtext("QueryTranslation"),
            warnings=warnings,
            datetype=datetype if mindate is not None else None,
            mindate=eutils_date(mindate),
            maxdate=eutils_date(maxdate),
        )

    # -- EFetch --------------------------------------------------------------------------
    def efetch_history(self, result: SearchResult, *, retstart: int, retmax: int | None = None) -> list[Document]:
        """One batch of the result set from the history server."""
        if not result.webenv or not result.query_key:
            raise UpstreamError("E-utilities esearch.fcgi: the answer held no WebEnv/query_key (usehistory=y)")
        params = self._common() | {
            "WebEnv": result.webenv,
            "query_key": result.query_key,
            "retstart": str(retstart),
            "retmax": str(retmax or self.batch_size),
            "retmode": "xml",
        }
        documents = self.http.get("efetch.fcgi", params=params, check=_efetch_documents)
        expected = min(retmax or self.batch_size, max(result.count - retstart, 0))
        if len(documents) < expected:
            log.warning("efetch retstart=%d: %d of %d records came back", retstart, len(documents), expected)
        return documents

    def efetch_ids(self, ids: Sequence[str]) -> list[Document]:
        """Records by PMID, by POST (NBK25497: POST for more than about 200 UIDs; fine for fewer)."""
        ids = [i.strip() for i in ids if i and i.strip()]
        if not ids:
            return []
        if len(ids) > ESEARCH_MAX_IDS:
            raise ValueError(f"at most {ESEARCH_MAX_IDS} ids per EFetch (NBK25499)")
        data = self._common() | {"id": ",".join(ids), "retmode": "xml"}
        return self.http.post("efetch.fcgi", data=data, check=_efetch_documents)

    def fetch_ids(self, ids: Iterable[str]) -> Iterator[FetchBatch]:
        """Explicit PMIDs, ``batch_size`` per POST."""
        ids = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        for start in range(0, len(ids), self.batch_size):
            chunk = tuple(ids[start : start + self.batch_size])
            batch = FetchBatch(tuple(self.efetch_ids(chunk)), requested=chunk)
            if batch.missing:
                log.warning("efetch: %d requested PMIDs did not come back: %s", len(batch.missing), batch.missing[:10])
            yield batch

    def fetch_batches(self, result: SearchResult, *, skip: Iterable[str] = ()) -> Iterator[FetchBatch]:
        """The records of a search, ``batch_size`` at a time, leaving out PMIDs in ``skip``.

        When the answer listed every UID and some are to be skipped, only the others are
        fetched, by POSTed id lists; otherwise the whole set comes from the history server
        by ``retstart``/``retmax``. Either way, ``ceil(n / batch_size)`` requests for ``n`` records.
        """
        if result.count == 0:
            return
        skip = set(skip)
        if result.ids_complete and skip.intersection(result.ids):
            yield from self.fetch_ids([i for i in result.ids if i not in skip])
            return
        for retstart in range(0, result.count, self.batch_size):
            documents = self.efetch_history(result, retstart=retstart)
            yield FetchBatch(tuple(documents), retstart=retstart)


# -- checks: turn an answer into data, or say why not ---------------------------------------
def _classify_message(message: str, response: Response, where: str) -> Exception:
    lowered = message.lower()
    if any(m in lowered for m in HISTORY_EXPIRED_MESSAGES):
        return HistoryExpired(
            f"E-utilities {where}: {message} (the history server dropped the WebEnv) ({response.url})",
            url=response.url,
            status=response.status,
        )
    if "rate limit" in lowered:
        return Transient(f"{message} (status {response.status})", status=429)
    if any(m in lowered for m in TRANSIENT_MESSAGES):
        return Transient(message)
    return UpstreamError(f"E-utilities {where}: {message} ({response.url})", url=response.url, status=response.status)


def _screen(response: Response, where: str) -> None:
    """Error bodies that are not the XML asked for: JSON errors, HTML pages, nothing."""
    if not response.content.strip():
        raise Transient("empty body")
    message = json_error_message(response.content)
    if message is not None:
        raise _classify_message(message, response, where)
    if looks_like_html(response.content):
        title = html_title(response.content)
        raise Transient(f"an HTML page instead of XML{f' ({title})' if title else ''}")


def _error_element(root: etree._Element, response: Response, where: str) -> None:
    error = root.findtext("ERROR")
    if error is None and root.tag == "ERROR":
        error = root.text or ""
    if error is not None:
        raise _classify_message(" ".join(error.split()) or "an empty <ERROR>", response, where)


def _xml_root(response: Response, expected: str) -> etree._Element:
    where = response.url.split("?")[0].rsplit("/", 1)[-1]
    _screen(response, where)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        root = etree.fromstring(response.content, parser)
    except etree.XMLSyntaxError as exc:
        raise Transient(f"truncated or malformed XML ({exc.msg})") from None
    _error_element(root, response, where)
    if root.tag != expected:
        raise UpstreamError(
            f"E-utilities {where}: expected <{expected}>, got <{root.tag}>: {snippet(response.content)} ({response.url})",
            url=response.url,
            status=response.status,
        )
    return root


def _efetch_documents(response: Response) -> list[Document]:
    _screen(response, "efetch.fcgi")
    head = response.content[:4096]
    if b"<eFetchResult" in head or b"<ERROR>" in head:
        _xml_root(response, "PubmedArticleSet")  # raises the error it holds
    try:
        return parse_pubmed_bytes(response.content, name="efetch.fcgi")
    except RecordParseError as exc:
        if "malformed XML" in str(exc):
            raise Transient("truncated or malformed XML") from None
        if "not a PubMed article set" in str(exc):
            raise UpstreamError(
                f"E-utilities efetch.fcgi: {exc} ({response.url})", url=response.url, status=response.status
            ) from None
        raise


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ESEARCH_MAX_IDS",
    "EutilsClient",
    "FetchBatch",
    "HistoryExpired",
    "SearchResult",
    "eutils_date",
]
