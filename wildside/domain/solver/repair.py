"""Shorten-then-fill repair: the route ends feasible at a joint 2-opt/or-opt/fill/swap optimum."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.fill import greedy_fill, insert_random
from wildside.domain.solver.focused import focused_shorten, mark_new_edges
from wildside.domain.solver.insertion_cache import sync_insertions
from wildside.domain.solver.layout import Cache, Near, Workspace
from wildside.domain.solver.local_search import exchange, shorten
from wildside.domain.solver.route_ops import route_cost

MAX_IMPROVE_ROUNDS = 200  # each round strictly improves; the cap only guards odd inputs

# Rows of the int64 workspace (each n + 2 long). POSITION and SEEN stay all -1
# between calls; REF is the route as last shortened (its changed edges are
# what the focused shortening examines), CACHED the route the insertion cache
# is fresh for.
POSITION, SEEN, REF, CACHED, STACK, BUFFER, SAVED = 0, 1, 2, 3, 4, 5, 6
WORK_ROWS = 7
# Slots of the int64 ``lengths`` array: the lengths of REF and CACHED.
REF_LEN, CACHED_LEN = 0, 1


@numba.njit(cache=True)
def new_workspace(n: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Workspace rows, lengths (no cache yet) and dirty flags: ``n`` nodes, routes of ``size``."""
    work = np.zeros((WORK_ROWS, size), dtype=np.int64)
    work[POSITION, :] = -1
    work[SEEN, :] = -1
    return work, np.zeros(2, dtype=np.int64), np.zeros(n, dtype=np.bool_)


@numba.njit(cache=True)
def remember(
    route: np.ndarray, length: int, work: np.ndarray, lengths: np.ndarray, row: int
) -> None:
    """Copy the route into workspace row REF or CACHED."""
    work[row, :length] = route[:length]
    lengths[REF_LEN if row == REF else CACHED_LEN] = length


@numba.njit(cache=True)
def settle(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    eps: float,
    neighbors: np.ndarray,
    workspace: Workspace,
) -> bool:
    """Shorten to a 2-opt/or-opt optimum; long routes only look where REF's edges changed."""
    work, lengths, dirty = workspace
    if length <= 4 * neighbors.shape[1]:
        changed = shorten(dist, route, length, eps, work[BUFFER], neighbors, work[POSITION])
    else:
        stack = work[STACK]
        top = mark_new_edges(work[REF], lengths[REF_LEN], route, length, work[SEEN], dirty, stack)
        changed = focused_shorten(
            dist, route, length, eps, neighbors, work[POSITION], dirty, stack, top, work[BUFFER]
        )
    remember(route, length, work, lengths, REF)
    return changed


@numba.njit(cache=True)
def sync_cache(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    candidates: np.ndarray,
    cache: Cache,
    near: Near,
    workspace: Workspace,
) -> None:
    """Bring the insertion cache from route CACHED to ``route``."""
    work, lengths, _dirty = workspace
    sync_insertions(
        dist,
        route,
        length,
        work[CACHED],
        lengths[CACHED_LEN],
        candidates,
        cache,
        near,
        work[POSITION],
        work[SEEN],
        work[BUFFER],
        work[STACK],
    )
    remember(route, length, work, lengths, CACHED)


@numba.njit(cache=True)
def improve(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    limit: float,
    candidates: np.ndarray,
    cache: Cache,
    power: float,
    noise: float,
    eps: float,
    tiny_cost: float,
    rng: np.ndarray,
    seeds: int,
    near: Near,
    workspace: Workspace,
) -> int:
    """Shorten, fill, swap, repeat: the route ends feasible at a joint local optimum.

    ``seeds`` random affordable stops go in first, before the greedy fill.
    On entry REF holds a shortened route this one derives from and CACHED the
    route the insertion cache is fresh for (length < 2: none); both stay
    meaningful on return.
    """
    work, lengths, _dirty = workspace
    neighbors = near[0]
    on_route = cache[0]
    settle(dist, route, length, eps, neighbors, workspace)
    sync_cache(dist, route, length, candidates, cache, near, workspace)
    is_settled = seeds == 0  # the route is at a 2-opt/or-opt optimum: skip a futile pass
    for _ in range(seeds):
        length = insert_random(
            dist,
            route,
            length,
            limit,
            candidates,
            cache,
            rng,
            near,
        )
    saved = work[SAVED]
    for _ in range(MAX_IMPROVE_ROUNDS):
        filled_from = length
        length = greedy_fill(
            dist,
            scores,
            route,
            length,
            limit,
            candidates,
            cache,
            power,
            noise,
            tiny_cost,
            rng,
            near,
        )
        # Insertions keep the cache fresh: it now belongs to this route.
        remember(route, length, work, lengths, CACHED)
        is_settled = is_settled and length == filled_from
        # A shorter route may afford one more stop: that is the loop's whole point.
        was_settled = is_settled
        is_settled = True
        if not was_settled and settle(dist, route, length, eps, neighbors, workspace):
            sync_cache(dist, route, length, candidates, cache, near, workspace)
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
            cache,
            eps,
            neighbors,
        )
        if swapped < 0:
            break
        length = swapped
        settle(dist, route, length, eps, neighbors, workspace)
        if route_cost(dist, route, length) > limit:
            # Rounding made the swap infeasible: put the old route back and stop.
            for k in range(length):
                on_route[route[k]] = False
            route[:saved_length] = saved[:saved_length]
            length = saved_length
            for k in range(length):
                on_route[route[k]] = True
            remember(route, length, work, lengths, REF)
            break
        sync_cache(dist, route, length, candidates, cache, near, workspace)
    return length
