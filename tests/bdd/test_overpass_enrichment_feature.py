"""Steps for features/overpass_enrichment.feature: real PostgreSQL and Redis, a fake Overpass."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import pytest
import redis
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.outbound.overpass.aiohttp_source import AiohttpOverpassSource
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.enrichment_log import PostgresEnrichmentLog
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.outbound.prometheus.enrichment_metrics import PrometheusEnrichmentMetrics
from adapters.outbound.prometheus.metrics import PrometheusMetrics
from adapters.outbound.pybreaker.endpoint_breakers import PybreakerEndpointBreakers
from adapters.outbound.redis.call_limiter import RedisCallLimiter
from adapters.outbound.redis.circuit_store import RedisCircuitStore
from adapters.outbound.redis.enrichment_quota import RedisEnrichmentQuota
from adapters.outbound.system_clock import SystemClock
from tests.fakes.randomness import FixedJitter
from tests.support import defaults
from tests.support.fake_overpass import FakeOverpass, Reply
from wildside.app.enrich_area import EnrichArea
from wildside.domain.enrichment.area import BoundingBox, EnrichmentJob
from wildside.domain.enrichment.circuit_breaker import BreakerState, BreakerStatus
from wildside.domain.enrichment.quota import quota_day
from wildside.ports.enrichment_log import EnrichmentResult

scenarios("overpass_enrichment.feature")

CENTRAL_HELSINKI = EnrichmentJob(BoundingBox(60.14, 24.92, 60.18, 24.99), ("history",))


class GaugeHistoryMetrics(PrometheusEnrichmentMetrics):
    """The real Prometheus series, plus every breaker gauge value set, in order.

    The registry holds only the last value; a scenario about a half-open probe
    needs to see the state it passed through.
    """

    def __init__(self, metrics: PrometheusMetrics) -> None:
        super().__init__(metrics)
        self.breaker_gauges: list[tuple[str, int]] = []

    def breaker_state(self, endpoint: str, gauge: int) -> None:
        self.breaker_gauges.append((endpoint, gauge))
        super().breaker_state(endpoint, gauge)


class RecordingSleeper:
    """Backoff waits are recorded, not slept: the scenarios are about outcomes."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@dataclass
class World:
    database_url: str
    redis_url: str
    fake: FakeOverpass
    prometheus: PrometheusMetrics = field(default_factory=PrometheusMetrics)
    permits: int = 2
    daily_calls: int = 100
    attempts: int = 3
    threshold: int = 5
    client_timeout_s: float = 5.0
    results: list[EnrichmentResult] = field(default_factory=list)
    sources: list[AiohttpOverpassSource] = field(default_factory=list)
    metrics: GaugeHistoryMetrics | None = None

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url)

    def use_case(self) -> EnrichArea:
        source = AiohttpOverpassSource(
            user_agent="wildside-test",
            contact="tests@wildside.invalid",
            tenant_token="bdd",
            timeout_s=self.client_timeout_s,
            connect_timeout_s=2.0,
        )
        self.sources.append(source)
        client = self.redis()
        return EnrichArea(
            source=source,
            quota=RedisEnrichmentQuota(client),
            breakers=PybreakerEndpointBreakers(RedisCircuitStore(client), SystemClock()),
            limiter=RedisCallLimiter(client),
            pois=PostgresPoiRepository(per_call(self.database_url)),
            journal=PostgresEnrichmentLog(per_call(self.database_url)),
            metrics=self.enrichment_metrics(),
            clock=SystemClock(),
            jitter=FixedJitter(0.0),
            sleeper=RecordingSleeper(),
            settings=defaults.enrichment_settings(
                endpoints=(self.fake.url,),
                quota=defaults.quota_policy(daily_requests=self.daily_calls),
                breaker=defaults.breaker_policy(failure_threshold=self.threshold, cooldown_s=60.0),
                retry=defaults.overpass_retry_policy(max_attempts=self.attempts, base_delay_s=0.0),
                permits=self.permits,
                permit_wait_s=30.0,
            ),
        )

    def enrichment_metrics(self) -> GaugeHistoryMetrics:
        if self.metrics is None:  # one set of series per registry, as in a worker
            self.metrics = GaugeHistoryMetrics(self.prometheus)
        return self.metrics

    def counter(self, outcome: str) -> float:
        registry = self.prometheus.registry
        value = registry.get_sample_value("wildside_enrichment_jobs_total", {"outcome": outcome})
        # Both queues' outcomes share wildside_jobs_total: it must agree.
        shared = registry.get_sample_value(
            "wildside_jobs_total", {"queue": "enrichment", "outcome": outcome}
        )
        assert shared == value
        return value or 0.0

    def logged(self) -> list[str]:
        with psycopg.connect(self.database_url) as conn:
            rows = conn.execute(
                "SELECT outcome FROM enrichment_jobs ORDER BY started_at, id"
            ).fetchall()
        return [row[0] for row in rows]


@pytest.fixture
def world(migrated_database_url: str, redis_url: str) -> Iterator[World]:
    with FakeOverpass(slow_s=30.0) as fake:
        state = World(migrated_database_url, redis_url, fake)
        yield state
        for source in state.sources:
            source.close()


# -- Given ---------------------------------------------------------------------------


@given("an Overpass server on this machine")
def _server(world: World) -> None:
    assert world.fake.url.startswith("http://127.0.0.1:")


