"""Issue 15's figures for what is built: end anywhere against the round trip, and streamed tours.

Run on the private servers with central Helsinki ingested
(``eval "$(.venv/bin/wildside services start)"``, ``wildside migrate``,
``wildside ingest --sample helsinki``). For N seeded requests (random starts
within about 700 m of the centre, 90 minutes, random themes) the same planner
(``build_plan_tour``, the worker's wiring) computes:

- the round trip (today's default, the anchor) and the same request with
  ``end_anywhere``: score, walking time used, solve time;
- the seconds from the call to the first ``route_candidate`` sketch (what the
  worker streams, ``PlanTour(on_candidate=...)``) and how many there are.

With ``--alternatives K`` it measures instead (its own table) K distinct tours
per request (``alternatives: K``): the pairwise share of stops, each
alternative's score against the best, how many came back, and the solve time
against one tour.

With ``--opening-hours`` it measures (its own table) the same requests at a
fixed weekday morning and evening start (``start_time``), planned without
opening hours (every place counts as open: the anchor) and with them, once
with a single solve and the consistency pass only, once as shipped (up to
``MAX_SOLVES`` solves): score, solve time, how many stops of the plan without
hours would meet a closed door, how many places were left out as closed, and
how many solves a tour took.

With ``--retracing`` it measures (its own table, ``bench/beyond_retracing.py``)
the same requests as round trips with no reuse penalty and with the default
one (or ``--penalty``, ``--rounds``): the share of the walk that retraces,
score, planning time and the score given up.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.composition import build_plan_tour
from adapters.composition.engine import build_tour_engines
from adapters.outbound.opening_hours_calendar import OpeningHoursPyOpeningCalendar
from adapters.settings import load_settings
from wildside.app import tour_hours
from wildside.domain.alternatives import shared_fraction
from wildside.domain.errors import WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.poi_tags import THEMES
from wildside.domain.route_spec import RouteSpec
from wildside.domain.start_time import parse_start_time
from wildside.domain.tour import Tour
from wildside.ports.opening_calendar import HoursQuery, UnknownOpeningCalendar
from wildside.ports.tour_engine import OrienteeringProblem, OrienteeringSolution
from wildside.ports.tour_engines import TourEngineFactory

CENTRE = GeoPoint(60.1699, 24.9384)


def _requests(count: int, seed: int) -> list[RouteSpec]:
    rng = random.Random(seed)
    specs = []
    for index in range(count):
        start = GeoPoint(
            CENTRE.lat + rng.uniform(-0.006, 0.006), CENTRE.lng + rng.uniform(-0.012, 0.012)
        )
        themes = rng.sample(THEMES, rng.randint(1, 3))
        specs.append(
            RouteSpec.build(start=start, duration_minutes=90, preferences=themes, seed=index)
        )
    return specs


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(count: int, seed: int) -> dict[str, Any]:
    """Every figure of the table, from one process."""
    plan = build_plan_tour(load_settings())
    rows: list[dict[str, float]] = []
    skipped = 0
    for spec in _requests(count, seed):
        try:
            plan(spec)  # untimed: loads the area's tiles into the cache
        except WildsideError:  # a start in the harbour: refused, as the API would
            skipped += 1
            continue
        began = time.perf_counter()
        first: list[float] = []

        def seen(_sketch: object, began: float = began, first: list[float] = first) -> None:
            first.append(time.perf_counter() - began)

        loop = plan(spec, on_candidate=seen)
        loop_s = time.perf_counter() - began
        began = time.perf_counter()
        open_end = plan(RouteSpec.build(**_args(spec), end_anywhere=True))
        open_s = time.perf_counter() - began
        rows.append(
            {
                "loop_score": loop.score,
                "open_score": open_end.score,
                "loop_used_s": loop.used_s,
                "open_used_s": open_end.used_s,
                "budget_s": spec.budget_s,
                "loop_s": loop_s,
                "open_s": open_s,
                "first_candidate_s": first[0] if first else float("nan"),
                "candidates": len(first),
            }
        )
    return {"rows": rows, "skipped": skipped}


def measure_alternatives(count: int, seed: int, k: int) -> dict[str, Any]:
    """Per request: k tours' pairwise stop overlap, score spread, count and solve time."""
    plan = build_plan_tour(load_settings())
    rows: list[dict[str, Any]] = []
    skipped = 0
    for spec in _requests(count, seed):
        try:
            single = plan(spec)  # also loads the area's tiles, so time the k-tour call only
        except WildsideError:  # a start in the harbour: refused, as the API would
            skipped += 1
            continue
        began = time.perf_counter()
        best = plan(RouteSpec.build(**_args(spec), alternatives=k))
        several_s = time.perf_counter() - began
        began = time.perf_counter()
        plan(spec)
        single_s = time.perf_counter() - began
        tours = [best, *best.alternatives]
        rows.append(
            {
                "found": len(tours),
                "overlaps": [shared_fraction(a, b) for a, b in itertools.combinations(tours, 2)],
                "ratios": [t.score / best.score for t in tours[1:] if best.score > 0],
                "best_vs_single": best.score / single.score if single.score > 0 else 1.0,
                "single_s": single_s,
                "several_s": several_s,
            }
        )
    return {"rows": rows, "skipped": skipped, "k": k}


