"""Split walkable ways into graph edges at shared nodes, with geodesic lengths.

Ways are collected as flat arrays (ids and coordinates) rather than Python
objects, so memory grows with the walkable network only, at about 24 bytes
per way node; the split itself is a handful of vectorised numpy passes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np
from pyproj import Geod

from wildside.domain.map_data import WalkEdge, WalkNode

_WGS84 = Geod(ellps="WGS84")


class NetworkBuilder:
    """Collects walkable way runs, then yields nodes and edges in bounded chunks.

    A *run* is a stretch of a way whose nodes all have known locations; a way
    cut by the extract boundary becomes several runs, so no edge ever jumps
    across missing nodes.
    """

    def __init__(self) -> None:
        self._node_ids = array("q")
        self._lngs = array("d")
        self._lats = array("d")
        self._run_starts = array("q")
        self._run_way_ids = array("q")
        self._run_highways = array("q")
        self._highway_names: dict[str, int] = {}

    def add_run(
        self, way_id: int, highway: str, node_ids: list[int], lngs: list[float], lats: list[float]
    ) -> None:
        """Add one run of a walkable way (at least two located nodes)."""
        if len(node_ids) < 2:
            return
        self._run_starts.append(len(self._node_ids))
        self._run_way_ids.append(way_id)
        self._run_highways.append(self._highway_names.setdefault(highway, len(self._highway_names)))
        self._node_ids.extend(node_ids)
        self._lngs.extend(lngs)
        self._lats.extend(lats)

    @property
    def run_count(self) -> int:
        """How many runs were collected."""
        return len(self._run_starts)

    def build(self, chunk_size: int) -> Iterator[tuple[list[WalkNode], list[WalkEdge]]]:
        """Yield ``(nodes, edges)`` chunks of at most ``chunk_size`` records each."""
        total = len(self._node_ids)
        if total == 0:
            return
        ids = np.frombuffer(self._node_ids, dtype=np.int64)
        lngs = np.frombuffer(self._lngs, dtype=np.float64)
        lats = np.frombuffer(self._lats, dtype=np.float64)
        run_starts = np.frombuffer(self._run_starts, dtype=np.int64)
        run_ends = np.append(run_starts[1:], total) - 1

        # A node is a graph vertex where a way ends or where two way
        # occurrences meet (including a way crossing itself).
        _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
        is_vertex = counts[inverse] > 1
        is_vertex[run_starts] = True
        is_vertex[run_ends] = True
        vertex_positions = np.flatnonzero(is_vertex)

        is_run_end = np.zeros(total, dtype=bool)
        is_run_end[run_ends] = True
        edge_starts = vertex_positions[:-1][~is_run_end[vertex_positions[:-1]]]
        edge_ends = vertex_positions[1:][~is_run_end[vertex_positions[:-1]]]
        keep = ids[edge_starts] != ids[edge_ends]  # loops add nothing to a path search
        edge_starts, edge_ends = edge_starts[keep], edge_ends[keep]

        _, _, segment_m = _WGS84.inv(lngs[:-1], lats[:-1], lngs[1:], lats[1:])
        cumulative_m = np.concatenate(([0.0], np.cumsum(segment_m)))
        lengths = cumulative_m[edge_ends] - cumulative_m[edge_starts]

        run_of_edge = np.searchsorted(run_starts, edge_starts, side="right") - 1
        seqs = _sequence_within_way(np.frombuffer(self._run_way_ids, dtype=np.int64)[run_of_edge])

        yield from self._node_chunks(
            ids=ids, lngs=lngs, lats=lats, vertex_positions=vertex_positions, chunk_size=chunk_size
        )
        yield from self._edge_chunks(
            ids=ids,
            lngs=lngs,
            lats=lats,
            edge_starts=edge_starts,
            edge_ends=edge_ends,
            lengths=lengths,
            run_of_edge=run_of_edge,
            seqs=seqs,
            chunk_size=chunk_size,
        )

    def _node_chunks(
        self,
        *,
        ids: np.ndarray,
        lngs: np.ndarray,
        lats: np.ndarray,
        vertex_positions: np.ndarray,
        chunk_size: int,
    ) -> Iterator[tuple[list[WalkNode], list[WalkEdge]]]:
        _, first = np.unique(ids[vertex_positions], return_index=True)
        positions = vertex_positions[first]
        for start in range(0, len(positions), chunk_size):
            part = positions[start : start + chunk_size]
            yield (
                [
                    WalkNode(osm_id=node_id, lat=lat, lng=lng)
                    for node_id, lat, lng in zip(
                        ids[part].tolist(), lats[part].tolist(), lngs[part].tolist(), strict=True
                    )
                ],
                [],
            )

    def _edge_chunks(
        self,
        *,
        ids: np.ndarray,
        lngs: np.ndarray,
        lats: np.ndarray,
        edge_starts: np.ndarray,
        edge_ends: np.ndarray,
        lengths: np.ndarray,
        run_of_edge: np.ndarray,
        seqs: np.ndarray,
        chunk_size: int,
    ) -> Iterator[tuple[list[WalkNode], list[WalkEdge]]]:
        names = {index: name for name, index in self._highway_names.items()}
        way_ids = np.frombuffer(self._run_way_ids, dtype=np.int64)[run_of_edge]
        highways = np.frombuffer(self._run_highways, dtype=np.int64)[run_of_edge]
        lng_list, lat_list = lngs.tolist(), lats.tolist()
        for start in range(0, len(edge_starts), chunk_size):
            stop = start + chunk_size
            edges = [
                WalkEdge(
                    way_id=way_id,
                    seq=seq,
                    source=source,
                    target=target,
                    length_m=length,
                    highway=names[highway],
                    coords=tuple(zip(lng_list[s : e + 1], lat_list[s : e + 1], strict=True)),
                )
                for way_id, seq, source, target, length, highway, s, e in zip(
                    way_ids[start:stop].tolist(),
                    seqs[start:stop].tolist(),
                    ids[edge_starts[start:stop]].tolist(),
                    ids[edge_ends[start:stop]].tolist(),
                    lengths[start:stop].tolist(),
                    highways[start:stop].tolist(),
                    edge_starts[start:stop].tolist(),
                    edge_ends[start:stop].tolist(),
                    strict=True,
                )
            ]
            yield ([], edges)


def _sequence_within_way(way_ids: np.ndarray) -> np.ndarray:
    """Number edges 0, 1, 2… within each way (edges of one way are consecutive)."""
    if len(way_ids) == 0:
        return way_ids
    index = np.arange(len(way_ids))
    is_first = np.ones(len(way_ids), dtype=bool)
    is_first[1:] = way_ids[1:] != way_ids[:-1]
    first_index = np.maximum.accumulate(np.where(is_first, index, 0))
    return index - first_index
