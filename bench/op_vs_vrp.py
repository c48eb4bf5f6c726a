"""Our OP heuristic against vrp-cli at one whole-second time limit, on op-bench and synthetic tours.

Both solvers get exactly ``--time-limit`` seconds (vrp-cli's ``maxTime`` is
whole seconds, so a fraction is refused rather than rounded for one side only),
and each timed window holds only the solver call: our inputs are numpy arrays
built before it, vrp-cli's JSON is encoded before it and parsed after it.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import vrp_cli_adapter
from op_instances import Instance, cost_matrix, discover, evaluate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "op-bench"
WALK_SPEED_MS = 1.3
WALK_BUDGET_MIN = 60.0
SYNTHETIC_SIZES = (50, 100, 200)
CLUSTERS = 5


@dataclass
class Row:
    """One instance solved by both solvers (scores re-checked by the independent evaluator)."""

    instance: str
    n: int
    budget: float
    ours: float
    vrp: float
    bks: float | None
    ours_s: float
    vrp_s: float
    note: str = ""

    @property
    def winner(self) -> str:
        """``ours``, ``vrp`` or ``tie`` by score."""
        if abs(self.ours - self.vrp) <= 1e-9:
            return "tie"
        return "ours" if self.ours > self.vrp else "vrp"


def load_solver() -> tuple[Any, Any]:
    """Import ``solve_op`` and ``warm_up``, retrying while the solver is being edited."""
    for attempt in range(5):
        try:
            from wildside.domain.solver import solve_op, warm_up

            return solve_op, warm_up
        except Exception as error:  # a half-written module raises anything
            print(f"solver import failed ({error!r}); retry {attempt + 1}/5", file=sys.stderr)
            time.sleep(20)
    raise SystemExit("cannot import wildside.domain.solver")


def best_known(root: Path) -> dict[str, float]:
    """BKS by instance path relative to ``root`` from ``root/bks.tsv`` (empty if absent)."""
    table = root / "bks.tsv"
    if not table.is_file():
        return {}
    with table.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["instance"]: float(row["best_known_score"]) for row in rows}


def walking_instance(candidates: int, seed: int, *, popularity: bool) -> Instance:
    """Round trip from (0, 0): candidates in 5 Gaussian clusters, 60 min at 1.3 m/s (metres)."""
    rng = np.random.default_rng(seed)
    angles = rng.uniform(0.0, 2.0 * np.pi, CLUSTERS)
    radii = rng.uniform(400.0, 1800.0, CLUSTERS)
    centres = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    spread = rng.uniform(120.0, 350.0, CLUSTERS)
    member = rng.integers(0, CLUSTERS, candidates)
    points = centres[member] + rng.normal(0.0, 1.0, (candidates, 2)) * spread[member, None]
    if popularity:  # heavy-tailed: a few landmarks, many minor sights
        raw = rng.lognormal(0.0, 1.0, candidates)
        values = np.clip(0.1 + 0.9 * raw / np.quantile(raw, 0.95), 0.1, 1.0)
    else:
        values = rng.uniform(0.1, 1.0, candidates)
    kind = "pop" if popularity else "unif"
    return Instance(
        name=f"synthetic/walk-{candidates}-{kind}-s{seed}",
        kind="chao",
        scores=[0.0, *(round(float(v), 3) for v in values)],
        start=0,
        end=0,
        budget=WALK_BUDGET_MIN * 60.0 * WALK_SPEED_MS,
        coords=[(0.0, 0.0), *((float(x), float(y)) for x, y in points)],
        edge_weight_type="EUC_REAL",
    )


def synthetic_instances() -> list[tuple[str, Instance]]:
    """Uniform and popularity-like scores for 50, 100 and 200 candidates (fixed seeds)."""
    found = []
    for candidates in SYNTHETIC_SIZES:
        for popularity in (False, True):
            instance = walking_instance(candidates, 1000 + candidates, popularity=popularity)
            found.append((instance.name, instance))
    return found


def checked_score(instance: Instance, route: list[int]) -> tuple[float, str]:
    """Score by the independent evaluator; 0 with a reason when the route is infeasible."""
    feasible, score, _, reason = evaluate(instance, [int(v) for v in route])
    return (score, "") if feasible else (0.0, reason)


def run_one(name: str, instance: Instance, bks: float | None, solve_op: Any, limit: int) -> Row:
    """Solve ``instance`` with both solvers at the same ``limit`` seconds, timing the calls only."""
    matrix = cost_matrix(instance)
    scores = np.asarray(instance.scores, dtype=np.float64)  # converted outside the timed window
    began = time.perf_counter()
    ours = solve_op(
        scores,
        matrix,
        instance.start,
        instance.end,
        instance.budget,
        time_limit=limit,
        threads=1,  # vrp-cli runs on one thread too
    )
    ours_s = time.perf_counter() - began
    vrp = vrp_cli_adapter.solve(
        instance.scores, matrix, instance.start, instance.end, instance.budget, time_limit=limit
    )
    ours_score, ours_why = checked_score(instance, list(ours.route))
    vrp_score, vrp_why = checked_score(instance, vrp.route)
    notes = [f"ours infeasible: {ours_why}" if ours_why else "",
             f"vrp infeasible: {vrp_why}" if vrp_why else "",
             f"vrp error: {vrp.error}" if vrp.error else ""]  # fmt: skip
    return Row(name, instance.n, instance.budget, ours_score, vrp_score, bks, ours_s, vrp.seconds,
               "; ".join(n for n in notes if n))  # fmt: skip


def fmt(value: float | None) -> str:
    """Integers without decimals, other values with three."""
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}"


def gap(score: float, bks: float) -> float:
    """Percent gap to the best-known score."""
    return 100.0 * (bks - score) / bks if bks else 0.0


HEADER = (
    f"{'instance':56} {'n':>4} {'budget':>8} {'ours':>8} {'vrp-cli':>8} {'bks':>8} "
    f"{'ours_s':>6} {'vrp_s':>6} {'winner':>6}"
)


def print_row(row: Row) -> None:
    """One table line (notes about infeasible routes or errors go to stderr)."""
    print(
        f"{row.instance:56} {row.n:4d} {fmt(row.budget):>8} {fmt(row.ours):>8} "
        f"{fmt(row.vrp):>8} {fmt(row.bks):>8} {row.ours_s:6.2f} {row.vrp_s:6.2f} {row.winner:>6}",
        flush=True,
    )
    if row.note:
        print(f"  note {row.instance}: {row.note}", file=sys.stderr)


def summarise(rows: list[Row]) -> dict[str, Any]:
    """Win counts, time comparison and mean gaps to BKS (instances that have one)."""
    with_bks = [r for r in rows if r.bks is not None]
    at_least = [r for r in rows if r.ours >= r.vrp - 1e-9]
    return {
        "instances": len(rows),
        "ours_ge_vrp": len(at_least),
        "ours_ge_vrp_and_le_time": sum(r.ours_s <= r.vrp_s for r in at_least),
        "ours_ge_vrp_and_le_time_5pct": sum(r.ours_s <= 1.05 * r.vrp_s for r in at_least),
        "ours_wins": sum(r.winner == "ours" for r in rows),
        "vrp_wins": sum(r.winner == "vrp" for r in rows),
        "ties": sum(r.winner == "tie" for r in rows),
        "with_bks": len(with_bks),
        "ours_mean_gap_pct": _mean([gap(r.ours, r.bks) for r in with_bks if r.bks is not None]),
        "vrp_mean_gap_pct": _mean([gap(r.vrp, r.bks) for r in with_bks if r.bks is not None]),
        "ours_mean_s": _mean([r.ours_s for r in rows]),
        "vrp_mean_s": _mean([r.vrp_s for r in rows]),
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def print_totals(summary: dict[str, Any]) -> None:
    """The closing lines under the table."""
    s = summary
    print(f"ours >= vrp-cli: {s['ours_ge_vrp']}/{s['instances']} "
          f"(and wall time <= vrp-cli's: {s['ours_ge_vrp_and_le_time']}, <= vrp-cli's + 5 %: "
          f"{s['ours_ge_vrp_and_le_time_5pct']}); wins ours "
          f"{s['ours_wins']}, vrp-cli {s['vrp_wins']}, ties {s['ties']}")  # fmt: skip
    ours_gap, vrp_gap = s["ours_mean_gap_pct"], s["vrp_mean_gap_pct"]
    if ours_gap is not None and vrp_gap is not None:
        print(f"mean gap to BKS over {s['with_bks']} instances: ours {ours_gap:.3f} %, "
              f"vrp-cli {vrp_gap:.3f} %")  # fmt: skip
    if s["ours_mean_s"] is not None:
        print(f"mean wall time: ours {s['ours_mean_s']:.3f} s, vrp-cli {s['vrp_mean_s']:.3f} s")


def git_commit() -> str:
    """Short HEAD, with ``+dirty-solver`` when the solver package has uncommitted edits."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], check=False, cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "wildside/domain/solver")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + ("+dirty-solver" if dirty else "")


