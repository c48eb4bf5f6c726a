"""``WalkingNetworkSource`` on PostGIS: read ``walk_nodes``/``walk_edges`` into CSR arrays."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
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
        """Read nodes and edges in chunks (binary WKB geometry) and build the CSR form.

        Each chunk is turned into numpy arrays at once, so peak memory stays
        near the size of the final buffers instead of one Python object per row.
        """
        with (
            translate_errors("could not load the walking network", WalkingNetworkError),
            connection(self._url) as conn,
            conn.transaction(),
        ):
            node_parts: list[np.ndarray] = []
            for rows in _chunks(
                conn, "nodes", "SELECT id, ST_Y(geom), ST_X(geom) FROM walk_nodes ORDER BY id"
            ):
                node_parts.append(np.array(rows, dtype=np.float64).reshape(-1, 3))
            edge_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
            query = (
                "SELECT source, target, length_m, ST_AsBinary(geom) FROM walk_edges"
                " ORDER BY way_id, seq"
            )
            for rows in _chunks(conn, "edges", query):
                ends = np.array([(r[0], r[1]) for r in rows], dtype=np.int64).reshape(-1, 2)
                lengths = np.array([r[2] for r in rows], dtype=np.float64)
                coords, owners = shapely.get_coordinates(
                    shapely.from_wkb([bytes(r[3]) for r in rows]), return_index=True
                )
                counts = np.bincount(owners, minlength=len(rows))
                edge_parts.append((np.column_stack((ends, counts)), lengths, coords))
        # Node ids stay exact as float64 (OSM ids are far below 2**53).
        nodes = np.concatenate(node_parts) if node_parts else np.zeros((0, 3))
        ints = (
            np.concatenate([p[0] for p in edge_parts]) if edge_parts else np.zeros((0, 3), np.int64)
        )
        return build_graph(
            node_ids=nodes[:, 0].astype(np.int64),
            lats=nodes[:, 1].copy(),
            lngs=nodes[:, 2].copy(),
            sources=ints[:, 0],
            targets=ints[:, 1],
            lengths=np.concatenate([p[1] for p in edge_parts]) if edge_parts else np.zeros(0),
            coords=np.concatenate([p[2] for p in edge_parts]) if edge_parts else np.zeros((0, 2)),
            counts=ints[:, 2],
        )


def _chunks(conn: psycopg.Connection, name: str, query: str) -> Iterator[list[Any]]:
    with conn.cursor(name=f"walk_{name}", binary=True) as cursor:
        cursor.itersize = _FETCH_ROWS
        cursor.execute(query)
        while rows := cursor.fetchmany(_FETCH_ROWS):
            yield rows


def build_graph(
    *,
    node_ids: np.ndarray,
    lats: np.ndarray,
    lngs: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    lengths: np.ndarray,
    coords: np.ndarray,
    counts: np.ndarray,
) -> WalkingGraph:
    """Build CSR arrays from vertex columns and edge columns (edges become two arcs).

    ``coords`` holds every edge's shape back to back, ``counts[e]`` points each.
    """
    src = np.searchsorted(node_ids, sources)
    dst = np.searchsorted(node_ids, targets)
    if len(sources) and (
        len(node_ids) == 0
        or (src >= len(node_ids)).any()
        or (dst >= len(node_ids)).any()
        or (node_ids[np.minimum(src, len(node_ids) - 1)] != sources).any()
        or (node_ids[np.minimum(dst, len(node_ids) - 1)] != targets).any()
    ):
        raise WalkingNetworkError("walk_edges refers to nodes missing from walk_nodes")
    edge_count = len(sources)
    starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

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
