"""The tour engine's typed values and errors: snapped points, street legs, an orienteering problem.

They are plain values (no numpy), so the port (``wildside.ports.tour_engine``)
can re-export them and the numba implementation in ``wildside.domain.solver``
can build them without importing the port (the core's layers run app → ports
→ domain, never back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wildside.domain.errors import WildsideError


@dataclass(frozen=True, slots=True)
class SnappedPoint:
    """A point moved to a street vertex, how far it moved (straight line), and the vertex's piece.

    ``component`` labels the connected piece of the walking network the vertex
    lies on (labels are the engine's own: compare them only with labels from
    the same engine) and ``component_size`` counts its vertices; no tour can
    leave the piece it starts on. ``vertex`` and ``component`` are -1 and
    ``distance_m`` infinite when the network is empty.
    """

    vertex: int
    distance_m: float
    component: int = -1
    component_size: int = 0


@dataclass(frozen=True, slots=True)
class StreetLeg:
    """One walked leg between two vertices: its street length and its path as ``(lng, lat)``.

    ``streets`` lists the streets walked, in order, as ``(street id, metres)``;
    a street has one id whichever way it is walked (``wildside.domain.retracing``
    counts the metres walked twice with it).
    """

    length_m: float
    coords: list[tuple[float, float]]
    streets: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True, slots=True)
class OrienteeringProblem:
    """Choose and order nodes to maximise the score within ``budget`` (travel plus service).

    Node ``start`` and node ``end`` (equal for a round trip) are always
    visited; ``costs`` is an n-by-n matrix of finite, non-negative travel
    costs; ``service`` the cost of visiting each node (the ends pay none).
    With ``max_iterations`` set the answer depends only on the problem and
    ``seed``; ``time_limit_s`` is then a safety cap.

    Examples
    --------
    >>> problem = OrienteeringProblem(
    ...     scores=(0.0, 1.0), costs=((0.0, 1.0), (1.0, 0.0)), service=(0.0, 0.0),
    ...     start=0, end=0, budget=3.0, seed=1, max_iterations=10, time_limit_s=1.0,
    ... )
    >>> problem.is_round_trip
    True
    """

    scores: Sequence[float]
    costs: Sequence[Sequence[float]]
    service: Sequence[float]
    start: int
    end: int
    budget: float
    seed: int
    max_iterations: int
    time_limit_s: float

    @property
    def is_round_trip(self) -> bool:
        """Whether the route ends where it starts."""
        return self.start == self.end


@dataclass(frozen=True, slots=True)
class OrienteeringSolution:
    """The best route found (node indices from start to end) and how the search went."""

    route: list[int]
    score: float
    cost: float
    iterations: int
    is_time_limited: bool
    is_stopped_early: bool = False  # the progress callback asked the search to stop


class TourEngineError(WildsideError):
    """The engine could not answer a problem; the subclasses say why."""

    code = "engine-error"


class InvalidProblemError(TourEngineError, ValueError):
    """A problem with the wrong shape, or NaN, infinite or negative numbers.

    The planner builds only valid problems, so this is a bug when it reaches
    a walker; it stays a ``ValueError`` too for the benchmark scripts that
    call the solver directly.
    """

    code = "invalid-engine-problem"


class InfeasibleBudgetError(TourEngineError):
    """Even the direct trip from start to end costs more than the budget.

    Examples
    --------
    >>> error = InfeasibleBudgetError("too far", direct_cost=5.0, budget=3.0)
    >>> error.code, error.is_retryable, error.direct_cost
    ('infeasible-budget', False, 5.0)
    """

    code = "infeasible-budget"

    def __init__(self, message: str, *, direct_cost: float, budget: float) -> None:
        super().__init__(message)
        self.direct_cost = direct_cost
        self.budget = budget
