"""Settings: read once from ``WILDSIDE_*`` environment variables and validated with msgspec."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec

from wildside.domain.errors import ConfigurationError

PREFIX = "WILDSIDE_"
_REPO_ROOT = Path(__file__).resolve().parents[1]
# Walking-graph tiles `wildside rebuild-tiles` writes per transaction (its
# --batch-size overrides it): a dense city tile is tens of thousands of
# vertices, so a transaction stays in the hundreds of thousands of rows read.
TILE_REBUILD_BATCH_SIZE = 16


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every knob of the service. Field ``foo_bar`` is variable ``WILDSIDE_FOO_BAR``."""

    database_url: str | None = None
    # Redis in two roles (docs/operations.md, "Redis"): the queue (Dramatiq, pub/sub and
    # coordination state that must never be evicted: AOF, noeviction) and the cache
    # (route results only: maxmemory + allkeys-lfu). `redis_url` is the fallback of both,
    # so a deployment with one URL keeps working; the cache falls back to the queue's URL.
    redis_url: str | None = None
    redis_queue_url: str | None = None
    redis_cache_url: str | None = None
    run_dir: Path = _REPO_ROOT / ".run"
    data_dir: Path = _REPO_ROOT / "data"
    migrations_dir: Path = _REPO_ROOT / "migrations"
    ingest_batch_size: int = 10_000
    pg_port: int = 54329
    redis_port: int = 63799
    # The private stack's cache server (`wildside services start`, `wildside dev`): its
    # port (unset: the queue's + 1, so a run given its own WILDSIDE_REDIS_PORT gets its
    # own cache too), and its memory budget before allkeys-lfu evicts.
    redis_cache_port: int | None = None
    redis_cache_maxmemory_mb: int = 64
    # HTTP API (`wildside serve`).
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    session_key_file: Path | None = None
    cookie_secure: bool = True
    session_max_age_s: int = 7 * 86_400
    max_body_bytes: int = 16_384
    request_timeout_s: float = 10.0
    db_pool_size: int = 10
    db_slow_query_ms: int = 500  # a database operation this long counts as slow (metrics)
    # WebSocket: origins besides the request's own that may open a cookie-authenticated
    # socket (comma-separated, e.g. "https://app.example.com"), and how often an open
    # socket's credential is checked again while it follows requests.
    allowed_origins: str = ""
    ws_auth_recheck_s: float = 30.0
    # Vector tiles (/tiles): origins besides the API's own whose pages may read them
    # (comma-separated; "*" for any), as the chart's martin.cors does for Martin, and
    # how long a browser may keep the answer to a preflight.
    tile_cors_origins: str = ""
    tile_cors_max_age_s: int = 3600
    # Location messages one WebSocket may send per minute for live guidance (GCRA: a full
    # minute's worth at once after a pause, one per second sustained at the default).
    ws_location_limit_per_minute: int = 60
    # Login attempts answered per minute before 429 (every attempt counts, see LoginLimits).
    login_limit_per_address: int = 30
    login_limit_per_account_and_address: int = 5
    login_limit_per_account: int = 30
    # Route requests.
    rate_limit_per_minute: int = 60
    idempotency_ttl_s: int = 24 * 3600
    result_retention_s: int = 24 * 3600
    route_cache_ttl_s: int = 24 * 3600
    # Places near me (GET /api/v1/pois): queries per user per minute (a map pans often).
    places_rate_limit_per_minute: int = 120
    # Workers (`wildside worker`).
    worker_threads: int = 2
    # Walking-graph tiles and stitched area networks a worker keeps (LRU by bytes, shared by
    # its threads). 384 MiB fits a 1 GiB pod: a warm worker holds about 250 MiB before any tile.
    graph_cache_mb: int = 384
    worker_metrics_port: int = 9191
    route_job_time_limit_s: float = 60.0
    route_job_max_retries: int = 3
    route_job_min_backoff_ms: int = 1_000
    route_job_max_backoff_ms: int = 30_000
    # A worker sweeps dead workers' messages itself every maintenance tick, which is
    # also its own heartbeat, so the timeout need only cover a few missed ticks.
    queue_heartbeat_timeout_ms: int = 15_000
    queue_maintenance_chance: int = 1_000  # per million broker commands: sweep dead workers
    maintenance_interval_s: float = 5.0  # lost jobs come back within lease + this
    cleanup_interval_s: float = 300.0  # expired requests and keys are deleted this often
    route_job_lease_s: float = 15.0  # a running request is its worker's while renewed
    requeue_after_s: float = 300.0
    # Logs of `serve`, `worker` and `dev` children.
    log_level: str = "INFO"
    # auto: JSON unless stderr is a terminal. Exact lower-case names, as the loggers look them up.
    log_format: Literal["auto", "json", "human"] = "auto"
    # Tracing (OpenTelemetry), off by default.
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str | None = (
        None  # OTLP/HTTP traces URL; else the OTEL_EXPORTER_OTLP_* variables
    )
    otel_service_name: str = "wildside"
    # Product analytics (PostHog), off unless a project key is set.
    posthog_api_key: str | None = None
    posthog_host: str = "https://eu.i.posthog.com"
    # Overpass enrichment (`wildside worker`).
    enrichment_enabled: bool = True
    enrichment_min_candidates: int = 20
    enrichment_radius_m: float = 2_000.0
    enrichment_cooldown_s: float = 6 * 3600.0
    overpass_endpoints: str = (
        "https://overpass-api.de/api/interpreter,https://overpass.private.coffee/api/interpreter"
    )
    overpass_user_agent: str = "Wildside/0.1 (+https://github.com/leynos/wildside)"
    overpass_contact: str = "operations@wildside.invalid"
    overpass_tenant_token: str | None = None
    overpass_timeout_s: int = 180
    overpass_maxsize: int = 536_870_912
    overpass_daily_requests: int = 10_000
    overpass_daily_bytes: int = 1_000_000_000
    overpass_reserve_bytes: int = 64 * 1024 * 1024
    overpass_permits: int = 2
    overpass_permit_wait_s: float = 60.0
    overpass_permit_lease_s: float = 240.0
    overpass_breaker_threshold: int = 5
    overpass_breaker_cooldown_s: float = 60.0
    overpass_max_attempts: int = 3
    overpass_backoff_base_s: float = 2.0
    overpass_backoff_max_s: float = 60.0

    def __post_init__(self) -> None:
        """Check ranges msgspec's types cannot express."""
        if not 1 <= self.ingest_batch_size <= 1_000_000:
            raise ValueError("must be between 1 and 1000000 (`$.ingest_batch_size`)")
        for name in ("pg_port", "redis_port", "http_port", "worker_metrics_port"):
            if not 1 <= getattr(self, name) <= 65535:
                raise ValueError(f"must be a TCP port 1..65535 (`$.{name}`)")
        if not 1 <= self.cache_server_port() <= 65535:
            raise ValueError("must be a TCP port 1..65535 (`$.redis_cache_port`)")
        _positive(
            self,
            "session_max_age_s",
            "max_body_bytes",
            "request_timeout_s",
            "db_pool_size",
            "db_slow_query_ms",
            "ws_auth_recheck_s",
            "tile_cors_max_age_s",
            "ws_location_limit_per_minute",
            "login_limit_per_address",
            "login_limit_per_account_and_address",
            "login_limit_per_account",
            "rate_limit_per_minute",
            "idempotency_ttl_s",
            "result_retention_s",
            "route_cache_ttl_s",
            "places_rate_limit_per_minute",
            "worker_threads",
            "graph_cache_mb",
            "redis_cache_maxmemory_mb",
            "route_job_time_limit_s",
            "route_job_min_backoff_ms",
            "route_job_max_backoff_ms",
            "queue_heartbeat_timeout_ms",
            "maintenance_interval_s",
            "cleanup_interval_s",
            "route_job_lease_s",
            "requeue_after_s",
            "enrichment_min_candidates",
            "enrichment_radius_m",
            "enrichment_cooldown_s",
            "overpass_timeout_s",
            "overpass_maxsize",
            "overpass_daily_requests",
            "overpass_daily_bytes",
            "overpass_reserve_bytes",
            "overpass_permits",
            "overpass_permit_wait_s",
            "overpass_permit_lease_s",
            "overpass_breaker_threshold",
            "overpass_breaker_cooldown_s",
            "overpass_max_attempts",
        )
        for name, choices in _CHOICES.items():
            if str(getattr(self, name)).lower() not in choices:
                raise ValueError(f"must be one of {', '.join(choices)} (`$.{name}`)")
        _check_overpass(self)
        _check_origins(self)
        if not 1 <= self.queue_maintenance_chance <= 1_000_000:
            raise ValueError("must be between 1 and 1000000 (`$.queue_maintenance_chance`)")
        if self.route_job_max_retries < 0:
            raise ValueError("must not be negative (`$.route_job_max_retries`)")
        if self.queue_heartbeat_timeout_ms < 3_000 * self.maintenance_interval_s:
            # Each tick is the worker's heartbeat: a shorter timeout would call live workers dead.
            raise ValueError(
                "must be at least three maintenance intervals (`$.queue_heartbeat_timeout_ms`)"
            )
        for name in ("database_url", "redis_url", "redis_queue_url", "redis_cache_url"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise ValueError(f"must not be empty (`$.{name}`)")

    def endpoint_list(self) -> tuple[str, ...]:
        """``overpass_endpoints`` split at commas, primary first."""
        return tuple(u.strip() for u in self.overpass_endpoints.split(",") if u.strip())

    def origin_list(self) -> tuple[str, ...]:
        """``allowed_origins`` split at commas, lower-cased (origins compare case-insensitively)."""
        return tuple(o.strip().lower() for o in self.allowed_origins.split(",") if o.strip())

    def tile_origin_list(self) -> tuple[str, ...]:
        """``tile_cors_origins`` split at commas, lower-cased; ``("*",)`` allows any origin.

        Examples
        --------
        >>> Settings(tile_cors_origins="https://A.example, *").tile_origin_list()
        ('https://a.example', '*')
        """
        return tuple(o.strip().lower() for o in self.tile_cors_origins.split(",") if o.strip())

    def require_database_url(self) -> str:
        """Return the database URL or explain how to get one."""
        if self.database_url is None:
            raise ConfigurationError(
                f"{PREFIX}DATABASE_URL is not set; start the private servers with "
                '`eval "$(wildside services start)"` or point it at a PostgreSQL database',
                variable=f"{PREFIX}DATABASE_URL",
            )
        return self.database_url

    def cache_server_port(self) -> int:
        """Port of the private cache Redis: ``redis_cache_port``, else the queue's + 1.

        Examples
        --------
        >>> Settings(redis_port=6379).cache_server_port()
        6380
        """
        return self.redis_port + 1 if self.redis_cache_port is None else self.redis_cache_port

    def require_queue_redis_url(self) -> str:
        """The queue role's Redis URL (``REDIS_QUEUE_URL``, else ``REDIS_URL``), or explain.

        Examples
        --------
        >>> Settings(redis_url="redis://q:6379/0").require_queue_redis_url()
        'redis://q:6379/0'
        """
        url = self.redis_queue_url or self.redis_url
        if url is None:
            raise ConfigurationError(
                f"{PREFIX}REDIS_QUEUE_URL (or {PREFIX}REDIS_URL) is not set; start the private"
                ' servers with `eval "$(wildside services start)"` or point it at a Redis server',
                variable=f"{PREFIX}REDIS_QUEUE_URL",
            )
        return url

    def require_cache_redis_url(self) -> str:
        """The cache role's Redis URL (``REDIS_CACHE_URL``, else the queue's), or explain.

        Examples
        --------
        >>> Settings(redis_url="redis://q:6379/0").require_cache_redis_url()
        'redis://q:6379/0'
        >>> Settings(redis_url="redis://q/0", redis_cache_url="redis://c/0").require_cache_redis_url()
        'redis://c/0'
        """
        return self.redis_cache_url or self.require_queue_redis_url()

    def require_redis_url(self) -> str:
        """The queue role's URL: the name callers used before the cache had a role of its own."""
        return self.require_queue_redis_url()


def _check_overpass(settings: Settings) -> None:
    if settings.overpass_permit_lease_s < settings.overpass_timeout_s + 30:
        raise ValueError(
            "must outlast a call: at least WILDSIDE_OVERPASS_TIMEOUT_S + 30"
            " (`$.overpass_permit_lease_s`)"
        )
    if not settings.endpoint_list():
        raise ValueError("must name at least one URL (`$.overpass_endpoints`)")
    for url in settings.endpoint_list():
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL (`$.overpass_endpoints`)")


_ORIGIN = re.compile(r"https?://[a-z0-9.\-\[\]:]+")


def _check_origins(settings: Settings) -> None:
    for origin in settings.origin_list():
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"{origin!r} is not an origin like https://app.example.com"
                " (scheme and host, optional port, no path) (`$.allowed_origins`)"
            )
    for origin in settings.tile_origin_list():
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ValueError(
                f"{origin!r} is not an origin like https://app.example.com, nor *"
                " (`$.tile_cors_origins`)"
            )


