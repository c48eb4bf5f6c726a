"""Focused 2-opt/or-opt for long routes: only stops next to changed edges are examined."""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.relocation import MAX_SEGMENT, best_relocation, move_segment
from wildside.domain.solver.route_ops import edge_index, reverse_span, set_positions


@numba.njit(cache=True)
def _push(node: int, dirty: np.ndarray, stack: np.ndarray, top: int) -> int:
    if dirty[node]:
        return top
    dirty[node] = True
    stack[top] = node
    return top + 1


@numba.njit(cache=True)
def mark_new_edges(
    ref: np.ndarray,
    ref_length: int,
    route: np.ndarray,
    length: int,
    ref_position: np.ndarray,
    dirty: np.ndarray,
    stack: np.ndarray,
) -> int:
    """Push both ends of every route edge that ``ref`` lacks; return the stack size.

    ``ref_position`` must be all -1 on entry; it is left that way.
    """
    set_positions(ref, ref_length, ref_position, 0)
    top = 0
    for k in range(length - 1):
        a = route[k]
        b = route[k + 1]
        if edge_index(a, b, ref, ref_length, ref_position) < 0:
            top = _push(a, dirty, stack, top)
            top = _push(b, dirty, stack, top)
    set_positions(ref, ref_length, ref_position, -1)
    return top


@numba.njit(cache=True)
def _try_reversal(
    dist: np.ndarray,
    route: np.ndarray,
    p: int,
    q: int,
    eps: float,
    position: np.ndarray,
    dirty: np.ndarray,
    stack: np.ndarray,
    top: int,
) -> int:
    """Swap edges (p, p+1), (q, q+1) for shorter ones if that helps; return the stack size.

    Returns -1 when the exchange does not shorten the route.
    """
    a = route[p]
    b = route[p + 1]
    c = route[q]
    d = route[q + 1]
    if dist[a, c] + dist[b, d] - dist[a, b] - dist[c, d] >= -eps:
        return -1
    reverse_span(route, p + 1, q)
    for k in range(p + 1, q + 1):
        position[route[k]] = k
    for node in (a, b, c, d):
        top = _push(node, dirty, stack, top)
    return top


@numba.njit(cache=True)
def _two_opt_at(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    x: int,
    eps: float,
    neighbors: np.ndarray,
    position: np.ndarray,
    dirty: np.ndarray,
    stack: np.ndarray,
    top: int,
) -> int:
    """First improving 2-opt move with a new edge at ``route[x]``; -1 if there is none.

    An improving exchange has a new edge shorter than the removed edge at the
    same node, so only neighbours closer than that edge are tried.
    """
    a = route[x]
    for side in range(2):
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
            moved = -1
            if side == 0 and x + 1 < y <= length - 2:
                moved = _try_reversal(dist, route, x, y, eps, position, dirty, stack, top)
            elif side == 0 and y < x - 1 and x <= length - 2:
                moved = _try_reversal(dist, route, y, x, eps, position, dirty, stack, top)
            elif side == 1 and y > x + 1:
                moved = _try_reversal(dist, route, x - 1, y - 1, eps, position, dirty, stack, top)
            elif side == 1 and 1 <= y < x - 1:
                moved = _try_reversal(dist, route, y - 1, x - 1, eps, position, dirty, stack, top)
            if moved >= 0:
                return moved
    return -1


@numba.njit(cache=True)
def _or_opt_at(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    x: int,
    eps: float,
    neighbors: np.ndarray,
    position: np.ndarray,
    dirty: np.ndarray,
    stack: np.ndarray,
    top: int,
    scratch: np.ndarray,
) -> int:
    """First improving relocation of a chain of 1..3 stops that starts or ends at ``route[x]``."""
    for size in range(1, MAX_SEGMENT + 1):
        for side in range(1 if size == 1 else 2):
            i = x if side == 0 else x - size + 1
            j = i + size - 1
            if i < 1 or j > length - 2:
                continue
            edge, is_reversed = best_relocation(dist, route, length, i, j, eps, neighbors, position)
            if edge < 0:
                continue
            ends = (route[i - 1], route[j + 1], route[i], route[j], route[edge], route[edge + 1])
            move_segment(route, i, j, edge, is_reversed, position, scratch)
            for node in ends:
                top = _push(node, dirty, stack, top)
            return top
    return -1


@numba.njit(cache=True)
def focused_shorten(
    dist: np.ndarray,
    route: np.ndarray,
    length: int,
    eps: float,
    neighbors: np.ndarray,
    position: np.ndarray,
    dirty: np.ndarray,
    stack: np.ndarray,
    top: int,
    scratch: np.ndarray,
) -> bool:
    """2-opt and or-opt from the ``top`` stacked stops until none of them can shorten the route.

    A stop is examined again only when a move changes one of its edges (the
    don't-look bits of Bentley's 2-opt), so a repair that touched a few places
    costs O(touched K) instead of O(L K). ``position`` is all -1 on entry and
    exit; the stack is left empty and ``dirty`` all False.
    """
    set_positions(route, length, position, 0)
    changed = False
    while top > 0:
        top -= 1
        node = stack[top]
        dirty[node] = False
        x = position[node]
        if x < 0:
            continue
        moved = -1
        if node == route[0] and x != 0:
            # Position holds one index of a closed tour's depot: try its first edge here.
            moved = _two_opt_at(dist, route, length, 0, eps, neighbors, position, dirty, stack, top)
        if moved < 0:
            moved = _two_opt_at(dist, route, length, x, eps, neighbors, position, dirty, stack, top)
        if moved < 0 and 1 <= x <= length - 2:
            moved = _or_opt_at(
                dist, route, length, x, eps, neighbors, position, dirty, stack, top, scratch
            )
        if moved >= 0:
            top = moved
            changed = True
    set_positions(route, length, position, -1)
    return changed
