"""Steps for the API features: submission, live status over /ws, and the route cache.

Everything is real (Litestar app, PostgreSQL, Redis, a Dramatiq worker) except
the engine, which a scenario may make fail or slow down.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, InProcessWorker, Stack, make_stack, wait_for
from tests.ws_messages import CANDIDATE, ERROR, STATUS, check_status_stream
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_candidate import SketchStop, TourSketch

__all__ = ["make_stack"]  # the fixture the steps build on

scenarios("route_submission.feature", "route_status.feature", "route_cache.feature")


@dataclass
class Story:
    """What a scenario has done so far."""

    build: Callable[..., Stack]
    settings: dict[str, Any] = field(default_factory=dict)
    stack: Stack | None = None
    token: str = ""
    responses: list[Any] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    planner: FakePlanner | None = None
    worker: InProcessWorker | None = None
    # A gate: run once the WebSocket has delivered its first message (the snapshot).
    when_subscribed: Callable[[], None] | None = None

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    def submit(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        auth = self.service.auth(self.token)
        response = self.service.client.post(
            "/api/v1/routes", json=body, headers={**auth, **(headers or {})}
        )
        self.responses.append(response)
        if response.status_code == 202:
            self.request_ids.append(response.json()["request_id"])
        return response

    def restart(self, **settings: Any) -> None:
        self.settings.update(settings)
        self.stack = self.build(**self.settings)  # same database: the token stays valid


@pytest.fixture
def story(make_stack: Callable[..., Stack]) -> Story:
    return Story(make_stack)


def _tour(
    minutes: float, lat: float = 60.1712, lng: float = 24.9441, themes: str = "history"
) -> dict:
    return {
        "start": {"lat": lat, "lng": lng},
        "duration_minutes": minutes,
        "preferences": [t for t in themes.split(",") if t],
    }


# -- Given ---------------------------------------------------------------------------


@given("the service is running")
def _service(story: Story) -> None:
    story.stack = story.build()


@given("I am a registered user with an API token")
def _user(story: Story) -> None:
    story.token = story.service.user("walker")


@given(parsers.parse("the service allows {limit:d} route requests a minute"))
def _quota(story: Story, limit: int) -> None:
    story.restart(rate_limit_per_minute=limit)


@given(parsers.parse("jobs time out after {seconds:f} seconds"))
def _time_limit(story: Story, seconds: float) -> None:
    story.restart(route_job_time_limit_s=seconds)


@given("a worker is running")
def _worker(story: Story) -> None:
    story.planner = FakePlanner(progress_steps=(0, 20, 40, 60, 80, 100))
    story.worker = story.service.start_worker(story.planner)


@given("a worker that starts only once I am subscribed")
def _worker_after_subscription(story: Story) -> None:
    # No worker yet, so the request stays queued until the subscriber holds its snapshot.
    story.planner = FakePlanner(progress_steps=(0, 20, 40, 60, 80, 100))

    def start() -> None:
        assert story.planner is not None
        story.worker = story.service.start_worker(story.planner)

    story.when_subscribed = start


@given("a worker whose engine finds better tours as it searches, once I am subscribed")
def _worker_with_candidates(story: Story) -> None:
    # Tours scoring 0.5, 1.0, 1.4 (the final tour's score) found 0.55 s apart: the
    # first goes out at once, 1.0 comes too soon after it, 1.4 a second later.
    here = GeoPoint(60.1712, 24.9441)
    church = SketchStop("node/1", "Old Church", 60.17, 24.95)
    sketches = tuple(TourSketch(score, (church,), here, here) for score in (0.5, 1.0, 1.4))
    story.planner = FakePlanner(
        progress_steps=(0, 20, 40, 60, 80, 100), sketches=sketches, real_delay_s=0.55
    )

    def start() -> None:
        assert story.planner is not None
        story.worker = story.service.start_worker(story.planner)

    story.when_subscribed = start


@given(parsers.parse('a worker whose engine refuses tours with "{message}"'))
def _refusing_worker(story: Story, message: str) -> None:
    story.planner = FakePlanner(error=InvalidInputError(message))
    story.worker = story.service.start_worker(story.planner)


@given(parsers.parse("a worker whose engine takes {seconds:d} second"))
def _slow_worker(story: Story, seconds: int) -> None:
    story.planner = FakePlanner(progress_steps=(0, 50, 100), real_delay_s=seconds / 3)
    story.worker = story.service.start_worker(story.planner)


@given(parsers.parse("a worker that needs {seconds:d} second before its engine starts"))
def _late_worker(story: Story, seconds: int) -> None:
    story.planner = FakePlanner(version_delay_s=seconds)
    story.worker = story.service.start_worker(story.planner)


@given("I have requested a tour")
def _requested(story: Story) -> None:
    assert story.submit(ROUTE_BODY).status_code == 202


@given("I have requested a tour and it has finished")
def _finished(story: Story) -> None:
    _requested(story)
    _wait_finished(story, story.request_ids[-1])


@given("another user has requested a tour")
def _someone_else(story: Story) -> None:
    other = story.service.user("someone-else")
    response = story.service.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=story.service.auth(other)
    )
    story.request_ids.append(response.json()["request_id"])


# -- When ----------------------------------------------------------------------------


@when(parsers.parse('I request a {minutes:d} minute tour from {lat:f}, {lng:f} about "{themes}"'))
def _request(story: Story, minutes: int, lat: float, lng: float, themes: str) -> None:
    story.submit(_tour(minutes, lat, lng, themes))


@when(parsers.parse('I request a {minutes:d} minute tour with idempotency key "{key}"'))
def _request_with_key(story: Story, minutes: int, key: str) -> None:
    story.submit(_tour(minutes), {"Idempotency-Key": key})


@when(parsers.parse('I request the same tour again with idempotency key "{key}"'))
def _again_with_key(story: Story, key: str) -> None:
    story.submit(_tour(60), {"Idempotency-Key": key})


@when("I request a tour without a token")
def _anonymous(story: Story) -> None:
    story.responses.append(story.service.client.post("/api/v1/routes", json=ROUTE_BODY))


@when(parsers.parse("I request {count:d} tours in a row"))
def _many(story: Story, count: int) -> None:
    for _ in range(count):
        story.submit(ROUTE_BODY)


@when(parsers.parse("I send the body {body}"))
def _raw(story: Story, body: str) -> None:
    headers = {**story.service.auth(story.token), "Content-Type": "application/json"}
    story.responses.append(
        story.service.client.post("/api/v1/routes", content=body.encode(), headers=headers)
    )


@when(
    parsers.parse(
        'I request a {minutes:d} minute tour from {lat:f}, {lng:f} about "{themes}" and it finishes'
    )
)
def _request_and_wait(story: Story, minutes: int, lat: float, lng: float, themes: str) -> None:
    story.submit(_tour(minutes, lat, lng, themes))
    _wait_finished(story, story.request_ids[-1])


@when("I request the same tour again and it finishes")
def _same_again(story: Story) -> None:
    story.submit(json.loads(story.responses[-1].request.content))
    _wait_finished(story, story.request_ids[-1])


@when("I follow it over the WebSocket")
@when("I follow their request over the WebSocket")
def _follow(story: Story) -> None:
    protocols = ["wildside.v1", f"bearer.{story.token}"]
    with story.service.client.websocket_connect("/ws", subprotocols=protocols) as socket:
        socket.send_json(
            {
                "type": "subscribe",
                "channel": "route_generation_status",
                "request_id": story.request_ids[-1],
            }
        )
        while True:
            message = socket.receive_json(timeout=15)
            story.messages.append(message)
            if story.when_subscribed is not None:
                story.when_subscribed()
                story.when_subscribed = None
            if message.get("type") == "error" or message.get("status") in ("succeeded", "failed"):
                return


# -- Then ----------------------------------------------------------------------------


@then("the request is accepted with a request id")
def _accepted(story: Story) -> None:
    response = story.responses[-1]
    assert response.status_code == 202
    assert len(response.json()["request_id"]) == 36


@then("the answer says where to find the result")
def _location(story: Story) -> None:
    assert story.responses[-1].headers["location"] == f"/api/v1/routes/{story.request_ids[-1]}"


@then("the answer says how many requests I have left this minute")
def _remaining(story: Story) -> None:
    headers = story.responses[-1].headers
    assert (headers["ratelimit-limit"], headers["ratelimit-remaining"]) == ("60", "59")


@then("both answers carry the same request id")
def _same_id(story: Story) -> None:
    assert len(set(story.request_ids)) == 1
    assert len(story.request_ids) == 2


@then("only one tour request exists")
def _one_request(story: Story) -> None:
    import psycopg

    with psycopg.connect(story.service.settings.require_database_url()) as conn:
        assert conn.execute("SELECT count(*) FROM route_requests").fetchone() == (1,)


@then(parsers.parse('the last request is refused with {status:d} "{code}"'))
def _refused(story: Story, status: int, code: str) -> None:
    response = story.responses[-1]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


@then("the answer says when to retry")
def _retry_after(story: Story) -> None:
    assert int(story.responses[-1].headers["retry-after"]) >= 1


@then("I see it queued, then running with rising progress, then succeeded")
def _lifecycle(story: Story) -> None:
    statuses = [m["status"] for m in story.messages]
    assert statuses[0] == "queued"  # the worker started only after the snapshot arrived
    assert statuses[-1] == "succeeded"
    assert statuses[1:-1] == ["running"] * (len(statuses) - 2)
    running = [m["progress"] for m in story.messages if m["status"] == "running"]
    assert running == sorted(running)
    assert running[0] < running[-1]  # progress rose while it was watched


@then("every message matches the published schema")
def _schema(story: Story) -> None:
    check_status_stream([m for m in story.messages if m.get("type") != "route_candidate"])
    for message in story.messages:
        if message.get("type") == "route_candidate":
            CANDIDATE.validate(message)


def _candidates(story: Story) -> list[dict[str, Any]]:
    return [m for m in story.messages if m.get("type") == "route_candidate"]


@then("I see better tours between running and succeeded, each scoring more than the last")
def _better_tours(story: Story) -> None:
    kinds = [m.get("status", m["type"]) for m in story.messages]
    candidates = _candidates(story)
    scores = [c["score"] for c in candidates]
    # The first at once; then at most one a second (1.0 normally comes too soon after it)
    assert scores[0] == 0.5
    assert len(scores) >= 2
    assert scores == sorted(set(scores))
    times = [datetime.fromisoformat(c["timestamp"].replace("Z", "+00:00")) for c in candidates]
    assert all((b - a).total_seconds() >= 0.99 for a, b in itertools.pairwise(times))
    first, last = (
        kinds.index("route_candidate"),
        len(kinds) - 1 - kinds[::-1].index("route_candidate"),
    )
    assert "running" in kinds[:first]
    assert kinds[-1] == "succeeded"
    assert last < len(kinds) - 1


@then("the finished tour scores at least as much as every better tour I saw")
def _final_is_best(story: Story) -> None:
    response = story.service.client.get(
        f"/api/v1/routes/{story.request_ids[-1]}", headers=story.service.auth(story.token)
    )
    assert response.status_code == 200
    score = response.json()["route"]["score"]
    assert all(score >= c["score"] for c in _candidates(story))


@then("the finished tour can be fetched")
def _fetch(story: Story) -> None:
    response = story.service.client.get(
        f"/api/v1/routes/{story.request_ids[-1]}", headers=story.service.auth(story.token)
    )
    assert response.status_code == 200
    assert response.json()["route"]["points"]


@then(parsers.parse('I see it end as failed with the error "{error}"'))
def _failed(story: Story, error: str) -> None:
    final = story.messages[-1]
    STATUS.validate(final)
    assert (final["status"], final["error"]) == ("failed", error)


@then(parsers.parse('fetching it is refused with {status:d} "{code}"'))
def _fetch_refused(story: Story, status: int, code: str) -> None:
    response = story.service.client.get(
        f"/api/v1/routes/{story.request_ids[-1]}", headers=story.service.auth(story.token)
    )
    assert response.status_code == status
    assert response.json()["code"] == code


@then("I am told that the request does not exist")
def _not_found(story: Story) -> None:
    (message,) = story.messages
    ERROR.validate(message)
    assert message["code"] == "not-found"


@then(parsers.parse('I see only its final status "{status}"'))
def _only_final(story: Story, status: str) -> None:
    assert [m["status"] for m in story.messages] == [status]


@then("the engine ran once")
def _engine_once(story: Story) -> None:
    assert story.planner is not None
    assert len(story.planner.calls) == 1


@then("the second tour is marked as a cache hit")
def _cache_hit(story: Story) -> None:
    response = story.service.client.get(
        f"/api/v1/routes/{story.request_ids[-1]}", headers=story.service.auth(story.token)
    )
    assert response.json()["route"]["diagnostics"]["cache_hit"] is True


@then(parsers.parse("the worker counted {misses:d} cache miss and {hits:d} cache hit"))
def _counters(story: Story, misses: int, hits: int) -> None:
    assert story.worker is not None
    text = story.worker.metrics.render().decode()
    assert f"cache_route_lookup_misses_total {misses:.1f}" in text
    assert f"cache_route_lookup_hits_total {hits:.1f}" in text


def _wait_finished(story: Story, request_id: str) -> None:
    def done() -> bool:
        response = story.service.client.get(
            f"/api/v1/routes/{request_id}", headers=story.service.auth(story.token)
        )
        return response.status_code != 202

    wait_for(done, timeout=15)
