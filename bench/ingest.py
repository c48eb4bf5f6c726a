"""Ingest speed: time ``wildside ingest`` against ``osm2pgsql --slim --drop`` on the same server."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import conninfo, sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.tile_extract import count_objects, tiled_extract

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data" / "osm" / "Helsinki.osm.pbf"
CACHE = REPO / ".run" / "bench"
GNU_TIME = Path("/usr/bin/time")
# osm2pgsql variants: the one asked for, and its in-memory middle (--osm2pgsql-ram).
OSM2PGSQL_FLAGS = {"osm2pgsql": ["--slim", "--drop"], "osm2pgsql-ram": []}
HEADERS = ("file", "nodes", "ways", "tool", "median s", "min s", "tiles s", "peak RSS MiB")
TILE_MARK = "bench-ingest-tiles-s="
# Runs ``wildside`` in-process with the tile step (find touched tiles + rebuild them,
# both in adapters/outbound/postgres/map_data_store.py) wrapped in a timer that prints
# its seconds to stderr; the product code itself is unchanged.
TIMED_WILDSIDE = f"""
import sys, time
from adapters.outbound.postgres import map_data_store as store
spent = [0.0]
def timer(fn):
    def wrapped(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started
    return wrapped
store.touched_tiles = timer(store.touched_tiles)
store.rebuild_tiles = timer(store.rebuild_tiles)
from adapters.entrypoint import main
sys.argv = ["wildside", *sys.argv[1:]]
try:
    main()
finally:
    print("{TILE_MARK}%.3f" % spent[0], file=sys.stderr)
"""
RATIO = "ratio wildside/row"


@dataclass(frozen=True)
class Run:
    """One timed repetition: wall-clock seconds, peak RSS and what the tool printed."""

    seconds: float
    rss_mib: float
    stdout: str
    tile_s: float | None = None


@dataclass
class Result:
    """All repetitions of one tool on one file."""

    file: str
    nodes: int
    ways: int
    tool: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median wall-clock seconds."""
        return statistics.median(run.seconds for run in self.runs)

    @property
    def best(self) -> float:
        """Fastest repetition, in seconds."""
        return min(run.seconds for run in self.runs)

    @property
    def tile_median(self) -> float | None:
        """Median seconds of the tile step (wildside only), ``None`` if not measured."""
        spent = [run.tile_s for run in self.runs if run.tile_s is not None]
        return statistics.median(spent) if spent else None

    @property
    def peak_rss(self) -> float:
        """Largest peak RSS over the repetitions, in MiB."""
        return max(run.rss_mib for run in self.runs)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per tool and file")
    parser.add_argument("--tiles", type=int, default=8, help="large file: N x N Helsinki copies")
    parser.add_argument("--skip-large", action="store_true", help="only the Helsinki extract")
    parser.add_argument("--json", action="store_true", help="also print a JSON object")
    parser.add_argument(
        "--osm2pgsql-ram", action="store_true", help="also time osm2pgsql without --slim"
    )
    parser.add_argument(
        "--wildside", type=Path, default=REPO / ".venv" / "bin" / "wildside", help="CLI to time"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.tiles < 1:
        parser.error("--repeat and --tiles must be at least 1")
    return args


def admin_url() -> str:
    """Return the server URL from the environment, or exit explaining how to get one."""
    url = os.environ.get("WILDSIDE_DATABASE_URL", "").strip()
    if not url:
        sys.exit(
            "bench/ingest.py: WILDSIDE_DATABASE_URL is not set; start the private servers with\n"
            '  eval "$(.venv/bin/wildside services start)"'
        )
    return url


def find_programs(wildside: Path) -> dict[str, str]:
    """Return the executables to time, or exit naming what is missing."""
    osm2pgsql = shutil.which("osm2pgsql") or ""
    checks = {
        "osm2pgsql (apt-get install osm2pgsql)": bool(osm2pgsql),
        f"{GNU_TIME} (apt-get install time)": GNU_TIME.exists(),
        f"{wildside} (pip install -e '.[dev]' into .venv)": wildside.exists(),
    }
    missing = [name for name, ok in checks.items() if not ok]
    if missing:
        sys.exit("bench/ingest.py: missing " + ", ".join(missing))
    return {"osm2pgsql": osm2pgsql, "wildside": str(wildside)}


def versions(url: str, osm2pgsql: str) -> dict[str, str]:
    """Versions of osm2pgsql, PostgreSQL and PostGIS, for the record."""
    done = subprocess.run([osm2pgsql, "--version"], capture_output=True, text=True, check=False)
    first = (done.stderr or done.stdout).splitlines()[0]
    with psycopg.connect(url) as conn:
        server = conn.execute("SELECT version()").fetchone()
        postgis = conn.execute(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'"
        ).fetchone()
    return {
        "osm2pgsql": first[first.find("osm2pgsql") :].strip(),
        "postgresql": str(server[0] if server else "?").split(" on ")[0],
        "postgis": str(postgis[0] if postgis else "not available"),
    }


def admin(url: str, *statements: sql.Composed | str) -> None:
    """Run maintenance statements (outside any transaction) on the server."""
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement) if isinstance(statement, str) else statement)


