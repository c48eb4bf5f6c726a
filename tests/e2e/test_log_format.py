"""``wildside serve`` with ``WILDSIDE_LOG_FORMAT=json``: every line it writes is one JSON object.

A real process on loopback (uvicorn, Litestar, our code), from start-up to
the last line after SIGTERM, with a refused ``/ws?token=…`` in between: the
token must not be in any line.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.conftest import free_port

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 60.0
FAKE_TOKEN = "wst_" + "Q" * 43  # the shape of a token; the server refuses it from the URL
OTHER_TOKEN = "wst_" + "R" * 43  # offered as a subprotocol: unknown, refused
FAKE_COOKIE = "S" * 60


def _serve(database_url: str, redis_url: str, run_dir: Path, port: int) -> subprocess.Popen[bytes]:
    key = run_dir / "session.key"
    key.write_text(base64.b64encode(os.urandom(64)).decode())
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILDSIDE_")}
    env.update(
        {
            "WILDSIDE_DATABASE_URL": database_url,
            "WILDSIDE_REDIS_URL": redis_url,
            "WILDSIDE_SESSION_KEY_FILE": str(key),
            "WILDSIDE_RUN_DIR": str(run_dir),
            "WILDSIDE_LOG_FORMAT": "json",
            "WILDSIDE_LOG_LEVEL": "DEBUG",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "adapters", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_live(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {START_TIMEOUT_S} s")


def test_serve_writes_only_json_lines_up_to_its_last_after_sigterm(
    migrated_database_url: str, redis_url: str, tmp_path: Path
) -> None:
    port = free_port()
    process = _serve(migrated_database_url, redis_url, tmp_path, port)
    try:
        _wait_live(f"http://127.0.0.1:{port}/health/live", process)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/health/ready", headers={"X-Request-ID": "req-ready"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        with (
            pytest.raises(InvalidStatus) as refused,
            connect(f"ws://127.0.0.1:{port}/ws?token={FAKE_TOKEN}", open_timeout=10),
        ):
            pass
        assert refused.value.response.status_code == 403
        # At DEBUG the WebSocket library logs every handshake header: cookie and subprotocol too
        with (
            pytest.raises(InvalidStatus),
            connect(
                f"ws://127.0.0.1:{port}/ws",
                subprotocols=[Subprotocol("wildside.v1"), Subprotocol(f"bearer.{OTHER_TOKEN}")],
                additional_headers={"Cookie": f"theme=dark; session={FAKE_COOKIE}"},
                open_timeout=10,
            ),
        ):
            pass
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    lines = output.decode("utf-8", errors="replace").splitlines()
    entries: list[dict[str, Any]] = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}\n(all output: {lines})")
    assert all(
        isinstance(e, dict) and {"timestamp", "level", "logger", "message"} <= e.keys()
        for e in entries
    )
    messages = [e["message"] for e in entries]
    # uvicorn's own lines come through our handler, from start-up to shut-down ...
    assert any("Application startup complete" in m for m in messages), messages
    assert any('"WebSocket /ws' in m and "403" in m for m in messages), messages
    # ... and so do the very last ones, written after the signal: nothing is lost on the way out
    assert any("Finished server process" in m for m in messages), messages
    assert messages[-1] == "api stopped", messages[-3:]
    assert process.returncode == 0
    # the refused tokens and the cookie are nowhere, not even in the handshake's debug lines
    text = output.decode(errors="replace")
    assert any("sec-websocket-protocol" in m for m in messages)  # the headers were logged...
    for secret in (FAKE_TOKEN[4:], OTHER_TOKEN[4:], FAKE_COOKIE):
        assert secret not in text  # ... without their secrets
