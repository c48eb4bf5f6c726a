"""Every ``OPTIONS`` answer's ``Allow`` names exactly the methods its path documents."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.inbound.http.app import create_app, openapi_document
from adapters.inbound.http.services import HttpServices
from tests.support import defaults
from tests.support.http_services import SilentTelemetry, http_services


def test_allow_lists_every_documented_method_of_the_path() -> None:
    # Given the app (no services: OPTIONS needs none) and its OpenAPI document
    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[Any]:
        yield None

    app = create_app(opened, defaults.http_settings(), SilentTelemetry())  # type: ignore[arg-type]
    document = openapi_document(defaults.http_settings())
    with TestClient(app, base_url="https://testserver.local") as client:  # type: ignore[arg-type]
        for path, operations in document["paths"].items():  # type: ignore[attr-defined]
            # When a client asks what a path allows
            concrete = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000001", path)
            answer = client.options(concrete)
            # Then it names each documented method (two on one path included), and OPTIONS
            documented = {method.upper() for method in operations} | {"OPTIONS"}
            allowed = {m.strip() for m in answer.headers["allow"].split(",")}
            assert allowed == documented, path


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

    app = create_app(opened, defaults.http_settings(), SilentTelemetry())  # type: ignore[arg-type]
    with TestClient(app) as client:
        answer = client.options(path)
    assert answer.status_code == 204
    assert answer.headers["allow"] == allow
