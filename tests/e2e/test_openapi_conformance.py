"""schemathesis against the running API: no 5xx, every response as the OpenAPI document says."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from adapters.composition.service import accounts, open_resources
from adapters.settings import load_settings
from tests.e2e.live_service import LiveService

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = str(Path(sys.executable).parent / "st")


def test_every_operation_conforms_to_the_openapi_document(live: LiveService) -> None:
    settings = load_settings(
        {"WILDSIDE_DATABASE_URL": live.database_url, "WILDSIDE_REDIS_URL": live.redis_url}
    )
    with open_resources(settings, pool_size=1) as resources:
        # An administrator, so the admin operations are exercised too (403s are tested elsewhere).
        token = accounts(resources).create_user("fuzzer", "fuzzer password", is_admin=True).secret
    # Every check schemathesis has (server errors, status codes, content types,
    # response schemas and headers, negative and positive data, auth), all phases.
    run = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(CONFIG),
            "run",
            f"{live.base_url}/schema/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--seed",
            "20261130",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report


def test_a_client_generated_from_the_document_reads_a_real_route_typed(
    live: LiveService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a client generated from the live document, as a new user would make one
    document = tmp_path / "openapi.json"
    document.write_bytes(httpx.get(f"{live.base_url}/schema/openapi.json", timeout=10).content)
    generator = str(Path(sys.executable).parent / "openapi-python-client")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    run = subprocess.run(
        [
            generator,
            "generate",
            "--path",
            str(document),
            "--output-path",
            "wildside_client",
            "--meta",
            "none",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    monkeypatch.syspath_prepend(str(tmp_path))
    client_module = importlib.import_module("wildside_client")
    submit = importlib.import_module("wildside_client.api.routes.api_v1_routes_submit")
    read = importlib.import_module("wildside_client.api.routes.api_v1_routes_request_id_read")
    models = importlib.import_module("wildside_client.models")
    settings = load_settings(
        {"WILDSIDE_DATABASE_URL": live.database_url, "WILDSIDE_REDIS_URL": live.redis_url}
    )
    with open_resources(settings, pool_size=1) as resources:
        token = accounts(resources).create_user("generated-client", None).secret
    client = client_module.AuthenticatedClient(base_url=live.base_url, token=token)
    # When it submits a tour and reads it back through the generated models only
    body = models.RouteRequestBody(
        start=models.PointIn(lat=60.1712, lng=24.9441),
        duration_minutes=60,
        preferences=[models.RouteRequestBodyPreferencesItem.HISTORY],
    )
    accepted = submit.sync(client=client, body=body)
    assert isinstance(accepted, models.Accepted)
    answer = read.sync(client=client, request_id=accepted.request_id)
    deadline = time.monotonic() + 60
    while isinstance(answer, models.RoutePending) and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = read.sync(client=client, request_id=accepted.request_id)
    # Then every part of the route is a typed model, not a bare dict
    assert isinstance(answer, models.RouteReady), answer
    route = answer.route
    assert isinstance(route, models.RouteResult)
    assert route.stops
    assert all(isinstance(s, models.RouteStop) for s in route.stops)
    assert all(isinstance(p, models.RoutePoint) for p in route.points)
    assert isinstance(route.path, models.LineString)
    assert route.path.type_ == "LineString"
    assert len(route.path.coordinates) > 1
    assert isinstance(route.diagnostics, models.RouteDiagnostics)
    assert route.attribution.startswith("© OpenStreetMap contributors")
    assert route.budget.requested_s == 3600