_CHOICES = {
    "log_level": ("debug", "info", "warning", "error", "critical"),
}


def _positive(settings: Settings, *names: str) -> None:
    for name in names:
        if not getattr(settings, name) > 0:
            raise ValueError(f"must be positive (`$.{name}`)")


_FIELD_IN_MESSAGE = re.compile(r"\s*(?:- at|\()?\s*`\$\.(\w+)`\)?")


def _decode(kind: type, value: object) -> object:
    """Teach msgspec the types it does not convert by itself."""
    if kind is Path and isinstance(value, str) and value.strip():
        return Path(value).expanduser()
    raise NotImplementedError(f"cannot read {kind.__name__} from {value!r}")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build ``Settings`` from the environment.

    Raises
    ------
    ConfigurationError
        With a one-line message naming the offending variable.

    Examples
    --------
    >>> load_settings({"WILDSIDE_INGEST_BATCH_SIZE": "500"}).ingest_batch_size
    500
    """
    env = os.environ if environ is None else environ
    known = set(Settings.__struct_fields__)
    raw: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith(PREFIX):
            continue
        field = name[len(PREFIX) :].lower()
        if field not in known:
            raise ConfigurationError(f"{name} is not a Wildside setting", variable=name)
        raw[field] = value
    try:
        return msgspec.convert(raw, Settings, strict=False, dec_hook=_decode)
    except msgspec.ValidationError as exc:
        match = _FIELD_IN_MESSAGE.search(str(exc))
        variable = PREFIX + match.group(1).upper() if match else PREFIX + "*"
        detail = _FIELD_IN_MESSAGE.sub("", str(exc)).strip()
        value = raw.get(match.group(1), "") if match else ""
        raise ConfigurationError(
            f"{variable}={value!r} is invalid: {detail}", variable=variable
        ) from exc
