"""Steps for features/job_recovery.feature: the real PostgreSQL store, fakes for the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from tests.fakes.clock import FakeClock
from tests.fakes.metrics import RecordingMetrics
from tests.fakes.planner import FakePlanner
from tests.fakes.randomness import FixedJitter, SequentialIds
from tests.fakes.rate_limiter import InMemoryRateLimiter
from tests.fakes.route_cache import InMemoryRouteCache
from tests.fakes.route_job_queue import InMemoryRouteJobQueue
from tests.fakes.status_channel import InMemoryStatusChannel
from tests.support import defaults
from wildside.app.generate_route import GenerateRoute, JobOutcome
from wildside.app.maintenance import MaintenanceReport, RunMaintenance
from wildside.app.submit_route import SubmitRoute
from wildside.domain.accounts import User
from wildside.domain.geo import GeoPoint
from wildside.domain.job_lease import LeasePolicy
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus
from wildside.ports.route_job_queue import GenerateRouteJob
from wildside.ports.route_request_store import RouteRequestRecord

scenarios("job_recovery.feature")

SPEC = RouteSpec.build(start=GeoPoint(60.1712, 24.9441), duration_minutes=60)


@dataclass
class Story:
    """The store, queue, clock and followers of one scenario."""

    store: PostgresRouteRequestStore
    user: User
    clock: FakeClock = field(default_factory=FakeClock)
    queue: InMemoryRouteJobQueue = field(default_factory=InMemoryRouteJobQueue)
    channel: InMemoryStatusChannel = field(default_factory=InMemoryStatusChannel)
    planner: FakePlanner = field(default_factory=FakePlanner)
    lease: LeasePolicy = field(default_factory=defaults.lease_policy)
    job: GenerateRouteJob | None = None
    killed_at: float = 0.0
    reports: list[MaintenanceReport] = field(default_factory=list)
    outcomes: list[JobOutcome] = field(default_factory=list)

    @property
    def request_id(self) -> str:
        assert self.job is not None
        return self.job.request_id

    def record(self) -> RouteRequestRecord:
        record = self.store.get(self.request_id)
        assert record is not None
        return record

    def worker(self) -> GenerateRoute:
        return GenerateRoute(
            store=self.store,
            planner=self.planner,
            cache=InMemoryRouteCache(self.clock),
            publisher=self.channel,
            metrics=RecordingMetrics(),
            clock=self.clock,
            jitter=FixedJitter(),
            settings=defaults.generation_settings(lease=self.lease),
        )

    def start_and_die(self) -> None:
        """A worker takes the request's lease, then is killed (nothing else happens)."""
        lease_until = self.lease.expiry(self.clock.now())
        assert self.store.begin_attempt(self.request_id, self.clock.now(), lease_until=lease_until)
        self.killed_at = self.clock.monotonic()

    def maintain(self) -> MaintenanceReport:
        sweep = RunMaintenance(
            self.store,
            self.queue,
            self.clock,
            settings=defaults.maintenance_settings(lease=self.lease),
            publisher=self.channel,
        )
        self.reports.append(sweep())
        return self.reports[-1]


@pytest.fixture
def story(migrated_database_url: str) -> Story:
    connections = per_call(migrated_database_url)
    user = PostgresAccountStore(connections).create_user("ada", None, is_admin=False)
    return Story(PostgresRouteRequestStore(connections), user)


@given(
    parsers.parse("running requests are leased for {lease:d} seconds and get {attempts:d} attempts")
)
def lease_policy(story: Story, lease: int, attempts: int) -> None:
    story.lease = LeasePolicy(lease_s=float(lease), max_attempts=attempts)


@given("I have requested a tour")
def requested(story: Story) -> None:
    submit = SubmitRoute(
        store=story.store,
        queue=story.queue,
        publisher=story.channel,
        limiter=InMemoryRateLimiter(story.clock),
        clock=story.clock,
        ids=SequentialIds(),
        settings=defaults.submission_settings(),
    )
    submit(story.user, SPEC)
    story.job = story.queue.jobs.pop()


@given("a worker started my request and was killed")
def killed(story: Story) -> None:
    story.start_and_die()


@given("a worker is computing my request")
def computing(story: Story) -> None:
    story.start_and_die()  # as far as the store can tell, a live worker looks the same


@when(parsers.parse("maintenance runs {seconds:d} seconds later"))
@when(parsers.parse("maintenance runs {seconds:d} seconds after the kill"))
def maintenance_after(story: Story, seconds: int) -> None:
    story.clock.advance(story.killed_at + seconds - story.clock.monotonic())
    story.maintain()


@then("my request is not sent again yet")
def not_sent(story: Story) -> None:
    assert story.reports[-1].requeued == 0
    assert story.queue.jobs == []


@then("my request is sent again exactly once")
def sent_once(story: Story) -> None:
    assert story.reports[-1].requeued == 1
    assert [job.request_id for job in story.queue.jobs] == [story.request_id]
    assert story.maintain().requeued == 0


@then(parsers.parse("a surviving worker completes it on attempt {attempt:d}"))
def completes(story: Story, attempt: int) -> None:
    assert story.worker()(story.queue.jobs[0]) is JobOutcome.SUCCEEDED
    record = story.record()
    assert (record.status, record.attempts, record.result is not None) == (
        RouteStatus.SUCCEEDED,
        attempt,
        True,
    )


@when(parsers.parse("the same job is delivered to another worker {seconds:d} seconds later"))
def delivered_again(story: Story, seconds: int) -> None:
    story.clock.advance(seconds)
    assert story.job is not None
    story.outcomes.append(story.worker()(story.job))


@then("the other worker skips it without computing anything")
def skipped(story: Story) -> None:
    assert story.outcomes == [JobOutcome.SKIPPED]
    assert story.planner.calls == []


@then(parsers.parse("my request is still running on attempt {attempt:d}"))
def still_running(story: Story, attempt: int) -> None:
    record = story.record()
    assert (record.status, record.attempts) == (RouteStatus.RUNNING, attempt)


@given("every worker that starts my request is killed")
def every_worker_killed(story: Story) -> None:
    story.killed_at = story.clock.monotonic()


@when(parsers.parse("maintenance has run after each of {attempts:d} attempts"))
def attempts_used_up(story: Story, attempts: int) -> None:
    for _ in range(attempts):
        story.start_and_die()
        story.clock.advance(story.lease.lease_s + 1)
        story.maintain()


@then(parsers.parse('my request ends failed with "{error}"'))
def ended_failed(story: Story, error: str) -> None:
    assert story.reports[-1].given_up == 1
    record = story.record()
    assert (record.status, record.error) == (RouteStatus.FAILED, error)


@then("my followers were told it failed")
def followers_told(story: Story) -> None:
    mine = [u for u in story.channel.published if u.request_id == story.request_id]
    assert (mine[-1].status, mine[-1].error) == (RouteStatus.FAILED, story.record().error)
