"""A test-only ASGI wrapper: the ``x-test-client`` header sets the client address the app sees.

Behind uvicorn the address is the peer's (or, from trusted proxies, the one in
``X-Forwarded-For``); the in-process test client always says ``testclient``.
"""

from __future__ import annotations

from typing import Any

HEADER = "x-test-client"


class ClientAddress:
    """Wraps an ASGI app; a request with ``x-test-client: <address>`` comes from there."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Rewrite ``scope["client"]`` when the header is present."""
        for name, value in scope.get("headers", []):
            if name == HEADER.encode():
                scope = {**scope, "client": (value.decode("latin-1"), 40000)}
        await self.app(scope, receive, send)


def from_address(address: str) -> dict[str, str]:
    """The header that makes a request come from ``address``."""
    return {HEADER: address}
