"""Shared HTTP for the remote sources: one client shape, pacing, retries, error bodies.

Every request to E-utilities or ClinicalTrials.gov goes through :class:`HttpClient`, a thin
layer over an injectable :class:`requests.Session` (the shape of requests' own ``Session``:
keyword-only settings, a context manager, an explicit timeout on every call). It adds, and
nothing more:

- **Pacing.** A :class:`RateLimiter` shared by every client of the same service in the
  process (:func:`shared_limiter`), so two clients cannot together exceed what NCBI allows
  (NBK25497, "Usage Guidelines and Requirements": no more than 3 requests per second
  without an API key, 10 with one). Each attempt, retries included, takes a slot.
- **Retries on what is retryable only.** Connection errors (refused, reset), timeouts,
  bodies cut short, HTTP 429/500/502/503/504, and bodies that a ``check`` callable calls
  transient (an HTML maintenance page or truncated XML sent with status 200). Exponential
  backoff with full jitter (tenacity's ``wait_random_exponential``), never shorter than the
  server's ``Retry-After`` (RFC 9110 section 10.2.3: seconds or an HTTP date). A
  ``Retry-After`` longer than :attr:`RetryPolicy.max_retry_after_s` is not waited out: the
  request fails at once with :class:`~atc_mine.errors.RateLimited`.
- **Translation at the boundary.** requests/urllib3 exceptions never leave this module;
  what leaves is :class:`~atc_mine.errors.SourceError` (no answer),
  :class:`~atc_mine.errors.UpstreamError` (an error answer, with ``.url`` and ``.status``) or
  :class:`~atc_mine.errors.RateLimited`, each with a one-line message naming the service,
  the endpoint, what went wrong, how many attempts were made and the URL (``api_key`` and
  ``email`` redacted).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import metadata
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import tenacity

from atc_mine.errors import RateLimited, SourceError, UpstreamError

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Statuses worth another try: rate limited, and the gateway/server errors that NCBI's and
#: CT.gov's front ends return under load. Other 4xx are the request's fault; retrying cannot help.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
#: Query parameters never written to a log, an error message or the fetch log.
REDACTED_PARAMS = frozenset({"api_key", "email"})
#: How much of an error body goes into a one-line message.
BODY_SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. Defaults suit the real services; tests pass small numbers.

    ``sleep`` is injectable so tests can record the waits (Retry-After honoured, backoff
    growing) without sleeping through them.
    """

    #: Attempts per request, the first included.
    attempts: int = 5
    #: Base of the exponential backoff: waits are uniform in [0, backoff_s * 2**n] (full jitter).
    backoff_s: float = 1.0
    #: Ceiling of one backoff wait.
    max_backoff_s: float = 60.0
    #: A server asking for a longer pause than this is not waited for: the request fails now.
    max_retry_after_s: float = 300.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)


class RateLimiter:
    """At most ``rate`` requests per second, spaced evenly, safe to share between threads.

    Spacing (one slot every ``1/rate`` s) rather than a burst bucket: NCBI counts requests
    per second and answers a burst of four with a 429 even when the average is lower.
    ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = float("-inf")

    @property
    def interval(self) -> float:
        return 1.0 / self.rate

    def acquire(self) -> float:
        """Wait for the next slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def observe_limit(self, limit: float) -> None:
        """Slow down to a limit the server announces (NCBI's ``X-RateLimit-Limit``); never speed up."""
        if 0 < limit < self.rate:
            log.info("server announces %s requests/s; slowing down from %s", limit, self.rate)
            self.rate = float(limit)


_SHARED_LIMITERS: dict[str, RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(name: str, rate: float) -> RateLimiter:
    """The process-wide limiter for a service (e.g. ``"eutils:eutils.ncbi.nlm.nih.gov"``).

    Created on first use (nothing happens at import). Asking again with another rate
    (an API key appeared) resets the rate; the slot schedule is kept.
    """
    with _SHARED_LOCK:
        limiter = _SHARED_LIMITERS.get(name)
        if limiter is None:
            limiter = _SHARED_LIMITERS[name] = RateLimiter(rate)
        elif limiter.rate != rate:
            limiter.rate = float(rate)
        return limiter


@dataclass(frozen=True, slots=True)
class Response:
    """What a check sees of an answer: never a requests object."""

    url: str  # redacted
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Transient(Exception):
    """A failed attempt worth repeating. Raised by checks; never leaves :class:`HttpClient`."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass(slots=True)
class RequestStats:
    """Requests made by a client: what the request-count tests and ``make bench`` read."""

    #: Attempts per endpoint (each retry is a request too: the server counted it).
    requests: Counter = field(default_factory=Counter)
    #: Retries per reason (``HTTP 503``, ``connection reset``, ``truncated XML``...).
    retries: Counter = field(default_factory=Counter)
    waited_s: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "total": self.total,
            "retries": dict(self.retries),
            "waited_s": round(self.waited_s, 3),
        }


def redact_url(url: str) -> str:
    """The URL with secrets (api_key, email) replaced, for messages and logs."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k in REDACTED_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def redact_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: ("***" if k in REDACTED_PARAMS else v) for k, v in (params or {}).items()}


def parse_retry_after(value: str | None, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now()).total_seconds(), 0.0)


