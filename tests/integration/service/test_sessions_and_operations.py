"""Sessions (login, cookie flags, logout), health probes, metrics, and start-up key checks."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.composition.processes import build_http_app
from tests.service_stack import ROUTE_BODY, Stack, service_settings
from wildside.domain.errors import ConfigurationError


def test_login_sets_a_locked_down_session_cookie_that_authenticates(stack: Stack) -> None:
    stack.user("ada", password="correct horse")
    response = stack.client.post(
        "/api/v1/login", json={"username": "ada", "password": "correct horse"}
    )
    assert response.status_code == 200
    assert response.json()["username"] == "ada"
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "correct horse" not in cookie
    assert "ada" not in cookie
    # The cookie alone is enough for every /api/v1 endpoint.
    assert stack.client.get("/api/v1/me").json()["username"] == "ada"
    assert stack.client.post("/api/v1/routes", json=ROUTE_BODY).status_code == 202


def test_logout_drops_the_session(stack: Stack) -> None:
    stack.user("ada", password="correct horse")
    stack.client.post("/api/v1/login", json={"username": "ada", "password": "correct horse"})
    assert stack.client.post("/api/v1/logout").status_code == 204
    assert stack.client.get("/api/v1/me").status_code == 401


def test_a_tampered_cookie_is_no_session(stack: Stack) -> None:
    stack.user("ada", password="correct horse")
    stack.client.post("/api/v1/login", json={"username": "ada", "password": "correct horse"})
    value = stack.client.cookies["session"]
    stack.client.cookies.clear()
    stack.client.cookies.set("session", value[:-6] + "AAAAAA", domain="testserver.local")
    assert stack.client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "ada", "password": "wrong horse"},
        {"username": "nobody", "password": "correct horse"},
    ],
)
def test_wrong_credentials_are_a_401_without_a_cookie(stack: Stack, credentials: dict) -> None:
    stack.user("ada", password="correct horse")
    response = stack.client.post("/api/v1/login", json=credentials)
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert response.json()["detail"] == "unknown username or wrong password"


def test_readiness_and_liveness(stack: Stack) -> None:
    assert stack.client.get("/health/live").json() == {"status": "ok", "checks": {}}
    ready = stack.client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"postgresql": "ok", "redis": "ok"}


def test_readiness_fails_while_redis_is_down(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(redis_url="redis://127.0.0.1:9/0")  # nothing listens on port 9
    ready = stack.client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["checks"]["postgresql"] == "ok"
    assert ready.json()["checks"]["redis"] != "ok"
    # Requests that need Redis get a 503 problem, not a 500.
    token = stack.user("ada")
    submit = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    assert submit.status_code == 503
    assert submit.headers["retry-after"] == "5"


def test_metrics_use_route_templates_and_the_documented_names(stack: Stack) -> None:
    token = stack.user("ada")
    stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    stack.client.get(
        "/api/v1/routes/00000000-0000-4000-8000-000000000001", headers=stack.auth(token)
    )
    stack.client.get("/no/such/page")
    text = stack.client.get("/metrics").text
    assert 'http_requests_total{method="POST",path="/api/v1/routes",status="202"} 1.0' in text
    assert 'path="/api/v1/routes/{request_id}",status="404"' in text
    assert 'path="<unmatched>",status="404"' in text
    assert "00000000-0000-4000-8000-000000000001" not in text  # no raw URLs as labels
    assert "http_request_duration_seconds_bucket" in text
    assert "websocket_connections 0.0" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the session key file"),
        ("not base64!", "is not base64"),
        (base64.b64encode(b"short").decode(), "must be 64"),
    ],
)
def test_a_bad_session_key_file_stops_start_up(
    migrated_database_url: str, redis_url: str, tmp_path: Path, content: str | None, message: str
) -> None:
    key = tmp_path / "bad.key"
    if content is not None:
        key.write_text(content)
    settings = service_settings(migrated_database_url, redis_url, tmp_path, session_key_file=key)
    with pytest.raises(ConfigurationError, match=message):
        build_http_app(settings)


def test_a_missing_session_key_setting_stops_start_up(
    migrated_database_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = service_settings(migrated_database_url, redis_url, tmp_path, session_key_file=None)
    with pytest.raises(ConfigurationError, match="WILDSIDE_SESSION_KEY_FILE is not set"):
        build_http_app(settings)
