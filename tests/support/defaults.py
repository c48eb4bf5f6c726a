"""Production defaults for tests: the composition root's builders applied to ``Settings()``.

Tests never type a default again. Each function returns what production
builds from default settings; keyword arguments replace fields, for a test
about a specific value (``generation_settings(lease=lease_policy(lease_s=5.0))``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from adapters.composition import policies
from adapters.inbound.http.app import SESSION_KEY_BYTES
from adapters.inbound.http.services import HttpSettings
from adapters.inbound.worker.actors import RetryPolicy as RouteJobRetryPolicy
from adapters.inbound.worker.process import WorkerOptions
from adapters.outbound.dramatiq.broker import BrokerSettings
from adapters.settings import Settings
from wildside.app.accounts import LoginLimits
from wildside.app.enrich_area import EnrichmentSettings
from wildside.app.find_places import PlacesSettings
from wildside.app.generate_route import GenerationSettings
from wildside.app.guide_walk import GuidanceSettings
from wildside.app.maintenance import MaintenanceSettings
from wildside.app.request_enrichment import TriggerSettings
from wildside.app.submit_route import SubmissionSettings
from wildside.domain.enrichment.circuit_breaker import BreakerPolicy
from wildside.domain.enrichment.quota import QuotaPolicy
from wildside.domain.enrichment.retry import RetryPolicy
from wildside.domain.job_lease import LeasePolicy

T = TypeVar("T")


def settings() -> Settings:
    """The default settings themselves, for a knob no policy carries (``ingest_batch_size``)."""
    return Settings()


def _built(builder: Callable[[Settings], T], changes: dict[str, Any]) -> T:
    built = builder(Settings())
    return dataclasses.replace(built, **changes) if changes else built  # type: ignore[type-var]


def lease_policy(**changes: Any) -> LeasePolicy:
    """``LeasePolicy`` as production builds it, with ``changes``."""
    return _built(policies.lease_policy, changes)


def generation_settings(**changes: Any) -> GenerationSettings:
    """``GenerationSettings`` as production builds it, with ``changes``."""
    return _built(policies.generation_settings, changes)


def maintenance_settings(**changes: Any) -> MaintenanceSettings:
    """``MaintenanceSettings`` as production builds it, with ``changes``."""
    return _built(policies.maintenance_settings, changes)


def submission_settings(**changes: Any) -> SubmissionSettings:
    """``SubmissionSettings`` as production builds it, with ``changes``."""
    return _built(policies.submission_settings, changes)


def places_settings(**changes: Any) -> PlacesSettings:
    """``PlacesSettings`` as production builds it, with ``changes``."""
    return _built(policies.places_settings, changes)


def trigger_settings(**changes: Any) -> TriggerSettings:
    """``TriggerSettings`` as production builds it, with ``changes``."""
    return _built(policies.trigger_settings, changes)


def quota_policy(**changes: Any) -> QuotaPolicy:
    """``QuotaPolicy`` as production builds it, with ``changes``."""
    return _built(policies.quota_policy, changes)


def breaker_policy(**changes: Any) -> BreakerPolicy:
    """``BreakerPolicy`` as production builds it, with ``changes``."""
    return _built(policies.breaker_policy, changes)


def overpass_retry_policy(**changes: Any) -> RetryPolicy:
    """The enrichment ``RetryPolicy`` as production builds it, with ``changes``."""
    return _built(policies.overpass_retry_policy, changes)


def enrichment_settings(**changes: Any) -> EnrichmentSettings:
    """``EnrichmentSettings`` as production builds it, with ``changes``."""
    return _built(policies.enrichment_settings, changes)


def route_job_retry_policy(**changes: Any) -> RouteJobRetryPolicy:
    """The route actors' ``RetryPolicy`` as production builds it, with ``changes``."""
    return _built(policies.route_job_retry_policy, changes)


def enrichment_time_limit_ms() -> int:
    """The enrichment actor's hard time limit as production derives it."""
    return policies.enrichment_time_limit_ms(Settings())


def worker_options(**changes: Any) -> WorkerOptions:
    """``WorkerOptions`` as production builds it, with ``changes``."""
    return _built(policies.worker_options, changes)


def broker_settings(redis_url: str, **changes: Any) -> BrokerSettings:
    """``BrokerSettings`` for ``redis_url`` as production builds it, with ``changes``."""
    built = policies.broker_settings(Settings(redis_url=redis_url))
    return dataclasses.replace(built, **changes)


def login_limits(**changes: Any) -> LoginLimits:
    """``LoginLimits`` as production builds it, with ``changes``."""
    return _built(policies.login_limits, changes)


def http_settings(**changes: Any) -> HttpSettings:
    """``HttpSettings`` as production builds it (a zero session key), with ``changes``."""
    built = policies.http_settings(Settings(), session_key=bytes(SESSION_KEY_BYTES))
    return dataclasses.replace(built, **changes)


def guidance_settings(**changes: Any) -> GuidanceSettings:
    """``GuidanceSettings`` as production builds it, with ``changes``."""
    return _built(policies.guidance_settings, changes)
