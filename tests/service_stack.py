"""The service in-process: the real Litestar app, PostgreSQL, Redis and a Dramatiq worker.

Only the engine may be swapped (``FakePlanner``) so a scenario can hold a job,
fail it or slow it; everything between HTTP and the database is the code that
runs in production.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dramatiq
import msgspec
import pytest
from litestar.testing import TestClient

from adapters.composition.policies import enrichment_time_limit_ms, route_job_retry_policy
from adapters.composition.processes import build_http_app
from adapters.composition.service import accounts, open_resources, worker_services
from adapters.inbound.worker.actors import declare_actors
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from adapters.settings import Settings, load_settings
from tests.fakes.planner import FakePlanner
from wildside.app.generate_route import TourPlanner
from wildside.ports.route_job_queue import ROUTE_QUEUE

BASE_URL = "https://testserver.local"  # https: the session cookie is Secure
HELSINKI = {"lat": 60.1712, "lng": 24.9441}
ROUTE_BODY = {"start": HELSINKI, "duration_minutes": 60, "preferences": ["history", "nature"]}


def service_settings(database_url: str, redis_url: str, run_dir: Path, **changes: Any) -> Settings:
    """Settings for a test stack: its own session key, fast queue maintenance."""
    key = run_dir / "session.key"
    if not key.exists():
        key.write_text(base64.b64encode(os.urandom(64)).decode())
    base = load_settings(
        {
            "WILDSIDE_DATABASE_URL": database_url,
            "WILDSIDE_REDIS_URL": redis_url,
            "WILDSIDE_SESSION_KEY_FILE": str(key),
            "WILDSIDE_RUN_DIR": str(run_dir),
            "WILDSIDE_QUEUE_MAINTENANCE_CHANCE": "1000000",
        }
    )
    return msgspec.structs.replace(base, **changes)


@dataclass
class InProcessWorker:
    """A Dramatiq worker thread over the real broker, with the planner the test chose."""

    settings: Settings
    planner: TourPlanner | None
    metrics: PrometheusMetrics = field(default_factory=PrometheusMetrics)
    enrich_area: Callable[[Any], object] | None = None
    enrichment: Callable[[Any, int], object] | None = None
    _stack: Any = None
    _worker: dramatiq.Worker | None = None

    def start(self) -> None:
        import contextlib

        self._stack = contextlib.ExitStack()
        resources = self._stack.enter_context(open_resources(self.settings, pool_size=3))
        services = worker_services(
            resources,
            self.metrics,
            enrich_area=self.enrich_area or (lambda job: None),
            enrichment=self.enrichment,
            planner=self.planner,
        )
        declare_actors(
            resources.broker,
            services,
            dataclasses.replace(
                route_job_retry_policy(self.settings),
                max_retries=1,
                min_backoff_ms=100,
                max_backoff_ms=200,
            ),
            enrichment_time_limit_ms=enrichment_time_limit_ms(self.settings),
            telemetry=self.metrics,
        )
        resources.broker.emit_after("process_boot")
        self._worker = dramatiq.Worker(resources.broker, queues={ROUTE_QUEUE}, worker_threads=1)
        self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop(timeout=5_000)
        if self._stack is not None:
            self._stack.close()


@dataclass
class Stack:
    """An API client plus helpers to make users and start workers."""

    settings: Settings
    client: TestClient[Any]
    workers: list[InProcessWorker] = field(default_factory=list)

    def user(self, name: str, password: str | None = None, *, is_admin: bool = False) -> str:
        """Create a user; return their bearer token."""
        with open_resources(self.settings, pool_size=1) as resources:
            return accounts(resources).create_user(name, password, is_admin=is_admin).secret

    def auth(self, token: str) -> dict[str, str]:
        """The Authorization header for ``token``."""
        return {"Authorization": f"Bearer {token}"}

    def start_worker(
        self, planner: TourPlanner | None = None, *, real_engine: bool = False
    ) -> InProcessWorker:
        """Run a worker in this process (the real engine on request); it stops with the test."""
        worker = InProcessWorker(self.settings, None if real_engine else planner or FakePlanner())
        worker.start()
        self.workers.append(worker)
        return worker

    def plan(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        """Submit ``body`` as ``token``'s route request and return the finished document."""
        response = self.client.post("/api/v1/routes", json=body, headers=self.auth(token))
        assert response.status_code == 202, response.text
        location = f"/api/v1/routes/{response.json()['request_id']}"

        def finished() -> dict[str, Any] | None:
            got = self.client.get(location, headers=self.auth(token))
            return got.json() if got.status_code == 200 else None

        document: dict[str, Any] = wait_for(finished)
        return document


@pytest.fixture
def make_stack(
    migrated_database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[Callable[..., Stack]]:
    """Build a stack with optional setting changes (e.g. a low rate limit)."""
    stacks: list[tuple[Stack, Any]] = []

    def build(**changes: Any) -> Stack:
        urls = {"database_url": migrated_database_url, "redis_url": redis_url}
        settings = service_settings(**{**urls, **changes}, run_dir=tmp_path)
        client: TestClient[Any] = TestClient(app=build_http_app(settings), base_url=BASE_URL)  # type: ignore[arg-type]
        client.__enter__()
        stack = Stack(settings, client)
        stacks.append((stack, client))
        return stack

    yield build
    for stack, client in stacks:
        for worker in stack.workers:
            worker.stop()
        client.__exit__(None, None, None)


@pytest.fixture
def stack(make_stack: Callable[..., Stack]) -> Stack:
    """A stack with default settings."""
    return make_stack()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll ``predicate`` until it returns something truthy."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


__all__ = ["BASE_URL", "HELSINKI", "ROUTE_BODY", "Stack", "threading", "wait_for"]