def drop(name: str) -> sql.Composed:
    """``DROP DATABASE`` for ``name``, kicking out stray sessions."""
    return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))


def timed(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command`` under GNU time; return wall seconds and peak RSS of its process tree."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.perf_counter()
        done = subprocess.run(
            [str(GNU_TIME), "-f", "%M", "-o", rss.name, *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        seconds = time.perf_counter() - started
        kib = rss.read().strip().splitlines()[-1] if done.returncode == 0 else "0"
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{command[0]} exited with {done.returncode}:\n{tail}")
    marks = [line for line in done.stderr.splitlines() if line.startswith(TILE_MARK)]
    tile_s = float(marks[-1].removeprefix(TILE_MARK)) if marks else None
    stdout = done.stdout.strip()
    return Run(seconds=seconds, rss_mib=int(kib) / 1024, stdout=stdout, tile_s=tile_s)


def prepare_and_time(tool: str, db: str, path: Path, programs: dict[str, str]) -> Run:
    """Set ``db`` up for ``tool`` (untimed), then time the import of ``path``."""
    if tool == "wildside":
        env = {**os.environ, "WILDSIDE_DATABASE_URL": db}
        migrate = [programs["wildside"], "migrate"]
        subprocess.run(migrate, env=env, check=True, capture_output=True, text=True)
        python = str(Path(programs["wildside"]).parent / "python")
        command = [python, "-c", TIMED_WILDSIDE, "ingest", str(path), "--json"]
        return timed(command, env)
    admin(db, "CREATE EXTENSION postgis", "CREATE EXTENSION hstore")
    command = [programs["osm2pgsql"], *OSM2PGSQL_FLAGS[tool], "-d", db, str(path)]
    return timed(command, dict(os.environ))


def one_run(tool: str, path: Path, url: str, programs: dict[str, str]) -> Run:
    """One repetition of ``tool`` on ``path`` in a fresh database, dropped afterwards."""
    name = f"wildside_bench_ingest_{tool.replace('-', '_')}"
    admin(url, drop(name), sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        admin(url, "CHECKPOINT")  # the previous run's dirty pages are not this run's cost
        return prepare_and_time(tool, conninfo.make_conninfo(url, dbname=name), path, programs)
    finally:
        admin(url, drop(name))


def bench_file(
    file: tuple[str, Path, dict[str, int]],
    tools: list[str],
    *,
    url: str,
    programs: dict[str, str],
    repeat: int,
) -> list[Result]:
    """Time every tool on one file, reversing the order every other repetition."""
    label, path, counts = file
    path.read_bytes()  # warm the page cache, so the first run does not pay for the disk
    results = {tool: Result(label, counts["nodes"], counts["ways"], tool) for tool in tools}
    for rep in range(repeat):
        for tool in tools if rep % 2 == 0 else tools[::-1]:
            run = one_run(tool, path, url, programs)
            results[tool].runs.append(run)
            print(
                f"  {label} {rep + 1}/{repeat} {tool}: {run.seconds:.2f} s, {run.rss_mib:.0f} MiB"
                + ("" if run.tile_s is None else f", tiles {run.tile_s:.2f} s"),
                file=sys.stderr,
            )
    return list(results.values())


def ratio(results: list[Result], row: Result) -> float | None:
    """``wildside`` median over ``row``'s median on the same file (``None`` for wildside)."""
    if row.tool == "wildside":
        return None
    ours = next(r for r in results if r.file == row.file and r.tool == "wildside")
    return ours.median / row.median


def table(results: list[Result]) -> str:
    """Render the comparison as an aligned, pipe-separated table."""
    rows = []
    for r in results:
        share = ratio(results, r)
        cells = (r.file, f"{r.nodes:,}", f"{r.ways:,}", r.tool, f"{r.median:.2f}", f"{r.best:.2f}")
        tiles = "" if r.tile_median is None else f"{r.tile_median:.2f}"
        rows.append((*cells, tiles, f"{r.peak_rss:.0f}", "" if share is None else f"{share:.2f}"))
    headers = (*HEADERS, RATIO)
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in [headers]]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def as_json(results: list[Result], meta: dict[str, Any]) -> dict[str, Any]:
    """The whole measurement as one JSON-ready object."""
    entries = []
    for r in results:
        entry: dict[str, Any] = {"file": r.file, "nodes": r.nodes, "ways": r.ways, "tool": r.tool}
        entry |= {"median_s": round(r.median, 3), "min_s": round(r.best, 3)}
        entry |= {"peak_rss_mib": round(r.peak_rss, 1)}
        if r.tile_median is not None:
            entry["tiles_median_s"] = round(r.tile_median, 3)
        entry["runs_s"] = [round(run.seconds, 3) for run in r.runs]
        share = ratio(results, r)
        if share is not None:
            entry["ratio_wildside_over_this"] = round(share, 3)
        if r.tool == "wildside":  # its own report, incl. the seconds it measured in-process
            entry["reports"] = [json.loads(run.stdout.splitlines()[-1]) for run in r.runs]
        entries.append(entry)
    return {**meta, "results": entries}


def main(argv: list[str] | None = None) -> None:
    """Build the inputs, time every tool on every file, print the table."""
    args = parse_args(argv)
    url = admin_url()
    programs = find_programs(args.wildside)
    tools = ["wildside", "osm2pgsql"] + (["osm2pgsql-ram"] if args.osm2pgsql_ram else [])
    meta: dict[str, Any] = {"versions": versions(url, programs["osm2pgsql"])}
    meta |= {"repeat": args.repeat, "osm2pgsql_flags": OSM2PGSQL_FLAGS}
    files = [(SOURCE.name, SOURCE, count_objects(SOURCE))]
    if not args.skip_large:
        print(f"preparing the {args.tiles}x{args.tiles} tiled extract...", file=sys.stderr)
        big, counts = tiled_extract(SOURCE, CACHE, args.tiles)
        files.append((big.name, big, counts))
    results: list[Result] = []
    for file in files:
        results += bench_file(file, tools, url=url, programs=programs, repeat=args.repeat)
    print(table(results))
    for name, version in meta["versions"].items():
        print(f"{name}: {version}")
    print(
        f"{args.repeat} repetition(s) per tool and file, each in a fresh database, order "
        "alternating; osm2pgsql = --slim --drop, osm2pgsql-ram = no --slim; ratio = wildside "
        "median / row median (wildside incl. its walk tiles); tiles s = wildside's tile step "
        "(touched_tiles + rebuild_tiles); peak RSS = client process tree (server backends excluded)"
    )
    if args.json:
        print(json.dumps(as_json(results, meta)))


if __name__ == "__main__":
    main()
