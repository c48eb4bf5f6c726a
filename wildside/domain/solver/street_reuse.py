"""Numba kernels for walking a street once: each arc's reverse twin, and legs that avoid reuse.

A street (an undirected edge) is two arcs in the CSR graph, one each way;
``arc_twins`` pairs them, so "already walked" holds in either direction.
``penalised_leg_paths`` builds a tour's legs in order, each a shortest path
where the streets earlier legs walked cost ``1 + penalty`` times their length.
"""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.street_paths import walk_legs


@numba.njit(cache=True)
def arc_twins(indptr: np.ndarray, targets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The arc running the other way along the same street, for every arc.

    Arc ``a`` from ``u`` to ``v`` is the ``r``-th of ``u``'s arcs to ``v`` of
    its length (CSR order); its twin is the ``r``-th of ``v``'s arcs to ``u``
    of that length, so parallel streets between two junctions stay apart and
    the pairing is its own inverse. A self-loop's two arcs pair with each
    other; an arc with no reverse (a graph cut at its edge) is its own twin.
    """
    n = indptr.shape[0] - 1
    twins = np.arange(targets.shape[0], dtype=np.int64)
    for u in range(n):
        for a in range(indptr[u], indptr[u + 1]):
            v = targets[a]
            rank = 0
            for b in range(indptr[u], a):
                if targets[b] == v and lengths[b] == lengths[a]:
                    rank += 1
            if v == u:
                rank ^= 1  # a loop's arcs are consecutive ranks: 0 with 1, 2 with 3
            seen = 0
            for b in range(indptr[v], indptr[v + 1]):
                if targets[b] == u and lengths[b] == lengths[a]:
                    if seen == rank:
                        twins[a] = b
                        break
                    seen += 1
    return twins


@numba.njit(cache=True)
def penalised_leg_paths(
    indptr: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    twins: np.ndarray,
    stops: np.ndarray,
    cutoff: float,
    penalty: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Legs that keep off streets already walked: ``walk_legs`` with this ``penalty``."""
    return walk_legs(indptr, targets, lengths, twins, stops, cutoff, penalty)
