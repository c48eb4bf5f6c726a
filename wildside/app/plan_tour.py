"""Use case: plan one walking tour — candidates, scores, then the engine: matrix, solve, legs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wildside.app.tour_alternatives import with_alternatives
from wildside.app.tour_hours import TourHours
from wildside.app.tour_sketch import sketcher
from wildside.app.tour_walk import WalkedTour, walk_tour
from wildside.domain.dedup import merge_duplicates, without_places
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.open_end import FREE_END, with_free_end
from wildside.domain.reasons import reason_for
from wildside.domain.route_candidate import TourSketch
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import ScoredPoi, apply_diversity, score_poi, theme_weights
from wildside.domain.tour import Diagnostics, Tour, TourLeg, TourStop
from wildside.domain.tour_notes import CandidateFacts, thin_tour_notes
from wildside.ports.clock import Clock
from wildside.ports.opening_calendar import OpeningCalendar, UnknownOpeningCalendar
from wildside.ports.poi_repository import PoiRepository, SearchArea
from wildside.ports.tour_engine import (
    InfeasibleBudgetError,
    OrienteeringProblem,
    ProgressCallback,
    SnappedPoint,
    TourEngine,
)
from wildside.ports.tour_engines import TourEngineFactory
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
    # Alternatives (``alternatives: k``): each shares at most this share of the smaller
    # tour's stops with any other, and each missing one gets this many solves at most.
    alternatives_max_shared: float = 0.5
    alternatives_attempts: int = 3
    # No retracing: legs are built in order and a street an earlier leg walked costs
    # 1 + this times its length, eased where the tour would overrun; 0 turns it off.
    # On Helsinki 2 halves the retracing at no score loss, and re-solving with the
    # legs' real costs (``reuse_rounds``) bought nothing more (docs/engine.md).
    reuse_penalty: float = 2.0
    reuse_rounds: int = 0


class NoDataNearbyError(InvalidInputError):
    """The start or end lies too far from any street Wildside knows."""

    code = "no-data-nearby"


class EndOutOfReachError(InvalidInputError):
    """Even walking straight from the start to the end takes longer than the whole budget."""

    code = "end-out-of-reach"


class PlanTour:
    """Plans tours with a ``TourEngine`` over the streets each request's area can reach."""

    def __init__(
        self,
        pois: PoiRepository,
        engines: TourEngineFactory,
        clock: Clock,
        settings: EngineSettings | None = None,
        tracer: Tracer | None = None,
        *,
        calendar: OpeningCalendar | None = None,
    ) -> None:
        self._calendar = calendar or UnknownOpeningCalendar()
        self._pois = pois
        self._engines = engines
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
        on_candidate: Callable[[TourSketch], object] | None = None,
    ) -> Tour:
        """Compute the best tour the engine finds for ``request`` (and its alternatives).

        A caller that already read the ``data_version`` passes it on and saves
        the engine a database round trip. ``on_candidate`` sees a sketch of
        each better tour the solver finds (between its slices).
        """
        best = self._plan_one(request, progress, data_version, on_candidate)
        if request.alternatives == 1:
            return best
        return with_alternatives(
            best,
            request,
            lambda spec: self._plan_one(spec, progress, best.data_version, None),
            max_shared=self._settings.alternatives_max_shared,
            attempts_each=self._settings.alternatives_attempts,
        )

    def _plan_one(
        self,
        request: RouteSpec,
        progress: ProgressCallback | None,
        data_version: str | None,
        on_candidate: Callable[[TourSketch], object] | None,
    ) -> Tour:
        s = self._settings
        started = self._clock.monotonic()
        weights = theme_weights(request.themes)
        finish = request.end or request.start  # an open end: the last stop, known after the solve
        area = _search_area(request)
        # The streets first: a start with no walking network near it fails before any POI query.
        with self._tracer.span("street network"):
            engine = self._engines.for_area(area)
        with self._tracer.span("candidate fetch"):
            found = self._pois.within(area, limit=s.fetch_limit, prefer_themes=sorted(weights))
            if request.exclude:  # a re-plan: the places already seen are never candidates
                found = without_places(found, set(request.exclude))
            ranked = apply_diversity([score_poi(p, weights) for p in merge_duplicates(found)])
            affordable = [c for c in ranked if c.dwell_s < request.budget_s]
            hours = TourHours(self._calendar, request, affordable, self._clock.now())
            # Snapped before the cap: a slot goes only to a place a tour can reach.
            ends = self._snap(engine, request, finish)
            reach = self._reachable(engine, hours.open_places(affordable), ends)
            candidates = reach.candidates
        fetched = self._clock.monotonic()

        with self._tracer.span("street matrix", attributes={"candidates": len(candidates)}):
            is_round_trip = request.is_round_trip
            if request.end_anywhere:
                # A virtual end (index 1) that every stop reaches at no cost: the solver's
                # fixed-end search then ends the tour at its last real stop.
                ends = [ends[0], SnappedPoint(ends[0].vertex, 0.0)]
            vertices = [end.vertex for end in ends] + reach.vertices
            snap_m = [end.distance_m for end in ends] + reach.snap_m
            # Leg paths: on a round trip two points of a tour are at most half the walk apart.
            cutoff = request.max_walk_m / 2 if is_round_trip else request.max_walk_m
            seconds = self._seconds(engine, request, vertices, snap_m)
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
                improved = sketcher(request, candidates, terminals, on_candidate)
                solution = hours.solve(engine, problem, candidates, progress, improved)
            except InfeasibleBudgetError as exc:
                raise _out_of_reach(request, exc, s.unreachable) from exc
        with self._tracer.span("leg paths"):  # with re-solves, where legs avoiding retraces overrun
            walk = walk_tour(
                engine,
                problem,
                solution,
                request=request,
                vertices=vertices,
                snap_m=snap_m,
                cutoff_m=cutoff,
                penalty=s.reuse_penalty,
                rounds=s.reuse_rounds,
                is_open=hours.is_open_along,
            )
            hours.settle_along(walk.walked, walk.leg_s)  # stops open as walked, not as planned
        solved = self._clock.monotonic()

        order, walked, solution = walk.solution.route, walk.walked, walk.solution
        if walked[-1] >= terminals:  # ends anywhere, at a stop: the tour finishes there
            poi = candidates[walked[-1] - terminals].poi
            finish = GeoPoint(poi.lat, poi.lng)
        legs = self._legs(walk, request=request, finish=finish, snap_m=snap_m)
        stops = hours.mark(_stops(order, candidates, terminals, legs))
        facts = CandidateFacts(
            stops=len(stops),
            found=len(ranked),
            too_long=len(ranked) - len(affordable),
            off_piece=reach.off_piece,
            off_street=reach.off_street,
            considered=len(candidates),
            start_piece_size=ends[0].component_size,
            budget_s=request.budget_s,
            max_start_snap_m=s.max_start_snap_m,
            max_poi_snap_m=s.max_poi_snap_m,
            quickest_visit_s=_quickest_visit(seconds, service, problem.end, s.unreachable),
            closed=hours.closed,
        )
        return Tour(
            start=request.start,
            end=finish,
            stops=stops,
            legs=legs,
            budget_s=request.budget_s,
            seed=request.seed,
            data_version=data_version or self._pois.data_version(),
            themes=tuple(sorted(weights)),
            ends_anywhere=request.end_anywhere,
            diagnostics=Diagnostics(
                candidates_found=len(found),
                candidates_considered=len(candidates),
                candidate_seconds=round(fetched - started, 4),
                matrix_seconds=round(matrixed - fetched, 4),
                solve_seconds=round(solved - matrixed, 4),
                total_seconds=round(self._clock.monotonic() - started, 4),
                iterations=solution.iterations,
                is_partial=solution.is_stopped_early,
                retrace_share=round(walk.retrace_share, 4),
            ),
            notes=thin_tour_notes(facts),
            start_time=hours.start_time,
            skipped=hours.skipped(stops),
        )

    def _seconds(
        self, engine: TourEngine, request: RouteSpec, vertices: list[int], snap_m: list[float]
    ) -> list[list[float]]:
        """Walking seconds among the tour's points; an open end's virtual end costs nothing."""
        pace, unreachable = request.pace_m_s, self._settings.unreachable
        if not request.end_anywhere:
            metres = engine.travel_matrix(
                vertices, is_round_trip=request.is_round_trip, walk_m=request.max_walk_m
            )
            return _to_seconds(metres, snap_m, pace, unreachable)
        real = [0, *range(FREE_END + 1, len(vertices))]  # all but the virtual end
        metres = engine.travel_matrix(
            [vertices[i] for i in real],
            is_round_trip=False,
            walk_m=request.max_walk_m,
            is_open_end=True,
        )
        return with_free_end(_to_seconds(metres, [snap_m[i] for i in real], pace, unreachable))

    def _snap(self, engine: TourEngine, request: RouteSpec, finish: GeoPoint) -> list[SnappedPoint]:
        """The start on the largest piece of the network within the snap distance; the end on
        the start's piece when that is within the snap distance of it, else on the largest."""
        points = [request.start] if request.end is None else [request.start, finish]
        radius = self._settings.max_start_snap_m
        snapped = engine.snap(points, radius_m=radius)
        if len(snapped) == 2 and snapped[1].component != snapped[0].component:
            (joined,) = engine.snap([finish], radius_m=radius, component=snapped[0].component)
            if joined.component == snapped[0].component and joined.distance_m <= radius:
                snapped[1] = joined
        for label, point in zip(("start", "end"), snapped, strict=False):
            if point.distance_m > radius:
                raise NoDataNearbyError(
                    f"the {label} is {_describe_m(point.distance_m)} from the nearest walkable"
                    " street in the loaded map data; ingest an extract that covers it",
                    field=label,
                )
        return snapped

    def _reachable(
        self, engine: TourEngine, affordable: list[ScoredPoi], ends: list[SnappedPoint]
    ) -> _Reach:
        """The best ``candidate_cap`` places on the start's piece (and the end's) near a street."""
        limit = self._settings.max_poi_snap_m
        piece = ends[0].component
        snapped = engine.snap(
            [GeoPoint(c.poi.lat, c.poi.lng) for c in affordable], radius_m=limit, component=piece
        )
        reach = _Reach()
        is_joined = all(end.component == piece for end in ends)
        for candidate, point in zip(affordable, snapped, strict=True):
            if point.component != piece or not is_joined:
                reach.off_piece += 1
            elif point.distance_m > limit:
                reach.off_street += 1
            elif len(reach.candidates) < self._settings.candidate_cap:
                reach.candidates.append(candidate)
                reach.vertices.append(point.vertex)
                reach.snap_m.append(point.distance_m)
        return reach

    def _legs(
        self, walk: WalkedTour, *, request: RouteSpec, finish: GeoPoint, snap_m: list[float]
    ) -> list[TourLeg]:
        order, paths = walk.walked, walk.paths
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
            legs.append(TourLeg(round(distance, 1), round(walk.leg_s[index], 1), coords))
        return legs


