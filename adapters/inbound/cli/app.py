"""The ``wildside`` command: parse arguments, call one runtime operation, print, exit."""

from __future__ import annotations

import argparse
import json
import math
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from adapters.inbound.cli.progress import TqdmProgress, stderr_progress
from adapters.inbound.cli.reports import render_ingest, render_rebuild
from adapters.inbound.cli.runtime import SAMPLES, CliRuntime, DevOptions
from adapters.inbound.cli.tour_formats import document_to_text, to_geojson, to_gpx, to_text
from wildside.domain.errors import InvalidInputError, WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import DEFAULT_PACE_M_S, MAX_ALTERNATIVES, RouteSpec
from wildside.domain.start_time import parse_start_time

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="wildside",
        description="Walking tours through the most interesting nearby places.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    services = commands.add_parser(
        "services", help="start, stop or inspect the private PostgreSQL and Redis servers"
    )
    services.add_argument("action", choices=("start", "stop", "status"))

    commands.add_parser("migrate", help="apply database migrations (safe to run twice)")

    ingest = commands.add_parser("ingest", help="load POIs and the walking network from OSM")
    source = ingest.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="an .osm.pbf extract")
    source.add_argument("--sample", choices=sorted(SAMPLES), help="a bundled extract")
    ingest.add_argument(
        "--batch-size", type=_positive_int, default=None, help="features per transaction"
    )
    ingest.add_argument("--json", action="store_true", help="print the report as one JSON object")

    rebuild = commands.add_parser(
        "rebuild-tiles",
        help="rebuild every walking-graph tile from the stored network (after an upgrade)",
    )
    rebuild.add_argument(
        "--batch-size", type=_positive_int, default=None, help="tiles per transaction"
    )
    rebuild.add_argument("--json", action="store_true", help="print the report as one JSON object")

    _add_route_command(commands)

    serve = commands.add_parser("serve", help="run the HTTP API (and WebSocket) server")
    serve.add_argument("--host", help="address to listen on (default: WILDSIDE_HTTP_HOST)")
    serve.add_argument("--port", type=_port, help="port (default: WILDSIDE_HTTP_PORT)")

    commands.add_parser("worker", help="run a background worker (route generation, enrichment)")
    commands.add_parser("openapi", help="print the HTTP API's OpenAPI document (JSON)")

    dev = commands.add_parser(
        "dev", help="everything at once: servers, data, API and worker (Ctrl-C stops it)"
    )
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=_port, default=8000)
    dev.add_argument("--demo", action="store_true", help="request one tour through the API")
    dev.add_argument(
        "--exit-after-demo", action="store_true", help="stop once the demo tour is printed"
    )

    users = commands.add_parser("users", help="manage users")
    user_actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = user_actions.add_parser("create", help="create a user; prints their first token")
    create.add_argument("username")
    create.add_argument("--admin", action="store_true", help="may use admin endpoints")
    create.add_argument(
        "--password-stdin", action="store_true", help="read a login password from stdin"
    )
    password = user_actions.add_parser("set-password", help="set a login password (from stdin)")
    password.add_argument("username")

    tokens = commands.add_parser("tokens", help="issue or revoke API tokens")
    token_actions = tokens.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = token_actions.add_parser("issue", help="issue a token; prints it once")
    issue.add_argument("username")
    issue.add_argument("--label", default="", help="a note to recognise the token by")
    revoke = token_actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    return parser


def run(
    argv: Sequence[str] | None,
    runtime_factory: Callable[[], CliRuntime],
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command and return its exit status; errors become one-line messages."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        runtime = runtime_factory()
        return _dispatch(args, runtime, out, err)
    except WildsideError as exc:
        print(f"wildside: error: {exc.message}", file=err)
        return EXIT_FAILURE
    except OSError as exc:  # the machine's refusal (permissions, a full disk), not a bug
        print(f"wildside: error: {exc}", file=err)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("wildside: interrupted", file=err)
        return EXIT_INTERRUPTED


def _dispatch(args: argparse.Namespace, runtime: CliRuntime, out: TextIO, err: TextIO) -> int:
    commands: dict[str, Callable[[], int]] = {
        "services": lambda: _services(args.action, runtime, out, err),
        "migrate": lambda: _migrate(runtime, out),
        "route": lambda: _route(args, runtime, out),
        "ingest": lambda: _ingest(args, runtime, out, err),
        "rebuild-tiles": lambda: _rebuild_tiles(args, runtime, out, err),
        "serve": lambda: runtime.serve(args.host, args.port),
        "worker": runtime.work,
        "openapi": lambda: _openapi(runtime, out),
        "dev": lambda: _dev(args, runtime, out, err),
        "users": lambda: _accounts(args, runtime, out),
        "tokens": lambda: _accounts(args, runtime, out),
    }
    return commands[args.command]()


def _openapi(runtime: CliRuntime, out: TextIO) -> int:
    print(json.dumps(runtime.openapi_document(), indent=2, sort_keys=True), file=out)
    return EXIT_OK


def _migrate(runtime: CliRuntime, out: TextIO) -> int:
    applied = runtime.migrate()
    print(
        f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""),
        file=out,
    )
    return EXIT_OK


def _route(args: argparse.Namespace, runtime: CliRuntime, out: TextIO) -> int:
    tour = runtime.plan_tour(_route_spec(args))
    renderers = {"geojson": to_geojson, "gpx": to_gpx, "text": to_text}
    print(renderers[args.output](tour), file=out)
    return EXIT_OK


