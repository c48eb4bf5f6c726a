"""Which failures a worker hands back to Dramatiq for another attempt (``retry_when``)."""

from __future__ import annotations

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.time_limit import TimeLimitExceeded

from adapters.inbound.worker.actors import declare_actors, should_retry
from tests.support import defaults
from wildside.app.plan_tour import EndOutOfReachError
from wildside.domain.errors import InvalidInputError, UnavailableError
from wildside.domain.orienteering import InfeasibleBudgetError


@pytest.mark.parametrize(
    ("error", "is_retried"),
    [
        (UnavailableError("PostgreSQL went away", service="postgresql"), True),
        (ConnectionResetError("reset by peer"), True),
        (TimeoutError("timed out"), True),
        (dramatiq.Retry("again"), True),
        (EndOutOfReachError("the end cannot be reached", field="end"), False),
        (InfeasibleBudgetError("over", direct_cost=5.0, budget=3.0), False),
        (InvalidInputError("bad"), False),
        (KeyError("a bug"), False),
        (TimeLimitExceeded(), False),
    ],
)
def test_only_what_another_attempt_could_fix_is_retried(
    error: BaseException, is_retried: bool
) -> None:
    assert should_retry(0, error, max_retries=3) is is_retried


def test_retryable_errors_stop_at_the_retry_cap() -> None:
    outage = UnavailableError("down", service="redis")
    assert [should_retry(n, outage, max_retries=2) for n in range(4)] == [
        True,
        True,
        False,
        False,
    ]


def test_every_actor_is_declared_with_the_rule() -> None:
    # Given a broker and the actors declared on it
    broker = StubBroker()
    actors = declare_actors(
        broker,
        handlers=None,  # type: ignore[arg-type]
        policy=defaults.route_job_retry_policy(max_retries=2),
        enrichment_time_limit_ms=defaults.enrichment_time_limit_ms(),
    )
    # Then each one decides retries with should_retry and the policy's cap
    for actor in actors:
        rule = actor.options["retry_when"]
        assert rule(1, UnavailableError("down", service="redis")) is True
        assert rule(2, UnavailableError("down", service="redis")) is False
        assert rule(0, KeyError("bug")) is False
