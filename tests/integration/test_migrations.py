"""The migration runner: in order, once, under a lock, and loud about edited history."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import psycopg
import pytest

from adapters.outbound.postgres.migrations import (
    DEFAULT_MIGRATIONS_DIR,
    MigrationError,
    PostgresMigrationRunner,
)

EXPECTED_TABLES = {
    "users",
    "api_tokens",
    "route_requests",
    "routes",
    "idempotency_keys",
    "pois",
    "walk_nodes",
    "walk_edges",
    "map_imports",
    "schema_migrations",
}


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {name for (name,) in rows}


def test_applies_every_migration_once_and_second_run_is_a_no_op(database_url: str) -> None:
    runner = PostgresMigrationRunner(database_url)
    first = runner.apply()
    assert first == sorted(p.stem for p in DEFAULT_MIGRATIONS_DIR.glob("*.sql"))
    assert runner.apply() == []
    assert _tables(database_url) >= EXPECTED_TABLES
    assert set(runner.applied()) == set(first)


def test_concurrent_runs_apply_each_migration_exactly_once(database_url: str) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            results.append(PostgresMigrationRunner(database_url).apply())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    applied = sorted(version for result in results for version in result)
    assert applied == sorted(p.stem for p in DEFAULT_MIGRATIONS_DIR.glob("*.sql"))


def test_edited_applied_migration_is_refused(database_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    shutil.copytree(DEFAULT_MIGRATIONS_DIR, directory)
    PostgresMigrationRunner(database_url, directory).apply()
    first = sorted(directory.glob("*.sql"))[-1]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        PostgresMigrationRunner(database_url, directory).apply()


def test_failing_migration_rolls_back_and_names_itself(database_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_ok.sql").write_text("CREATE TABLE ok (id int);")
    (directory / "0002_bad.sql").write_text("CREATE TABLE half (id int); SELECT nonsense;")
    runner = PostgresMigrationRunner(database_url, directory)
    with pytest.raises(MigrationError, match="0002_bad"):
        runner.apply()
    assert "ok" in _tables(database_url)
    assert "half" not in _tables(database_url)  # one transaction per file
    assert set(runner.applied()) == {"0001_ok"}


def test_missing_directory_is_a_clear_error(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="does not exist"):
        PostgresMigrationRunner(database_url, tmp_path / "nowhere").apply()
