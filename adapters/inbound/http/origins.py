"""Which page may open a cookie-authenticated WebSocket: the Origin check (pure functions).

A browser attaches the session cookie to a WebSocket handshake whatever page
opens it, and the same-origin policy does not apply to WebSockets, so without
this check any site could open a socket as the logged-in user (cross-site
WebSocket hijacking). Browsers always send ``Origin`` on a WebSocket
handshake and a page cannot forge it or ``Host``.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def is_allowed_origin(origin: str | None, host: str | None, allowed: Collection[str]) -> bool:
    """Whether a cookie socket with this ``Origin`` may open on a request for ``Host``.

    Allowed: the origin names the request's own host and port (the scheme is
    not compared: behind a TLS-terminating proxy the server cannot see it), or
    it is one of ``allowed`` (exact origins such as ``https://app.example.com``).
    A handshake without ``Origin`` comes from no browser page, so no other
    site can have made it: it is allowed. ``Origin: null`` (sandboxed frames,
    ``file:`` pages) and anything unparsable are refused.

    >>> is_allowed_origin("https://wildside.example", "wildside.example", ())
    True
    >>> is_allowed_origin("https://evil.example", "wildside.example", ())
    False
    >>> is_allowed_origin("https://app.example", "api.example", ("https://app.example",))
    True
    """
    if origin is None:
        return True
    parsed = _origin(origin)
    if parsed is None:
        return False
    scheme, hostname, port = parsed
    if any(_origin(entry) == parsed for entry in allowed):
        return True
    return host is not None and _host(host, _DEFAULT_PORTS[scheme]) == (hostname, port)


def _origin(value: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of a serialised origin, or ``None`` if it is not one."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


def _host(value: str, default_port: int) -> tuple[str, int] | None:
    """``(host, port)`` of a ``Host`` header; the port defaults to the origin scheme's."""
    try:
        parts = urlsplit("//" + value.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.path or parts.username:
        return None
    return parts.hostname.lower(), port if port is not None else default_port
