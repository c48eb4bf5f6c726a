"""The tile gateway run: real nginx with the rendered config, in front of a stand-in Martin.

The stand-in answers only Martin 1.x's own routes (``/tiles/{source}`` for
TileJSON, ``/tiles/{source}/{z}/{x}/{y}`` for tiles), so what reaches it shows
what the gateway rewrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import free_port
from tests.deploy.chart import component, parse_manifests, render_text

TILE = b"\x1a\x02tile"


class StandInMartin(BaseHTTPRequestHandler):
    """Martin 1.x's routes under --route-prefix /tiles, nothing else."""

    seen: ClassVar[list[str]] = []  # request paths, in order

    def do_GET(self) -> None:
        self.seen.append(self.path)
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self._send(200, "text/plain", b"OK")
        elif path == "/tiles/pois":
            host = self.headers["Host"]
            document = {
                "tilejson": "3.0.0",
                "tiles": [f"http://{host}/tiles/pois/{{z}}/{{x}}/{{y}}"],
            }
            self._send(200, "application/json", json.dumps(document).encode())
        elif path == "/tiles/pois/14/9330/4740":
            self._send(200, "application/x-protobuf", TILE)
        else:
            self._send(404, "text/plain", b"no such route")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def gateway(tmp_path: Path, helm_path: str) -> Iterator[str]:
    """The rendered gateway on a free port, proxying to the stand-in; yields its base URL."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.fail("nginx is not installed: run scripts/setup.sh")
    martin_port, gateway_port = free_port(), free_port()
    objects = parse_manifests(
        render_text(
            "--set", f"martin.port={martin_port}", "--set", f"martin.gateway.port={gateway_port}"
        )
    )
    (configmap,) = [
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"] == component("martin")
    ]
    # The pod's /tmp is an emptyDir of its own; here it is this test's directory.
    config = tmp_path / "nginx.conf"
    config.write_text(configmap["data"]["nginx.conf"].replace("/tmp/", f"{tmp_path}/"))
    StandInMartin.seen = []
    upstream = ThreadingHTTPServer(("127.0.0.1", martin_port), StandInMartin)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    process = subprocess.Popen(
        [nginx, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{gateway_port}"
    try:
        _wait_until_up(base + "/health", process)
        StandInMartin.seen.clear()  # the health checks above
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the gateway did not answer")


def _get(url: str, host: str | None = None) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def test_tilejson_is_at_source_json_and_points_at_pbf_tiles(gateway: str) -> None:
    # When a client asks for /tiles/pois.json under the public host name
    status, body, kind = _get(gateway + "/tiles/pois.json", host="tiles.example.org")
    # Then it gets Martin's TileJSON, whose tile URL is in the same scheme, on that host
    assert (status, kind) == (200, "application/json")
    assert json.loads(body)["tiles"] == ["http://tiles.example.org/tiles/pois/{z}/{x}/{y}.pbf"]
    assert StandInMartin.seen[-1] == "/tiles/pois"


def test_a_pbf_tile_is_martins_tile(gateway: str) -> None:
    # When a client asks for a tile with the .pbf suffix (and a cache-busting query)
    status, body, _ = _get(gateway + "/tiles/pois/14/9330/4740.pbf?v=3")
    # Then Martin's suffix-less route answered it, query kept
    assert (status, body) == (200, TILE)
    assert StandInMartin.seen[-1] == "/tiles/pois/14/9330/4740?v=3"


@pytest.mark.parametrize(
    "path", ["/tiles/pois", "/tiles/pois/14/9330/4740", "/tiles/catalog", "/catalog", "/"]
)
def test_only_the_one_scheme_is_served(gateway: str, path: str) -> None:
    # When a client uses Martin's own paths or anything else
    status, _, _ = _get(gateway + path)
    # Then the gateway refuses it without asking Martin
    assert status == 404
    assert StandInMartin.seen == []
