"""The published API documents stay true: the OpenAPI snapshot and the theme list."""

from __future__ import annotations

import json
import typing
from pathlib import Path

from adapters.inbound.http.app import openapi_document
from adapters.inbound.http.wire import Theme
from tests.support import defaults
from wildside.domain.poi_tags import THEMES

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def test_the_committed_openapi_document_is_current() -> None:
    # Regenerate with: .venv/bin/wildside openapi > docs/api/openapi.json
    assert json.loads(SNAPSHOT.read_text()) == openapi_document(defaults.http_settings())


def test_the_wire_theme_list_is_the_domain_theme_list() -> None:
    assert typing.get_args(Theme) == THEMES


def test_every_operation_documents_its_problems() -> None:
    document = openapi_document(defaults.http_settings())
    for path, operations in document["paths"].items():  # type: ignore[attr-defined]
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path.startswith("/api/v1/") and path not in ("/api/v1/login", "/api/v1/logout"):
                assert "401" in codes, (method, path)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (method, path, code)
