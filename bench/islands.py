"""No islands: candidate slots spent on unreachable pieces of Helsinki's network, before and after.

Usage: ``python -m bench.islands [--json]`` with ``WILDSIDE_DATABASE_URL``
pointing at any database of the server to use (``eval "$(.venv/bin/wildside
services start)"``); it creates ``wildside_bench_islands`` there. It prints:

- the pieces of the walking network and what labelling them costs (the numba
  BFS the engine uses, warm, against ``scipy.sparse.csgraph``), on Helsinki
  and on synthetic grid cities of 90 000 and 1 M vertices;
- for 20 starts on a grid over the centre (plus the start by a 4-vertex pier
  of issue 13) x 4 theme sets x 60 and 180 minutes: how many of the candidate
  slots the former rule (cap first, nearest vertex, drop > 150 m) gave to
  places on pieces the start's piece does not reach, and how many the
  engine's matrix holds off the start's piece now (the engine is watched);
- with ``--tours PATH``, each request's stops as JSON, so two versions of the
  code can be compared (this mode uses only ``build_plan_tour``, so it runs
  on code from before the change too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.composition import build_plan_tour
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.settings import load_settings
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec

REPO = Path(__file__).resolve().parents[1]
BUDGETS = (60, 180)
THEME_SETS: tuple[list[str], ...] = (["history"], ["nature", "art"], ["food", "culture"], [])
BY_THE_PIER = GeoPoint(60.16338, 24.95421)  # nearest vertex: a 4-vertex pier 105 m away


def _starts() -> list[GeoPoint]:
    """A 5 x 4 grid over the centre, then the start by the pier: independent of vertex order."""
    grid = [
        GeoPoint(round(lat, 5), round(lng, 5))
        for lat in np.linspace(60.160, 60.176, 4)
        for lng in np.linspace(24.935, 24.955, 5)
    ]
    return [*grid, BY_THE_PIER]


def _requests() -> list[tuple[str, RouteSpec]]:
    return [
        (
            f"{start.lat:.5f},{start.lng:.5f} {'+'.join(themes) or '-'} {minutes}",
            RouteSpec.build(start=start, duration_minutes=minutes, preferences=themes, seed=1),
        )
        for start in _starts()
        for themes in THEME_SETS
        for minutes in BUDGETS
    ]


def _database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is not None:
            return psycopg.conninfo.make_conninfo(admin_url, dbname=name)
        conn.execute(f'CREATE DATABASE "{name}"')
    url = psycopg.conninfo.make_conninfo(admin_url, dbname=name)
    PostgresMigrationRunner(url).apply()
    subprocess.run(
        [str(REPO / ".venv/bin/wildside"), "ingest", "--sample", "helsinki", "--json"],
        env={**os.environ, "WILDSIDE_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return url


def _tours(url: str) -> dict[str, Any]:
    plan = build_plan_tour(load_settings({"WILDSIDE_DATABASE_URL": url}))
    out: dict[str, Any] = {}
    for name, request in _requests():
        try:
            tour = plan(request)
        except InvalidInputError as exc:  # a grid point in the harbour, too far from a street
            out[name] = {"refused": exc.code}
            continue
        out[name] = {
            "stops": [stop.key for stop in tour.stops],
            "score": round(tour.score, 6),
            "used_s": round(tour.used_s, 1),
            "considered": tour.diagnostics.candidates_considered,
            "notes": list(getattr(tour, "notes", ())),
        }
    return out


def _pieces(url: str) -> dict[str, Any]:
    """Components of the network, the slots the old rule wasted and the new matrices' pieces."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    from adapters.composition.engine import load_street_network
    from wildside.domain.dedup import merge_duplicates
    from wildside.domain.scoring import apply_diversity, score_poi, theme_weights
    from wildside.domain.solver import warm_up
    from wildside.domain.solver.components import label_components
    from wildside.domain.solver.engine import NumbaTourEngine
    from wildside.domain.solver.street_network import StreetNetwork

    warm_up()
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    network = load_street_network(settings)
    fresh = StreetNetwork(network.graph)
    began = time.perf_counter()
    labels = fresh.component_of
    ours_s = time.perf_counter() - began
    repeats = [_timed(lambda: label_components(network.indptr, network.targets)) for _ in range(20)]
    graph = csr_matrix(
        (network.lengths, network.targets, network.indptr),
        shape=(network.vertex_count, network.vertex_count),
    )
    scipy_s = [_timed(lambda: connected_components(graph, directed=False)) for _ in range(20)]
    sizes = fresh.component_sizes
    main = int(np.argmax(sizes))

    class Watched(NumbaTourEngine):
        matrices: ClassVar[list[list[int]]] = []

        def travel_matrix(
            self,
            vertices: Sequence[int],
            *,
            is_round_trip: bool,
            walk_m: float,
            is_open_end: bool = False,
        ) -> list[list[float]]:
            self.matrices.append(list(vertices))
            return super().travel_matrix(
                vertices, is_round_trip=is_round_trip, walk_m=walk_m, is_open_end=is_open_end
            )

    engine = Watched(network)
    plan = build_plan_tour(settings, engine=engine)
    # The bench replays the old rule on the rows and settings the planner uses.
    pois = plan._pois
    cap = plan._settings
    rows: list[dict[str, Any]] = []
    for name, request in _requests():
        start = engine.snap([request.start])[0]
        if start.distance_m > cap.max_start_snap_m:
            continue  # a grid point in the harbour: refused before and after
        weights = theme_weights(request.themes)
        area_found = pois.within(
            _area(request), limit=cap.fetch_limit, prefer_themes=sorted(weights)
        )
        ranked = apply_diversity([score_poi(p, weights) for p in merge_duplicates(area_found)])
        old = [c for c in ranked if c.dwell_s < request.budget_s][: cap.candidate_cap]
        snapped = engine.snap([GeoPoint(c.poi.lat, c.poi.lng) for c in old])
        old_off_piece = sum(
            p.component != start.component and p.distance_m <= cap.max_poi_snap_m for p in snapped
        )
        old_far = sum(p.distance_m > cap.max_poi_snap_m for p in snapped)
        # The new rule: a place goes to the start's piece when a street of it is within 150 m.
        moved = engine.snap(
            [GeoPoint(c.poi.lat, c.poi.lng) for c in old],
            radius_m=cap.max_poi_snap_m,
            component=start.component,
        )
        resnapped = sum(
            p.component != start.component and q.component == start.component
            for p, q in zip(snapped, moved, strict=True)
            if q.distance_m <= cap.max_poi_snap_m
        )
        engine.matrices.clear()
        try:
            tour = plan(request)
        except InvalidInputError:
            continue  # a grid point in the harbour: refused before and after
        (vertices,) = engine.matrices
        new_start = vertices[0]
        rows.append(
            {
                "request": name,
                "old_slots": len(old),
                "old_off_piece": old_off_piece,
                "old_far": old_far,
                "old_off_piece_resnapped": int(resnapped),
                "old_start_piece": int(start.component_size),
                "new_slots": tour.diagnostics.candidates_considered,
                "new_off_piece": int(sum(labels[v] != labels[new_start] for v in vertices)),
                "new_start_on_main": bool(labels[new_start] == main),
                "stops": len(tour.stops),
                "notes": list(tour.notes),
            }
        )
    return {
        "vertices": network.vertex_count,
        "pieces": len(sizes),
        "largest": int(sizes.max()),
        "first_label_ms": ours_s * 1000,
        "label_ms": statistics.median(repeats) * 1000,
        "scipy_ms": statistics.median(scipy_s) * 1000,
        "rows": rows,
        "grids": _grid_labels((300, 1000)),
    }


