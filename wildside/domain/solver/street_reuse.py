"""Numba kernels for walking a street once: each arc's reverse twin, and legs that avoid reuse.

A street (an undirected edge) is two arcs in the CSR graph, one each way;
``arc_twins`` pairs them, so "already walked" holds in either direction.
``penalised_leg_paths`` builds a tour's legs in order, each a shortest path
where the streets earlier legs walked cost ``1 + penalty`` times their length.
"""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.street_paths import bounded_dijkstra, tail_of


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
    """Arcs of each leg ``stops[i] -> stops[i + 1]``, cheapest where walked streets cost more.

    A leg's cost is the sum over its arcs of ``length * (1 + penalty)`` when
    an earlier leg walked that street (either way), else ``length``. The
    search runs to ``cutoff * (1 + penalty)``: every path of at most
    ``cutoff`` metres costs no more, so a leg the plain search finds is found.
    Returns the arcs of all legs concatenated and ``offsets`` (one per leg + 1);
    a leg with no path (or from a vertex to itself) has no arcs.
    """
    n = indptr.shape[0] - 1
    costs = lengths.copy()
    dist = np.full(n, np.inf)
    pred_arc = np.full(n, -1, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    need = np.zeros(n, dtype=np.int64)
    heap_keys = np.empty(1024, dtype=np.float64)
    heap_vals = np.empty(1024, dtype=np.int64)
    path_buf = np.empty(n, dtype=np.int64)
    legs = max(stops.shape[0] - 1, 0)
    offsets = np.zeros(legs + 1, dtype=np.int64)
    arcs = np.empty(0, dtype=np.int64)
    reach = cutoff * (1.0 + penalty)
    for leg in range(legs):
        source, target = stops[leg], stops[leg + 1]
        need[target] = 1
        n_touched, heap_keys, heap_vals = bounded_dijkstra(
            indptr,
            targets,
            costs,
            source,
            reach,
            dist,
            pred_arc,
            touched,
            need,
            1,
            heap_keys,
            heap_vals,
        )
        need[target] = 0
        count = 0
        if dist[target] < np.inf and source != target:
            v = target
            while v != source:
                path_buf[count] = pred_arc[v]
                count += 1
                v = tail_of(indptr, pred_arc[v])
        leg_arcs = path_buf[:count][::-1].copy()
        # Marked after the leg is found: a shortest path never walks a street
        # twice itself, so only earlier legs' streets cost more.
        for arc in leg_arcs:
            costs[arc] = lengths[arc] * (1.0 + penalty)
            costs[twins[arc]] = lengths[twins[arc]] * (1.0 + penalty)
        arcs = np.concatenate((arcs, leg_arcs))
        offsets[leg + 1] = arcs.shape[0]
        for t in range(n_touched):
            dist[touched[t]] = np.inf
    return arcs, offsets
