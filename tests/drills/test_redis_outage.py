"""Drill: SIGKILL Redis (AOF on) with jobs queued and running, restart it, restart nothing else.

While Redis is down a submission is a ``503`` problem (never a 500, never the
user's id or Redis's address); once it is back, submissions are accepted
again without restarting any API or worker process, and every request that
was ever accepted ends ``succeeded``.
"""

from __future__ import annotations

import os
import random
import signal
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import free_port
from tests.drills.ledger import Ledger
from tests.drills.service import DrillService, Users, drill_service, request_rows
from tests.drills.traffic import Deadline, Load, wait_all_final

pytestmark = [pytest.mark.drill, pytest.mark.timeout(400)]

BACKLOG = 16  # long tours submitted before the kill: a few running, the rest queued
DOWN_S = 6.0
RECOVERY_LIMIT_S = 15.0


@pytest.fixture(scope="module")
def durable_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A private Redis with the append-only file, as production runs it."""
    server = RedisServer(root=tmp_path_factory.mktemp("redis-aof"), port=free_port())
    assert server.is_durable
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def service(
    postgresql_proc: PostgreSQLExecutor,
    durable_redis: RedisServer,
    helsinki_pbf: Path,
    drill_dir: Callable[[str], Path],
    ledger: Ledger,
) -> Iterator[DrillService]:
    run_dir = drill_dir("redis-outage")
    with drill_service(postgresql_proc, durable_redis.url, helsinki_pbf, run_dir, ledger) as live:
        live.start_api()
        live.start_worker()
        yield live


def test_a_redis_sigkill_loses_no_accepted_job_and_heals_without_restarts(
    service: DrillService, durable_redis: RedisServer, ledger: Ledger, figures: dict[str, object]
) -> None:
    # Given a backlog of long tours: some running, the rest queued
    user = Users(service)
    issued = user.create("drill-redis")
    load = Load(service.client(issued.secret), ledger, random.Random(12), every_s=0.2, duration=480)
    for _ in range(BACKLOG):
        assert load.submit_once().status == 202
    deadline = Deadline(20)
    while not _statuses(service).get("running") and not deadline.expired():
        time.sleep(0.1)
    time.sleep(1.2)  # the append-only file is synced every second
    before = _statuses(service)
    assert before.get("running"), f"no job was running at the kill: {before}"
    assert before.get("queued"), f"no job was queued at the kill: {before}"
    pids = service.pids()
    # When Redis is SIGKILLed and stays down while the API keeps being asked
    pid = durable_redis.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    gone = Deadline(10)
    while durable_redis.is_running():
        assert not gone.expired(), "Redis survived SIGKILL for 10 s"
        time.sleep(0.05)
    killed_at = time.monotonic()
    load.start(Deadline(120))
    ready_while_down: Counter[int] = Counter()
    while time.monotonic() - killed_at < DOWN_S:
        ready_while_down[_ready_status(service.base_url)] += 1
        time.sleep(0.5)
    # And Redis comes back from its append-only file
    restarting_at = time.monotonic()
    down = [a for a in load.answers if killed_at < a.at < restarting_at]
    durable_redis.start()
    back_at = time.monotonic()
    deadline = Deadline(RECOVERY_LIMIT_S + 5)
    while not any(a.status == 202 and a.sent_at > back_at for a in load.answers):
        assert not deadline.expired(), f"no 202 within {RECOVERY_LIMIT_S} s of Redis being back"
        time.sleep(0.05)
    recovered_s = (
        min(a.at for a in load.answers if a.status == 202 and a.sent_at > back_at) - back_at
    )
    time.sleep(2.0)  # a little load after recovery
    load.stop()
    # Then every answer while down was a 503 problem, and nothing leaked in it
    answered = Counter(a.status for a in down)
    leaks = [
        a.body
        for a in down
        if issued.user.id in str(a.body) or f":{durable_redis.port}" in str(a.body)
    ]
    # And every accepted request, before, during and after, ends succeeded
    rows = wait_all_final(lambda: request_rows(service.database_url), load.accepted, Deadline(180))
    outcome = Counter(rows.get(r, ("missing",))[0] for r in load.accepted)
    figures.update(
        backlog_at_kill=before,
        down_s=round(back_at - killed_at, 1),
        answers_while_down=dict(answered),
        ready_while_down=dict(ready_while_down),
        recovery_s=round(recovered_s, 2),
        accepted=len(load.accepted),
        outcome=dict(outcome),
        all_statuses=dict(Counter(a.status for a in load.answers)),
    )
    assert answered, "nothing was asked while Redis was down"
    assert set(answered) <= {503}, answered
    for answer in down:
        assert answer.content_type.startswith("application/problem+json"), answer
        assert answer.body["status"] == 503
        assert answer.body["code"] == "service-unavailable"
        assert answer.retry_after is not None, answer
    assert not leaks, f"the 503 problem names the user or Redis: {leaks[0]}"
    assert set(ready_while_down) == {503}, ready_while_down
    assert recovered_s <= RECOVERY_LIMIT_S
    assert service.alive(), "a process died"
    assert service.pids() == pids, "a process was restarted"
    assert outcome == Counter({"succeeded": len(load.accepted)}), outcome


def _statuses(service: DrillService) -> dict[str, int]:
    return dict(Counter(row[0] for row in request_rows(service.database_url).values()))


def _ready_status(base_url: str) -> int:
    try:
        with urllib.request.urlopen(base_url + "/health/ready", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0
