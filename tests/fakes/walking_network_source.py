"""A ``WalkingNetworkSource`` that serves a graph built from plain edge lists."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from wildside.domain.map_data import WalkEdge, WalkNode
from wildside.domain.walk_tiles import area_bounds, tile_of, tiles_in
from wildside.domain.walking_graph import WalkingGraph
from wildside.ports.walking_network_source import (
    NoWalkingNetworkError,
    SearchArea,
    WalkingNetworkSource,
)


@dataclass
class InMemoryWalkingNetworkSource(WalkingNetworkSource):
    """Builds the CSR form of ``nodes`` and ``edges`` the same way the database adapter does."""

    nodes: list[WalkNode]
    edges: list[WalkEdge]

    def for_area(self, area: SearchArea, pad_m: float = 400.0) -> WalkingGraph:
        """The vertices of the grid tiles the area's box touches, and the edges among them."""
        low, high = tiles_in(area_bounds(area.start, area.end, area.max_walk_m, pad_m))
        kept = [
            n
            for n in self.nodes
            if low.x <= tile_of(n.lat, n.lng).x <= high.x
            and low.y <= tile_of(n.lat, n.lng).y <= high.y
        ]
        if not kept:
            raise NoWalkingNetworkError("no walking network near the start", field="start")
        ids = {n.osm_id for n in kept}
        edges = [e for e in self.edges if e.source in ids and e.target in ids]
        return InMemoryWalkingNetworkSource(kept, edges).load()

    def load(self) -> WalkingGraph:
        """Index vertices by sorted OSM id; each edge becomes two arcs."""
        ordered = sorted(self.nodes, key=lambda n: n.osm_id)
        index = {node.osm_id: i for i, node in enumerate(ordered)}
        arcs: list[tuple[int, int, float, list[tuple[float, float]]]] = []
        for edge in self.edges:
            shape = list(edge.coords)
            arcs.append((index[edge.source], index[edge.target], edge.length_m, shape))
            arcs.append((index[edge.target], index[edge.source], edge.length_m, shape[::-1]))
        arcs.sort(key=lambda arc: arc[0])
        indptr = [0] * (len(ordered) + 1)
        for source, *_ in arcs:
            indptr[source + 1] += 1
        for i in range(len(ordered)):
            indptr[i + 1] += indptr[i]
        offsets = [0]
        for *_, shape in arcs:
            offsets.append(offsets[-1] + len(shape))
        return WalkingGraph(
            node_ids=array("q", [n.osm_id for n in ordered]),
            lats=array("d", [n.lat for n in ordered]),
            lngs=array("d", [n.lng for n in ordered]),
            indptr=array("q", indptr),
            targets=array("q", [arc[1] for arc in arcs]),
            lengths_m=array("d", [arc[2] for arc in arcs]),
            shape_offsets=array("q", offsets),
            shape_lngs=array("d", [lng for *_, shape in arcs for lng, _ in shape]),
            shape_lats=array("d", [lat for *_, shape in arcs for _, lat in shape]),
        )
