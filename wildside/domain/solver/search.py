"""The OP search kernels: shorten-then-fill improvement and a resumable destroy/repair ILS."""

from __future__ import annotations

import math

import numba
import numpy as np

from wildside.domain.solver.construction import (
    greedy_fill,
    insert_random,
    refresh_insertions_near,
)
from wildside.domain.solver.local_search import exchange, shorten
from wildside.domain.solver.perturbation import OPERATOR_COUNT, destroy
from wildside.domain.solver.restart import anchored_start, mark_route
from wildside.domain.solver.route_ops import random_float, random_int, route_cost, route_score

MAX_IMPROVE_ROUNDS = 200  # each round strictly improves; the cap only guards odd inputs

# Indices into the int64 ``counters`` array that carries the search between calls.
CUR_LEN, BEST_LEN, IDLE, RESTARTS = 0, 1, 2, 3
COUNTER_COUNT = 4
# Indices into the float64 ``values`` array.
CUR_COST, CUR_SCORE, BEST_COST, BEST_SCORE = 0, 1, 2, 3
# Indices into the float64 ``params`` array (fixed for one solve).
LIMIT, EPS, TINY_COST, TEMPERATURE, MAX_DESTROY_SHARE = 0, 1, 2, 3, 4
# Indices into the int64 ``int_params`` array.
PATIENCE, MAX_DESTROY = 0, 1


