"""Piece labels per request: the whole-area BFS (before) against tile labels merged (after).

Usage: ``python bench/piece_labels.py DATABASE_URL [--minutes 90] [--starts 20]``
on a database holding a walking network and its tiles (an ingest, or
``bench/synthetic_city.py``). For random round trips in the middle of the
network it loads each area's tiles, then times, warm and in process:

- before: what ``StreetNetwork`` ran on every stitched area until tiles
  carried labels: ``label_components`` (numba BFS) over the area's CSR
  arrays, plus the piece sizes (``bincount``);
- after: ``merge_pieces`` (the tiles' labels joined along border arcs) plus
  the same ``bincount``; the stitching's own vertex order is computed
  outside the timing, as ``stitch_tiles`` has it already.

It also prints what labelling adds to building every tile (the per-tile
BFS, summed over all stored tiles) next to the whole rebuild's time, taken
in a transaction that is rolled back.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.outbound.graph_cache import GraphCache
from adapters.outbound.postgres.walk_tile_builder import all_tiles, rebuild_tiles
from adapters.outbound.postgres.walk_tile_codec import WalkTile, decode_tile
from adapters.outbound.postgres.walk_tile_graph import merge_pieces, stitch_tiles
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from wildside.domain.geo import GeoPoint
from wildside.domain.solver.components import label_components
from wildside.ports.walking_network_source import SearchArea

PACE_M_S = 1.3
REPEATS = 5  # each timing is the best of this many runs (warm, in process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--minutes", type=float, default=90.0)
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--skip-build", action="store_true", help="no rebuild timing")
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
    source = PostgresWalkingNetworkSource(args.database_url, cache=GraphCache(2**40))
    label_components(np.array([0, 1, 2]), np.array([1, 0]))  # compile or load from cache
    before_ms, after_ms, stitch_ms, sizes, pieces = [], [], [], [], []
    for start in starts:
        tiles, _ = source.area_tiles(SearchArea(start, None, walk_m))
        began = time.perf_counter()
        graph = stitch_tiles(tiles)
        stitch_ms.append((time.perf_counter() - began) * 1000)
        indptr = np.frombuffer(graph.indptr, np.int64)
        targets = np.frombuffer(graph.targets, np.int64)
        order = np.argsort(np.concatenate([t.node_ids for t in tiles]), kind="stable")
        sorted_ids = np.frombuffer(graph.node_ids, np.int64)
        before_ms.append(_best(_before, indptr, targets))
        after_ms.append(_best(_after, tiles, order, sorted_ids))
        sizes.append(graph.node_count)
        pieces.append(len(np.unique(np.asarray(graph.components))))
    print(
        f"{len(nodes)} vertices; {args.starts} round trips of {args.minutes:g} min"
        f" ({walk_m:.0f} m); area vertices p50 {statistics.median(sizes):.0f}"
        f" (max {max(sizes)}), pieces p50 {statistics.median(pieces):g}"
    )
    print(f"stitch (labels merged inside) ms p50/p95: {_p(stitch_ms)}")
    print(f"labels per request, before (BFS over the area) ms p50/p95: {_p(before_ms)}")
    print(f"labels per request, after (merge tile labels) ms p50/p95: {_p(after_ms)}")
    if not args.skip_build:
        _build_cost(args.database_url)


def _build_cost(url: str) -> None:
    """Per-tile labelling summed over every stored tile, against a full rebuild's time."""
    with psycopg.connect(url) as conn:
        blobs = [bytes(row[0]) for row in conn.execute("SELECT data FROM walk_tiles")]
    label_s = 0.0
    for blob in blobs:
        tile = decode_tile(blob)
        index = np.minimum(np.searchsorted(tile.node_ids, tile.targets), tile.node_ids.size - 1)
        inside = tile.node_ids[index] == tile.targets
        tails = np.repeat(np.arange(tile.node_ids.size), np.diff(tile.indptr))
        began = time.perf_counter()
        inner = np.zeros(tile.node_ids.size + 1, np.int64)
        np.cumsum(np.bincount(tails[inside], minlength=tile.node_ids.size), out=inner[1:])
        label_components(inner, index[inside])
        label_s += time.perf_counter() - began
    with psycopg.connect(url) as conn, conn.transaction(force_rollback=True):
        began = time.perf_counter()
        built = rebuild_tiles(conn, all_tiles(conn), 1)
        build_s = time.perf_counter() - began
    print(
        f"build: {built} tiles rebuilt in {build_s:.1f} s, of which labelling"
        f" {label_s * 1000:.0f} ms ({100 * label_s / build_s:.1f} %)"
    )


def _before(indptr: np.ndarray, targets: np.ndarray) -> np.ndarray:
    return np.bincount(label_components(indptr, targets)[0])


def _after(tiles: list[WalkTile], order: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    return np.bincount(merge_pieces(tiles, order, sorted_ids))


def _best(work: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        work(*args)
        times.append((time.perf_counter() - began) * 1000)
    return min(times)


def _p(values: list[float]) -> str:
    return f"{np.percentile(values, 50):.2f} / {np.percentile(values, 95):.2f}"


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
