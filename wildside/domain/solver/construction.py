"""Cheapest-insertion bookkeeping: the cached cheapest edge of every candidate off the route."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.layout import Cache
from wildside.domain.solver.route_ops import insert_after


@numba.njit(cache=True)
def cheapest_insertion(
    dist: np.ndarray, route: np.ndarray, length: int, node: int, skip: int
) -> tuple[float, int]:
    """Cheapest extra cost of putting ``node`` into the route, and the edge it goes in.

    The edge is named by its first position. ``skip`` >= 1 evaluates the route
    as if ``route[skip]`` were absent (its two edges merge into one at
    position ``skip - 1``); pass -1 to use the route as it is. The matrix is
    read along ``node``'s row: the kernels get a symmetric matrix, and a row
    stays in cache where a column would miss on every route stop.
    """
    best = np.inf
    best_position = -1
    k = 0
    while k < length - 1:
        a = route[k]
        nxt = k + 1
        if nxt == skip:
            nxt += 1
        b = route[nxt]
        delta = dist[node, a] + dist[node, b] - dist[a, b]
        if delta < best:
            best = delta
            best_position = k
        k = nxt
    return best, best_position


@numba.njit(cache=True)
def refresh_insertions(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    candidates: np.ndarray,
    cache: Cache,
) -> None:
    """Recompute the cheapest insertion of every candidate that is off the route."""
    on_route, insertion_delta, insertion_position = cache
    edges = np.empty(length - 1)
    for k in range(length - 1):
        edges[k] = dist[route[k], route[k + 1]]
    for v in candidates:
        if on_route[v]:
            continue
        row = dist[v]
        # Each stop's distance serves two edges: carry it to read the row once per stop.
        to_previous = row[route[0]]
        best = np.inf
        best_position = -1
        for k in range(length - 1):
            to_next = row[route[k + 1]]
            delta = to_previous + to_next - edges[k]
            if delta < best:
                best = delta
                best_position = k
            to_previous = to_next
        insertion_delta[v] = best
        insertion_position[v] = best_position


@numba.njit(cache=True)
def near_insertion(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    v: int,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> tuple[float, int]:
    """Cheapest insertion of ``v`` among the end edges and the edges at its near stops.

    Falls back to the full O(L) scan when none of its neighbours is on the route
    (``position`` maps route nodes to their index, -1 elsewhere).
    """
    row = dist[v]
    a = route[0]
    b = route[1]
    best = row[a] + row[b] - dist[a, b]
    best_position = 0
    a = route[length - 2]
    b = route[length - 1]
    delta = row[a] + row[b] - dist[a, b]
    if delta < best:
        best = delta
        best_position = length - 2
    found = False
    for t in range(neighbors.shape[1]):
        where = position[neighbors[v, t]]
        if where < 0:
            continue
        found = True
        for p in range(max(0, where - 1), min(where, length - 2) + 1):
            a = route[p]
            b = route[p + 1]
            delta = row[a] + row[b] - dist[a, b]
            if delta < best:
                best = delta
                best_position = p
    if found:
        return best, best_position
    return cheapest_insertion(dist, route, length, v, -1)


@numba.njit(cache=True)
def refresh_insertions_near(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    candidates: np.ndarray,
    cache: Cache,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> None:
    """Like :func:`refresh_insertions`, but long routes only try edges at near stops.

    A cheap insertion sits next to a near neighbour (or at the route's ends,
    which are in no neighbour list), so O(K) edges replace O(L); a candidate
    with no neighbour on the route falls back to the full scan. The cost found
    is always a real insertion cost, so feasibility never depends on it.
    """
    on_route, insertion_delta, insertion_position = cache
    count = neighbors.shape[1]
    if length <= 4 * count:
        refresh_insertions(dist, route, length, candidates, cache)
        return
    for k in range(length):
        position[route[k]] = k
    for v in candidates:
        if not on_route[v]:
            insertion_delta[v], insertion_position[v] = near_insertion(
                dist, route, length, v, neighbors, position
            )
    for k in range(length):
        position[route[k]] = -1


@numba.njit(cache=True)
def insert_and_update(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    position: int,
    node: int,
    candidates: np.ndarray,
    cache: Cache,
) -> int:
    """Insert ``node`` after ``route[position]`` and patch the insertion cache in O(n).

    Only the split edge disappears, so a candidate needs a full O(L) rescan
    only when its cheapest edge was that one; the others just compare the
    two new edges.
    """
    on_route, insertion_delta, insertion_position = cache
    a = route[position]
    b = route[position + 1]
    length = insert_after(route, length, position, node)
    on_route[node] = True
    for v in candidates:
        if on_route[v]:
            continue
        old = insertion_position[v]
        if old == position:
            delta, where = cheapest_insertion(dist, route, length, v, -1)
            insertion_delta[v] = delta
            insertion_position[v] = where
            continue
        if old > position:
            insertion_position[v] = old + 1
        before = dist[v, a] + dist[v, node] - dist[a, node]
        if before < insertion_delta[v]:
            insertion_delta[v] = before
            insertion_position[v] = position
        after = dist[v, node] + dist[v, b] - dist[node, b]
        if after < insertion_delta[v]:
            insertion_delta[v] = after
            insertion_position[v] = position + 1
    return length
