"""Use case: accept a route request — rate limit, idempotency, store as queued, enqueue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from wildside.app.get_route import canonical_request_id
from wildside.domain.accounts import User
from wildside.domain.errors import (
    ConflictError,
    IdempotencyConflictError,
    NotFoundError,
    RateLimitedError,
    WildsideError,
)
from wildside.domain.idempotency import IdempotencyOutcome, decide, validate_key
from wildside.domain.preferences import SYSTEM_DEFAULTS, RouteDraft, effective_spec
from wildside.domain.rate_limit import RateLimitDecision, RateLimitPolicy
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.ports.clock import Clock
from wildside.ports.followed_route_lookup import FollowedRouteLookup
from wildside.ports.id_generator import IdGenerator
from wildside.ports.preference_store import PreferenceStore
from wildside.ports.product_analytics import ROUTE_REQUESTED, NullProductAnalytics, ProductAnalytics
from wildside.ports.rate_limiter import RateLimiter
from wildside.ports.route_job_queue import GenerateRouteJob, RouteJobQueue
from wildside.ports.route_request_store import IdempotencyClaim, NewRouteRequest, RouteRequestStore
from wildside.ports.status_publisher import StatusPublisher
from wildside.ports.tracer import NullTracer, Tracer

log = logging.getLogger(__name__)


class RouteNotReadyError(ConflictError):
    """A re-plan names a route of the user's that has no tour (still computing, or failed)."""

    code = "route-not-ready"


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmissionSettings:
    """Quota and retention knobs (see ``docs/operations.md``); all from settings, no defaults."""

    rate_limit: RateLimitPolicy
    idempotency_ttl: timedelta
    retention: timedelta


@dataclass(frozen=True, slots=True)
class Submission:
    """The accepted request's id, whether it was a replay, and the caller's quota state."""

    request_id: str
    is_replay: bool
    rate: RateLimitDecision


class SubmitRoute:
    """Accepts route requests; the heavy work happens later, in a worker."""

    def __init__(
        self,
        *,
        store: RouteRequestStore,
        queue: RouteJobQueue,
        publisher: StatusPublisher,
        limiter: RateLimiter,
        clock: Clock,
        ids: IdGenerator,
        settings: SubmissionSettings,
        tracer: Tracer | None = None,
        analytics: ProductAnalytics | None = None,
        preferences: PreferenceStore | None = None,
        saved_routes: FollowedRouteLookup | None = None,
    ) -> None:
        self._tracer = tracer or NullTracer()
        self._saved_routes = saved_routes  # None: only route requests can be re-planned from
        self._preferences = preferences  # None: every omission takes the system default
        self._analytics = analytics or NullProductAnalytics()
        self._store = store
        self._queue = queue
        self._publisher = publisher
        self._limiter = limiter
        self._clock = clock
        self._ids = ids
        self._settings = settings

    def __call__(
        self,
        user: User,
        spec: RouteSpec | RouteDraft,
        idempotency_key: str | None = None,
        from_route: str | None = None,
    ) -> Submission:
        """Accept ``spec`` for ``user``; return the request id to poll or follow.

        ``from_route`` names the route a re-plan continues: the user's own
        succeeded request, or one of their saved routes.
        A ``RouteDraft`` that leaves out themes, duration or pace takes the
        user's saved preferences; the idempotency hash and the cache key are
        those of the effective ``RouteSpec``.

        Raises
        ------
        RateLimitedError
            The user's quota is used up (nothing is stored).
        InvalidInputError
            The draft has no duration and the user saved none.
        IdempotencyConflictError
            The key is bound to a different payload inside its window.
        NotFoundError
            ``from_route`` is unknown, expired or another user's.
        RouteNotReadyError
            ``from_route`` has no tour.
        """
        key = None if idempotency_key is None else validate_key(idempotency_key)
        rate = self._limiter.hit(f"routes:{user.id}", self._settings.rate_limit)
        if not rate.is_allowed:
            raise RateLimitedError(
                f"rate limit of {rate.limit} route requests per "
                f"{self._settings.rate_limit.period_s:g} s reached; "
                f"retry in {rate.retry_after_s} s",
                retry_after_s=rate.retry_after_s,
                limit=rate.limit,
                reset_s=rate.reset_s,
            )
        if from_route is not None:
            self._check_from_route(user, from_route)
        spec = self._effective(user, spec)
        now = self._clock.now()
        payload_hash = spec.payload_hash()
        request = NewRouteRequest(
            request_id=self._ids.new_id(),
            user_id=user.id,
            spec=spec,
            created_at=now,
            expires_at=now + self._settings.retention,
        )
        claim = (
            None
            if key is None
            else IdempotencyClaim(key, payload_hash, now + self._settings.idempotency_ttl)
        )
        existing = self._store.create(request, claim)
        if existing is not None:
            outcome = decide(existing, payload_hash, now)
            if outcome is IdempotencyOutcome.REPLAY:
                return Submission(existing.request_id, is_replay=True, rate=rate)
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used with a different request body",
                key=existing.key,
            )
        self._announce(StatusUpdate(request.request_id, RouteStatus.QUEUED, 0, now))
        job = GenerateRouteJob(
            request_id=request.request_id,
            user_id=user.id,
            spec=spec,
            idempotency_key=key,
            # The worker continues this request's trace (W3C context in the message).
            trace_context=self._tracer.inject(),
        )
        try:
            self._queue.enqueue(job)
        except WildsideError as exc:
            # The request is stored as queued: the maintenance sweep enqueues it
            # again, so the caller's 202 stays true.
            log.warning("enqueue of %s failed, left to the sweep: %s", request.request_id, exc)
        self._analytics.capture(
            ROUTE_REQUESTED,
            user.id,
            {
                "duration_minutes": spec.duration_minutes,
                "themes": list(spec.themes),
                "is_point_to_point": spec.end is not None,
                "has_idempotency_key": key is not None,
                "is_replan": from_route is not None,
            },
        )
        return Submission(request.request_id, is_replay=False, rate=rate)

    def _check_from_route(self, user: User, from_route: str) -> None:
        """A re-plan continues the user's own tour: a route request, or a saved route.

        Another user's route looks like none.
        """
        canonical = canonical_request_id(from_route)
        if self._saved_routes is not None and self._saved_routes.route_for(user.id, canonical):
            return  # a saved route always holds its tour
        record = self._store.get(canonical)
        if record is None or record.user_id != user.id:
            raise NotFoundError(f"no route request or saved route {canonical} to re-plan from")
        if record.status is not RouteStatus.SUCCEEDED:
            raise RouteNotReadyError(f"route request {canonical} has no tour to re-plan from")

    def _effective(self, user: User, request: RouteSpec | RouteDraft) -> RouteSpec:
        if isinstance(request, RouteSpec):
            return request
        saved = SYSTEM_DEFAULTS
        if not request.is_complete and self._preferences is not None:
            stored = self._preferences.get(user.id)
            saved = SYSTEM_DEFAULTS if stored is None else stored.preferences
        return effective_spec(request, saved)

    def _announce(self, update: StatusUpdate) -> None:
        try:
            self._publisher.publish(update)
        except WildsideError as exc:  # subscribers also read the stored status
            log.warning("status publish failed for %s: %s", update.request_id, exc)
