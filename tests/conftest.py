"""Shared fixtures: a private PostgreSQL+PostGIS (pytest-postgresql) and a private Redis.

Both servers are started by the test session itself, on loopback, in
temporary directories; nothing depends on a server started by hand. Every
test that asks for a database gets a fresh one cloned from a template that
already has PostGIS, so no test sees another's rows.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from pytest_postgresql import factories
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

from adapters.outbound.local_servers.redis_server import RedisServer
from adapters.outbound.postgres.migrations import PostgresMigrationRunner

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO_ROOT / "data" / "osm"
HELSINKI_PBF = SAMPLES_DIR / "Helsinki.osm.pbf"
KOTKA_PBF = SAMPLES_DIR / "test.osm.pbf"
SHARED_DIR = REPO_ROOT.parent / "shared"


def _load_postgis(
    host: str, port: int, user: str, dbname: str, password: str | None, **_: object
) -> None:
    """Install extensions once into the template every test database is cloned from."""
    with psycopg.connect(
        host=host, port=port, user=user, dbname=dbname, password=password, autocommit=True
    ) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")


# The root-safe pg_ctl wrapper is a console script of this project.
postgresql_proc = factories.postgresql_proc(
    executable=str(Path(sys.executable).parent / "wildside-pg-ctl"),
    host="127.0.0.1",
    port=None,
    load=[_load_postgis],
)
postgresql = factories.postgresql("postgresql_proc", dbname="wildside_test")


@contextlib.contextmanager
def fresh_database(proc: PostgreSQLExecutor, prefix: str, redis_url: str) -> Iterator[str]:
    """URL of a new database cloned from the PostGIS template, dropped after; Redis emptied.

    For suites that run whole processes (e2e, drills) against one session server.
    """
    dbname = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with DatabaseJanitor(
        user=proc.user,
        host=proc.host,
        port=proc.port,
        dbname=dbname,
        template_dbname=proc.template_dbname,
        maintenance_dbname=proc.maintenance_dbname,
        password=proc.password,
    ):
        client = redis.Redis.from_url(redis_url)
        client.flushall()
        client.close()
        yield url_of(proc, dbname)


def url_of(proc: PostgreSQLExecutor, dbname: str) -> str:
    """Connection URL of ``dbname`` on the test server."""
    return f"postgresql://{proc.user}@{proc.host}:{proc.port}/{dbname}"


@pytest.fixture
def database_url(postgresql: psycopg.Connection, postgresql_proc: PostgreSQLExecutor) -> str:
    """URL of a fresh, empty database (PostGIS installed, no migrations)."""
    return url_of(postgresql_proc, postgresql.info.dbname)


@pytest.fixture
def migrated_database_url(database_url: str) -> str:
    """URL of a fresh database with every migration applied."""
    PostgresMigrationRunner(database_url).apply()
    return database_url


@pytest.fixture
def db(migrated_database_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to a fresh migrated database, for assertions."""
    with psycopg.connect(migrated_database_url, autocommit=True) as conn:
        yield conn


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A private Redis for the whole session (the project's own server manager starts it)."""
    server = RedisServer(root=tmp_path_factory.mktemp("redis"), port=free_port(), is_durable=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """URL of the private Redis, emptied before the test."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """The bundled central-Helsinki extract."""
    return _sample(HELSINKI_PBF)


@pytest.fixture(scope="session")
def kotka_pbf() -> Path:
    """The bundled Kotka test extract."""
    return _sample(KOTKA_PBF)


def _sample(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/setup.sh first")
    return path
