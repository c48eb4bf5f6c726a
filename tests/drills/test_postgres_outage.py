"""Drill: a fast shutdown of PostgreSQL under load (``pg_ctl stop -m fast``), then a start.

The server is the session's pytest-postgresql one (drills run one at a time,
so nothing else uses it meanwhile); its executor's ``stop`` runs
``pg_ctl stop -D … -m f`` (fast: sessions are disconnected, no crash
recovery), its ``start`` the same ``pg_ctl start`` as at the session's start.
No answer may be a 500; submissions are accepted again within 5 s of
PostgreSQL being back; every ``202`` ends ``succeeded``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.drills.ledger import Ledger
from tests.drills.service import DrillService, Users, drill_service, request_rows
from tests.drills.traffic import Deadline, Load, wait_all_final

pytestmark = [pytest.mark.drill, pytest.mark.timeout(400)]

SUBMIT_EVERY_S = 0.2  # 5 submissions a second
LOAD_BEFORE_S = 3.0
DOWN_S = 8.0
RECOVERY_LIMIT_S = 5.0
LOAD_AFTER_S = 6.0


@pytest.fixture(scope="module")
def service(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    drill_dir: Callable[[str], Path],
    ledger: Ledger,
) -> Iterator[DrillService]:
    run_dir = drill_dir("postgres-outage")
    with drill_service(postgresql_proc, redis_server.url, helsinki_pbf, run_dir, ledger) as live:
        live.start_api()
        live.start_worker()
        live.start_worker()
        yield live


def test_a_postgres_fast_shutdown_gives_no_500_and_heals_within_5_s(
    service: DrillService,
    postgresql_proc: PostgreSQLExecutor,
    ledger: Ledger,
    figures: dict[str, object],
) -> None:
    # Given five submissions a second
    issued = Users(service).create("drill-pg")
    load = Load(service.client(issued.secret), ledger, random.Random(5), every_s=SUBMIT_EVERY_S)
    load.start(Deadline(LOAD_BEFORE_S + DOWN_S + RECOVERY_LIMIT_S + LOAD_AFTER_S + 60))
    time.sleep(LOAD_BEFORE_S)
    pids = service.pids()
    # When PostgreSQL shuts down fast, stays down, and starts again
    stopping_at = time.monotonic()
    try:
        postgresql_proc.stop()
        stopped_at = time.monotonic()
        time.sleep(DOWN_S)
    finally:
        restarting_at = time.monotonic()
        postgresql_proc.start()
    back_at = time.monotonic()
    deadline = Deadline(RECOVERY_LIMIT_S + LOAD_AFTER_S)
    while not deadline.expired():
        time.sleep(0.1)
    load.stop()
    # Then no 500, submissions are accepted again within 5 s, and every 202 ends succeeded
    statuses = Counter(a.status for a in load.answers)
    down = Counter(a.status for a in load.answers if stopped_at < a.at < restarting_at)
    # Recovery: until the first submission sent after PostgreSQL was back is accepted.
    after = [a.at for a in load.answers if a.status == 202 and a.sent_at > back_at]
    recovered_s = (min(after) - back_at) if after else None
    rows = wait_all_final(lambda: request_rows(service.database_url), load.accepted, Deadline(120))
    outcome = Counter(rows.get(r, ("missing",))[0] for r in load.accepted)
    figures.update(
        statuses=dict(statuses),
        answers_while_down=dict(down),
        stop_s=round(stopped_at - stopping_at, 2),
        start_s=round(back_at - restarting_at, 2),
        recovery_s=None if recovered_s is None else round(recovered_s, 2),
        accepted=len(load.accepted),
        outcome=dict(outcome),
    )
    assert statuses[500] == 0, statuses
    assert not [s for s in statuses if s >= 500 and s != 503], statuses
    assert set(down) <= {503}, down
    for answer in load.answers:
        if answer.status == 503:
            assert answer.content_type.startswith("application/problem+json"), answer
            assert answer.retry_after is not None, answer
    assert recovered_s is not None, "no submission was accepted after PostgreSQL came back"
    assert recovered_s <= RECOVERY_LIMIT_S, recovered_s
    assert service.alive(), "a process died"
    assert service.pids() == pids, "a process was restarted"
    assert outcome == Counter({"succeeded": len(load.accepted)}), outcome
