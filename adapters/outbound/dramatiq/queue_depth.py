"""Read queue depths straight from the broker's Redis keys (for the metrics scrape)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import redis

from adapters.outbound.dramatiq.broker import dead_letter_key, queue_key


def depth_reader(url: str, queues: Iterable[str]) -> Callable[[], Mapping[str, tuple[int, int]]]:
    """A function returning ``{queue: (ready, dead)}``, one pipelined round trip per call."""
    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    names = list(queues)

    def read() -> Mapping[str, tuple[int, int]]:
        pipe = client.pipeline(transaction=False)
        for queue in names:
            pipe.llen(queue_key(queue))
            pipe.zcard(dead_letter_key(queue))
        values = pipe.execute()
        return {q: (int(values[2 * i]), int(values[2 * i + 1])) for i, q in enumerate(names)}

    return read
