"""One live service (API + worker processes) per e2e module, on its own database."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import url_of
from tests.e2e.live_service import LiveService, running


@contextlib.contextmanager
def prepared_service(
    postgresql_proc: PostgreSQLExecutor, redis_server: RedisServer, helsinki: Path, run_dir: Path
) -> Iterator[LiveService]:
    """A ``LiveService`` on a fresh database with central Helsinki loaded (nothing started)."""
    dbname = f"e2e_{uuid.uuid4().hex[:10]}"
    janitor = DatabaseJanitor(
        user=postgresql_proc.user,
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        dbname=dbname,
        template_dbname=postgresql_proc.template_dbname,
        maintenance_dbname=postgresql_proc.maintenance_dbname,
        password=postgresql_proc.password,
    )
    with janitor:
        client = redis.Redis.from_url(redis_server.url)
        client.flushall()
        client.close()
        service = LiveService(url_of(postgresql_proc, dbname), redis_server.url, run_dir)
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
