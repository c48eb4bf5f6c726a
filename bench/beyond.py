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

``--all`` runs every measurement above, one after another, on the same
requests in one process, and prints each table.

With ``--retracing`` it measures (its own table, ``bench/beyond_retracing.py``)
the same requests as round trips with no reuse penalty and with the default
one (or ``--penalty``, ``--rounds``): the share of the walk that retraces,
score, planning time and the score given up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.composition import build_plan_tour
from adapters.settings import load_settings
from bench.beyond_alternatives import measure_alternatives, print_alternatives
from bench.beyond_common import args as _args
from bench.beyond_common import p as _p
from bench.beyond_common import requests as _requests
from bench.beyond_hours import measure_opening_hours, print_opening_hours
from bench.beyond_retracing import measure_retracing, print_retracing
from wildside.domain.errors import WildsideError
from wildside.domain.route_spec import RouteSpec


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
        f"| whole plan ms p50 / p95 | {1000 * statistics.median(r['loop_s'] for r in rows):.0f} / "
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
    parser.add_argument("--all", action="store_true", help="every measurement, one after another")
    parser.add_argument("--alternatives", type=int, default=0, help="measure k tours instead")
    parser.add_argument(
        "--opening-hours", action="store_true", help="measure tours with opening hours instead"
    )
    parser.add_argument("--retracing", action="store_true", help="measure no-retracing instead")
    parser.add_argument("--penalty", type=float, help="--retracing: reuse_penalty of 'after'")
    parser.add_argument("--rounds", type=int, help="--retracing: reuse_rounds of 'after'")
    args = parser.parse_args(argv)
    n, seed = args.requests, args.seed
    runs: dict[str, tuple[Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None]]] = {
        "end modes and streamed tours": (lambda: measure(n, seed), print_table),
        "alternatives": (
            lambda: measure_alternatives(n, seed, args.alternatives or 3),
            print_alternatives,
        ),
        "opening hours": (lambda: measure_opening_hours(n, seed), print_opening_hours),
        "no retracing": (
            lambda: measure_retracing(n, seed, args.penalty, args.rounds),
            print_retracing,
        ),
    }
    if args.all:
        chosen = list(runs)
    elif args.retracing:
        chosen = ["no retracing"]
    elif args.opening_hours:
        chosen = ["opening hours"]
    elif args.alternatives:
        chosen = ["alternatives"]
    else:
        chosen = ["end modes and streamed tours"]
    reports: dict[str, dict[str, Any]] = {}
    for name in chosen:
        measure_run, print_run = runs[name]
        began = time.perf_counter()
        reports[name] = measure_run()
        if len(chosen) > 1:
            print(f"\n## {name} ({time.perf_counter() - began:.0f} s)\n")
        print_run(reports[name])
    if args.json:
        print(json.dumps(reports if len(chosen) > 1 else reports[chosen[0]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
