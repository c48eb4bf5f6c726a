"""Apply ``migrations/*.sql`` in order, once each, under an advisory lock.

A maintained runner was considered (yoyo-migrations supports psycopg 3), but
its lock table and Python-file conventions add more than this needs: plain
SQL files, one transaction each, a checksum so an edited applied file is
caught, and ``pg_advisory_lock`` so two processes never race.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg

from adapters.outbound.postgres.connection import connection
from wildside.domain.errors import WildsideError

# Any fixed 64-bit number works; this one spells "wildside" in ASCII.
_LOCK_KEY = int.from_bytes(b"wildside", "big") & 0x7FFF_FFFF_FFFF_FFFF

DEFAULT_MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


class MigrationError(WildsideError):
    """A migration failed, or an applied migration file was changed."""

    code = "migration-failed"


@dataclass(frozen=True, slots=True)
class Migration:
    """One SQL file: its version (file stem), SQL text and checksum."""

    version: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the SQL text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path) -> list[Migration]:
    """Return the migrations of ``directory`` in file-name order."""
    if not directory.is_dir():
        raise MigrationError(f"migrations directory {directory} does not exist")
    return [
        Migration(version=path.stem, sql=path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.sql"))
    ]


class PostgresMigrationRunner:
    """Applies pending migrations to one database."""

    def __init__(self, database_url: str, directory: Path = DEFAULT_MIGRATIONS_DIR) -> None:
        self._url = database_url
        self._directory = directory

    def apply(self) -> list[str]:
        """Apply every pending migration; return the versions applied now.

        Safe to run twice and from several processes at once: the second
        caller waits for the lock, then finds nothing pending.
        """
        migrations = discover(self._directory)
        with connection(self._url) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
            try:
                return self._apply_locked(conn, migrations)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))

    def applied(self) -> dict[str, str]:
        """Return applied versions and their checksums."""
        with connection(self._url) as conn:
            row = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
            return _applied(conn) if row and row[0] else {}

    def _apply_locked(self, conn: psycopg.Connection, migrations: list[Migration]) -> list[str]:
        self._ensure_table(conn)
        done = _applied(conn)
        applied_now: list[str] = []
        for migration in migrations:
            checksum = done.get(migration.version)
            if checksum is not None:
                if checksum != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version} was changed after it was applied; "
                        "add a new migration instead of editing an old one"
                    )
                continue
            try:
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
                        (migration.version, migration.checksum),
                    )
            except psycopg.Error as exc:
                raise MigrationError(
                    f"migration {migration.version} failed: {str(exc).strip()}"
                ) from exc
            applied_now.append(migration.version)
        return applied_now

    @staticmethod
    def _ensure_table(conn: psycopg.Connection) -> None:
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text PRIMARY KEY,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )


def _applied(conn: psycopg.Connection) -> dict[str, str]:
    rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return dict(rows)
