"""Incremental upkeep of the cheapest-insertion cache on long routes, only where edges changed."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.construction import (
    cheapest_insertion,
    insert_and_update,
    near_insertion,
    refresh_insertions,
    refresh_insertions_near,
)
from wildside.domain.solver.layout import Cache, Near
from wildside.domain.solver.route_ops import edge_index, insert_after, set_positions

# A repair that changed more than this share of the edges gets a full refresh:
# then one pass over every candidate is cheaper than following each edge.
FULL_REFRESH_SHARE = 0.25


@numba.njit(cache=True)
def _has_near_stop(v: int, neighbors: np.ndarray, position: np.ndarray) -> bool:
    t = 0
    while t < neighbors.shape[1] and position[neighbors[v, t]] < 0:
        t += 1
    return bool(t < neighbors.shape[1])


@numba.njit(cache=True)
def _offer_edge(
    dist: np.ndarray,
    route: np.ndarray,
    k: int,
    v: int,
    insertion_delta: np.ndarray,
    insertion_position: np.ndarray,
) -> None:
    a = route[k]
    b = route[k + 1]
    delta = dist[v, a] + dist[v, b] - dist[a, b]
    if delta < insertion_delta[v]:
        insertion_delta[v] = delta
        insertion_position[v] = k


@numba.njit(cache=True)
def offer_new_edge(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    k: int,
    candidates: np.ndarray,
    cache: Cache,
    reverse_start: np.ndarray,
    reverse_nodes: np.ndarray,
) -> None:
    """Let the candidates near either end of edge ``k`` (every candidate for an end edge) use it."""
    on_route, insertion_delta, insertion_position = cache
    if k == 0 or k == length - 2:
        for v in candidates:
            if not on_route[v]:
                _offer_edge(dist, route, k, v, insertion_delta, insertion_position)
        return
    for node in (route[k], route[k + 1]):
        for r in range(reverse_start[node], reverse_start[node + 1]):
            v = reverse_nodes[r]
            if not on_route[v]:
                _offer_edge(dist, route, k, v, insertion_delta, insertion_position)


@numba.njit(cache=True)
def sync_insertions(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    old: np.ndarray,
    old_length: int,
    candidates: np.ndarray,
    cache: Cache,
    near: Near,
    position: np.ndarray,
    old_position: np.ndarray,
    new_edges: np.ndarray,
    far_nodes: np.ndarray,
) -> None:
    """Make a cache that was fresh for route ``old`` fresh for ``route``.

    A cached edge that survived keeps its cost (the matrix is symmetric); a
    candidate whose edge vanished, or that just left the route, is
    recomputed from its near stops; every new edge is offered to the
    candidates near its ends, and to those with no near stop on the route
    (their cost is a full scan's). Short routes get the exact full refresh, as do
    heavy changes. ``position`` and ``old_position`` are all -1 on entry and
    exit; ``old_length`` < 2 means no cache.
    """
    neighbors, reverse_start, reverse_nodes = near
    on_route, insertion_delta, insertion_position = cache
    count = neighbors.shape[1]
    if length <= 4 * count:
        refresh_insertions(dist, route, length, candidates, cache)
        return
    fresh = 0
    if old_length >= 2:
        set_positions(old, old_length, old_position, 0)
        for k in range(length - 1):
            if edge_index(route[k], route[k + 1], old, old_length, old_position) < 0:
                new_edges[fresh] = k
                fresh += 1
    if old_length < 2 or fresh > FULL_REFRESH_SHARE * length:
        if old_length >= 2:
            set_positions(old, old_length, old_position, -1)
        refresh_insertions_near(
            dist,
            route,
            length,
            candidates,
            cache,
            neighbors,
            position,
        )
        return
    set_positions(route, length, position, 0)
    far = 0
    for v in candidates:
        if on_route[v]:
            continue
        p = insertion_position[v]
        k = -1
        if old_position[v] < 0 and 0 <= p < old_length - 1:
            k = edge_index(old[p], old[p + 1], route, length, position)
        if k < 0:
            delta, where = near_insertion(dist, route, length, v, neighbors, position)
            insertion_delta[v] = delta
            insertion_position[v] = where
            continue
        insertion_position[v] = k
        if _has_near_stop(v, neighbors, position):
            continue
        if _has_near_stop(v, neighbors, old_position):
            # It just lost its last near stop: its cost only covered the edges there.
            delta, where = near_insertion(dist, route, length, v, neighbors, position)
            insertion_delta[v] = delta
            insertion_position[v] = where
        else:
            # Its cost came from a full scan: every new edge may beat it.
            far_nodes[far] = v
            far += 1
    for f in range(far):
        v = far_nodes[f]
        for e in range(fresh):
            _offer_edge(dist, route, new_edges[e], v, insertion_delta, insertion_position)
    for e in range(fresh):
        offer_new_edge(
            dist,
            route,
            length,
            new_edges[e],
            candidates,
            cache,
            reverse_start,
            reverse_nodes,
        )
    set_positions(old, old_length, old_position, -1)
    set_positions(route, length, position, -1)


@numba.njit(cache=True)
def insert_near_update(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    position: int,
    node: int,
    candidates: np.ndarray,
    cache: Cache,
    reverse_start: np.ndarray,
    reverse_nodes: np.ndarray,
) -> int:
    """Insert ``node`` after ``route[position]``; patch the cache reading few matrix rows.

    Like ``insert_and_update``, but the two new edges are only offered to the
    candidates near their ends, as the near refresh would find them.
    """
    on_route, insertion_delta, insertion_position = cache
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
        elif old > position:
            insertion_position[v] = old + 1
    for k in range(position, position + 2):
        offer_new_edge(
            dist,
            route,
            length,
            k,
            candidates,
            cache,
            reverse_start,
            reverse_nodes,
        )
    return length


@numba.njit(cache=True)
def insert_with_update(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    position: int,
    node: int,
    candidates: np.ndarray,
    cache: Cache,
    near: Near,
) -> int:
    """Insert ``node`` after ``route[position]``: exact cache upkeep if short, near if long."""
    neighbors, reverse_start, reverse_nodes = near
    if length <= 4 * neighbors.shape[1]:
        return insert_and_update(
            dist,
            route,
            length,
            position,
            node,
            candidates,
            cache,
        )
    return insert_near_update(
        dist,
        route,
        length,
        position,
        node,
        candidates,
        cache,
        reverse_start,
        reverse_nodes,
    )
