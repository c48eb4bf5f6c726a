"""Helsinki's 50-piece walking network: starts on the main piece, no slot for a place out of reach.

The figures these tests stand on (10.2 of 80 slots lost per request before,
none now) are measured by ``bench/islands.py`` and recorded in
``docs/benchmarks.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.composition import build_ingest, build_plan_tour
from adapters.composition.engine import load_street_network
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.settings import Settings, load_settings
from tests.conftest import HELSINKI_PBF, url_of
from wildside.app.plan_tour import PlanTour
from wildside.domain.dedup import merge_duplicates
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import apply_diversity, score_poi, theme_weights
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.poi_repository import SearchArea
from wildside.ports.progress import SilentProgress

RAUTATIENTORI = GeoPoint(60.1712, 24.9441)  # the railway station square
SENAATINTORI = GeoPoint(60.1695, 24.9525)  # the senate square
EAST_OF_THE_STATION = GeoPoint(60.1707, 24.9500)
BY_THE_PIER = GeoPoint(60.16338, 24.95421)  # 105 m from a 4-vertex pier, 118 m from the streets


class _WatchedEngine(NumbaTourEngine):
    """The real engine, remembering the vertices of each travel matrix it builds."""

    def __init__(self, network: StreetNetwork) -> None:
        super().__init__(network)
        self.matrices: list[list[int]] = []

    def travel_matrix(
        self, vertices: Sequence[int], *, is_round_trip: bool, walk_m: float
    ) -> list[list[float]]:
        self.matrices.append(list(vertices))
        return super().travel_matrix(vertices, is_round_trip=is_round_trip, walk_m=walk_m)


@pytest.fixture(scope="module")
def settings(postgresql_proc: PostgreSQLExecutor) -> Iterator[Settings]:
    """Helsinki ingested once into a database of its own."""
    name = "islands_helsinki"
    admin = url_of(postgresql_proc, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {postgresql_proc.template_dbname}")
    url = url_of(postgresql_proc, name)
    PostgresMigrationRunner(url).apply()
    loaded = load_settings({"WILDSIDE_DATABASE_URL": url})
    build_ingest(loaded, SilentProgress())(HELSINKI_PBF)
    yield loaded
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def network(settings: Settings) -> StreetNetwork:
    return load_street_network(settings)


@pytest.fixture
def engine(network: StreetNetwork) -> _WatchedEngine:
    return _WatchedEngine(network)


@pytest.fixture
def plan(settings: Settings, engine: _WatchedEngine) -> PlanTour:
    return build_plan_tour(settings, engine=engine)


def _spec(start: GeoPoint, minutes: float, themes: Sequence[str] = (), **more: Any) -> RouteSpec:
    return RouteSpec.build(start=start, duration_minutes=minutes, preferences=themes, **more)


def test_helsinki_is_one_main_piece_and_many_islets(network: StreetNetwork) -> None:
    sizes = sorted(network.component_sizes.tolist())
    assert (network.vertex_count, len(sizes), sizes[-1]) == (3277, 50, 3138)


def _old_rule_off_piece(settings: Settings, engine: NumbaTourEngine, request: RouteSpec) -> int:
    """Slots the rule before this change gave to other pieces: cap first, then nearest vertex."""
    pois = PostgresPoiRepository(per_call(settings.require_database_url()))
    weights = theme_weights(request.themes)
    found = pois.within(
        SearchArea(request.start, request.end, request.max_walk_m),
        limit=600,
        prefer_themes=sorted(weights),
    )
    ranked = apply_diversity([score_poi(p, weights) for p in merge_duplicates(found)])
    capped = [c for c in ranked if c.dwell_s < request.budget_s][:80]
    start, *places = engine.snap([request.start] + [GeoPoint(c.poi.lat, c.poi.lng) for c in capped])
    return sum(p.component != start.component and p.distance_m <= 150 for p in places)


@pytest.mark.parametrize("start", [RAUTATIENTORI, SENAATINTORI, EAST_OF_THE_STATION])
@pytest.mark.parametrize("minutes", [60, 180])
def test_no_candidate_slot_goes_to_a_piece_the_start_cannot_leave(
    settings: Settings,
    plan: PlanTour,
    engine: _WatchedEngine,
    network: StreetNetwork,
    start: GeoPoint,
    minutes: int,
) -> None:
    # Given a start on the main network, where the rule before gave 9-12 of the
    # 80 slots to places on piers and unjoined paths
    request = _spec(start, minutes, ["history", "art"], seed=1)
    labels = network.component_of
    nearest = engine.snap([start])[0]
    assert 9 <= _old_rule_off_piece(settings, engine, request) <= 12
    # When a tour is planned
    tour = plan(request)
    # Then every candidate in the matrix is on the start's piece, and every slot is used
    (vertices,) = engine.matrices
    assert labels[vertices[0]] == nearest.component
    assert [v for v in vertices if labels[v] != labels[vertices[0]]] == []
    assert tour.diagnostics.candidates_considered == len(vertices) - 1 == 80
    assert len(tour.stops) >= 4
    assert tour.notes == ()


def test_a_start_by_a_tiny_pier_walks_from_the_main_network(
    plan: PlanTour, engine: _WatchedEngine, network: StreetNetwork
) -> None:
    # Given a start whose nearest street vertex is on a 4-vertex pier 105 m away
    nearest = engine.snap([BY_THE_PIER])[0]
    assert nearest.component_size == 4
    assert nearest.distance_m == pytest.approx(105, abs=1)
    # When a 60-minute tour is planned from it
    tour = plan(_spec(BY_THE_PIER, 60, [], seed=1))
    # Then it starts on the main network (118 m walked to it) and is a full tour, not an empty one
    (vertices,) = engine.matrices
    main = int(network.component_sizes.argmax())
    assert network.component_of[vertices[0]] == main
    assert tour.legs[0].distance_m > 118
    assert len(tour.stops) >= 4
    assert tour.used_s >= 0.8 * 3600


def test_an_empty_tour_says_why(plan: PlanTour) -> None:
    # Given a budget shorter than any visit and its walk
    tour = plan(_spec(RAUTATIENTORI, 5, [], seed=0))
    # Then the tour is empty, and says so, and why, to the clients too
    assert tour.stops == []
    assert tour.notes == (
        "The tour has no stops.",
        "48 of the 54 places found take longer to visit than the whole 5-minute budget.",
        "The quickest of the 6 places left takes 7 minutes to walk to, visit and walk on from,"
        " more than the 5-minute budget.",
    )
    assert route_result(tour).notes == tour.notes


def test_a_one_stop_tour_says_why(plan: PlanTour) -> None:
    tour = plan(_spec(RAUTATIENTORI, 8, [], seed=0))
    assert len(tour.stops) == 1
    assert tour.notes[0] == "The tour has only one stop."
    assert tour.notes[-1].startswith("No second place of the 25 within reach fits")


def test_the_tiled_engine_labels_its_own_area_the_same_way(settings: Settings) -> None:
    # Given the default planner, whose engine is stitched from the tiles of each request's area
    tiled = build_plan_tour(settings)
    # When the start by the pier asks for a tour, and a 5-minute one is asked at the station
    by_the_pier = tiled(_spec(BY_THE_PIER, 60, [], seed=1))
    too_short = tiled(_spec(RAUTATIENTORI, 5, [], seed=0))
    # Then the pieces of the area's graph give the same answers as the whole city's
    assert len(by_the_pier.stops) >= 4
    assert by_the_pier.legs[0].distance_m > 118
    assert too_short.stops == []
    assert too_short.notes[0] == "The tour has no stops."
