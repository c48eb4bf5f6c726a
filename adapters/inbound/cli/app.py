"""The ``wildside`` command: parse arguments, call one runtime operation, print, exit."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from adapters.inbound.cli.progress import TqdmProgress
from adapters.inbound.cli.runtime import SAMPLES, CliRuntime
from adapters.inbound.cli.tour_formats import to_geojson, to_gpx, to_text
from wildside.app.ingest_osm_extract import IngestReport
from wildside.domain.errors import InvalidInputError, WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.tour import DEFAULT_PACE_M_S, TourRequest

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

    route = commands.add_parser("route", help="compute one tour from the ingested data")
    route.add_argument("--lat", type=_finite, required=True, help="start latitude")
    route.add_argument("--lng", type=_finite, required=True, help="start longitude")
    route.add_argument("--minutes", type=_finite, required=True, help="time budget")
    route.add_argument("--end-lat", type=_finite, help="end latitude (default: back to start)")
    route.add_argument("--end-lng", type=_finite, help="end longitude")
    route.add_argument("--themes", default="", help="comma-separated, e.g. history,nature")
    route.add_argument("--seed", type=int, default=0, help="same seed, same tour")
    route.add_argument("--pace", type=_finite, default=DEFAULT_PACE_M_S, help="metres/second")
    route.add_argument(
        "--format", choices=("geojson", "gpx", "text"), default="geojson", dest="output"
    )
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
    except KeyboardInterrupt:
        print("wildside: interrupted", file=err)
        return EXIT_INTERRUPTED


def _dispatch(args: argparse.Namespace, runtime: CliRuntime, out: TextIO, err: TextIO) -> int:
    if args.command == "services":
        return _services(args.action, runtime, out, err)
    if args.command == "migrate":
        applied = runtime.migrate()
        print(
            f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""),
            file=out,
        )
        return EXIT_OK
    if args.command == "route":
        tour = runtime.plan_tour(_tour_request(args))
        renderers = {"geojson": to_geojson, "gpx": to_gpx, "text": to_text}
        print(renderers[args.output](tour), file=out)
        return EXIT_OK
    if args.command == "ingest":
        path = runtime.sample_path(args.sample) if args.sample else args.file
        report = runtime.ingest(path, batch_size=args.batch_size, progress=TqdmProgress(err))
        print(_render_report(path, report, as_json=args.json), file=out)
        return EXIT_OK
    raise AssertionError(f"unhandled command {args.command}")  # argparse forbids this


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


def _render_report(path: Path, report: IngestReport, *, as_json: bool) -> str:
    if as_json:
        return json.dumps(dataclasses.asdict(report), separators=(",", ":"))
    return "\n".join(
        [
            f"ingested {path}",
            f"  POIs: {report.pois_total} ({report.pois_inserted} inserted, "
            f"{report.pois_updated} updated, {report.pois_unchanged} unchanged)",
            f"  walking network: {report.network_nodes} nodes, {report.network_edges} edges",
            f"  elapsed: {report.seconds:.2f} s",
        ]
    )


def _tour_request(args: argparse.Namespace) -> TourRequest:
    if (args.end_lat is None) != (args.end_lng is None):
        raise InvalidInputError("give both --end-lat and --end-lng, or neither", field="end")
    end = None if args.end_lat is None else GeoPoint(args.end_lat, args.end_lng)
    themes = [theme.strip() for theme in args.themes.split(",") if theme.strip()]
    return TourRequest(
        start=GeoPoint(args.lat, args.lng),
        end=end,
        duration_minutes=args.minutes,
        preferences=themes,
        seed=args.seed,
        pace_m_s=args.pace,
    )


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
