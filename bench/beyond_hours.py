"""Issue 15, opening hours: seeded requests at a morning and an evening start, with and without.

Run by ``bench/beyond.py --opening-hours`` (or ``--all``): each request is
planned without opening hours (every place counts as open: the anchor), with
them and a single solve, and as shipped (up to ``MAX_SOLVES`` solves).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from adapters.composition import build_plan_tour
from adapters.composition.engine import build_tour_engines
from adapters.outbound.opening_hours_calendar import OpeningHoursPyOpeningCalendar
from adapters.settings import load_settings
from bench.beyond_common import OPENING_STARTS
from bench.beyond_common import args as _args
from bench.beyond_common import closed_doors as _closed_doors
from bench.beyond_common import p as _p
from bench.beyond_common import requests as _requests
from wildside.app import tour_hours
from wildside.domain.errors import WildsideError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.start_time import parse_start_time
from wildside.ports.opening_calendar import UnknownOpeningCalendar
from wildside.ports.tour_engine import OrienteeringProblem, OrienteeringSolution
from wildside.ports.tour_engines import TourEngineFactory


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
            timed = RouteSpec.build(**{**_args(spec), "start_time": parse_start_time(start)})
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
