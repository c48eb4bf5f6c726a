"""Issue 15, alternatives: k distinct tours per request, their overlap, score spread and cost.

Run by ``bench/beyond.py --alternatives K`` (or ``--all``): each seeded request
is planned once as one tour and once with ``alternatives: K``.
"""

from __future__ import annotations

import itertools
import statistics
import time
from typing import Any

from adapters.composition import build_plan_tour
from adapters.settings import load_settings
from bench.beyond_common import args as _args
from bench.beyond_common import p as _p
from bench.beyond_common import requests as _requests
from wildside.domain.alternatives import shared_fraction
from wildside.domain.errors import WildsideError
from wildside.domain.route_spec import RouteSpec


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
        f"| whole plan ms p50, 1 tour / {k} tours | "
        f"{1000 * statistics.median(r['single_s'] for r in rows):.0f} / "
        f"{1000 * statistics.median(r['several_s'] for r in rows):.0f} |"
    )
