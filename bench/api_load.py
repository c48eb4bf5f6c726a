"""API load on loopback: wrk against the route endpoints next to a trivial endpoint, and POST->done.

Run on the private servers (``eval "$(.venv/bin/wildside services start)"``). The
script migrates, ingests central Helsinki if the database is empty, creates a
throw-away user, starts ``wildside serve`` (and ``wildside worker`` for the
end-to-end part) as real processes, and removes what it created at the end.

Figures:
- wrk (1 thread, N connections, fixed duration) on ``GET /health/live`` (a
  trivial Litestar handler on the same server: the anchor), ``POST
  /api/v1/routes`` (rate limit, PostgreSQL insert, enqueue, publish) and ``GET
  /api/v1/routes/{id}`` of a finished tour (PostgreSQL read, a ~10 KB JSON
  document); no worker runs meanwhile, so the server has the machine to itself.
- End to end: from POST to the ``succeeded`` WebSocket message, 1 and 10
  concurrent clients, with cache misses (a new seed every time) and hits.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.composition import build_ingest
from adapters.composition.service import accounts, open_resources
from adapters.outbound.postgres.connection import connection, per_call
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.outbound.wildside_api_client import WildsideApiClient
from adapters.settings import load_settings
from wildside.ports.progress import SilentProgress

REPO = Path(__file__).resolve().parents[1]
HELSINKI = {"lat": 60.1712, "lng": 24.9441}
BODY = {"start": HELSINKI, "duration_minutes": 60, "preferences": ["history", "nature"]}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Stack:
    """API (and optionally worker) processes on the configured servers."""

    def __init__(self, run_dir: Path) -> None:
        self.settings = load_settings()
        self.run_dir = run_dir
        self.port = _free_port()
        key = run_dir / "bench-session.key"
        key.write_text(base64.b64encode(os.urandom(64)).decode())
        self.env = {
            **os.environ,
            "WILDSIDE_SESSION_KEY_FILE": str(key),
            "WILDSIDE_COOKIE_SECURE": "false",
            "WILDSIDE_RATE_LIMIT_PER_MINUTE": "100000000",
            "WILDSIDE_WORKER_METRICS_PORT": str(_free_port()),
        }
        self.api: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> str:
        url = self.settings.require_database_url()
        PostgresMigrationRunner(url, self.settings.migrations_dir).apply()
        if PostgresPoiRepository(per_call(url)).data_version() == "empty":
            path = self.settings.data_dir / "osm" / "Helsinki.osm.pbf"
            build_ingest(self.settings, SilentProgress())(path)
        self.user = f"bench-{uuid.uuid4().hex[:8]}"
        with open_resources(self.settings, pool_size=1) as resources:
            return accounts(resources).create_user(self.user).secret

    def start_api(self) -> None:
        self.api = self._spawn("serve", "--port", str(self.port))
        self._wait(self.base_url + "/health/ready")

    def start_worker(self) -> None:
        self.worker = self._spawn("worker")
        port = self.env["WILDSIDE_WORKER_METRICS_PORT"]
        self._wait(f"http://127.0.0.1:{port}/metrics")

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.terminate()
            self.worker.wait(timeout=60)
            self.worker = None

    def stop(self) -> None:
        self.stop_worker()
        if self.api is not None:
            self.api.terminate()
            self.api.wait(timeout=60)

    def cleanup(self) -> None:
        """Drop the bench user (its requests and results cascade) and its queued jobs."""
        with connection(self.settings.require_database_url()) as conn:
            conn.execute("DELETE FROM users WHERE username = %s", (self.user,))
        import redis

        client = redis.Redis.from_url(self.settings.require_redis_url())
        for key in client.scan_iter("dramatiq:route_generation*"):
            client.delete(key)
        client.close()

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.run_dir / f"bench-{args[0]}.log").open("wb")
        command = [sys.executable, "-m", "adapters", *args]
        return subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )

    def _wait(self, url: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{url} did not come up; see {self.run_dir}/bench-*.log")


def wrk(url: str, *, seconds: int, connections: int, script: str | None = None) -> dict[str, float]:
    """Run wrk; return requests/s and latency percentiles in ms."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
            command[1:1] = ["-s", lua.name]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _latency(out, "50%"),
        "p99_ms": _latency(out, "99%"),
        "errors": float(non_2xx.group(1)) if non_2xx else 0.0,
    }


