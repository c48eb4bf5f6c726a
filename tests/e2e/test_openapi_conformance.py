"""schemathesis against the running API: no 5xx, every response as the OpenAPI document says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from adapters.composition.service import accounts, open_resources
from adapters.settings import load_settings
from tests.e2e.live_service import LiveService

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = str(Path(sys.executable).parent / "st")


def test_every_operation_conforms_to_the_openapi_document(live: LiveService) -> None:
    settings = load_settings(
        {"WILDSIDE_DATABASE_URL": live.database_url, "WILDSIDE_REDIS_URL": live.redis_url}
    )
    with open_resources(settings, pool_size=1) as resources:
        # An administrator, so the admin operations are exercised too (403s are tested elsewhere).
        token = accounts(resources).create_user("fuzzer", "fuzzer password", is_admin=True).secret
    # Every check schemathesis has (server errors, status codes, content types,
    # response schemas and headers, negative and positive data, auth), all phases.
    run = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(CONFIG),
            "run",
            f"{live.base_url}/schema/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--seed",
            "20261130",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
