"""``OPTIONS`` names every method of a path that has several handlers (a Litestar 2.25 gap)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.inbound.http.app import create_app
from adapters.inbound.http.services import HttpServices
from tests.support import defaults
from tests.support.http_services import http_services
from tests.unit.test_ws_session import Telemetry


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v1/routes", "GET, OPTIONS, POST"),
        ("/api/v1/routes/0f9c2d4e-6a1b-4c3d-8e5f-7a9b1c3d5e7f", "DELETE, GET, OPTIONS"),
        ("/api/v1/login", "OPTIONS, POST"),
    ],
)
def test_options_lists_every_method_of_the_path(path: str, allow: str) -> None:
    # No handler runs: OPTIONS is answered before any service is asked for.
    services: Any = http_services()

    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[HttpServices]:
        yield services

    app = create_app(opened, defaults.http_settings(), Telemetry())  # type: ignore[arg-type]
    with TestClient(app) as client:
        answer = client.options(path)
    assert answer.status_code == 204
    assert answer.headers["allow"] == allow
