"""The live service for drills: JSON logs in files the audit reads, users with recorded secrets."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.composition.service import accounts, open_resources
from adapters.settings import Settings, load_settings
from tests.conftest import fresh_database
from tests.drills.ledger import Ledger
from tests.e2e.live_service import LiveService
from wildside.domain.accounts import IssuedToken


def known_setting(name: str) -> bool:
    """Whether this build of Wildside has the setting ``WILDSIDE_<NAME>`` (fixes add some)."""
    return name.lower() in Settings.__struct_fields__


@dataclass
class DrillService(LiveService):
    """A ``LiveService`` whose processes log JSON lines to files the ledger lists."""

    ledger: Ledger = field(default_factory=Ledger)

    def prepare(self, helsinki: Path) -> None:
        """As ``LiveService.prepare``, with JSON logs."""
        super().prepare(helsinki)
        self.env["WILDSIDE_LOG_FORMAT"] = "json"

    def kill_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL one worker process and forget it."""
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        self.workers.remove(worker)
        self.ledger.killed.add(worker.log_path)  # type: ignore[attr-defined]

    def alive(self) -> bool:
        """Whether the API (if started) and every worker still run."""
        processes = [self.api, *self.workers]
        return all(p.poll() is None for p in processes if p is not None)

    def pids(self) -> list[int]:
        """API and worker pids (to prove nothing was restarted)."""
        return [p.pid for p in [self.api, *self.workers] if p is not None]

    def _spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        path = self.run_dir / f"{args[0]}-{time.monotonic_ns()}.log"
        with path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "adapters", *args],
                env={**self.env, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process.log_path = path  # type: ignore[attr-defined]
        self.ledger.add_log(path, args[0])
        return process


@dataclass
class Users:
    """Makes users on a drill service and records their secrets in the ledger."""

    service: DrillService

    def create(
        self, prefix: str, password: str | None = None, *, is_admin: bool = False
    ) -> IssuedToken:
        """A new user with a unique name; the token and the user id are recorded."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        with open_resources(self._settings(), pool_size=1) as resources:
            issued = accounts(resources).create_user(name, password, is_admin=is_admin)
        self.service.ledger.record("token", issued.secret)
        self.service.ledger.record_user_id(issued.user.id)
        if password is not None:
            self.service.ledger.record("password", password)
        return issued

    def issue(self, username: str) -> IssuedToken:
        """Another token for ``username`` (recorded)."""
        with open_resources(self._settings(), pool_size=1) as resources:
            issued = accounts(resources).issue_token(username, "drill")
        self.service.ledger.record("token", issued.secret)
        return issued

    def revoke(self, token_id: str) -> None:
        """Revoke a token by id, as ``wildside tokens revoke`` does."""
        with open_resources(self._settings(), pool_size=1) as resources:
            accounts(resources).revoke_token(token_id)

    def _settings(self) -> Settings:
        return load_settings(
            {
                "WILDSIDE_DATABASE_URL": self.service.database_url,
                "WILDSIDE_REDIS_URL": self.service.redis_url,
            }
        )


@contextlib.contextmanager
def drill_service(
    postgresql_proc: PostgreSQLExecutor,
    redis_url: str,
    helsinki: Path,
    run_dir: Path,
    ledger: Ledger,
) -> Iterator[DrillService]:
    """A prepared ``DrillService`` on its own fresh database (nothing started; stopped after)."""
    with fresh_database(postgresql_proc, "drill", redis_url) as database_url:
        service = DrillService(database_url, redis_url, run_dir, ledger=ledger)
        service.prepare(helsinki)
        try:
            yield service
        finally:
            processes = [p for p in [service.api, *service.workers] if p is not None]
            service.stop()
            for process in processes:
                ledger.exits[process.log_path] = process.returncode  # type: ignore[attr-defined]


def request_rows(database_url: str) -> dict[str, tuple[str, int, int, float | None]]:
    """``request_id -> (status, attempts, results, seconds from creation to the end)``."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT r.request_id::text, r.status, r.attempts,"
            " (SELECT count(*) FROM routes WHERE request_id = r.request_id),"
            " extract(epoch FROM r.finished_at - r.created_at)::float8"
            " FROM route_requests r"
        ).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
