"""A private Redis server on loopback (a queue: AOF, noeviction; or a cache: maxmemory, LFU)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from wildside.domain.errors import UnavailableError

_START_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class RedisServer:
    """Config, pid file, log and append-only file all live under ``root``.

    The defaults are the queue role's policies (AOF every second, never
    evict); a cache is ``RedisServer(root, port, is_durable=False,
    maxmemory_mb=64, eviction_policy="allkeys-lfu")``. One server has one
    eviction policy, so the two roles are two processes.
    """

    root: Path
    port: int
    is_durable: bool = True
    maxmemory_mb: int | None = None  # None: no limit (Redis's own default)
    eviction_policy: str = "noeviction"

    @property
    def url(self) -> str:
        """Connection URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid_file(self) -> Path:
        """Where the server writes its pid."""
        return self.root / "redis.pid"

    def pid(self) -> int | None:
        """The pid of the running server, or ``None``."""
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return pid

    def is_running(self) -> bool:
        """Whether the server process is alive."""
        return self.pid() is not None

    def start(self) -> None:
        """Start the server (daemonised); harmless when it already runs."""
        if self.is_running():
            return
        executable = shutil.which("redis-server")
        if executable is None:
            raise UnavailableError(
                "redis-server is not installed; run scripts/setup.sh", service="redis"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        config = self.root / "redis.conf"
        config.write_text(self._config())
        result = subprocess.run(
            [executable, str(config)], capture_output=True, text=True, check=False
        )
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.is_running() and self._answers():
                return
            time.sleep(0.05)
        log = self.root / "redis.log"
        tail = log.read_text(errors="replace").splitlines()[-3:] if log.exists() else []
        raise UnavailableError(
            f"Redis did not start on port {self.port}: "
            + " | ".join([result.stderr.strip(), *tail]).strip(" |"),
            service="redis",
        )

    def stop(self) -> None:
        """Stop the server and wait for it to exit (it flushes the AOF first)."""
        pid = self.pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.is_running():
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def _config(self) -> str:
        persistence = (
            "appendonly yes\nappendfsync everysec\nsave 900 1\n"
            if self.is_durable
            else 'appendonly no\nsave ""\n'
        )
        return (
            f"port {self.port}\n"
            "bind 127.0.0.1\n"
            "protected-mode yes\n"
            "daemonize yes\n"
            f"dir {self.root}\n"
            f"pidfile {self.pid_file}\n"
            f"logfile {self.root / 'redis.log'}\n"
            f"maxmemory-policy {self.eviction_policy}\n"
            + (f"maxmemory {self.maxmemory_mb}mb\n" if self.maxmemory_mb is not None else "")
            + persistence
        )
