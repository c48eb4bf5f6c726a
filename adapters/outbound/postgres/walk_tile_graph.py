"""Cut the walking graph into tiles and stitch tiles back into one CSR ``WalkingGraph``.

Both keep the whole graph's order: vertices by OSM id, and at each vertex the
arcs along its edges' stored direction first, then the arcs against it, each
group by (way, seq). A stitched area therefore numbers its vertices in the
same relative order as ``PostgresWalkingNetworkSource.load`` and walks each
vertex's arcs in the same order, so the kernels break ties the same way and
tours from tiles equal tours from the whole graph.

Pieces (connected components) are labelled when a tile is built, over the
arcs between its own vertices; stitching joins those labels along the few
arcs that cross tile borders, so a request never labels its whole area.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from adapters.outbound.postgres.walk_tile_codec import WalkTile
from wildside.domain.solver.components import join_pieces, label_components
from wildside.domain.walking_graph import WalkingGraph


def pack_tile(
    *,
    node_ids: np.ndarray,
    lats: np.ndarray,
    lngs: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    coords: np.ndarray,
    counts: np.ndarray,
) -> WalkTile:
    """One tile from its vertices (ids ascending) and every edge touching them.

    Edges come in (way, seq) order; ``coords`` holds their shapes back to
    back, ``counts[e]`` points each. An edge whose source is in the tile gives
    an arc along its shape, one whose target is gives an arc back along it.
    """
    src = _local(node_ids, sources)
    dst = _local(node_ids, targets)
    edge_count = len(sources)
    edge = np.concatenate((np.arange(edge_count), np.arange(edge_count)))
    is_back = np.concatenate((np.zeros(edge_count, bool), np.ones(edge_count, bool)))
    tail = np.concatenate((src, dst))
    head_id = np.concatenate((targets, sources)).astype(np.int64)
    present = tail >= 0
    edge, is_back, tail, head_id = edge[present], is_back[present], tail[present], head_id[present]
    order = np.argsort(tail, kind="stable")
    edge, is_back, tail, head_id = edge[order], is_back[order], tail[order], head_id[order]
    indptr = np.zeros(len(node_ids) + 1, np.int64)
    np.cumsum(np.bincount(tail, minlength=len(node_ids)), out=indptr[1:])

    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    sizes = np.asarray(counts, np.int64)[edge]
    shape_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    position = np.arange(shape_offsets[-1]) - np.repeat(shape_offsets[:-1], sizes)
    base = np.repeat(starts[:-1][edge], sizes)
    last = np.repeat(sizes, sizes) - 1
    xy = np.asarray(coords, np.float64).reshape(-1, 2)
    shape = xy[np.where(np.repeat(is_back, sizes), base + last - position, base + position)]
    head = _local(node_ids, head_id)
    inside = head >= 0
    # Arcs are grouped by tail, so the arcs between the tile's own vertices
    # are again a CSR graph; its pieces are the tile's piece labels.
    inner_indptr = np.zeros(len(node_ids) + 1, np.int64)
    np.cumsum(np.bincount(tail[inside], minlength=len(node_ids)), out=inner_indptr[1:])
    components, pieces = label_components(inner_indptr, head[inside])
    return WalkTile(
        node_ids=np.asarray(node_ids, np.int64),
        lats=np.asarray(lats, np.float64),
        lngs=np.asarray(lngs, np.float64),
        indptr=indptr,
        targets=head_id,
        lengths=np.asarray(lengths, np.float64)[edge],
        shape_offsets=shape_offsets,
        shape_lngs=np.ascontiguousarray(shape[:, 0]),
        shape_lats=np.ascontiguousarray(shape[:, 1]),
        components=components,
        border_pieces=components[tail[~inside]],
        border_heads=head_id[~inside],
        pieces=int(pieces),
    )


def stitch_tiles(tiles: Sequence[WalkTile]) -> WalkingGraph:
    """One CSR graph over the vertices of ``tiles``; arcs to vertices outside them are dropped.

    The graph carries its piece labels (``components``), merged from the tiles'.
    """
    ids = np.concatenate([t.node_ids for t in tiles]) if tiles else np.zeros(0, np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    lats = np.concatenate([t.lats for t in tiles])[order] if tiles else np.zeros(0)
    lngs = np.concatenate([t.lngs for t in tiles])[order] if tiles else np.zeros(0)

    arc_base = np.cumsum([0] + [t.targets.size for t in tiles])
    first_arc = (
        np.concatenate([t.indptr[:-1] + arc_base[i] for i, t in enumerate(tiles)])[order]
        if tiles
        else np.zeros(0, np.int64)
    )
    arc_counts = (
        np.concatenate([np.diff(t.indptr) for t in tiles])[order]
        if tiles
        else np.zeros(0, np.int64)
    )
    # Every arc of every vertex, vertices in id order, arcs in stored order.
    total = int(arc_counts.sum())
    starts = np.concatenate(([0], np.cumsum(arc_counts)))[:-1]
    arc = np.repeat(first_arc, arc_counts) + (
        np.arange(total) - np.repeat(starts, arc_counts)
    ).astype(np.int64)
    tail = np.repeat(np.arange(sorted_ids.size), arc_counts)

    all_targets = _concat(tiles, "targets", np.int64)[arc]
    head = np.searchsorted(sorted_ids, all_targets)
    if sorted_ids.size:
        clipped = np.minimum(head, sorted_ids.size - 1)
        kept = (head < sorted_ids.size) & (sorted_ids[clipped] == all_targets)
    else:
        kept = np.zeros(total, bool)
    arc, tail, head = arc[kept], tail[kept], head[kept]
    indptr = np.zeros(sorted_ids.size + 1, np.int64)
    np.cumsum(np.bincount(tail, minlength=sorted_ids.size), out=indptr[1:])

    point_base = np.cumsum([0] + [t.shape_lngs.size for t in tiles])
    shape_starts = (
        np.concatenate([t.shape_offsets[:-1] + point_base[i] for i, t in enumerate(tiles)])
        if tiles
        else np.zeros(0, np.int64)
    )
    shape_sizes = (
        np.concatenate([np.diff(t.shape_offsets) for t in tiles])
        if tiles
        else np.zeros(0, np.int64)
    )
    sizes = shape_sizes[arc]
    shape_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    point = np.repeat(shape_starts[arc], sizes) + (
        np.arange(shape_offsets[-1]) - np.repeat(shape_offsets[:-1], sizes)
    )
    return WalkingGraph(
        node_ids=as_buffer("q", sorted_ids),
        lats=as_buffer("d", lats),
        lngs=as_buffer("d", lngs),
        indptr=as_buffer("q", indptr),
        targets=as_buffer("q", head),
        lengths_m=as_buffer("d", _concat(tiles, "lengths", np.float64)[arc]),
        shape_offsets=as_buffer("q", shape_offsets),
        shape_lngs=as_buffer("d", _concat(tiles, "shape_lngs", np.float64)[point]),
        shape_lats=as_buffer("d", _concat(tiles, "shape_lats", np.float64)[point]),
        components=as_buffer("q", merge_pieces(tiles, order, sorted_ids)),
    )


def merge_pieces(
    tiles: Sequence[WalkTile], order: np.ndarray, sorted_ids: np.ndarray
) -> np.ndarray:
    """The piece of every stitched vertex, from the tiles' own labels.

    Each tile's pieces (a few per tile: its main network and its islets) are
    joined wherever an arc crosses into another loaded tile; the joined
    pieces are the stitched area's (``join_pieces``). Cost: two gathers over
    the vertices and a binary search per border arc, instead of a search
    over every arc. ``order``/``sorted_ids`` are ``stitch_tiles``' vertex
    numbering.
    """
    if not tiles:
        return np.zeros(0, np.int64)
    first_piece = np.cumsum([0] + [t.pieces for t in tiles])
    # Each stitched vertex's piece, numbered across all tiles.
    piece_of = np.concatenate([t.components + first_piece[i] for i, t in enumerate(tiles)])[order]
    border_pieces = np.concatenate([t.border_pieces + first_piece[i] for i, t in enumerate(tiles)])
    labels, _ = join_pieces(
        piece_of,
        np.ascontiguousarray(sorted_ids, np.int64),
        border_pieces,
        _concat(tiles, "border_heads", np.int64),
        int(first_piece[-1]),
    )
    return labels


def _concat(tiles: Sequence[WalkTile], name: str, dtype: type) -> np.ndarray:
    if not tiles:
        return np.zeros(0, dtype)
    return np.concatenate([getattr(t, name) for t in tiles])


def _local(node_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Index of each id among ``node_ids`` (ascending), or -1 when absent."""
    if node_ids.size == 0:
        return np.full(len(ids), -1, np.int64)
    index = np.searchsorted(node_ids, ids)
    clipped = np.minimum(index, node_ids.size - 1)
    return np.where(node_ids[clipped] == ids, clipped, -1).astype(np.int64)


def as_buffer(typecode: str, values: np.ndarray) -> array:  # type: ignore[type-arg]
    """Copy ``values`` into a stdlib ``array`` of ``typecode`` (``q`` or ``d``)."""
    dtype = np.int64 if typecode == "q" else np.float64
    out = array(typecode)
    out.frombytes(np.ascontiguousarray(values, dtype=dtype).tobytes())
    return out