@numba.njit(cache=True)
def improve(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    limit: float,
    candidates: np.ndarray,
    on_route: np.ndarray,
    insertion_delta: np.ndarray,
    insertion_position: np.ndarray,
    power: float,
    noise: float,
    eps: float,
    tiny_cost: float,
    rng: np.ndarray,
    buffer: np.ndarray,
    saved: np.ndarray,
    seeds: int,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> int:
    """Shorten, fill, swap, repeat: the route ends feasible at a joint local optimum.

    ``seeds`` random affordable stops go in first, before the greedy fill.
    """
    shorten(dist, route, length, eps, buffer, neighbors, position)
    refresh_insertions_near(
        dist,
        route,
        length,
        candidates,
        on_route,
        insertion_delta,
        insertion_position,
        neighbors,
        position,
    )
    is_settled = seeds == 0  # the route is at a 2-opt/or-opt optimum: skip a futile pass
    for _ in range(seeds):
        length = insert_random(
            dist,
            route,
            length,
            limit,
            candidates,
            on_route,
            insertion_delta,
            insertion_position,
            rng,
        )
    for _ in range(MAX_IMPROVE_ROUNDS):
        filled_from = length
        length = greedy_fill(
            dist,
            scores,
            route,
            length,
            limit,
            candidates,
            on_route,
            insertion_delta,
            insertion_position,
            power,
            noise,
            tiny_cost,
            rng,
        )
        is_settled = is_settled and length == filled_from
        # A shorter route may afford one more stop: that is the loop's whole point.
        was_settled = is_settled
        is_settled = True
        if not was_settled and shorten(dist, route, length, eps, buffer, neighbors, position):
            refresh_insertions_near(
                dist,
                route,
                length,
                candidates,
                on_route,
                insertion_delta,
                insertion_position,
                neighbors,
                position,
            )
            continue
        saved[:length] = route[:length]
        saved_length = length
        cost = route_cost(dist, route, length)
        swapped = exchange(
            dist,
            scores,
            route,
            length,
            cost,
            limit,
            candidates,
            on_route,
            insertion_delta,
            insertion_position,
            eps,
            neighbors,
        )
        if swapped < 0:
            break
        length = swapped
        shorten(dist, route, length, eps, buffer, neighbors, position)
        if route_cost(dist, route, length) > limit:
            # Rounding made the swap infeasible: put the old route back and stop.
            for k in range(length):
                on_route[route[k]] = False
            route[:saved_length] = saved[:saved_length]
            length = saved_length
            for k in range(length):
                on_route[route[k]] = True
            break
        refresh_insertions_near(
            dist,
            route,
            length,
            candidates,
            on_route,
            insertion_delta,
            insertion_position,
            neighbors,
            position,
        )
    return length


@numba.njit(cache=True)
def _mark(route: np.ndarray, length: int, on_route: np.ndarray) -> None:
    on_route[:] = False
    for k in range(length):
        on_route[route[k]] = True


@numba.njit(cache=True)
def construct(
    dist: np.ndarray,
    scores: np.ndarray,
    candidates: np.ndarray,
    neighbors: np.ndarray,
    params: np.ndarray,
    rng: np.ndarray,
    cur_route: np.ndarray,
    best_route: np.ndarray,
    counters: np.ndarray,
    values: np.ndarray,
) -> None:
    """Build the first solution from the bare start-to-end route; it becomes current and best."""
    n = scores.shape[0]
    on_route = np.zeros(n, dtype=np.bool_)
    insertion_delta = np.full(n, np.inf)
    insertion_position = np.zeros(n, dtype=np.int64)
    position = np.full(n, -1, dtype=np.int64)
    buffer = np.empty_like(cur_route)
    saved = np.empty_like(cur_route)
    length = counters[CUR_LEN]
    _mark(cur_route, length, on_route)
    length = improve(
        dist,
        scores,
        cur_route,
        length,
        params[LIMIT],
        candidates,
        on_route,
        insertion_delta,
        insertion_position,
        1.0,
        0.0,
        params[EPS],
        params[TINY_COST],
        rng,
        buffer,
        saved,
        0,
        neighbors,
        position,
    )
    counters[CUR_LEN] = length
    counters[BEST_LEN] = length
    values[CUR_COST] = route_cost(dist, cur_route, length)
    values[CUR_SCORE] = route_score(scores, cur_route, length)
    values[BEST_COST] = values[CUR_COST]
    values[BEST_SCORE] = values[CUR_SCORE]
    best_route[:length] = cur_route[:length]


@numba.njit(cache=True)
def _is_better(
    score: float, cost: float, other_score: float, other_cost: float, eps: float
) -> bool:
    if score > other_score + 1e-9:
        return True
    return score >= other_score - 1e-9 and cost < other_cost - eps


@numba.njit(cache=True)
def iterate(
    dist: np.ndarray,
    scores: np.ndarray,
    candidates: np.ndarray,
    neighbors: np.ndarray,
    params: np.ndarray,
    int_params: np.ndarray,
    rng: np.ndarray,
    cur_route: np.ndarray,
    best_route: np.ndarray,
    counters: np.ndarray,
    values: np.ndarray,
    iterations: int,
    score_bound: float,
) -> int:
    """Run ``iterations`` destroy/repair steps; return how many ran (fewer once optimal).

    Everything the search needs next time lives in the arrays passed in, so
    any split of the iterations into calls gives the same result.
    """
    n = scores.shape[0]
    on_route = np.zeros(n, dtype=np.bool_)
    insertion_delta = np.full(n, np.inf)
    insertion_position = np.zeros(n, dtype=np.int64)
    position = np.full(n, -1, dtype=np.int64)
    trial = np.empty_like(cur_route)
    buffer = np.empty_like(cur_route)
    saved = np.empty_like(cur_route)
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
        share_cap = int(params[MAX_DESTROY_SHARE] * (length - 2))
        # Short routes may lose every stop: a small share of a few stops cannot escape.
        most = max(1, min(length - 2, max(4, min(int_params[MAX_DESTROY], share_cap))))
        count = 1 + random_int(rng, most)
        operator = random_int(rng, OPERATOR_COUNT)
        length = destroy(dist, scores, trial, length, on_route, operator, count, rng, drop, keys)
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
            on_route,
            insertion_delta,
            insertion_position,
            power,
            noise,
            eps,
            params[TINY_COST],
            rng,
            buffer,
            saved,
            seeds,
            neighbors,
            position,
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
        if _is_better(score, cost, values[BEST_SCORE], values[BEST_COST], eps):
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
                    _restart_elsewhere(
                        dist,
                        scores,
                        candidates,
                        neighbors,
                        params,
                        rng,
                        cur_route,
                        best_route,
                        counters,
                        values,
                        on_route,
                        is_banned,
                        insertion_delta,
                        insertion_position,
                        buffer,
                        saved,
                        position,
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


@numba.njit(cache=True)
def _restart_elsewhere(
    dist: np.ndarray,
    scores: np.ndarray,
    candidates: np.ndarray,
    neighbors: np.ndarray,
    params: np.ndarray,
    rng: np.ndarray,
    cur_route: np.ndarray,
    best_route: np.ndarray,
    counters: np.ndarray,
    values: np.ndarray,
    on_route: np.ndarray,
    is_banned: np.ndarray,
    insertion_delta: np.ndarray,
    insertion_position: np.ndarray,
    buffer: np.ndarray,
    saved: np.ndarray,
    position: np.ndarray,
) -> None:
    """Make the current route a fresh one grown from anchors that the best route lacks.

    Alternating these with restarts from the best keeps the search from
    spending its whole budget in the first area it settled on.
    """
    best_length = counters[BEST_LEN]
    mark_route(best_route, best_length, is_banned)
    length = anchored_start(
        dist,
        scores,
        cur_route,
        best_route[0],
        best_route[best_length - 1],
        params[LIMIT],
        candidates,
        on_route,
        is_banned,
        insertion_delta,
        insertion_position,
        rng,
    )
    length = improve(
        dist,
        scores,
        cur_route,
        length,
        params[LIMIT],
        candidates,
        on_route,
        insertion_delta,
        insertion_position,
        1.0,
        0.25 * random_float(rng),
        params[EPS],
        params[TINY_COST],
        rng,
        buffer,
        saved,
        0,
        neighbors,
        position,
    )
    counters[CUR_LEN] = length
    values[CUR_COST] = route_cost(dist, cur_route, length)
    values[CUR_SCORE] = route_score(scores, cur_route, length)
    if _is_better(
        values[CUR_SCORE], values[CUR_COST], values[BEST_SCORE], values[BEST_COST], params[EPS]
    ):
        best_route[:length] = cur_route[:length]
        counters[BEST_LEN] = length
        values[BEST_COST] = values[CUR_COST]
        values[BEST_SCORE] = values[CUR_SCORE]
