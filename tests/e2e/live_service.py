"""The service as separate processes: ``wildside serve`` and ``wildside worker`` on test servers."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from adapters.composition import build_ingest
from adapters.composition.service import accounts, open_resources
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.wildside_api_client import WildsideApiClient
from adapters.settings import load_settings
from tests.conftest import free_port
from wildside.ports.progress import SilentProgress

START_TIMEOUT_S = 120.0


@dataclass
class LiveService:
    """API and worker processes sharing one database and one Redis."""

    database_url: str
    redis_url: str
    run_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    api: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        """Where the API listens."""
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, helsinki: Path) -> None:
        """Migrate, ingest central Helsinki, write a session key, fix the environment."""
        PostgresMigrationRunner(self.database_url).apply()
        settings = load_settings({"WILDSIDE_DATABASE_URL": self.database_url})
        build_ingest(settings, SilentProgress())(helsinki)
        key = self.run_dir / "session.key"
        key.write_text(base64.b64encode(os.urandom(64)).decode())
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WILDSIDE_")}
        self.env.update(
            {
                "WILDSIDE_DATABASE_URL": self.database_url,
                "WILDSIDE_REDIS_URL": self.redis_url,
                "WILDSIDE_SESSION_KEY_FILE": str(key),
                "WILDSIDE_COOKIE_SECURE": "false",
                "WILDSIDE_RUN_DIR": str(self.run_dir),
                # A killed worker's job comes back within seconds instead of half a
                # minute: the same lease and sweep mechanism, on a shorter clock.
                "WILDSIDE_QUEUE_HEARTBEAT_TIMEOUT_MS": "3000",
                "WILDSIDE_MAINTENANCE_INTERVAL_S": "1",
                "WILDSIDE_ROUTE_JOB_LEASE_S": "3",
                "WILDSIDE_RATE_LIMIT_PER_MINUTE": "100000",
                "WILDSIDE_PLACES_RATE_LIMIT_PER_MINUTE": "100000",
            }
        )

    def start_api(self) -> None:
        """Start ``wildside serve`` and wait until it is ready."""
        self.api = self._spawn("serve", "--host", "127.0.0.1", "--port", str(self.port))
        self._wait(f"{self.base_url}/health/ready", self.api)

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start a ``wildside worker`` and wait until its metrics answer (kernels warm)."""
        metrics_port = free_port()
        worker = self._spawn("worker", env={"WILDSIDE_WORKER_METRICS_PORT": str(metrics_port)})
        worker.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"  # type: ignore[attr-defined]
        self._wait(worker.metrics_url, worker)  # type: ignore[attr-defined]
        self.workers.append(worker)
        return worker

    def user(self, name: str) -> str:
        """Create a user in the live database; return their bearer token."""
        settings = load_settings(
            {"WILDSIDE_DATABASE_URL": self.database_url, "WILDSIDE_REDIS_URL": self.redis_url}
        )
        with open_resources(settings, pool_size=1) as resources:
            return accounts(resources).create_user(name).secret

    def client(self, token: str) -> WildsideApiClient:
        """An API client with ``token``."""
        return WildsideApiClient(self.base_url, token, timeout_s=60.0)

    def stop(self) -> dict[str, int]:
        """SIGTERM everything that still runs; return each process's exit code.

        Keys are ``"api"`` and ``"worker-<pid>"``. A process that had already
        exited reports its own code; one still running 30 s after SIGTERM is
        killed and reports ``-9``. Nothing is raised, so teardown can call this
        freely; a test about clean stops asserts on the result.
        """
        named = [(f"worker-{worker.pid}", worker) for worker in self.workers]
        if self.api is not None:
            named.append(("api", self.api))
        for _, process in named:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: dict[str, int] = {}
        for name, process in named:
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        return codes

    def _spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.run_dir / f"{args[0]}-{time.monotonic_ns()}.log").open("wb")
        return subprocess.Popen(
            [sys.executable, "-m", "adapters", *args],
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait(self, url: str, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{process.args} exited with {process.returncode}: {self.logs()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{url} not ready in {START_TIMEOUT_S} s: {self.logs()}")

    def logs(self) -> str:
        """The tail of every process log (for failure messages)."""
        parts = []
        for path in sorted(self.run_dir.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


def running(service: LiveService) -> Iterator[LiveService]:
    """Start API and one worker; stop them afterwards."""
    try:
        service.start_api()
        service.start_worker()
        yield service
    finally:
        service.stop()