def _grid_labels(sides: Sequence[int]) -> list[dict[str, float]]:
    """Label the pieces of grid cities (the grid of ``bench/network_checks.py``): ours, scipy."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from bench.network_checks import grid_edges
    from wildside.domain.solver.components import label_components

    rows: list[dict[str, float]] = []
    for side in sides:
        sources, targets, _ = grid_edges(side)
        n = side * side
        both = (np.concatenate((sources, targets)), np.concatenate((targets, sources)))
        graph = coo_matrix((np.ones(2 * len(sources)), both), shape=(n, n)).tocsr()
        indptr, arcs = graph.indptr.astype(np.int64), graph.indices.astype(np.int64)
        ours = [_timed(label_components, indptr, arcs) for _ in range(5)]
        theirs = [_timed(connected_components, graph, directed=False) for _ in range(5)]
        pieces = label_components(indptr, arcs)[1]
        rows.append(
            {
                "vertices": n,
                "pieces": pieces,
                "label_ms": statistics.median(ours) * 1000,
                "scipy_ms": statistics.median(theirs) * 1000,
            }
        )
    return rows


def _area(request: RouteSpec) -> Any:
    from wildside.ports.poi_repository import SearchArea

    return SearchArea(request.start, request.end, request.max_walk_m)


def _timed(call: Any, *args: Any, **kwargs: Any) -> float:
    began = time.perf_counter()
    call(*args, **kwargs)
    return time.perf_counter() - began


def _summary(report: dict[str, Any]) -> None:
    rows = report["rows"]
    print(
        f"Helsinki: {report['vertices']} vertices in {report['pieces']} pieces, the largest"
        f" {report['largest']}; labelling {report['label_ms']:.3f} ms warm"
        f" (first call {report['first_label_ms']:.3f} ms), scipy {report['scipy_ms']:.3f} ms"
    )
    for grid in report["grids"]:
        print(
            f"grid city, {grid['vertices']} vertices in {grid['pieces']} pieces: labelling"
            f" {grid['label_ms']:.1f} ms, scipy {grid['scipy_ms']:.1f} ms"
        )
    for minutes in BUDGETS:
        mine = [r for r in rows if r["request"].endswith(f" {minutes}")]
        on_main = [r for r in mine if r["old_start_piece"] == report["largest"]]
        off = [r["old_off_piece"] for r in on_main]
        print(
            f"{minutes} min, {len(on_main)} requests starting on the main piece: the old rule"
            f" gave {statistics.mean(off):.1f} of"
            f" {statistics.mean(r['old_slots'] for r in on_main):.1f} slots to other pieces"
            f" (min {min(off)}, max {max(off)}; of these,"
            f" {statistics.mean(r['old_off_piece_resnapped'] for r in on_main):.1f} have a"
            " street of the start's piece within 150 m and are kept, moved onto it),"
            f" {sum(r['old_far'] for r in mine)} to places > 150 m from a street;"
            f" {len(mine) - len(on_main)} requests started on a small piece"
            f" ({sum(r['old_off_piece'] for r in mine if r not in on_main)} slots off it);"
            f" now {sum(r['new_off_piece'] for r in mine)} slots off the start's piece,"
            f" {statistics.mean(r['new_slots'] for r in mine):.1f} slots used"
        )
    for r in rows:
        if r["old_start_piece"] < report["largest"] or r["stops"] <= 1:
            print(
                f"  {r['request']}: old start piece {r['old_start_piece']} vertices, now on the"
                f" main piece: {r['new_start_on_main']}, {r['stops']} stops, notes {r['notes']}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tours", type=Path, help="write each request's stops here and stop")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    admin = os.environ.get("WILDSIDE_DATABASE_URL")
    if not admin:
        sys.exit('islands: set WILDSIDE_DATABASE_URL (eval "$(.venv/bin/wildside services start)")')
    url = _database(admin, "wildside_bench_islands")
    if args.tours:
        args.tours.write_text(json.dumps(_tours(url), indent=1))
        return
    report = _pieces(url)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        _summary(report)


if __name__ == "__main__":
    main()
