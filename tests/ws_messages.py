"""Validate WebSocket messages against the JSON schemas published in docs/api/."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "api"
# Every message schema by its $id, so one schema's $ref finds another (client -> location).
_REGISTRY: Registry = Registry().with_resources(
    (doc["$id"], Resource.from_contents(doc))
    for doc in (json.loads(p.read_text()) for p in sorted(SCHEMAS.glob("ws_*.schema.json")))
)


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft202012Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER, registry=_REGISTRY
    )


STATUS = _validator("route_generation_status.schema.json")
ERROR = _validator("ws_error.schema.json")
GUIDANCE = _validator("ws_guidance.schema.json")
LOCATION = _validator("ws_location.schema.json")
CLIENT = _validator("ws_client_message.schema.json")
CANDIDATE = _validator("ws_route_candidate.schema.json")
ALLOWED = {
    "queued": {"running"},
    "running": {"running", "succeeded", "failed"},
    "succeeded": set(),
    "failed": set(),
}


def check_status_stream(messages: list[dict[str, Any]]) -> None:
    """Every message matches the seed schema and each step is an allowed transition."""
    for message in messages:
        STATUS.validate(message)
    for before, after in itertools.pairwise(messages):
        assert after["status"] in ALLOWED[before["status"]], (before, after)
        if before["status"] == after["status"] == "running":
            assert after["progress"] > before["progress"]
    assert messages[-1]["status"] in ("succeeded", "failed")
