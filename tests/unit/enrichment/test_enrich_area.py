"""``EnrichArea`` over fakes: quota, breakers and fallbacks, retries, semaphore, persistence."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from adapters.outbound.pybreaker.endpoint_breakers import PybreakerEndpointBreakers
from tests.fakes.clock import FakeClock, FakeSleeper
from tests.fakes.enrichment_log import InMemoryEnrichmentLog
from tests.fakes.enrichment_metrics import RecordingEnrichmentMetrics
from tests.fakes.enrichment_state import (
    InMemoryCallLimiter,
    InMemoryCircuitStore,
    InMemoryEnrichmentQuota,
)
from tests.fakes.overpass_source import ScriptedOverpassSource, failure
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.fakes.randomness import FixedJitter
from tests.support import defaults
from wildside.app.enrich_area import EnrichArea, EnrichmentSettings
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.enrichment.circuit_breaker import BreakerStatus
from wildside.domain.enrichment.quota import QuotaPolicy, quota_day
from wildside.domain.enrichment.retry import RetryPolicy
from wildside.ports.overpass_source import OverpassErrorKind as Kind
from wildside.ports.overpass_source import OverpassResponse

PRIMARY, MIRROR = "http://primary/api/interpreter", "http://mirror/api/interpreter"
JOB = EnrichmentJob(BoundingBox(60.16, 24.93, 60.18, 24.96), ("history",))


@dataclass
class Rig:
    clock: FakeClock = field(default_factory=FakeClock)
    source: ScriptedOverpassSource = field(default_factory=ScriptedOverpassSource)
    circuits: InMemoryCircuitStore = field(default_factory=InMemoryCircuitStore)
    pois: InMemoryPoiRepository = field(default_factory=InMemoryPoiRepository)
    journal: InMemoryEnrichmentLog = field(default_factory=InMemoryEnrichmentLog)
    metrics: RecordingEnrichmentMetrics = field(default_factory=RecordingEnrichmentMetrics)
    settings: EnrichmentSettings = field(
        default_factory=lambda: defaults.enrichment_settings(
            endpoints=(PRIMARY, MIRROR),
            quota=QuotaPolicy(daily_requests=10, daily_bytes=100_000, reserve_bytes=10_000),
            breaker=defaults.breaker_policy(failure_threshold=2, cooldown_s=60.0),
            retry=RetryPolicy(max_attempts=3, base_delay_s=2.0, max_delay_s=30.0),
        )
    )

    def __post_init__(self) -> None:
        self.quota = InMemoryEnrichmentQuota(self.clock)
        self.limiter = InMemoryCallLimiter(self.clock)
        self.sleeper = FakeSleeper(self.clock)

    def run(self, job: EnrichmentJob = JOB) -> object:
        return EnrichArea(
            source=self.source,
            quota=self.quota,
            breakers=PybreakerEndpointBreakers(self.circuits, self.clock),
            limiter=self.limiter,
            pois=self.pois,
            journal=self.journal,
            metrics=self.metrics,
            clock=self.clock,
            jitter=FixedJitter(1.0),
            sleeper=self.sleeper,
            settings=self.settings,
        )(job)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_success_stores_the_places_with_provenance_and_counts_it(rig: Rig) -> None:
    result = rig.run()
    assert result.outcome == "succeeded"  # type: ignore[attr-defined]
    assert (result.pois_received, result.pois_inserted) == (4, 3)  # type: ignore[attr-defined]
    assert {p.name for p in rig.pois.pois} == {"Ateneum", "Runeberg", "Kaisaniemi"}
    provenance = rig.pois.provenance["node/9001"]
    assert (provenance.source, provenance.source_url) == ("overpass", PRIMARY)
    assert provenance.bbox_wkt.startswith("POLYGON((24.93 60.16")
    assert rig.metrics.jobs == ["succeeded"]
    assert rig.metrics.requests == [(PRIMARY, "200")]
    assert rig.metrics.bytes == 2048
    (record,) = rig.journal.recent(1)
    assert record.result is not None
    assert record.result.outcome == "succeeded"
    # The call asked for the tags of the job's themes, capped at the reservation.
    _, query, max_bytes = rig.source.calls[0]
    assert '["historic"]' in query
    assert max_bytes == 10_000


def test_quota_settles_to_what_was_used(rig: Rig) -> None:
    rig.run()
    usage = rig.quota.usage(quota_day(rig.clock.now()))
    assert (usage.requests, usage.bytes) == (1, 2048)


def test_an_exhausted_quota_makes_no_call(rig: Rig) -> None:
    for _ in range(10):
        rig.run()
    calls = len(rig.source.calls)
    result = rig.run()
    assert result.outcome == "quota_denied"  # type: ignore[attr-defined]
    assert len(rig.source.calls) == calls
    assert rig.metrics.jobs[-1] == "quota_denied"
    assert rig.metrics.remaining[-1] == (0, 100_000 - 10 * 2048)


def test_retryable_errors_back_off_then_succeed(rig: Rig) -> None:
    rig.source.script = [failure(Kind.SERVER_ERROR, 503)]
    result = rig.run()
    assert result.outcome == "succeeded"  # type: ignore[attr-defined]
    assert result.attempts == 2  # type: ignore[attr-defined]
    assert rig.sleeper.slept == [2.0]  # base delay, full jitter at its top
    assert rig.metrics.requests == [(PRIMARY, "503"), (PRIMARY, "200")]


def test_429_honours_retry_after(rig: Rig) -> None:
    limited = failure(Kind.RATE_LIMITED, 429)
    limited.retry_after_s = 20.0
    rig.source.script = [limited]
    rig.run()
    assert rig.sleeper.slept == [20.0]


def test_retries_are_bounded_and_the_outcome_says_why(rig: Rig) -> None:
    rig.settings = defaults.enrichment_settings(
        endpoints=(PRIMARY,),
        breaker=defaults.breaker_policy(failure_threshold=10),
        retry=RetryPolicy(max_attempts=3, base_delay_s=1.0, max_delay_s=5.0),
    )
    rig.source.default = failure(Kind.SERVER_ERROR, 502)
    result = rig.run()
    assert (result.outcome, result.attempts) == ("retry_exhausted", 3)  # type: ignore[attr-defined]
    assert rig.sleeper.slept == [1.0, 2.0]  # no wait after the last attempt
    rig.source.default = failure(Kind.TIMEOUT)
    assert rig.run().outcome == "timeout"  # type: ignore[attr-defined]
    assert rig.metrics.jobs == ["retry_exhausted", "timeout"]


def test_a_non_retryable_error_fails_at_once(rig: Rig) -> None:
    rig.source.default = failure(Kind.CLIENT_ERROR, 400)
    result = rig.run()
    assert (result.outcome, result.attempts) == ("failed", 1)  # type: ignore[attr-defined]
    # The server answered: its breaker stays closed.
    assert rig.circuits.read(PRIMARY).status is BreakerStatus.CLOSED


def test_failures_open_the_primary_and_the_mirror_takes_over(rig: Rig) -> None:
    rig.source.script = [failure(Kind.SERVER_ERROR, 503), failure(Kind.SERVER_ERROR, 503)]
    result = rig.run()
    # Two failures opened the primary's breaker; the third attempt went to the mirror.
    assert result.outcome == "succeeded"  # type: ignore[attr-defined]
    assert [endpoint for endpoint, _, _ in rig.source.calls] == [PRIMARY, PRIMARY, MIRROR]
    assert rig.circuits.read(PRIMARY).status is BreakerStatus.OPEN
    assert rig.metrics.breakers == {PRIMARY: 2, MIRROR: 0}


def test_with_every_circuit_open_jobs_short_circuit(rig: Rig) -> None:
    rig.settings = defaults.enrichment_settings(
        endpoints=(PRIMARY,), breaker=defaults.breaker_policy(failure_threshold=2, cooldown_s=60.0)
    )
    rig.source.default = failure(Kind.SERVER_ERROR, 503)
    rig.run()
    calls = len(rig.source.calls)
    later = rig.run()
    assert later.outcome == "circuit_open"  # type: ignore[attr-defined]
    assert len(rig.source.calls) == calls  # no call went out
    # The request it reserved went back: a refused job costs no quota.
    assert rig.quota.usage(quota_day(rig.clock.now())).requests == calls


def test_after_the_cooldown_a_successful_probe_closes_the_circuit(rig: Rig) -> None:
    rig.settings = defaults.enrichment_settings(
        endpoints=(PRIMARY,),
        breaker=defaults.breaker_policy(failure_threshold=2, cooldown_s=60.0),
        retry=defaults.overpass_retry_policy(max_attempts=2, base_delay_s=1.0),
    )
    rig.source.script = [failure(Kind.SERVER_ERROR, 503), failure(Kind.SERVER_ERROR, 503)]
    rig.run()
    assert rig.circuits.read(PRIMARY).status is BreakerStatus.OPEN
    rig.clock.advance(61)
    assert rig.run().outcome == "succeeded"  # type: ignore[attr-defined]
    assert rig.circuits.read(PRIMARY).status is BreakerStatus.CLOSED
    assert rig.metrics.breakers[PRIMARY] == 0


def test_a_busy_semaphore_costs_no_quota_and_no_breaker_failure(rig: Rig) -> None:
    rig.settings = defaults.enrichment_settings(
        endpoints=(PRIMARY,), permits=1, retry=defaults.overpass_retry_policy(max_attempts=1)
    )
    held = rig.limiter.acquire("overpass", 1, 600.0, 0.0)
    assert held is not None
    result = rig.run()
    assert result.outcome == "timeout"  # type: ignore[attr-defined]
    assert rig.source.calls == []
    assert rig.quota.usage(quota_day(rig.clock.now())).requests == 0
    assert rig.circuits.read(PRIMARY).status is BreakerStatus.CLOSED


def test_duplicate_elements_are_stored_once(rig: Rig) -> None:
    places = rig.source.default
    assert isinstance(places, OverpassResponse)
    rig.source.default = OverpassResponse(places.elements * 2, 4096, 200)
    result = rig.run()
    assert result.pois_inserted == 3  # type: ignore[attr-defined]


class RivalFirst(PybreakerEndpointBreakers):
    """Another worker claims the primary's probe between our look at the breaker and our call."""

    def __init__(self, rig: Rig) -> None:
        super().__init__(rig.circuits, rig.clock)
        self.rival = PybreakerEndpointBreakers(rig.circuits, rig.clock)
        self.held: list[object] = []

    def guard(self, endpoint, policy, is_failure):  # type: ignore[no-untyped-def]
        if endpoint == PRIMARY:
            probe = self.rival.guard(endpoint, policy, is_failure)
            probe.__enter__()  # the rival's probe is out (and stays out while held)
            self.held.append(probe)
        return super().guard(endpoint, policy, is_failure)


