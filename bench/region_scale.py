"""Region scale: a synthetic country of separate cities, tiled engine vs the whole-graph loader.

Usage: ``python bench/region_scale.py [--cities 8] [--vertices-per-city 1000000]
[--starts 40] [--tours 2000] [--reuse]`` with ``WILDSIDE_DATABASE_URL`` and
``WILDSIDE_REDIS_URL`` set (``eval "$(.venv/bin/wildside services start)"``).
It creates the database ``wildside_bench_region`` on that server: city 0 is
written by ``bench/synthetic_city.py``'s generator, the others are copies of
it moved apart on a grid (0.5° of empty land between cities) with their own
ids, and every walk tile is built, as an ingest would. ``--reuse`` keeps the
country of an earlier run of the same size.

Each engine runs in its own process, so boot time and peak RSS (``VmHWM``)
are that process's alone: the tiled engine through ``wildside worker``
(``bench/worker_boot.py``) and through the planner with the default cache;
the whole graph as ``bench/route_latency.py`` runs it
(``PostgresWalkingNetworkSource.load()`` + ``StreetNetwork`` + the planner's
``NumbaTourEngine``). The whole graph of 8 M vertices fitted a 24 GiB
machine (peak 9 GiB), so there is no 1/2/4 M extrapolation mode; on a
smaller machine run it with ``--cities 1``, ``2`` and ``4`` (``--database``
for each) and ``--skip-whole`` for the full country. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_database import fresh_database
from bench.synthetic_city import EARTH_M_PER_DEG, ORIGIN_LAT, ORIGIN_LNG, generate

REPO = Path(__file__).resolve().parents[1]
DB_NAME = "wildside_bench_region"
GAP_DEG = 0.5  # empty land between neighbouring cities
ID_STRIDE = 10**9  # city k's vertex, way and POI ids are city 0's plus k * ID_STRIDE
BUDGETS = (30, 90, 180)
THEME_SETS: tuple[list[str], ...] = (["history"], ["nature", "art"], ["food", "culture"], [])


# --------------------------------------------------------------------------- build


def _city_extent(side: int, spacing_m: float = 70.0) -> tuple[float, float]:
    lat_step = spacing_m / EARTH_M_PER_DEG
    lng_step = spacing_m / (EARTH_M_PER_DEG * math.cos(math.radians(ORIGIN_LAT)))
    return side * lat_step, side * lng_step


def city_offsets(cities: int, side: int) -> list[tuple[float, float]]:
    """(dlat, dlng) of each city from city 0: a grid four cities wide, GAP_DEG apart."""
    ext_lat, ext_lng = _city_extent(side)
    step_lat, step_lng = ext_lat + GAP_DEG, ext_lng + GAP_DEG
    return [(step_lat * (k // 4), step_lng * (k % 4)) for k in range(cities)]


def city_boxes(cities: int, side: int) -> list[tuple[float, float, float, float]]:
    """Each city's central box (middle half of each side): lat0, lat1, lng0, lng1."""
    ext_lat, ext_lng = _city_extent(side)
    return [
        (
            ORIGIN_LAT + dlat + ext_lat / 4,
            ORIGIN_LAT + dlat + 3 * ext_lat / 4,
            ORIGIN_LNG + dlng + ext_lng / 4,
            ORIGIN_LNG + dlng + 3 * ext_lng / 4,
        )
        for dlat, dlng in city_offsets(cities, side)
    ]


def _admin_url() -> str:
    admin = os.environ.get("WILDSIDE_DATABASE_URL")
    if not admin:
        sys.exit(
            'region_scale: set WILDSIDE_DATABASE_URL (eval "$(.venv/bin/wildside services start)")'
        )
    return admin


def _db_url(admin: str, name: str) -> str:
    return psycopg.conninfo.make_conninfo(admin, dbname=name)


def _create_database(admin: str, name: str) -> str:
    return fresh_database(admin, name)[0]


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM walk_nodes), (SELECT count(*) FROM walk_edges),"
            " (SELECT count(*) FROM pois), (SELECT count(*) FROM walk_tiles),"
            " (SELECT coalesce(sum(byte_size), 0) FROM walk_tiles)"
        ).fetchone()
    assert row is not None
    return dict(
        zip(("vertices", "edges", "pois", "tiles", "tile_bytes"), map(int, row), strict=True)
    )


