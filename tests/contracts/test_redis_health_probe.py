"""``RedisHealthProbe`` beyond the shared probe contract: a hung server times out quickly."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from adapters.outbound.redis.health import RedisHealthProbe
from wildside.domain.errors import UnavailableError


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung server)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    is_done = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not is_done.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    yield listener.getsockname()[1]
    is_done.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_hung_server_is_unavailable_within_the_timeout(silent_port: int) -> None:
    probe = RedisHealthProbe(f"redis://127.0.0.1:{silent_port}/0", timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(UnavailableError):
        probe.check()
    assert time.monotonic() - started < 1.0  # no retries behind the short timeout
    probe.close()
