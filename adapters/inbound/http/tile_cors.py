"""CORS for ``/tiles`` alone, as the chart's ``martin.cors`` gives it to Martin's tiles."""

from __future__ import annotations

from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

from adapters.inbound.http.services import HttpSettings


def cors_headers(allowed: tuple[str, ...], origin: str | None) -> list[tuple[bytes, bytes]]:
    """``Access-Control-Allow-Origin`` for an allowed ``Origin`` (``*``: any); none by default.

    With a list of origins the answer depends on ``Origin``, so it says so
    (``Vary``) whether or not this one was allowed: a shared cache must not
    hand one origin's answer to another.

    >>> cors_headers((), "https://a.example")
    []
    >>> cors_headers(("*",), None)
    [(b'access-control-allow-origin', b'*')]
    >>> cors_headers(("https://a.example",), "https://A.example")
    [(b'access-control-allow-origin', b'https://A.example'), (b'vary', b'Origin')]
    """
    if not allowed:
        return []
    if "*" in allowed:
        return [(b"access-control-allow-origin", b"*")]
    if origin is not None and origin.lower() in allowed:
        return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]
    return [(b"vary", b"Origin")]


def tile_cors(app: ASGIApp) -> ASGIApp:
    """CORS for ``/tiles`` only, as Martin's ``cors`` setting gives it in the chart.

    Litestar's ``CORSConfig`` is the whole app's; the API's own routes must
    stay same-origin, so this answers the tiles' preflights and marks their
    answers itself (Litestar's automatic ``OPTIONS`` answer knows no CORS).
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        settings: HttpSettings = scope["litestar_app"].state.http_settings
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        origin = headers.get(b"origin")
        grant = cors_headers(
            settings.tile_cors_origins, None if origin is None else origin.decode("latin-1")
        )
        is_granted = any(name == b"access-control-allow-origin" for name, _ in grant)
        if scope.get("method") == "OPTIONS" and is_granted:
            extra = [
                (b"allow", b"GET, OPTIONS"),
                (b"access-control-allow-methods", b"GET"),
                (b"access-control-max-age", str(settings.tile_cors_max_age_s).encode()),
            ]
            if asked := headers.get(b"access-control-request-headers"):
                extra.append((b"access-control-allow-headers", asked))
            start: HTTPResponseStartEvent = {
                "type": "http.response.start",
                "status": 204,
                "headers": grant + extra,
            }
            await send(start)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def send_with_grant(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *grant]
            await send(message)

        await app(scope, receive, send_with_grant)

    return middleware
