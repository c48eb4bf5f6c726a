"""Job leases: a worker holds a running request while it renews; a dead worker's job comes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.fakes.planner import FakePlanner
from tests.support import defaults
from tests.unit.service.conftest import ADA, HELSINKI, World
from wildside.app.generate_route import JobOutcome
from wildside.app.maintenance import RunMaintenance
from wildside.domain.errors import UnavailableError
from wildside.domain.job_lease import LeasePolicy, gave_up_message
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus
from wildside.domain.tour import Tour
from wildside.ports.route_job_queue import GenerateRouteJob

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=60, preferences=["history"])
LEASE = LeasePolicy(lease_s=30.0, max_attempts=3)


def _queued_job(world: World) -> GenerateRouteJob:
    world.submit_route()(ADA, SPEC)
    return world.queue.jobs[-1]


def _maintenance(world: World) -> RunMaintenance:
    return RunMaintenance(
        world.store,
        world.queue,
        world.clock,
        settings=defaults.maintenance_settings(lease=LEASE, requeue_after=timedelta(minutes=5)),
        publisher=world.channel,
    )


def _die_mid_job(world: World, job: GenerateRouteJob) -> None:
    """A worker takes the job, then is killed before it finishes (its lease is left behind)."""
    lease_until = LEASE.expiry(world.clock.now())
    assert world.store.begin_attempt(job.request_id, world.clock.now(), lease_until=lease_until)


def test_a_second_delivery_is_skipped_while_the_first_worker_holds_the_lease(
    world: World,
) -> None:
    # Given a job whose first delivery is running (it holds the lease)
    job = _queued_job(world)
    _die_mid_job(world, job)
    world.clock.advance(10)
    # When the same job is delivered again within the lease
    outcome = world.generate_route(settings=defaults.generation_settings(lease=LEASE))(job)
    # Then the second delivery does nothing: no second attempt, no planning
    assert outcome is JobOutcome.SKIPPED
    assert world.planner.calls == []
    record = world.store.get(job.request_id)
    assert record is not None
    assert (record.status, record.attempts) == (RouteStatus.RUNNING, 1)


def test_a_dead_workers_job_is_sent_again_once_its_lease_lapses_and_then_completes(
    world: World,
) -> None:
    job = _queued_job(world)
    world.queue.jobs.clear()
    _die_mid_job(world, job)
    sweep = _maintenance(world)
    # When maintenance runs while the lease still holds, then nothing is sent
    world.clock.advance(29)
    assert sweep().requeued == 0
    assert world.queue.jobs == []
    # When it runs after the lease lapsed
    world.clock.advance(2)
    report = sweep()
    # Then the job is sent again, once, and a second sweep sends nothing more
    assert report.requeued == 1
    assert [j.request_id for j in world.queue.jobs] == [job.request_id]
    assert sweep().requeued == 0
    # And the job sent again completes the request, on its second attempt
    outcome = world.generate_route(settings=defaults.generation_settings(lease=LEASE))(
        world.queue.jobs[0]
    )
    assert outcome is JobOutcome.SUCCEEDED
    record = world.store.get(job.request_id)
    assert record is not None
    assert (record.status, record.attempts) == (RouteStatus.SUCCEEDED, 2)


@dataclass
class SweepingPlanner:
    """The fake planner, with maintenance sweeping after every progress report."""

    inner: FakePlanner
    sweep: RunMaintenance
    requeued: list[int] = field(default_factory=list)

    def data_version(self) -> str:
        return self.inner.data_version()

    def __call__(
        self,
        request: RouteSpec,
        progress: Any = None,
        data_version: str | None = None,
        on_candidate: Any = None,
    ) -> Tour:
        def report_then_sweep(percent: int, best_score: float) -> None:
            progress(percent, best_score)
            self.requeued.append(self.sweep().requeued)

        return self.inner(request, progress=report_then_sweep, data_version=data_version)


def test_a_live_worker_renews_its_lease_so_a_long_job_is_not_taken_from_it(world: World) -> None:
    # Given a job that reports progress every 12 s for 72 s (more than twice the lease)
    inner = FakePlanner(world.clock, progress_steps=(0, 20, 40, 60, 80, 100))
    inner.seconds_per_step = 12.0
    planner = SweepingPlanner(inner, _maintenance(world))
    job = _queued_job(world)
    world.queue.jobs.clear()
    # When it runs, with maintenance sweeping after every step
    settings = defaults.generation_settings(lease=LEASE, time_limit_s=600)
    outcome = world.generate_route(planner=planner, settings=settings)(job)
    # Then no sweep ever took the job away from the live worker
    assert outcome is JobOutcome.SUCCEEDED
    assert planner.requeued == [0] * 6
    assert world.queue.jobs == []


def test_a_retryable_failure_releases_the_lease_so_the_retry_starts_at_once(world: World) -> None:
    # Given a job whose first delivery meets a database outage
    job = _queued_job(world)
    world.planner.error = UnavailableError("down", service="postgresql")
    generate = world.generate_route(settings=defaults.generation_settings(lease=LEASE))
    try:
        generate(job)
    except UnavailableError:
        pass
    else:  # pragma: no cover - the outage must reach the queue
        raise AssertionError("a retryable error must propagate")
    # When the queue retries a second later, after the outage
    world.planner.error = None
    world.clock.advance(1)
    # Then the retry is not locked out by the failed attempt's lease
    assert generate(job) is JobOutcome.SUCCEEDED


def test_a_job_that_keeps_killing_workers_is_given_up_after_its_attempts(world: World) -> None:
    job = _queued_job(world)
    world.queue.jobs.clear()
    sweep = _maintenance(world)
    # Given every delivery's worker dies mid-job, until the attempts are used up
    for _ in range(LEASE.max_attempts):
        _die_mid_job(world, job)
        world.clock.advance(31)
        report = sweep()
    # Then the last sweep gives up instead of sending it again
    assert report.given_up == 1
    assert report.requeued == 0
    assert len(world.queue.jobs) == LEASE.max_attempts - 1
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.status is RouteStatus.FAILED
    assert record.error == gave_up_message(LEASE.max_attempts)
    # And followers were told
    last = [u for u in world.channel.published if u.request_id == job.request_id][-1]
    assert (last.status, last.error) == (RouteStatus.FAILED, record.error)


def test_expired_rows_are_deleted_on_their_own_slower_cadence(world: World) -> None:
    sweep = RunMaintenance(
        world.store,
        world.queue,
        world.clock,
        settings=defaults.maintenance_settings(cleanup_every=timedelta(minutes=5)),
    )
    # Given the first tick cleans up, the next ones within five minutes do not
    assert sweep().expired_deleted == 0
    world.clock.advance(10)
    assert sweep().expired_deleted is None
    world.clock.advance(290)
    assert sweep().expired_deleted == 0
