"""Steps for saved tours and saved preferences: the real app, PostgreSQL, Redis and a worker.

Only the engine is a fake (``FakePlanner``), which also remembers the request
it planned, so a scenario can check what the worker was asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.route_request_store import PostgresRouteRequestStore
from tests.fakes.planner import FakePlanner
from tests.service_stack import HELSINKI, ROUTE_BODY, Stack, make_stack, wait_for

__all__ = ["make_stack"]  # the fixture the steps build on

scenarios("saved_routes.feature", "preferences.feature")

PREFERENCES = "/api/v1/me/preferences"


@dataclass
class Walk:
    """What a scenario has done so far."""

    build: Callable[..., Stack]
    stack: Stack | None = None
    planner: FakePlanner = field(default_factory=FakePlanner)
    token: str = ""
    request_ids: list[str] = field(default_factory=list)
    saved: list[Any] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    last: Any = None

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    @property
    def auth(self) -> dict[str, str]:
        return self.service.auth(self.token)

    def submit(self, body: dict[str, Any]) -> Any:
        self.last = self.service.client.post("/api/v1/routes", json=body, headers=self.auth)
        if self.last.status_code == 202:
            self.request_ids.append(self.last.json()["request_id"])
        return self.last

    def finished(self, body: dict[str, Any]) -> str:
        assert self.submit(body).status_code == 202, self.last.text
        request_id = self.request_ids[-1]
        wait_for(lambda: self.read(request_id).status_code == 200)
        return request_id

    def read(self, request_id: str, token: str | None = None) -> Any:
        headers = self.service.auth(token or self.token)
        return self.service.client.get(f"/api/v1/routes/{request_id}", headers=headers)

    def save(self, title: str, request_id: str | None = None) -> Any:
        target = request_id or self.request_ids[-1]
        self.last = self.service.client.post(
            f"/api/v1/routes/{target}/save", json={"title": title}, headers=self.auth
        )
        if self.last.status_code in (200, 201):
            self.saved.append(self.last.json())
        return self.last

    def saved_list(self, token: str | None = None, **params: Any) -> dict[str, Any]:
        headers = self.service.auth(token or self.token)
        answer = self.service.client.get("/api/v1/saved-routes", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


@pytest.fixture
def walk(make_stack: Callable[..., Stack]) -> Iterator[Walk]:
    made = Walk(make_stack)
    yield made
    if made.planner.gate is not None:
        made.planner.gate.set()  # a held job finishes, so the worker stops cleanly


# -- Given ---------------------------------------------------------------------------


@given("the service is running with a worker")
def _service(walk: Walk) -> None:
    walk.stack = walk.build()
    walk.service.start_worker(walk.planner)


@given("I am a registered walker")
def _walker(walk: Walk) -> None:
    walk.token = walk.service.user("walker")


@given(parsers.parse("I have a finished {minutes:d} minute tour"))
def _finished(walk: Walk, minutes: int) -> None:
    walk.finished({**ROUTE_BODY, "duration_minutes": minutes})


@given(parsers.parse("I have saved {count:d} finished tours"))
def _saved_many(walk: Walk, count: int) -> None:
    for n in range(count):
        walk.finished({**ROUTE_BODY, "duration_minutes": 30 + n})
        assert walk.save(f"tour {n}").status_code == 201


@given("I have a tour request still being computed")
def _unfinished(walk: Walk) -> None:
    walk.planner.gate = threading.Event()  # the worker holds the job mid-run
    assert walk.submit(ROUTE_BODY).status_code == 202


@given(
    parsers.parse(
        'I have saved the themes "{themes}", {minutes:d} minutes and a pace of {pace:f} m/s'
    )
)
def _saved_preferences(walk: Walk, themes: str, minutes: int, pace: float) -> None:
    body = {"themes": themes.split(","), "duration_minutes": minutes, "pace": pace}
    answer = walk.service.client.put(PREFERENCES, json=body, headers=walk.auth)
    assert answer.status_code == 200, answer.text


# -- When ----------------------------------------------------------------------------


@when(parsers.parse('I save it as "{title}"'))
def _save(walk: Walk, title: str) -> None:
    walk.save(title)


@when(parsers.parse('I save it again as "{title}"'))
def _save_again(walk: Walk, title: str) -> None:
    assert walk.save(title).status_code == 200


@when(parsers.parse("I read my saved tours {size:d} at a time"))
def _read_pages(walk: Walk, size: int) -> None:
    page = walk.saved_list(limit=size)
    walk.pages.append(page)
    while page["next_cursor"] is not None:
        page = walk.saved_list(limit=size, cursor=page["next_cursor"])
        walk.pages.append(page)


@when("a day passes and the expired requests are deleted")
def _a_day_later(walk: Walk) -> None:
    # What every worker's maintenance runs, a day and an hour from now.
    requests = PostgresRouteRequestStore(per_call(walk.service.settings.require_database_url()))
    assert requests.delete_expired(datetime.now(UTC) + timedelta(hours=25)) >= 1


@when("I read my preferences")
def _read_preferences(walk: Walk) -> None:
    walk.last = walk.service.client.get(PREFERENCES, headers=walk.auth)


@when("I request a tour giving only where I am")
def _only_start(walk: Walk) -> None:
    walk.submit({"start": HELSINKI})


@when(parsers.parse('I request a {minutes:d} minute tour about "{themes}"'))
def _stated(walk: Walk, minutes: int, themes: str) -> None:
    walk.submit({"start": HELSINKI, "duration_minutes": minutes, "preferences": [themes]})


# -- Then ----------------------------------------------------------------------------


@then(parsers.parse('it is saved as "{title}" with its {stops:d} stops'))
def _saved_as(walk: Walk, title: str, stops: int) -> None:
    assert walk.last.status_code == 201, walk.last.text
    assert (walk.saved[-1]["title"], walk.saved[-1]["stops"]) == (title, stops)


@then("my saved tours list it first")
def _listed_first(walk: Walk) -> None:
    assert walk.saved_list()["items"][0]["id"] == walk.saved[-1]["id"]


@then("reading it gives the same route the request gave")
def _same_route(walk: Walk) -> None:
    saved = walk.service.client.get(
        f"/api/v1/saved-routes/{walk.saved[-1]['id']}", headers=walk.auth
    )
    assert saved.json()["route"] == walk.read(walk.request_ids[-1]).json()["route"]


@then(parsers.parse('I have {count:d} saved tour, called "{title}"'))
def _one_copy(walk: Walk, count: int, title: str) -> None:
    items = walk.saved_list()["items"]
    assert [item["title"] for item in items] == [title] * count


@then(parsers.parse("I see all {count:d}, newest first, in {pages:d} pages"))
def _all_pages(walk: Walk, count: int, pages: int) -> None:
    seen = [item["id"] for page in walk.pages for item in page["items"]]
    assert seen == [saved["id"] for saved in reversed(walk.saved)]
    assert (len(seen), len(walk.pages)) == (count, pages)


@then(parsers.parse('the save is refused with {status:d} "{code}"'))
def _refused(walk: Walk, status: int, code: str) -> None:
    assert (walk.last.status_code, walk.last.json()["code"]) == (status, code)


@then("the request is gone")
def _request_gone(walk: Walk) -> None:
    assert walk.read(walk.request_ids[-1]).status_code == 404


@then(parsers.parse('my saved tour "{title}" is still there with its whole route'))
def _still_there(walk: Walk, title: str) -> None:
    saved = walk.service.client.get(
        f"/api/v1/saved-routes/{walk.saved[-1]['id']}", headers=walk.auth
    )
    assert saved.status_code == 200
    assert saved.json()["title"] == title
    assert saved.json()["route"]["path"]["type"] == "LineString"
    assert len(saved.json()["route"]["stops"]) == 2


@then("another walker cannot read it, delete it or find it in their list")
def _private(walk: Walk) -> None:
    other = walk.service.user("other-walker")
    location = f"/api/v1/saved-routes/{walk.saved[-1]['id']}"
    for method in ("GET", "DELETE"):
        answer = walk.service.client.request(method, location, headers=walk.service.auth(other))
        assert answer.status_code == 404, method
    assert walk.saved_list(other)["items"] == []
    assert walk.service.client.get(location, headers=walk.auth).status_code == 200


@then("another walker cannot save my request")
def _cannot_save(walk: Walk) -> None:
    other = walk.service.user("another-walker")
    answer = walk.service.client.post(
        f"/api/v1/routes/{walk.request_ids[-1]}/save", headers=walk.service.auth(other)
    )
    assert answer.status_code == 404


@then("they are no themes, no duration and a pace of 1.3 m/s")
def _system_defaults(walk: Walk) -> None:
    assert walk.last.json() == {
        "themes": [],
        "duration_minutes": None,
        "pace": 1.3,
        "updated_at": None,
    }


@then(parsers.parse('the tour is planned for {minutes:d} minutes at {pace:f} m/s about "{themes}"'))
def _planned(walk: Walk, minutes: int, pace: float, themes: str) -> None:
    assert walk.last.status_code == 202, walk.last.text
    request_id = walk.request_ids[-1]
    wait_for(lambda: walk.read(request_id).status_code == 200)
    planned = walk.planner.calls[-1]
    assert planned.duration_minutes == minutes
    assert planned.pace_m_s == pace
    assert planned.themes == tuple(themes.split(","))


@then(parsers.parse('the request is refused with {status:d} naming "{field_name}"'))
def _refused_naming(walk: Walk, status: int, field_name: str) -> None:
    assert walk.last.status_code == status
    assert walk.last.json()["field"] == field_name


@then("another walker still has the system's preferences")
def _others_defaults(walk: Walk) -> None:
    other = walk.service.user("other-walker")
    answer = walk.service.client.get(PREFERENCES, headers=walk.service.auth(other))
    assert answer.json()["updated_at"] is None
    assert answer.json()["themes"] == []
