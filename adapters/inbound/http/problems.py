"""RFC 9457 problem details for every error, the framework's own included."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from adapters import log_context
from wildside.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidCursorError,
    InvalidInputError,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnavailableError,
    WildsideError,
)
from wildside.domain.route_result import UnreadableRouteResultError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "/problems/"  # a relative URI reference; docs/api.md lists every type
UNAVAILABLE_RETRY_S = 5
# Said to the caller whatever is down: which service, its address or the driver's
# words are for the log (which has the request id the problem's instance carries).
UNAVAILABLE_DETAIL = "a service is temporarily unavailable; retry after Retry-After seconds"
MAX_TEXT_CHARS = 200  # no problem field echoes more of anything a caller sent
MAX_LOGGED_PATH_CHARS = 200
MAX_ERRORS = 20
# Litestar reports a header parameter by its Python name; clients know the header.
_WIRE_NAMES = {"idempotency_key": "Idempotency-Key"}

_STATUS_BY_ERROR: list[tuple[type[WildsideError], int]] = [
    (InvalidCursorError, 400),  # a token the client should have passed back untouched
    (InvalidInputError, 422),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (RateLimitedError, 429),
    (UnavailableError, 503),
    (JobTimeoutError, 504),
    (UnreadableRouteResultError, 410),
]
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Timed out",
}
_CODES = {
    400: "malformed-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
    500: "internal-error",
    503: "service-unavailable",
    504: "timeout",
}


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document (``code`` is the stable machine-readable suffix of ``type``)."""

    type: str
    title: str
    status: int
    code: str
    detail: str = ""
    instance: str | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None
    request_id: str | None = None
    retry_after: int | None = None
    checks: dict[str, str] | None = None


def problem(
    status: int,
    code: str | None = None,
    detail: str = "",
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[Problem]:
    """A problem+json response; ``instance`` defaults to this request's id (``X-Request-ID``)."""
    code = code or _CODES.get(status, "error")
    body = Problem(
        type=TYPE_PREFIX + code,
        title=_TITLES.get(status, "Error"),
        status=status,
        code=code,
        detail=detail,
        instance=instance or request_instance(),
        **{k: v for k, v in extra.items() if v is not None},
    )
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers or {})


def request_instance() -> str | None:
    """The problem's ``instance``: a URN naming this request's id, never the raw path.

    The id is the edge's (``X-Request-ID``, sanitised there, or a fresh one);
    log lines carry the same id, so an operator finds the request from it.
    """
    request_id = log_context.request_id.get()
    return None if request_id is None else instance_for(request_id)


def instance_for(request_id: str) -> str:
    """``urn:wildside:request:<id>``: opaque to clients, the key to the server's logs."""
    return f"urn:wildside:request:{request_id}"


def loggable_path(request: Request[Any, Any, Any]) -> str:
    """The request path for a log line, cut to a sane length (paths are the caller's input)."""
    return bounded(request.url.path, MAX_LOGGED_PATH_CHARS)


def bounded(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_for(error: WildsideError) -> int:
    """The HTTP status of a domain error (500 for anything unexpected)."""
    for kind, status in _STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 500


def wildside_error_handler(
    request: Request[Any, Any, Any], exc: WildsideError
) -> Response[Problem]:
    """Domain errors: the status by kind, the error's own code and message."""
    status = status_for(exc)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {"field": getattr(exc, "field", None)}
    if isinstance(exc, RateLimitedError):
        headers = {
            "Retry-After": str(exc.retry_after_s),
            "RateLimit-Limit": str(exc.limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(exc.reset_s),
        }
        extra["retry_after"] = exc.retry_after_s
    elif isinstance(exc, UnavailableError):
        log.warning("%s unavailable: %s", exc.service, exc.message)
        return problem(
            503,
            exc.code,
            UNAVAILABLE_DETAIL,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_S)},
            retry_after=UNAVAILABLE_RETRY_S,
        )
    elif isinstance(exc, AuthenticationError):
        headers = {"WWW-Authenticate": 'Bearer realm="wildside"'}
    if status == 500:
        log.error("unexpected %s: %s", type(exc).__name__, exc.message)
        return problem(500, "internal-error", "an internal error occurred")
    # Messages may quote the caller's input (an unknown request id from the path): bounded.
    return problem(status, exc.code, bounded(exc.message), headers=headers, **extra)


def http_exception_handler(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Problem]:
    """The framework's own errors (404, 405, 413, 415, body validation) as problems."""
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra:
        return problem(
            422,
            "validation-error",
            "the request does not match the schema",
            errors=[_schema_error(e) for e in exc.extra[:MAX_ERRORS] if isinstance(e, dict)],
        )
    if status >= 500:
        log.error("framework error %s on %s", status, loggable_path(request))
        return problem(status, headers=headers)
    if isinstance(exc, ValidationException):
        # Litestar's own text names the method and the whole URL: say it without them.
        return problem(status, detail="the request is malformed", headers=headers)
    return problem(status, detail=bounded(str(exc.detail).strip()), headers=headers)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """Anything unexpected: logged with its traceback, answered without details."""
    log.exception("unhandled error on %s %s", request.method, loggable_path(request), exc_info=exc)
    return problem(500, "internal-error", "an internal error occurred")


def _schema_error(error: dict[str, Any]) -> dict[str, Any]:
    key = str(error.get("key"))
    return {
        "key": _WIRE_NAMES.get(key, bounded(key)),
        "message": bounded(str(error.get("message"))),
    }
