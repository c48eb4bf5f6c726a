"""The walking graph held in memory once per process, with snapping, matrices and leg paths."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from wildside.domain.orienteering import StreetLeg
from wildside.domain.solver.components import (
    label_components,
    snap_to_pieces,
    warm_up_component_kernels,
)
from wildside.domain.solver.street_paths import leg_paths, snap_to_vertices
from wildside.domain.solver.street_reuse import arc_twins, penalised_leg_paths
from wildside.domain.solver.tour_matrix import tour_matrix
from wildside.domain.walking_graph import WalkingGraph


class StreetNetwork:
    """Numpy views over a ``WalkingGraph`` (no copies) plus a latitude index for snapping."""

    def __init__(self, graph: WalkingGraph) -> None:
        self.graph = graph
        self.indptr = np.frombuffer(graph.indptr, dtype=np.int64)
        self.targets = np.frombuffer(graph.targets, dtype=np.int64)
        self.lengths = np.frombuffer(graph.lengths_m, dtype=np.float64)
        self.lats = np.frombuffer(graph.lats, dtype=np.float64)
        self.lngs = np.frombuffer(graph.lngs, dtype=np.float64)
        self.shape_offsets = np.frombuffer(graph.shape_offsets, dtype=np.int64)
        self.shape_lngs = np.frombuffer(graph.shape_lngs, dtype=np.float64)
        self.shape_lats = np.frombuffer(graph.shape_lats, dtype=np.float64)
        self._lat_order = np.argsort(self.lats, kind="stable")
        self._sorted_lats = self.lats[self._lat_order]

    @property
    def vertex_count(self) -> int:
        """Number of vertices."""
        return int(self.lats.shape[0])

    @property
    def nbytes(self) -> int:
        """Memory held for the graph, its index and the arcs' twins.

        The twins (one int64 per arc, like ``targets``) are counted before a
        tour's legs pair them, so a cache bounded by bytes keeps its bound.
        """
        index = self._lat_order.nbytes + self._sorted_lats.nbytes
        return self.graph.nbytes + int(index + self.targets.nbytes)

    def snap(self, lats: list[float], lngs: list[float]) -> tuple[list[int], list[float]]:
        """Nearest vertex of each point and the straight-line metres to it."""
        if self.vertex_count == 0:
            return [-1] * len(lats), [float("inf")] * len(lats)
        nearest, metres = snap_to_vertices(
            self._sorted_lats,
            self._lat_order,
            self.lngs,
            np.asarray(lats, dtype=np.float64),
            np.asarray(lngs, dtype=np.float64),
        )
        return nearest.tolist(), metres.tolist()

    @cached_property
    def component_of(self) -> np.ndarray:
        """The piece (connected component) of each vertex, labelled once per network.

        A graph stitched from tiles brings its labels (merged from the tiles',
        computed when they were built). Otherwise, as for the whole graph,
        they are computed on first use and kept: one BFS over the CSR arrays.
        """
        if self.graph.components is not None:
            return np.frombuffer(self.graph.components, dtype=np.int64)
        labels, _ = label_components(self.indptr, self.targets)
        return labels

    @cached_property
    def component_sizes(self) -> np.ndarray:
        """Vertices in each piece, indexed by the labels of ``component_of``."""
        return np.bincount(self.component_of, minlength=1).astype(np.int64)

    @cached_property
    def twins(self) -> np.ndarray:
        """Each arc's reverse twin along the same street, paired on the first legs built."""
        return arc_twins(self.indptr, self.targets, self.lengths)

    def snap_to_pieces(
        self, lats: list[float], lngs: list[float], *, radius_m: float, component: int | None
    ) -> tuple[list[int], list[float]]:
        """Each point's vertex on the piece that matters, and the straight-line metres to it.

        Among the vertices within ``radius_m`` of a point: those of
        ``component`` when given, else those of the largest piece, the nearest
        of them. A point with no such vertex keeps its nearest vertex, whose
        piece or distance tells the caller it is out of reach.
        """
        if self.vertex_count == 0 or not lats:
            return self.snap(lats, lngs)
        wanted = np.full(len(lats), -1 if component is None else component, dtype=np.int64)
        chosen, chosen_m = snap_to_pieces(
            self._sorted_lats,
            self._lat_order,
            self.lngs,
            self.component_of,
            self.component_sizes,
            np.asarray(lats, dtype=np.float64),
            np.asarray(lngs, dtype=np.float64),
            float(radius_m),
            wanted,
        )
        vertices, metres = chosen.tolist(), chosen_m.tolist()
        missed = [i for i, vertex in enumerate(vertices) if vertex < 0]
        if missed:  # nothing qualifies within the radius: the nearest vertex, wherever it is
            nearest, nearest_m = self.snap([lats[i] for i in missed], [lngs[i] for i in missed])
            for i, vertex, m in zip(missed, nearest, nearest_m, strict=True):
                vertices[i], metres[i] = vertex, m
        return vertices, metres

    def tour_matrix(
        self, vertices: list[int], *, round_trip: bool, walk_m: float, open_end: bool = False
    ) -> list[list[float]]:
        """Street metres among a tour's ``vertices`` (start, [end,] stops); ``inf`` if unusable.

        A pair is left at ``inf`` when no tour of ``walk_m`` from the start
        (``vertices[0]``) to the end (itself on a round trip, else
        ``vertices[1]``) could walk it; the searches stop accordingly. With
        ``open_end`` the tour ends at its last stop: ``vertices`` hold no end,
        and no walk back is reserved.
        """
        anchors = 0 if open_end else 1 if round_trip else 2
        metres: list[list[float]] = tour_matrix(
            self.indptr,
            self.targets,
            self.lengths,
            np.asarray(vertices, dtype=np.int64),
            anchors,
            float(walk_m),  # one compiled signature, whatever number type comes in
        ).tolist()
        return metres

    def legs(
        self, stops: list[int], cutoff_m: float, reuse_penalty: float = 0.0
    ) -> list[StreetLeg]:
        """The street path of each consecutive pair of ``stops``.

        With ``reuse_penalty`` > 0 the legs are built in order and a street an
        earlier leg walked (either way) counts ``1 + reuse_penalty`` times its
        length, so a leg takes another street where one is nearly as short.
        """
        stop_array = np.asarray(stops, dtype=np.int64)
        if reuse_penalty > 0.0:
            arcs, offsets = penalised_leg_paths(
                self.indptr,
                self.targets,
                self.lengths,
                self.twins,
                stop_array,
                float(cutoff_m),
                float(reuse_penalty),
            )
        else:
            arcs, offsets = leg_paths(self.indptr, self.targets, self.lengths, stop_array, cutoff_m)
        twins = self.twins
        result: list[StreetLeg] = []
        for leg in range(len(stops) - 1):
            leg_arcs = arcs[offsets[leg] : offsets[leg + 1]]
            coords: list[tuple[float, float]] = [
                (float(self.lngs[stops[leg]]), float(self.lats[stops[leg]]))
            ]
            for arc in leg_arcs.tolist():
                start, stop = self.shape_offsets[arc], self.shape_offsets[arc + 1]
                # Skip each arc's first point: it is the previous arc's last.
                coords.extend(
                    zip(
                        self.shape_lngs[start + 1 : stop].tolist(),
                        self.shape_lats[start + 1 : stop].tolist(),
                        strict=True,
                    )
                )
            metres = self.lengths[leg_arcs]
            streets = np.minimum(leg_arcs, twins[leg_arcs])  # one id per street, either way
            walked = tuple(zip(streets.tolist(), metres.tolist(), strict=True))
            result.append(StreetLeg(float(metres.sum()), coords, walked))
        return result


def warm_up_street_kernels() -> None:
    """Compile (or load from cache) every street kernel on a two-vertex graph."""
    indptr = np.array([0, 1, 2], dtype=np.int64)
    targets = np.array([1, 0], dtype=np.int64)
    lengths = np.array([1.0, 1.0])
    terminals = np.array([0, 1], dtype=np.int64)
    tour_matrix(indptr, targets, lengths, terminals, 1, 10.0)
    tour_matrix(indptr, targets, lengths, terminals, 2, 10.0)
    leg_paths(indptr, targets, lengths, terminals, 10.0)
    twins = arc_twins(indptr, targets, lengths)
    penalised_leg_paths(indptr, targets, lengths, twins, terminals, 10.0, 1.0)
    lats = np.array([0.0, 0.001])
    snap_to_vertices(lats, np.array([0, 1], dtype=np.int64), np.zeros(2), lats, np.zeros(2))
    warm_up_component_kernels()
