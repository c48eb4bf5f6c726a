"""The connection pool after a PostgreSQL restart: 503s while down, then back within seconds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from adapters.outbound.local_servers.postgres_cluster import PostgresCluster
from adapters.outbound.postgres.connection import open_pool, translate_errors
from tests.conftest import free_port
from wildside.domain.errors import UnavailableError, WildsideError

OUTAGE_S = 8.0


def test_a_pool_answers_within_two_seconds_of_postgresql_coming_back(tmp_path: Path) -> None:
    # Given a pool on a private server that is then stopped for 8 s while requests keep coming
    cluster = PostgresCluster(root=tmp_path / "pg", port=free_port())
    cluster.start()
    pool = open_pool(cluster.url, max_size=4, timeout_s=1.0)
    stop = threading.Event()
    outcomes: list[str] = []

    def ask() -> bool:
        try:
            with translate_errors("probe", WildsideError), pool.connection() as conn:
                conn.execute("SELECT 1")
        except UnavailableError:
            outcomes.append("unavailable")
            return False
        return True

    def load() -> None:
        while not stop.wait(0.2):
            threading.Thread(target=ask, daemon=True).start()

    try:
        pool.wait(timeout=10)
        assert ask()
        cluster.stop()
        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        time.sleep(OUTAGE_S)
        # When the server comes back
        cluster.start()
        back = time.monotonic()
        deadline = back + 10
        while not ask():
            if time.monotonic() > deadline:
                pytest.fail("the pool did not recover within 10 s")
            time.sleep(0.05)
        recovery_s = time.monotonic() - back
    finally:
        stop.set()
        pool.close()
        cluster.stop()
    # Then the outage was answered as unavailable, and the first query after it
    # succeeded quickly (the library's backoff alone took up to 7 s here)
    assert "unavailable" in outcomes
    assert recovery_s < 2.0, recovery_s
