"""Issue 15, no retracing: the share of each tour's walk that retraces, before and after.

Run by ``bench/beyond.py --retracing`` (same servers, same seeded requests):
each request is planned as a round trip with no reuse penalty (before: every
leg a shortest path) and with the default one (after, or ``--penalty`` and
``--rounds``), by the worker's wiring with one tile cache for both. Printed:
the retracing share (mean, p50, p95), score, distance, time used, solve and
planning time, and the score given up. Every request starts at the same
weekday morning (``OPENING_STARTS[0]``), opening hours read as shipped.
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
from wildside.app.plan_tour import EngineSettings
from wildside.domain.errors import WildsideError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.start_time import parse_start_time


def measure_retracing(
    count: int, seed: int, penalty: float | None = None, rounds: int | None = None
) -> dict[str, Any]:
    """Per request: retrace share, score, planning time and budget, without and with the penalty.

    ``penalty`` and ``rounds`` default to ``EngineSettings``'s.
    """
    default = EngineSettings()
    penalty = default.reuse_penalty if penalty is None else penalty
    rounds = default.reuse_rounds if rounds is None else rounds
    settings = load_settings()
    calendar = OpeningHoursPyOpeningCalendar()  # to check the stops' doors independently
    engines = build_tour_engines(settings)  # one tile cache for both planners
    plans = {
        "before": build_plan_tour(
            settings, engines=engines, engine_settings=EngineSettings(reuse_penalty=0.0)
        ),
        "after": build_plan_tour(
            settings,
            engines=engines,
            engine_settings=EngineSettings(reuse_penalty=penalty, reuse_rounds=rounds),
        ),
    }
    rows: list[dict[str, Any]] = []
    skipped = 0
    # A fixed start (a weekday morning, opening hours read as shipped), so the
    # tours do not depend on when the benchmark runs.
    start_time = parse_start_time(OPENING_STARTS[0])
    for plain in _requests(count, seed):
        spec = RouteSpec.build(**{**_args(plain), "start_time": start_time})
        try:
            plans["before"](spec)  # untimed: loads the area's tiles into the cache
        except WildsideError:  # a start in the harbour: refused, as the API would
            skipped += 1
            continue
        row: dict[str, Any] = {"budget_s": spec.budget_s}
        for name, plan in plans.items():
            began = time.perf_counter()
            tour = plan(spec)
            row[name] = {
                "seconds": time.perf_counter() - began,
                "solve_s": tour.diagnostics.solve_seconds,
                "retrace": tour.diagnostics.retrace_share,
                "score": tour.score,
                "used_s": tour.used_s,
                "distance_m": tour.distance_m,
                "stops": [stop.key for stop in tour.stops],
                "closed_doors": _closed_doors(tour, calendar),
            }
        rows.append(row)
    return {"rows": rows, "skipped": skipped, "penalty": penalty, "rounds": rounds}


def print_retracing(report: dict[str, Any]) -> None:
    rows = report["rows"]
    print(
        f"{len(rows)} seeded 90-minute Helsinki round trips ({report['skipped']} starts off "
        f"the map skipped), reuse penalty 0 (before) and {report['penalty']:g} "
        f"(after, {report['rounds']} re-solve rounds), starting {OPENING_STARTS[0]}, "
        "one process, tiles cached"
    )
    print("| measure | before (penalty 0) | after |")
    print("| --- | ---: | ---: |")
    measures: list[tuple[str, str, str, Any]] = [
        ("retracing share mean (%)", "retrace", ".2f", lambda v: 100 * statistics.mean(v)),
        ("retracing share p50 (%)", "retrace", ".2f", lambda v: 100 * _p(v, 0.5)),
        ("retracing share p95 (%)", "retrace", ".2f", lambda v: 100 * _p(v, 0.95)),
        ("tours that retrace nothing", "retrace", "d", lambda v: sum(x == 0.0 for x in v)),
        ("score mean", "score", ".3f", statistics.mean),
        ("score p50", "score", ".3f", statistics.median),
        ("distance m mean", "distance_m", ".0f", statistics.mean),
        ("time used, min mean", "used_s", ".1f", lambda v: statistics.mean(v) / 60),
        ("solve and legs ms p50", "solve_s", ".0f", lambda v: 1000 * statistics.median(v)),
        ("solve and legs ms p95", "solve_s", ".0f", lambda v: 1000 * _p(v, 0.95)),
        ("planning ms p50", "seconds", ".0f", lambda v: 1000 * statistics.median(v)),
        ("planning ms p95", "seconds", ".0f", lambda v: 1000 * _p(v, 0.95)),
    ]
    for label, key, fmt, how in measures:
        cells = [format(how([r[side][key] for r in rows]), fmt) for side in ("before", "after")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    before = sum(r["before"]["score"] for r in rows)
    after = sum(r["after"]["score"] for r in rows)
    losses = [
        (r["before"]["score"] - r["after"]["score"]) / r["before"]["score"]
        for r in rows
        if r["before"]["score"] > 0
    ]
    fits = all(r[s]["used_s"] <= r["budget_s"] + 1e-6 for r in rows for s in ("before", "after"))
    same = sum(r["before"]["stops"] == r["after"]["stops"] for r in rows)
    either = sum(
        r["before"]["stops"] in (r["after"]["stops"], r["after"]["stops"][::-1]) for r in rows
    )
    print(
        f"score loss, total: {100 * (before - after) / before:.2f} %; per request p50 "
        f"{100 * statistics.median(losses):.2f} %, max {100 * max(losses):.2f} %, "
        f"{sum(x > 1e-9 for x in losses)} lower, {sum(x < -1e-9 for x in losses)} higher; "
        f"same stops in the same order: {same} of {len(rows)}, either way round: {either}; "
        f"every tour within its budget: {'yes' if fits else 'NO'}; stops reached while closed: "
        f"{sum(r['before']['closed_doors'] for r in rows)} before, "
        f"{sum(r['after']['closed_doors'] for r in rows)} after"
    )
