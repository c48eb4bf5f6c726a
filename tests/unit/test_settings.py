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


def test_directories_are_paths() -> None:
    settings = load_settings({"WILDSIDE_RUN_DIR": "/tmp/x", "WILDSIDE_DATA_DIR": "~/data"})
    assert str(settings.run_dir) == "/tmp/x"
    assert not str(settings.data_dir).startswith("~")
