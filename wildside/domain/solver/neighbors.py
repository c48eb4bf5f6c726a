"""Near-stop lists: the candidates each node tries moves and insertions with."""

from __future__ import annotations

import numba
import numpy as np


def neighbor_lists(dist: np.ndarray, candidates: np.ndarray, count: int, spread: int) -> np.ndarray:
    """For every node, ``count`` candidates (itself excluded), nearest first.

    Parameters
    ----------
    dist
        Symmetric n-by-n cost matrix.
    candidates
        Node indices that may be visited.
    count
        List length (capped by the number of candidates).
    spread
        How many of the ``count`` slots go to "other direction" candidates:
        beyond the nearest ``count - spread``, a candidate is taken only if it
        lies closer to the node than to every candidate already listed. In a
        clustered instance the plain nearest list never leaves the node's
        own cluster, so no 2-opt or or-opt move could join two clusters.

    Returns
    -------
    numpy.ndarray
        n-by-``count`` int64 node indices, sorted by distance.
    """
    n = dist.shape[0]
    count = max(1, min(count, candidates.size))
    if candidates.size == 0:
        return np.zeros((n, 1), dtype=np.int64)
    to_candidates = dist[:, candidates].copy()
    to_candidates[candidates, np.arange(candidates.size)] = np.inf
    order = np.argsort(to_candidates, axis=1, kind="stable")
    ranked = candidates[order].astype(np.int64)
    if spread <= 0 or candidates.size <= count:
        return ranked[:, :count].copy()
    return _spread_out(dist, ranked, count, count - spread)


def reverse_lists(
    neighbors: np.ndarray, candidates: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """For every node, the candidates that list it among their near stops.

    Parameters
    ----------
    neighbors
        The near-stop lists of :func:`neighbor_lists`.
    candidates
        Node indices that may be visited (only their lists count).
    n
        Number of nodes.

    Returns
    -------
    tuple of numpy.ndarray
        CSR form: the candidates listing node ``t`` are
        ``nodes[start[t]:start[t + 1]]``.
    """
    if candidates.size == 0:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    listed = neighbors[candidates].ravel()
    owners = np.repeat(candidates, neighbors.shape[1])
    order = np.argsort(listed, kind="stable")
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(listed, minlength=n), out=start[1:])
    return start, owners[order].astype(np.int64)


@numba.njit(cache=True)
def _spread_out(dist: np.ndarray, ranked: np.ndarray, count: int, nearest: int) -> np.ndarray:
    """Nearest ``nearest`` of each row of ``ranked``, then candidates in other directions."""
    n, m = ranked.shape
    lists = np.empty((n, count), dtype=np.int64)
    for v in range(n):
        taken = 0
        for j in range(nearest):
            lists[v, taken] = ranked[v, j]
            taken += 1
        j = nearest
        # Candidates the diversity rule skipped fill any slots left, nearest first.
        skipped = np.empty(count, dtype=np.int64)
        skips = 0
        while taken < count and j < m:
            u = ranked[v, j]
            j += 1
            if u == v:
                continue  # a candidate's own column is last in its row
            reach = dist[v, u]
            is_apart = True
            for t in range(taken):
                if dist[u, lists[v, t]] < reach:
                    is_apart = False
                    break
            if is_apart:
                lists[v, taken] = u
                taken += 1
            elif skips < count:
                skipped[skips] = u
                skips += 1
        for s in range(skips):
            if taken == count:
                break
            lists[v, taken] = skipped[s]
            taken += 1
        # Keep the list sorted by distance: the move searches stop at the first far one.
        keys = np.empty(count)
        for t in range(count):
            keys[t] = dist[v, lists[v, t]]
        lists[v] = lists[v][np.argsort(keys, kind="mergesort")]
    return lists
