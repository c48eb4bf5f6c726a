"""The route history on the wire: opaque page cursors and each request's summary."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

import msgspec

from adapters.inbound.http.wire import PointIn, RouteRequestBody, RouteRequestSummary
from wildside.ports.route_request_store import HistoryPosition, RouteRequestRecord

MAX_CURSOR_CHARS = 200  # a real one is about 90


class InvalidCursorError(ValueError):
    """A ``cursor`` this API did not give out (or one damaged on the way)."""


def encode_cursor(position: HistoryPosition) -> str:
    """The position as an opaque URL-safe string (clients only pass it back).

    Examples
    --------
    >>> from datetime import UTC
    >>> at = datetime(2026, 1, 1, tzinfo=UTC)
    >>> p = HistoryPosition(at, "0f9c2d4e-6a1b-4c3d-8e5f-7a9b1c3d5e7f")
    >>> decode_cursor(encode_cursor(p)) == p
    True
    """
    raw = msgspec.json.encode([position.created_at.isoformat(), position.request_id])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> HistoryPosition:
    """Inverse of :func:`encode_cursor`; ``InvalidCursorError`` for anything else."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursorError("the cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, request_id = msgspec.json.decode(raw, type=tuple[str, str])
        created_at = datetime.fromisoformat(at)
        canonical = str(uuid.UUID(request_id))
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidCursorError("the cursor is not one this API gave out") from exc
    if created_at.tzinfo is None:
        raise InvalidCursorError("the cursor is not one this API gave out")
    return HistoryPosition(created_at, canonical)


def summary(record: RouteRequestRecord) -> RouteRequestSummary:
    """The wire form of one stored request (no route: fetch it by its id)."""
    spec = record.spec
    return RouteRequestSummary(
        request_id=record.request_id,
        status=record.status.value,
        progress=record.progress,
        error=record.error,
        created_at=_timestamp(record.created_at),
        updated_at=_timestamp(record.updated_at),
        request=RouteRequestBody(
            start=PointIn(spec.start.lat, spec.start.lng),
            duration_minutes=spec.duration_minutes,
            preferences=list(spec.themes),  # type: ignore[arg-type]
            end=None if spec.end is None else PointIn(spec.end.lat, spec.end.lng),
            seed=spec.seed,
            pace=spec.pace_m_s,
        ),
    )


def _timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, as the status messages write it."""
    return at.isoformat().replace("+00:00", "Z")
