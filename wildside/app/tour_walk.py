"""Walk a solved tour on the streets without retracing; ease off or re-solve where it overruns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from wildside.domain.leg_costs import fits_budget, leg_seconds, raised_costs
from wildside.domain.open_end import walked_order
from wildside.domain.retracing import retrace_share
from wildside.domain.route_spec import RouteSpec
from wildside.ports.tour_engine import (
    OrienteeringProblem,
    OrienteeringSolution,
    StreetLeg,
    TourEngine,
)

# Halvings of the penalty tried before a tour is walked with none: the last leaves
# a sixteenth, where a detour may be only 1/16 longer than the street it spares.
_EASINGS = 4
# Scores summed in another order differ in the last bits; that is not "more".
_SCORE_DECIMALS = 9


@dataclass(frozen=True, slots=True)
class WalkedTour:
    """A solved tour with its street legs: the route, what is walked, and what each leg takes."""

    solution: OrienteeringSolution
    walked: list[int]  # the route's points the walker walks between (no virtual end)
    paths: list[StreetLeg]
    leg_s: list[float]

    @property
    def retrace_share(self) -> float:
        """The share of the walked street metres on streets walked before."""
        return retrace_share(street for path in self.paths for street in path.streets)

    @property
    def score(self) -> float:
        """What the solver's tour collects."""
        return self.solution.score


@dataclass(frozen=True, slots=True)
class TourWalker:
    """Builds a tour's legs with reused streets penalised, within the budget, deterministically.

    ``walk_of(route)`` gives the points a route walks between (an open end
    drops its virtual end); ``vertices`` and ``snap_m`` are per problem node.
    """

    engine: TourEngine
    problem: OrienteeringProblem
    vertices: Sequence[int]
    snap_m: Sequence[float]
    pace_m_s: float
    cutoff_m: float
    walk_of: Callable[[list[int]], list[int]]
    penalty: float
    rounds: int

    def walk(self, solution: OrienteeringSolution) -> WalkedTour:
        """The solver's tour walked with as few retraced streets as its budget allows.

        1. The solution's stops with their legs penalised (``fitted``), easing
           the penalty where the longer legs no longer fit.
        2. Unless it fitted at the full penalty, up to ``rounds`` re-solves, each
           told what the legs it saw really take (``raised_costs``); a re-solved
           tour replaces it when it scores more, or as much and retraces less.

        A search already stopped early (the job is out of time) is not re-solved.
        """
        if self.penalty <= 0.0:
            return self._walked(solution, 0.0)
        best, is_full = self.fitted(solution)
        if is_full or solution.is_stopped_early:
            return best
        costs, seen = self.problem.costs, self._walked(solution, self.penalty)
        for _ in range(self.rounds):
            costs = raised_costs(costs, seen.walked, seen.leg_s)
            again = self.engine.solve(replace(self.problem, costs=costs))
            seen = self._walked(again, self.penalty)
            tour, _ = self.fitted(again)
            if _rank(tour) > _rank(best):
                best = tour
        return best

    def fitted(self, solution: OrienteeringSolution) -> tuple[WalkedTour, bool]:
        """``solution`` walked at the largest penalty (halving it) at which it fits the budget.

        A round trip may be walked either way: of the two directions that fit
        at that penalty, the one that retraces less (the solver's own on a
        tie). With no penalty the legs are the shortest the solver planned, so
        they always fit. Also says whether the full penalty fitted.
        """
        routes = [solution]
        route = solution.route
        if len(route) > 3 and route[0] == route[-1]:
            routes.append(replace(solution, route=route[::-1]))
        penalty = self.penalty
        for easing in range(_EASINGS + 1):
            walks = [self._walked(r, penalty) for r in routes]
            fitting = [w for w in walks if self._fits(w)]
            if fitting:
                return min(fitting, key=lambda w: w.retrace_share), easing == 0
            penalty /= 2.0
        return self._walked(solution, 0.0), False

    def _walked(self, solution: OrienteeringSolution, penalty: float) -> WalkedTour:
        walked = self.walk_of(solution.route)
        paths = self.engine.legs([self.vertices[i] for i in walked], self.cutoff_m, penalty)
        street_m = [path.length_m for path in paths]
        leg_s = leg_seconds(walked, street_m, self.problem.costs, self.snap_m, self.pace_m_s)
        return WalkedTour(solution, walked, paths, leg_s)

    def _fits(self, tour: WalkedTour) -> bool:
        # The ends dwell for nothing, so every node of the route can be summed.
        dwell = [self.problem.service[i] for i in tour.solution.route]
        return fits_budget(tour.leg_s, dwell, self.problem.budget)


def _rank(tour: WalkedTour) -> tuple[float, float]:
    """Better tours rank higher: more score first, then less retracing."""
    return round(tour.score, _SCORE_DECIMALS), -tour.retrace_share


def walk_tour(
    engine: TourEngine,
    problem: OrienteeringProblem,
    solution: OrienteeringSolution,
    *,
    request: RouteSpec,
    vertices: Sequence[int],
    snap_m: Sequence[float],
    cutoff_m: float,
    penalty: float,
    rounds: int,
) -> WalkedTour:
    """``solution`` walked on the streets for ``request`` (``TourWalker.walk``)."""
    walker = TourWalker(
        engine=engine,
        problem=problem,
        vertices=vertices,
        snap_m=snap_m,
        pace_m_s=request.pace_m_s,
        cutoff_m=cutoff_m,
        walk_of=walked_order if request.end_anywhere else list,
        penalty=penalty,
        rounds=rounds,
    )
    return walker.walk(solution)
