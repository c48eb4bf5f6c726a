"""The map page: one static HTML page at ``/`` and its files under ``/static``, no CDN."""

from __future__ import annotations

from pathlib import Path

from litestar import MediaType, Response, get
from litestar.response.base import ASGIResponse
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

STATIC_DIR = Path(__file__).parent / "static"
# Put there by scripts/setup.sh from the npm package in web/ (git ignores it).
VENDOR_FILES = ("maplibre-gl-csp.js", "maplibre-gl-csp-worker.js", "maplibre-gl.css")
HTML_MEDIA_TYPE = "text/html; charset=utf-8"

# Self only. MapLibre's CSP build runs its worker from our own file (worker-src
# 'self', no blob:); its stylesheet draws the control icons from data: URIs; the
# WebSocket is same-origin, which 'self' covers for ws:/wss: in CSP Level 3.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "child-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

NOT_INSTALLED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wildside: map page not installed</title>
</head><body><h1>The map page is not installed</h1>
<p>Its map library (MapLibre GL JS) is installed from npm by <code>scripts/setup.sh</code>.
Run it on this machine, then reload this page. The API itself works.</p>
</body></html>
"""


def bundle_installed(static_dir: Path) -> bool:
    """Whether set-up copied MapLibre into the static directory."""
    return all((static_dir / "vendor" / name).is_file() for name in VENDOR_FILES)


@get("/", include_in_schema=False, media_type=HTML_MEDIA_TYPE, cache_control=None)
async def map_page() -> Response[str]:
    """The page, or a 503 page telling the operator to run set-up (never a 500)."""
    if not bundle_installed(STATIC_DIR):
        return Response(
            NOT_INSTALLED_PAGE,
            status_code=503,
            media_type=HTML_MEDIA_TYPE,
            headers={**PAGE_HEADERS, "Retry-After": "3600"},
        )
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    return Response(page, media_type=MediaType.HTML, headers=PAGE_HEADERS)


def with_page_headers(response: ASGIResponse) -> ASGIResponse:
    """Give a static file the page's security headers."""
    for name, value in PAGE_HEADERS.items():
        response.headers[name] = value
    return response


def web_routes() -> list[ControllerRouterHandler]:
    """The page and its static files, all outside the OpenAPI document."""
    static = create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        name="web-static",
        include_in_schema=False,
        after_request=with_page_headers,  # type: ignore[arg-type]
    )
    return [map_page, static]
