"""``/api/v1/login`` and ``/api/v1/logout`` over fakes: the session events they send."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.inbound.http.app import create_app
from adapters.inbound.http.services import HttpServices
from tests.fakes.account_store import InMemoryAccountStore
from tests.fakes.clock import FakeClock
from tests.fakes.product_analytics import RecordingProductAnalytics
from tests.fakes.randomness import CountingSecrets
from tests.support import defaults
from tests.support.http_services import SilentTelemetry, http_services
from wildside.app.accounts import Accounts

PASSWORD = "correct horse"


class Browser:
    """The real app over fake accounts that record their product events."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.analytics = RecordingProductAnalytics()
        self.accounts = Accounts(
            InMemoryAccountStore(), CountingSecrets(), self.clock, self.analytics
        )
        self.user = self.accounts.create_user("ada", PASSWORD).user
        telemetry = SilentTelemetry()
        services = http_services(
            accounts=self.accounts,
            telemetry=telemetry,
        )

        @contextlib.asynccontextmanager
        async def opened() -> AsyncIterator[HttpServices]:
            yield services

        app = create_app(opened, defaults.http_settings(), telemetry)
        self.client: TestClient[Any] = TestClient(app, base_url="https://testserver.local")  # type: ignore[arg-type]

    def log_in(self) -> None:
        answer = self.client.post("/api/v1/login", json={"username": "ada", "password": PASSWORD})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def browser() -> Iterator[Browser]:
    made = Browser()
    with made.client:
        yield made


def test_a_login_then_a_logout_send_session_started_then_ended(browser: Browser) -> None:
    browser.log_in()
    assert browser.client.post("/api/v1/logout").status_code == 204
    assert browser.analytics.names() == ["SessionStarted", "SessionEnded"]
    assert {user_id for _, user_id, _ in browser.analytics.events} == {browser.user.id}


def test_a_logout_without_a_session_sends_nothing(browser: Browser) -> None:
    assert browser.client.post("/api/v1/logout").status_code == 204
    assert browser.analytics.events == []


def test_a_logout_after_the_session_expired_sends_no_end(browser: Browser) -> None:
    browser.log_in()
    browser.clock.advance(defaults.http_settings().session_max_age_s + 1)
    assert browser.client.post("/api/v1/logout").status_code == 204
    assert browser.analytics.names() == ["SessionStarted"]
