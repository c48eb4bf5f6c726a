"""Log lines: JSON with request, job, user and trace ids for machines; readable on a terminal."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from adapters import log_context
from adapters.log_format import configure_logging, fields


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_json_lines_carry_the_context(stream: io.StringIO) -> None:
    configure_logging("INFO", json_lines=True, stream=stream)
    with log_context.bound(request="req-1", job="msg-9", user_hash="abc123"):
        logging.getLogger("wildside.test").info("planned %d stops", 7)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "planned 7 stops"
    assert (entry["level"], entry["logger"]) == ("info", "wildside.test")
    assert (entry["request_id"], entry["job_id"], entry["user_hash"]) == (
        "req-1",
        "msg-9",
        "abc123",
    )
    assert entry["timestamp"].endswith("+00:00")
    assert "trace_id" not in entry  # no span, no trace id


def test_the_active_span_is_named(stream: io.StringIO) -> None:
    configure_logging("INFO", json_lines=True, stream=stream)
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        logging.getLogger("x").warning("inside")
    entry = json.loads(stream.getvalue())
    assert entry["trace_id"] == f"{span.get_span_context().trace_id:032x}"


def test_errors_keep_their_traceback(stream: io.StringIO) -> None:
    configure_logging("INFO", json_lines=True, stream=stream)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    entry = json.loads(stream.getvalue())
    assert "ValueError: boom" in entry["error"]


def test_a_terminal_gets_readable_lines_and_the_context_does_not_leak(stream: io.StringIO) -> None:
    configure_logging("DEBUG", json_lines=False, stream=stream)
    with log_context.bound(request="req-2"):
        logging.getLogger("wildside").debug("hello")
    logging.getLogger("wildside").debug("after")
    first, second = stream.getvalue().splitlines()
    assert first.endswith("wildside: hello [request_id=req-2]")
    assert second.endswith("wildside: after")


@pytest.mark.parametrize("is_json", [True, False])
def test_structured_fields_join_the_context(stream: io.StringIO, *, is_json: bool) -> None:
    # Given a line logged with fields inside a job's context
    configure_logging("INFO", json_lines=is_json, stream=stream)
    with log_context.bound(job="msg-9"):
        logging.getLogger("x").warning("job failed", extra=fields(queue="enrichment", attempt=2))
    text = stream.getvalue()
    # Then they are keys of the JSON object (numbers stay numbers), or k=v on a terminal
    if is_json:
        entry = json.loads(text)
        assert (entry["job_id"], entry["queue"], entry["attempt"]) == ("msg-9", "enrichment", 2)
    else:
        assert text.rstrip().endswith("[job_id=msg-9 queue=enrichment attempt=2]")


def test_levels_filter(stream: io.StringIO) -> None:
    configure_logging("WARNING", json_lines=True, stream=stream)
    logging.getLogger("x").info("quiet")
    assert stream.getvalue() == ""