def looks_like_html(content: bytes) -> bool:
    """An HTML page (a maintenance notice, a proxy's error page) where data was expected."""
    head = content[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]


def html_title(content: bytes) -> str | None:
    match = re.search(rb"<title[^>]*>(.*?)</title>", content[:4096], re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    return " ".join(match.group(1).decode("utf-8", errors="replace").split()) or None


def json_error_message(content: bytes) -> str | None:
    """The message of a JSON error body (``{"error": "..."}``), or None if the body is not one."""
    if not content.lstrip().startswith(b"{"):
        return None
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(data, dict) and "error" in data and not isinstance(data.get("studies"), list):
        error = data["error"]
        if isinstance(error, dict):
            error = error.get("message") or json.dumps(error, sort_keys=True)
        return str(error)
    return None


def snippet(content: bytes) -> str:
    """A one-line, bounded rendering of an error body."""
    if looks_like_html(content):
        title = html_title(content)
        return f"an HTML page ({title})" if title else "an HTML page"
    text = " ".join(content.decode("utf-8", errors="replace").split())
    return text[:BODY_SNIPPET_CHARS] + ("..." if len(text) > BODY_SNIPPET_CHARS else "")


def default_user_agent() -> str:
    """``atc-mine/<version>``: lets the services see who is asking (NBK25497 asks for ``tool`` too)."""
    try:
        release = metadata.version("atc-mine")
    except metadata.PackageNotFoundError:
        release = "dev"
    return f"atc-mine/{release} python-requests/{requests.__version__}"


def _timeout_pair(timeout: float | tuple[float, float]) -> tuple[float, float]:
    """(connect, read) seconds. A single number is the read timeout; connecting gets at most 10 s."""
    if isinstance(timeout, tuple):
        return float(timeout[0]), float(timeout[1])
    return min(10.0, float(timeout)), float(timeout)


class HttpClient:
    """One remote service: base URL, session, timeout, pacing, retries, error translation.

    ``check(response)`` turns a 200 answer into the caller's value; it raises
    :class:`Transient` for a body worth fetching again and a named atc-mine error for one
    that is not. ``on_status(response)`` may turn a non-retryable HTTP error into a more
    specific named error (CT.gov's 400 for an expired ``pageToken``).
    """

    def __init__(
        self,
        *,
        base_url: str,
        name: str,
        timeout: float | tuple[float, float] = 30.0,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        if urlsplit(self.base_url).scheme not in {"http", "https"}:
            raise SourceError(f"{name}: base URL must be http(s): {base_url!r}", url=base_url)
        self.name = name
        self.timeout = _timeout_pair(timeout)
        self.retry = retry or RetryPolicy()
        self.limiter = limiter
        self.stats = RequestStats()
        self._owns_session = session is None
        self.session = session or requests.Session()
        if user_agent or self._owns_session:
            self.session.headers["User-Agent"] = user_agent or default_user_agent()

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, endpoint: str) -> str:
        return urljoin(self.base_url, endpoint.lstrip("/"))

    # -- requests ------------------------------------------------------------------------
    def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        check: Callable[[Response], T],
        on_status: Callable[[Response], Exception | None] | None = None,
    ) -> T:
        """Send with retries; the value ``check`` makes of the first good answer."""
        url = self.url(endpoint)
        shown = redact_url(url + ("?" + urlencode(params) if params else ""))
        attempts = self.retry.attempts

        def attempt() -> T:
            return self._attempt(method, endpoint, url, shown, params, data, check, on_status)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(Transient),
            sleep=self._sleep,
            before_sleep=lambda state: self._before_sleep(endpoint, state, attempts),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except Transient as exc:
            raise self._give_up(endpoint, shown, exc, attempts) from None

    def get(
        self, endpoint: str, *, params: Mapping[str, Any] | None = None, check: Callable[[Response], T], **kw: Any
    ) -> T:
        return self.request("GET", endpoint, params=params, check=check, **kw)

    def post(self, endpoint: str, *, data: Mapping[str, Any], check: Callable[[Response], T], **kw: Any) -> T:
        return self.request("POST", endpoint, data=data, check=check, **kw)

    def _attempt(
        self,
        method: str,
        endpoint: str,
        url: str,
        shown: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        check: Callable[[Response], T],
        on_status: Callable[[Response], Exception | None] | None,
    ) -> T:
        if self.limiter is not None:
            self.stats.waited_s += self.limiter.acquire()
        self.stats.requests[endpoint] += 1
        try:
            raw = self.session.request(method, url, params=params, data=data, timeout=self.timeout)
            content = raw.content  # read fully inside the try: a body cut short raises here
        except requests.exceptions.SSLError as exc:  # a certificate problem does not heal by retrying
            raise SourceError(f"{self.name} {endpoint}: TLS error: {_one_line(exc)} ({shown})", url=shown) from None
        except requests.exceptions.ConnectTimeout:
            raise Transient("connect timeout") from None
        except requests.exceptions.ReadTimeout:
            raise Transient("read timeout") from None
        except requests.exceptions.ChunkedEncodingError:
            raise Transient("response body cut short") from None
        except requests.exceptions.ContentDecodingError:
            raise Transient("response body could not be decoded") from None
        except requests.exceptions.ConnectionError as exc:
            raise Transient(_connection_reason(exc)) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise SourceError(f"{self.name} {endpoint}: invalid URL: {_one_line(exc)}", url=shown) from None
        except requests.exceptions.RequestException as exc:
            raise SourceError(
                f"{self.name} {endpoint}: request failed: {_one_line(exc)} ({shown})", url=shown
            ) from None
        response = Response(url=shown, status=raw.status_code, headers=dict(raw.headers), content=content)
        self._observe_rate_headers(response)
        if response.status in RETRYABLE_STATUS:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > self.retry.max_retry_after_s:
                error_cls = RateLimited if response.status == 429 else UpstreamError
                raise error_cls(
                    f"{self.name} {endpoint}: HTTP {response.status}, server asks to wait {retry_after:.0f} s "
                    f"(more than {self.retry.max_retry_after_s:.0f} s); try again later ({shown})",
                    url=shown,
                    status=response.status,
                )
            raise Transient(f"HTTP {response.status}", status=response.status, retry_after=retry_after)
        if response.status >= 400:
            specific = on_status(response) if on_status else None
            if specific is not None:
                raise specific
            raise UpstreamError(
                f"{self.name} {endpoint}: HTTP {response.status}: {snippet(response.content)} ({shown})",
                url=shown,
                status=response.status,
            )
        return check(response)

    def _observe_rate_headers(self, response: Response) -> None:
        limit = response.headers.get("X-RateLimit-Limit")
        if self.limiter is not None and limit and limit.strip().isdigit():
            self.limiter.observe_limit(float(limit))

    def _wait(self, state: tenacity.RetryCallState) -> float:
        backoff = tenacity.wait_random_exponential(multiplier=self.retry.backoff_s, max=self.retry.max_backoff_s)(state)
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        return max(backoff, retry_after) if retry_after is not None else backoff

    def _sleep(self, seconds: float) -> None:
        self.stats.waited_s += seconds
        self.retry.sleep(seconds)

    def _before_sleep(self, endpoint: str, state: tenacity.RetryCallState, attempts: int) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = getattr(exc, "reason", str(exc))
        self.stats.retries[reason.split(" (")[0]] += 1
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s %s: %s; retry %d/%d in %.2f s", self.name, endpoint, reason, state.attempt_number, attempts - 1, wait
        )

    def _give_up(self, endpoint: str, shown: str, exc: Transient, attempts: int) -> SourceError:
        message = (
            f"{self.name} {endpoint}: {exc.reason} after {attempts} attempt{'s' if attempts != 1 else ''} ({shown})"
        )
        if exc.status == 429 or "rate limit" in exc.reason.lower():
            return RateLimited(message, url=shown, status=exc.status or 429)
        if exc.status is not None or not _is_transport(exc.reason):
            return UpstreamError(message, url=shown, status=exc.status)
        return SourceError(message, url=shown)


_TRANSPORT_REASONS = ("timeout", "connection", "cut short", "decoded", "refused", "reset")


def _is_transport(reason: str) -> bool:
    """No usable answer arrived (as opposed to an answer that was an error)."""
    return any(word in reason for word in _TRANSPORT_REASONS)


def _connection_reason(exc: requests.exceptions.ConnectionError) -> str:
    text = str(exc).lower()
    if "reset" in text or "aborted" in text or "remotedisconnected" in text or "closed connection" in text:
        return "connection reset"
    if "refused" in text:
        return "connection refused"
    if "timed out" in text or "timeout" in text:
        return "read timeout"
    if "incompleteread" in text or "incomplete" in text:
        return "response body cut short"
    return "connection error"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:BODY_SNIPPET_CHARS]


__all__ = [
    "RETRYABLE_STATUS",
    "HttpClient",
    "RateLimiter",
    "RequestStats",
    "Response",
    "RetryPolicy",
    "Transient",
    "html_title",
    "json_error_message",
    "looks_like_html",
    "parse_retry_after",
    "redact_params",
    "redact_url",
    "shared_limiter",
    "snippet",
]