def print_alternatives(report: dict[str, Any]) -> None:
    rows, k = report["rows"], report["k"]
    overlaps = [o for r in rows for o in r["overlaps"]]
    ratios = [x for r in rows for x in r["ratios"]]
    print(
        f"{len(rows)} seeded 90-minute Helsinki requests ({report['skipped']} starts off the "
        f"map skipped), alternatives: {k}, one process, tiles cached"
    )
    print("| measure | value |")
    print("| --- | ---: |")
    print(
        f"| requests with all {k} tours | {sum(r['found'] == k for r in rows)} of {len(rows)} "
        f"(tours p50 {statistics.median(r['found'] for r in rows):.0f}) |"
    )
    print(
        f"| pairwise shared stops p50 / p95 / max | {100 * statistics.median(overlaps):.0f} % / "
        f"{100 * _p(overlaps, 0.95):.0f} % / {100 * max(overlaps):.0f} % |"
    )
    print(
        f"| alternative score / best p50 / min | {100 * statistics.median(ratios):.1f} % / "
        f"{100 * min(ratios):.1f} % |"
    )
    print(
        "| best of k / single tour p50 / min | "
        f"{100 * statistics.median(r['best_vs_single'] for r in rows):.1f} % / "
        f"{100 * min(r['best_vs_single'] for r in rows):.1f} % |"
    )
    print(
        f"| solve ms p50, 1 tour / {k} tours | "
        f"{1000 * statistics.median(r['single_s'] for r in rows):.0f} / "
        f"{1000 * statistics.median(r['several_s'] for r in rows):.0f} |"
    )


# A Tuesday in December (no public holiday in Finland): a morning and an evening walk.
OPENING_STARTS = ("2026-12-08T10:00:00+02:00", "2026-12-08T19:00:00+02:00")


class _CountingEngines:
    """The wired engines, counting solves (a tour with opening hours may take several)."""

    def __init__(self, engines: TourEngineFactory) -> None:
        self._engines = engines
        self.solves = 0

    def for_area(self, area: Any) -> Any:
        engine = self._engines.for_area(area)
        outer = self

        class Counted:
            def __getattr__(self, name: str) -> Any:
                return getattr(engine, name)

            def solve(self, problem: OrienteeringProblem, *args: Any) -> OrienteeringSolution:
                outer.solves += 1
                return engine.solve(problem, *args)

        return Counted()


def _closed_doors(tour: Tour, calendar: OpeningHoursPyOpeningCalendar) -> int:
    """Stops of ``tour`` closed at their arrival (or before their visit ends).

    Arrivals are printed to 0.1 s; a door that shut less than that before is
    rounding, not a closed door.
    """
    assert tour.start_time is not None
    tagged = [s for s in tour.stops if s.opening.hours is not None]
    openings = calendar.openings(
        [HoursQuery(s.opening.hours, GeoPoint(s.lat, s.lng)) for s in tagged],
        tour.start_time,
        tour.budget_s,
    )
    pairs = zip(tagged, openings, strict=True)
    return sum(
        opening.state(s.arrival_s + 0.1, s.dwell_s - 0.2) == "closed" for s, opening in pairs
    )


