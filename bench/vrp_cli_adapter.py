"""Solve an Orienteering Problem with vrp-cli (pragmatic format, one vehicle, maximize-value).

vrp-cli's ``termination.maxTime`` is a whole number of seconds (its config
field is a ``usize``; 1.22.1 refuses ``0.5`` with E0004 "invalid type:
floating point, expected usize"), so :func:`build_config` accepts only whole
seconds instead of rounding: a caller comparing solvers at one time limit
gets exactly that limit on both sides, or an error.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

PROFILE = "walk"
SHIFT_START = "1970-01-01T00:00:00Z"
SHIFT_END = "2100-01-01T00:00:00Z"  # ~4.1e9 s: durations equal scaled distances, never binding
TARGET_MAGNITUDE = 1e8  # scaled non-integral distances reach about this many units


@dataclass(frozen=True)
class VrpResult:
    """A vrp-cli route as node indices (start ... end), with wall-clock seconds.

    ``seconds`` covers the ``solve_pragmatic`` call only: the problem, matrix
    and config are JSON-encoded before it starts and the solution is parsed
    after it ends. What vrp-cli does inside that call (reading the JSON it is
    given and writing its solution, in Rust) cannot be separated from the
    search through the Python binding, so it stays in.
    """

    route: list[int]
    seconds: float
    error: str | None = None


def version() -> str:
    """Installed vrp-cli distribution version, or ``"missing"``."""
    try:
        return importlib.metadata.version("vrp-cli")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def scale_for(cost: np.ndarray) -> float:
    """1 for integral matrices (OPLib), else a power of ten mapping the longest leg to ~1e8."""
    if np.all(cost == np.round(cost)):
        return 1.0
    longest = float(cost.max()) or 1.0
    return 10.0 ** math.floor(math.log10(TARGET_MAGNITUDE / longest))


def integer_matrix(cost: np.ndarray, scale: float) -> list[int]:
    """Row-major scaled distances rounded UP, so vrp-cli's feasible routes stay feasible exactly."""
    return [int(v) for v in np.ceil(cost * scale).ravel()]


def build_problem(
    scores: list[float], start: int, end: int, max_distance: float
) -> tuple[dict[str, Any], dict[str, str]]:
    """Pragmatic problem JSON and the job-id to node map (zero-score nodes are not jobs).

    Values are scaled so the smallest is 1 (E1605 rejects values below 1): same optimum.
    """
    jobs, ids = [], {}
    positive = [v for v in scores if v > 0]
    factor = max(1.0, 1.0 / min(positive)) if positive else 1.0  # vrp-cli rejects values < 1
    for node, value in enumerate(scores):
        if node in (start, end) or value <= 0:
            continue
        job_id = f"p{node}"
        ids[job_id] = str(node)
        place = {"location": {"index": node}, "duration": 0}
        jobs.append(
            {"id": job_id, "services": [{"places": [place]}], "value": float(value) * factor}
        )
    shift = {
        "start": {"earliest": SHIFT_START, "location": {"index": start}},
        "end": {"latest": SHIFT_END, "location": {"index": end}},
    }
    vehicle = {
        "typeId": "walker",
        "vehicleIds": ["walker_1"],
        "profile": {"matrix": PROFILE},
        "costs": {"fixed": 0.0, "distance": 1.0, "time": 0.0},
        "shifts": [shift],
        "capacity": [len(scores)],
        "limits": {"maxDistance": max_distance},
    }
    problem = {
        "plan": {"jobs": jobs},
        "fleet": {"vehicles": [vehicle], "profiles": [{"name": PROFILE}]},
        "objectives": [[{"type": "maximize-value"}], [{"type": "minimize-cost"}]],
    }
    return problem, ids


def whole_seconds(time_limit: float) -> int:
    """``time_limit`` as vrp-cli's ``maxTime``; a fraction or under 1 s is refused, not rounded."""
    if time_limit < 1 or not float(time_limit).is_integer():
        raise ValueError(
            f"vrp-cli's maxTime is a whole number of seconds (at least 1), got {time_limit:g}"
        )
    return int(time_limit)


def build_config(time_limit: float) -> dict[str, Any]:
    """Termination at exactly ``time_limit`` (whole seconds: :func:`whole_seconds`), 1 thread."""
    return {
        "termination": {"maxTime": whole_seconds(time_limit), "maxGenerations": 10_000_000},
        "environment": {
            "parallelism": {"numThreadPools": 1, "threadsPerPool": 1},
            "logging": {"enabled": False},
        },
    }


def solve(
    scores: list[float], cost: np.ndarray, start: int, end: int, budget: float, *, time_limit: float
) -> VrpResult:
    """Run vrp-cli once; an error (e.g. no job fits) comes back as a start-end route.

    Only the ``solve_pragmatic`` call is timed: encoding happens before it,
    parsing after it.
    """
    import vrp_cli

    scale = scale_for(cost)
    distances = integer_matrix(cost, scale)
    problem, ids = build_problem(scores, start, end, budget * scale)
    matrix = {"profile": PROFILE, "travelTimes": distances, "distances": distances}
    fallback = [start, end]
    if not ids:
        return VrpResult(fallback, 0.0, "no positive-score job")
    problem_json = json.dumps(problem)
    matrices_json = [json.dumps(matrix)]
    config_json = json.dumps(build_config(time_limit))
    began = time.perf_counter()
    try:
        raw = vrp_cli.solve_pragmatic(
            problem=problem_json, matrices=matrices_json, config=config_json
        )
    except Exception as error:  # vrp-cli raises OSError with its own message
        return VrpResult(fallback, time.perf_counter() - began, str(error)[:200])
    seconds = time.perf_counter() - began
    return VrpResult(parse_route(json.loads(raw), ids, start, end), seconds)


def parse_route(solution: dict[str, Any], ids: dict[str, str], start: int, end: int) -> list[int]:
    """Visited nodes in tour order, framed by ``start`` and ``end``."""
    visited = [
        int(ids[activity["jobId"]])
        for tour in solution.get("tours", [])
        for stop in tour.get("stops", [])
        for activity in stop.get("activities", [])
        if activity.get("jobId") in ids
    ]
    return [start, *visited, end]
