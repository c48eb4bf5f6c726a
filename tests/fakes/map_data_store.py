"""In-memory ``MapDataStore`` with the same merge semantics as the PostgreSQL adapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wildside.domain.map_data import PoiRecord, WalkEdge, WalkNode
from wildside.domain.walk_tiles import TileKey, tile_of
from wildside.ports.map_data_store import (
    MapDataStore,
    MapDataStoreError,
    MapImport,
    MergeCounts,
    TileRebuild,
)


@dataclass
class InMemoryMapDataStore(MapDataStore):
    """Stored rows live in dicts keyed like the database's primary keys.

    A tile is modelled by its version alone (``tiles``); imports and rebuilds
    take versions from one counter, as the database's sequence. A rebuild's
    batch number ``fail_rebuild_at`` (from 0) fails, for tests of failures.
    """

    pois: dict[tuple[str, int], PoiRecord] = field(default_factory=dict)
    nodes: dict[int, WalkNode] = field(default_factory=dict)
    edges: dict[tuple[int, int], WalkEdge] = field(default_factory=dict)
    imports: list[tuple[str, MergeCounts]] = field(default_factory=list)
    tiles: dict[TileKey, int] = field(default_factory=dict)
    last_version: int = 0
    fail_rebuild_at: int | None = None
    open_rebuilds: int = 0

    def begin_import(self, source: str) -> MapImport:
        """Open a staged import."""
        return _InMemoryImport(self, source)

    def begin_tile_rebuild(self) -> TileRebuild:
        """Take the next version and start a rebuild."""
        self.last_version += 1
        self.open_rebuilds += 1
        return _InMemoryTileRebuild(self, self.last_version)

    def cells(self) -> set[TileKey]:
        """The tiles of every stored node."""
        return {tile_of(node.lat, node.lng) for node in self.nodes.values()}


class _InMemoryTileRebuild(TileRebuild):
    def __init__(self, store: InMemoryMapDataStore, version: int) -> None:
        self._store = store
        self._version = version
        self._batches = 0

    @property
    def version(self) -> int:
        return self._version

    def tiles(self) -> list[TileKey]:
        return sorted(self._store.cells())

    def rebuild(self, tiles: Sequence[TileKey]) -> int:
        if self._batches == self._store.fail_rebuild_at:
            raise MapDataStoreError("could not rebuild walking-graph tiles: disk full")
        self._batches += 1
        cells = self._store.cells()
        written = 0
        for key in tiles:
            if key in cells:
                self._store.tiles[key] = self._version
                written += 1
            else:
                self._store.tiles.pop(key, None)
        return written

    def finish(self) -> int:
        cells = self._store.cells()
        empty = [key for key in self._store.tiles if key not in cells]
        for key in empty:
            del self._store.tiles[key]
        return len(empty)

    def close(self) -> None:
        self._store.open_rebuilds -= 1


class _InMemoryImport(MapImport):
    def __init__(self, store: InMemoryMapDataStore, source: str) -> None:
        self._store = store
        self._source = source
        self._pois: list[PoiRecord] = []
        self._nodes: list[WalkNode] = []
        self._edges: list[WalkEdge] = []
        self.is_closed = False

    def stage_pois(self, pois: Sequence[PoiRecord]) -> None:
        self._pois.extend(pois)

    def stage_network(self, nodes: Sequence[WalkNode], edges: Sequence[WalkEdge]) -> None:
        self._nodes.extend(nodes)
        self._edges.extend(edges)

    def commit(self, *, batch_size: int) -> MergeCounts:
        inserted = updated = 0
        for poi in self._pois:
            key = (poi.element_type, poi.osm_id)
            old = self._store.pois.get(key)
            if old is None:
                inserted += 1
            elif old != poi:
                updated += 1
            self._store.pois[key] = poi
        for node in self._nodes:
            self._store.nodes[node.osm_id] = node
        last_seq: dict[int, int] = {}
        for edge in self._edges:
            self._store.edges[(edge.way_id, edge.seq)] = edge
            last_seq[edge.way_id] = max(edge.seq, last_seq.get(edge.way_id, -1))
        for way_id, seq in list(self._store.edges):
            if way_id in last_seq and seq > last_seq[way_id]:
                del self._store.edges[(way_id, seq)]
        counts = MergeCounts(
            pois_inserted=inserted,
            pois_updated=updated,
            pois_unchanged=len(self._pois) - inserted - updated,
            network_nodes=len(self._nodes),
            network_edges=len(self._edges),
        )
        self._store.imports.append((self._source, counts))
        self._store.last_version += 1
        for node in self._nodes:
            self._store.tiles[tile_of(node.lat, node.lng)] = self._store.last_version
        self.is_closed = True
        return counts

    def abort(self) -> None:
        self.is_closed = True
