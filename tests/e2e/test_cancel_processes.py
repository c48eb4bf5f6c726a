"""End to end: cancelling a queued and a running request with real API and worker processes."""

from __future__ import annotations

import functools
import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from adapters.outbound.wildside_api_client import WildsideApiClient
from tests.e2e.live_service import LiveService
from tests.service_stack import wait_for
from tests.ws_messages import check_status_stream

pytestmark = pytest.mark.slow

HELSINKI = {"lat": 60.1712, "lng": 24.9441}


def _row(live: LiveService, request_id: str) -> tuple[Any, ...]:
    """Status, error, attempts and stored results of one request."""
    with psycopg.connect(live.database_url) as conn:
        row = conn.execute(
            "SELECT r.status, r.error, r.attempts,"
            " (SELECT count(*) FROM routes WHERE request_id = r.request_id)"
            " FROM route_requests r WHERE request_id = %s",
            (request_id,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def _outcomes(worker: subprocess.Popen[bytes]) -> dict[str, float]:
    """The worker's route job outcomes so far (``wildside_jobs_total`` by ``outcome``)."""
    url = worker.metrics_url  # type: ignore[attr-defined]
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("wildside_jobs_total{") and 'queue="route_generation"' in line:
            outcome = re.search(r'outcome="([a-z_]+)"', line)
            if outcome is not None:
                counts[outcome.group(1)] = float(line.rsplit(" ", 1)[1])
    return counts


def _cancel(client: WildsideApiClient, request_id: str) -> int:
    return client.request("DELETE", f"/api/v1/routes/{request_id}").status


def _assert_cancelled(client: WildsideApiClient, request_id: str) -> None:
    fetched = client.route(request_id)
    assert fetched.status == 410
    assert fetched.headers["content-type"] == "application/problem+json"
    assert (fetched.body["code"], fetched.body["request_id"]) == ("cancelled", request_id)
    assert _cancel(client, request_id) == 204  # idempotent


def test_a_queued_request_is_cancelled_at_once_and_never_run(live: LiveService) -> None:
    client = live.client(live.user("e2e-cancel-queued"))
    worker = live.workers[-1]
    before = _outcomes(worker)
    os.kill(worker.pid, signal.SIGSTOP)  # nobody takes the job: the request stays queued
    try:
        request_id = client.submit({"start": HELSINKI, "duration_minutes": 60}).body["request_id"]
        # Given a follower over the WebSocket, when the request is cancelled once subscribed
        messages: list[dict[str, Any]] = []
        for message in client.follow(request_id):
            messages.append(message)
            if len(messages) == 1:
                assert message["status"] == "queued"
                assert _cancel(client, request_id) == 204
        # Then the follower saw it end as cancelled (through running, as the contract says)
        check_status_stream(messages)
        assert [m["status"] for m in messages] == ["queued", "running", "failed"]
        assert messages[-1]["error"] == "cancelled"
        _assert_cancelled(client, request_id)
        assert _row(live, request_id) == ("failed", "cancelled", 0, 0)
    finally:
        os.kill(worker.pid, signal.SIGCONT)
    # And when the worker gets the job, it skips it: nothing runs, nothing is counted as tried
    wait_for(lambda: _outcomes(worker).get("skipped", 0) > before.get("skipped", 0), 30)
    assert _row(live, request_id) == ("failed", "cancelled", 0, 0)


def test_a_running_request_stops_at_the_next_progress_check_and_is_not_retried(
    live: LiveService,
) -> None:
    client = live.client(live.user("e2e-cancel-running"))
    worker = live.workers[-1]
    for attempt in range(5):
        before = _outcomes(worker)
        # A long, never-cached tour keeps the engine busy for a while.
        body = {"start": HELSINKI, "duration_minutes": 480, "seed": 7000 + attempt}
        request_id = client.submit(body).body["request_id"]
        messages = list(_freeze_when_running(client, request_id, worker))
        if _row(live, request_id)[0] != "running":
            os.kill(worker.pid, signal.SIGCONT)  # it finished first: try again
            wait_for(functools.partial(_new_outcomes, worker, before), 30)  # once counted
            continue
        # When the request is cancelled while its worker is frozen mid-job
        assert _cancel(client, request_id) == 204
        os.kill(worker.pid, signal.SIGCONT)
        outcomes = wait_for(functools.partial(_new_outcomes, worker, before), 30)
        if "cancelled" not in outcomes:
            continue  # frozen after the search had ended (drawing the paths): try again
        break
    else:
        pytest.fail(f"could not catch the worker mid-search in 5 attempts: {live.logs()}")
    # Then the follower's stream ended cancelled, GET says so, and no route was stored
    messages += list(client.follow(request_id))
    assert messages[-1]["status"] == "failed"
    assert messages[-1]["error"] == "cancelled"
    _assert_cancelled(client, request_id)
    assert _row(live, request_id) == ("failed", "cancelled", 1, 0)
    # And neither the queue's retry nor the maintenance sweep (1 s ticks, 3 s leases) runs it again
    time.sleep(5)
    assert _row(live, request_id) == ("failed", "cancelled", 1, 0)
    # (a redelivery, if the frozen worker's own sweep sent one, was skipped: nothing failed)
    assert _new_outcomes(worker, before) <= {"cancelled", "skipped"}


def _freeze_when_running(
    client: WildsideApiClient, request_id: str, worker: subprocess.Popen[bytes]
) -> Iterator[dict[str, Any]]:
    """Follow the request; freeze the worker at the first progress message from its search."""
    for message in client.follow(request_id):
        yield message
        if message.get("status") == "running" and message.get("progress", 0) > 0:
            os.kill(worker.pid, signal.SIGSTOP)
            return


def _new_outcomes(worker: subprocess.Popen[bytes], before: dict[str, float]) -> set[str]:
    """The outcomes the worker counted since ``before`` (empty while none)."""
    now = _outcomes(worker)
    return {name for name, count in now.items() if count > before.get(name, 0)}
