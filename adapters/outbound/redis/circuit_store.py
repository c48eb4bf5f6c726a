"""``CircuitStore`` on Redis: one hash per endpoint, changed under WATCH/MULTI/EXEC."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import redis
from redis.typing import EncodableT, FieldT

from adapters.outbound.redis.connection import SERVICE, translate_errors
from wildside.domain.enrichment.circuit_breaker import BreakerState, BreakerStatus
from wildside.domain.errors import UnavailableError
from wildside.ports.circuit_store import CircuitStore

KEY_PREFIX = "enrich:breaker:"
# Two processes racing on one breaker each win within a few attempts; fifty
# lost races in a row mean something keeps rewriting the key, so give up.
MAX_ATTEMPTS = 50
# A loser waits a random while (growing to at most 20 ms) before trying again:
# retrying at once, it can lose every race to a winner that is already busy
# with its next update (seen with threads under load: 50 losses in a row).
BACKOFF_BASE_S = 0.0005
BACKOFF_CAP_S = 0.02

T = TypeVar("T")


def breaker_key(endpoint: str) -> str:
    """The hash of ``endpoint``'s breaker (URLs hold ``:`` and ``/``, awkward in keys).

    Examples
    --------
    >>> breaker_key("https://overpass-api.de/api/interpreter")
    'enrich:breaker:af92053c73df541334a53405c29a01220398574f'
    """
    return KEY_PREFIX + hashlib.sha1(endpoint.encode(), usedforsecurity=False).hexdigest()


class RedisCircuitStore(CircuitStore):
    """Fields ``status``, ``failures``, ``opened_at``, ``probe_started_at``; no expiry.

    ``update`` is optimistic: WATCH the hash, read it, run the transition,
    and write in MULTI/EXEC, which Redis refuses if anyone wrote the hash in
    between; then the transition runs again on the fresh state. A Lua script
    cannot do this, because the transition is Python. Breakers change rarely
    (a few times per Overpass call), so retries are rare too; a lost race
    backs off a random few milliseconds. A transition that changes nothing
    writes nothing: the state it read was current then.

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); not closed here.

    Examples
    --------
    >>> from adapters.outbound.redis.connection import redis_client
    >>> store = RedisCircuitStore(redis_client("redis://127.0.0.1:6379/0"))
    """

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def update(self, endpoint: str, change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        """Apply ``change`` to the stored state atomically and return what it returned.

        Raises
        ------
        UnavailableError
            Redis cannot be reached, refused a command, holds an unreadable
            state, or the key changed under every one of ``MAX_ATTEMPTS`` tries.
        """
        key = breaker_key(endpoint)
        with translate_errors(f"could not update the breaker of {endpoint}", UnavailableError):
            for attempt in range(MAX_ATTEMPTS):
                done = self._attempt(key, endpoint, change)
                if done is not None:
                    return done[0]
                time.sleep(random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)))
        raise UnavailableError(
            f"the breaker of {endpoint} changed under {MAX_ATTEMPTS} updates in a row",
            service=SERVICE,
        )

    def read(self, endpoint: str) -> BreakerState:
        """The stored state, or a closed breaker if none was ever written.

        Raises
        ------
        UnavailableError
            Redis cannot be reached, refused the read, or holds an unreadable state.
        """
        with translate_errors(f"could not read the breaker of {endpoint}", UnavailableError):
            fields = self._client.hgetall(breaker_key(endpoint))
        return _decode(fields, endpoint)

    def _attempt(
        self, key: str, endpoint: str, change: Callable[[BreakerState], tuple[BreakerState, T]]
    ) -> tuple[T] | None:
        """One optimistic try: ``(value,)`` if it held, ``None`` if the key moved meanwhile."""
        with self._client.pipeline() as pipe:  # leaving it UNWATCHes, whatever happened
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                state = _decode(pipe.hgetall(key), endpoint)
                new, value = change(state)
                if new == state:
                    return (value,)
                pipe.multi()
                pipe.hset(key, mapping=_encode(new))
                pipe.execute()
            except redis.WatchError:
                return None
        return (value,)


def _encode(state: BreakerState) -> dict[FieldT, EncodableT]:
    # repr() of a float reads back as the same double; "" stands for None.
    def moment(seconds: float | None) -> str:
        return "" if seconds is None else repr(float(seconds))

    return {
        "status": state.status.value,
        "failures": str(state.failures),
        "opened_at": moment(state.opened_at),
        "probe_started_at": moment(state.probe_started_at),
    }


def _decode(fields: Mapping[bytes | str, bytes | str], endpoint: str) -> BreakerState:
    if not fields:
        return BreakerState()
    text = {_text(name): _text(value) for name, value in fields.items()}

    def moment(name: str) -> float | None:
        value = text.get(name, "")
        return float(value) if value else None

    try:
        return BreakerState(
            status=BreakerStatus(text.get("status", BreakerStatus.CLOSED.value)),
            failures=int(text.get("failures", "0")),
            opened_at=moment("opened_at"),
            probe_started_at=moment("probe_started_at"),
        )
    except ValueError as exc:
        # Not written by this adapter (or by a newer one): refuse rather than guess.
        raise UnavailableError(
            f"the stored breaker of {endpoint} is unreadable: {exc}", service=SERVICE
        ) from exc


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
