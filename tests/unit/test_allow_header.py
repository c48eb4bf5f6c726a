"""Every ``OPTIONS`` answer's ``Allow`` names exactly the methods its path documents."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

from litestar.testing import TestClient

from adapters.inbound.http.app import create_app, openapi_document
from tests.support import defaults


class _Telemetry:
    content_type = "text/plain"

    def request_finished(self, path: str, method: str, status: int, seconds: float) -> None: ...
    def websocket_opened(self) -> None: ...
    def websocket_closed(self) -> None: ...
    def websocket_message(self, direction: str) -> None: ...
    def render(self) -> bytes:
        return b""


def test_allow_lists_every_documented_method_of_the_path() -> None:
    # Given the app (no services: OPTIONS needs none) and its OpenAPI document
    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[Any]:
        yield None

    app = create_app(opened, defaults.http_settings(), _Telemetry())  # type: ignore[arg-type]
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
