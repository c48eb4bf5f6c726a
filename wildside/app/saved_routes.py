"""Use cases: a user saves a succeeded route, lists, reads and deletes their saved routes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from wildside.app.get_route import GetRoute
from wildside.domain.accounts import User
from wildside.domain.errors import NotFoundError
from wildside.domain.route_status import RouteStatus
from wildside.domain.saved_routes import (
    MAX_PAGE_SIZE,
    RouteNotSucceededError,
    SavedRoute,
    SavedRoutePosition,
    SavedRouteSummary,
    clean_title,
    saved_route,
)
from wildside.ports.clock import Clock
from wildside.ports.id_generator import IdGenerator
from wildside.ports.product_analytics import (
    USER_SAVED_ROUTE,
    NullProductAnalytics,
    ProductAnalytics,
)
from wildside.ports.saved_route_store import Deletion, SavedRouteStore


@dataclass(frozen=True, slots=True)
class SavedRoutesPage:
    """One page of saved routes, newest first; ``next`` is where the following page starts."""

    items: list[SavedRouteSummary]
    next: SavedRoutePosition | None


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """The saved route, and whether this call saved it (``False``: it was saved before)."""

    saved: SavedRouteSummary
    is_new: bool


class SavedRoutes:
    """A user's saved routes; another user's look exactly like missing ones."""

    def __init__(
        self,
        *,
        get_route: GetRoute,
        store: SavedRouteStore,
        clock: Clock,
        ids: IdGenerator,
        analytics: ProductAnalytics | None = None,
    ) -> None:
        self._get_route = get_route
        self._store = store
        self._clock = clock
        self._ids = ids
        self._analytics = analytics or NullProductAnalytics()

    def save(self, user: User, request_id: str, title: str | None = None) -> SaveOutcome:
        """Copy the user's succeeded request ``request_id`` into their saved routes.

        Saving a request twice returns the first copy (same id and title).

        Raises
        ------
        NotFoundError
            The request does not exist, has expired or is another user's.
        RouteNotSucceededError
            The request is queued, running or failed: there is no route to save.
        """
        cleaned = clean_title(title)
        record = self._get_route(user, request_id)
        if record.status is not RouteStatus.SUCCEEDED or record.result is None:
            raise RouteNotSucceededError(
                f"route request {record.request_id} is {record.status.value}; "
                "only a succeeded route can be saved",
                request_id=record.request_id,
            )
        route = saved_route(
            saved_id=self._ids.new_id(),
            user_id=user.id,
            request_id=record.request_id,
            title=cleaned,
            spec=record.spec,
            result=record.result,
            created_at=self._clock.now(),
        )
        saved, is_new = self._store.save(route)
        if is_new:
            self._analytics.capture(
                USER_SAVED_ROUTE,
                user.id,
                {
                    "stops": saved.stop_count,
                    "distance_m": saved.distance_m,
                    "themes": list(saved.spec.themes),
                    "has_title": saved.title is not None,
                },
            )
        return SaveOutcome(saved, is_new)

    def page(self, user: User, after: SavedRoutePosition | None, limit: int) -> SavedRoutesPage:
        """Up to ``limit`` (1..100) saved routes after ``after``, newest first."""
        size = max(1, min(limit, MAX_PAGE_SIZE))
        rows = self._store.page(user.id, after, size + 1)  # one more says whether more follow
        items = rows[:size]
        return SavedRoutesPage(items, items[-1].position if len(rows) > size else None)

    def get(self, user: User, saved_id: str) -> SavedRoute:
        """The user's saved route with its whole tour; ``NotFoundError`` otherwise."""
        canonical = _canonical_id(saved_id)
        route = self._store.get(user.id, canonical)
        if route is None:
            raise NotFoundError(f"no saved route {canonical}")
        return route

    def delete(self, user: User, saved_id: str) -> None:
        """Delete the user's saved route; deleting one that is already gone does nothing.

        Raises ``NotFoundError`` for another user's saved route (it is left alone).
        """
        canonical = _canonical_id(saved_id)
        if self._store.delete(user.id, canonical) is Deletion.NOT_OWNER:
            raise NotFoundError(f"no saved route {canonical}")


def _canonical_id(saved_id: str) -> str:
    try:
        return str(uuid.UUID(saved_id))
    except ValueError:
        # Not echoed: a caller's path segment can be any size and any text.
        raise NotFoundError("no such saved route (saved route ids are UUIDs)") from None
