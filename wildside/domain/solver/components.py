"""Numba kernels for the pieces of a walking graph: component labels and piece-aware snapping.

A city's walking network is rarely one piece (Helsinki's extract is 50: the
main network of 3,138 vertices and 49 islets, unjoined paths and piers). No
tour can leave the piece it starts on, so the planner snaps starts and ends to
the largest piece within reach and keeps only candidates on the start's piece.
Tiles are labelled when they are built (``label_components`` over a tile's
own arcs) and a stitched area joins its tiles' pieces along the arcs that
cross tile borders (``join_pieces``); a graph without labels is labelled by
``StreetNetwork`` on first use. See ``docs/engine.md`` section 3.
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
def _root(parent: np.ndarray, piece: int) -> int:
    while parent[piece] != piece:
        parent[piece] = parent[parent[piece]]  # path halving
        piece = parent[piece]
    return piece


@numba.njit(cache=True)
def join_pieces(
    piece_of: np.ndarray,
    sorted_ids: np.ndarray,
    border_pieces: np.ndarray,
    border_heads: np.ndarray,
    count: int,
) -> tuple[np.ndarray, int]:
    """The pieces of a stitched graph, from its tiles' pieces joined along border arcs.

    ``piece_of[v]`` numbers vertex ``v``'s piece within its tile (0 to
    ``count - 1`` across all tiles); vertex ``v`` has node id
    ``sorted_ids[v]`` (ascending). Border arc ``b`` leaves piece
    ``border_pieces[b]`` for the vertex with id ``border_heads[b]``, which may
    not be loaded (the arc is then ignored). Union-find over the pieces, then
    one pass over the vertices; labels count from 0 in the order of each
    merged piece's lowest tile piece.

    Examples
    --------
    >>> piece_of = np.array([0, 1, 2], dtype=np.int64)  # three tiles of one vertex each
    >>> ids = np.array([10, 20, 30], dtype=np.int64)
    >>> labels, count = join_pieces(
    ...     piece_of, ids, np.array([0, 1], dtype=np.int64), np.array([20, 99], dtype=np.int64), 3
    ... )
    >>> labels.tolist(), count
    ([0, 0, 1], 2)
    """
    parent = np.arange(count)
    n = sorted_ids.shape[0]
    for b in range(border_heads.shape[0]):
        head = border_heads[b]
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if sorted_ids[mid] < head:
                lo = mid + 1
            else:
                hi = mid
        if lo == n or sorted_ids[lo] != head:
            continue  # the head's tile is not loaded
        a, c = _root(parent, border_pieces[b]), _root(parent, piece_of[lo])
        if a != c:  # the larger root joins the smaller, so roots are lowest pieces
            parent[max(a, c)] = min(a, c)
    label = np.empty(count, dtype=np.int64)
    pieces = 0
    for piece in range(count):
        root = _root(parent, piece)
        if root == piece:
            label[piece] = pieces
            pieces += 1
        else:
            label[piece] = label[root]  # root < piece: labelled already
    labels = np.empty(piece_of.shape[0], dtype=np.int64)
    for v in range(piece_of.shape[0]):
        labels[v] = label[piece_of[v]]
    return labels, pieces


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
    join_pieces(
        labels, np.array([1, 2], dtype=np.int64), labels, np.array([2, 3], dtype=np.int64), 1
    )
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