def measure_opening_hours(count: int, seed: int) -> dict[str, Any]:
    """Per request and start: without hours, one solve with hours, as shipped."""
    settings = load_settings()
    calendar = OpeningHoursPyOpeningCalendar()
    counted = _CountingEngines(build_tour_engines(settings))  # one tile cache for both
    without = build_plan_tour(settings, engines=counted, calendar=UnknownOpeningCalendar())
    with_hours = build_plan_tour(settings, engines=counted, calendar=calendar)
    shipped_solves = tour_hours.MAX_SOLVES
    rows: list[dict[str, Any]] = []
    skipped = 0
    for spec in _requests(count, seed):
        try:
            without(spec)  # untimed: loads the area's tiles into the cache
        except WildsideError:  # a start in the harbour: refused, as the API would
            skipped += 1
            continue
        for start in OPENING_STARTS:
            timed = RouteSpec.build(**_args(spec), start_time=parse_start_time(start))
            row: dict[str, Any] = {"start": start}
            counted.solves = 0
            began = time.perf_counter()
            plain = without(timed)
            row["plain_s"], row["plain_score"] = time.perf_counter() - began, plain.score
            row["plain_solve_s"] = plain.diagnostics.solve_seconds
            row["plain_fits"] = plain.used_s <= plain.budget_s + 1e-6
            row["closed_doors"] = _closed_doors(plain, calendar)
            row["plain_stops"] = len(plain.stops)
            row["plain_solves"] = counted.solves
            for label, solves in (("one", 1), ("shipped", shipped_solves)):
                tour_hours.MAX_SOLVES = solves  # the design choice measured: re-solve or not
                counted.solves = 0
                began = time.perf_counter()
                tour = with_hours(timed)
                row[f"{label}_s"] = time.perf_counter() - began
                row[f"{label}_score"] = tour.score
                row[f"{label}_solve_s"] = tour.diagnostics.solve_seconds
                row[f"{label}_doors"] = _closed_doors(tour, calendar)
                row[f"{label}_skipped"] = len(tour.skipped)
                row[f"{label}_solves"] = counted.solves
                row[f"{label}_open"] = sum(s.opening.state == "open" for s in tour.stops)
                row[f"{label}_fits"] = tour.used_s <= tour.budget_s + 1e-6
            tour_hours.MAX_SOLVES = shipped_solves
            rows.append(row)
    return {"rows": rows, "skipped": skipped}


def print_opening_hours(report: dict[str, Any]) -> None:
    rows = report["rows"]
    print(
        f"{len(rows) // len(OPENING_STARTS)} seeded 90-minute Helsinki requests "
        f"({report['skipped']} starts off the map skipped), each at "
        f"{' and '.join(OPENING_STARTS)}, one process, tiles cached"
    )
    print(
        "| start | measure | without hours (anchor) | with hours, 1 solve | "
        f"with hours, up to {tour_hours.MAX_SOLVES} solves (shipped) |"
    )
    print("| --- | --- | ---: | ---: | ---: |")
    for start in OPENING_STARTS:
        mine = [r for r in rows if r["start"] == start]
        at = start[11:16]

        def p50(key: str, rows: list[dict[str, Any]] = mine) -> float:
            return float(statistics.median(r[key] for r in rows))

        def ratio(label: str, rows: list[dict[str, Any]] = mine) -> str:
            kept = [r[f"{label}_score"] / r["plain_score"] for r in rows if r["plain_score"] > 0]
            return (
                f"{100 * statistics.median(kept):.1f} / {100 * statistics.mean(kept):.1f} / "
                f"{100 * min(kept):.1f} %"
            )

        doors = sum(r["closed_doors"] for r in mine)
        stops = sum(r["plain_stops"] for r in mine)
        print(
            f"| {at} | score p50 | {p50('plain_score'):.3f} | {p50('one_score'):.3f} | "
            f"{p50('shipped_score'):.3f} |"
        )
        print(f"| {at} | score / anchor p50 / mean / min | | {ratio('one')} | {ratio('shipped')} |")
        print(
            f"| {at} | stops at a closed door | {doors} of {stops} stops, in "
            f"{sum(r['closed_doors'] > 0 for r in mine)} of {len(mine)} tours | "
            f"{sum(r['one_doors'] for r in mine)} | {sum(r['shipped_doors'] for r in mine)} |"
        )
        print(
            f"| {at} | stops known open p50 | | {p50('one_open'):.0f} | {p50('shipped_open'):.0f} |"
        )
        print(
            f"| {at} | places skipped as closed p50 / max (listed, at most 10) | | "
            f"{p50('one_skipped'):.0f} / {max(r['one_skipped'] for r in mine)} | "
            f"{p50('shipped_skipped'):.0f} / {max(r['shipped_skipped'] for r in mine)} |"
        )
        print(
            f"| {at} | solves per tour p50 / max | {p50('plain_solves'):.0f} / "
            f"{max(r['plain_solves'] for r in mine)} | {p50('one_solves'):.0f} / "
            f"{max(r['one_solves'] for r in mine)} | {p50('shipped_solves'):.0f} / "
            f"{max(r['shipped_solves'] for r in mine)} |"
        )
        print(
            f"| {at} | solve ms p50 / p95 | {1000 * p50('plain_solve_s'):.0f} / "
            f"{1000 * _p([r['plain_solve_s'] for r in mine], 0.95):.0f} | "
            f"{1000 * p50('one_solve_s'):.0f} / "
            f"{1000 * _p([r['one_solve_s'] for r in mine], 0.95):.0f} | "
            f"{1000 * p50('shipped_solve_s'):.0f} / "
            f"{1000 * _p([r['shipped_solve_s'] for r in mine], 0.95):.0f} |"
        )
        print(
            f"| {at} | whole plan ms p50 / p95 | {1000 * p50('plain_s'):.0f} / "
            f"{1000 * _p([r['plain_s'] for r in mine], 0.95):.0f} | "
            f"{1000 * p50('one_s'):.0f} / {1000 * _p([r['one_s'] for r in mine], 0.95):.0f} | "
            f"{1000 * p50('shipped_s'):.0f} / "
            f"{1000 * _p([r['shipped_s'] for r in mine], 0.95):.0f} |"
        )
        fits = {
            label: "yes" if all(r[f"{label}_fits"] for r in mine) else "NO"
            for label in ("plain", "one", "shipped")
        }
        print(
            f"| {at} | every tour within its budget | {fits['plain']} | {fits['one']} | "
            f"{fits['shipped']} |"
        )


