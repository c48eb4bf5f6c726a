"""Saved route store port: users' copies of succeeded routes, kept until they delete them."""

from __future__ import annotations

import enum
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.saved_routes import SavedRoute, SavedRoutePosition, SavedRouteSummary


class SavedRouteStoreError(WildsideError):
    """The store failed to answer."""

    code = "saved-route-store-error"


class Deletion(enum.Enum):
    """What a delete found."""

    DELETED = "deleted"  # the caller's saved route, now gone
    ABSENT = "absent"  # nothing has this id (never saved, or already deleted)
    NOT_OWNER = "not-owner"  # another user's saved route: left alone


class SavedRouteStore(Protocol):
    """Saved routes with no expiry; each is one user's, once per route request.

    Every read is scoped to a user: another user's saved route is ``None``,
    exactly like one that does not exist. Results are stored with their shape
    ``version`` and read back through the same codec as live results.
    """

    def save(self, route: SavedRoute) -> tuple[SavedRouteSummary, bool]:
        """Store ``route`` unless its user already saved its request.

        Returns the stored summary and whether it is new; when the request was
        saved before, the earlier copy (its id, title and time) is returned and
        nothing changes.
        """
        ...

    def get(self, user_id: str, saved_id: str) -> SavedRoute | None:
        """The user's saved route with its whole ``RouteResult``, or ``None``.

        Raises ``UnreadableRouteResultError`` if the stored result has a shape
        this version cannot read.
        """
        ...

    def page(
        self, user_id: str, after: SavedRoutePosition | None, limit: int
    ) -> list[SavedRouteSummary]:
        """Up to ``limit`` of the user's saved routes, newest first, those after ``after``."""
        ...

    def delete(self, user_id: str, saved_id: str) -> Deletion:
        """Delete the user's saved route ``saved_id``; another user's is left alone."""
        ...
