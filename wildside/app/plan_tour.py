"""Use case: plan one walking tour — candidates, scores, then the engine: matrix, solve, legs."""

from __future__ import annotations

from dataclasses import dataclass

from wildside.domain.dedup import merge_duplicates
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.reasons import reason_for
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import ScoredPoi, apply_diversity, score_poi, theme_weights
from wildside.domain.tour import Diagnostics, Tour, TourLeg, TourStop
from wildside.ports.clock import Clock
from wildside.ports.poi_repository import PoiRepository, SearchArea
from wildside.ports.tour_engine import (
    InfeasibleBudgetError,
    OrienteeringProblem,
    ProgressCallback,
    TourEngine,
)
from wildside.ports.tracer import NullTracer, Tracer


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Engine knobs; defaults chosen by measurement (see ``docs/engine.md``)."""

    # Best-scored POIs kept for the solver: on Helsinki (4 starts x 4 theme
    # sets x 60/180 min) 80 scores within 0.01 % of 120 or 200 at 25 % less
    # time, 40 loses 0.5 % (docs/engine.md).
    candidate_cap: int = 80
    # POIs read before scoring, on-theme first: enough for the cap after
    # duplicates and diversity, small enough to keep dense cities fast.
    fetch_limit: int = 600
    max_start_snap_m: float = 400.0  # start/end this far from a street: refuse
    max_poi_snap_m: float = 150.0  # a POI this far from any street cannot be visited
    # Determinism comes from the iteration budget (same request + seed, same
    # tour); the time limit is only a safety cap for pathological inputs.
    # On Helsinki, scores stop improving before 1 000 iterations at every
    # budget from 30 to 480 minutes (docs/engine.md).
    solve_time_limit_s: float = 2.0
    solve_max_iterations: int = 1500
    unreachable: float = 1e12  # finite stand-in for "no path", never within budget


class NoDataNearbyError(InvalidInputError):
    """The start or end lies too far from any street Wildside knows."""

    code = "no-data-nearby"


class EndOutOfReachError(InvalidInputError):
    """Even walking straight from the start to the end takes longer than the whole budget."""

    code = "end-out-of-reach"


class PlanTour:
    """Plans tours with one ``TourEngine`` (street network loaded once per process)."""

    def __init__(
        self,
        pois: PoiRepository,
        engine: TourEngine,
        clock: Clock,
        settings: EngineSettings | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self._pois = pois
        self._engine = engine
        self._clock = clock
        self._settings = settings or EngineSettings()
        self._tracer = tracer or NullTracer()

    def data_version(self) -> str:
        """Identify the map data tours are computed on now."""
        return self._pois.data_version()

    def __call__(
        self,
        request: RouteSpec,
        progress: ProgressCallback | None = None,
        data_version: str | None = None,
    ) -> Tour:
        """Compute the best tour the engine finds for ``request``.

        A caller that already read the ``data_version`` passes it on and saves
        the engine a database round trip.
        """
        s = self._settings
        started = self._clock.monotonic()
        weights = theme_weights(request.themes)
        finish = request.end or request.start
        area = SearchArea(request.start, request.end, request.max_walk_m)
        with self._tracer.span("candidate fetch"):
            found = self._pois.within(area, limit=s.fetch_limit, prefer_themes=sorted(weights))
            ranked = apply_diversity([score_poi(p, weights) for p in merge_duplicates(found)])
            candidates = [c for c in ranked if c.dwell_s < request.budget_s][: s.candidate_cap]
        fetched = self._clock.monotonic()

        with self._tracer.span("street matrix", attributes={"candidates": len(candidates)}):
            vertices, snap_m = self._snap(request, finish, candidates)
            candidates, vertices, snap_m = _drop_far(candidates, vertices, snap_m, s.max_poi_snap_m)
            is_round_trip = request.end is None
            # Leg paths: on a round trip two points of a tour are at most half the walk apart.
            cutoff = request.max_walk_m / 2 if is_round_trip else request.max_walk_m
            metres = self._engine.travel_matrix(
                vertices, is_round_trip=is_round_trip, walk_m=request.max_walk_m
            )
            seconds = _to_seconds(metres, snap_m, request.pace_m_s, s.unreachable)
        matrixed = self._clock.monotonic()

        terminals = 1 if is_round_trip else 2
        scores = [0.0] * terminals + [c.score for c in candidates]
        service = [0.0] * terminals + [c.dwell_s for c in candidates]
        problem = OrienteeringProblem(
            scores=scores,
            costs=seconds,
            service=service,
            start=0,
            end=0 if is_round_trip else 1,
            budget=request.budget_s,
            seed=request.seed,
            max_iterations=s.solve_max_iterations,
            time_limit_s=s.solve_time_limit_s,
        )
        with self._tracer.span("solve", attributes={"seed": request.seed}):
            try:
                solution = self._engine.solve(problem, progress)
            except InfeasibleBudgetError as exc:
                raise _out_of_reach(request, exc, s.unreachable) from exc
        solved = self._clock.monotonic()

        order = solution.route
        with self._tracer.span("leg paths"):
            legs = self._legs(
                order=order,
                vertices=vertices,
                seconds=seconds,
                request=request,
                cutoff=cutoff,
                finish=finish,
                snap_m=snap_m,
            )
        stops = _stops(order, candidates, terminals, legs)
        return Tour(
            start=request.start,
            end=finish,
            stops=stops,
            legs=legs,
            budget_s=request.budget_s,
            seed=request.seed,
            data_version=data_version or self._pois.data_version(),
            themes=tuple(sorted(weights)),
            diagnostics=Diagnostics(
                candidates_found=len(found),
                candidates_considered=len(candidates),
                candidate_seconds=round(fetched - started, 4),
                matrix_seconds=round(matrixed - fetched, 4),
                solve_seconds=round(solved - matrixed, 4),
                total_seconds=round(self._clock.monotonic() - started, 4),
                iterations=solution.iterations,
            ),
        )

    def _snap(
        self, request: RouteSpec, finish: GeoPoint, candidates: list[ScoredPoi]
    ) -> tuple[list[int], list[float]]:
        points = [request.start] if request.end is None else [request.start, finish]
        snapped = self._engine.snap(points + [GeoPoint(c.poi.lat, c.poi.lng) for c in candidates])
        vertices = [point.vertex for point in snapped]
        metres = [point.distance_m for point in snapped]
        for label, distance in zip(("start", "end"), metres[: len(points)], strict=False):
            if distance > self._settings.max_start_snap_m:
                raise NoDataNearbyError(
                    f"the {label} is {_describe_m(distance)} from the nearest walkable street"
                    " in the loaded map data; ingest an extract that covers it",
                    field=label,
                )
        return vertices, metres

    def _legs(
        self,
        *,
        order: list[int],
        vertices: list[int],
        seconds: list[list[float]],
        request: RouteSpec,
        cutoff: float,
        finish: GeoPoint,
        snap_m: list[float],
    ) -> list[TourLeg]:
        paths = self._engine.legs([vertices[i] for i in order], cutoff)
        legs: list[TourLeg] = []
        for index, path in enumerate(paths):
            a, b = order[index], order[index + 1]
            if a == b:  # an empty round trip: nowhere to walk
                start = (request.start.lng, request.start.lat)
                legs.append(TourLeg(0.0, 0.0, [start, (finish.lng, finish.lat)]))
                continue
            coords = list(path.coords)
            if index == 0:
                coords.insert(0, (request.start.lng, request.start.lat))
            if index == len(paths) - 1:
                coords.append((finish.lng, finish.lat))
            distance = path.length_m + (snap_m[a] + snap_m[b] if a != b else 0.0)
            legs.append(TourLeg(round(distance, 1), round(seconds[a][b], 1), coords))
        return legs


def _drop_far(
    candidates: list[ScoredPoi], vertices: list[int], snap_m: list[float], limit_m: float
) -> tuple[list[ScoredPoi], list[int], list[float]]:
    terminals = len(vertices) - len(candidates)
    keep = [i for i, m in enumerate(snap_m[terminals:]) if m <= limit_m]
    return (
        [candidates[i] for i in keep],
        vertices[:terminals] + [vertices[terminals + i] for i in keep],
        snap_m[:terminals] + [snap_m[terminals + i] for i in keep],
    )


def _to_seconds(
    rows: list[list[float]], snap_m: list[float], pace: float, unreachable: float
) -> list[list[float]]:
    size = len(rows)
    return [
        [
            0.0
            if i == j
            else (rows[i][j] + snap_m[i] + snap_m[j]) / pace
            if rows[i][j] != float("inf")
            else unreachable
            for j in range(size)
        ]
        for i in range(size)
    ]


def _stops(
    order: list[int], candidates: list[ScoredPoi], terminals: int, legs: list[TourLeg]
) -> list[TourStop]:
    stops: list[TourStop] = []
    clock_s = 0.0
    for position, index in enumerate(order[1:-1], start=0):
        clock_s += legs[position].duration_s
        item = candidates[index - terminals]
        stops.append(
            TourStop(
                key=item.poi.key,
                name=item.poi.name,
                lat=item.poi.lat,
                lng=item.poi.lng,
                themes=item.poi.themes,
                score=item.score,
                arrival_s=round(clock_s, 1),
                dwell_s=item.dwell_s,
                reason=reason_for(item),
            )
        )
        clock_s += item.dwell_s
    return stops


def _out_of_reach(
    request: RouteSpec, exc: InfeasibleBudgetError, unreachable: float
) -> EndOutOfReachError:
    """Say why the end cannot be reached, in the walker's terms (never node numbers)."""
    budget = f"{request.duration_minutes:g}-minute budget"
    if exc.direct_cost >= unreachable:
        # The matrix leaves a pair unusable when no tour of the walk could use it.
        message = (
            f"the end cannot be reached from the start within the {budget} at"
            f" {request.pace_m_s:g} m/s: the walk between them is longer than"
            f" {_describe_m(request.max_walk_m)}, or no street joins them;"
            " choose a nearer end or more time"
        )
    else:
        minutes = exc.direct_cost / 60.0
        message = (
            f"walking straight from the start to the end takes {minutes:.0f} minutes,"
            f" more than the {budget}; choose a nearer end or more time"
        )
    return EndOutOfReachError(message, field="end")


def _describe_m(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"
