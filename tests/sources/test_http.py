"""The shared HTTP layer against a real local server: pacing, retries, Retry-After, translation.

No request is mocked: every case crosses a socket to tests/testserver.py on 127.0.0.1. Waits
are recorded by the retry policy instead of slept (``fast_retry``), so no test sleeps for
seconds and none asserts on the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from atc_mine.errors import RateLimited, SourceError, UpstreamError
from atc_mine.sources.http import (
    HttpClient,
    RateLimiter,
    Response,
    RetryPolicy,
    Transient,
    json_error_message,
    looks_like_html,
    parse_retry_after,
    redact_url,
    shared_limiter,
)
from tests.testserver import BODIES, Fault


def body(response: Response) -> bytes:
    return response.content


def client(sources, retry, **kw) -> HttpClient:
    return HttpClient(
        base_url=sources.eutils_url, name="E-utilities", retry=retry, timeout=kw.pop("timeout", 2.0), **kw
    )


# -- pacing ------------------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_requests_evenly():
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        limiter.acquire()
    # NBK25497: 3 requests per second -> one every 1/3 s; the first goes at once.
    assert clock.slept == pytest.approx([1 / 3, 1 / 3, 1 / 3])


def test_rate_limiter_does_not_wait_when_requests_are_already_slow():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 5
    limiter.acquire()
    assert clock.slept == []


def test_rate_limiter_slows_to_a_limit_the_server_announces_but_never_speeds_up():
    limiter = RateLimiter(10)
    limiter.observe_limit(3)
    assert limiter.rate == 3
    limiter.observe_limit(50)
    assert limiter.rate == 3


def test_shared_limiter_is_one_object_per_service():
    a = shared_limiter("test:one-service", 3)
    b = shared_limiter("test:one-service", 10)  # an API key appeared
    assert a is b and a.rate == 10
    assert shared_limiter("test:another-service", 3) is not a


def test_every_attempt_takes_a_limiter_slot(local_sources, fast_retry):
    clock = FakeClock()
    limiter = RateLimiter(1000, clock=clock, sleep=clock.sleep)
    local_sources.inject("esearch", Fault.http(503))
    with client(local_sources, fast_retry, limiter=limiter) as http:
        http.get("esearch.fcgi", params={"term": "x"}, check=body)
    assert limiter._next_slot == pytest.approx(100.0 + 2 / 1000)  # two attempts, two slots


def test_the_recorded_rate_limit_header_slows_the_shared_limiter(local_sources, fast_retry):
    # The recorded cassette's answer carries X-RateLimit-Limit: 3 (NCBI, no API key).
    local_sources.rate_limit_headers = True
    limiter = RateLimiter(1000)
    with client(local_sources, fast_retry, limiter=limiter) as http:
        http.get("efetch.fcgi", params={"id": "23121403"}, check=body)
    assert limiter.rate == 3


# -- retries -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fault, reason",
    [
        (Fault.http(500), "HTTP 500"),
        (Fault.http(502), "HTTP 502"),
        (Fault.http(503), "HTTP 503"),
        (Fault.http(429, retry_after="0"), "HTTP 429"),
        (Fault.reset(), "connection reset"),
        (Fault.stall(0.6), "read timeout"),
        (Fault.short(), "response body cut short"),
    ],
)
def test_retryable_failures_are_retried_and_then_succeed(local_sources, fast_retry, fault, reason):
    local_sources.inject("efetch", fault)
    with client(local_sources, fast_retry, timeout=0.3) as http:
        content = http.get("efetch.fcgi", params={"id": "23121403"}, check=body)
    assert b'<PMID Version="1">23121403</PMID>' in content
    assert local_sources.count("efetch") == 2
    assert http.stats.retries == {reason: 1}
    assert http.stats.requests == {"efetch.fcgi": 2}


def test_retry_after_is_honoured_not_slept_through(local_sources, fast_retry, retry_waits):
    local_sources.inject("efetch", Fault.http(429, retry_after="7"), Fault.http(503, retry_after="2"))
    with client(local_sources, fast_retry) as http:
        http.get("efetch.fcgi", params={"id": "23121403"}, check=body)
    # Never shorter than the server asked; the backoff of this policy is far shorter than that.
    assert retry_waits[0] >= 7 and retry_waits[1] >= 2
    assert retry_waits == pytest.approx([7, 2], abs=0.06)


def test_retry_after_as_an_http_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=lambda: now) == pytest.approx(30)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_with_jitter_between_attempts(local_sources, retry_waits):
    policy = RetryPolicy(attempts=5, backoff_s=1.0, max_backoff_s=60, sleep=retry_waits.append)
    local_sources.inject("esearch", *[Fault.http(503)] * 4)
    with client(local_sources, policy) as http:
        http.get("esearch.fcgi", params={"term": "x"}, check=body)
    # Full jitter: attempt n waits uniformly in [0, backoff * 2**n], capped.
    assert len(retry_waits) == 4
    assert all(0 <= w <= 2 ** (n + 1) for n, w in enumerate(retry_waits))


def test_a_retry_after_beyond_the_cap_fails_at_once(local_sources, fast_retry):
    local_sources.inject("efetch", Fault.http(429, retry_after="86400"))
    with client(local_sources, fast_retry) as http, pytest.raises(RateLimited, match="wait 86400 s") as info:
        http.get("efetch.fcgi", params={"id": "1"}, check=body)
    assert local_sources.count("efetch") == 1
    assert info.value.status == 429


def test_exhausted_retries_give_one_clear_line_with_the_url_and_no_secrets(local_sources, fast_retry):
    local_sources.inject("efetch", *[Fault.http(503)] * 4)
    with client(local_sources, fast_retry) as http, pytest.raises(UpstreamError) as info:
        http.get("efetch.fcgi", params={"id": "1", "api_key": "SECRET-KEY", "email": "me@example.org"}, check=body)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("E-utilities efetch.fcgi: HTTP 503 after 4 attempts (http://127.0.0.1:")
    assert "SECRET-KEY" not in message and "me@example.org" not in message and "api_key=***" in message
    assert info.value.status == 503 and info.value.url.startswith("http://127.0.0.1:")
    assert local_sources.count("efetch") == 4


def test_exhausted_429_is_rate_limited(local_sources, fast_retry):
    local_sources.inject("efetch", *[Fault.http(429, retry_after="1")] * 4)
    with client(local_sources, fast_retry) as http, pytest.raises(RateLimited, match="HTTP 429 after 4 attempts"):
        http.get("efetch.fcgi", params={"id": "1"}, check=body)


def test_no_answer_at_all_is_a_source_error_not_an_upstream_error(local_sources, fast_retry):
    local_sources.inject("efetch", *[Fault.reset()] * 4)
    with client(local_sources, fast_retry) as http, pytest.raises(SourceError) as info:
        http.get("efetch.fcgi", params={"id": "1"}, check=body)
    assert not isinstance(info.value, UpstreamError)
    assert "connection reset after 4 attempts" in str(info.value)


@pytest.mark.parametrize("status", [400, 403, 404, 414])
def test_client_errors_are_not_retried(local_sources, fast_retry, status):
    local_sources.inject("efetch", Fault.http(status))
    with client(local_sources, fast_retry) as http, pytest.raises(UpstreamError, match=f"HTTP {status}") as info:
        http.get("efetch.fcgi", params={"id": "1"}, check=body)
    assert local_sources.count("efetch") == 1 and info.value.status == status


def test_a_check_decides_what_a_200_body_means(local_sources, fast_retry):
    def html_is_transient(response: Response) -> bytes:
        if looks_like_html(response.content):
            raise Transient("an HTML page")
        return response.content

    local_sources.inject("efetch", Fault.error_body("html_maintenance_handwritten"))
    with client(local_sources, fast_retry) as http:
        assert b"PubmedArticleSet" in http.get("efetch.fcgi", params={"id": "23121403"}, check=html_is_transient)
    assert http.stats.retries == {"an HTML page": 1}


def test_connection_refused_is_retried_then_reported(fast_retry):
    with socket_that_refuses() as url:
        http = HttpClient(base_url=url, name="E-utilities", retry=fast_retry, timeout=1.0)
        with pytest.raises(SourceError, match="connection refused after 4 attempts"):
            http.get("esearch.fcgi", check=body)


class socket_that_refuses:
    """A 127.0.0.1 port with nothing listening on it."""

    def __enter__(self) -> str:
        import socket

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        return f"http://127.0.0.1:{self.port}/"

    def __exit__(self, *exc: object) -> None:
        pass


# -- the session shape ---------------------------------------------------------------------------
class RecordingSession(requests.Session):
    """A real Session that notes the keyword arguments of each request (nothing is faked)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict] = []
        self.closed = False

    def request(self, method, url, **kwargs):  # noqa: ANN001, ANN201 - requests' own signature
        self.calls.append(kwargs)
        return super().request(method, url, **kwargs)

    def close(self) -> None:
        self.closed = True
        super().close()


