"""The root handler's redaction: what it removes, what it keeps, and that nothing replaces it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import dramatiq
import pytest

from adapters.inbound.http.app import openapi_document
from adapters.log_format import configure_logging, redact
from tests.support import defaults

TOKEN = "wst_" + "Ab3_-x" * 7 + "Z"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("DEBUG", json_lines=True, stream=buffer)
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _entries(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /ws?token=abc&x=1 HTTP/1.1", "GET /ws?[redacted] HTTP/1.1"),
        ("see https://h.example/a/b?code=42#top", "see https://h.example/a/b?[redacted]#top"),
        (
            f"subprotocols wildside.v1, bearer.{TOKEN}",
            "subprotocols wildside.v1, bearer.wst_[redacted]",
        ),
        ("Authorization: Bearer abc.def-ghi", "Authorization: [redacted]"),
        ("< cookie: session=eyJhbGc.x; theme=dark", "< cookie: [redacted]; theme=dark"),
        ("Set-Cookie session=abc123; Path=/", "Set-Cookie session=[redacted]; Path=/"),
        (
            "{'password': 'hunter2', 'username': 'ada'}",
            "{'password': '[redacted]', 'username': '[redacted]'}",
        ),
        (
            '{"idempotency_key": "trip-1", "user_id": "u-9"}',
            '{"idempotency_key": "[redacted]", "user_id": "[redacted]"}',
        ),
        ("Idempotency-Key: trip-1", "Idempotency-Key: [redacted]"),
        ("{'lat': 60.171234, 'lng': -24.944321}", "{'lat': 60.17, 'lng': -24.94}"),
        ("GeoPoint(lat=60.171234, lng=24.944321)", "GeoPoint(lat=60.17, lng=24.94)"),
    ],
)
def test_secrets_personal_values_and_exact_positions_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "worker consuming ['enrichment', 'route_generation'] with 2 threads",
        "request timed out: GET /api/v1/routes/{request_id}",
        "is the path /health/ready? yes",
        "planned 7 stops in 1.234567 s",
        "token_id 123 revoked",
    ],
)
def test_ordinary_lines_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_a_queue_message_is_named_by_actor_and_id_never_by_its_arguments(
    stream: io.StringIO,
) -> None:
    document = {"user_id": "u-123", "idempotency_key": "trip-1", "spec": {"lat": 60.171234}}
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name="q", actor_name="generate_route", args=(document,), kwargs={}, options={}
    )
    logging.getLogger("dramatiq.worker.WorkerThread").error(
        "Failed to process message %s with unhandled exception.", message
    )
    (entry,) = _entries(stream)
    assert entry["message"] == (
        f"Failed to process message generate_route[{message.message_id}] with unhandled exception."
    )
    assert entry["job_id"] == message.message_id  # Dramatiq's own lines name their job too


def test_uvicorns_handshake_line_keeps_the_path_without_the_query(stream: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" 403', "127.0.0.1:5000", f"/ws?token={TOKEN}"
    )
    (entry,) = _entries(stream)
    assert entry["message"] == '127.0.0.1:5000 - "WebSocket /ws" 403'


def test_tracebacks_are_redacted_too(stream: io.StringIO) -> None:
    try:
        raise RuntimeError(f"upstream said: Authorization: Bearer {TOKEN}")
    except RuntimeError:
        logging.getLogger("x").exception("failed at /api?key=1")
    (entry,) = _entries(stream)
    assert entry["message"] == "failed at /api?[redacted]"
    assert "RuntimeError: upstream said: Authorization: [redacted]" in entry["error"]
    assert TOKEN not in stream.getvalue()


def test_a_line_whose_arguments_do_not_fit_is_kept_without_them(stream: io.StringIO) -> None:
    logging.getLogger("x").warning("two %s %s", "secret-ish")  # noqa: PLE1206
    (entry,) = _entries(stream)
    assert entry["message"] == "two %s %s [the log arguments did not fit this message]"


def test_the_redaction_applies_to_readable_lines_too() -> None:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure_logging("INFO", json_lines=False, stream=buffer)
        logging.getLogger("x").info("token=%s", TOKEN)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert buffer.getvalue().rstrip().endswith("x: token=[redacted]")


def test_building_the_api_leaves_the_process_logging_alone(stream: io.StringIO) -> None:
    handlers = list(logging.getLogger().handlers)
    # Build the Litestar app, as `wildside serve` does after configuring logs
    openapi_document(defaults.http_settings())
    assert logging.getLogger().handlers == handlers
    assert logging.getLogger("litestar").handlers == []
    logging.getLogger("litestar").warning("framework line")
    (entry,) = _entries(stream)
    assert entry["logger"] == "litestar"
