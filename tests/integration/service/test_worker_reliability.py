"""Worker reliability on the real broker: retries, backoff, the dead-letter queue, redelivery."""

from __future__ import annotations

import redis

from adapters.outbound.dramatiq.broker import dead_letter_key
from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack, wait_for
from wildside.domain.errors import UnavailableError


def test_an_outage_is_retried_then_the_job_fails_clearly_and_goes_to_the_dead_letters(
    stack: Stack,
) -> None:
    # Given a worker whose engine keeps meeting a database outage
    planner = FakePlanner(error=UnavailableError("PostgreSQL went away", service="postgresql"))
    stack.start_worker(planner)  # one retry, 100-200 ms backoff
    token = stack.user("ada")
    request_id = stack.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token)
    ).json()["request_id"]

    # When the retries run out
    def failed() -> dict | None:
        response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return response.json() if response.status_code == 422 else None

    problem = wait_for(failed, timeout=20)

    # Then the request failed with a message that says so, after two attempts,
    # and the message is kept in the dead-letter queue for inspection
    assert problem["detail"] == "the route could not be computed after 2 attempts; try again later"
    assert len(planner.calls) == 2
    client = redis.Redis.from_url(stack.settings.require_redis_url())
    assert client.zcard(dead_letter_key("route_generation")) == 1
    client.close()


def test_a_message_delivered_twice_computes_once(stack: Stack) -> None:
    planner = FakePlanner()
    worker = stack.start_worker(planner)
    token = stack.user("ada")
    request_id = stack.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token)
    ).json()["request_id"]
    wait_for(
        lambda: (
            stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token)).status_code
            == 200
        )
    )
    # When the same job arrives again (at-least-once delivery)
    from adapters.composition.service import open_resources
    from wildside.domain.route_spec import RouteSpec
    from wildside.ports.route_job_queue import GenerateRouteJob

    with open_resources(stack.settings, pool_size=1) as resources:
        record = resources.route_store.get(request_id)
        assert record is not None
        resources.job_queue.enqueue(
            GenerateRouteJob(
                request_id, record.user_id, RouteSpec.from_document(record.spec.to_document())
            )
        )
    wait_for(lambda: "skipped" in worker.metrics.render().decode())
    # Then the engine ran once and the job was counted as skipped
    assert len(planner.calls) == 1
    assert 'wildside_jobs_total{outcome="skipped",queue="route_generation"} 1.0' in (
        worker.metrics.render().decode()
    )
