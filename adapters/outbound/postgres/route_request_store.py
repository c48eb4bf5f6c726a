"""``RouteRequestStore`` on PostgreSQL: requests, their status, results and idempotency keys."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from adapters.outbound.postgres import route_request_queries as q
from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.values import aware, is_uuid, utc
from adapters.outbound.route_result_codec import decode_route_result, route_result_to_builtins
from wildside.domain.cancellation import CANCELLED_ERROR, cancellable_statuses
from wildside.domain.idempotency import IdempotencyRecord
from wildside.domain.route_result import RouteResult
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate, can_transition
from wildside.ports.route_request_store import (
    HistoryPosition,
    IdempotencyClaim,
    NewRouteRequest,
    RouteRequestRecord,
    RouteRequestStore,
    RouteRequestStoreError,
)

# A binding can vanish between losing the insert race and reading it (expired
# and swept); the call then tries again. Needing more rounds means trouble.
_CREATE_ROUNDS = 3


class PostgresRouteRequestStore(RouteRequestStore):
    """Reads and writes ``route_requests``, ``routes`` and ``idempotency_keys``."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    @contextlib.contextmanager
    def _connection(self, action: str) -> Iterator[psycopg.Connection]:
        with (
            translate_errors(f"could not {action}", RouteRequestStoreError),
            self._connections() as conn,
        ):
            yield conn

    def create(
        self, request: NewRouteRequest, claim: IdempotencyClaim | None
    ) -> IdempotencyRecord | None:
        """Store ``request`` as queued and bind ``claim``'s key to it, in one transaction.

        Returns
        -------
        IdempotencyRecord or None
            The user's live binding of the key if it is taken (nothing is
            stored then), else ``None``.
        """
        params: dict[str, Any] = {
            "request_id": request.request_id,
            "user_id": request.user_id,
            "payload": Jsonb(request.spec.to_document()),
            "payload_hash": request.spec.payload_hash(),
            "created_at": aware(request.created_at),
            "expires_at": aware(request.expires_at),
        }
        if claim is not None:
            params |= {
                "key": claim.key,
                "key_hash": claim.payload_hash,
                "key_expires_at": aware(claim.expires_at),
            }
        with self._connection("store the route request") as conn:
            if claim is None:  # one statement: autocommit, one round trip
                conn.execute(q.INSERT_REQUEST, params)
                return None
            for _ in range(_CREATE_ROUNDS):
                with conn.transaction():
                    conn.execute(q.DROP_EXPIRED_KEY, params)
                    conn.execute(q.INSERT_REQUEST, params)
                    if conn.execute(q.BIND_KEY, params).fetchone():
                        return None
                    # Someone holds the key: our request row must not survive.
                    raise psycopg.Rollback()
                row = conn.execute(q.BOUND_KEY, params).fetchone()
                if row is not None and row[3] > request.created_at:
                    key, payload_hash, request_id, expires_at = row
                    return IdempotencyRecord(key, payload_hash, str(request_id), utc(expires_at))
        raise RouteRequestStoreError(
            "could not store the route request: its key kept changing hands"
        )

    def get(self, request_id: str) -> RouteRequestRecord | None:
        """The request with its result (if succeeded), or ``None`` if unknown."""
        if not is_uuid(request_id):
            return None
        with self._connection("read the route request") as conn:
            row = conn.execute(q.GET, (request_id,)).fetchone()
        return None if row is None else _record(row)

    def begin_attempt(
        self, request_id: str, at: datetime, *, lease_until: datetime | None = None
    ) -> StatusUpdate | None:
        """Take a queued request, or a running one nobody holds, and count the attempt.

        Returns
        -------
        StatusUpdate or None
            The new status, or ``None`` if the request is unknown, final or held.
        """
        if not is_uuid(request_id):
            return None
        # Which statuses may start running is the domain's rule, not SQL's.
        from_statuses = [s.value for s in RouteStatus if can_transition(s, RouteStatus.RUNNING)]
        params = {
            "request_id": request_id,
            "at": aware(at),
            "from_statuses": from_statuses,
            "lease_until": None if lease_until is None else aware(lease_until),
        }
        with self._connection("start the route attempt") as conn:
            row = conn.execute(q.BEGIN_ATTEMPT, params).fetchone()
        return None if row is None else _status(row)

    def set_lease(self, request_id: str, until: datetime | None) -> bool:
        """Renew or release the lease of a running request; ``False`` if it is not running."""
        if not is_uuid(request_id):
            return False
        params = {"request_id": request_id, "until": None if until is None else aware(until)}
        with self._connection("renew the job lease") as conn:
            return conn.execute(q.SET_LEASE, params).rowcount == 1

    def transition(
        self, update: StatusUpdate, *, result: RouteResult | None = None
    ) -> StatusUpdate | None:
        """Apply ``update`` if the domain allows it; a success stores ``result`` with it.

        The row is locked while the domain decides, so two workers cannot both move it.

        Returns
        -------
        StatusUpdate or None
            The stored status after the change, or ``None`` if refused.
        """
        if not is_uuid(update.request_id):
            return None
        params: dict[str, Any] = {
            "request_id": update.request_id,
            "status": update.status.value,
            "progress": update.progress,
            "error": update.error,
            "at": aware(update.at),
            "finished_at": update.at if update.status.is_terminal else None,
        }
        with self._connection("update the route status") as conn, conn.transaction():
            locked = conn.execute(q.LOCK, (update.request_id,)).fetchone()
            if locked is None or not can_transition(RouteStatus(locked[0]), update.status):
                return None
            row = conn.execute(q.APPLY, params).fetchone()
            if update.status is RouteStatus.SUCCEEDED and result is not None:
                stored = Jsonb(route_result_to_builtins(result))
                params |= {"result": stored, "expires_at": locked[1]}
                conn.execute(q.STORE_RESULT, params)
        return None if row is None else _status(row)

    def claim_lost(
        self, now: datetime, untouched_since: datetime, limit: int
    ) -> list[RouteRequestRecord]:
        """Requests whose job was lost, oldest first, touched at ``now`` with no lease.

        Rows another sweeper holds are skipped, not waited for.
        """
        if limit <= 0:
            return []
        params = {"untouched_since": aware(untouched_since), "now": aware(now), "limit": limit}
        with self._connection("claim lost route requests") as conn:
            rows = conn.execute(q.CLAIM_LOST, params).fetchall()
        # RETURNING has no order of its own.
        return sorted(map(_record, rows), key=lambda r: (r.created_at, r.request_id))

    def delete_expired(self, now: datetime) -> int:
        """Delete expired requests (results and keys cascade) and expired keys; count requests."""
        at = aware(now)
        with self._connection("delete expired route requests") as conn, conn.transaction():
            deleted = conn.execute(q.DELETE_REQUESTS, (at,)).rowcount
            conn.execute("DELETE FROM idempotency_keys WHERE expires_at <= %s", (at,))
        return deleted

    def cancel(self, request_id: str, at: datetime) -> StatusUpdate | None:
        """End a queued or running request as cancelled; ``None`` if unknown or final."""
        if not is_uuid(request_id):
            return None
        params = {
            "request_id": request_id,
            "at": aware(at),
            "error": CANCELLED_ERROR,
            "from_statuses": [s.value for s in cancellable_statuses()],
        }
        with self._connection("cancel the route request") as conn:
            row = conn.execute(q.CANCEL, params).fetchone()
        return None if row is None else _status(row)

    def list_for_user(
        self,
        user_id: str,
        now: datetime,
        *,
        limit: int,
        after: HistoryPosition | None = None,
    ) -> list[RouteRequestRecord]:
        """The user's unexpired requests, newest first, after ``after``; no results."""
        if limit <= 0 or not is_uuid(user_id):
            return []
        if after is not None and not is_uuid(after.request_id):
            return []
        params = {
            "user_id": user_id,
            "now": aware(now),
            "limit": limit,
            "after_at": None if after is None else aware(after.created_at),
            "after_id": None if after is None else after.request_id,
        }
        with self._connection("list the route requests") as conn:
            rows = conn.execute(q.HISTORY, params).fetchall()
        return [_record(row) for row in rows]


def _record(row: tuple[Any, ...]) -> RouteRequestRecord:
    request_id, user_id, payload, status, progress, error, attempts, created, updated, result = row
    head = (str(request_id), str(user_id), RouteSpec.from_document(payload), RouteStatus(status))
    route = None if result is None else decode_route_result(result)
    return RouteRequestRecord(*head, progress, error, attempts, utc(created), utc(updated), route)


def _status(row: tuple[Any, ...]) -> StatusUpdate:
    request_id, status, progress, error, updated_at = row
    return StatusUpdate(str(request_id), RouteStatus(status), progress, utc(updated_at), error)
