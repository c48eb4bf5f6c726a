"""The hand-made ASGI ``Edge`` beside Litestar's Prometheus and OpenTelemetry plugins.

Overhead per request over a bare one-route app, driven in-process through
ASGI (no sockets), and what each counts: series for distinct ids in a path,
and for 404s of unmatched paths. Part of ``bench/library_choices.py``
(``--only edge``). Litestar's OpenTelemetry plugin needs
``opentelemetry-instrumentation-asgi``, which the project does not install.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable
from typing import Any


def per_call_us(samples: list[float]) -> dict[str, float]:
    """Median and 99th percentile of ``samples`` (seconds) in microseconds."""
    ordered = sorted(samples)
    return {
        "median_us": statistics.median(ordered) * 1e6,
        "p99_us": ordered[int(len(ordered) * 0.99) - 1] * 1e6,
    }


def _asgi_app(kind: str) -> tuple[Any, Callable[[], str]]:
    """A one-route Litestar app with ``kind`` telemetry, and how to read its exposition."""
    from litestar import Litestar, get
    from litestar.plugins.opentelemetry import OpenTelemetryConfig
    from litestar.plugins.prometheus import PrometheusConfig
    from prometheus_client import REGISTRY, generate_latest

    from adapters.inbound.http.edge import Edge
    from adapters.outbound.prometheus.metrics import PrometheusMetrics

    @get("/items/{item_id:str}", sync_to_thread=False)
    def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    if kind == "bare":
        return Litestar([item], logging_config=None), lambda: ""
    if kind.startswith("litestar-plugins"):
        prefix = f"bench{time.monotonic_ns()}"
        prometheus = PrometheusConfig(
            app_name="bench",
            prefix=prefix,
            group_path=kind.endswith("grouped"),  # label by route template, not the raw path
        )
        plugged: Any = Litestar(
            [item],
            middleware=[prometheus.middleware, OpenTelemetryConfig().middleware],
            logging_config=None,
        )
        return plugged, lambda: "\n".join(
            line for line in generate_latest(REGISTRY).decode().splitlines() if prefix in line
        )
    metrics = PrometheusMetrics()
    app: Any = Edge(Litestar([item], logging_config=None), metrics, timeout_s=30.0)
    return app, lambda: generate_latest(metrics.registry).decode()


async def _drive(app: Any, path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _edge(requests: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    kinds = ("bare", "litestar-plugins", "litestar-plugins-grouped", "ours")
    for kind in kinds:
        app, exposition = _asgi_app(kind)
        async with contextlib.AsyncExitStack() as stack:
            if hasattr(app, "lifespan"):
                await stack.enter_async_context(app.lifespan())
            for i in range(200):  # warm up
                await _drive(app, f"/items/w{i}")
            samples = []
            for i in range(requests):
                began = time.perf_counter()
                assert await _drive(app, f"/items/{i}") == 200
                samples.append(time.perf_counter() - began)
            for i in range(100):
                assert await _drive(app, f"/nowhere/{i}") == 404
            text = exposition()
            results[kind] = {
                **per_call_us(samples),
                # One request counter per app: its series for /items/<id> and for 404s.
                "request_series_for_item_paths": sum(
                    1 for line in text.splitlines() if "/items/" in line and "_total{" in line
                ),
                "request_series_for_404s": sum(
                    1 for line in text.splitlines() if '"404"' in line and "_total{" in line
                ),
            }
    bare = results["bare"]["median_us"]
    for kind in kinds[1:]:
        results[kind]["overhead_median_us"] = results[kind]["median_us"] - bare
    return results


def edge(requests: int) -> dict[str, Any]:
    """Run the edge comparison on a fresh event loop."""
    return asyncio.run(_edge(requests))
