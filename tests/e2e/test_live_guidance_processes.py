"""End to end: walk a real tour over /ws, leave it, come back, and re-plan without what was seen.

Real ``wildside serve`` and ``wildside worker`` processes over central Helsinki;
the fixes are taken from the computed route's own geometry.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from adapters.outbound.route_result_codec import decode_route_result
from tests.e2e.live_service import LiveService
from tests.ws_messages import CLIENT, ERROR, GUIDANCE
from wildside.domain.followed_route import followed_route
from wildside.domain.walk_path import WalkPath

pytestmark = pytest.mark.slow

HELSINKI = {"lat": 60.1712, "lng": 24.9441}
T0 = datetime.now(UTC)


def _tour(live: LiveService, token: str, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    client = live.client(token)
    accepted = client.submit(body)
    assert accepted.status == 202, accepted.body
    request_id = accepted.body["request_id"]
    assert list(client.follow(request_id))[-1]["status"] == "succeeded", live.logs()
    route = client.route(request_id)
    assert route.status == 200
    return request_id, route.body["route"]


class Socket:
    """One /ws connection: send a fix, read its answer."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    def fix(self, route: str, lat: float, lng: float, minutes: float) -> dict[str, Any]:
        message = {
            "type": "location",
            "route": route,
            "lat": lat,
            "lng": lng,
            "accuracy_m": 10.0,
            "timestamp": (T0 + timedelta(minutes=minutes)).isoformat(),
        }
        CLIENT.validate(message)
        self._connection.send(json.dumps(message))
        answer: dict[str, Any] = json.loads(self._connection.recv(timeout=30))
        return answer


@contextlib.contextmanager
def _socket(live: LiveService, token: str) -> Iterator[Socket]:
    url = "ws" + live.base_url.removeprefix("http") + "/ws"
    with connect(url, subprotocols=["wildside.v1", f"bearer.{token}"]) as connection:  # type: ignore[list-item]
        yield Socket(connection)


def _astray(path: WalkPath, arc: float) -> tuple[float, float]:
    """A position at least 150 m from every part of the path, near ``arc`` along it."""
    lat, lng = path.point_at(arc)
    for metres in (300, 400, 500, 700, 900):
        for dlat, dlng in ((1, 0), (-1, 0), (0, 2), (0, -2)):
            here = (lat + dlat * metres / 111_000, lng + dlng * metres / 111_000)
            if path.nearest(*here).distance_m > 150:
                return here
    pytest.fail("no position far from this route's path")


def test_a_walk_over_the_websocket_then_a_replan_without_the_visited_stop(
    live: LiveService,
) -> None:
    # Given a computed 60-minute tour
    token = live.user("e2e-walker")
    request_id, body = _tour(
        live, token, {"start": HELSINKI, "duration_minutes": 60, "preferences": ["history"]}
    )
    route = followed_route(decode_route_result(json.dumps(body)))
    assert route.stops, "the tour has no stop to walk to"
    first = route.stops[0]
    answers = []
    with _socket(live, token) as socket:
        # When the walker walks the path towards the first stop
        for step in range(4):
            lat, lng = route.path.point_at(first.anchor_m * step / 4)
            if route.path.distance_m((lat, lng), (first.lat, first.lng)) < 60:
                break  # close enough to count as arrived: the approach is over
            answers.append(socket.fix(request_id, lat, lng, minutes=step))
        assert len(answers) >= 2, "the first stop is too close to the start to walk to"
        # Then each fix names the first stop, nearer each time
        for answer in answers:
            GUIDANCE.validate(answer)
            assert answer["kind"] == "next_stop", answer
            assert answer["next"]["id"] == first.id
        distances = [a["next"]["distance_m"] for a in answers]
        assert distances == sorted(distances, reverse=True)
        assert distances[0] > distances[-1]
        # When they reach it, they have arrived, with its reason as the tip
        arrived = socket.fix(request_id, first.lat, first.lng, minutes=first.arrival_s / 60)
        GUIDANCE.validate(arrived)
        assert arrived["kind"] == "arrived"
        assert arrived["arrived"]["id"] == first.id
        assert arrived["arrived"]["tip"] == first.reason
        # When they stray far from the path after it
        far = _astray(route.path, first.anchor_m + 100)
        lost = socket.fix(request_id, *far, minutes=first.departure_s / 60 + 5)
        # Then they are off the route, and the way back leads to a point of the path
        GUIDANCE.validate(lost)
        assert lost["kind"] == "off_route", lost
        back = lost["way_back"]
        assert back["distance_m"] >= route.path.nearest(*far).distance_m - 1
        assert route.path.nearest(back["lat"], back["lng"]).distance_m < 1.0
        assert lost["visited"] == [first.id]
        # When they come back to the path
        lat, lng = route.path.point_at(first.anchor_m + 100)
        back_on = socket.fix(request_id, lat, lng, minutes=first.departure_s / 60 + 10)
        assert back_on["kind"] in ("next_stop", "arrived", "finished")
        remaining = back_on["remaining_s"]

    # Given the tour any walker would get from here (it has places the walker may have seen)
    minutes = max(5.0, min(480.0, remaining / 60))
    here = {
        "start": {"lat": lat, "lng": lng},
        "duration_minutes": minutes,
        "preferences": ["history"],
    }
    _, plain = _tour(live, token, here)
    seen_too = [stop["id"] for stop in plain["stops"][:1]]
    assert seen_too, "the tour from here has no stop, so skipping cannot be shown"
    # When they ask for a new tour from here that skips the stop they visited and one
    # of those places, which they saw on the way
    visited = [first.id, *seen_too]
    new_id, new_body = _tour(live, token, {**here, "from_route": request_id, "visited": visited})
    # Then the new tour starts there and visits none of them
    assert new_id != request_id
    assert not set(visited) & {stop["id"] for stop in new_body["stops"]}
    assert new_body["stops"], "the new tour still has places to visit"
    assert new_body["start"] == pytest.approx({"lat": lat, "lng": lng})


def test_another_users_route_gets_an_error_on_the_socket(live: LiveService) -> None:
    owner, stranger = live.user("e2e-owner"), live.user("e2e-stranger")
    request_id, body = _tour(live, owner, {"start": HELSINKI, "duration_minutes": 30})
    start = body["path"]["coordinates"][0]
    with _socket(live, stranger) as socket:
        refused = socket.fix(request_id, start[1], start[0], minutes=0)
        ERROR.validate(refused)
        assert (refused["type"], refused["code"], refused["route"]) == (
            "error",
            "not-found",
            request_id,
        )
        assert "next" not in refused
