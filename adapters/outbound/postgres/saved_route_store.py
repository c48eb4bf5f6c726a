"""``SavedRouteStore`` on PostgreSQL: ``saved_routes``, no expiry, one copy per user and request."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.values import aware, is_uuid, utc
from adapters.outbound.route_result_codec import decode_route_result, route_result_to_builtins
from wildside.domain.route_spec import RouteSpec
from wildside.domain.saved_routes import SavedRoute, SavedRoutePosition, SavedRouteSummary
from wildside.ports.saved_route_store import Deletion, SavedRouteStore, SavedRouteStoreError

_SUMMARY = """saved_id, user_id, request_id, title, payload, created_at,
       distance_m, stop_count, used_s"""

# The unique (user_id, request_id) decides between concurrent saves of one request.
_INSERT = f"""
INSERT INTO saved_routes (saved_id, user_id, request_id, title, payload, result,
                          distance_m, stop_count, used_s, created_at)
VALUES (%(saved_id)s, %(user_id)s, %(request_id)s, %(title)s, %(payload)s, %(result)s,
        %(distance_m)s, %(stop_count)s, %(used_s)s, %(created_at)s)
ON CONFLICT (user_id, request_id) DO NOTHING
RETURNING {_SUMMARY}
"""

_EXISTING = f"""SELECT {_SUMMARY} FROM saved_routes
WHERE user_id = %(user_id)s AND request_id = %(request_id)s"""

_GET = f"SELECT {_SUMMARY}, result FROM saved_routes WHERE saved_id = %s AND user_id = %s"

# Row comparison walks the (user_id, created_at DESC, saved_id DESC) index.
_FIRST_PAGE = f"""SELECT {_SUMMARY} FROM saved_routes WHERE user_id = %(user_id)s
ORDER BY created_at DESC, saved_id DESC LIMIT %(limit)s"""
_NEXT_PAGE = f"""SELECT {_SUMMARY} FROM saved_routes
WHERE user_id = %(user_id)s AND (created_at, saved_id) < (%(created_at)s, %(saved_id)s)
ORDER BY created_at DESC, saved_id DESC LIMIT %(limit)s"""

_DELETE = "DELETE FROM saved_routes WHERE saved_id = %s AND user_id = %s"
_EXISTS = "SELECT 1 FROM saved_routes WHERE saved_id = %s"


class PostgresSavedRouteStore(SavedRouteStore):
    """Reads and writes ``saved_routes``; the maintenance sweep of expired requests never does."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    @contextlib.contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection]:
        with (
            translate_errors(f"could not {action}", SavedRouteStoreError),
            self._connections() as conn,
        ):
            yield conn

    def save(self, route: SavedRoute) -> tuple[SavedRouteSummary, bool]:
        """Insert the copy, or return the one the user saved earlier for the same request."""
        summary = route.summary
        params: dict[str, Any] = {
            "saved_id": summary.saved_id,
            "user_id": summary.user_id,
            "request_id": summary.request_id,
            "title": summary.title,
            "payload": Jsonb(summary.spec.to_document()),
            "result": Jsonb(route_result_to_builtins(route.result)),
            "distance_m": summary.distance_m,
            "stop_count": summary.stop_count,
            "used_s": summary.used_s,
            "created_at": aware(summary.created_at),
        }
        with self._connection("save the route") as conn:
            row = conn.execute(_INSERT, params).fetchone()
            if row is not None:
                return _summary(row), True
            # Lost to an earlier save; saved copies are never updated, so it is still there
            # unless deleted in between, which a retry by the caller settles.
            existing = conn.execute(_EXISTING, params).fetchone()
        if existing is None:
            raise SavedRouteStoreError("could not save the route: it was deleted while saving")
        return _summary(existing), False

    def get(self, user_id: str, saved_id: str) -> SavedRoute | None:
        """The user's saved route with its result, or ``None``."""
        if not (is_uuid(user_id) and is_uuid(saved_id)):
            return None
        with self._connection("read the saved route") as conn:
            row = conn.execute(_GET, (saved_id, user_id)).fetchone()
        if row is None:
            return None
        return SavedRoute(_summary(row[:-1]), decode_route_result(row[-1]))

    def page(
        self, user_id: str, after: SavedRoutePosition | None, limit: int
    ) -> list[SavedRouteSummary]:
        """Newest first, strictly after ``after``."""
        if limit <= 0 or not is_uuid(user_id):
            return []
        if after is not None and not is_uuid(after.saved_id):
            return []
        params: dict[str, Any] = {"user_id": user_id, "limit": limit}
        if after is not None:
            params |= {"created_at": aware(after.created_at), "saved_id": after.saved_id}
        with self._connection("list the saved routes") as conn:
            rows = conn.execute(_FIRST_PAGE if after is None else _NEXT_PAGE, params).fetchall()
        return [_summary(row) for row in rows]

    def delete(self, user_id: str, saved_id: str) -> Deletion:
        """Delete the user's copy; say whether it was theirs, absent, or someone else's."""
        if not (is_uuid(user_id) and is_uuid(saved_id)):
            return Deletion.ABSENT
        with self._connection("delete the saved route") as conn:
            if conn.execute(_DELETE, (saved_id, user_id)).rowcount == 1:
                return Deletion.DELETED
            is_other = conn.execute(_EXISTS, (saved_id,)).fetchone() is not None
        return Deletion.NOT_OWNER if is_other else Deletion.ABSENT


def _summary(row: tuple[Any, ...]) -> SavedRouteSummary:
    saved_id, user_id, request_id, title, payload, created, distance, stops, used_s = row
    return SavedRouteSummary(
        saved_id=str(saved_id),
        user_id=str(user_id),
        request_id=str(request_id),
        title=title,
        spec=RouteSpec.from_document(payload),
        created_at=utc(created),
        distance_m=distance,
        stop_count=stops,
        used_s=used_s,
    )
