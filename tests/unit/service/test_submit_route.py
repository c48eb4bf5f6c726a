"""Submitting route requests: acceptance, idempotent replays, conflicts, rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support import defaults
from tests.unit.service.conftest import ADA, BOB, HELSINKI, World
from wildside.app.submit_route import SubmitRoute
from wildside.domain.errors import IdempotencyConflictError, InvalidInputError, RateLimitedError
from wildside.domain.rate_limit import RateLimitPolicy
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history", "nature"])
OTHER = RouteSpec.build(start=HELSINKI, duration_minutes=60, preferences=["history"])


def _submit(world: World, **settings: object) -> SubmitRoute:
    return world.submit_route(settings=defaults.submission_settings(**settings))


def test_an_accepted_request_is_stored_queued_announced_and_enqueued(world: World) -> None:
    # When Ada submits a request
    submission = _submit(world)(ADA, SPEC)
    # Then it is stored as queued, announced, and one job carries it
    record = world.store.get(submission.request_id)
    assert record is not None
    assert (record.status, record.user_id, record.spec) == (RouteStatus.QUEUED, ADA.id, SPEC)
    assert [u.status for u in world.channel.published] == [RouteStatus.QUEUED]
    assert [j.request_id for j in world.queue.jobs] == [submission.request_id]
    assert world.queue.jobs[0].spec == SPEC
    assert not submission.is_replay
    assert submission.rate.remaining == 59


def test_the_same_key_and_payload_replays_the_first_request(world: World) -> None:
    submit = _submit(world)
    first = submit(ADA, SPEC, idempotency_key="trip-1")
    # When the client retries with the same key and body
    again = submit(ADA, SPEC, idempotency_key="trip-1")
    # Then it gets the same id and no second job exists
    assert again.request_id == first.request_id
    assert again.is_replay
    assert len(world.queue.jobs) == 1


def test_the_same_key_with_another_payload_conflicts(world: World) -> None:
    submit = _submit(world)
    submit(ADA, SPEC, idempotency_key="trip-1")
    with pytest.raises(IdempotencyConflictError) as caught:
        submit(ADA, OTHER, idempotency_key="trip-1")
    assert caught.value.code == "idempotency-key-conflict"
    assert len(world.queue.jobs) == 1


def test_keys_belong_to_one_user(world: World) -> None:
    submit = _submit(world)
    mine = submit(ADA, SPEC, idempotency_key="trip-1")
    theirs = submit(BOB, OTHER, idempotency_key="trip-1")
    assert mine.request_id != theirs.request_id


def test_a_key_is_free_again_after_its_window(world: World) -> None:
    submit = _submit(world, idempotency_ttl=timedelta(hours=1))
    first = submit(ADA, SPEC, idempotency_key="trip-1")
    world.clock.advance(3601)
    later = submit(ADA, OTHER, idempotency_key="trip-1")
    assert later.request_id != first.request_id
    assert not later.is_replay


def test_a_malformed_key_is_refused_before_anything_happens(world: World) -> None:
    with pytest.raises(InvalidInputError):
        _submit(world)(ADA, SPEC, idempotency_key="has space")
    assert world.queue.jobs == []


def test_the_quota_is_per_user_and_a_refusal_stores_nothing(world: World) -> None:
    submit = _submit(world, rate_limit=RateLimitPolicy(2, 60.0))
    submit(ADA, SPEC)
    submit(ADA, SPEC)
    # When Ada exceeds two requests a minute
    with pytest.raises(RateLimitedError) as caught:
        submit(ADA, SPEC)
    # Then she is told when to retry, nothing new is stored, and Bob is unaffected
    assert caught.value.retry_after_s == 30
    assert caught.value.limit == 2
    assert len(world.store.rows) == 2
    assert submit(BOB, SPEC).rate.remaining == 1


def test_a_queue_outage_still_accepts_the_stored_request(world: World) -> None:
    # Given the queue is down
    world.queue.is_down = True
    # When a request arrives, it is accepted and left queued for the maintenance sweep
    submission = _submit(world)(ADA, SPEC)
    record = world.store.get(submission.request_id)
    assert record is not None
    assert record.status is RouteStatus.QUEUED
