"""Over-budget move: pull a cluster of unvisited stops in, then drop the worst-paying stops."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.insertion_cache import insert_with_update
from wildside.domain.solver.layout import EPS, LIMIT, TINY_COST, Cache, Near, Workspace
from wildside.domain.solver.repair import CACHED, SAVED, remember, settle, sync_cache
from wildside.domain.solver.route_ops import random_float, random_int, remove_at, route_cost


@numba.njit(cache=True)
def pull_cluster(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    count: int,
    candidates: np.ndarray,
    cache: Cache,
    near: Near,
    rng: np.ndarray,
    queue: np.ndarray,
) -> int:
    """Insert a random unvisited candidate and its unvisited near stops, ``count`` in all.

    The budget is ignored: a greedy fill never opens an area whose first stop
    is a long detour, but an area pulled in whole, shortened and then thinned
    by :func:`drop_to_budget` can beat the stops it displaces. Stops go in at
    their cheapest edges (the insertion cache must be fresh; it stays fresh).
    ``queue`` is scratch of at least ``count`` entries. Returns the new length.
    """
    neighbors = near[0]
    on_route, _insertion_delta, insertion_position = cache
    off = 0
    for v in candidates:
        if not on_route[v]:
            off += 1
    if off == 0:
        return length
    pick = random_int(rng, off)
    seed = -1
    for v in candidates:
        if not on_route[v]:
            if pick == 0:
                seed = v
                break
            pick -= 1
    head = 0
    tail = 0
    node = seed
    # Breadth-first over near-stop lists, so the pulled stops form one area.
    while tail < count:
        length = insert_with_update(
            dist,
            route,
            length,
            insertion_position[node],
            node,
            candidates,
            cache,
            near,
        )
        queue[tail] = node
        tail += 1
        node = -1
        while node < 0 and head < tail:
            u = queue[head]
            for t in range(neighbors.shape[1]):
                v = neighbors[u, t]
                if not on_route[v]:
                    node = v
                    break
            if node < 0:
                head += 1
        if node < 0:
            break
    return length


@numba.njit(cache=True)
def drop_to_budget(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    limit: float,
    on_route: np.ndarray,
    power: float,
    tiny_cost: float,
) -> int:
    """Remove the stop with the lowest ``score**power / saving`` until the route fits ``limit``.

    Returns the new length; the insertion cache is left stale.
    """
    cost = route_cost(dist, route, length)
    while cost > limit and length > 2:
        worst = np.inf
        worst_k = -1
        worst_saving = 0.0
        for k in range(1, length - 1):
            a = route[k - 1]
            v = route[k]
            b = route[k + 1]
            saving = dist[a, v] + dist[v, b] - dist[a, b]
            weight = scores[v] if power == 1.0 else scores[v] ** power
            ratio = weight / max(saving, tiny_cost)
            if ratio < worst:
                worst = ratio
                worst_k = k
                worst_saving = saving
        if worst_k < 0:
            break
        on_route[route[worst_k]] = False
        length = remove_at(route, length, worst_k)
        cost -= worst_saving
        if cost <= limit:
            cost = route_cost(dist, route, length)  # exact, so drift never hides an overrun
    return length


@numba.njit(cache=True)
def overfill(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    count: int,
    candidates: np.ndarray,
    near: Near,
    params: np.ndarray,
    rng: np.ndarray,
    cache: Cache,
    workspace: Workspace,
) -> int:
    """Perturb by pulling a cluster in over the budget, shortening, then dropping the worst."""
    work, lengths, _dirty = workspace
    neighbors = near[0]
    on_route = cache[0]
    sync_cache(dist, route, length, candidates, cache, near, workspace)
    length = pull_cluster(
        dist,
        route,
        length,
        count,
        candidates,
        cache,
        near,
        rng,
        work[SAVED],
    )
    remember(route, length, work, lengths, CACHED)
    # Route the pulled stops well before judging which stops pay least.
    settle(dist, route, length, params[EPS], neighbors, workspace)
    power = 1.0 if random_float(rng) < 0.5 else 2.0
    return drop_to_budget(
        dist, scores, route, length, params[LIMIT], on_route, power, params[TINY_COST]
    )
