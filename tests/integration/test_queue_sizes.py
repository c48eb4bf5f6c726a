"""Queue sizes read from the broker's real Redis keys: ready, delayed, reserved and dead."""

from __future__ import annotations

from collections.abc import Iterator

import dramatiq
import pytest

from adapters.outbound.dramatiq.broker import BrokerSettings, build_broker
from adapters.outbound.dramatiq.queue_depth import depth_reader

QUEUE = "enrichment"


@pytest.fixture
def broker(redis_url: str) -> Iterator[dramatiq.Broker]:
    built = build_broker(
        BrokerSettings(redis_url=redis_url, heartbeat_timeout_ms=60_000, maintenance_chance=0)
    )
    built.declare_queue(QUEUE)
    yield built
    built.close()


def _message(n: int) -> dramatiq.Message[None]:
    return dramatiq.Message(
        queue_name=QUEUE, actor_name="enrich_area", args=({"n": n},), kwargs={}, options={}
    )


def test_every_message_not_yet_done_counts_in_the_length(
    broker: dramatiq.Broker, redis_url: str
) -> None:
    read = depth_reader(redis_url, [QUEUE, "route_generation"])
    # Given an empty broker, then nothing is counted (an unknown queue reads zero too)
    assert read() == {QUEUE: (0, 0, 0), "route_generation": (0, 0, 0)}
    # When three messages are ready, one waits out a retry backoff and one is reserved
    for n in range(4):
        broker.enqueue(_message(n))
    broker.enqueue(_message(9), delay=600_000)
    consumer = broker.consume(QUEUE, prefetch=1, timeout=100)
    reserved = next(consumer)
    assert reserved is not None
    # Then three are ready, and the length counts all five
    assert read()[QUEUE] == (3, 0, 5)
    # When the reserved one is dead-lettered
    consumer.nack(reserved)
    # Then it leaves the length for the dead-letter set
    assert read()[QUEUE] == (3, 1, 4)
    consumer.close()
