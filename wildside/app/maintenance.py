"""Use case: periodic upkeep — drop expired requests and keys, re-enqueue lost jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from wildside.ports.clock import Clock
from wildside.ports.route_job_queue import GenerateRouteJob, RouteJobQueue
from wildside.ports.route_request_store import RouteRequestStore


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    """What one run did."""

    expired_deleted: int
    requeued: int


class RunMaintenance:
    """Idempotent: running it twice, or in two workers at once, does no harm."""

    def __init__(
        self,
        store: RouteRequestStore,
        queue: RouteJobQueue,
        clock: Clock,
        *,
        requeue_after: timedelta = timedelta(minutes=5),
        batch: int = 100,
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._requeue_after = requeue_after
        self._batch = batch

    def __call__(self) -> MaintenanceReport:
        """Delete what expired; enqueue again requests queued for too long.

        A request stays queued if its message was lost (enqueue failed after
        the request was stored, or the queue lost data). The actor is
        idempotent, so a duplicate message costs at most one extra look.
        """
        now = self._clock.now()
        deleted = self._store.delete_expired(now)
        stale = self._store.claim_stale_queued(now - self._requeue_after, now, self._batch)
        for record in stale:
            self._queue.enqueue(
                GenerateRouteJob(
                    request_id=record.request_id, user_id=record.user_id, spec=record.spec
                )
            )
        return MaintenanceReport(expired_deleted=deleted, requeued=len(stale))
