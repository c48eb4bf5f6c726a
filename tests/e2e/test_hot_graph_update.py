"""A running worker serves a new ingest's walking-graph tiles with no restart (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.composition import build_ingest
from adapters.settings import load_settings
from tests.e2e.live_service import LiveService
from wildside.ports.progress import SilentProgress

pytestmark = pytest.mark.slow

KOTKA = {"lat": 60.5300, "lng": 26.9500}  # in the Kotka test extract, 110 km from Helsinki
HELSINKI = {"lat": 60.1712, "lng": 24.9441}


def _final(live: LiveService, token: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    client = live.client(token)
    accepted = client.submit(body)
    assert accepted.status == 202, accepted.body
    request_id = str(accepted.body["request_id"])
    statuses = [message["status"] for message in client.follow(request_id)]
    assert statuses[-1] in {"succeeded", "failed"}
    answer = client.route(request_id)
    return answer.status, answer.body


def test_a_running_worker_serves_a_new_region_after_an_ingest(
    live: LiveService, kotka_pbf: Path
) -> None:
    # Given a running worker over a database holding only Helsinki
    token = live.user("hot-update")
    worker = live.workers[0]
    pid = worker.pid
    status, body = _final(live, token, {"start": HELSINKI, "duration_minutes": 30})
    assert status == 200, body
    status, body = _final(live, token, {"start": KOTKA, "duration_minutes": 60, "seed": 1})
    assert status == 422
    assert str(body["detail"]).startswith("no walking network is stored within")

    # When Kotka is ingested while the worker runs
    settings = load_settings({"WILDSIDE_DATABASE_URL": live.database_url})
    build_ingest(settings, SilentProgress())(kotka_pbf)

    # Then the same worker process plans a tour in Kotka, and still in Helsinki
    status, body = _final(live, token, {"start": KOTKA, "duration_minutes": 60, "seed": 2})
    assert status == 200, body["detail"]
    route = body["route"]
    assert isinstance(route, dict)
    assert route["data_version"] != ""
    status, body = _final(live, token, {"start": HELSINKI, "duration_minutes": 31})
    assert status == 200, body
    assert worker.poll() is None
    assert worker.pid == pid
    assert len(live.workers) == 1
