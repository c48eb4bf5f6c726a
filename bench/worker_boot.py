"""Worker boot: seconds from `wildside worker` starting to its metrics answering, and its RSS.

Usage: ``python bench/worker_boot.py DATABASE_URL [--code DIR] [--repeat 3]`` with
``WILDSIDE_REDIS_URL`` set (``eval "$(.venv/bin/wildside services start)"``).
``--code`` runs the worker from another checkout (a ``git worktree`` of an
older commit) with this virtualenv, to compare before and after.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def boot_once(url: str, code: Path) -> tuple[float, float, float]:
    """Seconds to a ready worker, its RSS then and its peak RSS (MiB)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k.startswith("WILDSIDE_") is False}
    env.update(
        {
            "WILDSIDE_DATABASE_URL": url,
            "WILDSIDE_REDIS_URL": os.environ["WILDSIDE_REDIS_URL"],
            "WILDSIDE_WORKER_METRICS_PORT": str(port),
            "WILDSIDE_ENRICHMENT_ENABLED": "false",
            "WILDSIDE_LOG_LEVEL": "WARNING",
        }
    )
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters", "worker"],
        cwd=code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"worker exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        ready = time.perf_counter() - began
        rss = _status_kib(process.pid, "VmRSS") / 1024
        peak = _status_kib(process.pid, "VmHWM") / 1024
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return ready, rss, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--code", type=Path, default=REPO)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [boot_once(args.database_url, args.code) for _ in range(args.repeat)]
    seconds = [r[0] for r in runs]
    print(
        f"{args.code}: boot median {statistics.median(seconds):.2f} s"
        f" (min {min(seconds):.2f}, max {max(seconds):.2f});"
        f" RSS when ready {statistics.median(r[1] for r in runs):.0f} MiB,"
        f" peak {max(r[2] for r in runs):.0f} MiB"
    )


if __name__ == "__main__":
    main()
