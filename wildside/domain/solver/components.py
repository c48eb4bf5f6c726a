"""Numba kernels for the pieces of a walking graph: component labels and piece-aware snapping.

A city's walking network is rarely one piece (Helsinki's extract is 50: the
main network of 3,138 vertices and 49 islets, unjoined paths and piers). No
tour can leave the piece it starts on, so the planner snaps starts and ends to
the largest piece within reach and keeps only candidates on the start's piece.
The labels are computed on whatever graph the engine holds (one BFS, O(V + E))
and cached by ``StreetNetwork``; see ``docs/engine.md`` section 3.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_EARTH_M_PER_DEG = 111_195.0  # mean metres per degree of latitude, as in street_paths


@numba.njit(cache=True)
def label_components(indptr: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected-component label of every vertex of a CSR graph, and the number of pieces.

    Arcs are read as undirected (the walking graph stores both directions).
    Labels count from 0 in the order of each piece's lowest vertex, so the
    labelling is deterministic.

    Examples
    --------
    >>> indptr = np.array([0, 1, 2, 2], dtype=np.int64)
    >>> targets = np.array([1, 0], dtype=np.int64)
    >>> labels, count = label_components(indptr, targets)
    >>> labels.tolist(), count
    ([0, 0, 1], 2)
    """
    n = indptr.shape[0] - 1
    labels = np.full(n, -1, dtype=np.int64)
    queue = np.empty(max(n, 1), dtype=np.int64)
    count = 0
    for root in range(n):
        if labels[root] >= 0:
            continue
        labels[root] = count
        head, tail = 0, 1
        queue[0] = root
        while head < tail:
            v = queue[head]
            head += 1
            for arc in range(indptr[v], indptr[v + 1]):
                w = targets[arc]
                if labels[w] < 0:
                    labels[w] = count
                    queue[tail] = w
                    tail += 1
        count += 1
    return labels, count


@numba.njit(cache=True)
def snap_to_pieces(
    sorted_lats: np.ndarray,
    order: np.ndarray,
    lngs: np.ndarray,
    labels: np.ndarray,
    sizes: np.ndarray,
    query_lats: np.ndarray,
    query_lngs: np.ndarray,
    radius_m: float,
    wanted: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each query, the best vertex within ``radius_m``, or -1 where none qualifies.

    With ``wanted[q] >= 0`` only vertices of that piece qualify and the
    nearest wins; with ``wanted[q] < 0`` the vertex on the largest piece wins,
    ties by distance. ``sorted_lats``/``order`` are the latitude index that
    ``snap_to_vertices`` uses; distances are the same equirectangular metres.
    """
    nearest = np.full(query_lats.shape[0], -1, dtype=np.int64)
    metres = np.full(query_lats.shape[0], np.inf)
    band_deg = radius_m / _EARTH_M_PER_DEG
    for q in range(query_lats.shape[0]):
        lat0, lng0 = query_lats[q], query_lngs[q]
        x_scale = math.cos(math.radians(lat0)) * _EARTH_M_PER_DEG
        lo = np.searchsorted(sorted_lats, lat0 - band_deg)
        hi = np.searchsorted(sorted_lats, lat0 + band_deg, side="right")
        best, best_m, best_size = -1, np.inf, -1
        for s in range(lo, hi):
            v = order[s]
            if wanted[q] >= 0 and labels[v] != wanted[q]:
                continue
            dy = (sorted_lats[s] - lat0) * _EARTH_M_PER_DEG
            dx = (lngs[v] - lng0) * x_scale
            m = math.sqrt(dx * dx + dy * dy)
            if m > radius_m:
                continue
            size = sizes[labels[v]]
            if size > best_size or (size == best_size and m < best_m):
                best, best_m, best_size = v, m, size
        nearest[q], metres[q] = best, best_m
    return nearest, metres


def warm_up_component_kernels() -> None:
    """Compile (or load from numba's cache) the component kernels on a two-vertex graph."""
    indptr = np.array([0, 1, 2], dtype=np.int64)
    targets = np.array([1, 0], dtype=np.int64)
    labels, _ = label_components(indptr, targets)
    lats = np.array([0.0, 0.001])
    snap_to_pieces(
        lats,
        np.array([0, 1], dtype=np.int64),
        np.zeros(2),
        labels,
        np.array([2], dtype=np.int64),
        lats,
        np.zeros(2),
        100.0,
        np.array([-1, 0], dtype=np.int64),
    )
