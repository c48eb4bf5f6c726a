"""One behaviour suite for every ``PlaceDirectory``: the in-memory fake and PostGIS."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.place_directory import PostgresPlaceDirectory
from tests.fakes.place_directory import InMemoryPlaceDirectory
from tests.support.places import insert_pois
from wildside.domain.geo import GeoPoint
from wildside.domain.places import Box, Circle, PlacePosition
from wildside.domain.scoring import Poi
from wildside.ports.place_directory import PlaceDirectory, PlaceSearch

HERE = GeoPoint(60.0, 25.0)
# Due north of HERE (1e-3 degrees of latitude is ~111.2 m), and one east.
POIS = [
    Poi("node/1", "near", 60.001, 25.0, ("history",), 0.2, {"historic": "memorial"}),
    Poi("node/2", "popular", 60.004, 25.0, ("art",), 0.9, {"tourism": "artwork"}),
    Poi("node/3", "far", 60.02, 25.0, ("nature",), 0.5, {"leisure": "park"}),
    Poi("way/4", "tie", 60.002, 25.0, ("food",), 0.2, {"amenity": "cafe", "wikidata": "Q1"}),
    Poi("node/5", "tie too", 60.003, 25.0, ("food", "history"), 0.2, {"amenity": "cafe"}),
    Poi("relation/6", None, 60.0, 25.006, ("art",), 0.2, {"tourism": "artwork"}),
]

Factory = Callable[[list[Poi]], PlaceDirectory]


def _postgres(url: str) -> Factory:
    def build(pois: list[Poi]) -> PlaceDirectory:
        insert_pois(url, pois)
        return PostgresPlaceDirectory(per_call(url))

    return build


@pytest.fixture(params=["fake", "postgres"])
def make(request: pytest.FixtureRequest) -> Factory:
    if request.param == "fake":
        return lambda pois: InMemoryPlaceDirectory(list(pois))
    return _postgres(request.getfixturevalue("migrated_database_url"))


def _keys(directory: PlaceDirectory, search: PlaceSearch) -> list[str]:
    return [poi.key for poi in directory.find(search)]


def test_a_circle_lists_its_places_most_popular_first_then_type_and_id(make: Factory) -> None:
    directory = make(POIS)
    # 500 m: node/1 (111 m), way/4 (222 m), node/5 (334 m), node/2 (445 m),
    # relation/6 (333 m east); not node/3 (2.2 km).
    found = _keys(directory, PlaceSearch(Circle(HERE, 500.0), (), limit=10))
    assert found == ["node/2", "node/1", "node/5", "relation/6", "way/4"]


def test_the_places_carry_what_the_store_holds(make: Factory) -> None:
    directory = make(POIS)
    (tie,) = directory.find(PlaceSearch(Circle(GeoPoint(60.002, 25.0), 10.0), (), limit=10))
    assert (tie.key, tie.name, tie.themes, tie.tags) == (
        "way/4",
        "tie",
        ("food",),
        {"amenity": "cafe", "wikidata": "Q1"},
    )
    assert (tie.lat, tie.lng, tie.popularity) == pytest.approx((60.002, 25.0, 0.2))


def test_a_circle_is_measured_on_the_ground(make: Factory) -> None:
    directory = make(POIS)
    assert _keys(directory, PlaceSearch(Circle(HERE, 400.0), (), limit=10)) == [
        "node/1",
        "node/5",
        "relation/6",
        "way/4",
    ]  # node/2 at 445 m is out; relation/6 at 333 m east is in


def test_a_box_is_parallels_and_meridians(make: Factory) -> None:
    directory = make(POIS)
    box = Box(west=24.999, south=60.0015, east=25.001, north=60.0035)
    assert _keys(directory, PlaceSearch(box, (), limit=10)) == ["node/5", "way/4"]


def test_themes_keep_places_of_any_of_them(make: Factory) -> None:
    directory = make(POIS)
    search = PlaceSearch(Circle(HERE, 5000.0), ("history", "nature"), limit=10)
    assert _keys(directory, search) == ["node/3", "node/1", "node/5"]


def test_limit_cuts_the_listing(make: Factory) -> None:
    directory = make(POIS)
    assert _keys(directory, PlaceSearch(Circle(HERE, 5000.0), (), limit=2)) == [
        "node/2",
        "node/3",
    ]


def test_after_continues_strictly_behind_a_position_even_inside_a_tie(make: Factory) -> None:
    directory = make(POIS)
    area = Circle(HERE, 5000.0)
    whole = _keys(directory, PlaceSearch(area, (), limit=10))
    assert whole == ["node/2", "node/3", "node/1", "node/5", "relation/6", "way/4"]
    for index, poi_key in enumerate(whole):
        poi = next(p for p in POIS if p.key == poi_key)
        rest = _keys(directory, PlaceSearch(area, (), limit=10, after=PlacePosition.of(poi)))
        assert rest == whole[index + 1 :]


def test_an_empty_area_is_an_empty_list(make: Factory) -> None:
    assert make(POIS).find(PlaceSearch(Circle(GeoPoint(-33.9, 18.4), 5000.0), (), 10)) == []
