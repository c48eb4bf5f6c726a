"""Gap of the OP solver to best-known scores on every instance under a directory."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from op_instances import cost_matrix, discover, evaluate

from wildside.domain.solver import solve_op, warm_up


def best_known(root: Path) -> dict[str, float]:
    """BKS by instance path relative to ``root``, from the nearest ``bks.tsv`` at or above it."""
    for folder in [root, *root.parents]:
        table = folder / "bks.tsv"
        if table.is_file():
            prefix = root.relative_to(folder).as_posix()
            known = {}
            with table.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    path = row["instance"]
                    if prefix != ".":
                        if not path.startswith(prefix + "/"):
                            continue
                        path = path[len(prefix) + 1 :]
                    known[path] = float(row["best_known_score"])
            return known
    return {}


def main(argv: list[str] | None = None) -> int:
    """Solve every instance, print the gap table, optionally routes and a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--time-limit", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, help="parallel searches per instance (default: one per core, max 2)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")
    parser.add_argument("--routes", type=Path, help="write routes as JSON lines")
    args = parser.parse_args(argv)
    root = args.directory.resolve()
    known = best_known(root)
    warm_up()
    rows = []
    gaps: list[float] = []
    total = 0.0
    routes = []
    print(f"{'instance':58} {'n':>4} {'score':>8} {'bks':>8} {'gap%':>7} {'sec':>6}")
    for relative, instance in discover(root):
        matrix = cost_matrix(instance)
        began = time.perf_counter()
        solution = solve_op(
            instance.scores,
            matrix,
            instance.start,
            instance.end,
            instance.budget,
            seed=args.seed,
            time_limit=args.time_limit,
            threads=args.threads,
        )
        seconds = time.perf_counter() - began
        total += seconds
        feasible, score, _, reason = evaluate(instance, solution.route)
        if not feasible:
            print(f"INFEASIBLE {relative}: {reason}", file=sys.stderr)
            score = 0.0
        bks = known.get(relative)
        gap = None if bks is None else (100.0 * (bks - score) / bks if bks else 0.0)
        if gap is not None:
            gaps.append(gap)
        gap_text = "-" if gap is None else f"{gap:7.3f}"
        bks_text = "-" if bks is None else f"{bks:g}"
        print(
            f"{relative:58} {instance.n:4d} {score:8g} {bks_text:>8} {gap_text:>7} {seconds:6.2f}",
            flush=True,
        )
        rows.append(
            {
                "instance": relative,
                "n": instance.n,
                "score": score,
                "bks": bks,
                "gap_pct": gap,
                "seconds": round(seconds, 3),
                "feasible": feasible,
            }
        )
        routes.append({"instance": relative, "route": solution.route, "score": score})
    mean_gap = sum(gaps) / len(gaps) if gaps else None
    max_gap = max(gaps) if gaps else None
    print(
        f"mean gap {_pct(mean_gap)}  worst gap {_pct(max_gap)}  "
        f"instances {len(rows)}  total {total:.1f} s"
    )
    if args.routes:
        args.routes.write_text("".join(json.dumps(r) + "\n" for r in routes), encoding="utf-8")
    if args.json:
        summary = {
            "mean_gap_pct": mean_gap,
            "max_gap_pct": max_gap,
            "instances": len(rows),
            "seconds": round(total, 3),
            "rows": rows,
        }
        print(json.dumps(summary))
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f} %"


if __name__ == "__main__":
    raise SystemExit(main())
