"""2-opt for a path with fixed ends: exhaustive on short routes, neighbour-list on long ones."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.route_ops import reverse_span


@numba.njit(cache=True)
def two_opt(dist: np.ndarray, route: np.ndarray, length: int, eps: float) -> bool:
    """Reverse sub-paths while that shortens the route (endpoints stay fixed)."""
    improved_any = False
    improved = True
    while improved:
        improved = False
        for i in range(1, length - 2):
            a = route[i - 1]
            b = route[i]
            ab = dist[a, b]
            for j in range(i + 1, length - 1):
                c = route[j]
                d = route[j + 1]
                if dist[a, c] + dist[b, d] - ab - dist[c, d] < -eps:
                    reverse_span(route, i, j)
                    b = route[i]
                    ab = dist[a, b]
                    improved = True
                    improved_any = True
    return improved_any


@numba.njit(cache=True)
def _try_reversal(
    dist: np.ndarray, route: np.ndarray, p: int, q: int, eps: float, position: np.ndarray
) -> bool:
    """Reverse ``route[p+1..q]`` if swapping edges (p, p+1), (q, q+1) shortens the route."""
    a = route[p]
    b = route[p + 1]
    c = route[q]
    d = route[q + 1]
    if dist[a, c] + dist[b, d] - dist[a, b] - dist[c, d] >= -eps:
        return False
    reverse_span(route, p + 1, q)
    for k in range(p + 1, q + 1):
        position[route[k]] = k
    return True


@numba.njit(cache=True)
def neighbor_two_opt(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    eps: float,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> bool:
    """2-opt restricted to moves whose new edge joins near neighbours: O(L K) per pass.

    An improving exchange always has a new edge shorter than the removed edge
    at the same node, so each stop only scans neighbours closer than its own
    successor (or predecessor) and stops at the first farther one.
    """
    for k in range(length):
        position[route[k]] = k
    improved_any = False
    improved = True
    while improved:
        improved = False
        for x in range(length):
            for side in range(2):
                a = route[x]
                if side == 0:
                    if x >= length - 1:
                        continue
                    bound = dist[a, route[x + 1]]
                else:
                    if x == 0:
                        continue
                    bound = dist[a, route[x - 1]]
                for t in range(neighbors.shape[1]):
                    c = neighbors[a, t]
                    if dist[a, c] >= bound:
                        break
                    y = position[c]
                    if y < 0:
                        continue
                    moved = False
                    if side == 0 and y > x + 1 and y <= length - 2:
                        moved = _try_reversal(dist, route, x, y, eps, position)
                    elif side == 0 and y < x - 1 and x <= length - 2:
                        moved = _try_reversal(dist, route, y, x, eps, position)
                    elif side == 1 and y > x + 1:
                        moved = _try_reversal(dist, route, x - 1, y - 1, eps, position)
                    elif side == 1 and 1 <= y < x - 1:
                        moved = _try_reversal(dist, route, y - 1, x - 1, eps, position)
                    if moved:
                        improved = True
                        improved_any = True
                        break
    for k in range(length):
        position[route[k]] = -1
    return improved_any


@numba.njit(cache=True)
def any_two_opt(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    eps: float,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> bool:
    """Full 2-opt on short routes (exhaustive), neighbour 2-opt on long ones (fast)."""
    if length <= 4 * neighbors.shape[1]:
        return two_opt(dist, route, length, eps)
    return neighbor_two_opt(dist, route, length, eps, neighbors, position)
