"""The worker process loop on a real broker: maintenance at boot and on its timer, a quiet stop."""

from __future__ import annotations

import logging
import threading

import pytest

from adapters.inbound.worker.process import WorkerOptions, run_worker
from adapters.outbound.dramatiq.broker import build_broker
from tests.support import defaults
from wildside.ports.route_job_queue import ROUTE_QUEUE


def test_a_worker_maintains_at_boot_and_stops_without_an_error_line(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a worker whose maintenance counts its ticks
    broker = build_broker(defaults.broker_settings(redis_url))
    broker.declare_queue(ROUTE_QUEUE)
    ticks: list[int] = []
    booted, stop = threading.Event(), threading.Event()

    def maintenance() -> int:
        ticks.append(len(ticks))
        booted.set()
        return len(ticks)

    options = WorkerOptions(queues=frozenset({ROUTE_QUEUE}), threads=1, maintenance_interval_s=60)
    exit_codes: list[int] = []
    caplog.set_level(logging.DEBUG)
    runner = threading.Thread(
        target=lambda: exit_codes.append(run_worker(broker, options, maintenance, stop=stop))
    )
    # When it starts, then maintenance runs at once, not a whole interval later
    runner.start()
    assert booted.wait(10)
    # When it is told to stop
    stop.set()
    runner.join(30)
    broker.close()
    # Then it exits 0 without a single error or critical line (Dramatiq has no
    # process_stop hook: emitting one logged a traceback per middleware)
    assert not runner.is_alive()
    assert exit_codes == [0]
    assert ticks == [0]
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert loud == [], [r.getMessage() for r in loud]
