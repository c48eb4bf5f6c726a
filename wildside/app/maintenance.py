"""Use case: periodic upkeep — send lost jobs again, give up on doomed ones, drop expired rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from wildside.domain.errors import WildsideError
from wildside.domain.job_lease import LeasePolicy, LostJobAction, gave_up_message, lost_job_action
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.ports.clock import Clock
from wildside.ports.route_job_queue import GenerateRouteJob, RouteJobQueue
from wildside.ports.route_request_store import RouteRequestRecord, RouteRequestStore
from wildside.ports.status_publisher import StatusPublisher

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    """What one run did (``expired_deleted`` is ``None`` when cleanup was not due)."""

    expired_deleted: int | None
    requeued: int
    given_up: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class MaintenanceSettings:
    """Upkeep knobs; the first three come from settings and have no default here.

    ``lease`` is the workers' ``LeasePolicy``; ``requeue_after`` is how long a
    queued request may wait before its job counts as lost
    (``WILDSIDE_REQUEUE_AFTER_S``); ``cleanup_every`` is how often expired
    rows are deleted (``WILDSIDE_CLEANUP_INTERVAL_S``). ``batch`` is a tuning
    constant, not a setting.
    """

    lease: LeasePolicy
    requeue_after: timedelta
    cleanup_every: timedelta
    batch: int = 100  # lost requests claimed per tick


class RunMaintenance:
    """Idempotent: running it twice, or in two workers at once, does no harm.

    Workers call it every few seconds (``WILDSIDE_MAINTENANCE_INTERVAL_S``),
    so that a dead worker's job comes back within a lease or two; expired rows
    are deleted only every ``cleanup_every``.
    """

    def __init__(
        self,
        store: RouteRequestStore,
        queue: RouteJobQueue,
        clock: Clock,
        *,
        settings: MaintenanceSettings,
        publisher: StatusPublisher | None = None,
    ) -> None:
        self._store = store
        self._queue = queue
        self._clock = clock
        self._publisher = publisher
        self._lease = settings.lease
        self._requeue_after = settings.requeue_after
        self._cleanup_every_s = settings.cleanup_every.total_seconds()
        self._batch = settings.batch
        self._last_cleanup: float | None = None

    def __call__(self) -> MaintenanceReport:
        """Send lost jobs again (or fail them past their attempts); delete what expired.

        A job is lost if its message never arrived (enqueue failed after the
        request was stored, or the queue lost data) or its worker died mid-job
        (the lease lapsed). The actor is idempotent and a live lease keeps a
        second delivery out, so a duplicate message costs one look.
        """
        now = self._clock.now()
        lost = self._store.claim_lost(now, now - self._requeue_after, self._batch)
        given_up = 0
        for record in lost:
            action = lost_job_action(record.attempts, self._lease)
            if record.status is RouteStatus.RUNNING and action is LostJobAction.GIVE_UP:
                given_up += self._give_up(record)
            else:
                self._queue.enqueue(
                    GenerateRouteJob(
                        request_id=record.request_id, user_id=record.user_id, spec=record.spec
                    )
                )
        report = MaintenanceReport(
            expired_deleted=self._cleanup_if_due(),
            requeued=len(lost) - given_up,
            given_up=given_up,
        )
        if report.requeued or report.given_up or report.expired_deleted:
            log.info(
                "maintenance sent %d lost jobs again, gave up on %d, deleted %s expired requests",
                report.requeued,
                report.given_up,
                report.expired_deleted or 0,
            )
        return report

    def _give_up(self, record: RouteRequestRecord) -> int:
        update = StatusUpdate(
            record.request_id,
            RouteStatus.FAILED,
            0,
            self._clock.now(),
            error=gave_up_message(record.attempts),
        )
        stored = self._store.transition(update)
        if stored is None:
            return 0  # it finished meanwhile
        if self._publisher is not None:
            try:
                self._publisher.publish(stored)
            except WildsideError as exc:  # followers fall back to the stored status
                log.warning("status publish failed after giving up a job: %s", exc.code)
        return 1

    def _cleanup_if_due(self) -> int | None:
        tick = self._clock.monotonic()
        if self._last_cleanup is not None and tick - self._last_cleanup < self._cleanup_every_s:
            return None
        self._last_cleanup = tick
        return self._store.delete_expired(self._clock.now())
