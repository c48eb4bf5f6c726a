"""Choose the tile grid: build time, tiles and vertices a request loads, cold load time, per size.

Usage: ``python bench/tile_grid.py DATABASE_URL [--sizes 0.025,0.05,0.1,0.25] [--minutes 90]``
on a database holding a walking network (an ingest, or ``bench/synthetic_city.py``).
Each size's tiles are built inside a transaction that is rolled back, so the
database's own tiles are left as they were.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.outbound.graph_cache import GraphCache
from adapters.outbound.postgres.walk_tile_builder import all_tiles, rebuild_tiles
from adapters.outbound.postgres.walk_tile_graph import stitch_tiles
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from wildside.domain.geo import GeoPoint
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.walking_network_source import SearchArea

PACE_M_S = 1.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--sizes", default="0.025,0.05,0.1,0.25")
    parser.add_argument("--minutes", type=float, default=90.0)
    parser.add_argument("--starts", type=int, default=20)
    args = parser.parse_args()
    walk_m = args.minutes * 60 * PACE_M_S
    with psycopg.connect(args.database_url) as conn:
        nodes = np.array(
            conn.execute("SELECT ST_Y(geom), ST_X(geom) FROM walk_nodes").fetchall(), np.float64
        )
    lat0, lng0 = np.percentile(nodes[:, 0], [30, 70]), np.percentile(nodes[:, 1], [30, 70])
    rng = np.random.default_rng(3)
    starts = [
        GeoPoint(float(rng.uniform(*lat0)), float(rng.uniform(*lng0))) for _ in range(args.starts)
    ]
    print(
        f"{len(nodes)} vertices; {args.starts} round trips of {args.minutes:g} min ({walk_m:.0f} m)"
    )
    print("deg | build s | tiles | MiB | tiles/request | loaded / in reach | cold ms p50/p95")
    for size in (float(s) for s in args.sizes.split(",")):
        with psycopg.connect(args.database_url) as conn, conn.transaction(force_rollback=True):
            conn.execute("DELETE FROM walk_tiles")
            began = time.perf_counter()
            built = rebuild_tiles(conn, all_tiles(conn, size), 1, size)
            build_s = time.perf_counter() - began
            stored = conn.execute("SELECT sum(byte_size) FROM walk_tiles").fetchone()
            source = PostgresWalkingNetworkSource(
                args.database_url,
                connections=lambda: contextlib.nullcontext(conn),
                tile_deg=size,
            )
            counts, ratios, cold = [], [], []
            for start in starts:
                source.cache = GraphCache(2**40)
                area = SearchArea(start, None, walk_m)
                began = time.perf_counter()
                tiles, versions = source.area_tiles(area)
                network = StreetNetwork(stitch_tiles(tiles))
                cold.append(time.perf_counter() - began)
                counts.append(len(versions))
                reach = _within(nodes, start, walk_m / 2)
                ratios.append(network.vertex_count / max(reach, 1))
        print(
            f"{size:g} | {build_s:.1f} | {built} | {((stored or (0,))[0] or 0) / 2**20:.0f} |"
            f" {statistics.median(counts):g} (max {max(counts)}) |"
            f" {statistics.median(ratios):.1f}x |"
            f" {np.percentile(cold, 50) * 1000:.0f} / {np.percentile(cold, 95) * 1000:.0f}"
        )


def _within(nodes: np.ndarray, start: GeoPoint, metres: float) -> int:
    dlat = (nodes[:, 0] - start.lat) * 111_195.0
    dlng = (nodes[:, 1] - start.lng) * 111_195.0 * math.cos(math.radians(start.lat))
    return int(np.count_nonzero(np.hypot(dlat, dlng) <= metres))


if __name__ == "__main__":
    main()
