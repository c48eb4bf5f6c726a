"""Followed-route lookup port: the computed route a user follows, by the id their client holds."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.route_result import RouteResult


class FollowedRouteLookup(Protocol):
    """Finds one kind of route id (a route request's, a saved route's) for its owner.

    Guidance asks each lookup in turn; the first route found is followed.
    """

    def route_for(self, user_id: str, route_id: str) -> RouteResult | None:
        """The route ``route_id`` if it belongs to ``user_id`` and has a tour, else ``None``.

        An unknown id, an id of another form, another user's route and one
        still being computed all answer ``None``: a caller cannot tell them
        apart. Store failures raise the store's own errors.
        """
        ...
