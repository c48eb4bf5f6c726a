"""``/ws`` live guidance: ``location`` messages in, ``guidance`` messages (or errors) out.

Each fix is decoded strictly, handed to the connection's ``WalkSession`` and
forgotten: the answer never repeats the walker's position, and no log line
here carries one (only error codes are logged).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from wildside.app.guide_walk import WalkSession
from wildside.domain.accounts import User
from wildside.domain.errors import (
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    WildsideError,
)
from wildside.domain.geo import GeoPoint
from wildside.domain.guidance import Guidance, LocationFix, Target

log = logging.getLogger(__name__)

MAX_ACCURACY_M = 5_000.0  # a fix vaguer than this guides no one; refused as invalid
ROUTE_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,64}$"  # request ids and saved-route ids are UUIDs

RouteId = Annotated[str, Meta(pattern=ROUTE_ID_PATTERN)]


class LocationMessage(msgspec.Struct, forbid_unknown_fields=True):
    """``{"type": "location", "route", "lat", "lng", "accuracy_m", "timestamp"}``."""

    type: Literal["location"]
    route: RouteId
    lat: Annotated[float, Meta(ge=-90.0, le=90.0)]
    lng: Annotated[float, Meta(ge=-180.0, le=180.0)]
    accuracy_m: Annotated[float, Meta(ge=0.0, le=MAX_ACCURACY_M)]
    timestamp: Annotated[datetime, Meta(tz=True)]


class _Kind(msgspec.Struct):
    """Just enough of any message to choose its decoder."""

    type: str = ""


_kind_decoder = msgspec.json.Decoder(_Kind)
location_decoder = msgspec.json.Decoder(LocationMessage)


def is_location(text: str) -> bool:
    """Whether ``text`` is a JSON object whose ``type`` is ``location`` (anything else: no)."""
    try:
        return _kind_decoder.decode(text).type == "location"
    except (msgspec.DecodeError, UnicodeError):
        return False


async def answer_location(
    walks: WalkSession, user: User, message: LocationMessage
) -> dict[str, Any]:
    """The ``guidance`` message for one fix, or the error message that replaces it."""
    try:
        fix = LocationFix(GeoPoint(message.lat, message.lng), message.accuracy_m, message.timestamp)
        guidance = await walks(user, message.route, fix)
    except Exception as exc:  # every failure becomes a message; the socket keeps serving
        return _error_for(exc, message.route)
    return guidance_message(message.route, guidance, message.timestamp)


def _error_for(exc: Exception, route: str) -> dict[str, Any]:
    """The error message for a failed fix; only codes and tracebacks reach the log, never a fix."""
    if isinstance(exc, RateLimitedError):
        return location_error("rate-limited", exc.message, route, exc.retry_after_s)
    if isinstance(exc, InvalidInputError):
        return location_error("invalid-message", exc.message[:200], route)
    if isinstance(exc, NotFoundError):  # another user's route looks exactly like a missing one
        return location_error("not-found", "no such route with a tour to follow", route)
    if isinstance(exc, WildsideError):
        log.warning("WebSocket guidance failed: %s", exc.code)
        if exc.is_retryable:
            detail = "the route is unavailable; send the next fix shortly"
            return location_error("service-unavailable", detail, route)
        return location_error("internal-error", "the route is unreadable", route)
    log.error("WebSocket guidance failed", exc_info=exc)  # a bug: its traceback, once
    return location_error("internal-error", "the guidance failed", route)


def location_error(
    code: str, detail: str, route: str, retry_after_s: int | None = None
) -> dict[str, Any]:
    """An error answering a location message: names the ``route`` instead of a request id."""
    error: dict[str, Any] = {"type": "error", "code": code, "detail": detail, "route": route}
    if retry_after_s is not None:
        error["retry_after"] = retry_after_s
    return error


def guidance_message(route: str, guidance: Guidance, at: datetime) -> dict[str, Any]:
    """``guidance`` as ``docs/api/ws_guidance.schema.json`` describes it."""
    message: dict[str, Any] = {
        "type": "guidance",
        "route": route,
        "kind": guidance.kind.value,
        "timestamp": at.isoformat(),
        "next": _target(guidance.next),
        "schedule": {
            "status": guidance.schedule.status.value,
            "minutes": guidance.schedule.minutes,
            "elapsed_s": guidance.schedule.elapsed_s,
            "planned_s": guidance.schedule.planned_s,
        },
        "progress_m": guidance.progress_m,
        "path_m": guidance.path_m,
        "visited": list(guidance.visited),
        "remaining_s": guidance.remaining_s,
    }
    if guidance.arrived is not None:
        stop = guidance.arrived
        message["arrived"] = {
            "index": stop.index,
            "id": stop.id,
            "name": stop.name,
            "tip": stop.reason,
        }
    if guidance.way_back is not None:
        back = guidance.way_back
        message["way_back"] = {
            "lat": round(back.lat, 6),
            "lng": round(back.lng, 6),
            "distance_m": back.distance_m,
            "bearing_deg": back.bearing_deg,
        }
    return message


def _target(target: Target) -> dict[str, Any]:
    stop = target.stop
    return {
        "kind": "end" if stop is None else "stop",
        "index": None if stop is None else stop.index,
        "id": None if stop is None else stop.id,
        "name": None if stop is None else stop.name,
        "lat": round(target.lat, 6),
        "lng": round(target.lng, 6),
        "distance_m": target.distance_m,
        "walking_s": target.walking_s,
        "planned_arrival_s": round(target.planned_arrival_s, 1),
    }
