"""An in-memory ``FollowedRouteLookup``: routes a test hands out by owner and id."""

from __future__ import annotations

from wildside.domain.route_result import RouteResult
from wildside.ports.followed_route_lookup import FollowedRouteLookup


class InMemoryFollowedRouteLookup(FollowedRouteLookup):
    """Knows the routes ``add`` gave it; counts the lookups it answered."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, RouteResult | None]] = {}
        self.lookups = 0

    def add(self, user_id: str, route_id: str, result: RouteResult | None) -> None:
        """Make ``route_id`` ``user_id``'s (``None``: a route without a tour yet)."""
        self.routes[route_id] = (user_id, result)

    def route_for(self, user_id: str, route_id: str) -> RouteResult | None:
        """The route if ``user_id`` owns it and it has a tour."""
        self.lookups += 1
        owner, result = self.routes.get(route_id, ("", None))
        return result if owner == user_id else None
