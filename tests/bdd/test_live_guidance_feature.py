"""Steps for ``live_guidance.feature``: a walk over /ws on the real app, database and Redis.

The worker's engine is ``FakePlanner``, whose tour runs east from (60.17, 24.94)
to the Old Church (60.17, 24.95), north to the Park (60.18, 24.95) and back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack, make_stack, wait_for
from tests.support.walks import location
from tests.ws_messages import ERROR, GUIDANCE

__all__ = ["make_stack"]

scenarios("live_guidance.feature")

PLACES = {"Old Church": (60.17003, 24.95), "Park": (60.18, 24.95)}
START = (60.17, 24.94)


@dataclass
class Walk:
    """A walker's socket and what it has been told."""

    build: Callable[..., Stack]
    stack: Stack | None = None
    planner: FakePlanner = field(default_factory=FakePlanner)
    token: str = ""
    route: str = ""
    socket: Any = None
    answers: list[dict[str, Any]] = field(default_factory=list)
    other_answer: dict[str, Any] | None = None
    other_token: str = ""

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    def send(self, lat: float, lng: float, minutes: float = 0.0) -> dict[str, Any]:
        self.socket.send_json(location(self.route, lat, lng, minutes=minutes))
        answer: dict[str, Any] = self.socket.receive_json(timeout=10)
        self.answers.append(answer)
        return answer


@pytest.fixture
def walk(make_stack: Callable[..., Stack]) -> Iterator[Walk]:
    made = Walk(make_stack)
    yield made
    if made.socket is not None:
        made.socket.__exit__(None, None, None)


@given("the service is running with a worker")
def _service(walk: Walk) -> None:
    walk.stack = walk.build()
    walk.service.start_worker(walk.planner)


@given("I am a walker with a computed tour")
def _walker(walk: Walk) -> None:
    walk.token = walk.service.user("walker")
    auth = walk.service.auth(walk.token)
    response = walk.service.client.post("/api/v1/routes", json=ROUTE_BODY, headers=auth)
    walk.route = response.json()["request_id"]
    wait_for(
        lambda: (
            walk.service.client.get(f"/api/v1/routes/{walk.route}", headers=auth).status_code == 200
        )
    )
    walk.socket = walk.service.client.websocket_connect(
        "/ws", subprotocols=["wildside.v1", f"bearer.{walk.token}"]
    ).__enter__()


@given("another walker")
def _another(walk: Walk) -> None:
    walk.other_token = walk.service.user("stranger")


@when("I send my position at the start of the tour")
def _at_start(walk: Walk) -> None:
    walk.send(*START)


@when(parsers.parse('I send my position at "{place}" {minutes:d} minutes later'))
def _at_place_later(walk: Walk, place: str, minutes: int) -> None:
    walk.send(*PLACES[place], minutes=minutes)


@when('I send a position 300 metres east of the street to "Park"')
def _astray(walk: Walk) -> None:
    walk.send(60.175, 24.9554, minutes=20)


@when(
    parsers.parse(
        "I ask for a new {minutes:d} minute tour from here that skips the stops I have visited"
    )
)
def _replan(walk: Walk, minutes: int) -> None:
    body = {
        "start": {"lat": 60.175, "lng": 24.95},
        "duration_minutes": minutes,
        "from_route": walk.route,
        "visited": walk.answers[-1]["visited"],
    }
    response = walk.service.client.post(
        "/api/v1/routes", json=body, headers=walk.service.auth(walk.token)
    )
    assert response.status_code == 202, response.text


@when("they send a position on my tour")
def _stranger_sends(walk: Walk) -> None:
    with walk.service.client.websocket_connect(
        "/ws", subprotocols=["wildside.v1", f"bearer.{walk.other_token}"]
    ) as socket:
        socket.send_json(location(walk.route, 60.17, 24.94))
        walk.other_answer = socket.receive_json(timeout=10)


@then(parsers.parse('I am told the next stop is "{name}", about {metres:d} metres along the path'))
def _next(walk: Walk, name: str, metres: int) -> None:
    answer = walk.answers[-1]
    assert (answer["kind"], answer["next"]["name"]) == ("next_stop", name)
    assert answer["next"]["distance_m"] == pytest.approx(metres, abs=10)


@then("I am on time")
def _on_time(walk: Walk) -> None:
    assert walk.answers[-1]["schedule"]["status"] == "on_time"


@then(parsers.parse('I am told I have arrived at "{name}" with the tip "{tip}"'))
def _arrived(walk: Walk, name: str, tip: str) -> None:
    answer = walk.answers[-1]
    assert answer["kind"] == "arrived"
    assert (answer["arrived"]["name"], answer["arrived"]["tip"]) == (name, tip)


@then(parsers.parse('the next stop is "{name}"'))
def _next_name(walk: Walk, name: str) -> None:
    assert walk.answers[-1]["next"]["name"] == name


@then("I am told I am off the route")
def _off_route(walk: Walk) -> None:
    assert walk.answers[-1]["kind"] == "off_route"


@then(parsers.parse("the way back is about {metres:d} metres to the west"))
def _way_back(walk: Walk, metres: int) -> None:
    back = walk.answers[-1]["way_back"]
    assert back["distance_m"] == pytest.approx(metres, abs=10)
    assert back["bearing_deg"] == pytest.approx(270, abs=5)


@then(parsers.parse('the new tour is planned without "{stop}"'))
def _replanned(walk: Walk, stop: str) -> None:
    wait_for(lambda: len(walk.planner.calls) == 2)
    assert stop in walk.planner.calls[-1].exclude


@then("every guidance message matches the published schema")
def _schema(walk: Walk) -> None:
    for answer in walk.answers:
        GUIDANCE.validate(answer)


@then("they are told that the route does not exist")
def _refused(walk: Walk) -> None:
    assert walk.other_answer is not None
    ERROR.validate(walk.other_answer)
    assert (walk.other_answer["code"], walk.other_answer["route"]) == ("not-found", walk.route)
