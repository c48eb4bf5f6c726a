"""Each queue keeps its keys under its own name in the broker's namespace."""

from __future__ import annotations

import redis

from adapters.outbound.dramatiq.broker import NAMESPACE, build_broker, send
from tests.support import defaults
from wildside.ports.enrichment_job_queue import ENRICHMENT_QUEUE
from wildside.ports.route_job_queue import ROUTE_QUEUE

SHARED = {f"{NAMESPACE}:__heartbeats__"}  # one heartbeat per process, whatever it consumes


def test_the_route_and_enrichment_queues_share_no_key(redis_url: str) -> None:
    # Given a broker on an empty queue server
    broker = build_broker(defaults.broker_settings(redis_url))
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        # When each queue gets a message, and a consumer takes one of each
        for queue in (ROUTE_QUEUE, ENRICHMENT_QUEUE):
            broker.declare_queue(queue)
            send(broker, queue, "some_actor", {"n": 1})
            send(broker, queue, "some_actor", {"n": 2})
            consumer = broker.consume(queue, prefetch=1, timeout=100)
            assert next(consumer) is not None
        # Then every key but the heartbeat set names exactly one of the queues
        keys = {str(key) for key in client.keys("*")}
        assert all(key.startswith(f"{NAMESPACE}:") for key in keys)
        route = {key for key in keys - SHARED if ROUTE_QUEUE in key}
        enrichment = {key for key in keys - SHARED if ENRICHMENT_QUEUE in key}
        assert route
        assert enrichment
        assert route.isdisjoint(enrichment)
        assert route | enrichment | SHARED == keys
        # And the ready lists are the queues' own: one message left in each
        assert client.llen(f"{NAMESPACE}:{ROUTE_QUEUE}") == 1
        assert client.llen(f"{NAMESPACE}:{ENRICHMENT_QUEUE}") == 1
    finally:
        client.close()
        broker.close()
