"""Steps for cancelling requests, partial tours at the time limit, and the request history.

The stack is the real one (Litestar app, PostgreSQL, Redis, a Dramatiq
worker); only the engine is the fake that a scenario can hold or slow down.
"""

from __future__ import annotations

import threading
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd import test_route_api_features as api
from tests.bdd.test_route_api_features import Story, story
from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, make_stack, wait_for
from tests.ws_messages import STATUS

__all__ = ["make_stack", "story"]  # the fixtures the steps build on

scenarios("route_cancel.feature")

# Steps this feature shares with the route API features, registered here too.
given("the service is running")(api._service)
given("I am a registered user with an API token")(api._user)
given("another user has requested a tour")(api._someone_else)
given(parsers.parse("jobs time out after {seconds:f} seconds"))(api._time_limit)
given(parsers.parse("a worker whose engine takes {seconds:d} second"))(api._slow_worker)
given("a worker is running")(api._worker)
given("I have requested a tour")(api._requested)
given("I have requested a tour and it has finished")(api._finished)
when("I follow it over the WebSocket")(api._follow)
then("every message matches the published schema")(api._schema)
then(parsers.parse('fetching it is refused with {status:d} "{code}"'))(api._fetch_refused)


def _path(story: Story) -> str:
    return f"/api/v1/routes/{story.request_ids[-1]}"


def _cancel(story: Story) -> Any:
    response = story.service.client.delete(_path(story), headers=story.service.auth(story.token))
    story.responses.append(response)
    return response


def _status(story: Story) -> str:
    """The request's status while pending, else the problem's code (``cancelled``)."""
    response = story.service.client.get(_path(story), headers=story.service.auth(story.token))
    body = response.json()
    return str(body["code"] if response.status_code >= 400 else body["status"])


# -- Given ---------------------------------------------------------------------------


@given("a worker whose engine I hold at its first step")
def _held_worker(story: Story) -> None:
    story.planner = FakePlanner(progress_steps=(0, 20, 40, 60, 80, 100), gate=threading.Event())
    steps: list[int] = []
    story.planner.on_step = steps.append
    story.steps = steps  # type: ignore[attr-defined]
    story.worker = story.service.start_worker(story.planner)


@given("I have requested a tour and the worker has started it")
def _started(story: Story) -> None:
    api._requested(story)
    wait_for(lambda: _status(story) == "running")


@given(parsers.parse("I have requested {count:d} tours"))
def _several(story: Story, count: int) -> None:
    for minutes in range(count):
        assert story.submit({**ROUTE_BODY, "duration_minutes": 30 + minutes}).status_code == 202


# -- When ----------------------------------------------------------------------------


@when("I cancel it")
def _cancel_it(story: Story) -> None:
    _cancel(story)


@when("I follow it over the WebSocket and cancel it once subscribed")
def _follow_and_cancel(story: Story) -> None:
    def cancel() -> None:
        _cancel(story)

    story.when_subscribed = cancel
    api._follow(story)


@when("the engine goes on")
def _go_on(story: Story) -> None:
    assert story.planner is not None
    assert story.planner.gate is not None
    story.planner.gate.set()


@when(parsers.parse("I list my requests {size:d} at a time"))
def _list(story: Story, size: int) -> None:
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": size} | ({"cursor": cursor} if cursor else {})
        response = story.service.client.get(
            "/api/v1/routes", params=params, headers=story.service.auth(story.token)
        )
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    story.pages = pages  # type: ignore[attr-defined]


# -- Then ----------------------------------------------------------------------------


@then("the cancel is answered 204")
def _answered(story: Story) -> None:
    cancels = [r for r in story.responses if r.request.method == "DELETE"]
    assert cancels[-1].status_code == 204, cancels[-1].text
    assert cancels[-1].content == b""


@then(parsers.parse('the cancel is refused with {status:d} "{code}"'))
def _cancel_refused(story: Story, status: int, code: str) -> None:
    response = story.responses[-1]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


@then(parsers.parse('I see it queued, then failed with the error "{error}"'))
def _queued_then_failed(story: Story, error: str) -> None:
    # The contract has no queued -> failed step: the stream passes through running.
    statuses = [m["status"] for m in story.messages]
    assert statuses == ["queued", "running", "failed"]
    assert story.messages[-1]["error"] == error


@then("cancelling it again is answered 204")
def _again(story: Story) -> None:
    assert _cancel(story).status_code == 204
    assert _status(story) == "cancelled"


@then("a worker started now never runs its engine for it")
def _never_runs(story: Story) -> None:
    planner = FakePlanner()
    worker = story.service.start_worker(planner)

    def skipped() -> bool:
        return 'outcome="skipped"' in worker.metrics.render().decode()

    wait_for(skipped)  # the job arrived and was skipped: its request is final
    assert planner.calls == []


@then("the worker stops at its next progress report, without a tour and without a retry")
def _stopped(story: Story) -> None:
    worker = story.worker
    assert worker is not None

    def text() -> str:
        return worker.metrics.render().decode()

    wait_for(lambda: 'outcome="cancelled"' in text())
    assert story.steps == [0]  # type: ignore[attr-defined]
    assert story.planner is not None
    assert len(story.planner.calls) == 1
    assert 'outcome="failed"' not in text()


@then(parsers.parse('following it over the WebSocket shows only failed with the error "{error}"'))
def _final_only(story: Story, error: str) -> None:
    api._follow(story)
    (final,) = story.messages
    STATUS.validate(final)
    assert (final["status"], final["error"]) == ("failed", error)


@then("I see it end as succeeded")
def _succeeded(story: Story) -> None:
    assert story.messages[-1]["status"] == "succeeded"


@then("the tour is marked partial")
def _partial(story: Story) -> None:
    response = story.service.client.get(_path(story), headers=story.service.auth(story.token))
    assert response.status_code == 200
    assert response.json()["route"]["diagnostics"]["partial"] is True


@then(
    parsers.parse(
        "I see my {count:d} requests newest first, each with its status and what I asked for"
    )
)
def _history(story: Story, count: int) -> None:
    pages: list[dict[str, Any]] = story.pages  # type: ignore[attr-defined]
    listed = [item for page in pages for item in page["requests"]]
    assert len(pages) == 2  # two at a time: a full page, then the last one
    mine = story.request_ids[1:]  # the first id the story saw is the other user's
    assert [item["request_id"] for item in listed] == mine[::-1]
    assert len(listed) == count
    assert [item["request"]["duration_minutes"] for item in listed] == [32.0, 31.0, 30.0]
    for item in listed:
        assert item["status"] == "queued"  # no worker runs in this scenario
        assert item["request"]["start"] == ROUTE_BODY["start"]
        assert item["request"]["preferences"] == sorted(ROUTE_BODY["preferences"])
        assert item["created_at"].endswith("Z")


@then("none of them is the other user's")
def _mine_only(story: Story) -> None:
    pages: list[dict[str, Any]] = story.pages  # type: ignore[attr-defined]
    listed = {item["request_id"] for page in pages for item in page["requests"]}
    assert story.request_ids[0] not in listed  # the other user's, submitted first
    assert len(listed) == len(story.request_ids) - 1
