"""One behaviour suite for every ``HealthProbe``: passes while its service answers."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable

import psycopg
import pytest

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.health import PostgresHealthProbe
from adapters.outbound.redis.health import RedisHealthProbe
from wildside.domain.errors import UnavailableError
from wildside.ports.health_probe import HealthProbe

# Each adapter gives a probe of a live service and one of a service that is not there.
ProbePair = tuple[HealthProbe, HealthProbe]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres(request: pytest.FixtureRequest) -> ProbePair:
    url = request.getfixturevalue("migrated_database_url")
    dead = f"postgresql://nobody@127.0.0.1:{_closed_port()}/wildside"
    return PostgresHealthProbe(per_call(url)), PostgresHealthProbe(per_call(dead))


def _redis(request: pytest.FixtureRequest) -> ProbePair:
    url = request.getfixturevalue("redis_url")
    return RedisHealthProbe(url), RedisHealthProbe(f"redis://127.0.0.1:{_closed_port()}/0")


BUILDERS: dict[str, tuple[str, Callable[[pytest.FixtureRequest], ProbePair]]] = {
    "postgres": ("postgresql", _postgres),
    "redis": ("redis", _redis),
}


@pytest.fixture(params=sorted(BUILDERS))
def probes(request: pytest.FixtureRequest) -> tuple[str, HealthProbe, HealthProbe]:
    name, build = BUILDERS[request.param]
    live, dead = build(request)
    return name, live, dead


def test_a_live_service_passes(probes: tuple[str, HealthProbe, HealthProbe]) -> None:
    # Given a probe of a running service, when it checks, then it returns quietly
    name, live, _ = probes
    assert live.name == name
    live.check()
    live.check()  # and again: a probe holds no state between checks


def test_a_missing_service_is_unavailable(probes: tuple[str, HealthProbe, HealthProbe]) -> None:
    # Given a probe of a service nobody runs, when it checks, then it says unavailable
    name, _, dead = probes
    with pytest.raises(UnavailableError) as caught:
        dead.check()
    assert caught.value.service == name


def test_postgres_probe_leaves_a_pooled_connection_as_it_was(migrated_database_url: str) -> None:
    # Given a probe sharing one long-lived connection, as a pool would lend it
    with psycopg.connect(migrated_database_url, autocommit=True) as conn:
        probe = PostgresHealthProbe(lambda: contextlib.nullcontext(conn), timeout_s=0.5)
        # When it checks
        probe.check()
        # Then its short statement timeout ended with the check
        row = conn.execute("SHOW statement_timeout").fetchone()
        assert row is not None
        assert row[0] == "0"
        assert conn.info.transaction_status is psycopg.pq.TransactionStatus.IDLE
