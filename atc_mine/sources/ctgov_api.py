"""ClinicalTrials.gov API v2 client: ``/studies`` search pages and ``/studies/{nctId}``.

What it implements, from the ClinicalTrials.gov Data API documentation
(https://clinicaltrials.gov/data-api/api, OpenAPI spec version 2.0.x; the classic API was
retired in 2024):

- ``GET /studies``: ``query.cond`` (conditions), ``query.term`` (other terms),
  ``query.intr`` (interventions), all in Essie expression syntax; ``filter.advanced``, an Essie
  expression that filters without ranking, here ``AREA[LastUpdatePostDate]RANGE[2025-01-31,MAX]``
  for "updated on or after"; ``sort`` (the API does not sort by default "for a performance
  reason"; ``LastUpdatePostDate:asc`` is asked for so pages come oldest update first);
  ``pageSize`` (default 10, at most 1000); ``pageToken``, the previous page's
  ``nextPageToken`` ("The last page will not contain nextPageToken. A page may have empty
  studies array."; "Request for each subsequent page must have the same parameters as for the
  first page, except countTotal, pageSize, and pageToken"); ``countTotal=true`` for
  ``totalCount`` on the first page; ``format=json``.
- ``GET /studies/{nctId}``: one study (404 when there is none).
- Errors: HTTP 400 for a bad request, an expired or foreign ``pageToken`` among them; a token
  is only good for a while, so paging that stalls mid-way must start again
  (:class:`PageTokenExpired`).

No rate limit is published. :data:`DEFAULT_RATE` keeps to the site's robots.txt
``Crawl-delay: 1`` and below the ~50 requests/minute third-party guides report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from atc_mine.errors import RecordParseError, UpstreamError
from atc_mine.records import Document
from atc_mine.settings import DEFAULT_CTGOV_URL, Settings
from atc_mine.sources.ctgov import NCT_ID, study_document
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

#: Studies per page: full records with results run to ~100 kB each, so 100 keeps a page (and one
#: transaction of the evidence base) to a few MB; the API allows up to 1000.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
#: Requests per second: robots.txt's Crawl-delay of 1 s (no API limit is published).
DEFAULT_RATE = 1.0
#: Oldest update first, so a page's last study marks how far an incremental pull got.
SORT_BY_UPDATE = "LastUpdatePostDate:asc"


class PageTokenExpired(UpstreamError):
    """CT.gov refused a ``pageToken`` (expired or foreign): page again from the first page."""


@dataclass(frozen=True, slots=True)
class CtgovQuery:
    """The search parameters of ``/studies`` (Essie expressions); at least one is needed."""

    cond: str | None = None
    term: str | None = None
    intr: str | None = None
    advanced: str | None = None

    def __post_init__(self) -> None:
        if not any(v and v.strip() for v in (self.cond, self.term, self.intr, self.advanced)):
            raise ValueError("a ClinicalTrials.gov query needs query.cond, query.term, query.intr or filter.advanced")

    @classmethod
    def from_params(cls, params: dict[str, str]) -> CtgovQuery:
        known = {"query.cond": "cond", "query.term": "term", "query.intr": "intr", "filter.advanced": "advanced"}
        unknown = set(params) - set(known)
        if unknown:
            raise ValueError(f"unknown ClinicalTrials.gov query parameters: {sorted(unknown)}")
        return cls(**{known[k]: v for k, v in params.items()})

    def params(self) -> dict[str, str]:
        pairs = {"query.cond": self.cond, "query.term": self.term, "query.intr": self.intr}
        return {k: " ".join(v.split()) for k, v in pairs.items() if v and v.strip()}

    def key(self) -> str:
        """A stable text for this query: the name its watermark is kept under."""
        data = self.params()
        if self.advanced:
            data["filter.advanced"] = " ".join(self.advanced.split())
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


def updated_since_filter(since: date | str) -> str:
    """``AREA[LastUpdatePostDate]RANGE[since,MAX]``: updates posted on or after ``since``."""
    day = since.isoformat() if isinstance(since, date) else str(since)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        raise ValueError(f"not an ISO date: {day!r}")
    return f"AREA[LastUpdatePostDate]RANGE[{day},MAX]"


@dataclass(frozen=True, slots=True)
class StudiesPage:
    documents: tuple[Document, ...]
    next_page_token: str | None
    total_count: int | None = None

    @property
    def last_update(self) -> str | None:
        """The latest ``LastUpdatePostDate`` on the page (ISO date)."""
        dates = [d.source_version for d in self.documents if d.source_version]
        return max(dates) if dates else None


class CtgovClient:
    """ClinicalTrials.gov API v2. Keyword-only settings; a context manager."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_CTGOV_URL,
        timeout: float | tuple[float, float] = 30.0,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        rate: float = DEFAULT_RATE,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.page_size = page_size
        if limiter is None:
            limiter = shared_limiter(f"ctgov:{urlsplit(base_url).netloc}", rate)
        self.http = HttpClient(
            base_url=base_url, name="ClinicalTrials.gov", timeout=timeout, session=session, retry=retry, limiter=limiter
        )

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> CtgovClient:
        options: dict[str, Any] = {"base_url": settings.ctgov_url, "timeout": settings.timeout_s}
        options.update(overrides)
        return cls(**options)

    @property
    def stats(self) -> RequestStats:
        return self.http.stats

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CtgovClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------
    def search_params(self, query: CtgovQuery, *, updated_since: date | str | None = None) -> dict[str, str]:
        """The parameters of every page of one search (all pages must repeat them)."""
        params = query.params() | {"format": "json", "sort": SORT_BY_UPDATE}
        filters = [f"({query.advanced})" if query.advanced else None]
        if updated_since is not None:
            filters.append(updated_since_filter(updated_since))
        advanced = " AND ".join(f for f in filters if f)
        if advanced:
            params["filter.advanced"] = advanced
        return params

    def studies_page(
        self,
        query: CtgovQuery,
        *,
        updated_since: date | str | None = None,
        page_token: str | None = None,
        count_total: bool = False,
    ) -> StudiesPage:
        """One page of ``/studies``."""
        params = self.search_params(query, updated_since=updated_since) | {"pageSize": str(self.page_size)}
        if page_token:
            params["pageToken"] = page_token
        if count_total:
            params["countTotal"] = "true"
        on_status = _page_token_refused if page_token else None
        return self.http.get("studies", params=params, check=_studies_page, on_status=on_status)

    def iter_pages(self, query: CtgovQuery, *, updated_since: date | str | None = None) -> Iterator[StudiesPage]:
        """Every page of a search, following ``nextPageToken`` to the end."""
        token: str | None = None
        first = True
        while True:
            page = self.studies_page(query, updated_since=updated_since, page_token=token, count_total=first)
            first = False
            yield page
            token = page.next_page_token
            if not token:
                return

    def study(self, nct_id: str) -> Document:
        """One study by NCT ID (``/studies/{nctId}``)."""
        nct_id = nct_id.strip().upper()
        if not NCT_ID.match(nct_id):
            raise ValueError(f"not an NCT ID: {nct_id!r}")
        return self.http.get(f"studies/{quote(nct_id)}", params={"format": "json"}, check=_single_study)


