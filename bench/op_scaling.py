"""OP solver at 400-750 nodes: score per seed against the best score ever found per instance.

The instance set is fixed (generated, never downloaded):

* OPLib-like closed tours from ``op_instances.synthetic`` points (uniform or
  clustered on a 1000 x 1000 square), re-costed with TSPLIB's integer
  ``EUC_2D`` rule, budget ``floor`` of the generator's (half a tour), and one
  of the three OPLib score generations: gen1 every score 1; gen2
  ``1 + (7141 i + 73) mod 100``; gen3 ``1 + floor(99 d(0, i) / max_j d(0, j))``
  with the depot at 0.
* Chao-style open paths on a square lattice in [-7, 7]^2 (side 21 or 27),
  real Euclidean costs, start (0, -7), end (0, 7), integer scores from the
  position: "tilt" ``3 (|x| - |y| + 7)`` rounded (set 64's rule, extended to
  the square), "ring" ``6 ceil(sqrt(x^2 + y^2))``.

Every route is re-checked with ``op_instances.evaluate``. The reference is the
best score ever seen for an instance, kept in ``op_scaling_reference.json``
with how it was found; ``--update-reference`` raises it when a run beats it
(fill it with long runs, e.g. ``--time-limit 120``). ``--solver`` names any
module with ``solve_op`` and ``warm_up``; repeat it to compare versions on the
same instances in one run (seeds outer, solvers inner, so both see the same
machine load). ``--max-iterations`` compares search quality at equal work.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from op_instances import Instance, cost_matrix, evaluate, synthetic

REFERENCE = Path(__file__).resolve().parent / "op_scaling_reference.json"
HALF_SIDE = 7.0  # Chao's lattices span [-7, 7]


def oplib_like(n: int, seed: int, generation: int, *, clustered: bool) -> Instance:
    """``synthetic`` points as an OPLib closed tour: EUC_2D costs, gen1/gen2/gen3 scores."""
    base = synthetic(n, seed, clustered=clustered)
    instance = replace(
        base,
        name=f"{'c' if clustered else 'u'}{n}-s{seed}-gen{generation}",
        kind="oplib",
        edge_weight_type="EUC_2D",
        budget=float(math.floor(base.budget)),
    )
    if generation == 1:
        scores = [1.0] * n
    elif generation == 2:
        scores = [float(1 + (7141 * i + 73) % 100) for i in range(n)]
    else:
        reach = cost_matrix(instance)[0]
        far = float(reach.max())
        scores = [0.0] + [float(1 + math.floor(99.0 * reach[i] / far)) for i in range(1, n)]
    return replace(instance, scores=scores)


def square_path(side: int, tmax: float, rule: str) -> Instance:
    """Chao-style open path on a ``side`` x ``side`` lattice (odd side: 0 is on it)."""
    steps = np.linspace(-HALF_SIDE, HALF_SIDE, side)
    lattice = [(float(x), float(y)) for x in steps for y in steps]
    start, end = (0.0, -HALF_SIDE), (0.0, HALF_SIDE)
    others = [p for p in lattice if p not in (start, end)]
    scores = [0.0, 0.0]
    for x, y in others:
        if rule == "tilt":
            scores.append(float(max(1, round(3.0 * (abs(x) - abs(y) + HALF_SIDE)))))
        else:
            scores.append(float(6 * math.ceil(math.hypot(x, y))))
    return Instance(
        name=f"sq{side * side}-{rule}-T{tmax:g}",
        kind="chao",
        scores=scores,
        start=0,
        end=1,
        budget=tmax,
        coords=[start, end, *others],
        edge_weight_type="EUC_REAL",
    )


def instances() -> list[Instance]:
    """The fixed benchmark set (about 400 and 750 nodes)."""
    return [
        oplib_like(400, 11, 2, clustered=False),
        oplib_like(400, 12, 2, clustered=True),
        oplib_like(400, 13, 3, clustered=False),
        oplib_like(400, 14, 1, clustered=True),
        oplib_like(750, 1, 2, clustered=False),
        oplib_like(750, 2, 2, clustered=True),
        oplib_like(750, 3, 1, clustered=False),
        oplib_like(750, 4, 3, clustered=True),
        square_path(21, 80.0, "tilt"),
        square_path(27, 140.0, "ring"),
    ]


def load_reference() -> dict[str, Any]:
    """The reference file, or an empty one."""
    if REFERENCE.is_file():
        return dict(json.loads(REFERENCE.read_text(encoding="utf-8")))
    return {"about": "", "instances": {}}


def _gap(score: float, reference: float | None) -> float | None:
    return None if not reference else 100.0 * (reference - score) / reference


def _solver(name: str) -> tuple[Callable[..., Any], Callable[[], None]]:
    module = importlib.import_module(name)
    return module.solve_op, module.warm_up


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Solve every instance for every seed and solver; one row per (instance, solver)."""
    solvers = [(name, *_solver(name)) for name in args.solver]
    for _, _, warm in solvers:
        warm()
    chosen = [i for i in instances() if not args.only or any(s in i.name for s in args.only)]
    reference = load_reference()["instances"]
    rows = []
    for instance in chosen:
        matrix = cost_matrix(instance)
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name, _, _ in solvers}
        # Seeds outer, solvers inner: both see the same machine load in turn.
        for seed in args.seeds:
            for name, solve, _ in solvers:
                solution = solve(
                    instance.scores,
                    matrix,
                    instance.start,
                    instance.end,
                    instance.budget,
                    seed=seed,
                    time_limit=args.time_limit,
                    max_iterations=args.max_iterations,
                )
                feasible, score, _, reason = evaluate(instance, [int(v) for v in solution.route])
                if not feasible:
                    print(f"INFEASIBLE {instance.name} seed {seed}: {reason}", file=sys.stderr)
                    score = 0.0
                runs[name].append((score, solution.seconds, solution.iterations))
        ref = reference.get(instance.name, {}).get("score")
        for name, _, _ in solvers:
            scores = [s for s, _, _ in runs[name]]
            row = {
                "instance": instance.name,
                "n": instance.n,
                "solver": name,
                "scores": scores,
                "mean": statistics.fmean(scores),
                "reference": ref,
                "gap_mean_pct": _gap(statistics.fmean(scores), ref),
                "gap_worst_pct": _gap(min(scores), ref),
                "max_seconds": max(t for _, t, _ in runs[name]),
                "iterations_per_s": statistics.fmean(i / max(t, 1e-9) for _, t, i in runs[name]),
            }
            rows.append(row)
            print_row(row, len(solvers) > 1)
    return rows


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:7.3f}"


