"""``wildside dev --demo``: the README's first command, from empty servers to a printed tour."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port

pytestmark = pytest.mark.slow

WILDSIDE = str(Path(sys.executable).parent / "wildside")


def test_dev_brings_everything_up_shows_a_tour_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILDSIDE_")}
    env.update(
        {
            "WILDSIDE_RUN_DIR": str(tmp_path / "run"),
            "WILDSIDE_DATA_DIR": str(REPO_ROOT / "data"),
            "WILDSIDE_PG_PORT": str(free_port()),
            "WILDSIDE_REDIS_PORT": str(free_port()),
            "WILDSIDE_REDIS_CACHE_PORT": str(free_port()),
            "WILDSIDE_WORKER_METRICS_PORT": str(free_port()),
        }
    )
    err_log = tmp_path / "dev.err"
    with err_log.open("w") as err:
        dev = subprocess.Popen(
            [WILDSIDE, "dev", "--demo", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        try:
            deadline = time.monotonic() + 240
            while "press Ctrl-C" not in err_log.read_text():
                assert dev.poll() is None, err_log.read_text()
                assert time.monotonic() < deadline, err_log.read_text()
                time.sleep(0.5)
            # The stack answers while it runs.
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/health/ready", timeout=5
            ) as ready:
                assert ready.status == 200
            # and so does the map page (MapLibre from npm, installed by scripts/setup.sh)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                assert page.status == 200
                assert page.headers["Content-Type"].startswith("text/html")
                assert b'src="/static/map.js"' in page.read()
            # When the user presses Ctrl-C
            dev.send_signal(signal.SIGINT)
            out, _ = dev.communicate(timeout=60)
        finally:
            if dev.poll() is None:
                dev.kill()
    log = err_log.read_text()
    # Then it stopped cleanly, after showing a tour requested through the API and the WebSocket
    assert dev.returncode == 0, log
    assert "demo user 'demo', token: wst_" in log
    assert "ws: succeeded 100" in log
    assert "arrive" in out
    assert "OpenStreetMap contributors" in out
    assert "stopping API and worker" in log
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2)
    status = subprocess.run(
        [WILDSIDE, "services", "status"], env=env, capture_output=True, text=True, check=False
    )
    assert status.returncode == 3  # the private servers it started are stopped again
