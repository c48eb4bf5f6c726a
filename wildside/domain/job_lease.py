"""Job leases: how long a worker holds a running request, when it renews, what a lapse means.

A worker that starts a request takes a lease on it; it renews the lease while
it works. A worker killed mid-job (SIGKILL, OOM, node loss) stops renewing, the
lease lapses, and maintenance in any surviving worker sends the job again, or
gives up on a request that has already used all its attempts (a job that kills
every worker it touches must not circle for ever).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LeasePolicy:
    """Lease length and the attempt cap; see ``docs/operations.md``.

    Both come from settings (``WILDSIDE_ROUTE_JOB_LEASE_S``, and
    ``WILDSIDE_ROUTE_JOB_MAX_RETRIES`` + 1), so neither has a default here.

    Examples
    --------
    >>> policy = LeasePolicy(lease_s=30.0, max_attempts=4)
    >>> policy.renew_every_s
    10.0
    """

    lease_s: float
    max_attempts: int  # the first delivery and every retry

    def __post_init__(self) -> None:
        if self.lease_s <= 0:
            raise ValueError("a lease must last a positive time")
        if self.max_attempts < 1:
            raise ValueError("a request needs at least one attempt")

    @property
    def renew_every_s(self) -> float:
        """Renew three times per lease, so one slow renewal does not lose it."""
        return self.lease_s / 3

    def expiry(self, now: datetime) -> datetime:
        """When a lease taken or renewed at ``now`` lapses."""
        return now + timedelta(seconds=self.lease_s)

    def should_renew(self, last_renewed_monotonic: float, now_monotonic: float) -> bool:
        """Whether a worker that last renewed at ``last_renewed_monotonic`` renews now.

        Examples
        --------
        >>> LeasePolicy(lease_s=30.0, max_attempts=4).should_renew(100.0, 105.0)
        False
        >>> LeasePolicy(lease_s=30.0, max_attempts=4).should_renew(100.0, 110.0)
        True
        """
        return now_monotonic - last_renewed_monotonic >= self.renew_every_s


class LostJobAction(enum.Enum):
    """What maintenance does with a request whose job was lost."""

    RESEND = "resend"
    GIVE_UP = "give_up"


def lost_job_action(attempts: int, policy: LeasePolicy) -> LostJobAction:
    """Send a lost job again, unless its request has used every attempt.

    Examples
    --------
    >>> lost_job_action(1, LeasePolicy(lease_s=30.0, max_attempts=4))
    <LostJobAction.RESEND: 'resend'>
    >>> lost_job_action(4, LeasePolicy(lease_s=30.0, max_attempts=4))
    <LostJobAction.GIVE_UP: 'give_up'>
    """
    return LostJobAction.GIVE_UP if attempts >= policy.max_attempts else LostJobAction.RESEND


def gave_up_message(attempts: int) -> str:
    """The ``error`` of a request given up on (no internal detail: clients see it).

    Examples
    --------
    >>> gave_up_message(1)
    'the route could not be computed after 1 attempt; try again later'
    """
    tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
    return f"the route could not be computed after {tries}; try again later"