# -- checks -----------------------------------------------------------------------------------
def _json_body(response: Response) -> Any:
    if not response.content.strip():
        raise Transient("empty body")
    if looks_like_html(response.content):
        title = html_title(response.content)
        raise Transient(f"an HTML page instead of JSON{f' ({title})' if title else ''}")
    try:
        data = json.loads(response.content.decode("utf-8"))
    except UnicodeDecodeError:
        raise Transient("a body that is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise Transient(f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    message = json_error_message(response.content)
    if message is not None:
        raise UpstreamError(f"ClinicalTrials.gov: {message} ({response.url})", url=response.url, status=response.status)
    return data


def _studies_page(response: Response) -> StudiesPage:
    data = _json_body(response)
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise UpstreamError(
            f"ClinicalTrials.gov studies: not a /studies page: {snippet(response.content)} ({response.url})",
            url=response.url,
            status=response.status,
        )
    try:
        documents = tuple(study_document(s, name=response.url) for s in data["studies"])
    except RecordParseError as exc:
        raise UpstreamError(f"ClinicalTrials.gov studies: {exc}", url=response.url, status=response.status) from None
    total = data.get("totalCount")
    return StudiesPage(documents, data.get("nextPageToken") or None, int(total) if isinstance(total, int) else None)


def _single_study(response: Response) -> Document:
    data = _json_body(response)
    try:
        return study_document(data, name=response.url)
    except RecordParseError as exc:
        raise UpstreamError(f"ClinicalTrials.gov study: {exc}", url=response.url, status=response.status) from None


def _page_token_refused(response: Response) -> Exception | None:
    if response.status == 400:
        return PageTokenExpired(
            f"ClinicalTrials.gov studies: pageToken refused (HTTP 400: {snippet(response.content)}) ({response.url})",
            url=response.url,
            status=400,
        )
    return None


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "CtgovClient",
    "CtgovQuery",
    "PageTokenExpired",
    "StudiesPage",
    "updated_since_filter",
]