def build_country(url: str, cities: int, side: int, *, log: Any = print) -> dict[str, float]:
    """City 0 by the synthetic generator, the others copied and moved; every tile built."""
    from adapters.outbound.postgres.walk_tile_builder import rebuild_tiles

    timings: dict[str, float] = {}
    began = time.perf_counter()
    info = generate(url, side=side)
    timings["city0_s"] = time.perf_counter() - began
    timings["tiles_city0_s"] = info["tiles_seconds"]
    log(
        f"  city 0: {side * side} vertices in {timings['city0_s']:.0f} s "
        f"(tiles {info['tiles_seconds']:.0f} s)"
    )
    copy_s = tiles_s = 0.0
    with psycopg.connect(url, autocommit=True) as conn:
        version_row = conn.execute("SELECT max(id) FROM map_imports").fetchone()
        version = int(version_row[0]) if version_row and version_row[0] else 1
        for k, (dlat, dlng) in enumerate(city_offsets(cities, side)):
            if k == 0:
                continue
            t0 = time.perf_counter()
            off = k * ID_STRIDE
            with conn.transaction():
                conn.execute(
                    "INSERT INTO walk_nodes (id, geom) SELECT id + %s, ST_Translate(geom, %s, %s)"
                    " FROM walk_nodes WHERE id < %s",
                    (off, dlng, dlat, ID_STRIDE),
                )
                conn.execute(
                    "INSERT INTO walk_edges (way_id, seq, source, target, length_m, highway, geom)"
                    " SELECT way_id + %s, seq, source + %s, target + %s, length_m, highway,"
                    " ST_Translate(geom, %s, %s) FROM walk_edges WHERE way_id < %s",
                    (off, off, off, dlng, dlat, ID_STRIDE),
                )
                conn.execute(
                    "INSERT INTO pois (element_type, id, name, location, tags, themes,"
                    " popularity, source) SELECT element_type, id + %s, name,"
                    " ST_Translate(location::geometry, %s, %s)::geography, tags, themes,"
                    " popularity, source FROM pois WHERE id < %s",
                    (off, dlng, dlat, ID_STRIDE),
                )
            t1 = time.perf_counter()
            lat0, lng0 = ORIGIN_LAT + dlat, ORIGIN_LNG + dlng
            ext_lat, ext_lng = _city_extent(side)
            with conn.transaction():
                keys = all_tiles_in(
                    conn, lat0 - 0.01, lat0 + ext_lat + 0.01, lng0 - 0.01, lng0 + ext_lng + 0.01
                )
                rebuild_tiles(conn, keys, version)
            t2 = time.perf_counter()
            copy_s += t1 - t0
            tiles_s += t2 - t1
            log(f"  city {k}: copied in {t1 - t0:.0f} s, {len(keys)} tiles in {t2 - t1:.0f} s")
        conn.execute("ANALYZE")
    timings["copy_s"] = copy_s
    timings["tiles_rest_s"] = tiles_s
    timings["total_s"] = time.perf_counter() - began
    return timings


def all_tiles_in(
    conn: psycopg.Connection[Any], lat0: float, lat1: float, lng0: float, lng1: float
) -> set[Any]:
    """The tiles holding a stored vertex inside a box (one city's)."""
    from wildside.domain.walk_tiles import TILE_DEG, TileKey

    rows = conn.execute(
        "SELECT DISTINCT floor((ST_X(geom) + 180.0) / %(deg)s)::int,"
        " floor((ST_Y(geom) + 90.0) / %(deg)s)::int FROM walk_nodes"
        " WHERE geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)",
        {"deg": TILE_DEG, "w": lng0, "s": lat0, "e": lng1, "n": lat1},
    ).fetchall()
    return {TileKey(x, y) for x, y in rows}


