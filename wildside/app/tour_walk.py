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

# Whether every stop is open when the walker reaches it along legs of these seconds.
OpenCheck = Callable[[Sequence[int], Sequence[float]], bool]


def _always_open(walked: Sequence[int], leg_s: Sequence[float]) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class WalkedTour:
    """A solved tour with its street legs: the route, what is walked, and what each leg takes."""

    solution: OrienteeringSolution
    walked: list[int]  # the route's points the walker walks between (no virtual end)
    paths: list[StreetLeg]
    leg_s: list[float]
    penalty: float  # the reuse penalty the legs were built with

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
    drops its virtual end); ``vertices`` and ``snap_m`` are per problem node;
    ``is_open`` says whether every stop is open at its arrival along the legs
    as walked (opening hours: ``TourHours.is_open_along``).
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
    is_open: OpenCheck = _always_open

    def walk(self, solution: OrienteeringSolution) -> WalkedTour:
        """The solver's tour walked with as few retraced streets as its budget allows.

        1. The solution's stops with their legs penalised (``fitted``), easing
           the penalty where the longer legs would overrun the budget or reach
           a stop after it closes. With no penalty the legs are the shortest
           walks the solver planned and checked, so that always does.
        2. Unless it fitted at the full penalty, up to ``rounds`` re-solves, each
           told what the legs it saw really take (``raised_costs``); a re-solved
           tour replaces it when it scores more, or as much and retraces less.

        A search already stopped early (the job is out of time) is not re-solved.
        """
        if self.penalty <= 0.0:
            return self._walked(solution, 0.0)
        best = self.fitted(solution) or self._walked(solution, 0.0)
        if best.penalty == self.penalty or solution.is_stopped_early:
            return best
        costs, seen = self.problem.costs, self._walked(solution, self.penalty)
        for _ in range(self.rounds):
            costs = raised_costs(costs, seen.walked, seen.leg_s)
            again = self.engine.solve(replace(self.problem, costs=costs))
            seen = self._walked(again, self.penalty)
            tour = self.fitted(again)
            if tour is not None and _rank(tour) > _rank(best):
                best = tour
        return best

    def fitted(self, solution: OrienteeringSolution) -> WalkedTour | None:
        """``solution`` walked at the largest penalty (halving it, then none) that it allows.

        A walk is allowed when it fits the budget and finds every stop open. A
        round trip may be walked either way: of the two directions allowed at
        that penalty, the one that retraces less (the solver's own on a tie).
        None when not even the shortest legs are allowed (a re-solve that
        ignored opening hours).
        """
        routes = [solution]
        route = solution.route
        if len(route) > 3 and route[0] == route[-1]:
            routes.append(replace(solution, route=route[::-1]))
        penalty = self.penalty
        for _ in range(_EASINGS + 1):
            allowed = [w for w in (self._walked(r, penalty) for r in routes) if self._allows(w)]
            if allowed:
                return min(allowed, key=lambda w: w.retrace_share)
            penalty /= 2.0
        shortest = self._walked(solution, 0.0)
        return shortest if self._allows(shortest) else None

    def _walked(self, solution: OrienteeringSolution, penalty: float) -> WalkedTour:
        walked = self.walk_of(solution.route)
        paths = self.engine.legs([self.vertices[i] for i in walked], self.cutoff_m, penalty)
        street_m = [path.length_m for path in paths]
        leg_s = leg_seconds(walked, street_m, self.problem.costs, self.snap_m, self.pace_m_s)
        return WalkedTour(solution, walked, paths, leg_s, penalty)

    def _allows(self, tour: WalkedTour) -> bool:
        # The ends dwell for nothing, so every node of the route can be summed.
        dwell = [self.problem.service[i] for i in tour.solution.route]
        is_within = fits_budget(tour.leg_s, dwell, self.problem.budget)
        return is_within and self.is_open(tour.walked, tour.leg_s)


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
    is_open: OpenCheck = _always_open,
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
        is_open=is_open,
    )
    return walker.walk(solution)
