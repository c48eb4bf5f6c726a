"""Read queue sizes straight from the broker's Redis keys (for the metrics scrape)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import redis

from adapters.outbound.dramatiq.broker import dead_letter_key, messages_key, queue_key


def depth_reader(
    url: str, queues: Iterable[str]
) -> Callable[[], Mapping[str, tuple[int, int, int]]]:
    """A function returning ``{queue: (ready, dead, length)}``, one pipelined round trip per call.

    ``ready`` is the queue's list (messages waiting for a worker); ``length``
    counts every message not yet acknowledged: the queue's message hash
    (ready, and reserved by a worker) plus its delay queue's (retries waiting
    out their backoff).
    """
    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    names = list(queues)

    def read() -> Mapping[str, tuple[int, int, int]]:
        pipe = client.pipeline(transaction=False)
        for queue in names:
            pipe.llen(queue_key(queue))
            pipe.zcard(dead_letter_key(queue))
            pipe.hlen(messages_key(queue))
            pipe.hlen(messages_key(queue, is_delayed=True))
        values = [int(v) for v in pipe.execute()]
        return {
            q: (values[4 * i], values[4 * i + 1], values[4 * i + 2] + values[4 * i + 3])
            for i, q in enumerate(names)
        }

    return read
