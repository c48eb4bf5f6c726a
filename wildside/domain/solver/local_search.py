"""Route shortening (or-opt plus 2-opt) and the 1-for-1 exchange of a visited stop."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.construction import cheapest_insertion
from wildside.domain.solver.exchange import find_swap_fast
from wildside.domain.solver.layout import Cache
from wildside.domain.solver.relocation import MAX_SEGMENT, best_relocation, move_segment
from wildside.domain.solver.route_ops import insert_after, remove_at
from wildside.domain.solver.two_opt import two_opt


@numba.njit(cache=True)
def or_opt(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    eps: float,
    buffer: np.ndarray,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> bool:
    """Relocate chains of 1..3 stops (possibly reversed) while that shortens the route."""
    for k in range(length):
        position[route[k]] = k
    improved_any = False
    improved = True
    while improved:
        improved = False
        for segment_len in range(1, MAX_SEGMENT + 1):
            i = 1
            while i + segment_len - 1 <= length - 2:
                j = i + segment_len - 1
                edge, is_reversed = best_relocation(
                    dist, route, length, i, j, eps, neighbors, position
                )
                if edge >= 0:
                    move_segment(route, i, j, edge, is_reversed, position, buffer)
                    improved = True
                    improved_any = True
                i += 1
    for k in range(length):
        position[route[k]] = -1
    return improved_any


@numba.njit(cache=True)
def shorten(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    eps: float,
    buffer: np.ndarray,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> bool:
    """Alternate 2-opt and or-opt to a joint local optimum; True if the route got shorter.

    For short routes (the caller sends long ones to ``focused_shorten``).
    """
    changed = two_opt(dist, route, length, eps)
    while or_opt(dist, route, length, eps, buffer, neighbors, position):
        changed = True
        if not two_opt(dist, route, length, eps):
            break
    return changed


@numba.njit(cache=True)
def exchange(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    cost: float,
    limit: float,
    candidates: np.ndarray,
    cache: Cache,
    eps: float,
    neighbors: np.ndarray,
) -> int:
    """Apply the best swap of one visited stop for one unvisited candidate, if any helps.

    A swap helps if it raises the score, or keeps it and shortens the route.
    The insertion cache must be
    fresh; the caller refreshes it after a swap. Returns the new length, or
    ``-1`` if no swap helps. Long routes use the neighbour-based fast search.
    """
    on_route = cache[0]
    if length > 4 * neighbors.shape[1]:
        best_index, best_node = find_swap_fast(
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
    else:
        best_index, best_node = _find_swap(
            dist,
            scores,
            route,
            length,
            cost,
            limit,
            candidates,
            cache,
            eps,
        )
    if best_index < 0:
        return -1
    on_route[route[best_index]] = False
    length = remove_at(route, length, best_index)
    _, where = cheapest_insertion(dist, route, length, best_node, -1)
    length = insert_after(route, length, where, best_node)
    on_route[best_node] = True
    return length


@numba.njit(cache=True)
def _find_swap(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    cost: float,
    limit: float,
    candidates: np.ndarray,
    cache: Cache,
    eps: float,
) -> tuple[int, int]:
    """Exhaustive O(n L) swap search: every candidate against every stop."""
    on_route, insertion_delta, insertion_position = cache
    savings = np.empty(length)
    for i in range(1, length - 1):
        savings[i] = (
            dist[route[i - 1], route[i]]
            + dist[route[i], route[i + 1]]
            - dist[route[i - 1], route[i + 1]]
        )
    best_gain = 0.0
    best_saving = eps
    best_index = -1
    best_node = -1
    # Candidate-major order reads one matrix row per candidate (cache friendly).
    for u in candidates:
        if on_route[u]:
            continue
        row = dist[u]
        for i in range(1, length - 1):
            v = route[i]
            gain = scores[u] - scores[v]
            if gain < best_gain:
                continue
            where = insertion_position[u]
            if where == i - 1 or where == i:
                delta, where = cheapest_insertion(dist, route, length, u, i)
            else:
                a = route[i - 1]
                b = route[i + 1]
                delta = min(insertion_delta[u], row[a] + row[b] - dist[a, b])
            new_cost = cost - savings[i] + delta
            if new_cost > limit:
                continue
            cost_saving = cost - new_cost
            if gain > best_gain or cost_saving > best_saving:
                best_gain = gain
                best_saving = cost_saving
                best_index = i
                best_node = u
    return best_index, best_node
