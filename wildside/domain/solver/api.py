"""Orienteering solver entry point: validation, time-sliced search, exact final check."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from wildside.domain.orienteering import InfeasibleBudgetError, InvalidProblemError
from wildside.domain.solver import layout
from wildside.domain.solver.checks import exact_cost, repair_to_budget, validated_inputs
from wildside.domain.solver.neighbors import neighbor_lists, reverse_lists
from wildside.domain.solver.runner import Problem, Walker
from wildside.domain.solver.street_network import warm_up_street_kernels

_TEMPERATURE_SHARE = 0.5  # annealing temperature as a share of the mean candidate score
# Destroy up to this many stops, or this share of the route: big holes let the
# repair rebuild whole areas (measured best on 400-750 node instances).
_MAX_DESTROY = 80
_MAX_DESTROY_SHARE = 0.5
# Share of steps that pull a cluster in over the budget and then drop the worst
# stops instead of destroying first (measured on 400-750 node instances).
_OVERFILL_SHARE = 0.3
_MIN_PATIENCE = 300
_PATIENCE_PER_CANDIDATE = 10  # steps without a new best before restarting from it
_NEIGHBORS = 12  # near stops per node that or-opt tries on long routes
_SPREAD = 4  # of those, slots for stops in other directions (joins clusters)
_MAX_WALKERS = 2  # parallel searches of a time-limited solve (measured on a 2-core machine)

ProgressCallback = Callable[[int, float], bool | None]  # True: stop, return the best so far
# Called between slices when the best route so far improved: (route, its score).
ImprovementCallback = Callable[[list[int], float], None]


@dataclass(frozen=True, slots=True)
class OpSolution:
    """The best route found and how the search went."""

    route: list[int]
    score: float
    cost: float
    iterations: int
    seconds: float
    is_time_limited: bool
    is_stopped_early: bool = False


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
    threads: int | None = None,
    improved: ImprovementCallback | None = None,
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
        Destroy/repair steps after construction, for one search; ``None`` runs
        until the time limit, with ``threads`` searches, each on its own random
        stream, and returns the best route.
        That use of the clock and the cores makes the result vary from run to
        run.
    service
        Optional non-negative visiting cost per node (start and end pay none).
    progress
        Called between search slices with the percent done (0..100, ending at
        100) and the best score so far; returning ``True`` stops the search
        there, and the best route so far is returned (``is_stopped_early``).
    improved
        Called between search slices, only when the best route improved, with
        that route and its score (the kernels never wait for it).
    threads
        Parallel searches of a time-limited solve; ``None`` means one per core
        this process may use, at most two. Ignored (one search) when
        ``max_iterations`` is set.

    Returns
    -------
    OpSolution
        A feasible route from ``start`` to ``end`` with distinct nodes.

    Raises
    ------
    InfeasibleBudgetError
        If travelling from start to end directly already exceeds the budget.
    InvalidProblemError
        If an input has the wrong shape or holds NaN, infinity or negative
        values (also a ``ValueError``).
    """
    began = time.perf_counter()
    if threads is not None and threads < 1:
        raise InvalidProblemError(f"threads must be at least 1, got {threads}")
    score_array, travel, service_array = validated_inputs(
        scores, cost, start, end, budget, time_limit, max_iterations, service
    )
    n = score_array.shape[0]
    tolerance = budget_tolerance(budget)
    bare = [start, end]
    if exact_cost(travel, service_array, bare) > budget + tolerance:
        raise InfeasibleBudgetError(
            f"the direct trip from node {start} to node {end} costs "
            f"{travel[start, end]:g}, over the budget of {budget:g}",
            direct_cost=float(travel[start, end]),
            budget=float(budget),
        )
    # Service is folded into a symmetric matrix: half of each stop's dwell on
    # each of its two edges, so every route move sees it for free.
    half_service = service_array / 2.0
    half_service[[start, end]] = 0.0
    dist = (travel + travel.T) / 2.0 + half_service[:, None] + half_service[None, :]
    limit = budget + tolerance / 2.0
    # An edge dearer than the budget is never walked, whatever it costs; a
    # cap keeps every sum near the budget's scale, where the move tolerances
    # hold. Huge "no path" stand-ins would otherwise leave rounding noise
    # bigger than those tolerances, and moves could cycle on it for ever.
    np.minimum(dist, 2.0 * limit + 1.0, out=dist)
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
    params = np.zeros(layout.PARAM_COUNT, dtype=np.float64)
    params[layout.LIMIT] = limit
    params[layout.EPS] = 1e-12 * scale  # smaller shortenings are rounding noise
    params[layout.TINY_COST] = 1e-9 * scale  # floor of the extra cost in score/cost ratios
    params[layout.TEMPERATURE] = _TEMPERATURE_SHARE * mean_score
    params[layout.MAX_DESTROY_SHARE] = _MAX_DESTROY_SHARE
    params[layout.OVERFILL_SHARE] = _OVERFILL_SHARE
    patience = max(_MIN_PATIENCE, _PATIENCE_PER_CANDIDATE * int(candidates.size))
    int_params = np.array([patience, _MAX_DESTROY], dtype=np.int64)
    neighbors = neighbor_lists(dist, candidates, _NEIGHBORS, _SPREAD)
    reverse_start, reverse_nodes = reverse_lists(neighbors, candidates, n)
    problem = Problem(
        dist,
        score_array,
        candidates,
        neighbors,
        reverse_start,
        reverse_nodes,
        params,
        int_params,
        score_bound,
    )
    count = 1 if max_iterations is not None else threads or _parallel_walkers()
    hooks = (progress, improved)
    walkers = _search(problem, start, end, seed, began, time_limit, max_iterations, count, hooks)
    best = max(walkers, key=lambda w: w.best_score)
    route = best.best()
    route = repair_to_budget(travel, service_array, score_array, route, budget + tolerance)
    final_cost = exact_cost(travel, service_array, route)
    final_score = float(score_array[list(set(route))].sum())
    if progress is not None:
        progress(100, final_score)
    return OpSolution(
        route=route,
        score=final_score,
        cost=final_cost,
        iterations=sum(w.done for w in walkers),
        seconds=time.perf_counter() - began,
        is_time_limited=any(w.is_time_limited for w in walkers),
        is_stopped_early=walkers[0].is_stopped_early,
    )


