"""Use case: live guidance for a walker following one of their routes, one fix at a time."""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from wildside.domain.accounts import User
from wildside.domain.errors import InvalidInputError, NotFoundError, RateLimitedError
from wildside.domain.followed_route import FollowedRoute, followed_route
from wildside.domain.guidance import Guidance, GuidancePolicy, LocationFix, WalkProgress, guide
from wildside.domain.rate_limit import RateLimitPolicy, decide
from wildside.domain.route_result import RouteResult
from wildside.domain.route_status import RouteStatus
from wildside.ports.clock import Clock
from wildside.ports.followed_route_lookup import FollowedRouteLookup
from wildside.ports.route_request_store import RouteRequestStore
from wildside.ports.saved_route_store import SavedRouteStore

MAX_WALKS = 8  # routes one connection keeps guidance state for; the least recent goes first
MAX_CLOCK_SKEW = timedelta(days=1)  # a fix's timestamp this far from the server's is refused


@dataclass(frozen=True, slots=True, kw_only=True)
class GuidanceSettings:
    """Each connection's quota of location fixes (from settings), and guidance's radii."""

    rate_limit: RateLimitPolicy
    policy: GuidancePolicy


class RequestRouteLookup(FollowedRouteLookup):
    """Route requests by request id: the user's own, once succeeded."""

    def __init__(self, store: RouteRequestStore) -> None:
        self._store = store

    def route_for(self, user_id: str, route_id: str) -> RouteResult | None:
        """The request's tour, or ``None`` (not a UUID, unknown, another user's, not done)."""
        try:
            canonical = str(uuid.UUID(route_id))
        except ValueError:
            return None
        record = self._store.get(canonical)
        if record is None or record.user_id != user_id:
            return None
        if record.status is not RouteStatus.SUCCEEDED:
            return None
        return record.result


class SavedRouteLookup(FollowedRouteLookup):
    """Saved routes by saved-route id: the user's own copy (saved routes always hold a tour)."""

    def __init__(self, store: SavedRouteStore) -> None:
        self._store = store

    def route_for(self, user_id: str, route_id: str) -> RouteResult | None:
        """The saved copy's tour, or ``None`` (not a UUID, unknown, another user's)."""
        try:
            canonical = str(uuid.UUID(route_id))
        except ValueError:
            return None
        saved = self._store.get(user_id, canonical)
        return None if saved is None else saved.result


class GuideWalk:
    """Opens one ``WalkSession`` per connection; the sessions share the lookups and the clock."""

    def __init__(
        self, lookups: Sequence[FollowedRouteLookup], clock: Clock, settings: GuidanceSettings
    ) -> None:
        self._lookups = tuple(lookups)
        self._clock = clock
        self._settings = settings

    def session(self) -> WalkSession:
        """Guidance state for one connection; dropped with it."""
        return WalkSession(self._lookups, self._clock, self._settings)


@dataclass(slots=True)
class _Walk:
    route: FollowedRoute
    progress: WalkProgress | None = None


class WalkSession:
    """One connection's walks: the routes it follows and how far along each the walker is.

    Nothing of a fix outlives its answer except the walk's progress along the
    path (a distance, not a position), kept in memory while the connection lasts.
    """

    def __init__(
        self,
        lookups: tuple[FollowedRouteLookup, ...],
        clock: Clock,
        settings: GuidanceSettings,
    ) -> None:
        self._lookups = lookups
        self._clock = clock
        self._settings = settings
        self._walks: OrderedDict[str, _Walk] = OrderedDict()
        self._arrival: float | None = None  # GCRA state of this connection's quota

    @property
    def is_walking(self) -> bool:
        """Whether this connection follows any route."""
        return bool(self._walks)

    async def __call__(self, user: User, route_id: str, fix: LocationFix) -> Guidance:
        """Guidance for ``fix`` on the user's route ``route_id``.

        Raises
        ------
        RateLimitedError
            The connection sent fixes faster than its quota (nothing is computed).
        InvalidInputError
            The timestamp is more than a day from the server's clock.
        NotFoundError
            No such route, another user's, or one without a tour yet.
        """
        self._admit()
        if abs(fix.at - self._clock.now()) > MAX_CLOCK_SKEW:
            raise InvalidInputError(
                "the timestamp is more than a day away from the server's clock",
                field="timestamp",
            )
        walk = self._walks.get(route_id)
        if walk is None:
            walk = _Walk(followed_route(await self._find(user, route_id)))
            self._walks[route_id] = walk
            while len(self._walks) > MAX_WALKS:
                self._walks.popitem(last=False)
        self._walks.move_to_end(route_id)
        guidance, walk.progress = guide(walk.route, walk.progress, fix, self._settings.policy)
        return guidance

    def _admit(self) -> None:
        policy = self._settings.rate_limit
        decision, self._arrival = decide(policy, self._arrival, self._clock.monotonic())
        if not decision.is_allowed:
            raise RateLimitedError(
                f"at most {policy.limit} location messages per {policy.period_s:g} s "
                f"on one connection; retry in {decision.retry_after_s} s",
                retry_after_s=decision.retry_after_s,
                limit=policy.limit,
                reset_s=decision.reset_s,
            )

    async def _find(self, user: User, route_id: str) -> RouteResult:
        for lookup in self._lookups:
            result = await asyncio.to_thread(lookup.route_for, user.id, route_id)
            if result is not None:
                return result
        raise NotFoundError("no such route with a tour to follow")
