"""One trace from the HTTP request, through the queue, into the worker, engine and database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from adapters.composition import build_ingest
from tests.service_stack import ROUTE_BODY, Stack, wait_for
from wildside.ports.progress import SilentProgress

_EXPORTER = InMemorySpanExporter()
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture(scope="session")
def _provider() -> InMemorySpanExporter:
    """The process's provider, set once (OpenTelemetry allows one), exporting to memory."""
    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    return _EXPORTER


@pytest.fixture
def spans(_provider: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    _provider.clear()
    yield _provider
    _provider.clear()


def test_a_route_request_is_one_trace_across_api_and_worker(
    stack: Stack, helsinki_pbf: Path, spans: InMemorySpanExporter
) -> None:
    # Given central Helsinki and a worker running the real engine
    build_ingest(stack.settings, SilentProgress())(helsinki_pbf)
    stack.start_worker(real_engine=True)
    token = stack.user("ada")
    # When a client that is itself traced submits a request
    headers = {
        **stack.auth(token),
        "traceparent": f"00-{CALLER_TRACE}-00f067aa0ba902b7-01",
    }
    request_id = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=headers).json()[
        "request_id"
    ]
    wait_for(
        lambda: (
            stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token)).status_code
            == 200
        ),
        timeout=60,
    )
    wait_for(lambda: any(s.name == "store result" for s in spans.get_finished_spans()))
    # Then the API's span, the worker's span, the engine's stages and the database
    # calls all carry the caller's trace id
    in_trace = [
        s for s in spans.get_finished_spans() if f"{s.context.trace_id:032x}" == CALLER_TRACE
    ]
    names = {s.name for s in in_trace}
    assert "POST /api/v1/routes" in names
    assert {"generate route", "candidate fetch", "street matrix", "solve", "store result"} <= names
    assert any(
        s.attributes and s.attributes.get("db.system.name") == "postgresql" for s in in_trace
    )
    worker_root = next(s for s in in_trace if s.name == "generate route")
    assert worker_root.kind is trace.SpanKind.CONSUMER
    api = next(s for s in in_trace if s.name == "POST /api/v1/routes")
    assert api.kind is trace.SpanKind.SERVER
    assert api.attributes is not None
    assert api.attributes["http.response.status_code"] == 202
