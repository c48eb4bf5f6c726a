"""Street distances among a tour's terminals, searching only as far as a feasible tour could go.

A leg between stops ``i`` and ``j`` can only be part of a tour that fits the
walk if ``head(i) + d(i, j) + tail(j) <= walk`` for one of its two directions,
where ``head`` is the street distance from the start and ``tail`` the one to
the end. The anchors' searches give ``head`` and ``tail`` exactly; every
later search then stops at the largest distance any of its remaining pairs
could still use, and pairs that no tour can use are left at ``inf``. On a big
city that cuts the outer candidates' searches (most of them) to a fraction.
"""

from __future__ import annotations

import numba
import numpy as np

from wildside.domain.solver.street_paths import bounded_dijkstra


@numba.njit(cache=True)
def tour_matrix(
    indptr: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    terminals: np.ndarray,
    anchors: int,
    walk_m: float,
) -> np.ndarray:
    """Street metres among ``terminals`` where a tour of ``walk_m`` could use them, else ``inf``.

    ``terminals[0]`` is the start; with ``anchors == 2`` ``terminals[1]`` is
    the end, with ``anchors == 1`` the start is also the end, and with
    ``anchors == 0`` the tour ends wherever it likes (no walk back). Every finite
    entry is the exact shortest street distance; an ``inf`` entry is a pair no
    tour within ``walk_m`` can contain (or one without any path).
    """
    n = indptr.shape[0] - 1
    k = terminals.shape[0]
    dist = np.full(n, np.inf)
    pred_arc = np.empty(n, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    need = np.zeros(n, dtype=np.int64)
    heap_keys = np.empty(1024, dtype=np.float64)
    heap_vals = np.empty(1024, dtype=np.int64)
    out = np.full((k, k), np.inf)
    for i in range(k):
        out[i, i] = 0.0
    # On a round trip no stop is further than half the walk from the start.
    pair_cap = walk_m / 2.0 if anchors == 1 else walk_m
    searched = max(anchors, 1)  # an open end has only the start to search from
    wanted = np.zeros(k, dtype=np.bool_)
    for a in range(searched):
        wanted[:] = False
        wanted[a + 1 :] = True
        heap_keys, heap_vals = _search(
            indptr, targets, lengths, terminals, a, wanted, pair_cap,
            dist, pred_arc, touched, need, heap_keys, heap_vals, out,
        )  # fmt: skip
    head = out[0].copy()
    # An open end costs nothing to reach from any stop: no tail to walk.
    tail = out[anchors - 1].copy() if anchors > 0 else np.zeros(k)
    # Stops far out (large head + tail) come last, so early searches, which
    # must reach every later stop, start near the middle of the tour's area.
    rest = np.arange(searched, k)
    rest = rest[np.argsort(head[rest] + tail[rest], kind="mergesort")]
    for p in range(rest.shape[0]):
        i = rest[p]
        if head[i] + tail[i] > walk_m:
            continue  # no tour within the walk can visit this stop at all
        wanted[:] = False
        radius = -1.0
        for q in range(p + 1, rest.shape[0]):
            j = rest[q]
            bound = walk_m - min(head[i] + tail[j], head[j] + tail[i])
            if bound >= 0.0:
                wanted[j] = True
                radius = max(radius, bound)
        if radius < 0.0:
            continue
        heap_keys, heap_vals = _search(
            indptr, targets, lengths, terminals, i, wanted, min(radius, pair_cap),
            dist, pred_arc, touched, need, heap_keys, heap_vals, out,
        )  # fmt: skip
    return out


@numba.njit(cache=True)
def _search(
    indptr: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    terminals: np.ndarray,
    i: int,
    wanted: np.ndarray,
    cutoff: float,
    dist: np.ndarray,
    pred_arc: np.ndarray,
    touched: np.ndarray,
    need: np.ndarray,
    heap_keys: np.ndarray,
    heap_vals: np.ndarray,
    out: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One bounded search from terminal ``i``: its row and column for ``wanted`` terminals.

    Returns the (possibly grown) heap buffers for the next search.
    """
    k = terminals.shape[0]
    remaining = 0
    for j in range(k):
        if wanted[j]:
            need[terminals[j]] += 1
            remaining += 1
    n_touched, heap_keys, heap_vals = bounded_dijkstra(
        indptr, targets, lengths, terminals[i], cutoff,
        dist, pred_arc, touched, need, remaining, heap_keys, heap_vals,
    )  # fmt: skip
    for j in range(k):
        if wanted[j]:
            out[i, j] = dist[terminals[j]]
            out[j, i] = out[i, j]
            need[terminals[j]] = 0
    for t in range(n_touched):
        dist[touched[t]] = np.inf
    return heap_keys, heap_vals