def ensure_country(
    admin: str, cities: int, side: int, reuse: bool, name: str = DB_NAME
) -> tuple[str, dict[str, Any]]:
    """The country's database URL and its description (built unless ``reuse`` finds it)."""
    url = _db_url(admin, name)
    wanted = {"cities": cities, "side": side}
    if reuse:
        with psycopg.connect(admin) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                (name,),
            ).fetchone()
        if row and row[0]:
            meta = json.loads(row[0])
            if all(meta.get(k) == v for k, v in wanted.items()):
                return url, meta
    print(f"building {cities} cities of {side}x{side} vertices ...", flush=True)
    url = _create_database(admin, name)
    timings = build_country(url, cities, side, log=lambda m: print(m, flush=True))
    meta = {**wanted, **timings, **_counts(url)}
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(meta)}'")
    return url, meta


# --------------------------------------------------------------------------- measure


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _starts(box: tuple[float, float, float, float], count: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    lat0, lat1, lng0, lng1 = box
    return [[rng.uniform(lat0, lat1), rng.uniform(lng0, lng1)] for _ in range(count)]


def _request(start: list[float], minutes: int, index: int) -> Any:
    from wildside.domain.geo import GeoPoint
    from wildside.domain.route_spec import RouteSpec

    return RouteSpec.build(
        start=GeoPoint(start[0], start[1]),
        duration_minutes=minutes,
        preferences=THEME_SETS[index % len(THEME_SETS)],
        seed=index,
    )


def _timed(plan: Any, request: Any) -> float:
    began = time.perf_counter()
    plan(request)
    return time.perf_counter() - began


def child(mode: str, spec: dict[str, Any]) -> dict[str, Any]:
    """One engine in this process; prints READY when it could serve, returns its figures."""
    began = time.perf_counter()
    from adapters.composition import build_plan_tour
    from adapters.outbound.graph_cache import GraphCache
    from adapters.outbound.postgres.connection import open_pool
    from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
    from adapters.outbound.postgres.tiled_tour_engines import PostgresTourEngineFactory
    from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
    from adapters.settings import load_settings
    from wildside.domain.solver import warm_up
    from wildside.domain.solver.street_network import StreetNetwork

    url = spec["url"]
    warm_up()
    pool = open_pool(url, max_size=4)
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    pois = PostgresPoiRepository(pool.connection)
    out: dict[str, Any] = {}
    if mode == "whole":
        loaded = time.perf_counter()
        network = StreetNetwork(PostgresWalkingNetworkSource(url).load())
        out["load_s"] = time.perf_counter() - loaded
        out["graph_mib"] = network.nbytes / 2**20
        out["vertices"] = network.vertex_count
        plan = build_plan_tour(settings, network=network, pois=pois)
    else:
        budget = settings.graph_cache_mb * 2**20
        source = PostgresWalkingNetworkSource(
            url, connections=pool.connection, cache=GraphCache(budget)
        )
        plan = build_plan_tour(settings, engines=PostgresTourEngineFactory(source), pois=pois)
        out["cache_mb"] = settings.graph_cache_mb
    out["ready_s"] = time.perf_counter() - began
    out["ready_rss_mib"] = _status_mib("VmRSS")
    out["ready_hwm_mib"] = _status_mib("VmHWM")
    print("READY", flush=True)

    if mode in ("whole", "tiled"):
        starts = spec["starts"]
        cold: dict[int, list[float]] = {}
        warm: dict[int, list[float]] = {}
        if mode == "whole":  # the first request after the load: the whole graph's only cold one
            out["first_request_s"] = _timed(plan, _request(starts[0], 90, 0))
        for minutes in BUDGETS:
            if mode == "tiled":
                # Cold: the first request in a city (an empty cache), cities in turn.
                cold[minutes] = []
                for index, start in enumerate(spec["cold_starts"]):
                    source.cache = GraphCache(budget)
                    cold[minutes].append(_timed(plan, _request(start, minutes, index)))
                source.cache = GraphCache(budget)
            # Warm: one pass over the starts untimed, then the same pass timed.
            for index, start in enumerate(starts):
                plan(_request(start, minutes, index))
            warm[minutes] = [
                _timed(plan, _request(start, minutes, index)) for index, start in enumerate(starts)
            ]
            if mode == "tiled":
                out.setdefault("cache_after_warm_mib", {})[minutes] = source.cache.nbytes / 2**20
        out["cold"], out["warm"] = cold, warm
    else:  # "spread" or "one": RSS after many tours with the default cache
        out.update(_many_tours(mode, spec, plan, source))
    out["end_rss_mib"] = _status_mib("VmRSS")
    out["peak_rss_mib"] = _status_mib("VmHWM")
    pool.close()
    return out


def _many_tours(mode: str, spec: dict[str, Any], plan: Any, source: Any) -> dict[str, Any]:
    """``spec["tours"]`` tours over every city ("spread") or in city 0 ("one"); RSS traced."""
    out: dict[str, Any] = {}
    rng = random.Random(11)
    boxes = spec["boxes"]
    trace = []
    times = []
    for index in range(spec["tours"]):
        box = boxes[rng.randrange(len(boxes))] if mode == "spread" else boxes[0]
        start = [rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3])]
        try:
            times.append(_timed(plan, _request(start, BUDGETS[index % 3], index)))
        except Exception as error:  # a bench counts failures, it does not stop
            out.setdefault("errors", []).append(repr(error)[:200])
        if (index + 1) % max(1, spec["tours"] // 10) == 0:
            trace.append(
                [index + 1, _status_mib("VmRSS"), source.cache.nbytes / 2**20, len(source.cache)]
            )
    out["trace"] = trace
    out["tour_p50_ms"] = float(np.percentile(times, 50)) * 1000 if times else 0.0
    out["tour_p95_ms"] = float(np.percentile(times, 95)) * 1000 if times else 0.0
    out["cache_mib"] = source.cache.nbytes / 2**20
    out["cache_budget_mib"] = source.cache.max_bytes / 2**20  # what the wiring really gave
    return out


def run_child(mode: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``child(mode)`` in a fresh interpreter; boot_s is spawn to READY, seen from here."""
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "WILDSIDE_LOG_LEVEL": "WARNING"},
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(json.dumps(spec))
    process.stdin.close()
    boot_s = None
    result: dict[str, Any] = {}
    for line in process.stdout:
        if line.startswith("READY") and boot_s is None:
            boot_s = time.perf_counter() - began
        elif line.startswith("RESULT "):
            result = json.loads(line[7:])
    if process.wait() != 0:
        raise RuntimeError(f"{mode} child exited with {process.returncode}")
    result["boot_s"] = boot_s
    return result


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=8)
    parser.add_argument("--vertices-per-city", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a country of this size")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--database", default=DB_NAME, help="database to create on the server")
    parser.add_argument("--starts", type=int, default=40, help="warm starts per budget (city 0)")
    parser.add_argument("--cold", type=int, default=24, help="cold requests per budget")
    parser.add_argument("--tours", type=int, default=2000, help="tours for each RSS run")
    parser.add_argument("--skip-whole", action="store_true")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, json.load(sys.stdin))), flush=True)
        return
    admin = _admin_url()
    side = round(math.sqrt(args.vertices_per_city))
    began = time.perf_counter()
    url, meta = ensure_country(admin, args.cities, side, args.reuse, args.database)
    print(f"country ready in {time.perf_counter() - began:.0f} s: {json.dumps(meta)}", flush=True)
    if args.build_only:
        return
    from bench.worker_boot import boot_once

    boxes = city_boxes(args.cities, side)
    starts = _starts(boxes[0], args.starts, 7)
    cold_starts = [_starts(boxes[i % len(boxes)], 1, 100 + i)[0] for i in range(args.cold)]
    report: dict[str, Any] = {"country": meta}
    boots = [boot_once(url, REPO) for _ in range(3)]
    report["worker"] = {
        "boot_s": sorted(b[0] for b in boots)[1],
        "ready_rss_mib": sorted(b[1] for b in boots)[1],
        "peak_mib": max(b[2] for b in boots),
    }
    print(f"wildside worker: {json.dumps(report['worker'])}", flush=True)
    spec = {"url": url, "starts": starts, "cold_starts": cold_starts, "boxes": boxes}
    report["tiled"] = run_child("tiled", spec)
    print(f"tiled: {json.dumps(report['tiled'])}", flush=True)
    if not args.skip_whole:
        report["whole"] = run_child("whole", spec)
        print(f"whole: {json.dumps(report['whole'])}", flush=True)
    for mode in ("spread", "one"):
        report[mode] = run_child(mode, {**spec, "tours": args.tours})
        print(f"{mode}: {json.dumps(report[mode])}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print_table(report, args)


def print_table(report: dict[str, Any], args: argparse.Namespace) -> None:
    meta, tiled, whole = report["country"], report["tiled"], report.get("whole")
    print(
        f"\ncountry: {args.cities} cities, {meta['vertices']:,} vertices, {meta['edges']:,} edges,"
        f" {meta['pois']:,} POIs, {meta['tiles']} tiles ({meta['tile_bytes'] / 2**20:.0f} MiB);"
        f" built in {meta['total_s']:.0f} s"
    )
    na = "—"
    rows: list[tuple[str, str, str, str]] = []

    def add(what: str, t: str, w: str, target: str = "") -> None:
        rows.append((what, t, w, target))

    add(
        "boot s (process start to ready)",
        f"{report['worker']['boot_s']:.2f} (worker); {tiled['boot_s']:.2f} (planner)",
        f"{whole['boot_s']:.2f} (load {whole['load_s']:.1f})" if whole else na,
        "≤ 5",
    )
    add(
        "peak RSS MiB at ready",
        f"{report['worker']['peak_mib']:.0f} (worker); {tiled['ready_hwm_mib']:.0f} (planner)",
        f"{whole['ready_hwm_mib']:.0f} (graph {whole['graph_mib']:.0f})" if whole else na,
    )
    for minutes in BUDGETS:
        key = str(minutes)
        cold = tiled["cold"][key]
        warm = tiled["warm"][key]
        add(
            f"{minutes} min cold ms p50 / p95",
            f"{_p(cold, 50):.0f} / {_p(cold, 95):.0f}",
            f"first request {whole['first_request_s'] * 1000:.0f} (90 min)"
            if whole and minutes == 90
            else na,
            "p95 ≤ 500" if minutes == 90 else "",
        )
        whole_warm = whole["warm"][key] if whole else None
        ratio = f" ({_p(warm, 95) / _p(whole_warm, 95):.2f}x whole)" if whole_warm else ""
        add(
            f"{minutes} min warm ms p50 / p95",
            f"{_p(warm, 50):.0f} / {_p(warm, 95):.0f}{ratio}",
            f"{_p(whole_warm, 50):.0f} / {_p(whole_warm, 95):.0f}" if whole_warm else na,
            "p95 ≤ 1.2x whole" if minutes == 90 else "",
        )
    add(
        "peak RSS MiB after the latency runs",
        f"{tiled['peak_rss_mib']:.0f}",
        f"{whole['peak_rss_mib']:.0f}" if whole else na,
        "≤ 1024",
    )
    for mode, label in (("spread", "over all cities"), ("one", "in one city")):
        r = report[mode]
        add(
            f"RSS / peak MiB after {args.tours} tours {label}",
            f"{r['end_rss_mib']:.0f} / {r['peak_rss_mib']:.0f} (cache {r['cache_mib']:.0f}"
            f" of {r.get('cache_budget_mib', 0):.0f};"
            f" tours {r['tour_p50_ms']:.0f} / {r['tour_p95_ms']:.0f} ms;"
            f" {len(r.get('errors', []))} errors)",
            na,
            "≤ 1024",
        )
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("", "tiled (default cache)", "whole graph", "target")
    print(" | ".join(h.ljust(w) for h, w in zip(head, width, strict=True)))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, width, strict=True)))
    for mode in ("spread", "one"):
        print(f"{mode} trace (tours, RSS MiB, cache MiB, entries): {report[mode]['trace']}")


if __name__ == "__main__":
    main()
