"""In-memory ``RouteRequestStore`` with the same rules as the PostgreSQL adapter."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from wildside.domain.cancellation import CANCELLED_ERROR, cancellable_statuses
from wildside.domain.idempotency import IdempotencyRecord
from wildside.domain.route_result import RouteResult
from wildside.domain.route_status import RouteStatus, StatusUpdate, can_transition
from wildside.ports.route_request_store import (
    HistoryPosition,
    IdempotencyClaim,
    NewRouteRequest,
    RouteRequestRecord,
    RouteRequestStore,
)


@dataclass
class _Row:
    record: RouteRequestRecord
    expires_at: datetime
    lease_until: datetime | None = None


@dataclass
class InMemoryRouteRequestStore(RouteRequestStore):
    """Dicts behind one lock; ``keys`` maps (user id, key) to its binding."""

    rows: dict[str, _Row] = field(default_factory=dict)
    keys: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(
        self, request: NewRouteRequest, claim: IdempotencyClaim | None
    ) -> IdempotencyRecord | None:
        """Store the request unless the user's key is bound and unexpired."""
        with self.lock:
            if claim is not None:
                bound = self.keys.get((request.user_id, claim.key))
                if bound is not None and bound.expires_at > request.created_at:
                    return bound
                self.keys[(request.user_id, claim.key)] = IdempotencyRecord(
                    claim.key, claim.payload_hash, request.request_id, claim.expires_at
                )
            record = RouteRequestRecord(
                request_id=request.request_id,
                user_id=request.user_id,
                spec=request.spec,
                status=RouteStatus.QUEUED,
                progress=0,
                error=None,
                attempts=0,
                created_at=request.created_at,
                updated_at=request.created_at,
            )
            self.rows[request.request_id] = _Row(record, request.expires_at)
            return None

    def get(self, request_id: str) -> RouteRequestRecord | None:
        """A copy of the stored record."""
        with self.lock:
            row = self.rows.get(request_id)
            return None if row is None else copy.deepcopy(row.record)

    def begin_attempt(
        self, request_id: str, at: datetime, *, lease_until: datetime | None = None
    ) -> StatusUpdate | None:
        """Queued, or running with no live lease -> running, attempts + 1, leased."""
        with self.lock:
            row = self.rows.get(request_id)
            if row is None or row.record.status.is_terminal or _is_held(row, at):
                return None
            row.record = replace(
                row.record,
                status=RouteStatus.RUNNING,
                attempts=row.record.attempts + 1,
                updated_at=at,
            )
            row.lease_until = lease_until
            return row.record.status_update()

    def set_lease(self, request_id: str, until: datetime | None) -> bool:
        """Renew or release a running request's lease."""
        with self.lock:
            row = self.rows.get(request_id)
            if row is None or row.record.status is not RouteStatus.RUNNING:
                return False
            row.lease_until = until
            return True

    def transition(
        self, update: StatusUpdate, *, result: RouteResult | None = None
    ) -> StatusUpdate | None:
        """Apply ``update`` if allowed; progress never goes down; one result."""
        with self.lock:
            row = self.rows.get(update.request_id)
            if row is None or not can_transition(row.record.status, update.status):
                return None
            stored_result = row.record.result
            if update.status is RouteStatus.SUCCEEDED and stored_result is None:
                stored_result = result  # a frozen value
            row.record = replace(
                row.record,
                status=update.status,
                progress=max(row.record.progress, update.progress),
                error=update.error,
                updated_at=update.at,
                result=stored_result,
            )
            return row.record.status_update()

    def claim_lost(
        self, now: datetime, untouched_since: datetime, limit: int
    ) -> list[RouteRequestRecord]:
        """Oldest lost requests (stale queued, lapsed lease, resent and untaken); touch them."""
        with self.lock:
            lost = sorted(
                (row for row in self.rows.values() if _is_lost(row, now, untouched_since)),
                # Ties broken by id, as the SQL ORDER BY does.
                key=lambda row: (row.record.created_at, row.record.request_id),
            )[: max(limit, 0)]
            for row in lost:
                row.record = replace(row.record, updated_at=now)
                row.lease_until = None
            return [copy.deepcopy(row.record) for row in lost]

    def delete_expired(self, now: datetime) -> int:
        """Drop expired requests (with their keys) and expired keys."""
        with self.lock:
            gone = [rid for rid, row in self.rows.items() if row.expires_at <= now]
            for rid in gone:
                del self.rows[rid]
            for pair, record in list(self.keys.items()):
                if record.expires_at <= now or record.request_id in gone:
                    del self.keys[pair]
            return len(gone)

    def cancel(self, request_id: str, at: datetime) -> StatusUpdate | None:
        """Queued or running -> failed with error "cancelled", lease dropped."""
        with self.lock:
            row = self.rows.get(request_id)
            if row is None or row.record.status not in cancellable_statuses():
                return None
            row.record = replace(
                row.record, status=RouteStatus.FAILED, error=CANCELLED_ERROR, updated_at=at
            )
            row.lease_until = None
            return row.record.status_update()

    def list_for_user(
        self,
        user_id: str,
        now: datetime,
        *,
        limit: int,
        after: HistoryPosition | None = None,
    ) -> list[RouteRequestRecord]:
        """The user's unexpired requests, newest first (time, then id), after ``after``."""
        with self.lock:
            mine = [
                replace(copy.deepcopy(row.record), result=None)
                for row in self.rows.values()
                if row.record.user_id == user_id and row.expires_at > now
            ]
        mine.sort(key=lambda r: (r.created_at, r.request_id), reverse=True)
        if after is not None:
            mine = [r for r in mine if (r.created_at, r.request_id) < _position(after)]
        return mine[: max(limit, 0)]


def _position(after: HistoryPosition) -> tuple[datetime, str]:
    return after.created_at, after.request_id


def _is_held(row: _Row, at: datetime) -> bool:
    return (
        row.record.status is RouteStatus.RUNNING
        and row.lease_until is not None
        and row.lease_until > at
    )


def _is_lost(row: _Row, now: datetime, untouched_since: datetime) -> bool:
    status, is_stale = row.record.status, row.record.updated_at < untouched_since
    if status is RouteStatus.QUEUED:
        return is_stale
    if status is not RouteStatus.RUNNING:
        return False
    return row.lease_until < now if row.lease_until is not None else is_stale
