"""Or-opt relocation: where a chain of stops fits best, and moving it there in place."""

from __future__ import annotations

import numba
import numpy as np

MAX_SEGMENT = 3  # or-opt moves chains of up to three consecutive stops


@numba.njit(cache=True)
def best_relocation(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    i: int,
    j: int,
    eps: float,
    neighbors: np.ndarray,
    position: np.ndarray,
) -> tuple[int, bool]:
    """Best edge to move ``route[i..j]`` into (-1 if none shortens the route).

    Long routes only try edges next to a near neighbour of either segment end
    (``position`` maps node to route index, -1 if off the route): a good
    relocation almost always lands next to one, and it cuts O(L) to O(K).
    """
    prev = route[i - 1]
    nxt = route[j + 1]
    first = route[i]
    last = route[j]
    gain = dist[prev, first] + dist[last, nxt] - dist[prev, nxt]
    best = -eps
    best_edge = -1
    best_reversed = False
    use_all = length <= 4 * neighbors.shape[1]
    count = neighbors.shape[1]
    tries = length - 1 if use_all else 4 * count
    for t in range(tries):
        if use_all:
            p = t
        else:
            end_node = first if t < 2 * count else last
            near = neighbors[end_node, (t >> 1) % count]
            # Gain criterion: a new edge at least as long as the removal gain
            # rarely pays, and neighbours come nearest first.
            if dist[end_node, near] >= gain:
                if t < 2 * count:
                    continue
                break
            where = position[near]
            if where < 0:
                continue
            p = where - (t & 1)  # the edge before or after the neighbour
            if p < 0 or p >= length - 1:
                continue
        if i - 1 <= p <= j:
            continue
        x = route[p]
        y = route[p + 1]
        base = -dist[x, y] - gain
        forward = base + dist[x, first] + dist[last, y]
        if forward < best:
            best = forward
            best_edge = p
            best_reversed = False
        backward = base + dist[x, last] + dist[first, y]
        if backward < best:
            best = backward
            best_edge = p
            best_reversed = True
    return best_edge, best_reversed


@numba.njit(cache=True)
def move_segment(
    route: np.ndarray,
    i: int,
    j: int,
    edge: int,
    is_reversed: bool,
    position: np.ndarray,
    scratch: np.ndarray,
) -> None:
    """Move ``route[i..j]`` into the edge after ``route[edge]``, shifting only what lies between."""
    size = j - i + 1
    for s in range(size):
        scratch[s] = route[i + s]
    if edge > j:
        for k in range(j + 1, edge + 1):
            route[k - size] = route[k]
            position[route[k - size]] = k - size
        base = edge - size + 1
    else:
        for k in range(i - 1, edge, -1):
            route[k + size] = route[k]
            position[route[k + size]] = k + size
        base = edge + 1
    for s in range(size):
        node = scratch[size - 1 - s] if is_reversed else scratch[s]
        route[base + s] = node
        position[node] = base + s
