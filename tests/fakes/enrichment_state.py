"""In-memory quota, breaker store, call limiter and cooldown: the enrichment's shared state."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from wildside.domain.enrichment.circuit_breaker import BreakerState
from wildside.domain.enrichment.quota import QuotaPolicy, QuotaUsage, reservation_bytes
from wildside.ports.call_limiter import CallLimiter, Permit
from wildside.ports.circuit_store import CircuitStore
from wildside.ports.clock import Clock
from wildside.ports.cooldown import Cooldown
from wildside.ports.enrichment_quota import EnrichmentQuota, QuotaReservation

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class InMemoryEnrichmentQuota(EnrichmentQuota):
    """Per-day counters expiring on ``clock``; the domain's ``reservation_bytes`` decides."""

    clock: Clock
    days: dict[str, tuple[QuotaUsage, float]] = field(default_factory=dict)  # usage, expiry
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reserve(self, day: str, policy: QuotaPolicy, ttl_s: float) -> QuotaReservation | None:
        """Take one request and the domain's reservation; the first use sets the expiry."""
        if ttl_s <= 0:
            raise ValueError(f"a quota day must expire after a positive time, got {ttl_s}")
        with self.lock:
            usage, expiry = self._current(day) or (QuotaUsage(), self.clock.monotonic() + ttl_s)
            granted = reservation_bytes(usage, policy)
            if granted <= 0:
                return None
            self.days[day] = (QuotaUsage(usage.requests + 1, usage.bytes + granted), expiry)
            return QuotaReservation(day, granted)

    def settle(self, reservation: QuotaReservation, used_bytes: int) -> None:
        """Give back what the call did not use (more than reserved is logged and clamped)."""
        if used_bytes < 0:
            raise ValueError(f"used bytes cannot be negative, got {used_bytes}")
        if used_bytes > reservation.bytes:
            log.warning("used %d bytes of a %d reservation", used_bytes, reservation.bytes)
        self._give_back(reservation.day, 0, max(0, reservation.bytes - used_bytes))

    def cancel(self, reservation: QuotaReservation) -> None:
        """Give back the request and all its bytes."""
        self._give_back(reservation.day, 1, reservation.bytes)

    def usage(self, day: str) -> QuotaUsage:
        """The day's counters (zero once expired)."""
        with self.lock:
            current = self._current(day)
            return current[0] if current else QuotaUsage()

    def _give_back(self, day: str, requests: int, unused_bytes: int) -> None:
        with self.lock:
            current = self._current(day)
            if current is None:  # an expired day stays gone, as in Redis
                return
            usage, expiry = current
            given = QuotaUsage(
                usage.requests - min(requests, usage.requests),
                usage.bytes - min(unused_bytes, usage.bytes),
            )
            self.days[day] = (given, expiry)

    def _current(self, day: str) -> tuple[QuotaUsage, float] | None:
        entry = self.days.get(day)
        if entry is not None and entry[1] <= self.clock.monotonic():
            del self.days[day]
            return None
        return entry


@dataclass
class InMemoryCircuitStore(CircuitStore):
    """Breaker states by endpoint; ``change`` runs once, under the lock."""

    states: dict[str, BreakerState] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, endpoint: str, change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        """Apply ``change`` and store its state."""
        with self.lock:
            new, value = change(self.states.get(endpoint, BreakerState()))
            self.states[endpoint] = new
            return value

    def read(self, endpoint: str) -> BreakerState:
        """The stored state, closed if never written."""
        with self.lock:
            return self.states.get(endpoint, BreakerState())


@dataclass
class InMemoryCallLimiter(CallLimiter):
    """Leases that lapse on ``clock``.

    The fake never blocks and never moves the clock: with no free slot,
    ``acquire`` answers ``None`` at once whatever ``wait_s`` is, as if the
    wait ran out with nobody releasing. ``acquired`` counts the slots taken.
    """

    clock: Clock
    holders: dict[str, dict[str, float]] = field(default_factory=dict)  # name: token -> lease end
    acquired: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: itertools.count[int] = field(default_factory=itertools.count)

    def acquire(self, name: str, permits: int, lease_s: float, wait_s: float) -> Permit | None:
        """A permit if fewer than ``permits`` leases are live, else ``None`` at once."""
        if permits < 1 or lease_s <= 0 or wait_s < 0:
            raise ValueError(f"bad semaphore arguments: {permits=}, {lease_s=}, {wait_s=}")
        with self.lock:
            now = self.clock.monotonic()
            live = {t: end for t, end in self.holders.get(name, {}).items() if end > now}
            self.holders[name] = live
            if len(live) >= permits:
                return None
            token = f"fake-{next(self._tokens)}"
            live[token] = now + lease_s
            self.acquired += 1
            return Permit(name, token)

    def release(self, permit: Permit) -> None:
        """Drop the lease if it is still held."""
        with self.lock:
            self.holders.get(permit.name, {}).pop(permit.token, None)

    def held(self, name: str) -> int:
        """Live leases of ``name`` now (for assertions)."""
        with self.lock:
            now = self.clock.monotonic()
            return sum(end > now for end in self.holders.get(name, {}).values())


@dataclass
class InMemoryCooldown(Cooldown):
    """Claimed keys with the end of their window on ``clock``."""

    clock: Clock
    windows: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, key: str, ttl_s: float) -> bool:
        """True if ``key`` is free now; a refused claim leaves the window as it was."""
        if ttl_s <= 0:
            raise ValueError(f"a cooldown must last a positive time, got {ttl_s}")
        with self.lock:
            now = self.clock.monotonic()
            if self.windows.get(key, now) > now:
                return False
            self.windows[key] = now + ttl_s
            return True
