"""Places near me: p50/p95 of ``GET /api/v1/pois``'s query on the 1 M-vertex synthetic city.

Usage: ``python bench/places.py [--queries 300] [--anchor-queries 30] [--reuse] [--json F]``
with ``WILDSIDE_DATABASE_URL`` pointing at any database of the server to use
(``eval "$(.venv/bin/wildside services start)"``). It creates the database
``wildside_bench_places`` there and writes ``bench/synthetic_city.py``'s
1000 x 1000 city into it (about 100 s; ``--reuse`` keeps an earlier one).

What is timed, from random centres in the middle half of the city, through a
pool connection as the API holds one:

- **served**: ``PostgresPlaceDirectory.find`` as ``FindPlaces`` calls it
  (51 rows: a page of 50 and the one that says a next page exists), page 1 and
  page 2 (keyset: ``after`` the 50th place of page 1), and the whole use case
  (scoring included, an always-allowing limiter);
- **anchor**: the same listing without the index or the keyset, a plain
  ``ST_Distance(...) <= r`` scan with ``OFFSET`` paging, in the same run;
- the GiST index with ``OFFSET`` paging, to tell the index's share from the keyset's.

Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.outbound.postgres.connection import open_pool
from adapters.outbound.postgres.place_directory import (
    IN_CIRCLE,
    ORDER,
    PostgresPlaceDirectory,
    place_sql,
)
from bench.bench_database import fresh_database
from bench.synthetic_city import describe, generate
from wildside.app.find_places import FindPlaces, PlacesSettings
from wildside.domain.accounts import User
from wildside.domain.geo import GeoPoint
from wildside.domain.places import Box, Circle, PlacePosition, PlaceQuery
from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy
from wildside.ports.place_directory import PlaceSearch

DB_NAME = "wildside_bench_places"
SIDE = 1000
PAGE = 50
# The anchor: the same rows and order, with nothing an index can answer
# (ST_Distance is computed for every row) and OFFSET paging.
ANCHOR = (
    "SELECT element_type, id, name, ST_Y(location::geometry), ST_X(location::geometry),"
    " themes, popularity, tags FROM pois"
    " WHERE ST_Distance(location, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography)"
    " <= %(radius_m)s" + ORDER + " OFFSET %(offset)s"
)
INDEX_OFFSET = (
    "SELECT element_type, id, name, ST_Y(location::geometry), ST_X(location::geometry),"
    " themes, popularity, tags FROM pois WHERE " + IN_CIRCLE + ORDER + " OFFSET %(offset)s"
)
USER = User(id="00000000-0000-4000-8000-000000000000", username="bench")


class _Unlimited:
    """A limiter that always allows (the quota's Redis round trip is not what is measured)."""

    def hit(self, subject: str, policy: RateLimitPolicy) -> RateLimitDecision:
        return RateLimitDecision(True, policy.limit, policy.limit - 1, 0, 0)


def _database(admin: str, reuse: bool) -> str:
    url, is_new = fresh_database(admin, DB_NAME, reuse=reuse)
    if not is_new:
        return url
    began = time.perf_counter()
    generate(url, side=SIDE)
    print(f"city generated in {time.perf_counter() - began:.0f} s", flush=True)
    return url


def _centres(info: dict[str, float], count: int, seed: int) -> list[GeoPoint]:
    rng = random.Random(seed)
    dlat, dlng = info["half_extent_deg_lat"] / 2, info["half_extent_deg_lng"] / 2
    return [
        GeoPoint(
            rng.uniform(info["centre_lat"] - dlat, info["centre_lat"] + dlat),
            rng.uniform(info["centre_lng"] - dlng, info["centre_lng"] + dlng),
        )
        for _ in range(count)
    ]


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    out = run()
    return (time.perf_counter() - began) * 1000, out


def _row(name: str, times: list[float], rows: list[int]) -> dict[str, Any]:
    return {
        "query": name,
        "n": len(times),
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
        "mean_rows": float(np.mean(rows)) if rows else 0.0,
    }


def _box_around(centre: GeoPoint, half_m: float) -> Box:
    dlat = math.degrees(half_m / 6_371_008.8)
    dlng = dlat / math.cos(math.radians(centre.lat))
    return Box(centre.lng - dlng, centre.lat - dlat, centre.lng + dlng, centre.lat + dlat)


def measure(url: str, centres: list[GeoPoint], anchors: int) -> list[dict[str, Any]]:
    """Every variant at every centre, in a shuffled order per centre (the cache favours none).

    The anchors run at the first ``anchors`` centres only (each takes a second or more).
    """
    pool = open_pool(url, max_size=2)
    directory = PostgresPlaceDirectory(pool.connection)
    find = FindPlaces(
        directory=directory,
        limiter=_Unlimited(),
        settings=PlacesSettings(rate_limit=RateLimitPolicy(10**6, 60.0)),
    )

    def page(radius: float, themes: tuple[str, ...] = (), number: int = 1) -> Callable[..., Any]:
        def run(centre: GeoPoint) -> Callable[[], Any]:
            area = Circle(centre, radius)
            after = None
            if number > 1:  # where page n-1 ended, found untimed
                before = directory.find(PlaceSearch(area, themes, PAGE * (number - 1)))
                after = PlacePosition.of(before[-1]) if before else None
            return lambda: directory.find(PlaceSearch(area, themes, PAGE + 1, after))

        return run

    def raw(sql: str, radius: float, offset: int) -> Callable[..., Any]:
        def run(centre: GeoPoint) -> Callable[[], Any]:
            params = {"lat": centre.lat, "lng": centre.lng, "radius_m": radius}
            params |= {"limit": PAGE + 1, "offset": offset}

            def go() -> Any:
                with pool.connection() as conn:
                    return conn.execute(sql, params).fetchall()

            return go

        return run

    def box(centre: GeoPoint) -> Callable[[], Any]:
        search = PlaceSearch(_box_around(centre, 1000.0), (), PAGE + 1)
        return lambda: directory.find(search)

    def use_case(centre: GeoPoint) -> Callable[[], Any]:
        query = PlaceQuery(Circle(centre, 1000.0), limit=PAGE)
        return lambda: find(USER, query).places

    variants: dict[str, Callable[..., Any]] = {
        "served, 1 km, page 1": page(1000.0),
        "served, 1 km, page 2 (keyset)": page(1000.0, number=2),
        "served, 1 km, page 1, whole use case (scored)": use_case,
        "served, 1 km, themes=history, page 1": page(1000.0, ("history",)),
        "served, 2 x 2 km bbox, page 1": box,
        "served, 5 km, page 1": page(5000.0),
        "served, 5 km, page 10 (keyset)": page(5000.0, number=10),
        "index + OFFSET, 1 km, page 2": raw(INDEX_OFFSET, 1000.0, PAGE),
        "index + OFFSET, 5 km, page 10": raw(INDEX_OFFSET, 5000.0, PAGE * 9),
        "anchor: ST_Distance scan, 1 km, page 1": raw(ANCHOR, 1000.0, 0),
        "anchor: ST_Distance scan + OFFSET, 1 km, page 2": raw(ANCHOR, 1000.0, PAGE),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    rows: dict[str, list[int]] = {name: [] for name in variants}
    rng = random.Random(7)
    for centre in centres[:5]:  # prepared statements and plans, untimed
        for name, variant in variants.items():
            if not name.startswith("anchor"):
                variant(centre)()
    for index, centre in enumerate(centres):
        names = [n for n in variants if index < anchors or not n.startswith("anchor")]
        rng.shuffle(names)
        for name in names:
            ms, out = _timed(variants[name](centre))
            times[name].append(ms)
            rows[name].append(len(out))
    pool.close()
    return [_row(name, times[name], rows[name]) for name in variants]


def explain(url: str, centre: GeoPoint) -> str:
    """The served page-1 plan's node lines (which index answers it)."""
    statement, params = place_sql(PlaceSearch(Circle(centre, 1000.0), (), PAGE + 1))
    with psycopg.connect(url) as conn:
        plan = conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, params).fetchall()
    return "\n".join(line for (line,) in plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300, help="centres for the served rows")
    parser.add_argument("--anchor-queries", type=int, default=30, help="centres for the anchor")
    parser.add_argument("--reuse", action="store_true", help="keep the city of an earlier run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    admin = os.environ.get("WILDSIDE_DATABASE_URL")
    if not admin:
        sys.exit('places: set WILDSIDE_DATABASE_URL (eval "$(.venv/bin/wildside services start)")')
    began = time.perf_counter()
    url = _database(admin, args.reuse)
    info = describe(url, side=SIDE)
    print(
        f"city: {info['vertices']:.0f} vertices, {info['pois']:.0f} places; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    centres = _centres(info, args.queries, seed=14)
    results = measure(url, centres, args.anchor_queries)
    anchor = {r["query"]: r for r in results}
    print("\n| query | n | rows | p50 ms | p95 ms | p95 vs anchor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in results:
        name = row["query"]
        base = anchor[
            "anchor: ST_Distance scan + OFFSET, 1 km, page 2"
            if "page 2" in name
            else "anchor: ST_Distance scan, 1 km, page 1"
        ]
        is_comparable = "1 km" in name and not name.startswith("anchor")
        ratio = f"{base['p95_ms'] / row['p95_ms']:.0f}x faster" if is_comparable else "-"
        print(
            f"| {name} | {row['n']} | {row['mean_rows']:.0f} | {row['p50_ms']:.2f} "
            f"| {row['p95_ms']:.2f} | {ratio} |"
        )
    print("\nplan of the served 1 km page 1:\n" + explain(url, centres[0]))
    print(f"\nload average {os.getloadavg()[0]:.2f}; run took {time.perf_counter() - began:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"city": info, "rows": results}, indent=2))


if __name__ == "__main__":
    main()
