"""Steps for ``features/places.feature``: the real app, PostGIS and Redis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.service_stack import Stack, make_stack
from tests.support.places import grid_of_places, insert_pois
from wildside.domain.scoring import Poi, score_poi, theme_weights

__all__ = ["make_stack"]  # the fixture the steps build on

scenarios("places.feature")


@dataclass
class Visit:
    """What a scenario has done so far."""

    build: Callable[..., Stack]
    stack: Stack | None = None
    token: str = ""
    places: list[Poi] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    def ask(self, *, authenticated: bool = True, **params: Any) -> dict[str, Any]:
        headers = self.service.auth(self.token) if authenticated else {}
        response = self.service.client.get("/api/v1/pois", params=params, headers=headers)
        self.responses.append(response)
        return response.json()  # type: ignore[no-any-return]

    @property
    def features(self) -> list[dict[str, Any]]:
        return self.responses[-1].json()["features"]  # type: ignore[no-any-return]


@pytest.fixture
def visit(make_stack: Callable[..., Stack]) -> Visit:
    return Visit(make_stack)


@given("the service is running")
def _service(visit: Visit) -> None:
    visit.stack = visit.build()


@given(parsers.parse("the map holds {count:d} places around {lat:f}, {lng:f}"))
def _places(visit: Visit, count: int, lat: float, lng: float) -> None:
    visit.places = grid_of_places(count, lat, lng)
    insert_pois(visit.service.settings.require_database_url(), visit.places)


@given("I am a registered user with an API token")
def _user(visit: Visit) -> None:
    visit.token = visit.service.user("walker")


@given(parsers.parse("the service allows {limit:d} place queries a minute"))
def _quota(visit: Visit, limit: int) -> None:
    visit.stack = visit.build(places_rate_limit_per_minute=limit)


@when(parsers.parse("I ask for places within {radius:d} m of {lat:f}, {lng:f}"))
def _ask(visit: Visit, radius: int, lat: float, lng: float) -> None:
    visit.ask(lat=lat, lng=lng, radius_m=radius, limit=200)


@when(parsers.parse('I ask for "{theme}" places within {radius:d} m of {lat:f}, {lng:f}'))
def _ask_theme(visit: Visit, theme: str, radius: int, lat: float, lng: float) -> None:
    visit.ask(lat=lat, lng=lng, radius_m=radius, themes=theme, limit=200)


@when(
    parsers.parse(
        "I read every page of places within {radius:d} m of {lat:f}, {lng:f}, {size:d} at a time"
    )
)
def _read_all(visit: Visit, radius: int, lat: float, lng: float, size: int) -> None:
    params: dict[str, Any] = {"lat": lat, "lng": lng, "radius_m": radius, "limit": size}
    while True:
        page = visit.ask(**params)
        visit.pages.append(page)
        if page["next"] is None:
            return
        params["cursor"] = page["next"]


@when(parsers.parse('I ask for the next page with the cursor "{cursor}"'))
def _tampered(visit: Visit, cursor: str) -> None:
    visit.ask(lat=60.17, lng=24.94, cursor=cursor)


@when("I ask for places without a token")
def _anonymous(visit: Visit) -> None:
    visit.ask(authenticated=False, lat=60.17, lng=24.94)


@when(parsers.parse("I ask for places {count:d} times in a row"))
def _many(visit: Visit, count: int) -> None:
    for _ in range(count):
        visit.ask(lat=60.17, lng=24.94)


@then(parsers.parse("I get a GeoJSON collection of {count:d} places"))
def _collection(visit: Visit, count: int) -> None:
    response = visit.responses[-1]
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.json()["type"] == "FeatureCollection"
    assert len(visit.features) == count
    assert all(f["geometry"]["type"] == "Point" for f in visit.features)


@then("they are sorted best first")
def _sorted(visit: Visit) -> None:
    scores = [f["properties"]["score"] for f in visit.features]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]


@then("each place links to its OpenStreetMap page")
def _links(visit: Visit) -> None:
    for feature in visit.features:
        props = feature["properties"]
        assert props["osm_url"] == (
            f"https://www.openstreetmap.org/{props['osm_type']}/{props['osm_id']}"
        )


@then("the answer credits OpenStreetMap contributors under the ODbL")
def _credits(visit: Visit) -> None:
    body = visit.responses[-1].json()
    assert body["attribution"] == "© OpenStreetMap contributors"
    assert body["license"] == "ODbL-1.0"


@then(parsers.parse("I get {count:d} pages"))
def _pages(visit: Visit, count: int) -> None:
    assert len(visit.pages) == count


@then("every place comes exactly once")
def _once(visit: Visit) -> None:
    seen = [f["id"] for page in visit.pages for f in page["features"]]
    assert sorted(seen) == sorted(p.key for p in visit.places)


@then(parsers.parse('every place I get is about "{theme}"'))
def _about(visit: Visit, theme: str) -> None:
    assert visit.features
    assert all(theme in f["properties"]["themes"] for f in visit.features)
    assert len(visit.features) == sum(1 for p in visit.places if theme in p.themes)


@then(parsers.parse('each one is scored as a tour about "{theme}" would score it'))
def _scored(visit: Visit, theme: str) -> None:
    by_key = {p.key: p for p in visit.places}
    weights = theme_weights([theme])
    for feature in visit.features:
        expected = score_poi(by_key[feature["id"]], weights).score
        assert feature["properties"]["score"] == expected


@then(parsers.parse('the last request is refused with {status:d} "{code}"'))
def _refused(visit: Visit, status: int, code: str) -> None:
    response = visit.responses[-1]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


@then("the answer says when to retry")
def _retry(visit: Visit) -> None:
    assert int(visit.responses[-1].headers["retry-after"]) >= 1
