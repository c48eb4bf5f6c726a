"""Enrichment quota port: the daily Overpass request and byte counters every worker shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from wildside.domain.enrichment.quota import QuotaPolicy, QuotaUsage


@dataclass(frozen=True, slots=True)
class QuotaReservation:
    """One call's share of a day: one request and up to ``bytes`` of answer."""

    day: str
    bytes: int


class EnrichmentQuota(Protocol):
    """Atomic counters per UTC day."""

    def reserve(self, day: str, policy: QuotaPolicy, ttl_s: float) -> QuotaReservation | None:
        """Take one request and ``reservation_bytes(usage, policy)`` bytes, atomically.

        ``None`` (and nothing taken) when the day's requests or bytes are used
        up. Counters expire ``ttl_s`` after the first use of the day.
        """
        ...

    def settle(self, reservation: QuotaReservation, used_bytes: int) -> None:
        """Give back the part of the reservation the call did not use."""
        ...

    def cancel(self, reservation: QuotaReservation) -> None:
        """Give back the whole reservation, the request included (no call was made)."""
        ...

    def usage(self, day: str) -> QuotaUsage:
        """The day's use so far (reservations in flight included)."""
        ...
