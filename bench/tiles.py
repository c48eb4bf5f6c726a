"""Vector tiles: p50/p95 of ``GET /tiles/...`` from ``wildside serve`` on central Helsinki.

Usage: ``python bench/tiles.py [--requests 300] [--reuse] [--json F]`` with
``WILDSIDE_DATABASE_URL`` and ``WILDSIDE_REDIS_URL`` pointing at the servers
to use (``eval "$(.venv/bin/wildside services start)"``). It creates the
database ``wildside_bench_tiles`` there, migrates it and ingests the bundled
``Helsinki.osm.pbf`` (``--reuse`` keeps an earlier one), then starts
``wildside serve`` on a free port and asks it, one request at a time over one
keep-alive connection, as a map does per tile:

- the z14 and the z16 tile around the centre of the extract, of ``pois``,
  ``walk_edges`` and both at once (``pois,walk_edges``), ``--requests`` times
  each, in a shuffled order, uncompressed; the ``walk_edges`` ones also
  gzipped (``Accept-Encoding: gzip``, bytes as sent);
- the same z16 ``walk_edges`` tile revalidated (``If-None-Match`` -> ``304``);
- each source's TileJSON;
- and, for the SQL's share, ``PostgresVectorTileSource.tile`` itself on a pool
  connection (no HTTP).

Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.composition import build_ingest
from adapters.outbound.postgres.connection import open_pool
from adapters.outbound.postgres.vector_tile_source import PostgresVectorTileSource
from adapters.settings import load_settings
from bench.bench_database import fresh_database
from wildside.domain.vector_tiles import LAYERS, TileAddress
from wildside.ports.progress import SilentProgress

DB_NAME = "wildside_bench_tiles"
REPO = Path(__file__).resolve().parents[1]
HELSINKI_PBF = REPO / "data" / "osm" / "Helsinki.osm.pbf"
CENTRE = (60.1712, 24.9441)
SOURCES = ("pois", "walk_edges", "pois,walk_edges")


def _database(admin: str, reuse: bool) -> str:
    url, is_new = fresh_database(admin, DB_NAME, reuse=reuse)
    if not is_new:
        return url
    build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())(HELSINKI_PBF)
    return url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, redis_url: str, run_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    key = run_dir / "session.key"
    key.write_text(base64.b64encode(os.urandom(64)).decode())
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILDSIDE_")}
    env |= {
        "WILDSIDE_DATABASE_URL": url,
        "WILDSIDE_REDIS_URL": redis_url,
        "WILDSIDE_SESSION_KEY_FILE": str(key),
        "WILDSIDE_RUN_DIR": str(run_dir),
        "WILDSIDE_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "adapters", "serve", "--port", str(port)]
    api = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return api, base
        except httpx.HTTPError:
            time.sleep(0.2)
    api.kill()
    sys.exit("tiles: wildside serve did not become ready in 60 s")


def _row(name: str, times: list[float], sizes: list[int], status: int) -> dict[str, Any]:
    return {
        "request": name,
        "n": len(times),
        "status": status,
        "bytes": int(np.median(sizes)),
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
    }


# Every row but the gzip ones asks for the tile as it is, as the first measurement did.
IDENTITY = {"Accept-Encoding": "identity"}


def measure_http(base: str, requests: int) -> list[dict[str, Any]]:
    """Every request ``requests`` times, shuffled per round, over one keep-alive connection."""
    variants: dict[str, tuple[str, dict[str, str]]] = {}
    for z in (14, 16):
        a = TileAddress.containing(*CENTRE, z)
        for source in SOURCES:
            variants[f"{source} z{z}"] = (f"/tiles/{source}/{z}/{a.x}/{a.y}.pbf", IDENTITY)
        # The same network tile as a client that takes gzip gets it (bytes on the wire).
        gzipped = (f"/tiles/walk_edges/{z}/{a.x}/{a.y}.pbf", {"Accept-Encoding": "gzip"})
        variants[f"walk_edges z{z}, gzip"] = gzipped
    a16 = TileAddress.containing(*CENTRE, 16)
    tile16 = f"/tiles/walk_edges/16/{a16.x}/{a16.y}.pbf"
    with httpx.Client(base_url=base, timeout=10) as client:
        etag = client.get(tile16, headers=IDENTITY).headers["etag"]
        revalidate = {**IDENTITY, "If-None-Match": etag}
        variants["walk_edges z16, If-None-Match (304)"] = (tile16, revalidate)
        for source in ("pois", "walk_edges"):
            variants[f"{source}.json (TileJSON)"] = (f"/tiles/{source}.json", IDENTITY)
        times: dict[str, list[float]] = {name: [] for name in variants}
        sizes: dict[str, list[int]] = {name: [] for name in variants}
        status: dict[str, int] = {}
        for path, headers in variants.values():  # warm: connections, plans, facts
            for _ in range(5):
                client.get(path, headers=headers)
        rng = random.Random(15)
        names = list(variants)
        for _ in range(requests):
            rng.shuffle(names)
            for name in names:
                path, headers = variants[name]
                began = time.perf_counter()
                answer = client.get(path, headers=headers)
                times[name].append((time.perf_counter() - began) * 1000)
                sizes[name].append(answer.num_bytes_downloaded)  # as sent, gzip or not
                status[name] = answer.status_code
    return [_row(name, times[name], sizes[name], status[name]) for name in variants]


def measure_sql(url: str, requests: int) -> list[dict[str, Any]]:
    """``PostgresVectorTileSource.tile`` alone: the database's share of a tile."""
    pool = open_pool(url, max_size=2)
    source = PostgresVectorTileSource(pool.connection)
    rows = []
    for z in (14, 16):
        address = TileAddress.containing(*CENTRE, z)
        for name in ("pois", "walk_edges"):
            layer = LAYERS[name]
            for _ in range(5):
                source.tile(layer, address)
            times, sizes = [], []
            for _ in range(requests):
                began = time.perf_counter()
                sizes.append(len(source.tile(layer, address)))
                times.append((time.perf_counter() - began) * 1000)
            rows.append(_row(f"SQL only: {name} z{z}", times, sizes, 200))
    pool.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per row")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    admin, redis_url = os.environ.get("WILDSIDE_DATABASE_URL"), os.environ.get("WILDSIDE_REDIS_URL")
    if not admin or not redis_url:
        sys.exit(
            "tiles: set WILDSIDE_DATABASE_URL and WILDSIDE_REDIS_URL (wildside services start)"
        )
    began = time.perf_counter()
    url = _database(admin, args.reuse)
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="wildside-bench-tiles-") as run_dir:
        api, base = _serve(url, redis_url, Path(run_dir))
        try:
            rows = measure_http(base, args.requests)
        finally:
            api.terminate()
            api.wait(timeout=30)
    rows += measure_sql(url, args.requests)
    print("\n| request | n | status | bytes | p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['request']} | {row['n']} | {row['status']} | {row['bytes']} "
            f"| {row['p50_ms']:.2f} | {row['p95_ms']:.2f} |"
        )
    print(f"\nload average {os.getloadavg()[0]:.2f}; run took {time.perf_counter() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2))


if __name__ == "__main__":
    main()
