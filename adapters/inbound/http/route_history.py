"""The route history on the wire: opaque page cursors and each request's summary."""

from __future__ import annotations

from datetime import datetime

from adapters.inbound.http.time_cursor import decode_time_cursor, encode_time_cursor
from adapters.inbound.http.wire import PointIn, RouteRequestBody, RouteRequestSummary, end_out
from wildside.ports.route_request_store import HistoryPosition, RouteRequestRecord


def encode_cursor(position: HistoryPosition) -> str:
    """The position as an opaque cursor (``time_cursor``)."""
    return encode_time_cursor(position.created_at, position.request_id)


def decode_cursor(cursor: str) -> HistoryPosition:
    """Inverse of :func:`encode_cursor`; ``InvalidCursorError`` (a 400) for anything else."""
    return HistoryPosition(*decode_time_cursor(cursor))


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
            end=end_out(spec),
            seed=spec.seed,
            pace=spec.pace_m_s,
            alternatives=spec.alternatives,
            start_time=spec.start_time,
        ),
    )


def _timestamp(at: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, as the status messages write it."""
    return at.isoformat().replace("+00:00", "Z")
