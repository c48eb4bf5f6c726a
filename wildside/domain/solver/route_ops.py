"""Numba primitives shared by the OP kernels: a seeded RNG and in-place route edits."""

from __future__ import annotations

import numba
import numpy as np

_MULTIPLIER = np.uint64(2685821657736338717)
_INV_2_53 = 1.0 / 9007199254740992.0


@numba.njit(cache=True)
def next_u64(rng: np.ndarray) -> np.uint64:
    """Advance the xorshift64* state in ``rng[0]`` and return 64 random bits.

    The state lives in an array the caller owns, so a search resumed in a later
    kernel call continues the exact same sequence (slicing never changes results).
    """
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return x * _MULTIPLIER  # type: ignore[no-any-return]


@numba.njit(cache=True)
def random_float(rng: np.ndarray) -> float:
    """Uniform float in [0, 1)."""
    return float(next_u64(rng) >> np.uint64(11)) * _INV_2_53


@numba.njit(cache=True)
def random_int(rng: np.ndarray, bound: int) -> int:
    """Uniform integer in [0, bound); ``bound`` must be positive."""
    value = int(random_float(rng) * bound)
    return value if value < bound else bound - 1


@numba.njit(cache=True)
def route_cost(dist: np.ndarray, route: np.ndarray, length: int) -> float:
    """Travel cost along ``route[:length]``, summed in route order."""
    total = 0.0
    for k in range(length - 1):
        total += dist[route[k], route[k + 1]]
    return total


@numba.njit(cache=True)
def route_score(scores: np.ndarray, route: np.ndarray, length: int) -> float:
    """Score of the distinct nodes of ``route[:length]`` (a closed tour repeats its depot)."""
    total = 0.0
    last = length - 1 if route[0] == route[length - 1] else length
    for k in range(last):
        total += scores[route[k]]
    return total


@numba.njit(cache=True)
def insert_after(route: np.ndarray, length: int, position: int, node: int) -> int:
    """Insert ``node`` between ``route[position]`` and its successor; return the new length."""
    for k in range(length, position + 1, -1):
        route[k] = route[k - 1]
    route[position + 1] = node
    return length + 1


@numba.njit(cache=True)
def remove_at(route: np.ndarray, length: int, index: int) -> int:
    """Remove ``route[index]``; return the new length."""
    for k in range(index, length - 1):
        route[k] = route[k + 1]
    return length - 1


@numba.njit(cache=True)
def reverse_span(route: np.ndarray, first: int, last: int) -> None:
    """Reverse ``route[first..last]`` in place (both inclusive)."""
    while first < last:
        route[first], route[last] = route[last], route[first]
        first += 1
        last -= 1


@numba.njit(cache=True)
def set_positions(route: np.ndarray, length: int, position: np.ndarray, value: int) -> None:
    """Set ``position`` of every route node to its index (``value`` >= 0) or to -1 (< 0)."""
    for k in range(length):
        position[route[k]] = k if value >= 0 else -1


@numba.njit(cache=True)
def edge_index(a: int, b: int, route: np.ndarray, length: int, position: np.ndarray) -> int:
    """Index k with ``{route[k], route[k + 1]} == {a, b}``, or -1 if the edge is not there.

    ``position`` maps every node of the route to its index (-1 off the route).
    A closed tour's depot sits at both ends but has one position, so edges at
    the depot are recognised by their other node.
    """
    pa = position[a]
    pb = position[b]
    found = -1
    if pa < 0 or pb < 0:
        return found
    if abs(pa - pb) == 1:
        found = min(pa, pb)
    elif route[0] == route[length - 1] and (a == route[0] or b == route[0]):
        other = pb if a == route[0] else pa
        if other == 1:
            found = 0
        elif other == length - 2:
            found = length - 2
    return int(found)


@numba.njit(cache=True)
def is_better(score: float, cost: float, other_score: float, other_cost: float, eps: float) -> bool:
    """True if (score, cost) beats the other: a higher score, or the same score for less."""
    if score > other_score + 1e-9:
        return True
    return score >= other_score - 1e-9 and cost < other_cost - eps
