"""Steps for features/sessions.feature: login throttling and damaged session cookies.

The real app over PostgreSQL and Redis; a test-only wrapper lets each request
name the client address it comes from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.composition.processes import build_http_app
from tests.service_stack import BASE_URL, Stack, service_settings
from tests.support.client_address import ClientAddress, from_address

scenarios("sessions.feature")

PROBLEM = "application/problem+json"


@dataclass
class Visit:
    """What a scenario has done so far."""

    stack: Stack | None = None
    password: str = ""
    responses: list[Any] = field(default_factory=list)
    cookie: str = ""

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    def log_in(self, username: str, password: str, address: str = "192.0.2.1") -> Any:
        return self.service.client.post(
            "/api/v1/login",
            json={"username": username, "password": password},
            headers=from_address(address),
        )


@pytest.fixture
def visit(migrated_database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Visit]:
    state = Visit()
    yield state
    if state.stack is not None:
        state.stack.client.__exit__(None, None, None)


@given("the service is running with its default login limits")
def _service(visit: Visit, migrated_database_url: str, redis_url: str, tmp_path: Path) -> None:
    settings = service_settings(migrated_database_url, redis_url, tmp_path)
    client: TestClient[Any] = TestClient(  # type: ignore[arg-type]
        app=ClientAddress(build_http_app(settings)), base_url=BASE_URL
    )
    client.__enter__()
    visit.stack = Stack(settings, client)


@given(parsers.parse('"{name}" has an account with the password "{password}"'))
def _account(visit: Visit, name: str, password: str) -> None:
    visit.service.user(name, password=password)
    visit.password = password


@given(parsers.parse('"{name}" has logged in'))
def _logged_in(visit: Visit, name: str) -> None:
    assert visit.log_in(name, visit.password).status_code == 200
    visit.cookie = visit.service.client.cookies["session"]
    visit.service.client.cookies.clear()


@when(parsers.parse('someone at {address} tries {count:d} wrong passwords for "{name}"'))
def _guess(visit: Visit, address: str, count: int, name: str) -> None:
    visit.responses = [visit.log_in(name, f"guess number {i}", address) for i in range(count)]


@when("one character of her session cookie is changed")
def _damage(visit: Visit) -> None:
    # Near the end: the readable (signed, not encrypted) part that holds the expiry.
    at = len(visit.cookie.strip('"').rstrip("=")) - 6
    replacement = "A" if visit.cookie[at] != "A" else "B"
    visit.cookie = visit.cookie[:at] + replacement + visit.cookie[at + 1 :]


@then(parsers.parse('the first {count:d} attempts are refused with {status:d} "{code}"'))
def _first_refused(visit: Visit, count: int, status: int, code: str) -> None:
    for response in visit.responses[:count]:
        assert response.status_code == status
        assert response.json()["code"] == code


@then(parsers.parse('the others are refused with {status:d} "{code}" and a time to retry'))
def _others_refused(visit: Visit, status: int, code: str) -> None:
    others = visit.responses[5:]
    assert others
    for response in others:
        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == code
        assert int(response.headers["retry-after"]) >= 1


@then(
    parsers.parse(
        '"{name}" at {address} is refused with {status:d} "{code}" even with the right password'
    )
)
def _owner_refused_there(visit: Visit, name: str, address: str, status: int, code: str) -> None:
    response = visit.log_in(name, visit.password, address)
    assert response.status_code == status
    assert response.json()["code"] == code


@then(parsers.parse('"{name}" at {address} logs in with the right password'))
def _owner_logs_in(visit: Visit, name: str, address: str) -> None:
    response = visit.log_in(name, visit.password, address)
    assert response.status_code == 200
    assert response.json()["username"] == name


def _with_cookie(visit: Visit, method: str, path: str, **kwargs: Any) -> Any:
    visit.service.client.cookies.clear()
    headers = {"Cookie": f"session={visit.cookie}", **kwargs.pop("headers", {})}
    return visit.service.client.request(method, path, headers=headers, **kwargs)


@then("every page still answers, none with a server error")
def _pages_answer(visit: Visit) -> None:
    for path in ("/health/live", "/health/ready", "/api/v1/me", "/api/v1/routes/x", "/metrics"):
        response = _with_cookie(visit, "GET", path)
        assert response.status_code < 500, (path, response.text)


@then(parsers.parse('she is asked to authenticate with {status:d} "{code}"'))
def _asked_to_authenticate(visit: Visit, status: int, code: str) -> None:
    response = _with_cookie(visit, "GET", "/api/v1/me")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == code


@then("she can log in again")
def _log_in_again(visit: Visit) -> None:
    response = _with_cookie(
        visit, "POST", "/api/v1/login", json={"username": "ada", "password": visit.password}
    )
    assert response.status_code == 200
