"""``WalkingNetworkSource`` on PostGIS: read ``walk_nodes``/``walk_edges`` into CSR arrays."""

from __future__ import annotations

from array import array

import numpy as np
import shapely

from adapters.outbound.postgres.connection import connection, translate_errors
from wildside.ports.walking_network_source import (
    WalkingGraph,
    WalkingNetworkError,
    WalkingNetworkSource,
)

_FETCH_ROWS = 50_000


class PostgresWalkingNetworkSource(WalkingNetworkSource):
    """Loads the whole walking graph; edges are stored once and become two arcs."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url

    def load(self) -> WalkingGraph:
        """Read nodes and edges (binary WKB geometry) and build the CSR form."""
        with (
            translate_errors("could not load the walking network", WalkingNetworkError),
            connection(self._url) as conn,
        ):
            nodes = conn.execute(
                "SELECT id, ST_Y(geom), ST_X(geom) FROM walk_nodes ORDER BY id"
            ).fetchall()
            sources: list[int] = []
            targets: list[int] = []
            lengths: list[float] = []
            shapes: list[bytes] = []
            with conn.transaction(), conn.cursor(name="walk_edges", binary=True) as cursor:
                cursor.itersize = _FETCH_ROWS
                cursor.execute(
                    "SELECT source, target, length_m, ST_AsBinary(geom) FROM walk_edges"
                    " ORDER BY way_id, seq"
                )
                for source, target, length, shape in cursor:
                    sources.append(source)
                    targets.append(target)
                    lengths.append(length)
                    shapes.append(bytes(shape))
        return build_graph(nodes, sources, targets, lengths, shapes)


def build_graph(
    nodes: list[tuple[int, float, float]],
    sources: list[int],
    targets: list[int],
    lengths: list[float],
    shapes: list[bytes],
) -> WalkingGraph:
    """Build CSR arrays from node rows and edge columns (edges become two arcs)."""
    node_ids = np.fromiter((row[0] for row in nodes), dtype=np.int64, count=len(nodes))
    lats = np.fromiter((row[1] for row in nodes), dtype=np.float64, count=len(nodes))
    lngs = np.fromiter((row[2] for row in nodes), dtype=np.float64, count=len(nodes))
    src = np.searchsorted(node_ids, np.asarray(sources, dtype=np.int64))
    dst = np.searchsorted(node_ids, np.asarray(targets, dtype=np.int64))
    if len(node_ids) and (
        (src >= len(node_ids)).any()
        or (dst >= len(node_ids)).any()
        or (node_ids[np.minimum(src, len(node_ids) - 1)] != sources).any()
        or (node_ids[np.minimum(dst, len(node_ids) - 1)] != targets).any()
    ):
        raise WalkingNetworkError("walk_edges refers to nodes missing from walk_nodes")
    edge_count = len(sources)
    geometries = shapely.from_wkb(shapes) if shapes else np.empty(0, dtype=object)
    coords, owners = shapely.get_coordinates(geometries, return_index=True)
    counts = np.bincount(owners, minlength=edge_count) if edge_count else np.zeros(0, np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)))

    # Arcs 0..E-1 run source->target along the stored shape; arcs E..2E-1 run
    # back, along the reversed shape.
    arc_from = np.concatenate((src, dst))
    arc_to = np.concatenate((dst, src))
    arc_len = np.concatenate((lengths, lengths)).astype(np.float64)
    order = np.argsort(arc_from, kind="stable")
    indptr = np.zeros(len(node_ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(arc_from, minlength=len(node_ids)), out=indptr[1:])

    forward_index = np.concatenate((np.arange(edge_count), np.arange(edge_count)))[order]
    is_reversed = order >= edge_count
    sizes = counts[forward_index]
    shape_offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    # Gather every arc's coordinates with one vectorised index, reversed arcs
    # walking their edge's shape backwards.
    position = np.arange(shape_offsets[-1]) - np.repeat(shape_offsets[:-1], sizes)
    base = np.repeat(starts[:-1][forward_index], sizes)
    backwards = np.repeat(is_reversed, sizes)
    last = np.repeat(sizes, sizes) - 1
    shape_xy = coords[np.where(backwards, base + last - position, base + position)]
    return WalkingGraph(
        node_ids=_buffer("q", node_ids),
        lats=_buffer("d", lats),
        lngs=_buffer("d", lngs),
        indptr=_buffer("q", indptr),
        targets=_buffer("q", arc_to[order]),
        lengths_m=_buffer("d", arc_len[order]),
        shape_offsets=_buffer("q", shape_offsets),
        shape_lngs=_buffer("d", shape_xy[:, 0]),
        shape_lats=_buffer("d", shape_xy[:, 1]),
    )


def _buffer(typecode: str, values: np.ndarray) -> array:  # type: ignore[type-arg]
    dtype = np.int64 if typecode == "q" else np.float64
    out = array(typecode)
    out.frombytes(np.ascontiguousarray(values, dtype=dtype).tobytes())
    return out