def _ingest(args: argparse.Namespace, runtime: CliRuntime, out: TextIO, err: TextIO) -> int:
    path = runtime.sample_path(args.sample) if args.sample else args.file
    report = runtime.ingest(path, batch_size=args.batch_size, progress=TqdmProgress(err))
    print(render_ingest(path, report, as_json=args.json), file=out)
    return EXIT_OK


def _rebuild_tiles(args: argparse.Namespace, runtime: CliRuntime, out: TextIO, err: TextIO) -> int:
    report = runtime.rebuild_tiles(
        batch_size=args.batch_size, progress=stderr_progress(err, "rebuild-tiles")
    )
    print(render_rebuild(report, as_json=args.json), file=out)
    return EXIT_OK


def _dev(args: argparse.Namespace, runtime: CliRuntime, out: TextIO, err: TextIO) -> int:
    options = DevOptions(
        args.host, args.port, args.demo or args.exit_after_demo, args.exit_after_demo
    )
    return runtime.dev(
        options,
        lambda line: print(line, file=err, flush=True),
        TqdmProgress(err),
        lambda route: print(document_to_text(route), file=out, flush=True),
    )


def _accounts(args: argparse.Namespace, runtime: CliRuntime, out: TextIO) -> int:
    if args.command == "users" and args.action == "create":
        secret = _read_password() if args.password_stdin else None
        issued = runtime.create_user(args.username, secret, is_admin=args.admin)
        print(f"created user {issued.user.username} (id {issued.user.id})", file=out)
    elif args.command == "users":
        runtime.set_password(args.username, _read_password())
        print(f"password set for {args.username}", file=out)
        return EXIT_OK
    elif args.action == "issue":
        issued = runtime.issue_token(args.username, args.label)
    else:
        runtime.revoke_token(args.token_id)
        print(f"revoked token {args.token_id}", file=out)
        return EXIT_OK
    # The secret is shown once, as the last word of the last line (scripts take it from there).
    print(f"token id {issued.token_id}; store the token now, it is not shown again:", file=out)
    print(f"token {issued.secret}", file=out)
    return EXIT_OK


def _read_password() -> str:
    line = sys.stdin.readline()
    if not line:
        raise InvalidInputError("expected the password on standard input", field="password")
    return line.rstrip("\n")


def _services(action: str, runtime: CliRuntime, out: TextIO, err: TextIO) -> int:
    if action == "start":
        states = runtime.start_servers()
        for state in states:
            print(f"{state.name}: running at {state.url}", file=err)
        # stdout carries only shell code, so `eval "$(wildside services start)"` works.
        for state in states:
            print(f"export {state.variable}={shlex.quote(state.url)}", file=out)
        return EXIT_OK
    states = runtime.stop_servers() if action == "stop" else runtime.server_status()
    for state in states:
        print(
            f"{state.name}: {'running' if state.is_running else 'stopped'} ({state.url})", file=out
        )
    if action == "status" and not all(state.is_running for state in states):
        return 3  # like `service status`: non-zero when something is not running
    return EXIT_OK


def _add_route_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``wildside route``: one tour from the ingested data."""
    route = commands.add_parser("route", help="compute one tour from the ingested data")
    route.add_argument("--lat", type=_finite, required=True, help="start latitude")
    route.add_argument("--lng", type=_finite, required=True, help="start longitude")
    route.add_argument("--minutes", type=_finite, required=True, help="time budget")
    route.add_argument("--end-lat", type=_finite, help="end latitude (default: back to start)")
    route.add_argument("--end-lng", type=_finite, help="end longitude")
    route.add_argument(
        "--end-anywhere", action="store_true", help="finish at the last stop (no walk back)"
    )
    route.add_argument(
        "--start-time",
        help="when the walk starts, with its offset (2026-12-08T10:00+02:00); default now",
    )
    route.add_argument("--themes", default="", help="comma-separated, e.g. history,nature")
    route.add_argument("--seed", type=int, default=0, help="same seed, same tour")
    route.add_argument("--pace", type=_finite, default=DEFAULT_PACE_M_S, help="metres/second")
    route.add_argument(
        "--alternatives",
        type=int,
        default=1,
        metavar="K",
        help=f"distinct tours to compute, 1..{MAX_ALTERNATIVES} (the route, then K - 1 others)",
    )
    route.add_argument(
        "--format", choices=("geojson", "gpx", "text"), default="geojson", dest="output"
    )


def _route_spec(args: argparse.Namespace) -> RouteSpec:
    if (args.end_lat is None) != (args.end_lng is None):
        raise InvalidInputError("give both --end-lat and --end-lng, or neither", field="end")
    end = None if args.end_lat is None else GeoPoint(args.end_lat, args.end_lng)
    if end is not None and args.end_anywhere:
        raise InvalidInputError("give --end-lat/--end-lng or --end-anywhere, not both", field="end")
    themes = [theme.strip() for theme in args.themes.split(",") if theme.strip()]
    return RouteSpec.build(
        start=GeoPoint(args.lat, args.lng),
        end=end,
        duration_minutes=args.minutes,
        preferences=themes,
        seed=args.seed,
        pace_m_s=args.pace,
        end_anywhere=args.end_anywhere,
        alternatives=args.alternatives,
        start_time=None if args.start_time is None else parse_start_time(args.start_time),
    )


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("must be a TCP port 1..65535")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
