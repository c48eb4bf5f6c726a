"""Use cases wired to in-memory fakes (cosmicpython's bootstrap-for-tests, by hand)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.fakes.account_store import InMemoryAccountStore
from tests.fakes.clock import FakeClock
from tests.fakes.metrics import RecordingMetrics
from tests.fakes.planner import FakePlanner
from tests.fakes.randomness import CountingSecrets, FixedJitter, SequentialIds
from tests.fakes.rate_limiter import InMemoryRateLimiter
from tests.fakes.route_cache import InMemoryRouteCache
from tests.fakes.route_job_queue import InMemoryRouteJobQueue
from tests.fakes.route_request_store import InMemoryRouteRequestStore
from tests.fakes.status_channel import InMemoryStatusChannel
from tests.support import defaults
from wildside.app.generate_route import GenerateRoute
from wildside.app.submit_route import SubmitRoute
from wildside.domain.accounts import User
from wildside.domain.geo import GeoPoint


@dataclass
class World:
    """Every fake, shared by the use cases under test."""

    clock: FakeClock = field(default_factory=FakeClock)
    store: InMemoryRouteRequestStore = field(default_factory=InMemoryRouteRequestStore)
    queue: InMemoryRouteJobQueue = field(default_factory=InMemoryRouteJobQueue)
    channel: InMemoryStatusChannel = field(default_factory=InMemoryStatusChannel)
    accounts: InMemoryAccountStore = field(default_factory=InMemoryAccountStore)
    ids: SequentialIds = field(default_factory=SequentialIds)
    secrets: CountingSecrets = field(default_factory=CountingSecrets)
    jitter: FixedJitter = field(default_factory=FixedJitter)
    metrics: RecordingMetrics = field(default_factory=RecordingMetrics)
    limiter: InMemoryRateLimiter = field(init=False)
    cache: InMemoryRouteCache = field(init=False)
    planner: FakePlanner = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = InMemoryRateLimiter(self.clock)
        self.cache = InMemoryRouteCache(self.clock)
        self.planner = FakePlanner(self.clock)

    def submit_route(self, **overrides: Any) -> SubmitRoute:
        """``SubmitRoute`` over this world's fakes (keyword overrides win)."""
        parts: dict[str, Any] = {
            "store": self.store,
            "queue": self.queue,
            "publisher": self.channel,
            "limiter": self.limiter,
            "clock": self.clock,
            "ids": self.ids,
            "settings": defaults.submission_settings(),
        }
        return SubmitRoute(**{**parts, **overrides})

    def generate_route(self, **overrides: Any) -> GenerateRoute:
        """``GenerateRoute`` over this world's fakes (keyword overrides win)."""
        parts: dict[str, Any] = {
            "store": self.store,
            "planner": self.planner,
            "cache": self.cache,
            "publisher": self.channel,
            "metrics": self.metrics,
            "clock": self.clock,
            "jitter": self.jitter,
            "settings": defaults.generation_settings(),
        }
        return GenerateRoute(**{**parts, **overrides})


@pytest.fixture
def world() -> World:
    return World()


ADA = User(id="11111111-1111-4111-8111-111111111111", username="ada")
BOB = User(id="22222222-2222-4222-8222-222222222222", username="bob")
HELSINKI = GeoPoint(60.1712, 24.9441)
