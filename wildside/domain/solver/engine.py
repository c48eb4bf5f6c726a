"""The numba tour engine: street kernels and the orienteering solver behind typed values.

``NumbaTourEngine`` is the one implementation of ``wildside.ports.tour_engine.TourEngine``.
It cannot subclass the protocol (the domain never imports ports); the
composition root's annotation and mypy check that it fits.
"""

from __future__ import annotations

from collections.abc import Sequence

from wildside.domain.geo import GeoPoint
from wildside.domain.orienteering import (
    OrienteeringProblem,
    OrienteeringSolution,
    SnappedPoint,
    StreetLeg,
)
from wildside.domain.solver.api import ImprovementCallback, ProgressCallback, solve_op
from wildside.domain.solver.street_network import StreetNetwork


class NumbaTourEngine:
    """Tours on one in-memory street network (loaded once per process).

    Examples
    --------
    >>> from array import array
    >>> from wildside.domain.walking_graph import WalkingGraph
    >>> graph = WalkingGraph(
    ...     node_ids=array("q", [1, 2]), lats=array("d", [60.0, 60.001]),
    ...     lngs=array("d", [25.0, 25.0]), indptr=array("q", [0, 1, 2]),
    ...     targets=array("q", [1, 0]), lengths_m=array("d", [111.0, 111.0]),
    ...     shape_offsets=array("q", [0, 2, 4]),
    ...     shape_lngs=array("d", [25.0, 25.0, 25.0, 25.0]),
    ...     shape_lats=array("d", [60.0, 60.001, 60.001, 60.0]),
    ... )
    >>> engine = NumbaTourEngine(StreetNetwork(graph))
    >>> [point.vertex for point in engine.snap([GeoPoint(60.0009, 25.0)])]
    [1]
    >>> engine.snap([GeoPoint(60.0009, 25.0)], radius_m=400.0)[0].component_size
    2
    """

    def __init__(self, network: StreetNetwork) -> None:
        self._network = network

    def snap(
        self, points: Sequence[GeoPoint], *, radius_m: float = 0.0, component: int | None = None
    ) -> list[SnappedPoint]:
        """Each point's vertex (nearest, or on the piece that matters within ``radius_m``)."""
        network = self._network
        lats, lngs = [p.lat for p in points], [p.lng for p in points]
        if radius_m > 0.0:
            vertices, metres = network.snap_to_pieces(
                lats, lngs, radius_m=radius_m, component=component
            )
        else:
            vertices, metres = network.snap(lats, lngs)
        if network.vertex_count == 0:
            return [SnappedPoint(v, m) for v, m in zip(vertices, metres, strict=True)]
        labels, sizes = network.component_of, network.component_sizes
        return [
            SnappedPoint(v, m, int(labels[v]), int(sizes[labels[v]]))
            for v, m in zip(vertices, metres, strict=True)
        ]

    def travel_matrix(
        self,
        vertices: Sequence[int],
        *,
        is_round_trip: bool,
        walk_m: float,
        is_open_end: bool = False,
    ) -> list[list[float]]:
        """Street metres among a tour's ``vertices`` (start, [end,] stops); ``inf`` if unusable."""
        return self._network.tour_matrix(
            list(vertices), round_trip=is_round_trip, walk_m=walk_m, open_end=is_open_end
        )

    def solve(
        self,
        problem: OrienteeringProblem,
        progress: ProgressCallback | None = None,
        improved: ImprovementCallback | None = None,
    ) -> OrienteeringSolution:
        """The best route the heuristic finds; raises ``TourEngineError`` subclasses."""
        solution = solve_op(
            problem.scores,
            problem.costs,
            problem.start,
            problem.end,
            problem.budget,
            seed=problem.seed,
            time_limit=problem.time_limit_s,
            max_iterations=problem.max_iterations,
            service=problem.service,
            progress=progress,
            improved=improved,
        )
        return OrienteeringSolution(
            route=solution.route,
            score=solution.score,
            cost=solution.cost,
            iterations=solution.iterations,
            is_time_limited=solution.is_time_limited,
            is_stopped_early=solution.is_stopped_early,
        )

    def legs(
        self, vertices: Sequence[int], cutoff_m: float, reuse_penalty: float = 0.0
    ) -> list[StreetLeg]:
        """The street path of each consecutive pair of ``vertices``, avoiding walked streets."""
        return self._network.legs(list(vertices), cutoff_m, reuse_penalty)