def test_a_probe_lost_to_another_worker_costs_nothing_and_the_mirror_answers(rig: Rig) -> None:
    # Given the primary's circuit open and past its cool-down
    rig.source.script = [failure(Kind.SERVER_ERROR, 503), failure(Kind.SERVER_ERROR, 503)]
    rig.run()
    rig.clock.advance(61)
    calls = len(rig.source.calls)
    used = rig.quota.usage(quota_day(rig.clock.now())).requests
    # When another worker takes the probe just before this job's call
    breakers = RivalFirst(rig)
    result = EnrichArea(
        source=rig.source,
        quota=rig.quota,
        breakers=breakers,
        limiter=rig.limiter,
        pois=rig.pois,
        journal=rig.journal,
        metrics=rig.metrics,
        clock=rig.clock,
        jitter=FixedJitter(1.0),
        sleeper=rig.sleeper,
        settings=rig.settings,
    )(JOB)
    # Then the job does not call the primary: the mirror answers, one request is spent
    assert result.outcome == "succeeded"
    assert [endpoint for endpoint, _, _ in rig.source.calls[calls:]] == [MIRROR]
    assert rig.quota.usage(quota_day(rig.clock.now())).requests == used + 1
    assert rig.circuits.read(PRIMARY).status is BreakerStatus.HALF_OPEN  # the rival's probe
    assert len(breakers.held) == 1
    assert not any(rig.limiter.holders.values())  # the permit taken for the primary went back
