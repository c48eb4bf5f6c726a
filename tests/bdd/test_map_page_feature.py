"""Steps for the map page: headless Chromium on real API and worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.e2e.conftest import live
from tests.e2e.live_service import LiveService
from tests.e2e.map_page import MapPage, chromium, needs_chromium, user_token

__all__ = ["live"]  # the live service (API and worker processes) the page talks to

pytestmark = [pytest.mark.slow, needs_chromium]

scenarios("map_page.feature")

HELSINKI = (60.1712, 24.9441)
PASSWORD = "a long walk in the park"


@dataclass
class Visit:
    """One person's visit to the page."""

    live: LiveService
    page: MapPage
    names: list[str] = field(default_factory=list)


@pytest.fixture
def visit(live: LiveService) -> Iterator[Visit]:
    """A fresh browser on the live service."""
    with chromium() as driver:
        yield Visit(live, MapPage(driver, live.base_url))


def _new_name(visit: Visit, kind: str) -> str:
    name = f"map-{kind}-{id(visit)}"
    visit.names.append(name)
    return name


@given("the service is running with a worker")
def _service(live: LiveService) -> None:
    assert live.api is not None
    assert live.api.poll() is None
    assert live.workers
    assert all(worker.poll() is None for worker in live.workers)


@given("the map page is open in a browser")
def _open(visit: Visit) -> None:
    visit.page.open()


@given("I paste my API token and sign in")
def _token(visit: Visit) -> None:
    name = _new_name(visit, "token")
    assert visit.page.sign_in_with_token(user_token(visit.live, name)) == f"Signed in as {name}."


@given("I sign in with my name and password")
def _password(visit: Visit) -> None:
    name = _new_name(visit, "password")
    user_token(visit.live, name, PASSWORD)
    assert visit.page.sign_in_with_password(name, PASSWORD) == f"Signed in as {name}."


@when("I set the start in central Helsinki")
def _start(visit: Visit) -> None:
    visit.page.set_start(*HELSINKI)
    assert visit.page.text("start-label") == f"Start: {HELSINKI[0]}, {HELSINKI[1]}"


@when(parsers.re(r"I ask for a (?P<minutes>\d+)-minute tour about (?P<themes>.+)"))
def _ask(visit: Visit, minutes: str, themes: str) -> None:
    visit.page.request_tour(int(minutes), themes.split(" and "))


@then("the page shows the tour")
def _shown(visit: Visit) -> None:
    visit.page.wait_for_tour()
    assert visit.page.text("status") == "Your tour is ready."


@then("it followed the tour's progress over the WebSocket")
def _socket(visit: Visit) -> None:
    assert visit.page.driver.execute_script("return window.wildside.state.via") == "socket"


@then("the map draws the tour's path as a line")
def _line(visit: Visit) -> None:
    line = visit.page.route_line()
    assert len(line) >= 2
    assert all(24.8 < lng < 25.1 and 60.1 < lat < 60.3 for lng, lat in line)


@then("the stops are numbered on the map and listed with their reasons")
def _stops(visit: Visit) -> None:
    stops = visit.page.stops()
    assert stops
    assert visit.page.markers() == [str(number) for number in range(1, len(stops) + 1)]
    # Each item: the name, then the reason, then when to arrive (three lines).
    assert all(len(stop.splitlines()) == 3 for stop in stops), stops


@given("the map draws the walking network and the places from vector tiles")
def _tiles(visit: Visit) -> None:
    drawn = visit.page.wait_for_tiles()
    assert drawn["walk_edges"] > 0
    assert drawn["pois"] > 0


@when(
    parsers.re(r"I ask for (?P<tours>\d+) tours of (?P<minutes>\d+) minutes about (?P<themes>.+)")
)
def _ask_tours(visit: Visit, tours: str, minutes: str, themes: str) -> None:
    visit.page.request_tour(int(minutes), themes.split(" and "), tours=int(tours))


@then("the tours are listed to choose from, the best first and shown")
def _listed(visit: Visit) -> None:
    choices = visit.page.tour_choices()
    assert len(choices) == 2
    assert choices[0][0].startswith("Best tour:")
    assert [pressed for _, pressed in choices] == [True, False]
    route = visit.page.driver.execute_script("return window.wildside.state.route")
    assert visit.page.route_line() == route["path"]["coordinates"]


@when("I choose the second tour")
def _choose(visit: Visit) -> None:
    visit.page.choose_tour(2)


@then("the map draws the second tour in full and the first faint")
def _second(visit: Visit) -> None:
    route = visit.page.driver.execute_script("return window.wildside.state.route")
    assert [pressed for _, pressed in visit.page.tour_choices()] == [False, True]
    assert visit.page.route_line() == route["alternatives"][0]["path"]["coordinates"]
    assert visit.page.faint_lines() == [route["path"]["coordinates"]]


@then("the browser reports no error")
def _no_error(visit: Visit) -> None:
    assert visit.page.console_errors() == []
