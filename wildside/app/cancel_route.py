"""Use case: a user cancels one of their route requests (queued or running)."""

from __future__ import annotations

import logging

from wildside.app.get_route import GetRoute
from wildside.domain.accounts import User
from wildside.domain.cancellation import CancelDecision, RequestFinishedError, decide_cancel
from wildside.domain.errors import NotFoundError, WildsideError
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.ports.clock import Clock
from wildside.ports.product_analytics import (
    ROUTE_GENERATION_FAILED,
    NullProductAnalytics,
    ProductAnalytics,
)
from wildside.ports.route_request_store import RouteRequestRecord, RouteRequestStore
from wildside.ports.status_publisher import StatusPublisher

log = logging.getLogger(__name__)


class CancelRoute:
    """Ends a request as failed with ``error: "cancelled"``; cancelling twice is a no-op.

    A running job notices at its next progress check (the store refuses its
    progress) and stops without a retry.
    """

    def __init__(
        self,
        store: RouteRequestStore,
        publisher: StatusPublisher,
        clock: Clock,
        analytics: ProductAnalytics | None = None,
    ) -> None:
        self._store = store
        self._read = GetRoute(store)
        self._publisher = publisher
        self._clock = clock
        self._analytics = analytics or NullProductAnalytics()

    def __call__(self, user: User, request_id: str) -> StatusUpdate:
        """Cancel the caller's request ``request_id``; return its final status.

        Raises
        ------
        NotFoundError
            If it does not exist, has expired, or belongs to someone else.
        RequestFinishedError
            If it had already succeeded, or failed for another reason.
        """
        record = self._read(user, request_id)
        if decide_cancel(record.status, record.error) is CancelDecision.CANCEL:
            ended = self._store.cancel(record.request_id, self._clock.now())
            if ended is not None:
                self._announce(record, ended)
                return ended
            # It became final between the read and the cancel: say what it became.
            again = self._store.get(record.request_id)
            if again is None:
                raise NotFoundError(f"no route request {record.request_id}")
            record = again
        if decide_cancel(record.status, record.error) is CancelDecision.NOTHING:
            return record.status_update()
        raise RequestFinishedError(
            f"route request {record.request_id} has already {record.status.value};"
            " only a queued or running request can be cancelled",
            status=record.status,
        )

    def _announce(self, record: RouteRequestRecord, ended: StatusUpdate) -> None:
        try:
            self._publisher.publish(ended)
        except WildsideError as exc:  # followers fall back to polling the stored status
            log.warning("status publish failed for %s: %s", ended.request_id, exc.code)
        self._analytics.capture(
            ROUTE_GENERATION_FAILED,
            record.user_id,
            {
                "reason": "cancelled",
                "duration_minutes": record.spec.duration_minutes,
                "was_running": record.status is RouteStatus.RUNNING,
            },
        )
