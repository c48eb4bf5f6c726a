"""Numba kernels on the CSR walking graph: snapping, bounded Dijkstra, leg paths.

Every search is bounded by a cutoff in metres and resets only the vertices it
touched, so its cost grows with the tour's reach, not with the city's size.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_EARTH_M_PER_DEG = 111_195.0  # mean metres per degree of latitude


@numba.njit(cache=True)
def _sift_up(keys: np.ndarray, vals: np.ndarray, i: int) -> None:
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent


@numba.njit(cache=True)
def _sift_down(keys: np.ndarray, vals: np.ndarray, size: int) -> None:
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[i] <= keys[child]:
            break
        keys[i], keys[child] = keys[child], keys[i]
        vals[i], vals[child] = vals[child], vals[i]
        i = child


@numba.njit(cache=True)
def bounded_dijkstra(
    indptr: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    source: int,
    cutoff: float,
    dist: np.ndarray,
    pred_arc: np.ndarray,
    touched: np.ndarray,
    need: np.ndarray,
    remaining: int,
    heap_keys: np.ndarray,
    heap_vals: np.ndarray,
) -> tuple[int, np.ndarray, np.ndarray]:
    """Settle vertices from ``source`` up to ``cutoff``.

    ``dist`` must be all-inf on entry; the caller resets the touched vertices
    (returned count, listed in ``touched``). The search stops as soon as the
    ``remaining`` wanted settlements happened, ``need[v]`` counting how many
    are wanted at ``v``; with ``remaining <= 0`` it runs to the cutoff. The
    (possibly grown) heap buffers are returned for reuse.
    """
    n_touched = 0
    dist[source] = 0.0
    pred_arc[source] = -1
    touched[n_touched] = source
    n_touched += 1
    heap_keys[0] = 0.0
    heap_vals[0] = source
    size = 1
    while size > 0:
        d = heap_keys[0]
        v = heap_vals[0]
        size -= 1
        heap_keys[0] = heap_keys[size]
        heap_vals[0] = heap_vals[size]
        _sift_down(heap_keys, heap_vals, size)
        if d > dist[v]:
            continue  # stale entry
        if need[v] > 0:
            remaining -= need[v]
            if remaining <= 0:
                break
        for arc in range(indptr[v], indptr[v + 1]):
            w = targets[arc]
            nd = d + lengths[arc]
            if nd < dist[w] and nd <= cutoff:
                if dist[w] == np.inf:
                    touched[n_touched] = w
                    n_touched += 1
                dist[w] = nd
                pred_arc[w] = arc
                if size == heap_keys.shape[0]:
                    heap_keys = np.concatenate((heap_keys, np.empty(size, dtype=np.float64)))
                    heap_vals = np.concatenate((heap_vals, np.empty(size, dtype=np.int64)))
                heap_keys[size] = nd
                heap_vals[size] = w
                _sift_up(heap_keys, heap_vals, size)
                size += 1
    return n_touched, heap_keys, heap_vals


@numba.njit(cache=True)
def tail_of(indptr: np.ndarray, arc: int) -> int:
    """The vertex whose CSR range holds ``arc`` (the largest v with indptr[v] <= arc)."""
    lo, hi = 0, indptr.shape[0] - 1
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if indptr[mid] <= arc:
            lo = mid
        else:
            hi = mid
    return lo


@numba.njit(cache=True)
def leg_paths(
    indptr: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    stops: np.ndarray,
    cutoff: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest-path arcs for each leg ``stops[i] -> stops[i + 1]``.

    Returns the arcs of all legs concatenated and ``offsets`` (one per leg + 1);
    a leg with no path within ``cutoff`` (or of zero length) has no arcs.
    """
    # The same walk with no street costing more: each leg a shortest path.
    no_twins = np.arange(targets.shape[0], dtype=np.int64)
    return walk_legs(indptr, targets, lengths, no_twins, stops, cutoff, 0.0)


@numba.njit(cache=True)
def walk_legs(
    indptr: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    twins: np.ndarray,
    stops: np.ndarray,
    cutoff: float,
    penalty: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Arcs of each leg ``stops[i] -> stops[i + 1]``, streets earlier legs walked costing more.

    A leg's cost is the sum over its arcs of ``length * (1 + penalty)`` when an
    earlier leg walked that street (an arc or its ``twins`` one), else
    ``length``; ``penalty`` 0 gives shortest paths. The search runs to
    ``cutoff * (1 + penalty)``: every path of at most ``cutoff`` metres costs
    no more. Returns the arcs of all legs concatenated and ``offsets`` (one
    per leg + 1); a leg with no path (or from a vertex to itself) has no arcs.
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


@numba.njit(cache=True)
def snap_to_vertices(
    sorted_lats: np.ndarray,
    order: np.ndarray,
    lngs: np.ndarray,
    query_lats: np.ndarray,
    query_lngs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest vertex (and its distance in metres) for each query point.

    ``sorted_lats`` are the vertex latitudes in ascending order and ``order``
    maps them back to vertex indices. Each query scans a latitude band that
    doubles until the nearest vertex found cannot be beaten from outside it.
    """
    nearest = np.full(query_lats.shape[0], -1, dtype=np.int64)
    metres = np.full(query_lats.shape[0], np.inf)
    n = sorted_lats.shape[0]
    for q in range(query_lats.shape[0]):
        lat0, lng0 = query_lats[q], query_lngs[q]
        x_scale = math.cos(math.radians(lat0)) * _EARTH_M_PER_DEG
        band_deg = 0.002
        while True:
            lo = np.searchsorted(sorted_lats, lat0 - band_deg)
            hi = np.searchsorted(sorted_lats, lat0 + band_deg, side="right")
            best, best_m = -1, np.inf
            for s in range(lo, hi):
                v = order[s]
                dy = (sorted_lats[s] - lat0) * _EARTH_M_PER_DEG
                dx = (lngs[v] - lng0) * x_scale
                m = math.sqrt(dx * dx + dy * dy)
                if m < best_m:
                    best, best_m = v, m
            covers_all = lo == 0 and hi == n
            if best >= 0 and (best_m <= band_deg * _EARTH_M_PER_DEG or covers_all):
                nearest[q], metres[q] = best, best_m
                break
            if covers_all:
                break
            band_deg *= 2.0
    return nearest, metres
