"""Steps for features/opening_hours.feature: PlanTour on one street, real opening-hours-py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pytest_bdd import given, parsers, scenarios, then, when

from adapters.outbound.opening_hours_calendar import OpeningHoursPyOpeningCalendar
from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import PlanTour
from wildside.domain.geo import GeoPoint
from wildside.domain.opening import HOURS_TAG
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.domain.start_time import parse_start_time
from wildside.domain.tour import Tour
from wildside.ports.tour_engines import FixedTourEngines

scenarios("opening_hours.feature")

# A street east from the start in central Helsinki: junctions 111 m apart (~1.4 minutes).
STREET = [(60.17, 24.94 + 0.002 * i) for i in range(12)]
EDGES = [(i, i + 1, 111.0) for i in range(len(STREET) - 1)]
ENGINE = NumbaTourEngine(StreetNetwork(graph_from_edges(STREET, EDGES)))
MUSEUM, STATUE, PARK = "way/1", "node/2", "way/3"


@dataclass
class Town:
    """The places on the street, and the tour asked for."""

    places: dict[str, Poi] = field(default_factory=dict)
    tour: Tour | None = None


def _place(
    key: str, name: str, junction: int, tags: dict[str, str], themes: tuple[str, ...]
) -> Poi:
    lat, lng = STREET[junction]
    return Poi(key, name, lat + 0.0001, lng, themes, 0.9, {"name": name, **tags})


@given(
    "a street in Helsinki with a museum three minutes' walk from the start", target_fixture="town"
)
def _street() -> Town:
    museum = _place(MUSEUM, "Museum", 2, {"tourism": "museum"}, ("art", "culture"))
    return Town(places={MUSEUM: museum})


@given("a statue and a park along the same street, with no hours tagged")
def _others(town: Town) -> None:
    town.places[STATUE] = _place(STATUE, "Statue", 4, {"tourism": "artwork"}, ("art",))
    town.places[PARK] = _place(PARK, "Park", 6, {"leisure": "park"}, ("art", "nature"))


@given(parsers.parse('the museum is tagged "{hours}"'))
def _hours(town: Town, hours: str) -> None:
    museum = town.places[MUSEUM]
    town.places[MUSEUM] = replace(museum, tags={**museum.tags, HOURS_TAG: hours})


@when(
    parsers.parse('I ask for a {minutes:d} minute tour about "{themes}" starting at "{start_time}"')
)
def _ask(town: Town, minutes: int, themes: str, start_time: str) -> None:
    plan = PlanTour(
        pois=InMemoryPoiRepository(pois=list(town.places.values())),
        engines=FixedTourEngines(ENGINE),
        clock=FakeClock(),
        calendar=OpeningHoursPyOpeningCalendar(),
    )
    spec = RouteSpec.build(
        start=GeoPoint(*STREET[0]),
        duration_minutes=minutes,
        preferences=themes.split(","),
        start_time=parse_start_time(start_time),
    )
    town.tour = plan(spec)


def _tour(town: Town) -> Tour:
    assert town.tour is not None
    return town.tour


@then(parsers.parse('the museum is a stop, open at arrival, with its hours "{hours}"'))
def _museum_open(town: Town, hours: str) -> None:
    (stop,) = [s for s in _tour(town).stops if s.key == MUSEUM]
    assert (stop.opening.state, stop.opening.hours) == ("open", hours)


@then(parsers.parse('the museum is a stop whose opening is unknown, with its hours "{hours}"'))
def _museum_unknown(town: Town, hours: str) -> None:
    (stop,) = [s for s in _tour(town).stops if s.key == MUSEUM]
    assert (stop.opening.state, stop.opening.hours) == ("unknown", hours)


@then("the statue says its opening is unknown")
def _statue_unknown(town: Town) -> None:
    (stop,) = [s for s in _tour(town).stops if s.key == STATUE]
    assert (stop.opening.state, stop.opening.hours) == ("unknown", None)


@then("no place is skipped as closed")
def _none_skipped(town: Town) -> None:
    assert _tour(town).skipped == ()


@then("the museum is not a stop")
def _museum_left_out(town: Town) -> None:
    assert MUSEUM not in {s.key for s in _tour(town).stops}


@then("the museum is listed as skipped because it is closed, with its hours")
def _museum_skipped(town: Town) -> None:
    (skipped,) = _tour(town).skipped
    hours = town.places[MUSEUM].tags[HOURS_TAG]
    assert (skipped.key, skipped.name, skipped.reason, skipped.hours) == (
        MUSEUM,
        "Museum",
        "closed",
        hours,
    )


@then("the tour still visits the statue and the park")
def _others_visited(town: Town) -> None:
    assert {STATUE, PARK} <= {s.key for s in _tour(town).stops}