def _search_area(request: RouteSpec) -> SearchArea:
    """Where the tour can reach: a walk with no way back reaches ``max_walk_m`` from its start.

    That circle is exactly the degenerate ellipse of a start-to-start walk of
    twice the length (every point whose distance there and back fits), so the
    repositories need no third shape.
    """
    if request.end_anywhere:
        return SearchArea(request.start, request.start, 2.0 * request.max_walk_m)
    return SearchArea(request.start, request.end, request.max_walk_m)


@dataclass(slots=True)
class _Reach:
    """The candidates a tour can reach (capped), and how many were set aside, and why."""

    candidates: list[ScoredPoi] = field(default_factory=list)
    vertices: list[int] = field(default_factory=list)
    snap_m: list[float] = field(default_factory=list)
    off_piece: int = 0  # on a piece of the network not joined to the start's (or the end's)
    off_street: int = 0  # farther than max_poi_snap_m from any street of that piece


def _quickest_visit(
    seconds: list[list[float]], service: list[float], end: int, unreachable: float
) -> float | None:
    """The shortest walk from the start to one stop, its visit and on to the end, if any."""
    costs = [
        seconds[0][i] + service[i] + seconds[i][end]
        for i in range(end + 1, len(seconds))
        if seconds[0][i] < unreachable and seconds[i][end] < unreachable
    ]
    return min(costs, default=None)


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
