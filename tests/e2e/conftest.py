"""One live service (API + worker processes) per e2e module, on its own database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import fresh_database
from tests.e2e.live_service import LiveService, running


@contextlib.contextmanager
def prepared_service(
    postgresql_proc: PostgreSQLExecutor, redis_server: RedisServer, helsinki: Path, run_dir: Path
) -> Iterator[LiveService]:
    """A ``LiveService`` on a fresh database with central Helsinki loaded (nothing started)."""
    with fresh_database(postgresql_proc, "e2e", redis_server.url) as database_url:
        service = LiveService(database_url, redis_server.url, run_dir)
        service.prepare(helsinki)
        yield service


@pytest.fixture(scope="module")
def live(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveService]:
    """API and worker processes over a fresh database with central Helsinki loaded."""
    run_dir = tmp_path_factory.mktemp("live")
    with prepared_service(postgresql_proc, redis_server, helsinki_pbf, run_dir) as service:
        yield from running(service)
