"""``wildside dev``: the whole stack on the embedded default, one command, Ctrl-C to stop."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.composition.engine import build_ingest, local_servers
from adapters.composition.service import accounts, open_resources
from adapters.inbound.cli.runtime import DevOptions
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from adapters.outbound.system_randomness import OsSecretSource
from adapters.outbound.wildside_api_client import WildsideApiClient
from adapters.settings import PREFIX, Settings
from wildside.domain.errors import ConflictError, UnavailableError, WildsideError
from wildside.ports.progress import Progress

DEMO_USER = "demo"
DEMO_REQUEST = {  # central Helsinki, from the railway station square
    "start": {"lat": 60.1712, "lng": 24.9441},
    "duration_minutes": 90,
    "preferences": ["history", "nature"],
}
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DevHooks:
    """How the CLI shows what happens: lines, ingest progress, and a finished route."""

    say: Say
    progress: Progress
    show_route: Callable[[dict[str, Any]], None]


def run_dev(settings: Settings, options: DevOptions, hooks: DevHooks) -> int:
    """Start servers, prepare data, run API and worker, optionally a demo tour, until a signal."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    servers = local_servers(settings)
    started_here = [server for server in servers if not server.is_running()]
    for server in servers:
        server.start()
    postgres, queue, cache = servers
    settings = _with(
        settings,
        database_url=postgres.url,
        redis_url=queue.url,
        redis_queue_url=None,  # the servers just started win over the shell's variables
        redis_cache_url=cache.url,
    )
    try:
        token = _prepare(settings, hooks)
        env = _child_env(settings)
        with _children(env, options, hooks.say) as children:
            base_url = f"http://{options.host}:{options.port}"
            _wait_ready(base_url, children, stop)
            hooks.say(
                f"Wildside is running at {base_url}  (map page: {base_url}/, "
                f"OpenAPI: {base_url}/schema/openapi.json)"
            )
            hooks.say(f"demo user {DEMO_USER!r}, token: {token}")
            if options.demo and not stop.is_set():
                _demo(WildsideApiClient(base_url, token, timeout_s=120.0), hooks)
            if options.exit_after_demo:
                return 0
            hooks.say("press Ctrl-C to stop")
            while not stop.wait(0.5):
                if any(child.poll() is not None for child in children):
                    hooks.say("a child process exited; stopping")
                    return 1
            return 0
    finally:
        for server in reversed(started_here):
            server.stop()


def _prepare(settings: Settings, hooks: DevHooks) -> str:
    url = settings.require_database_url()
    applied = PostgresMigrationRunner(url, settings.migrations_dir).apply()
    if applied:
        hooks.say(f"applied migrations: {', '.join(applied)}")
    if PostgresPoiRepository(per_call(url)).data_version() == "empty":
        path = settings.data_dir / "osm" / "Helsinki.osm.pbf"
        hooks.say(f"ingesting {path}")
        report = build_ingest(settings, hooks.progress)(path)
        hooks.say(f"ingested {report.pois_total} POIs, {report.network_edges} street edges")
    _session_key(settings.run_dir / "session.key")
    with open_resources(settings, pool_size=2) as resources:
        users = accounts(resources)
        try:
            issued = users.create_user(DEMO_USER)
        except ConflictError:
            issued = users.issue_token(DEMO_USER, "wildside dev")
    return issued.secret


def _session_key(path: Path) -> None:
    if path.exists():
        return
    import base64

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(base64.b64encode(OsSecretSource().token_bytes(64)).decode() + "\n")
    path.chmod(0o600)


def _child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env.update(
        {
            f"{PREFIX}DATABASE_URL": settings.require_database_url(),
            f"{PREFIX}REDIS_URL": settings.require_queue_redis_url(),
            f"{PREFIX}REDIS_CACHE_URL": settings.require_cache_redis_url(),
            f"{PREFIX}SESSION_KEY_FILE": str(settings.run_dir / "session.key"),
            # Plain http on loopback: browsers treat localhost as secure, curl does not.
            f"{PREFIX}COOKIE_SECURE": "false",
            f"{PREFIX}RUN_DIR": str(settings.run_dir),
            f"{PREFIX}DATA_DIR": str(settings.data_dir),
        }
    )
    return env


@contextlib.contextmanager
def _children(
    env: dict[str, str], options: DevOptions, say: Say
) -> Iterator[list[subprocess.Popen[bytes]]]:
    command = [sys.executable, "-m", "adapters"]
    children = [
        subprocess.Popen(
            [*command, "serve", "--host", options.host, "--port", str(options.port)], env=env
        ),
        subprocess.Popen([*command, "worker"], env=env),
    ]
    try:
        yield children
    finally:
        say("stopping API and worker")
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _wait_ready(
    base_url: str, children: list[subprocess.Popen[bytes]], stop: threading.Event
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not stop.is_set():
        if any(child.poll() is not None for child in children):
            raise UnavailableError("the API or the worker exited during start-up", service="dev")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(base_url + "/health/ready", timeout=2) as response,
        ):
            if response.status == 200:
                return
        if time.monotonic() > deadline:
            raise UnavailableError(f"the API at {base_url} did not become ready", service="dev")
        stop.wait(0.3)


def _demo(client: WildsideApiClient, hooks: DevHooks) -> None:
    hooks.say(f"demo: POST /api/v1/routes {DEMO_REQUEST}")
    accepted = client.submit(DEMO_REQUEST)
    if accepted.status != 202:
        raise WildsideError(f"the demo request was refused: {accepted.status} {accepted.body}")
    request_id = accepted.body["request_id"]
    hooks.say(f"demo: accepted as {request_id}; following /ws")
    for message in client.follow(request_id):
        hooks.say(
            f"  ws: {message.get('status', message.get('type'))} {message.get('progress', '')}"
        )
    result = client.route(request_id)
    if result.status != 200:
        raise WildsideError(f"the demo route failed: {result.status} {result.body}")
    hooks.show_route(result.body["route"])


def _with(settings: Settings, **changes: Any) -> Settings:
    import msgspec

    return msgspec.structs.replace(settings, **changes)
