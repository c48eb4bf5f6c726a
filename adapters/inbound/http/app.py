"""Build the Litestar application: routes, errors as problems, sessions, OpenAPI, lifespan."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, WebSocketDisconnect
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.serialization import encode_json
from litestar.types import Scope

from adapters.inbound.http import openapi_fixes
from adapters.inbound.http.account import AccountController
from adapters.inbound.http.admin import AdminController
from adapters.inbound.http.allow_header import correct_allow
from adapters.inbound.http.edge import Edge
from adapters.inbound.http.places import PlaceController
from adapters.inbound.http.preferences import PreferencesController
from adapters.inbound.http.problems import (
    http_exception_handler,
    internal_error_handler,
    wildside_error_handler,
)
from adapters.inbound.http.routes import RouteController
from adapters.inbound.http.saved_routes import SavedRouteController
from adapters.inbound.http.services import HttpServices, HttpSettings, Telemetry
from adapters.inbound.http.sessions import TolerantCookieConfig
from adapters.inbound.http.system import SystemController
from adapters.inbound.http.tiles import TileController
from adapters.inbound.http.web import web_routes
from adapters.inbound.http.ws import status_socket
from wildside.domain.errors import ConfigurationError, WildsideError

log = logging.getLogger(__name__)

SESSION_KEY_BYTES = 64  # the seed's format: one base64-encoded 64-byte key in a secret file
SESSION_COOKIE = "session"

ServicesFactory = Callable[[], AbstractAsyncContextManager[HttpServices]]


def read_session_key(path: Path | None, variable: str) -> bytes:
    """Read the base64 key file; a clear ``ConfigurationError`` if missing or the wrong size."""
    if path is None:
        raise ConfigurationError(
            f"{variable} is not set; it must name a session key file", variable=variable
        )
    try:
        raw = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"cannot read the session key file {path}: {exc}", variable=variable
        ) from exc
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ConfigurationError(
            f"the session key file {path} is not base64", variable=variable
        ) from exc
    if len(key) != SESSION_KEY_BYTES:
        raise ConfigurationError(
            f"the session key in {path} is {len(key)} bytes; it must be {SESSION_KEY_BYTES} "
            "(make one with: head -c 64 /dev/urandom | base64 -w0)",
            variable=variable,
        )
    return key


def session_config(settings: HttpSettings) -> TolerantCookieConfig:
    """Encrypted and signed (AES-256-GCM) cookie sessions.

    Litestar takes a 32-byte AES key; it is derived from the 64-byte secret
    with HKDF-SHA256, so the whole secret counts and the file format stays
    the seed's. A cookie that cannot be read is no session, never an error.
    """
    aes_key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"wildside session cookie v1"
    ).derive(settings.session_key)
    return TolerantCookieConfig(
        secret=aes_key,
        key=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


async def log_socket_error(exc: Exception, scope: Scope) -> None:
    """Log an unexpected error of a WebSocket handler once, with its traceback.

    Litestar closes the socket (code 4500 or 1011) and, without its logging
    config, would say nothing; HTTP errors are logged by their handlers.
    """
    if scope["type"] == ScopeType.WEBSOCKET and not isinstance(
        exc, WebSocketDisconnect | HTTPException
    ):
        log.error("unhandled error on WebSocket %s", scope.get("path"), exc_info=exc)


def create_app(services: ServicesFactory, settings: HttpSettings, telemetry: Telemetry) -> Edge:
    """The ASGI app: Litestar inside the metrics and timeout edge.

    ``services`` is entered in the lifespan (pools open on start-up, close on
    shutdown), so creating the app touches no network.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with services() as opened:
            app.state.services = opened
            yield

    litestar = Litestar(
        route_handlers=[
            RouteController,
            AccountController,
            AdminController,
            SystemController,
            status_socket,
            PlaceController,
            SavedRouteController,
            PreferencesController,
            TileController,  # public map data, in the tile gateway's URL scheme
            *web_routes(),  # the map page: public static files, not in the OpenAPI document
        ],
        lifespan=[lifespan],
        middleware=[session_config(settings).middleware],
        exception_handlers={
            WildsideError: wildside_error_handler,
            HTTPException: http_exception_handler,
            Exception: internal_error_handler,
        },
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Wildside",
            version="1.0.0",
            description=(
                "Walking tours through the most interesting nearby places. Authenticate with "
                "`Authorization: Bearer <token>` or the session cookie from `/api/v1/login`. "
                "Errors are RFC 9457 `application/problem+json`. The WebSocket `/ws` is "
                "described in docs/api.md."
            ),
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                    "session": SecurityScheme(
                        type="apiKey", name=SESSION_COOKIE, security_scheme_in="cookie"
                    ),
                }
            ),
        ),
        debug=False,
        # Logging is the process's (adapters/log_format.py, set up before the app is built):
        # Litestar's default config would replace the root handler with its own queue
        # handler, plain text, no request id, and lose queued lines when the process exits.
        # Unexpected errors are logged once: by internal_error_handler for HTTP, by
        # log_socket_error for WebSockets (Litestar has no handlers for those).
        logging_config=None,
        after_exception=[log_socket_error],
        before_send=[correct_allow],
    )
    litestar.state.http_settings = settings
    openapi_fixes.apply(litestar)
    return Edge(litestar, telemetry, settings.request_timeout_s)


def openapi_document(settings: HttpSettings) -> dict[str, object]:
    """The OpenAPI document, built without any service (for docs and client generators).

    The app is built with ``settings`` as ``wildside serve`` builds it; no
    service is opened, so the session key is never used.
    """

    class _NoTelemetry:
        content_type = "text/plain"

        def request_finished(self, path: str, method: str, status: int, seconds: float) -> None:
            """Ignore."""

        def websocket_opened(self) -> None:
            """Ignore."""

        def websocket_closed(self) -> None:
            """Ignore."""

        def websocket_message(self, direction: str) -> None:
            """Ignore."""

        def render(self) -> bytes:
            """Nothing."""
            return b""

    def no_services() -> AbstractAsyncContextManager[HttpServices]:
        raise RuntimeError("the OpenAPI document needs no services")

    edge = create_app(no_services, settings, _NoTelemetry())
    # Litestar's encoder, as the served /schema/openapi.json (examples hold Structs).
    document: dict[str, object] = json.loads(encode_json(edge.app.openapi_schema.to_schema()))
    return document