def _args(spec: RouteSpec) -> dict[str, Any]:
    return {
        "start": spec.start,
        "duration_minutes": spec.duration_minutes,
        "preferences": spec.themes,
        "seed": spec.seed,
        "pace_m_s": spec.pace_m_s,
    }


def print_table(report: dict[str, Any]) -> None:
    rows = report["rows"]
    gains = [
        (r["open_score"] - r["loop_score"]) / r["loop_score"] for r in rows if r["loop_score"] > 0
    ]
    fits = all(r["open_used_s"] <= r["budget_s"] + 1e-6 for r in rows)
    lower = sum(r["open_score"] < r["loop_score"] - 1e-9 for r in rows)
    print(
        f"{len(rows)} seeded 90-minute Helsinki requests ({report['skipped']} starts off the "
        "map skipped), one process, tiles cached"
    )
    print("| measure | round trip (anchor) | end anywhere |")
    print("| --- | ---: | ---: |")
    print(
        f"| score p50 | {statistics.median(r['loop_score'] for r in rows):.3f} | "
        f"{statistics.median(r['open_score'] for r in rows):.3f} |"
    )
    print(
        f"| score gain p50 / min / max | | {100 * statistics.median(gains):+.1f} % / "
        f"{100 * min(gains):+.1f} % / {100 * max(gains):+.1f} % ({lower} lower) |"
    )
    print(
        f"| solve ms p50 / p95 | {1000 * statistics.median(r['loop_s'] for r in rows):.0f} / "
        f"{1000 * _p([r['loop_s'] for r in rows], 0.95):.0f} | "
        f"{1000 * statistics.median(r['open_s'] for r in rows):.0f} / "
        f"{1000 * _p([r['open_s'] for r in rows], 0.95):.0f} |"
    )
    print(f"| every tour within its budget | | {'yes' if fits else 'NO'} |")
    firsts = [r["first_candidate_s"] for r in rows if r["candidates"]]
    print(
        f"first streamed tour after the call: p50 {1000 * statistics.median(firsts):.0f} ms, "
        f"p95 {1000 * _p(firsts, 0.95):.0f} ms (target < 1 s); candidates per job p50 "
        f"{statistics.median(r['candidates'] for r in rows):.0f}, max "
        f"{max(r['candidates'] for r in rows)}; jobs with none: "
        f"{sum(1 for r in rows if not r['candidates'])}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--alternatives", type=int, default=0, help="measure k tours instead")
    parser.add_argument(
        "--opening-hours", action="store_true", help="measure tours with opening hours instead"
    )
    parser.add_argument("--retracing", action="store_true", help="measure no-retracing instead")
    parser.add_argument("--penalty", type=float, help="--retracing: reuse_penalty of 'after'")
    parser.add_argument("--rounds", type=int, help="--retracing: reuse_rounds of 'after'")
    args = parser.parse_args(argv)
    if args.retracing:
        from bench.beyond_retracing import measure_retracing, print_retracing

        report = measure_retracing(args.requests, args.seed, args.penalty, args.rounds)
        print_retracing(report)
    elif args.opening_hours:
        report = measure_opening_hours(args.requests, args.seed)
        print_opening_hours(report)
    elif args.alternatives:
        report = measure_alternatives(args.requests, args.seed, args.alternatives)
        print_alternatives(report)
    else:
        report = measure(args.requests, args.seed)
        print_table(report)
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
