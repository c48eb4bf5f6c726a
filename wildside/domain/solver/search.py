"""The OP search kernels: construction and a resumable destroy/repair ILS with restarts."""

from __future__ import annotations

import math

import numba
import numpy as np

from wildside.domain.solver.layout import (
    BEST_COST,
    BEST_LEN,
    BEST_SCORE,
    CUR_COST,
    CUR_LEN,
    CUR_SCORE,
    EPS,
    IDLE,
    LIMIT,
    MAX_DESTROY,
    MAX_DESTROY_SHARE,
    OVERFILL_SHARE,
    PATIENCE,
    RESTARTS,
    TEMPERATURE,
    TINY_COST,
    Cache,
    Near,
    Walk,
    Workspace,
)
from wildside.domain.solver.overfill import overfill
from wildside.domain.solver.perturbation import OPERATOR_COUNT, destroy
from wildside.domain.solver.repair import CACHED_LEN, REF, improve, remember
from wildside.domain.solver.restart import restart_elsewhere
from wildside.domain.solver.route_ops import (
    is_better,
    random_float,
    random_int,
    route_cost,
    route_score,
)


@numba.njit(cache=True)
def _mark(route: np.ndarray, length: int, on_route: np.ndarray) -> None:
    on_route[:] = False
    for k in range(length):
        on_route[route[k]] = True


@numba.njit(cache=True)
def new_state(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insertion cache of a solve: on-route flags, cheapest extra cost and edge per node.

    It lives with the caller, like the routes, so that splitting the
    iterations into calls never changes what the incremental upkeep sees.
    """
    return np.zeros(n, dtype=np.bool_), np.full(n, np.inf), np.zeros(n, dtype=np.int64)


@numba.njit(cache=True, nogil=True)
def construct(
    dist: np.ndarray,
    scores: np.ndarray,
    candidates: np.ndarray,
    near: Near,
    params: np.ndarray,
    rng: np.ndarray,
    walk: Walk,
    cache: Cache,
    workspace: Workspace,
) -> None:
    """Build the first solution from the bare start-to-end route; it becomes current and best."""
    cur_route, best_route, counters, values = walk
    work, lengths, _dirty = workspace
    on_route = cache[0]
    length = counters[CUR_LEN]
    _mark(cur_route, length, on_route)
    remember(cur_route, length, work, lengths, REF)
    lengths[CACHED_LEN] = 0  # no cache yet
    length = improve(
        dist,
        scores,
        cur_route,
        length,
        params[LIMIT],
        candidates,
        cache,
        1.0,
        0.0,
        params[EPS],
        params[TINY_COST],
        rng,
        0,
        near,
        workspace,
    )
    counters[CUR_LEN] = length
    counters[BEST_LEN] = length
    values[CUR_COST] = route_cost(dist, cur_route, length)
    values[CUR_SCORE] = route_score(scores, cur_route, length)
    values[BEST_COST] = values[CUR_COST]
    values[BEST_SCORE] = values[CUR_SCORE]
    best_route[:length] = cur_route[:length]


@numba.njit(cache=True, nogil=True)
def iterate(
    dist: np.ndarray,
    scores: np.ndarray,
    candidates: np.ndarray,
    near: Near,
    params: np.ndarray,
    int_params: np.ndarray,
    rng: np.ndarray,
    walk: Walk,
    cache: Cache,
    workspace: Workspace,
    iterations: int,
    score_bound: float,
) -> int:
    """Run ``iterations`` destroy/repair steps; return how many ran (fewer once optimal).

    Everything the search needs next time lives in the arrays passed in, so
    any split of the iterations into calls gives the same result.
    """
    cur_route, best_route, counters, values = walk
    work, lengths, _dirty = workspace
    on_route = cache[0]
    n = scores.shape[0]
    trial = np.empty_like(cur_route)
    drop = np.zeros(cur_route.shape[0], dtype=np.bool_)
    is_banned = np.zeros(n, dtype=np.bool_)
    keys = np.empty(cur_route.shape[0], dtype=np.float64)
    limit = params[LIMIT]
    eps = params[EPS]
    patience = int_params[PATIENCE]
    for done in range(iterations):
        if values[BEST_SCORE] >= score_bound - 1e-9:
            return done
        length = counters[CUR_LEN]
        trial[:length] = cur_route[:length]
        _mark(trial, length, on_route)
        remember(trial, length, work, lengths, REF)
        share_cap = int(params[MAX_DESTROY_SHARE] * (length - 2))
        # Short routes may lose every stop: a small share of a few stops cannot escape.
        most = max(1, min(length - 2, max(4, min(int_params[MAX_DESTROY], share_cap))))
        count = 1 + random_int(rng, most)
        operator = random_int(rng, OPERATOR_COUNT)
        if random_float(rng) < params[OVERFILL_SHARE]:
            length = overfill(
                dist,
                scores,
                trial,
                length,
                count,
                candidates,
                near,
                params,
                rng,
                cache,
                workspace,
            )
        else:
            length = destroy(
                dist, scores, trial, length, on_route, operator, count, rng, drop, keys
            )
        power = 1.0 if random_float(rng) < 0.5 else 2.0
        noise = 0.5 * random_float(rng)
        seeds = random_int(rng, 3) if random_float(rng) < 0.3 else 0
        length = improve(
            dist,
            scores,
            trial,
            length,
            limit,
            candidates,
            cache,
            power,
            noise,
            eps,
            params[TINY_COST],
            rng,
            seeds,
            near,
            workspace,
        )
        cost = route_cost(dist, trial, length)
        score = route_score(scores, trial, length)
        # Annealing on score: the temperature falls to zero over one patience window.
        idle = counters[IDLE]
        temperature = params[TEMPERATURE] * (1.0 - idle / patience)
        accept = score >= values[CUR_SCORE] - 1e-9
        if not accept and temperature > 0.0:
            accept = random_float(rng) < math.exp((score - values[CUR_SCORE]) / temperature)
        if accept:
            cur_route[:length] = trial[:length]
            counters[CUR_LEN] = length
            values[CUR_COST] = cost
            values[CUR_SCORE] = score
        if is_better(score, cost, values[BEST_SCORE], values[BEST_COST], eps):
            best_route[:length] = trial[:length]
            counters[BEST_LEN] = length
            values[BEST_COST] = cost
            values[BEST_SCORE] = score
            counters[IDLE] = 0
        else:
            counters[IDLE] = idle + 1
            if idle + 1 >= patience:
                counters[RESTARTS] += 1
                if counters[RESTARTS] % 2 == 1:
                    restart_elsewhere(
                        dist,
                        scores,
                        candidates,
                        near,
                        params,
                        rng,
                        walk,
                        is_banned,
                        cache,
                        workspace,
                    )
                else:
                    # Restart from the best with a hot temperature again.
                    best_length = counters[BEST_LEN]
                    cur_route[:best_length] = best_route[:best_length]
                    counters[CUR_LEN] = best_length
                    values[CUR_COST] = values[BEST_COST]
                    values[CUR_SCORE] = values[BEST_SCORE]
                counters[IDLE] = 0
    return iterations
