"""Who is calling: a bearer token (header or WebSocket subprotocol) or the session cookie."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.connection import ASGIConnection

from adapters import log_context
from adapters.inbound.http.state import services_of
from wildside.domain.accounts import User
from wildside.domain.errors import AuthenticationError
from wildside.ports.product_analytics import anonymous_id

SESSION_USER = "user_id"
SESSION_EXPIRES = "expires_at"  # unix seconds: a stolen cookie stops working at this time
WS_PROTOCOL = "wildside.v1"
BEARER_PROTOCOL_PREFIX = "bearer."
# Tokens never travel in URLs (logs, referrers): their presence refuses the handshake.
FORBIDDEN_QUERY_KEYS = frozenset({"token", "access_token", "bearer", "authorization", "api_key"})


async def current_user(request: Request[Any, Any, Any]) -> User:
    """Authenticate an HTTP request: ``Authorization: Bearer`` first, then the session.

    A Litestar dependency: the parameter must be called ``request``.
    """
    header = request.headers.get("authorization")
    if header is not None:
        user = await _token_user(request, _bearer_from_header(header))
    else:
        user = await session_user(request)
    log_context.user.set(anonymous_id(user.id))  # log lines name a pseudonym, never the user
    return user


async def websocket_user(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[User, str | None]:
    """Authenticate a WebSocket handshake; return the user and the subprotocol to select.

    The client offers ``wildside.v1`` and ``bearer.<token>``; the server
    selects ``wildside.v1`` (never echoing the token). Without a bearer
    subprotocol the session cookie is used.
    """
    if FORBIDDEN_QUERY_KEYS & {key.lower() for key in connection.query_params}:
        raise AuthenticationError("tokens are not accepted in the URL; use the subprotocol")
    offered = _offered_protocols(connection.headers.get("sec-websocket-protocol"))
    selected = WS_PROTOCOL if WS_PROTOCOL in offered else None
    token = offered_bearer_token(connection)
    if token is not None:
        if selected is None:
            raise AuthenticationError(f"offer the {WS_PROTOCOL!r} subprotocol with the token")
        return await _token_user(connection, token), selected
    return await session_user(connection), selected


def offered_bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of the first ``bearer.<token>`` subprotocol offered; ``None``: a cookie socket."""
    offered = _offered_protocols(connection.headers.get("sec-websocket-protocol"))
    tokens = [
        p[len(BEARER_PROTOCOL_PREFIX) :] for p in offered if p.startswith(BEARER_PROTOCOL_PREFIX)
    ]
    return tokens[0] if tokens else None


async def socket_user_again(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    """Check an open WebSocket's credential again (the token is revoked, the session over?).

    The same credential as the handshake: the offered token, else the session
    cookie. ``AuthenticationError`` if it no longer holds.
    """
    token = offered_bearer_token(connection)
    return await (session_user(connection) if token is None else _token_user(connection, token))


async def session_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    """The user of a live session cookie."""
    session = connection.scope.get("session") or {}
    user_id = session.get(SESSION_USER) if isinstance(session, dict) else None
    expires = session.get(SESSION_EXPIRES, 0) if isinstance(session, dict) else 0
    if not isinstance(user_id, str) or not isinstance(expires, int | float):
        raise AuthenticationError("send 'Authorization: Bearer <token>' or log in first")
    accounts = services_of(connection).accounts
    return await to_thread.run_sync(accounts.session_user, user_id, float(expires))


async def _token_user(connection: ASGIConnection[Any, Any, Any, Any], token: str) -> User:
    accounts = services_of(connection).accounts
    return await to_thread.run_sync(accounts.authenticate_token, token)


def _bearer_from_header(header: str) -> str:
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def _offered_protocols(header: str | None) -> list[str]:
    return [p.strip() for p in (header or "").split(",") if p.strip()]
