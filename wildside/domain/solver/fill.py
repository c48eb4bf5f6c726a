"""The randomised ratio-greedy fill of the OP route and the random seeding insertion."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.construction import refresh_insertions
from wildside.domain.solver.insertion_cache import insert_with_update
from wildside.domain.solver.layout import Cache, Near
from wildside.domain.solver.route_ops import random_float, random_int, remove_at, route_cost


@numba.njit(cache=True)
def greedy_fill(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    limit: float,
    candidates: np.ndarray,
    cache: Cache,
    power: float,
    noise: float,
    tiny_cost: float,
    rng: np.ndarray,
    near: Near,
) -> int:
    """Insert affordable candidates by best ``score**power / extra cost`` until none fits.

    ``noise`` > 0 multiplies each ratio by a random factor in [1 - noise, 1]
    so repeated repairs explore different fills. The cache must be fresh on
    entry; it stays fresh. Returns the new route length.
    """
    on_route, insertion_delta, insertion_position = cache
    cost = route_cost(dist, route, length)
    while True:
        slack = limit - cost
        best_ratio = -1.0
        best_node = -1
        for v in candidates:
            if on_route[v]:
                continue
            delta = insertion_delta[v]
            if delta > slack:
                continue
            score = scores[v]
            if power == 1.0:
                weight = score
            elif power == 2.0:
                weight = score * score
            else:
                weight = score**power
            ratio = weight / max(delta, tiny_cost)
            if ratio <= best_ratio:
                continue  # noise only lowers a ratio: this one cannot win
            if noise > 0.0:
                ratio *= 1.0 - noise * random_float(rng)
            if ratio > best_ratio:
                best_ratio = ratio
                best_node = v
        if best_node < 0:
            return length
        where = insertion_position[best_node]
        cost += insertion_delta[best_node]
        length = insert_with_update(
            dist,
            route,
            length,
            where,
            best_node,
            candidates,
            cache,
            near,
        )
        if cost <= limit - tiny_cost:
            continue  # summing drift is far below tiny_cost: surely within the budget
        # Near the limit: an exact re-sum keeps drift out of the budget test.
        cost = route_cost(dist, route, length)
        if cost > limit:
            # Rounding pushed a borderline insertion over: undo it and bar the node.
            length = remove_at(route, length, where + 1)
            on_route[best_node] = False
            refresh_insertions(dist, route, length, candidates, cache)
            insertion_delta[best_node] = np.inf
            cost = route_cost(dist, route, length)


@numba.njit(cache=True)
def insert_random(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    limit: float,
    candidates: np.ndarray,
    cache: Cache,
    rng: np.ndarray,
    near: Near,
) -> int:
    """Insert one affordable candidate picked uniformly, however poor its ratio.

    Ratio-greedy fills never open a far cluster whose first stop is a long
    detour; a random seed stop lets the repair build around it instead.
    """
    on_route, insertion_delta, insertion_position = cache
    slack = limit - route_cost(dist, route, length)
    affordable = 0
    for v in candidates:
        if not on_route[v] and insertion_delta[v] <= slack:
            affordable += 1
    if affordable == 0:
        return length
    pick = random_int(rng, affordable)
    for v in candidates:
        if not on_route[v] and insertion_delta[v] <= slack:
            if pick == 0:
                return insert_with_update(
                    dist,
                    route,
                    length,
                    insertion_position[v],
                    v,
                    candidates,
                    cache,
                    near,
                )
            pick -= 1
    return length
