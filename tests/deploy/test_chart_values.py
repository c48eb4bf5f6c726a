"""Chart values: the schema covers them, the settings match Wildside's, the docs list them."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
import yaml

from adapters.settings import Settings
from tests.deploy.chart import CHART_DIR, OPERATIONS_DOC, REPO_ROOT, VALUE_SETS
from tests.deploy.values_table import markdown_table, undocumented_leaves

SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())
DEFAULTS = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
# Settings the chart or the image sets, or that only the local commands use;
# `config` must not carry them.
CHART_MANAGED = {
    "WILDSIDE_DATABASE_URL": "Secret",
    "WILDSIDE_REDIS_URL": "Secret",
    "WILDSIDE_REDIS_QUEUE_URL": "Secret, as WILDSIDE_REDIS_URL (the fallback of both roles)",
    "WILDSIDE_REDIS_CACHE_URL": "Secret (optional key)",
    "WILDSIDE_POSTHOG_API_KEY": "Secret (optional key)",
    "WILDSIDE_SESSION_KEY_FILE": "api Deployment",
    "WILDSIDE_HTTP_PORT": "ConfigMap, from api.port",
    "WILDSIDE_WORKER_METRICS_PORT": "ConfigMap, from worker.metricsPort",
    "WILDSIDE_HTTP_HOST": "Dockerfile",
    "WILDSIDE_MIGRATIONS_DIR": "Dockerfile",
    "WILDSIDE_RUN_DIR": "Dockerfile",
    "WILDSIDE_DATA_DIR": "local commands only",
    "WILDSIDE_PG_PORT": "local commands only",
    "WILDSIDE_REDIS_PORT": "local commands only",
    "WILDSIDE_REDIS_CACHE_PORT": "local commands only",
    "WILDSIDE_REDIS_CACHE_MAXMEMORY_MB": "local commands only",
}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = SCHEMA["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _unschema_paths(value: Any, node: dict[str, Any], path: str) -> list[str]:
    """Keys of ``value`` the schema does not describe (free-form maps describe anything)."""
    node = _resolve(node)
    if not isinstance(value, dict) or "properties" not in node:
        return []
    missing = []
    for key, child in value.items():
        if key in node["properties"]:
            missing += _unschema_paths(child, node["properties"][key], f"{path}.{key}")
        elif node.get("additionalProperties", True) is False:
            missing.append(f"{path}.{key}")
    return missing


def test_the_schema_is_json_schema_draft_07() -> None:
    # Given values.schema.json
    # Then it declares draft-07, as Helm expects, and is itself a valid draft-07 schema
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_every_value_is_described_by_the_schema() -> None:
    # Given the defaults in values.yaml
    # When each key is looked up in the schema
    # Then every one of them is described (typos in values files are refused)
    assert _unschema_paths(DEFAULTS, SCHEMA, "") == []
    assert SCHEMA["additionalProperties"] is False


@pytest.mark.parametrize("value_set", sorted(VALUE_SETS))
def test_every_value_set_is_valid_under_an_independent_validator(value_set: str) -> None:
    # Given the defaults merged with a value set (a shallow stand-in for Helm's merge)
    path = VALUE_SETS[value_set]
    overrides = {} if path is None else yaml.safe_load(path.read_text())
    merged = _merge(DEFAULTS, overrides)
    # When jsonschema (not Helm) validates them
    # Then they are valid, and use no key the schema does not know
    jsonschema.Draft7Validator(SCHEMA).validate(merged)
    assert _unschema_paths(merged, SCHEMA, "") == []


def test_config_accepts_exactly_the_settings_the_chart_does_not_set_itself() -> None:
    # Given Wildside's settings and the schema of `config`
    every_setting = {"WILDSIDE_" + field.upper() for field in Settings.__struct_fields__}
    accepted = set(SCHEMA["properties"]["config"]["properties"])
    # Then `config` takes every setting except the chart-managed ones
    assert set(CHART_MANAGED) <= every_setting
    assert accepted == every_setting - set(CHART_MANAGED)
    # And the defaults only use accepted ones
    assert set(DEFAULTS["config"]) <= accepted


def test_settings_the_image_provides_are_in_the_dockerfile() -> None:
    # Given the Dockerfile
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    # Then every setting the chart leaves to the image is set there
    for variable, where in CHART_MANAGED.items():
        if where == "Dockerfile":
            assert re.search(rf"\b{variable}=", dockerfile), variable


def test_every_value_is_documented_in_values_yaml() -> None:
    # Given values.yaml's "# --" comments
    # Then every leaf value is described (directly, or by a documented parent)
    assert undocumented_leaves() == []


def test_the_operations_guide_lists_every_value() -> None:
    # Given the values table in docs/operations.md ("Deploying with Helm")
    guide = OPERATIONS_DOC.read_text()
    section = guide.split("## Deploying with Helm", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|")) + "\n"
    # Then it is exactly the table generated from values.yaml
    assert table == markdown_table(), "regenerate it with `scripts/chart-check.sh --values-table`"


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return override
