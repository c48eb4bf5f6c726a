"""In-memory ``SavedRouteStore`` with the same rules as the PostgreSQL adapter."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from wildside.domain.saved_routes import SavedRoute, SavedRoutePosition, SavedRouteSummary
from wildside.ports.saved_route_store import Deletion, SavedRouteStore


@dataclass
class InMemorySavedRouteStore(SavedRouteStore):
    """Saved routes by id behind one lock; (user, request) pairs are unique."""

    routes: dict[str, SavedRoute] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def save(self, route: SavedRoute) -> tuple[SavedRouteSummary, bool]:
        """Keep ``route`` unless its user saved its request before; then return that copy."""
        new = route.summary
        with self.lock:
            for kept in self.routes.values():
                if (kept.summary.user_id, kept.summary.request_id) == (new.user_id, new.request_id):
                    return kept.summary, False
            self.routes[new.saved_id] = route
            return new, True

    def get(self, user_id: str, saved_id: str) -> SavedRoute | None:
        """The user's saved route, or ``None`` (another user's included)."""
        with self.lock:
            route = self.routes.get(saved_id)
        return route if route is not None and route.summary.user_id == user_id else None

    def page(
        self, user_id: str, after: SavedRoutePosition | None, limit: int
    ) -> list[SavedRouteSummary]:
        """Newest first by (created_at, saved_id), strictly after ``after``."""
        with self.lock:
            mine = [r.summary for r in self.routes.values() if r.summary.user_id == user_id]
        mine.sort(key=lambda s: (s.created_at, s.saved_id), reverse=True)
        if after is not None:
            mine = [s for s in mine if after.is_after(s.created_at, s.saved_id)]
        return mine[: max(limit, 0)]

    def delete(self, user_id: str, saved_id: str) -> Deletion:
        """Remove the user's copy; another user's stays."""
        with self.lock:
            route = self.routes.get(saved_id)
            if route is None:
                return Deletion.ABSENT
            if route.summary.user_id != user_id:
                return Deletion.NOT_OWNER
            del self.routes[saved_id]
            return Deletion.DELETED
