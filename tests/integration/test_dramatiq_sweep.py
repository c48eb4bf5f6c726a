"""The dead-worker sweep on a real Redis: a killed worker's fetched messages go back at once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import dramatiq
import pytest
import redis

from adapters.outbound.dramatiq.broker import (
    BrokerSettings,
    build_broker,
    queue_key,
    send,
    sweep_dead_workers,
)

QUEUE = "route_generation"
HEARTBEAT_TIMEOUT_MS = 1_000


@pytest.fixture
def brokers(redis_url: str) -> Iterator[tuple[dramatiq.Broker, dramatiq.Broker]]:
    """Two worker processes' brokers on one Redis; Dramatiq's random sweep switched off."""
    settings = BrokerSettings(
        redis_url=redis_url, heartbeat_timeout_ms=HEARTBEAT_TIMEOUT_MS, maintenance_chance=0
    )
    dead, alive = build_broker(settings), build_broker(settings)
    for broker in (dead, alive):
        broker.declare_queue(QUEUE)
    yield dead, alive
    dead.close()
    alive.close()


def _fetch_one(broker: dramatiq.Broker) -> None:
    """Prefetch one message the way a worker's consumer does, and never acknowledge it."""
    consumer = broker.consume(QUEUE, prefetch=1, timeout=100)
    assert next(consumer) is not None


def test_a_dead_workers_unacknowledged_message_is_back_after_one_sweep(
    brokers: tuple[dramatiq.Broker, dramatiq.Broker], redis_url: str
) -> None:
    dead, alive = brokers
    client = redis.Redis.from_url(redis_url)
    # Given a worker fetched a message and then died (no more heartbeats)
    send(dead, QUEUE, "generate_route", {"request_id": "r-1"})
    _fetch_one(dead)
    assert client.llen(queue_key(QUEUE)) == 0
    # When a live worker sweeps before the heartbeat timeout, then the message stays out
    sweep_dead_workers(alive, [QUEUE])
    assert client.llen(queue_key(QUEUE)) == 0
    # When it sweeps after the timeout (real Redis time: the heartbeats are Redis's)
    time.sleep(HEARTBEAT_TIMEOUT_MS / 1000 + 0.2)
    sweep_dead_workers(alive, [QUEUE])
    # Then the message is ready again, once, for any worker to take
    assert client.llen(queue_key(QUEUE)) == 1
    sweep_dead_workers(alive, [QUEUE])
    assert client.llen(queue_key(QUEUE)) == 1
    client.close()


def test_a_sweeping_worker_is_never_taken_for_dead(
    brokers: tuple[dramatiq.Broker, dramatiq.Broker], redis_url: str
) -> None:
    busy, other = brokers
    client = redis.Redis.from_url(redis_url)
    # Given a worker holding a message for longer than the heartbeat timeout, whose
    # consumer is full (it sends no commands) but whose maintenance timer sweeps
    send(busy, QUEUE, "generate_route", {"request_id": "r-2"})
    _fetch_one(busy)
    for _ in range(3):
        time.sleep(HEARTBEAT_TIMEOUT_MS / 2000)
        sweep_dead_workers(busy, [QUEUE])
    # When another worker sweeps
    sweep_dead_workers(other, [QUEUE])
    # Then the busy worker's message is left with it
    assert client.llen(queue_key(QUEUE)) == 0
    client.close()
