"""In-memory ``MapDataStore`` with the same merge semantics as the PostgreSQL adapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wildside.domain.map_data import PoiRecord, WalkEdge, WalkNode
from wildside.ports.map_data_store import MapDataStore, MapImport, MergeCounts


@dataclass
class InMemoryMapDataStore(MapDataStore):
    """Stored rows live in dicts keyed like the database's primary keys."""

    pois: dict[tuple[str, int], PoiRecord] = field(default_factory=dict)
    nodes: dict[int, WalkNode] = field(default_factory=dict)
    edges: dict[tuple[int, int], WalkEdge] = field(default_factory=dict)
    imports: list[tuple[str, MergeCounts]] = field(default_factory=list)

    def begin_import(self, source: str) -> MapImport:
        """Open a staged import."""
        return _InMemoryImport(self, source)


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
        self.is_closed = True
        return counts

    def abort(self) -> None:
        self.is_closed = True
