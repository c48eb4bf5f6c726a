"""Product events reach a (local, fake) PostHog capture endpoint, pseudonymous and without PII."""

from __future__ import annotations

import gzip
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adapters.composition.service import product_analytics
from adapters.outbound.analytics.posthog_analytics import PostHogProductAnalytics
from adapters.settings import load_settings
from tests.fakes.saved_route_store import InMemorySavedRouteStore
from tests.unit.service.conftest import ADA, HELSINKI, World
from wildside.app.accounts import Accounts
from wildside.app.get_route import GetRoute
from wildside.app.saved_routes import SavedRoutes
from wildside.domain.errors import InvalidInputError
from wildside.domain.route_spec import RouteSpec
from wildside.ports.product_analytics import NullProductAnalytics, anonymous_id


class _Capture(BaseHTTPRequestHandler):
    """Records every batch; answers with the server's ``status`` (200 unless a test changes it)."""

    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        self.server.received.append({"path": self.path, "body": json.loads(raw)})  # type: ignore[attr-defined]
        status: int = self.server.status  # type: ignore[attr-defined]
        body = b'{"status": 1}' if status == 200 else b'{"error": "unavailable"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def capture() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    server.received = []  # type: ignore[attr-defined]
    server.status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _events(server: ThreadingHTTPServer) -> list[dict[str, Any]]:
    events = []
    for request in server.received:  # type: ignore[attr-defined]
        assert request["path"].startswith("/batch")
        assert request["body"]["api_key"] == "phc_test"
        events.extend(request["body"]["batch"])
    return events


def test_every_product_event_is_sent_pseudonymously(capture: ThreadingHTTPServer) -> None:
    host = f"http://127.0.0.1:{capture.server_address[1]}"
    analytics = PostHogProductAnalytics("phc_test", host, sync_mode=True)
    world = World()
    submit = world.submit_route(analytics=analytics)
    generate = world.generate_route(analytics=analytics)
    accounts = Accounts(world.accounts, world.secrets, world.clock, analytics)
    saved = SavedRoutes(
        get_route=GetRoute(world.store),
        store=InMemorySavedRouteStore(),
        clock=world.clock,
        ids=world.ids,
        analytics=analytics,
    )
    # When a user logs in, requests two tours, one computed (and saved) and one refused
    # by the engine, and logs out
    user = accounts.create_user("ada", "correct horse").user
    accounts.log_in("ada", "correct horse")
    spec = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"])
    request_id = submit(ADA, spec).request_id
    generate(world.queue.jobs[-1])
    saved.save(ADA, request_id, "Ada's walk")
    submit(ADA, RouteSpec.build(start=HELSINKI, duration_minutes=30))
    world.planner.error = InvalidInputError("no street near the start")
    generate(world.queue.jobs[-1])
    accounts.log_out(user.id, accounts.session_expiry(3600))
    analytics.close()
    # Then PostHog received each event once, under pseudonyms, with no personal data
    events = {e["event"]: e for e in _events(capture)}
    assert set(events) == {
        "SessionStarted",
        "RouteRequested",
        "RouteComputed",
        "RouteGenerationFailed",
        "UserSavedRoute",
        "SessionEnded",
    }
    assert events["SessionStarted"]["distinct_id"] == anonymous_id(user.id)
    assert events["SessionEnded"]["distinct_id"] == anonymous_id(user.id)
    assert events["UserSavedRoute"]["distinct_id"] == anonymous_id(ADA.id)
    saved_event = events["UserSavedRoute"]["properties"]
    assert (saved_event["stops"], saved_event["has_title"]) == (2, True)
    assert events["RouteRequested"]["distinct_id"] == anonymous_id(ADA.id)
    computed = events["RouteComputed"]["properties"]
    assert (computed["distance_m"], computed["stops"], computed["themes"]) == (2340, 2, ["history"])
    assert computed["cache_hit"] is False
    assert events["RouteGenerationFailed"]["properties"]["reason"] == "invalid-input"
    flattened = json.dumps([e["properties"] for e in events.values()]) + json.dumps(
        [e["distinct_id"] for e in events.values()]
    )
    for personal in (ADA.id, user.id, "ada", "Ada's walk", "60.1712", "24.9441"):
        assert personal not in flattened


def test_without_a_project_key_nothing_is_sent() -> None:
    with product_analytics(load_settings({})) as analytics:
        assert isinstance(analytics, NullProductAnalytics)


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_unreachable_posthog_never_breaks_the_caller_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a PostHog host where nothing listens
    analytics = PostHogProductAnalytics("phc_test", "http://127.0.0.1:9", sync_mode=True)
    # When an event is captured, Then the call returns normally
    with caplog.at_level(logging.WARNING):
        assert analytics.capture("RouteRequested", ADA.id, {"duration_minutes": 30}) is None
        analytics.close()
    # And the failed send is in the log (it was tried, and it failed)
    assert any("127.0.0.1" in message for message in _failures(caplog)), caplog.text


def test_a_refusing_posthog_never_breaks_the_caller_and_is_logged(
    capture: ThreadingHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a PostHog that answers every batch with 503
    capture.status = 503  # type: ignore[attr-defined]
    host = f"http://127.0.0.1:{capture.server_address[1]}"
    analytics = PostHogProductAnalytics("phc_test", host, sync_mode=True)
    # When an event is captured, Then the call returns normally
    with caplog.at_level(logging.WARNING):
        assert analytics.capture("RouteRequested", ADA.id, {"duration_minutes": 30}) is None
        analytics.close()
    # And PostHog really was sent the event, and the refusal is in the log
    assert [event["event"] for event in _events(capture)][:1] == ["RouteRequested"]
    assert any("503" in message for message in _failures(caplog)), caplog.text