def _search(
    problem: Problem,
    start: int,
    end: int,
    seed: int,
    began: float,
    time_limit: float,
    max_iterations: int | None,
    count: int,
    hooks: tuple[ProgressCallback | None, ImprovementCallback | None],
) -> list[Walker]:
    """Run the walkers to the end of the budget; return them all.

    An iteration budget is a fixed amount of work for one walker, so its
    result never depends on the machine. A time budget gets one more walker
    per spare core, on its own seed: the best of independent searches varies
    much less than a single one.
    """
    walkers: list[Walker] = []
    stop = threading.Event()
    failures: list[BaseException] = []
    progress, improved = hooks
    reported = [-math.inf]  # the best score ``improved`` has seen

    def report() -> bool:
        if improved is not None:
            leader = max(walkers, key=lambda w: w.best_score)
            if leader.best_score > reported[0]:
                reported[0] = leader.best_score
                improved(leader.best(), leader.best_score)
        if progress is None:
            return False
        done = sum(w.done for w in walkers)
        best = max(w.best_score for w in walkers)
        return bool(progress(_percent(done, max_iterations, began, time_limit), best))

    def helper(index: int) -> None:
        try:
            salt = _helper_salt(index)
            state = _mix_seed(seed) ^ salt or salt  # xorshift needs a non-zero state
            walker = Walker(problem, start, end, state, elsewhere=True)
            walkers.append(walker)
            walker.run(began, time_limit, max_iterations, stop)
        except BaseException as error:  # re-raised by the caller's thread
            failures.append(error)
            stop.set()

    threads = [threading.Thread(target=helper, args=(k,), daemon=True) for k in range(1, count)]
    for thread in threads:
        thread.start()
    main = Walker(problem, start, end, _mix_seed(seed))
    walkers.insert(0, main)
    try:
        main.run(began, time_limit, max_iterations, stop, report)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return walkers


def _parallel_walkers() -> int:
    """Walkers for a time-limited solve: one per core this process may use, at most two."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(_MAX_WALKERS, cores))


def _helper_salt(index: int) -> int:
    """A fixed odd 64-bit constant per helper, so each gets its own random stream."""
    return (0xD1B54A32D192ED03 * index) & 0xFFFFFFFFFFFFFFFF | 1


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
    # A time-limited solve with more candidates than near-stop slots reaches the
    # entry points the iteration-limited ones skip (second walker, spread lists).
    ring = np.linspace(0.0, 2.0 * np.pi, 24, endpoint=False)
    points = np.stack([np.cos(ring), np.sin(ring)], axis=1)
    travel = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    solve_op([1.0] * 24, travel, 0, 0, 3.0, time_limit=0.05)
    warm_up_street_kernels()
