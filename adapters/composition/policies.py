"""Settings to policies: the one place each knob's value becomes a policy value.

``Settings`` (``adapters/settings.py``) is the only home of a knob's default;
the policies and use cases have no default for a settings-backed field, and
each is built here by one small function of ``Settings``. Tests get
production defaults by calling these on ``Settings()``
(``tests/support/defaults.py``); ``tests/unit/test_one_home_for_defaults.py``
fails if a policy field these functions fill has a default of its own.
"""

from __future__ import annotations

from datetime import timedelta

from adapters.settings import Settings
from wildside.app.generate_route import GenerationSettings
from wildside.app.maintenance import MaintenanceSettings
from wildside.app.submit_route import SubmissionSettings
from wildside.domain.job_lease import LeasePolicy
from wildside.domain.rate_limit import RateLimitPolicy

PER_MINUTE = 60.0  # the period of every "..._per_minute" / "..._limit_..." quota


def lease_policy(settings: Settings) -> LeasePolicy:
    """A running request's lease, and its attempts: the first delivery and every retry.

    Examples
    --------
    >>> lease_policy(Settings()).max_attempts
    4
    """
    return LeasePolicy(
        lease_s=settings.route_job_lease_s, max_attempts=settings.route_job_max_retries + 1
    )


def generation_settings(settings: Settings) -> GenerationSettings:
    """What a route job may spend, how long its result is cached, and its lease."""
    return GenerationSettings(
        time_limit_s=settings.route_job_time_limit_s,
        cache_ttl_s=settings.route_cache_ttl_s,
        lease=lease_policy(settings),
    )


def maintenance_settings(settings: Settings) -> MaintenanceSettings:
    """When a job counts as lost, when to give up on it, how often expired rows go."""
    return MaintenanceSettings(
        lease=lease_policy(settings),
        requeue_after=timedelta(seconds=settings.requeue_after_s),
        cleanup_every=timedelta(seconds=settings.cleanup_interval_s),
    )


def submission_settings(settings: Settings) -> SubmissionSettings:
    """Each user's quota of route requests, and how long keys and results are kept."""
    return SubmissionSettings(
        rate_limit=RateLimitPolicy(settings.rate_limit_per_minute, PER_MINUTE),
        idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_s),
        retention=timedelta(seconds=settings.result_retention_s),
    )
