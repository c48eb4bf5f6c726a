"""Product analytics port: what users do, counted without knowing who they are."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Protocol

Property = str | int | float | bool | list[str] | None

ROUTE_REQUESTED = "RouteRequested"
ROUTE_COMPUTED = "RouteComputed"
ROUTE_GENERATION_FAILED = "RouteGenerationFailed"
# The seed's names (docs/operations.md lists every event and its properties).
SESSION_STARTED = "SessionStarted"  # a password login opened a cookie session
SESSION_ENDED = "SessionEnded"  # the user logged out
USER_SAVED_ROUTE = "UserSavedRoute"


def anonymous_id(user_id: str) -> str:
    """A stable pseudonym for a user: events can be joined, never traced back to an account.

    Examples
    --------
    >>> len(anonymous_id("11111111-1111-4111-8111-111111111111"))
    32
    """
    return hashlib.sha256(f"wildside-analytics:{user_id}".encode()).hexdigest()[:32]


class ProductAnalytics(Protocol):
    """Fire-and-forget product events; failures never reach the caller."""

    def capture(self, event: str, user_id: str, properties: Mapping[str, Property]) -> None:
        """Record ``event`` for the (pseudonymised) ``user_id`` with non-personal properties."""
        ...


class NullProductAnalytics:
    """Analytics switched off."""

    def capture(self, event: str, user_id: str, properties: Mapping[str, Property]) -> None:
        """Drop the event."""
