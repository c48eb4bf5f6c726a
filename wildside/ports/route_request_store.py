"""Route request store port: requests, their status and progress, results and idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.idempotency import IdempotencyRecord
from wildside.domain.route_result import RouteResult
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate


@dataclass(frozen=True, slots=True)
class NewRouteRequest:
    """A request about to be stored, queued, with when its data expires."""

    request_id: str
    user_id: str
    spec: RouteSpec
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """An ``Idempotency-Key`` to bind to the new request until ``expires_at``."""

    key: str
    payload_hash: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RouteRequestRecord:
    """A stored request: who asked for what, where it is, and its result once succeeded."""

    request_id: str
    user_id: str
    spec: RouteSpec
    status: RouteStatus
    progress: int
    error: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    result: RouteResult | None = None

    def status_update(self) -> StatusUpdate:
        """The current status as a message."""
        return StatusUpdate(
            request_id=self.request_id,
            status=self.status,
            progress=self.progress,
            at=self.updated_at,
            error=self.error,
        )


@dataclass(frozen=True, slots=True)
class HistoryPosition:
    """Where a page of a user's history ended: the last request's creation time and id."""

    created_at: datetime
    request_id: str


class RouteRequestStoreError(WildsideError):
    """The store failed to answer."""

    code = "route-request-store-error"


class RouteRequestStore(Protocol):
    """Durable state of route requests. Every method is atomic on its own."""

    def create(
        self, request: NewRouteRequest, claim: IdempotencyClaim | None
    ) -> IdempotencyRecord | None:
        """Store ``request`` as queued, binding ``claim``'s key to it.

        If the user's key is already bound to a request and has not expired at
        ``request.created_at``, store nothing and return that binding instead.
        Of concurrent calls with one key exactly one stores its request.
        """
        ...

    def get(self, request_id: str) -> RouteRequestRecord | None:
        """The request with its result (if succeeded), or ``None`` if unknown.

        Raises ``UnreadableRouteResultError`` if the stored result has a shape
        this version cannot read.
        """
        ...

    def begin_attempt(
        self, request_id: str, at: datetime, *, lease_until: datetime | None = None
    ) -> StatusUpdate | None:
        """Move a queued request, or a running one nobody holds, to running; count the attempt.

        The caller takes a lease until ``lease_until`` (``None``: no lease). A
        running request whose lease has not lapsed at ``at`` belongs to another
        worker and is left alone. Returns the new status, or ``None`` if the
        request is unknown, final or held.
        """
        ...

    def set_lease(self, request_id: str, until: datetime | None) -> bool:
        """Renew (or, with ``None``, release) the lease on a running request.

        Returns ``False`` if the request is not running any more.
        """
        ...

    def transition(
        self, update: StatusUpdate, *, result: RouteResult | None = None
    ) -> StatusUpdate | None:
        """Apply ``update`` if the domain allows it from the stored status.

        Running progress never goes down. ``result`` is stored with a
        ``succeeded`` update, once. Returns the stored status after the
        change, or ``None`` if it was refused (unknown request, final status,
        illegal transition).
        """
        ...

    def claim_lost(
        self, now: datetime, untouched_since: datetime, limit: int
    ) -> list[RouteRequestRecord]:
        """Requests whose job was lost, oldest first, marked touched at ``now``.

        Lost means: queued and untouched since ``untouched_since`` (the message
        never arrived), running with a lease that lapsed before ``now`` (its
        worker died), or running with no lease and untouched since
        ``untouched_since`` (sent again earlier, never picked up). Claiming
        drops the lease, so the job sent again may take the request; the mark
        keeps concurrent sweepers from taking the same request twice.
        """
        ...

    def delete_expired(self, now: datetime) -> int:
        """Delete requests, results and idempotency keys past their expiry; return the count."""
        ...

    def cancel(self, request_id: str, at: datetime) -> StatusUpdate | None:
        """End a queued or running request as failed with ``error: "cancelled"``, at ``at``.

        The lease is dropped with it, so neither the job nor the maintenance
        sweep takes the request again. Returns the final status, or ``None``
        if the request is unknown or already final (the caller reads it to
        say why).
        """
        ...

    def list_for_user(
        self,
        user_id: str,
        now: datetime,
        *,
        limit: int,
        after: HistoryPosition | None = None,
    ) -> list[RouteRequestRecord]:
        """The user's requests that expire after ``now``, newest first, without results.

        Newest first means by creation time, then by request id, both
        descending; with ``after``, only the requests that come after that
        position in this order. At most ``limit`` records.
        """
        ...
