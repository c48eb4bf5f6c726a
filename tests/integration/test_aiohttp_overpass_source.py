"""`AiohttpOverpassSource` against a fake Overpass server on loopback: every answer and failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from adapters.outbound.overpass.aiohttp_source import AiohttpOverpassSource
from tests.conftest import REPO_ROOT, free_port
from tests.support import defaults
from tests.support.fake_overpass import FakeOverpass, Reply
from tests.support.overpass_payloads import REMARKS, success_body
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.enrichment.overpass_query import overpass_query
from wildside.domain.errors import UnavailableError
from wildside.ports.osm_extract_source import TaggedFeature
from wildside.ports.overpass_source import OverpassErrorKind, OverpassSourceError

_LIMITS = defaults.enrichment_settings()
QUERY = overpass_query(
    EnrichmentJob(BoundingBox(60.16, 24.93, 60.18, 24.96), ("history",)),
    timeout_s=_LIMITS.query_timeout_s,
    maxsize=_LIMITS.maxsize,
)
CAP = 1_000_000
LOOP_THREAD = "overpass-aiohttp"


def _source(**overrides: object) -> AiohttpOverpassSource:
    settings: dict[str, object] = {
        "user_agent": "wildside-tests/0.1",
        "contact": "ops@wildside.example",
        "tenant_token": "tenant-42",
        "timeout_s": 2.0,
        "connect_timeout_s": 1.0,
    }
    return AiohttpOverpassSource(**{**settings, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def fake() -> Iterator[FakeOverpass]:
    with FakeOverpass(slow_s=10.0) as server:
        yield server


@pytest.fixture
def source() -> Iterator[AiohttpOverpassSource]:
    client = _source()
    yield client
    client.close()


def _failure(source: AiohttpOverpassSource, url: str, max_bytes: int = CAP) -> OverpassSourceError:
    with pytest.raises(OverpassSourceError) as caught:
        source.fetch(url, QUERY, max_bytes=max_bytes)
    return caught.value


def _loop_threads() -> int:
    return sum(thread.name == LOOP_THREAD for thread in threading.enumerate())


def test_success_returns_tagged_features_placed_at_nodes_and_centres(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a server answering a museum, a memorial, a park way and a fort relation
    # (plus an untagged node and a way without a centre)
    # When the source fetches
    response = source.fetch(fake.url, QUERY, max_bytes=CAP)
    # Then the tagged, placed elements come back, typed and with their ids
    assert response.status == 200
    assert response.bytes_read == len(success_body())
    assert all(isinstance(feature, TaggedFeature) for feature in response.elements)
    assert [(f.element_type, f.osm_id, f.lat, f.lng) for f in response.elements] == [
        ("node", 2202095, 60.1703, 24.9441),
        ("node", 3000001, 60.1675, 24.947),
        ("way", 23712222, 60.1677, 24.9485),
        ("relation", 1234567, 60.1454, 24.9881),
    ]
    # And every tag is kept as sent
    assert response.elements[0].tags == {
        "name": "Ateneum",
        "tourism": "museum",
        "wikidata": "Q754507",
    }
    assert response.elements[3].tags["name"] == "Suomenlinna"


@pytest.mark.parametrize(
    ("token", "user_agent"),
    [("tenant-42", "wildside-tests/0.1 (tenant tenant-42)"), (None, "wildside-tests/0.1")],
)
def test_query_is_posted_as_form_field_with_identifying_headers(
    fake: FakeOverpass, token: str | None, user_agent: str
) -> None:
    # Given a source with or without a tenant token
    client = _source(tenant_token=token)
    try:
        # When it fetches
        client.fetch(fake.url, QUERY, max_bytes=CAP)
    finally:
        client.close()
    # Then one POST to the interpreter carried the query in the form field "data"
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/api/interpreter")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.query == QUERY
    # And the User-Agent names the tenant (if any), the Contact header who to write to
    assert request.headers["User-Agent"] == user_agent
    assert request.headers["Contact"] == "ops@wildside.example"


@pytest.mark.parametrize(
    ("retry_after", "date", "expected"),
    [
        ("7", None, 7.0),
        ("Wed, 21 Oct 2026 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),
        ("whenever", None, None),
    ],
)
def test_429_is_rate_limited_with_retry_after(
    fake: FakeOverpass,
    source: AiohttpOverpassSource,
    retry_after: str,
    date: str | None,
    expected: float | None,
) -> None:
    # Given a 429 whose Retry-After is seconds, an HTTP date (read against the
    # server's Date header), or garbage
    headers = {"Retry-After": retry_after, **({"Date": date} if date else {})}
    fake.script(Reply("rate_limited", headers=headers))
    # When the source fetches
    error = _failure(source, fake.url)
    # Then the call is rate limited, retryable, with the delay the server asked for
    assert (error.kind, error.status, error.retry_after_s) == (
        OverpassErrorKind.RATE_LIMITED,
        429,
        expected,
    )
    assert error.is_retryable
    assert error.bytes_read > 0


@pytest.mark.parametrize("status", [500, 502, 503, 504, 599])
def test_5xx_is_a_server_error(
    fake: FakeOverpass, source: AiohttpOverpassSource, status: int
) -> None:
    # Given a server failing with a 5xx
    fake.script(Reply("server_error", status=status))
    # When the source fetches
    error = _failure(source, fake.url)
    # Then it is a retryable server error that counts against the endpoint
    assert (error.kind, error.status) == (OverpassErrorKind.SERVER_ERROR, status)
    assert error.is_retryable
    assert error.kind.counts_against_endpoint


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_4xx_is_a_client_error(
    fake: FakeOverpass, source: AiohttpOverpassSource, status: int
) -> None:
    # Given a server rejecting the query
    fake.script(Reply("bad_request", status=status))
    # When the source fetches
    error = _failure(source, fake.url)
    # Then it is a client error nobody retries, quoting Overpass's explanation
    assert (error.kind, error.status) == (OverpassErrorKind.CLIENT_ERROR, status)
    assert not error.is_retryable
    assert "parse error: unknown type 'nwx'" in error.message


def test_slow_server_times_out_with_the_aiohttp_cause(fake: FakeOverpass) -> None:
    # Given a server slower than the client's total timeout
    fake.script("slow")
    client = _source(timeout_s=0.3)
    started = time.monotonic()
    try:
        # When the source fetches
        error = _failure(client, fake.url)
    finally:
        client.close()
    # Then the call ends as a timeout, promptly, translated from aiohttp's exception
    assert error.kind is OverpassErrorKind.TIMEOUT
    assert time.monotonic() - started < 2.0
    assert isinstance(error.__cause__, TimeoutError)


def test_refused_connection_is_a_connection_error(source: AiohttpOverpassSource) -> None:
    # Given an endpoint where nobody listens
    url = f"http://127.0.0.1:{free_port()}/api/interpreter"
    # When the source fetches
    error = _failure(source, url)
    # Then it is a retryable connection error, translated from aiohttp's
    assert error.kind is OverpassErrorKind.CONNECTION
    assert error.is_retryable
    assert isinstance(error.__cause__, aiohttp.ClientConnectionError)


@pytest.mark.parametrize("mode", ["malformed", "wrong_shape"])
def test_200_without_overpass_json_is_malformed(
    fake: FakeOverpass, source: AiohttpOverpassSource, mode: str
) -> None:
    # Given a 200 whose body is not JSON, or JSON without an elements list
    fake.script(mode)
    # When the source fetches
    error = _failure(source, fake.url)
    # Then it is malformed, not retried, and the bytes still count
    assert (error.kind, error.status) == (OverpassErrorKind.MALFORMED, 200)
    assert not error.is_retryable
    assert error.bytes_read > 0


@pytest.mark.parametrize(
    ("mode", "kind"),
    [
        ("remark_timeout", OverpassErrorKind.TIMEOUT),
        ("remark_memory", OverpassErrorKind.SERVER_ERROR),
    ],
)
def test_200_with_runtime_error_remark_is_a_failure(
    fake: FakeOverpass, source: AiohttpOverpassSource, mode: str, kind: OverpassErrorKind
) -> None:
    # Given a 200 whose remark says the query ran out of time or memory
    fake.script(mode)
    # When the source fetches
    error = _failure(source, fake.url)
    # Then the partial elements are dropped and the call fails, retryably, quoting the remark
    assert (error.kind, error.status) == (kind, 200)
    assert error.is_retryable
    assert REMARKS[mode] in error.message
    assert error.bytes_read > 0


def test_200_with_informational_remark_succeeds(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a 200 whose remark only reports the limits ("runtime remark: Timeout is 180 ...")
    fake.script("remark_info")
    # When the source fetches
    response = source.fetch(fake.url, QUERY, max_bytes=CAP)
    # Then it is an ordinary success
    assert len(response.elements) == 4


def test_byte_cap_is_inclusive_and_one_byte_over_is_too_large(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a success body of exactly N bytes
    size = len(success_body())
    # When the cap is N, the answer is accepted
    assert source.fetch(fake.url, QUERY, max_bytes=size).bytes_read == size
    # When the cap is N - 1, it is too large, refused on its Content-Length unread
    error = _failure(source, fake.url, max_bytes=size - 1)
    assert (error.kind, error.bytes_read) == (OverpassErrorKind.TOO_LARGE, 0)
    assert not error.is_retryable


def test_streamed_oversized_body_stops_reading_at_the_cap(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a 5 MB body streamed without a Content-Length
    fake.script(Reply("oversized", size=5_000_000))
    # When the source fetches with a 100 kB cap
    error = _failure(source, fake.url, max_bytes=100_000)
    # Then it stops one byte past the cap and reports what it read
    assert (error.kind, error.status, error.bytes_read) == (
        OverpassErrorKind.TOO_LARGE,
        200,
        100_001,
    )
    # And the source keeps working on the same session
    assert len(source.fetch(fake.url, QUERY, max_bytes=CAP).elements) == 4


def test_declared_oversized_body_is_refused_before_reading(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a body whose Content-Length already exceeds the cap
    fake.script(Reply("oversized", size=5_000_000, is_length_declared=True))
    # When the source fetches
    error = _failure(source, fake.url, max_bytes=100_000)
    # Then nothing of it was read
    assert (error.kind, error.bytes_read) == (OverpassErrorKind.TOO_LARGE, 0)


def test_scripted_replies_apply_in_order_then_the_default(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a script of a 429 then a 503, over a default of success
    fake.script("rate_limited", "server_error")
    # When the source fetches three times
    kinds = [_failure(source, fake.url).kind, _failure(source, fake.url).kind]
    last = source.fetch(fake.url, QUERY, max_bytes=CAP)
    # Then the answers follow the script, then the default
    assert kinds == [OverpassErrorKind.RATE_LIMITED, OverpassErrorKind.SERVER_ERROR]
    assert last.status == 200
    assert fake.calls == 3


def test_threads_share_one_loop_and_call_concurrently(
    fake: FakeOverpass, source: AiohttpOverpassSource
) -> None:
    # Given a server that holds every call for half a second
    fake.set_default(Reply("success", delay_s=0.5))
    threads_before = _loop_threads()
    # When four worker threads fetch through one source at once
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(source.fetch, fake.url, QUERY, max_bytes=CAP) for _ in range(4)]
        responses = [future.result(timeout=10) for future in futures]
    # Then all four succeed, were in flight together, over one private loop thread
    assert [len(r.elements) for r in responses] == [4, 4, 4, 4]
    assert fake.max_in_flight == 4
    assert _loop_threads() == threads_before + 1


def test_nothing_opens_before_use_and_close_is_final(fake: FakeOverpass) -> None:
    # Given a new source: it has started no thread and called nobody
    before = _loop_threads()
    client = _source()
    assert _loop_threads() == before
    # When it is used, then closed twice
    client.fetch(fake.url, QUERY, max_bytes=CAP)
    assert _loop_threads() == before + 1
    client.close()
    client.close()
    # Then its loop thread is gone, and a later fetch is refused without calling out
    assert _loop_threads() == before
    with pytest.raises(UnavailableError, match="closed"):
        client.fetch(fake.url, QUERY, max_bytes=CAP)
    assert fake.calls == 1


def test_close_cancels_a_call_in_flight(fake: FakeOverpass) -> None:
    # Given a call held in flight by the server
    fake.script(Reply("success", delay_s=5.0))
    client = _source(timeout_s=10.0)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.fetch(fake.url, QUERY, max_bytes=CAP)
        except Exception as exc:  # the test inspects whatever came out
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while fake.calls == 0:
        time.sleep(0.01)
    # When the source is closed meanwhile
    client.close()
    caller.join(timeout=5)
    # Then the caller is released at once with a clear error
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], UnavailableError)


def _get_json(url: str, data: bytes | None = None) -> dict[str, object]:
    with urllib.request.urlopen(url, data=data, timeout=5) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_fake_runs_as_a_process_with_stats_and_mode_switch(
    source: AiohttpOverpassSource,
) -> None:
    # Given the fake started as its own process
    port = free_port()
    command = [sys.executable, "-m", "tests.support.fake_overpass", "--port", str(port)]
    command += ["--mode", "success", "--delay", "0.2"]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _get_json(base + "/_stats")
                break
            except OSError:
                assert time.monotonic() < deadline, "the fake process never listened"
                time.sleep(0.05)
        # When one call succeeds, the default is switched to 429, and another call is made
        assert len(source.fetch(base + "/api/interpreter", QUERY, max_bytes=CAP).elements) == 4
        _get_json(base + "/_mode", json.dumps({"mode": "rate_limited"}).encode())
        error = _failure(source, base + "/api/interpreter")
        # Then the second call was rate limited and the stats count both
        assert error.kind is OverpassErrorKind.RATE_LIMITED
        assert _get_json(base + "/_stats") == {"calls": 2, "max_in_flight": 1}
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=10)
    # And SIGTERM stops it cleanly, having printed nothing
    assert process.returncode == 0
    assert stdout == b""
