"""End to end: real API and worker processes, real PostgreSQL/PostGIS, Redis and Dramatiq."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import free_port
from tests.e2e.live_service import LiveService
from tests.ws_messages import check_status_stream

pytestmark = pytest.mark.slow

HELSINKI = {"lat": 60.1712, "lng": 24.9441}


def _row(live: LiveService, request_id: str) -> tuple[Any, ...]:
    with psycopg.connect(live.database_url) as conn:
        row = conn.execute(
            "SELECT r.status, r.attempts,"
            " (SELECT count(*) FROM routes WHERE request_id = r.request_id)"
            " FROM route_requests r WHERE request_id = %s",
            (request_id,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_tour_flows_from_http_through_the_queue_and_worker_to_the_websocket(
    live: LiveService,
) -> None:
    client = live.client(live.user("e2e-flow"))
    body = {"start": HELSINKI, "duration_minutes": 90, "preferences": ["history", "nature"]}
    accepted = client.submit(body)
    assert accepted.status == 202
    request_id = accepted.body["request_id"]
    messages = list(client.follow(request_id))
    check_status_stream(messages)
    assert messages[-1]["status"] == "succeeded"
    result = client.route(request_id)
    assert result.status == 200
    route = result.body["route"]
    assert len(route["points"]) >= 4
    assert route["distance_m"] > 500
    assert route["budget"]["used_s"] <= 90 * 60
    assert len(route["path"]["coordinates"]) > len(route["points"])
    assert route["diagnostics"]["cache_hit"] is False
    assert _row(live, request_id) == ("succeeded", 1, 1)


def test_concurrent_submissions_with_one_key_create_exactly_one_job(live: LiveService) -> None:
    client = live.client(live.user("e2e-concurrent"))
    body = {"start": HELSINKI, "duration_minutes": 45, "preferences": ["art"], "seed": 991}

    def submit(_: int) -> str:
        response = client.submit(body, idempotency_key="the-same-key")
        assert response.status == 202, response.body
        return str(response.body["request_id"])

    with ThreadPoolExecutor(12) as pool:
        ids = set(pool.map(submit, range(12)))
    assert len(ids) == 1
    (request_id,) = ids
    messages = list(client.follow(request_id))
    assert messages[-1]["status"] == "succeeded"
    time.sleep(0.5)  # a duplicate job, if any, would have started by now
    with psycopg.connect(live.database_url) as conn:
        count = conn.execute(
            "SELECT count(*) FROM idempotency_keys WHERE key = 'the-same-key'"
        ).fetchone()
    assert count == (1,)
    assert _row(live, request_id) == ("succeeded", 1, 1)  # one delivery, one result


def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes_once(live: LiveService) -> None:
    client = live.client(live.user("e2e-kill"))
    for attempt in range(5):
        # A long, never-cached tour keeps the engine busy for a while.
        body = {"start": HELSINKI, "duration_minutes": 480, "seed": 5000 + attempt}
        request_id = client.submit(body).body["request_id"]
        victim = live.workers[-1]
        running = threading.Event()

        def watch(rid: str, pid: int, seen: threading.Event) -> None:
            for message in client.follow(rid):
                if message.get("status") == "running":
                    os.kill(pid, signal.SIGSTOP)  # freeze it mid-job
                    seen.set()
                    return

        watcher = threading.Thread(target=watch, args=(request_id, victim.pid, running))
        watcher.start()
        assert running.wait(60), live.logs()
        watcher.join()
        if _row(live, request_id)[0] == "running":
            break  # frozen mid-job, as intended
        os.kill(victim.pid, signal.SIGCONT)  # it finished first: try again
    else:
        pytest.fail("could not catch the worker mid-job in 5 attempts")
    # When the frozen worker is killed outright and a new one starts
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    live.workers.remove(victim)
    live.start_worker()
    # Then the job is delivered again and completes exactly once
    messages = list(client.follow(request_id))
    check_status_stream(messages)
    assert messages[-1]["status"] == "succeeded"
    status, attempts, results = _row(live, request_id)
    assert (status, results) == ("succeeded", 1)
    assert attempts == 2


def test_api_and_worker_stop_cleanly_on_sigterm(live: LiveService, tmp_path: Path) -> None:
    # Given an API and a worker of this test's own, on the live service's database and Redis
    own = LiveService(
        live.database_url,
        live.redis_url,
        tmp_path,
        env={**live.env, "WILDSIDE_RUN_DIR": str(tmp_path)},
        port=free_port(),
    )
    try:
        own.start_api()
        worker = own.start_worker()
        # with a tour requested through that API
        client = own.client(live.user("e2e-stop"))
        accepted = client.submit({"start": HELSINKI, "duration_minutes": 30})
        assert accepted.status == 202
        assert list(client.follow(accepted.body["request_id"]))[-1]["status"] == "succeeded"
    finally:
        # When both are sent SIGTERM
        codes = own.stop()
    # Then each exits by itself with 0 (a kill after 30 s would show as -9)
    assert codes == {"api": 0, f"worker-{worker.pid}": 0}, own.logs()
