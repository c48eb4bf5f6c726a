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
from wildside.domain.solver.api import ProgressCallback, solve_op
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
    """

    def __init__(self, network: StreetNetwork) -> None:
        self._network = network

    def snap(self, points: Sequence[GeoPoint]) -> list[SnappedPoint]:
        """Each point's nearest street vertex and the straight-line metres to it."""
        vertices, metres = self._network.snap([p.lat for p in points], [p.lng for p in points])
        return [SnappedPoint(v, m) for v, m in zip(vertices, metres, strict=True)]

    def travel_matrix(
        self, vertices: Sequence[int], *, is_round_trip: bool, walk_m: float
    ) -> list[list[float]]:
        """Street metres among a tour's ``vertices`` (start, [end,] stops); ``inf`` if unusable."""
        return self._network.tour_matrix(list(vertices), round_trip=is_round_trip, walk_m=walk_m)

    def solve(
        self, problem: OrienteeringProblem, progress: ProgressCallback | None = None
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
        )
        return OrienteeringSolution(
            route=solution.route,
            score=solution.score,
            cost=solution.cost,
            iterations=solution.iterations,
            is_time_limited=solution.is_time_limited,
        )

    def legs(self, vertices: Sequence[int], cutoff_m: float) -> list[StreetLeg]:
        """The street path of each consecutive pair of ``vertices``."""
        return self._network.legs(list(vertices), cutoff_m)
