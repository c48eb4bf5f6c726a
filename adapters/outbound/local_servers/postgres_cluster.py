"""A private PostgreSQL+PostGIS cluster on loopback, under a directory we own."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from adapters.outbound.local_servers.pg_ctl import pg_command
from wildside.domain.errors import UnavailableError

DATABASE_NAME = "wildside"


@dataclass(frozen=True, slots=True)
class PostgresCluster:
    """``root/data`` holds the cluster and ``root/server.log`` its log; trust auth on loopback."""

    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    @property
    def url(self) -> str:
        """Connection URL of the application database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def is_running(self) -> bool:
        """Whether the postmaster of this data directory is alive."""
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = subprocess.run(
            pg_command("pg_ctl", "status", "-D", str(self.data_dir)),
            capture_output=True,
            check=False,
        )
        return status.returncode == 0

    def start(self) -> None:
        """Initialise (first time), start, and create the database; harmless when running."""
        if not (self.data_dir / "PG_VERSION").exists():
            self.root.mkdir(parents=True, exist_ok=True)
            self._run(
                "initialise the cluster",
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        if not self.is_running():
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=on -c max_connections=200"
            )
            self._run(
                "start PostgreSQL",
                "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
            )
        self._ensure_database()

    def stop(self) -> None:
        """Stop the server if it runs (fast shutdown: sessions end, data is safe)."""
        if self.is_running():
            self._run(
                "stop PostgreSQL", "pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir)
            )

    def _ensure_database(self) -> None:
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def _run(self, action: str, tool: str, *args: str) -> None:
        result = subprocess.run(
            pg_command(tool, *args), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace").splitlines()[-5:] if log.exists() else []
            detail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:] + tail
            raise UnavailableError(
                f"could not {action} in {self.root}: " + " | ".join(detail),
                service="postgresql",
            )
