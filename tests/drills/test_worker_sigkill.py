"""Drill: SIGKILL one of two workers at random moments, 20 times, while requests keep arriving.

Every accepted request must end ``succeeded`` exactly once (one stored result,
one final WebSocket message, only allowed transitions) and none may stay
``queued`` or ``running`` longer than 90 s: one worker always survives, so
that clock starts at submission.

The queue runs with the production settings for taking jobs back (lease,
maintenance interval, heartbeat timeout, Dramatiq's sweep chance): the e2e
harness's shortened heartbeat and "sweep on every broker command" are
removed, so the drill proves what an operator gets by default.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.drills.ledger import Ledger
from tests.drills.service import DrillService, Users, drill_service, request_rows
from tests.drills.traffic import Deadline, Followed, follow, idempotency_key, metric_5xx, route_body
from tests.ws_messages import check_status_stream

pytestmark = [pytest.mark.drill, pytest.mark.timeout(900)]

ROUNDS = 20
CI_ROUNDS = 6
STUCK_LIMIT_S = 90.0  # queued or running at most this long with a surviving worker up
SUBMIT_EVERY_S = 0.5
# Back-pressure: no new submission while this many are unfinished. Two workers of two
# threads stay busy, and on a slow machine the queue does not grow without bound, so
# the 90 s limit measures jobs stuck by a kill, not a backlog the load built.
MAX_OUTSTANDING = 8
DURATIONS = (240, 300, 360, 420, 480)
# The e2e harness's shortcuts that would hide how long a killed worker's job stays stuck.
HARNESS_SHORTCUTS = (
    "WILDSIDE_QUEUE_MAINTENANCE_CHANCE",
    "WILDSIDE_QUEUE_HEARTBEAT_TIMEOUT_MS",
    "WILDSIDE_MAINTENANCE_INTERVAL_S",
    "WILDSIDE_ROUTE_JOB_LEASE_S",
)


@pytest.fixture(scope="module")
def service(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    drill_dir: Callable[[str], Path],
    ledger: Ledger,
) -> Iterator[DrillService]:
    run_dir = drill_dir("sigkill")
    with drill_service(postgresql_proc, redis_server.url, helsinki_pbf, run_dir, ledger) as live:
        for name in HARNESS_SHORTCUTS:
            live.env.pop(name, None)
        live.start_api()
        live.start_worker()
        live.start_worker()
        yield live


@pytest.mark.parametrize(
    "rounds",
    [
        pytest.param(ROUNDS, marks=pytest.mark.drill_full, id="full"),
        pytest.param(CI_ROUNDS, marks=pytest.mark.drill_ci, id="ci"),
    ],
)
def test_sigkilled_workers_lose_no_job_and_finish_each_once(
    service: DrillService, ledger: Ledger, figures: dict[str, object], rounds: int
) -> None:
    # Given two workers and a client submitting a tour every half second (8 unfinished at most)
    user = Users(service).create("drill-kill")
    client = service.client(user.secret)
    rng = random.Random(20261207 + rounds)
    load_rng = random.Random(rng.random())
    answers: Counter[int] = Counter()
    submitted_at: dict[str, float] = {}
    followers: dict[str, Future[Followed]] = {}
    stop = threading.Event()
    overall = Deadline(600)
    pool = ThreadPoolExecutor(max_workers=200)

    def load() -> None:
        while not stop.is_set() and not overall.expired():
            if sum(not f.done() for f in list(followers.values())) >= MAX_OUTSTANDING:
                stop.wait(0.1)
                continue
            body = route_body(ledger, load_rng, duration=load_rng.choice(DURATIONS))
            key = idempotency_key(ledger) if load_rng.random() < 0.5 else None
            response = client.submit(body, idempotency_key=key)
            answers[response.status] += 1
            if response.status == 202:
                request_id = response.body["request_id"]
                submitted_at[request_id] = time.monotonic()
                followers[request_id] = pool.submit(
                    follow, service.base_url, user.secret, request_id, Deadline(STUCK_LIMIT_S + 30)
                )
            stop.wait(SUBMIT_EVERY_S)

    loader = threading.Thread(target=load, daemon=True)
    loader.start()
    # When, each round, one worker picked at random is SIGKILLed at a random moment and restarted
    restarts: list[float] = []
    running_at_kill = 0
    try:
        for _ in range(rounds):
            assert not overall.expired(), "the rounds ran out of time"
            time.sleep(rng.uniform(0.3, 2.5))
            # Kill mid-job when there is a job: wait (up to 3 s) until one runs somewhere.
            busy = Deadline(3)
            while not (running := _running(service.database_url)) and not busy.expired():
                time.sleep(0.05)
            running_at_kill += running
            service.kill_worker(rng.choice(service.workers))
            began = time.monotonic()
            service.start_worker()
            restarts.append(time.monotonic() - began)
    finally:
        stop.set()
        loader.join(timeout=60)
    streams = {rid: future.result(timeout=STUCK_LIMIT_S + 60) for rid, future in followers.items()}
    pool.shutdown()
    rows = request_rows(service.database_url)
    # Then every accepted request succeeded exactly once, none was stuck, nothing was sent twice
    failures: list[str] = []
    for request_id, seen in streams.items():
        status, attempts, results, seconds = rows.get(request_id, ("missing", 0, 0, None))
        if (status, results) != ("succeeded", 1):
            failures.append(f"{request_id}: {status}, {results} results, {attempts} attempts")
        elif seconds is None or seconds > STUCK_LIMIT_S:
            failures.append(f"{request_id}: took {seconds} s (limit {STUCK_LIMIT_S})")
        if seen.problem is not None or seen.final != "succeeded":
            failures.append(f"{request_id}: WebSocket {seen.problem or seen.final}")
        else:
            try:
                check_status_stream(seen.messages)
            except AssertionError as exc:
                failures.append(f"{request_id}: bad stream {seen.messages}: {exc}")
        if any(m.get("request_id") == request_id for m in seen.extra):
            failures.append(f"{request_id}: messages after the final one: {seen.extra}")
        answer = client.route(request_id)
        if answer.status != 200 or answer.body.get("status") != "succeeded":
            failures.append(f"{request_id}: GET answers {answer.status} {answer.body}")
    durations = sorted(s for (_, _, _, s) in rows.values() if s is not None)
    figures.update(
        rounds=rounds,
        accepted=len(streams),
        answers=dict(answers),
        rerun_after_kill=sum(1 for row in rows.values() if row[1] >= 2),
        running_at_kill=running_at_kill,
        worker_restart_s_max=round(max(restarts), 1),
        request_s_max=round(durations[-1], 1) if durations else None,
        request_s_p50=round(durations[len(durations) // 2], 1) if durations else None,
        failures=len(failures),
        api_5xx=metric_5xx(service.base_url),
    )
    assert set(answers) == {202}, answers
    assert len(rows) == len(streams), "a request was stored that was never accepted, or lost"
    assert not failures, f"{len(failures)} of {len(streams)} requests:\n" + "\n".join(failures[:40])
    assert figures["api_5xx"] == 0


def _running(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM route_requests WHERE status = 'running'"
        ).fetchone()
    return int(row[0]) if row else 0