def test_every_request_carries_an_explicit_timeout(local_sources, fast_retry):
    session = RecordingSession()
    with HttpClient(base_url=local_sources.eutils_url, name="E-utilities", session=session, timeout=12.5) as http:
        http.get("esearch.fcgi", params={"term": "x"}, check=body)
        http.post("efetch.fcgi", data={"id": "23121403"}, check=body)
    assert [c["timeout"] for c in session.calls] == [(10.0, 12.5), (10.0, 12.5)]


def test_an_injected_session_is_for_the_caller_to_close(local_sources):
    session = RecordingSession()
    with HttpClient(base_url=local_sources.eutils_url, name="E-utilities", session=session):
        pass
    assert not session.closed
    own = HttpClient(base_url=local_sources.eutils_url, name="E-utilities")
    with own:
        pass
    assert own._owns_session


def test_settings_are_keyword_only_and_the_base_url_is_checked():
    with pytest.raises(TypeError):
        HttpClient("http://127.0.0.1/", "E-utilities")  # type: ignore[misc]
    with pytest.raises(SourceError, match="base URL must be http"):
        HttpClient(base_url="ftp://ftp.ncbi.nlm.nih.gov/", name="E-utilities")


# -- small pieces --------------------------------------------------------------------------------
def test_redaction_of_secrets_in_urls():
    assert (
        redact_url("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi?db=pubmed&api_key=abc&email=a%40b.c")
        == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi?db=pubmed&api_key=***&email=***"
    )
    assert redact_url("https://clinicaltrials.gov/api/v2/studies") == "https://clinicaltrials.gov/api/v2/studies"


def test_json_error_bodies_are_told_from_data():
    # The documented E-utilities rate-limit answer (NBK25497), hand-written from the docs.
    assert json_error_message(BODIES["eutils_rate_limit_json_handwritten"][0]) == "API rate limit exceeded"
    # A real /studies page is data, not an error (negative beside the positive).
    assert json_error_message(BODIES["ctgov_studies_page_recorded"][0]) is None
    assert json_error_message(b"<eSearchResult/>") is None


def test_html_pages_are_recognised():
    assert looks_like_html(BODIES["html_maintenance_handwritten"][0])
    assert not looks_like_html(BODIES["eutils_esearch_recorded_cancer"][0])
