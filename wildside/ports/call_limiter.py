"""Call limiter port: a semaphore across processes, with leases a dead holder cannot leak."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Permit:
    """A held slot; it lapses by itself ``lease_s`` after it was taken."""

    name: str
    token: str


class CallLimiter(Protocol):
    """At most ``permits`` holders of ``name`` at any time, across every process."""

    def acquire(self, name: str, permits: int, lease_s: float, wait_s: float) -> Permit | None:
        """Take a slot, waiting up to ``wait_s``; ``None`` if none came free in time."""
        ...

    def release(self, permit: Permit) -> None:
        """Give the slot back (a lapsed lease is already gone: no error)."""
        ...
