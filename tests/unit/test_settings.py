"""Settings come from WILDSIDE_* variables; mistakes are one-line errors naming the variable."""

from __future__ import annotations

import pytest

from adapters.settings import load_settings
from wildside.domain.errors import ConfigurationError


def test_defaults_need_no_environment() -> None:
    settings = load_settings({"HOME": "/root"})
    assert settings.ingest_batch_size == 10_000
    assert settings.database_url is None


def test_values_are_converted_from_strings() -> None:
    settings = load_settings(
        {"WILDSIDE_INGEST_BATCH_SIZE": "250", "WILDSIDE_DATABASE_URL": "postgresql://x/y"}
    )
    assert settings.ingest_batch_size == 250
    assert settings.require_database_url() == "postgresql://x/y"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"WILDSIDE_INGEST_BATCH_SIZE": "many"}, "WILDSIDE_INGEST_BATCH_SIZE"),
        ({"WILDSIDE_INGEST_BATCH_SIZE": "0"}, "WILDSIDE_INGEST_BATCH_SIZE"),
        ({"WILDSIDE_PG_PORT": "70000"}, "WILDSIDE_PG_PORT"),
        ({"WILDSIDE_REDIS_URL": "  "}, "WILDSIDE_REDIS_URL"),
        ({"WILDSIDE_REDIS_CACHE_URL": ""}, "WILDSIDE_REDIS_CACHE_URL"),
        ({"WILDSIDE_REDIS_CACHE_PORT": "0"}, "WILDSIDE_REDIS_CACHE_PORT"),
        ({"WILDSIDE_REDIS_CACHE_MAXMEMORY_MB": "0"}, "WILDSIDE_REDIS_CACHE_MAXMEMORY_MB"),
        ({"WILDSIDE_DATABSE_URL": "typo"}, "WILDSIDE_DATABSE_URL"),
    ],
)
def test_bad_values_name_the_variable_in_one_line(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ)
    assert caught.value.variable == variable
    assert variable in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_urls_explain_how_to_start_servers() -> None:
    settings = load_settings({})
    with pytest.raises(ConfigurationError, match="wildside services start"):
        settings.require_database_url()
    with pytest.raises(ConfigurationError, match="WILDSIDE_REDIS_URL"):
        settings.require_redis_url()


@pytest.mark.parametrize(
    ("environ", "queue", "cache"),
    [
        # One URL, as before the roles: both roles on it.
        ({"WILDSIDE_REDIS_URL": "redis://one/0"}, "redis://one/0", "redis://one/0"),
        # A cache of its own; the queue stays on the shared URL.
        (
            {"WILDSIDE_REDIS_URL": "redis://one/0", "WILDSIDE_REDIS_CACHE_URL": "redis://c/0"},
            "redis://one/0",
            "redis://c/0",
        ),
        # Role URLs win over the shared one; the cache follows the queue's.
        (
            {"WILDSIDE_REDIS_URL": "redis://one/0", "WILDSIDE_REDIS_QUEUE_URL": "redis://q/0"},
            "redis://q/0",
            "redis://q/0",
        ),
        (
            {"WILDSIDE_REDIS_QUEUE_URL": "redis://q/0", "WILDSIDE_REDIS_CACHE_URL": "redis://c/1"},
            "redis://q/0",
            "redis://c/1",
        ),
    ],
)
def test_each_redis_role_falls_back_to_the_shared_url(
    environ: dict[str, str], queue: str, cache: str
) -> None:
    settings = load_settings(environ)
    assert settings.require_queue_redis_url() == queue
    assert settings.require_cache_redis_url() == cache
    assert settings.require_redis_url() == queue  # the older name means the queue


def test_the_private_cache_server_sits_beside_the_queue_unless_told() -> None:
    assert load_settings({}).cache_server_port() == 63800
    assert load_settings({"WILDSIDE_REDIS_PORT": "7000"}).cache_server_port() == 7001
    told = {"WILDSIDE_REDIS_PORT": "7000", "WILDSIDE_REDIS_CACHE_PORT": "9000"}
    assert load_settings(told).cache_server_port() == 9000


def test_a_cache_url_alone_does_not_make_a_queue() -> None:
    settings = load_settings({"WILDSIDE_REDIS_CACHE_URL": "redis://c/0"})
    with pytest.raises(ConfigurationError) as caught:
        settings.require_queue_redis_url()
    assert caught.value.variable == "WILDSIDE_REDIS_QUEUE_URL"


def test_directories_are_paths() -> None:
    settings = load_settings({"WILDSIDE_RUN_DIR": "/tmp/x", "WILDSIDE_DATA_DIR": "~/data"})
    assert str(settings.run_dir) == "/tmp/x"
    assert not str(settings.data_dir).startswith("~")