@given(
    parsers.parse(
        "enrichment allows {permits:d} concurrent calls, {calls:d} calls a day, "
        "and {attempts:d} attempts per job"
    )
)
def _limits(world: World, permits: int, calls: int, attempts: int) -> None:
    world.permits, world.daily_calls, world.attempts = permits, calls, attempts


@given("the Overpass server answers with places")
def _places(world: World) -> None:
    world.fake.set_default("success")


@given(parsers.parse("the Overpass server takes {seconds:f} seconds to answer with places"))
def _slow_places(world: World, seconds: float) -> None:
    world.fake.set_default(Reply("success", delay_s=seconds))


@given("today's quota of Overpass calls is used up")
def _quota_used(world: World) -> None:
    client = world.redis()
    day = quota_day(datetime.now(UTC))
    client.hset(f"enrich:quota:{day}", mapping={"requests": world.daily_calls, "bytes": 0})
    client.close()


@given("the Overpass server fails every call with 503")
def _failing(world: World) -> None:
    world.fake.set_default("server_error")


@given(parsers.parse("the circuit opens after {count:d} consecutive failures"))
def _threshold(world: World, count: int) -> None:
    world.threshold = count


@given("the server's circuit opened 2 minutes ago with a cooldown of 1 minute")
def _opened_earlier(world: World) -> None:
    opened = datetime.now(UTC).timestamp() - 120
    store = RedisCircuitStore(world.redis())
    store.update(world.fake.url, lambda _: (BreakerState(BreakerStatus.OPEN, 5, opened), None))
    # The scenario is only about a probe if the circuit really is open now.
    assert store.read(world.fake.url) == BreakerState(BreakerStatus.OPEN, 5, opened)


@given(parsers.parse("the Overpass server answers every call {how}"))
def _every_call(world: World, how: str) -> None:
    if how == "too slowly for the client":
        world.client_timeout_s = 0.5
        world.fake.set_default("slow")
    elif "429" in how:
        world.fake.set_default(Reply("rate_limited", headers={"Retry-After": "0"}))
    else:
        world.fake.set_default("server_error")


# -- When ----------------------------------------------------------------------------


@when("an enrichment job runs for central Helsinki")
@when("another enrichment job runs for central Helsinki")
def _run(world: World) -> None:
    world.results.append(world.use_case()(CENTRAL_HELSINKI))


@when(parsers.parse("{count:d} enrichment jobs run at the same time"))
def _run_many(world: World, count: int) -> None:
    use_case = world.use_case()
    with ThreadPoolExecutor(count) as pool:
        world.results.extend(pool.map(lambda _: use_case(CENTRAL_HELSINKI), range(count)))


# -- Then ----------------------------------------------------------------------------


@then(parsers.parse("{count:d} new places are stored with the server as their source"))
def _stored(world: World, count: int) -> None:
    with psycopg.connect(world.database_url) as conn:
        rows = conn.execute(
            "SELECT name, source, source_url, source_bbox IS NOT NULL FROM pois ORDER BY name"
        ).fetchall()
    assert len(rows) == count
    assert {(source, url, has_box) for _, source, url, has_box in rows} == {
        ("overpass", world.fake.url, True)
    }
    assert world.results[-1].pois_inserted == count


@then(parsers.parse('the job is logged as "{outcome}" with {count:d} places received'))
def _logged_with(world: World, outcome: str, count: int) -> None:
    assert world.logged()[-1] == outcome
    assert world.results[-1].pois_received == count


@then(parsers.parse('the job is logged as "{outcome}"'))
def _logged(world: World, outcome: str) -> None:
    assert world.logged()[-1] == outcome


@then(parsers.parse('the jobs are logged as "{first}" then "{second}"'))
def _logged_two(world: World, first: str, second: str) -> None:
    assert world.logged() == [first, second]


@then(parsers.parse('all {count:d} jobs are logged as "{outcome}"'))
def _logged_all(world: World, count: int, outcome: str) -> None:
    assert world.logged() == [outcome] * count


@then(parsers.parse('the "{outcome}" job counter is {count:d}'))
def _counter(world: World, outcome: str, count: int) -> None:
    assert world.counter(outcome) == count


@then("the Overpass server received no call")
def _no_call(world: World) -> None:
    assert world.fake.calls == 0


@then(parsers.parse("the Overpass server received {count:d} calls"))
def _calls(world: World, count: int) -> None:
    assert world.fake.calls == count


@then(parsers.parse("the breaker gauge of the server shows it {state}"))
def _gauge(world: World, state: str) -> None:
    value = world.prometheus.registry.get_sample_value(
        "wildside_overpass_breaker_state", {"endpoint": world.fake.url}
    )
    assert value == {"closed": 0, "open": 2}[state]


@then(parsers.parse("the breaker of the server went {first} for the probe, then {second}"))
def _gauge_history(world: World, first: str, second: str) -> None:
    assert world.metrics is not None
    gauges = {"closed": 0, "half-open": 1, "open": 2}
    seen = [gauge for endpoint, gauge in world.metrics.breaker_gauges if endpoint == world.fake.url]
    assert seen == [gauges[first], gauges[second]]
    assert world.fake.calls == 1  # one probe, no more


@then(parsers.parse("the Overpass server never had more than {count:d} calls in flight at once"))
def _in_flight(world: World, count: int) -> None:
    assert world.fake.max_in_flight == count  # the limit held, and was reached
