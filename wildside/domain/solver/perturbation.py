"""Destroy operators: drop random, consecutive, related or poorly-paying stops from the route."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.route_ops import random_float, random_int

RANDOM, SEGMENT, RELATED, WORST = 0, 1, 2, 3
OPERATOR_COUNT = 4


@numba.njit(cache=True)
def _compact(route: np.ndarray, length: int, drop: np.ndarray, on_route: np.ndarray) -> int:
    """Remove every position flagged in ``drop`` (and clear the flags); return the new length."""
    size = 0
    for k in range(length):
        if drop[k]:
            on_route[route[k]] = False
            drop[k] = False
        else:
            route[size] = route[k]
            size += 1
    return size


@numba.njit(cache=True)
def destroy(
    dist: np.ndarray,
    scores: np.ndarray,
    route: np.ndarray,
    length: int,
    on_route: np.ndarray,
    operator: int,
    count: int,
    rng: np.ndarray,
    drop: np.ndarray,
    keys: np.ndarray,
) -> int:
    """Remove ``count`` interior stops chosen by ``operator``; return the new length.

    ``drop`` (all False) and ``keys`` are scratch arrays of at least the route length.
    """
    interior = length - 2
    if interior <= 0 or count <= 0:
        return length
    count = min(count, interior)
    if operator == SEGMENT:
        first = 1 + random_int(rng, interior - count + 1)
        for k in range(first, first + count):
            drop[k] = True
        return _compact(route, length, drop, on_route)
    if operator == RANDOM:
        for k in range(1, length - 1):
            keys[k - 1] = random_float(rng)
    elif operator == RELATED:
        # Stops near a random seed stop: frees a whole area for a different fill.
        seed = route[1 + random_int(rng, interior)]
        for k in range(1, length - 1):
            keys[k - 1] = dist[seed, route[k]] * (1.0 + 0.2 * random_float(rng))
    else:
        # Lowest score per unit of detour first, with noise so it is not always the same.
        for k in range(1, length - 1):
            detour = dist[route[k - 1], route[k]] + dist[route[k], route[k + 1]]
            detour -= dist[route[k - 1], route[k + 1]]
            keys[k - 1] = scores[route[k]] / max(detour, 1e-12) * (0.5 + random_float(rng))
    order = np.argsort(keys[:interior])
    for r in range(count):
        drop[order[r] + 1] = True
    return _compact(route, length, drop, on_route)