def print_row(row: dict[str, Any], with_solver: bool) -> None:
    """One table line."""
    name = row["instance"] + (f" [{row['solver']}]" if with_solver else "")
    seeds = " ".join(f"{s:8g}" for s in row["scores"])
    ref = "-" if row["reference"] is None else f"{row['reference']:g}"
    print(
        f"{name:40} {row['n']:4d} {seeds} {row['mean']:10.1f} {ref:>8} "
        f"{_pct(row['gap_mean_pct'])} {_pct(row['gap_worst_pct'])} "
        f"{row['max_seconds']:6.3f} {row['iterations_per_s']:7.0f}",
        flush=True,
    )


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and worst gaps per solver."""
    summary: dict[str, Any] = {}
    for name in dict.fromkeys(r["solver"] for r in rows):
        mine = [r for r in rows if r["solver"] == name and r["reference"]]
        summary[name] = {
            "mean_gap_pct": statistics.fmean(r["gap_mean_pct"] for r in mine) if mine else None,
            "worst_gap_pct": max(r["gap_worst_pct"] for r in mine) if mine else None,
            "max_seconds": max(r["max_seconds"] for r in rows if r["solver"] == name),
        }
    return summary


def update_reference(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Raise each instance's reference to the best score of this run."""
    data = load_reference()
    known = data.setdefault("instances", {})
    today = datetime.date.today().isoformat()
    for row in rows:
        best = max(row["scores"])
        old = known.get(row["instance"], {}).get("score")
        if old is None or best > old:
            seed = args.seeds[row["scores"].index(best)]
            limit = f"{args.time_limit:g} s" if args.max_iterations is None else "iterations"
            known[row["instance"]] = {
                "score": best,
                "n": row["n"],
                "found": f"{row['solver']}, {limit}, seed {seed}, {today}",
            }
            print(f"reference {row['instance']}: {old} -> {best}")
    data["instances"] = dict(sorted(known.items()))
    REFERENCE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the table and totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--seeds", type=lambda s: [int(v) for v in s.split(",")], default=[0, 1, 2])
    parser.add_argument("--max-iterations", type=int, help="fixed work instead of time")
    parser.add_argument("--only", nargs="*", help="instances whose name contains one of these")
    parser.add_argument(
        "--solver",
        action="append",
        help="module providing solve_op and warm_up (repeat to compare, interleaved)",
    )
    parser.add_argument("--update-reference", action="store_true")
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")
    args = parser.parse_args(argv)
    args.solver = args.solver or ["wildside.domain.solver"]
    seeds = " ".join(f"{'seed' + str(s):>8}" for s in args.seeds)
    print(
        f"{'instance':40} {'n':>4} {seeds} {'mean':>10} {'ref':>8} "
        f"{'gap%':>7} {'worst%':>7} {'max_s':>6} {'it/s':>7}"
    )
    began = time.perf_counter()
    rows = run(args)
    summary = summarise(rows)
    for name, totals in summary.items():
        print(
            f"{name}: mean gap {_pct(totals['mean_gap_pct'])} %  "
            f"worst {_pct(totals['worst_gap_pct'])} %  slowest call {totals['max_seconds']:.3f} s"
        )
    print(f"total {time.perf_counter() - began:.0f} s")
    if args.update_reference:
        update_reference(rows, args)
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
