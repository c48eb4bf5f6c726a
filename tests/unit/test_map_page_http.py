"""The map page: ``/`` and its static files, their content types and security headers."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from litestar.testing import TestClient

from adapters.inbound.http import web
from adapters.inbound.http.app import create_app, openapi_document
from adapters.inbound.http.services import HttpServices
from tests.support import defaults
from tests.support.http_services import SilentTelemetry

PAGE_FILES = ("index.html", "api.js", "map-style.js", "tour-view.js", "map.js", "map.css")


def _static_dir(root: Path, *, with_vendor: bool) -> Path:
    """The page's own files, and stand-ins for what set-up copies from npm (or nothing)."""
    static = root / "static"
    static.mkdir()
    for name in PAGE_FILES:
        shutil.copy(web.STATIC_DIR / name, static / name)
    if with_vendor:
        (static / "vendor").mkdir()
        for name in web.VENDOR_FILES:
            (static / "vendor" / name).write_text(f"/* {name} */\n")
    return static


@contextlib.contextmanager
def _client(static: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient[Any]]:
    @contextlib.asynccontextmanager
    async def opened() -> AsyncIterator[HttpServices]:
        yield cast(HttpServices, None)  # no handler here asks for a service: the page is public

    monkeypatch.setattr(web, "STATIC_DIR", static)
    app = create_app(opened, defaults.http_settings(), SilentTelemetry())
    with TestClient(app) as client:  # type: ignore[type-var]
        yield client


def _assert_page_headers(headers: Any) -> None:
    policy = headers["content-security-policy"]
    assert policy == web.CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy  # no inline script or eval, anywhere
    assert "http" not in policy  # no other origin: no CDN
    assert headers["x-content-type-options"] == "nosniff"


def test_the_page_and_its_files_are_served_with_their_types_and_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {
        "/": "text/html",
        "/static/map.js": "text/javascript",
        "/static/map-style.js": "text/javascript",
        "/static/tour-view.js": "text/javascript",
        "/static/api.js": "text/javascript",
        "/static/map.css": "text/css",
        "/static/vendor/maplibre-gl-csp.js": "text/javascript",
        "/static/vendor/maplibre-gl-csp-worker.js": "text/javascript",
        "/static/vendor/maplibre-gl.css": "text/css",
    }
    with _client(_static_dir(tmp_path, with_vendor=True), monkeypatch) as client:
        for path, media_type in expected.items():
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"].split(";")[0] == media_type, path
            _assert_page_headers(answer.headers)
        page = client.get("/").text
    for name in PAGE_FILES:
        if name.endswith(".js"):
            assert f'<script src="/static/{name}" defer>' in page, name
    assert '<script src="/static/vendor/maplibre-gl-csp.js"' in page
    assert "<script>" not in page  # every script is a file the policy allows


def test_without_the_npm_bundle_the_page_says_to_run_setup_and_is_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _client(_static_dir(tmp_path, with_vendor=False), monkeypatch) as client:
        answer = client.get("/")
        missing = client.get("/static/vendor/maplibre-gl-csp.js")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")
    assert "scripts/setup.sh" in answer.text
    _assert_page_headers(answer.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    ["/static/../web.py", "/static/%2e%2e/web.py", "/static/..%2fweb.py", "/static/vendor"],
)
def test_nothing_outside_the_static_files_is_served(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = _static_dir(tmp_path, with_vendor=True)
    (tmp_path / "web.py").write_text("SECRET = 1\n")
    with _client(static, monkeypatch) as client:
        answer = client.get(path)
    assert answer.status_code == 404
    assert "SECRET" not in answer.text


def test_the_page_is_not_in_the_openapi_document() -> None:
    paths = openapi_document(defaults.http_settings())["paths"]
    assert isinstance(paths, dict)
    assert "/api/v1/routes" in paths
    assert not [path for path in paths if path == "/" or path.startswith("/static")]


def test_the_page_loads_nothing_from_another_origin() -> None:
    # The style has a blank background, no basemap, no glyphs or sprites (no text layers), and
    # its tiles come from this origin; the one outside URL is the OSM credit's link.
    style = (web.STATIC_DIR / "map-style.js").read_text()
    assert not re.search(r"\b(glyphs|sprite)\s*:", style)
    assert "`${origin}/tiles/${name}/{z}/{x}/{y}.pbf`" in style
    for name in PAGE_FILES:
        text = (web.STATIC_DIR / name).read_text()
        urls = set(re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"'`]*", text))
        assert urls <= {"https://www.openstreetmap.org/copyright"}, (name, urls)
