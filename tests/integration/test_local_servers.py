"""`wildside services`: private PostgreSQL+PostGIS and Redis under a run directory, as root."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from tests.conftest import free_port

WILDSIDE = str(Path(sys.executable).parent / "wildside")


def _wildside(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WILDSIDE, *args], capture_output=True, text=True, env=env, check=False, timeout=120
    )


def _exports(stdout: str) -> dict[str, str]:
    exports = {}
    for line in stdout.splitlines():
        words = shlex.split(line)
        assert words[0] == "export", line
        name, _, value = words[1].partition("=")
        exports[name] = value
    return exports


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    environment = {
        **os.environ,
        "WILDSIDE_RUN_DIR": str(tmp_path / "run"),
        "WILDSIDE_PG_PORT": str(free_port()),
        "WILDSIDE_REDIS_PORT": str(free_port()),
        "WILDSIDE_REDIS_CACHE_PORT": str(free_port()),
    }
    yield environment
    _wildside(environment, "services", "stop")


def test_start_twice_status_restart_and_stop(env: dict[str, str]) -> None:
    # When the servers are started
    first = _wildside(env, "services", "start")
    assert first.returncode == 0, first.stderr
    exports = _exports(first.stdout)
    assert set(exports) == {
        "WILDSIDE_DATABASE_URL",
        "WILDSIDE_REDIS_URL",
        "WILDSIDE_REDIS_CACHE_URL",
    }
    # Then PostGIS is available and Redis persists with an append-only file
    with psycopg.connect(exports["WILDSIDE_DATABASE_URL"], autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("CREATE TABLE kept (id int)")
        assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
    client = redis.Redis.from_url(exports["WILDSIDE_REDIS_URL"])
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    client.set("kept", "1")
    client.close()
    # And the cache is a second server that evicts the least used within its budget
    cache = redis.Redis.from_url(exports["WILDSIDE_REDIS_CACHE_URL"], decode_responses=True)
    assert cache.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lfu"}
    assert cache.config_get("maxmemory") == {"maxmemory": str(64 * 1024 * 1024)}
    assert cache.config_get("appendonly") == {"appendonly": "no"}
    cache.close()
    # And starting again is harmless and prints the same exports
    again = _wildside(env, "services", "start")
    assert again.returncode == 0, again.stderr
    assert _exports(again.stdout) == exports
    assert _wildside(env, "services", "status").returncode == 0
    # When stopped, status says so and exits non-zero
    assert _wildside(env, "services", "stop").returncode == 0
    status = _wildside(env, "services", "status")
    assert status.returncode == 3
    assert "postgresql: stopped" in status.stdout
    assert "redis: stopped" in status.stdout
    assert "redis-cache: stopped" in status.stdout
    # And a restart keeps both servers' data
    assert _wildside(env, "services", "start").returncode == 0
    with psycopg.connect(exports["WILDSIDE_DATABASE_URL"]) as conn:
        assert conn.execute("SELECT to_regclass('kept') IS NOT NULL").fetchone() == (True,)
    client = redis.Redis.from_url(exports["WILDSIDE_REDIS_URL"])
    assert client.get("kept") == b"1"
    client.close()


def test_start_on_a_busy_port_fails_with_a_clear_message(env: dict[str, str]) -> None:
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["WILDSIDE_PG_PORT"])))
        squatter.listen()
        result = _wildside(env, "services", "start")
    assert result.returncode == 1
    assert result.stderr.startswith("wildside: error: could not start PostgreSQL")
    assert len(result.stderr.strip().splitlines()) == 1
