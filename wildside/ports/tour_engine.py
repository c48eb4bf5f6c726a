"""Port: the tour engine — snap to streets, street travel matrix, orienteering solve, leg paths.

``PlanTour`` depends on this protocol only. The values and errors are defined
in ``wildside.domain.orienteering`` (the numba implementation in the domain
builds them, and the domain may not import ports) and re-exported here, so a
caller needs this one module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from wildside.domain.geo import GeoPoint
from wildside.domain.orienteering import (
    InfeasibleBudgetError,
    InvalidProblemError,
    OrienteeringProblem,
    OrienteeringSolution,
    SnappedPoint,
    StreetLeg,
    TourEngineError,
)

__all__ = [
    "ImprovementCallback",
    "InfeasibleBudgetError",
    "InvalidProblemError",
    "OrienteeringProblem",
    "OrienteeringSolution",
    "ProgressCallback",
    "SnappedPoint",
    "StreetLeg",
    "TourEngine",
    "TourEngineError",
]

# Called between solver slices with (percent, best score); returning True asks the
# solver to stop and return the best tour it holds (None or False: go on).
ProgressCallback = Callable[[int, float], bool | None]
# Called between solver slices when the best route improved: (route as node indices, score).
ImprovementCallback = Callable[[list[int], float], None]


class TourEngine(Protocol):
    """What tour planning needs of the street network and the solver.

    Every method is deterministic: the same arguments give the same answer.
    Errors are ``TourEngineError`` subclasses, none retryable.
    """

    def snap(
        self, points: Sequence[GeoPoint], *, radius_m: float = 0.0, component: int | None = None
    ) -> list[SnappedPoint]:
        """Each point's street vertex, the straight-line metres to it, and its piece.

        By default the nearest vertex. With ``radius_m``, among the vertices
        within that distance: those on ``component`` when given, else those on
        the largest piece, the nearest of them; a point with no such vertex
        keeps its nearest one (its piece or distance then says it is out of
        reach).
        """
        ...

    def travel_matrix(
        self,
        vertices: Sequence[int],
        *,
        is_round_trip: bool,
        walk_m: float,
        is_open_end: bool = False,
    ) -> list[list[float]]:
        """Street metres among a tour's ``vertices``: the start, the end unless
        ``is_round_trip`` or ``is_open_end``, then the stops.

        A pair no tour of ``walk_m`` metres could walk is ``inf``; every finite
        entry is the exact shortest street distance. ``is_open_end``: the tour
        ends at its last stop, so no walk back to an end is reserved.
        """
        ...

    def solve(
        self,
        problem: OrienteeringProblem,
        progress: ProgressCallback | None = None,
        improved: ImprovementCallback | None = None,
    ) -> OrienteeringSolution:
        """The best route found, calling ``progress(percent, best_score)`` between slices.

        ``improved(route, score)`` is called between slices each time the best
        route so far gets better (never inside the search kernels).

        When ``progress`` returns ``True`` the search stops at once and the
        best feasible route so far is returned, with ``is_stopped_early``.

        Raises ``InfeasibleBudgetError`` when even the direct trip from start
        to end is over the budget, ``InvalidProblemError`` for a malformed
        problem.
        """
        ...

    def legs(
        self, vertices: Sequence[int], cutoff_m: float, reuse_penalty: float = 0.0
    ) -> list[StreetLeg]:
        """The street path of each consecutive pair of ``vertices``, searched to ``cutoff_m``.

        With ``reuse_penalty`` > 0 the legs are built in order, each the
        cheapest path when a street an earlier leg walked (either way) costs
        ``1 + reuse_penalty`` times its length; with 0, each is a shortest path.
        """
        ...
