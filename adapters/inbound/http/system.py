"""Operations endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import logging
from typing import Any

from anyio import to_thread
from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from adapters.inbound.http.problems import MEDIA_TYPE, Problem, problem
from adapters.inbound.http.state import services_of
from adapters.inbound.http.wire import Health
from wildside.domain.errors import UnavailableError

log = logging.getLogger(__name__)


class SystemController(Controller):
    """Unauthenticated: probes and scrapes come from inside the cluster."""

    tags = ["operations"]  # noqa: RUF012 - Litestar reads these as class attributes

    @get("/health/live", summary="Liveness", cache_control=None)
    async def live(self) -> Health:
        """The process answers (no dependency is checked)."""
        return Health(status="ok")

    @get(
        "/health/ready",
        summary="Readiness",
        description="Checks PostgreSQL and Redis; `503` problem if either does not answer.",
        responses={
            503: ResponseSpec(
                data_container=Problem,
                generate_examples=False,
                description="A dependency is down",
                media_type=MEDIA_TYPE,
            )
        },
    )
    async def ready(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Every dependency answers."""
        checks: dict[str, str] = {}
        for probe in services_of(request).probes:
            try:
                await to_thread.run_sync(probe.check, abandon_on_cancel=True)
                checks[probe.name] = "ok"
            except UnavailableError as exc:
                # The reason names hosts and ports: for the log, not for whoever asks.
                log.warning("readiness: %s unavailable: %s", probe.name, exc.message)
                checks[probe.name] = "unavailable"
        if all(state == "ok" for state in checks.values()):
            return Response(Health(status="ok", checks=checks))
        down = ", ".join(name for name, state in checks.items() if state != "ok")
        return problem(
            503,
            "service-unavailable",
            f"not ready: {down} unavailable",
            headers={"Retry-After": "5"},
            checks=checks,
        )

    @get("/metrics", summary="Prometheus metrics", media_type="text/plain; version=0.0.4")
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """This process's metrics in Prometheus text format."""
        telemetry = services_of(request).telemetry
        return Response(telemetry.render(), media_type=telemetry.content_type)