def _latency(out: str, label: str) -> float:
    match = re.search(rf"\s{re.escape(label)}\s+([\d.]+)(us|ms|s)", out)
    assert match, out
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def post_script(token: str) -> str:
    body = json.dumps(BODY).replace("'", "\\'")
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = '{body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )


def get_script(token: str) -> str:
    return f'wrk.headers["Authorization"] = "Bearer {token}"\n'


def end_to_end(
    client: WildsideApiClient, *, clients: int, per_client: int, hit: bool
) -> list[float]:
    """Seconds from POST to the succeeded message, for every request."""
    seeds = iter(range(10**6, 10**7))

    def one(_: int) -> float:
        body = (
            dict(BODY, seed=7) if hit else dict(BODY, seed=next(seeds) + uuid.uuid4().int % 10**9)
        )
        began = time.perf_counter()
        accepted = client.submit(body)
        assert accepted.status == 202, accepted.body
        last = list(client.follow(accepted.body["request_id"]))[-1]
        assert last.get("status") == "succeeded", last
        return time.perf_counter() - began

    if hit:  # prime the cache once
        one(0)
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(clients * per_client)))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=10, help="end-to-end requests per client")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="wildside-bench-"))
    stack = Stack(run_dir)
    token = stack.prepare()
    client = WildsideApiClient(stack.base_url, token, timeout_s=120)
    results: dict[str, Any] = {"wrk": {}, "end_to_end": {}}
    try:
        stack.start_api()
        stack.start_worker()
        for clients in (1, 10):
            for hit in (False, True):
                times = end_to_end(client, clients=clients, per_client=args.per_client, hit=hit)
                results["end_to_end"][f"{clients} clients, cache {'hit' if hit else 'miss'}"] = {
                    "n": len(times),
                    "p50_ms": 1000 * statistics.median(times),
                    "p95_ms": 1000 * percentile(times, 0.95),
                }
        finished = client.submit(dict(BODY, seed=7)).body["request_id"]
        list(client.follow(finished))
        stack.stop_worker()  # the wrk runs get the machine to themselves
        runs = {
            "GET /health/live (trivial)": (stack.base_url + "/health/live", None),
            "POST /api/v1/routes": (stack.base_url + "/api/v1/routes", post_script(token)),
            "GET /api/v1/routes/{id}": (
                f"{stack.base_url}/api/v1/routes/{finished}",
                get_script(token),
            ),
        }
        for name, (url, script) in runs.items():
            results["wrk"][name] = wrk(
                url, seconds=args.seconds, connections=args.connections, script=script
            )
    finally:
        stack.stop()
        stack.cleanup()
    print_tables(results, args)
    if args.json:
        print(json.dumps(results))
    return 0


def print_tables(results: dict[str, Any], args: argparse.Namespace) -> None:
    base = results["wrk"]["GET /health/live (trivial)"]["rps"]
    print(f"wrk: 1 thread, {args.connections} connections, {args.seconds} s each, loopback")
    header = f"{'endpoint':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    print(f"{header} {'vs trivial':>10}")
    for name, row in results["wrk"].items():
        print(
            f"{name:32} {row['rps']:8.0f} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f} "
            f"{row['errors']:8.0f} {row['rps'] / base:10.2f}"
        )
    print()
    print("POST -> succeeded (WebSocket), real API + worker processes")
    print(f"{'load':28} {'n':>4} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in results["end_to_end"].items():
        print(f"{name:28} {row['n']:4d} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