def collect(args: argparse.Namespace) -> tuple[list[tuple[str, Instance]], dict[str, float]]:
    """The instances to run: files (unless ``--only-synthetic``, cut by ``--limit``), synthetic."""
    chosen: list[tuple[str, Instance]] = []
    known: dict[str, float] = {}
    if not args.only_synthetic:
        root = args.directory.resolve()
        known = best_known(root)
        chosen = discover(root)
        if args.limit is not None:
            chosen = chosen[: args.limit]
    return chosen + synthetic_instances(), known


def _whole_seconds(text: str) -> int:
    try:
        return int(vrp_cli_adapter.whole_seconds(float(text)))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def main(argv: list[str] | None = None) -> int:
    """Run both solvers on every chosen instance and print the side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path, nargs="?", default=DEFAULT_DIR)
    parser.add_argument(
        "--time-limit",
        type=_whole_seconds,
        default=1,
        help="whole seconds for each solver (vrp-cli's maxTime takes no fraction)",
    )
    parser.add_argument("--only-synthetic", action="store_true")
    parser.add_argument("--limit", type=int, help="only the first N instance files")
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")
    args = parser.parse_args(argv)
    instances, known = collect(args)
    solve_op, warm_up = load_solver()
    warm_up()
    vrp_limit = vrp_cli_adapter.build_config(args.time_limit)["termination"]["maxTime"]
    assert vrp_limit == args.time_limit  # one limit for both, never rounded for one side
    print(f"vrp-cli {vrp_cli_adapter.version()} (maxTime {vrp_limit} s, 1 thread) vs wildside "
          f"{git_commit()} (time_limit {args.time_limit} s, 1 thread); "
          "times are of the solver calls only")  # fmt: skip
    print(HEADER)
    rows = []
    for name, instance in instances:
        row = run_one(name, instance, known.get(name), solve_op, args.time_limit)
        print_row(row)
        rows.append(row)
    summary = summarise(rows)
    print_totals(summary)
    if args.json:
        summary["vrp_cli_version"] = vrp_cli_adapter.version()
        summary["commit"] = git_commit()
        summary["rows"] = [asdict(r) | {"winner": r.winner} for r in rows]
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
