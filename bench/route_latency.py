"""Route latency: fetch, matrix, solve, total p50/p95 on Helsinki and a 1M-vertex city; tiles too.

Usage: ``python bench/route_latency.py [--starts 100] [--side 1000] [--skip-city] [--json]``
with ``WILDSIDE_DATABASE_URL`` pointing at any database of the server to use
(``eval "$(.venv/bin/wildside services start)"``). It creates its own
databases ``wildside_bench_helsinki`` and ``wildside_bench_city`` there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from wildside.domain.route_spec import RouteSpec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.composition import build_plan_tour
from adapters.outbound.graph_cache import GraphCache
from adapters.outbound.postgres.connection import open_pool
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.outbound.postgres.tiled_tour_engines import PostgresTourEngineFactory
from adapters.outbound.postgres.walking_network_source import (
    PostgresWalkingNetworkSource,
)
from adapters.settings import load_settings
from bench.bench_database import fresh_database
from bench.synthetic_city import describe, generate
from wildside.domain.geo import GeoPoint
from wildside.domain.solver import warm_up
from wildside.domain.solver.street_network import StreetNetwork

REPO = Path(__file__).resolve().parents[1]
BUDGETS = (30, 60, 90, 180)
THEME_SETS: tuple[list[str], ...] = (
    ["history"],
    ["nature", "art"],
    ["food", "culture", "history"],
    [],
)


def _database(admin_url: str, name: str) -> str:
    return fresh_database(admin_url, name)[0]


def _database_exists(admin_url: str, name: str) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(url: str, network: StreetNetwork, starts: list[GeoPoint], budgets: tuple[int, ...]):  # type: ignore[no-untyped-def]
    graph = csr_matrix(
        (network.lengths, network.targets, network.indptr),
        shape=(network.vertex_count, network.vertex_count),
    )
    pool = open_pool(url, max_size=4)  # a worker's: its two threads plus two
    pois = PostgresPoiRepository(pool.connection)
    plan = build_plan_tour(
        load_settings({"WILDSIDE_DATABASE_URL": url}), network=network, pois=pois
    )
    results: dict[int, dict[str, list[float]]] = {}
    for minutes in budgets:
        rows: dict[str, list[float]] = {"fetch": [], "matrix": [], "solve": [], "total": []}
        kernel: list[float] = []
        scipy_matrix: list[float] = []
        for index, start in enumerate(starts):
            request = RouteSpec.build(
                start=start,
                duration_minutes=minutes,
                preferences=THEME_SETS[index % len(THEME_SETS)],
                seed=index,
            )
            began = time.perf_counter()
            tour = plan(request)
            rows["total"].append(time.perf_counter() - began)
            d = tour.diagnostics
            rows["fetch"].append(d.candidate_seconds)
            rows["matrix"].append(d.matrix_seconds)
            rows["solve"].append(d.solve_seconds)
            ours, theirs = _kernel_vs_scipy(network, graph, tour, request, index)
            kernel.append(ours)
            scipy_matrix.append(theirs)
        rows["kernel"] = kernel
        rows["scipy_matrix"] = scipy_matrix
        results[minutes] = rows
    pool.close()
    return results


def _measure_tiled(  # type: ignore[no-untyped-def]
    url: str, starts: list[GeoPoint], budgets: tuple[int, ...], *, is_cold: bool
):
    """Total seconds per request on the tiled path (a worker's: pool, one shared cache).

    Cold empties the cache before every request (each request pays the version
    check, the tile reads and the stitch, as the first request in a city
    does); warm keeps it, as a worker serving one city does.
    """
    pool = open_pool(url, max_size=4)
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    source = PostgresWalkingNetworkSource(
        url, connections=pool.connection, cache=GraphCache(settings.graph_cache_mb * 2**20)
    )
    plan = build_plan_tour(
        settings,
        engines=PostgresTourEngineFactory(source),
        pois=PostgresPoiRepository(pool.connection),
    )
    results: dict[int, list[float]] = {}
    for minutes in budgets:
        totals: list[float] = []
        for index, start in enumerate(starts):
            request = RouteSpec.build(
                start=start,
                duration_minutes=minutes,
                preferences=THEME_SETS[index % len(THEME_SETS)],
                seed=index,
            )
            if is_cold:
                source.cache = GraphCache(settings.graph_cache_mb * 2**20)
            began = time.perf_counter()
            plan(request)
            totals.append(time.perf_counter() - began)
        results[minutes] = totals
    pool.close()
    return results


def _tiled_table(
    name: str,
    whole: dict[int, dict[str, list[float]]],
    warm: dict[int, list[float]],
    cold: dict[int, list[float]],
) -> list[dict[str, float]]:
    print(f"\n{name}: total milliseconds (p50 / p95), whole graph vs tiles")
    heads = ("whole graph", "tiles, warm", "tiles, cold")
    print(f"{'budget':>7} | " + " | ".join(f"{h:>15}" for h in heads) + " | warm/whole p95")
    rows = []
    for minutes in whole:
        cells = {
            "whole": whole[minutes]["total"],
            "warm": warm[minutes],
            "cold": cold[minutes],
        }
        p = {k: (_pct(v, 50), _pct(v, 95)) for k, v in cells.items()}
        ratio = p["warm"][1] / p["whole"][1]
        print(
            f"{minutes:>5} m | "
            + " | ".join(f"{p[k][0]:>6.1f} / {p[k][1]:>6.1f}" for k in ("whole", "warm", "cold"))
            + f" | {ratio:.2f}"
        )
        rows.append(
            {
                "budget_min": minutes,
                **{f"{k}_p50_ms": v[0] for k, v in p.items()},
                **{f"{k}_p95_ms": v[1] for k, v in p.items()},
            }
        )
    return rows


def _kernel_vs_scipy(
    network: StreetNetwork, graph: csr_matrix, tour: object, request: RouteSpec, seed: int
) -> tuple[float, float]:
    """Time the engine's matrix kernel and scipy's Dijkstra on the same terminals.

    The terminals are the start plus as many street vertices within reach as
    the engine considered candidates, drawn at random. scipy searches every
    terminal to the round trip's reach (half the walk); ours gives the same
    distances for every pair a tour of that walk could use.
    """
    count = tour.diagnostics.candidates_considered  # type: ignore[attr-defined]
    cutoff = request.max_walk_m / 2
    (start,), _ = network.snap([request.start.lat], [request.start.lng])
    reach = dijkstra(graph, indices=[start], limit=cutoff)[0]
    reachable = np.flatnonzero(np.isfinite(reach))
    picks = np.random.default_rng(seed).choice(reachable, min(count, len(reachable)), replace=False)
    terminals = [start, *picks.tolist()]
    began = time.perf_counter()
    network.tour_matrix(terminals, round_trip=True, walk_m=request.max_walk_m)
    ours = time.perf_counter() - began
    began = time.perf_counter()
    dijkstra(graph, indices=np.asarray(terminals), limit=cutoff)
    return ours, time.perf_counter() - began


def _random_starts(
    network: StreetNetwork, count: int, seed: int, box: tuple[float, ...]
) -> list[GeoPoint]:
    """Random street vertices inside ``box`` (walkers stand on streets, not in the harbour)."""
    lat0, lat1, lng0, lng1 = box
    inside = np.flatnonzero(
        (network.lats >= lat0)
        & (network.lats <= lat1)
        & (network.lngs >= lng0)
        & (network.lngs <= lng1)
    )
    picks = random.Random(seed).choices(inside.tolist(), k=count)
    return [GeoPoint(float(network.lats[v]), float(network.lngs[v])) for v in picks]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) * 1000


def _table(name: str, results: dict[int, dict[str, list[float]]]) -> list[dict[str, float]]:
    print(f"\n{name}: milliseconds (p50 / p95)")
    print(
        f"{'budget':>7} | "
        + " | ".join(
            f"{name:>13}"
            for name in ("fetch", "matrix stage", "kernel", "scipy kernel", "solve", "total")
        )
    )
    rows = []
    for minutes, series in results.items():
        cells = {k: (_pct(v, 50), _pct(v, 95)) for k, v in series.items()}
        print(
            f"{minutes:>5} m | "
            + " | ".join(
                f"{cells[k][0]:>5.1f} / {cells[k][1]:>5.1f}"
                for k in ("fetch", "matrix", "kernel", "scipy_matrix", "solve", "total")
            )
        )
        rows.append(
            {
                "budget_min": minutes,
                **{f"{k}_p50_ms": v[0] for k, v in cells.items()},
                **{f"{k}_p95_ms": v[1] for k, v in cells.items()},
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=100)
    parser.add_argument(
        "--side", type=int, default=1000, help="synthetic grid side (side² vertices)"
    )
    parser.add_argument("--skip-city", action="store_true")
    parser.add_argument(
        "--reuse-city",
        action="store_true",
        help="keep the synthetic city of an earlier run (built if missing)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    admin = os.environ.get("WILDSIDE_DATABASE_URL")
    if not admin:
        sys.exit(
            'route_latency: set WILDSIDE_DATABASE_URL (eval "$(.venv/bin/wildside services start)")'
        )
    report: dict[str, object] = {}
    warm_up()

    helsinki = _database(admin, "wildside_bench_helsinki")
    subprocess.run(
        [str(REPO / ".venv/bin/wildside"), "ingest", "--sample", "helsinki", "--json"],
        env={**os.environ, "WILDSIDE_DATABASE_URL": helsinki},
        check=True,
        capture_output=True,
    )
    network = StreetNetwork(PostgresWalkingNetworkSource(helsinki).load())
    starts = _random_starts(network, args.starts, 42, (60.160, 60.175, 24.930, 24.960))
    _measure(helsinki, network, starts[:3], (60,))  # warm every code path once
    results = _measure(helsinki, network, starts, BUDGETS)
    report["helsinki"] = {
        "vertices": network.vertex_count,
        "rows": _table(
            f"Helsinki ({network.vertex_count} vertices, {args.starts} starts)", results
        ),
    }
    _measure_tiled(helsinki, starts[:3], (60,), is_cold=False)  # warm the tiled path once
    report["helsinki"]["tiled"] = _tiled_table(  # type: ignore[index]
        "Helsinki",
        results,
        _measure_tiled(helsinki, starts, BUDGETS, is_cold=False),
        _measure_tiled(helsinki, starts, BUDGETS, is_cold=True),
    )

    if not args.skip_city:
        began = time.perf_counter()
        if args.reuse_city and _database_exists(admin, "wildside_bench_city"):
            city = psycopg.conninfo.make_conninfo(admin, dbname="wildside_bench_city")
            info = describe(city, side=args.side)
        else:  # --reuse-city on a machine without one builds it once
            city = _database(admin, "wildside_bench_city")
            info = generate(city, side=args.side)
        generated = time.perf_counter() - began
        rss_before = _rss_mib()
        began = time.perf_counter()
        big = StreetNetwork(PostgresWalkingNetworkSource(city).load())
        load_s = time.perf_counter() - began
        half_lat, half_lng = info["half_extent_deg_lat"] / 4, info["half_extent_deg_lng"] / 4
        box = (
            info["centre_lat"] - half_lat,
            info["centre_lat"] + half_lat,
            info["centre_lng"] - half_lng,
            info["centre_lng"] + half_lng,
        )
        city_starts = _random_starts(big, args.starts, 7, box)
        city_results = _measure(city, big, city_starts, BUDGETS)
        print(
            f"\nsynthetic city: {int(info['vertices'])} vertices, {int(info['edges'])} edges, "
            f"{int(info['pois'])} POIs; generated in {generated:.1f} s; loaded in {load_s:.1f} s; "
            f"graph buffers {big.nbytes / 2**20:.0f} MiB; "
            f"peak RSS {rss_before:.0f} -> {_rss_mib():.0f} MiB"
        )
        rows = _table("Synthetic city", city_results)
        tiled_rows = _tiled_table(
            "Synthetic city",
            city_results,
            _measure_tiled(city, city_starts, BUDGETS, is_cold=False),
            _measure_tiled(city, city_starts, BUDGETS, is_cold=True),
        )
        report["city"] = {
            "vertices": big.vertex_count,
            "load_seconds": load_s,
            "graph_mib": big.nbytes / 2**20,
            "peak_rss_mib": _rss_mib(),
            "rows": rows,
            "tiled": tiled_rows,
            "tiles_seconds": info.get("tiles_seconds", 0.0),
        }
        h95 = statistics.quantiles(results[90]["total"], n=20)[-1]
        c95 = statistics.quantiles(city_results[90]["total"], n=20)[-1]
        print(
            f"\n90-minute p95 total: Helsinki {h95 * 1000:.1f} ms, city {c95 * 1000:.1f} ms "
            f"(ratio {c95 / h95:.2f}; target <= 2.0)"
        )
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
