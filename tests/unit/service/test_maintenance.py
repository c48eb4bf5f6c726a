"""Maintenance: expired requests go, requests left queued are enqueued again, once per sweep."""

from __future__ import annotations

from datetime import timedelta

from tests.support import defaults
from tests.unit.service.conftest import ADA, HELSINKI, World
from wildside.app.maintenance import RunMaintenance
from wildside.domain.route_spec import RouteSpec

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=30)


def _submit(world: World) -> str:
    return world.submit_route()(ADA, SPEC, idempotency_key=f"k{len(world.store.rows)}").request_id


def test_expired_requests_and_their_keys_are_deleted(world: World) -> None:
    old = _submit(world)
    world.clock.advance(23 * 3600)
    fresh = _submit(world)
    world.clock.advance(3601)
    report = RunMaintenance(
        world.store, world.queue, world.clock, settings=defaults.maintenance_settings()
    )()
    assert report.expired_deleted == 1
    assert world.store.get(old) is None
    assert world.store.get(fresh) is not None
    assert [r.request_id for r in world.store.keys.values()] == [fresh]


def test_a_request_whose_message_was_lost_is_enqueued_again_once(world: World) -> None:
    # Given a request stored while the queue was down
    world.queue.is_down = True
    lost = _submit(world)
    world.queue.is_down = False
    sweep = RunMaintenance(
        world.store,
        world.queue,
        world.clock,
        settings=defaults.maintenance_settings(requeue_after=timedelta(minutes=5)),
    )
    # When the sweep runs before and after five minutes
    assert sweep().requeued == 0
    world.clock.advance(301)
    assert sweep().requeued == 1
    # Then exactly one job carries it, and an immediate second sweep adds none
    assert sweep().requeued == 0
    assert [j.request_id for j in world.queue.jobs] == [lost]
