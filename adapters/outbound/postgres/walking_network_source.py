"""``WalkingNetworkSource`` on PostGIS: an area's tiles, or every walk node and edge, as CSR."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
import shapely

from adapters.outbound.graph_cache import GraphCache
from adapters.outbound.postgres.connection import (
    ConnectionSource,
    connection,
    per_call,
    translate_errors,
)
from adapters.outbound.postgres.walk_tile_codec import (
    FORMAT_VERSION,
    REBUILD_HINT,
    WalkTile,
    WalkTileFormatError,
    decode_tile,
)
from adapters.outbound.postgres.walk_tile_graph import as_buffer, stitch_tiles
from wildside.domain.walk_tiles import TILE_DEG, area_bounds, tiles_in
from wildside.ports.walking_network_source import (
    NoWalkingNetworkError,
    SearchArea,
    WalkingGraph,
    WalkingNetworkError,
    WalkingNetworkSource,
)

_FETCH_ROWS = 50_000
# A start or end this far from every street is refused anyway, so vertices
# beyond it never decide a snap (``EngineSettings.max_start_snap_m``).
SNAP_MARGIN_M = 400.0
# Cache budget when none is configured (``WILDSIDE_GRAPH_CACHE_MB``).
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024

# (x, y, version) of each tile an area uses, ascending: also the key of a stitched network.
TileVersions = tuple[tuple[int, int, int], ...]
# ("tile", x, y, version): a decoded tile's key in the cache.
TileCacheKey = tuple[str, int, int, int]

_VERSIONS = """
SELECT x, y, version FROM walk_tiles
WHERE x BETWEEN %s AND %s AND y BETWEEN %s AND %s ORDER BY x, y
"""
_TILES = """
SELECT t.x, t.y, t.version, t.format_version, t.data
FROM walk_tiles t JOIN unnest(%s::int[], %s::int[]) AS k (x, y) ON (t.x, t.y) = (k.x, k.y)
"""


class PostgresWalkingNetworkSource(WalkingNetworkSource):
    """Loads an area's walking graph from tiles (``walk_tiles``), or the whole graph from rows.

    ``for_area`` checks the versions of the area's tiles with one indexed
    query, takes unchanged tiles from ``cache`` and reads the others; tiles of
    a new import are therefore used by the next request, with no restart.
    """

    def __init__(
        self,
        database_url: str,
        *,
        connections: ConnectionSource | None = None,
        cache: GraphCache | None = None,
        pad_m: float = SNAP_MARGIN_M,
        tile_deg: float = TILE_DEG,
    ) -> None:
        self._url = database_url
        self._connections = connections or per_call(database_url)
        # Not `cache or …`: an empty cache has len() 0 and is falsy, and was replaced.
        self.cache = cache if cache is not None else GraphCache(DEFAULT_CACHE_BYTES)
        self._pad_m = pad_m
        self._tile_deg = tile_deg

    def for_area(self, area: SearchArea) -> WalkingGraph:
        """Stitch the area's tiles into one graph (see the port)."""
        tiles, _ = self.area_tiles(area)
        return stitch_tiles(tiles)

    def area_tiles(self, area: SearchArea) -> tuple[list[WalkTile], TileVersions]:
        """The decoded tiles of ``area`` and their versions; one version check, cached tiles."""
        return self.tiles(self.tile_versions(area))

    def tile_versions(self, area: SearchArea) -> TileVersions:
        """``(x, y, version)`` of every stored tile the area's box touches (one indexed query).

        Raises ``NoWalkingNetworkError`` when there is none.
        """
        low, high = tiles_in(
            area_bounds(area.start, area.end, area.max_walk_m, self._pad_m), self._tile_deg
        )
        with (
            translate_errors("could not check the walking-graph tiles", WalkingNetworkError),
            self._connections() as conn,
        ):
            rows = conn.execute(_VERSIONS, (low.x, high.x, low.y, high.y)).fetchall()
        if not rows:
            raise NoWalkingNetworkError(
                "no walking network is stored within"
                f" {(area.max_walk_m / 2 + self._pad_m) / 1000:.1f} km of the start;"
                " ingest an extract that covers it",
                field="start",
            )
        return tuple((x, y, version) for x, y, version in rows)

    def tiles(self, versions: TileVersions) -> tuple[list[WalkTile], TileVersions]:
        """The tiles of ``versions``, from the cache or read in one query.

        Threads missing the same tile together read it once (the cache's
        single flight). A tile rebuilt since ``versions`` were read is taken
        as it is now, and one deleted since is left out; the versions returned
        are those of the tiles returned.
        """
        wanted = [("tile", x, y, version) for x, y, version in versions]
        found = self.cache.get_or_load_many(wanted, self._read_tiles)
        pairs = sorted((((key[1], key[2]), value) for key, value in found.items()), key=_by_tile)
        return (
            [tile for _, (_, tile) in pairs],
            tuple((x, y, version) for (x, y), (version, _) in pairs),
        )

    def _read_tiles(
        self, keys: list[TileCacheKey]
    ) -> dict[TileCacheKey, tuple[tuple[int, WalkTile], int]]:
        """Read and decode the tiles of ``keys`` in one query: ``(version, tile)`` and bytes.

        The value carries the version read, not the one asked for: a tile
        rebuilt between the version check and this read is the newer one.
        """
        asked = {(x, y): (tag, x, y, version) for tag, x, y, version in keys}
        with (
            translate_errors("could not read the walking-graph tiles", WalkingNetworkError),
            self._connections() as conn,
        ):
            rows = conn.execute(_TILES, ([x for x, _ in asked], [y for _, y in asked])).fetchall()
        loaded: dict[TileCacheKey, tuple[tuple[int, WalkTile], int]] = {}
        for x, y, version, format_version, data in rows:
            blob = bytes(data)
            if format_version != FORMAT_VERSION:
                decode_tile(blob)  # raises, naming the format its header gives
                raise WalkTileFormatError(
                    f"walk tile ({x}, {y}) is marked format {format_version},"
                    f" this worker reads {FORMAT_VERSION}; {REBUILD_HINT}"
                )
            loaded[asked[(x, y)]] = ((version, decode_tile(blob)), len(blob))
        return loaded

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


def _by_tile(pair: tuple[tuple[int, int], object]) -> tuple[int, int]:
    return pair[0]


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
        node_ids=as_buffer("q", node_ids),
        lats=as_buffer("d", lats),
        lngs=as_buffer("d", lngs),
        indptr=as_buffer("q", indptr),
        targets=as_buffer("q", arc_to[order]),
        lengths_m=as_buffer("d", arc_len[order]),
        shape_offsets=as_buffer("q", shape_offsets),
        shape_lngs=as_buffer("d", shape_xy[:, 0]),
        shape_lats=as_buffer("d", shape_xy[:, 1]),
    )
