"""Orienteering solver entry point: validation, time-sliced search, exact final check."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wildside.domain.solver import search
from wildside.domain.solver.checks import exact_cost, repair_to_budget, validated_inputs
from wildside.domain.solver.street_paths import warm_up_street_kernels

_SLICE_SECONDS = 0.03  # hand control back to Python this often for progress and the clock
_TEMPERATURE_SHARE = 0.5  # annealing temperature as a share of the mean candidate score
# Destroy up to this many stops, or this share of the route: big holes let the
# repair rebuild whole areas (measured best on 400-750 node instances).
_MAX_DESTROY = 80
_MAX_DESTROY_SHARE = 0.5
_MIN_PATIENCE = 300
_PATIENCE_PER_CANDIDATE = 10  # steps without a new best before restarting from it
_NEIGHBORS = 12  # near stops per node that or-opt tries on long routes

ProgressCallback = Callable[[int, float], None]


class InfeasibleBudgetError(ValueError):
    """Even the direct trip from start to end costs more than the budget."""


@dataclass(frozen=True, slots=True)
class OpSolution:
    """The best route found and how the search went."""

    route: list[int]
    score: float
    cost: float
    iterations: int
    seconds: float
    is_time_limited: bool


def budget_tolerance(budget: float) -> float:
    """Slack allowed over the budget: 1e-9, or a few ulps for budgets too large for that."""
    return max(1e-9, 4.0 * math.ulp(budget))


def solve_op(
    scores: Any,
    cost: Any,
    start: int,
    end: int,
    budget: float,
    *,
    seed: int = 0,
    time_limit: float = 1.0,
    max_iterations: int | None = None,
    service: Any = None,
    progress: ProgressCallback | None = None,
) -> OpSolution:
    """Choose and order stops to maximise the collected score within a travel budget.

    Parameters
    ----------
    scores
        Non-negative score per node (length n). Start and end are always
        visited, so their scores always count (once if they are the same node).
    cost
        n-by-n travel costs, assumed (nearly) symmetric; the returned cost is
        summed exactly along the route in the given direction.
    start, end
        Node indices of the route's ends; equal for a closed tour.
    budget
        Maximum route cost, travel plus service of every visited stop.
    seed
        Seed of the search; with ``max_iterations`` set and the time limit not
        reached the result is fully deterministic.
    time_limit
        Wall-clock seconds for the whole call.
    max_iterations
        Destroy/repair steps after construction; ``None`` runs until the time limit.
    service
        Optional non-negative visiting cost per node (start and end pay none).
    progress
        Called between search slices with the percent done (0..100, ending at
        100) and the best score so far.

    Returns
    -------
    OpSolution
        A feasible route from ``start`` to ``end`` with distinct nodes.

    Raises
    ------
    InfeasibleBudgetError
        If travelling from start to end directly already exceeds the budget.
    ValueError
        If an input has the wrong shape or holds NaN, infinity or negative values.
    """
    began = time.perf_counter()
    score_array, travel, service_array = validated_inputs(
        scores, cost, start, end, budget, time_limit, max_iterations, service
    )
    n = score_array.shape[0]
    tolerance = budget_tolerance(budget)
    bare = [start, end]
    if exact_cost(travel, service_array, bare) > budget + tolerance:
        raise InfeasibleBudgetError(
            f"the direct trip from node {start} to node {end} costs "
            f"{travel[start, end]:g}, over the budget of {budget:g}"
        )
    # Service is folded into a symmetric matrix: half of each stop's dwell on
    # each of its two edges, so every route move sees it for free.
    half_service = service_array / 2.0
    half_service[[start, end]] = 0.0
    dist = (travel + travel.T) / 2.0 + half_service[:, None] + half_service[None, :]
    limit = budget + tolerance / 2.0
    reach = dist[start] + dist[:, end]
    is_candidate = (score_array > 0.0) & (reach <= limit)
    is_candidate[[start, end]] = False
    indices = np.flatnonzero(is_candidate)
    candidates = indices[np.argsort(-score_array[indices], kind="stable")].astype(np.int64)
    endpoint_score = score_array[start] + (score_array[end] if end != start else 0.0)
    score_bound = endpoint_score + float(score_array[candidates].sum())

    # Tolerances scale with the budget, not the largest entry: callers may mark
    # unreachable pairs with a huge finite cost.
    scale = max(1.0, budget)
    mean_score = float(score_array[candidates].mean()) if candidates.size else 1.0
    params = np.zeros(5, dtype=np.float64)
    params[search.LIMIT] = limit
    params[search.EPS] = 1e-12 * scale  # smaller shortenings are rounding noise
    params[search.TINY_COST] = 1e-9 * scale  # floor of the extra cost in score/cost ratios
    params[search.TEMPERATURE] = _TEMPERATURE_SHARE * mean_score
    params[search.MAX_DESTROY_SHARE] = _MAX_DESTROY_SHARE
    patience = max(_MIN_PATIENCE, _PATIENCE_PER_CANDIDATE * int(candidates.size))
    int_params = np.array([patience, _MAX_DESTROY], dtype=np.int64)
    rng = np.array([_mix_seed(seed)], dtype=np.uint64)
    cur_route = np.empty(n + 2, dtype=np.int64)
    best_route = np.empty(n + 2, dtype=np.int64)
    cur_route[0], cur_route[1] = start, end
    counters = np.zeros(search.COUNTER_COUNT, dtype=np.int64)
    counters[search.CUR_LEN] = counters[search.BEST_LEN] = 2
    values = np.zeros(4, dtype=np.float64)
    neighbors = _nearest(dist, candidates, _NEIGHBORS)
    search.construct(
        dist,
        score_array,
        candidates,
        neighbors,
        params,
        rng,
        cur_route,
        best_route,
        counters,
        values,
    )

    done = 0
    is_time_limited = False
    slice_size = 1
    per_iteration = 1e-3  # a first guess; replaced by the measured speed after one slice
    while max_iterations is None or done < max_iterations:
        elapsed = time.perf_counter() - began
        if elapsed >= time_limit:
            is_time_limited = True
            break
        if values[search.BEST_SCORE] >= score_bound - 1e-9:
            break  # everything reachable is on the route: nothing left to find
        todo = slice_size if max_iterations is None else min(slice_size, max_iterations - done)
        # The last slice only gets the time that is left, so the limit holds closely.
        todo = max(1, min(todo, int((time_limit - elapsed) / per_iteration)))
        slice_began = time.perf_counter()
        ran = search.iterate(
            dist,
            score_array,
            candidates,
            neighbors,
            params,
            int_params,
            rng,
            cur_route,
            best_route,
            counters,
            values,
            todo,
            score_bound,
        )
        done += ran
        slice_seconds = time.perf_counter() - slice_began
        # Size the next slice to take about _SLICE_SECONDS at the observed speed.
        per_iteration = max(slice_seconds, 1e-6) / max(ran, 1)
        slice_size = int(min(max(1, _SLICE_SECONDS / per_iteration), 2 * slice_size + 1))
        if progress is not None:
            best = float(values[search.BEST_SCORE])
            progress(_percent(done, max_iterations, began, time_limit), best)

    route = [int(v) for v in best_route[: counters[search.BEST_LEN]]]
    route = repair_to_budget(travel, service_array, score_array, route, budget + tolerance)
    final_cost = exact_cost(travel, service_array, route)
    final_score = float(score_array[list(set(route))].sum())
    if progress is not None:
        progress(100, final_score)
    return OpSolution(
        route=route,
        score=final_score,
        cost=final_cost,
        iterations=done,
        seconds=time.perf_counter() - began,
        is_time_limited=is_time_limited,
    )


def _nearest(dist: np.ndarray, candidates: np.ndarray, count: int) -> np.ndarray:
    """For every node, its ``count`` nearest candidates (itself excluded), nearest first."""
    n = dist.shape[0]
    count = max(1, min(count, candidates.size))
    if candidates.size == 0:
        return np.zeros((n, 1), dtype=np.int64)
    to_candidates = dist[:, candidates].copy()
    to_candidates[candidates, np.arange(candidates.size)] = np.inf
    order = np.argsort(to_candidates, axis=1, kind="stable")[:, :count]
    return candidates[order].astype(np.int64)


def _percent(done: int, max_iterations: int | None, began: float, time_limit: float) -> int:
    by_time = (time.perf_counter() - began) / time_limit
    by_work = done / max_iterations if max_iterations else 0.0
    return int(min(99.0, 100.0 * max(by_time, by_work)))


def _mix_seed(seed: int) -> int:
    """SplitMix64 of the seed: a well-spread, never-zero xorshift state."""
    z = (seed * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    return z or 0x9E3779B97F4A7C15


def warm_up() -> None:
    """Compile every kernel (or load it from numba's cache) on a tiny instance."""
    points = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.5]])
    travel = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    scores = [0.0, 0.0, 3.0, 2.0, 1.0]
    solve_op(scores, travel, 0, 1, 3.0, max_iterations=3, time_limit=60.0)
    solve_op(scores, travel, 0, 0, 3.0, max_iterations=3, time_limit=60.0, service=[0.1] * 5)
    warm_up_street_kernels()
