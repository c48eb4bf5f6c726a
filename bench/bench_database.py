"""A bench's own database on the servers it is pointed at: made afresh and migrated, or kept."""

from __future__ import annotations

import psycopg

from adapters.outbound.postgres.migrations import PostgresMigrationRunner


def fresh_database(admin_url: str, name: str, *, reuse: bool = False) -> tuple[str, bool]:
    """The URL of database ``name`` and whether it was just made (and migrated).

    With ``reuse`` an existing database is kept as it is; otherwise (or when
    it does not exist) it is dropped, created and migrated.
    """
    url = psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if reuse and exists:
            return url, False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    PostgresMigrationRunner(url).apply()
    return url, True
