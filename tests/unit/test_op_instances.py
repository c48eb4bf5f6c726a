"""The OP benchmark readers and the independent route checker, on the shared files and inline data.

Only the tests that read ``../shared/op-bench`` are skipped when it is absent
(``needs_op_bench``); the ones on inline data always run.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "op-bench"
sys.path.insert(0, str(BENCH_DIR))

import op_instances as oi  # noqa: E402

needs_op_bench = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"shared OP benchmark not present at {DATA.resolve()}"
)


def _read(relative: str) -> oi.Instance:
    instance = oi.read_instance(DATA / relative, relative)
    assert instance is not None
    return instance


@needs_op_bench
def test_discover_finds_every_instance_and_skips_readme_and_bks() -> None:
    found = dict(oi.discover(DATA))
    assert len(found) == 68
    assert "README.md" not in found
    assert "bks.tsv" not in found
    assert sum(i.kind == "oplib" for i in found.values()) == 5


@needs_op_bench
def test_chao_file_first_point_is_start_second_is_end() -> None:
    instance = _read("chao/set_64/set_64_1_15.txt")
    assert (instance.n, instance.budget, instance.start, instance.end) == (64, 15.0, 0, 1)
    assert instance.coords is not None
    assert instance.coords[:2] == [(0.0, -7.0), (0.0, 7.0)]
    assert instance.scores[0] == instance.scores[1] == 0.0
    assert oi.distance(instance, 0, 1) == 14.0


@needs_op_bench
def test_tsiligirides_file_without_final_newline_reads_all_points() -> None:
    instance = _read("tsiligirides/set1/tsiligirides_problem_1_budget_85.txt")
    assert instance.n == 32
    assert instance.budget == 85.0


@needs_op_bench
@pytest.mark.parametrize(
    ("relative", "n", "budget", "depot_score"),
    [
        ("oplib-samples/gen1/att48-gen1-50.oplib", 48, 5314, 1),
        ("oplib-samples/gen2/gr48-gen2-50.oplib", 48, 2523, 74),
        ("oplib-samples/gen2/gr96-gen2-50.oplib", 96, 27605, 74),
        ("oplib-samples/gen3/brazil58-gen3-50.oplib", 58, 12698, 0),
        ("oplib-samples/gen3/eil51-gen3-50.oplib", 51, 213, 0),
    ],
)
def test_oplib_header_scores_and_depot(
    relative: str, n: int, budget: int, depot_score: int
) -> None:
    instance = _read(relative)
    assert (instance.n, instance.budget, instance.start, instance.end) == (n, budget, 0, 0)
    assert instance.scores[0] == depot_score


@needs_op_bench
def test_euc_2d_rounds_to_nearest() -> None:
    eil51 = _read("oplib-samples/gen3/eil51-gen3-50.oplib")
    # (37, 52) to (49, 49): sqrt(153) = 12.37 -> 12; (49, 49) to (52, 64): sqrt(234) = 15.30 -> 15.
    assert oi.distance(eil51, 0, 1) == 12
    assert oi.distance(eil51, 1, 2) == 15


@needs_op_bench
def test_att_pseudo_euclidean_rounds_up() -> None:
    att48 = _read("oplib-samples/gen1/att48-gen1-50.oplib")
    # (6734, 1453) to (2233, 10): sqrt((4501^2 + 1443^2) / 10) = 1494.70 -> 1495.
    assert oi.distance(att48, 0, 1) == 1495


@needs_op_bench
def test_geo_truncates_degrees() -> None:
    gr96 = _read("oplib-samples/gen2/gr96-gen2-50.oplib")
    # Node 1 (14.55, -23.31), node 2 (28.06, -15.24): degrees.minutes, truncated.
    pi = 3.141592
    lat1, lon1 = pi * (14 + 5 * 0.55 / 3) / 180, pi * (-23 + 5 * -0.31 / 3) / 180
    lat2, lon2 = pi * (28 + 5 * 0.06 / 3) / 180, pi * (-15 + 5 * -0.24 / 3) / 180
    q1, q2, q3 = math.cos(lon1 - lon2), math.cos(lat1 - lat2), math.cos(lat1 + lat2)
    expected = int(6378.388 * math.acos(0.5 * ((1 + q1) * q2 - (1 - q1) * q3)) + 1.0)
    assert oi.distance(gr96, 0, 1) == expected == 1690
    # Rounding 14.55 up to 15 degrees (the common mistake) would give another value.
    rounded_lat1 = pi * (15 + 5 * -0.45 / 3) / 180
    q2r, q3r = math.cos(rounded_lat1 - lat2), math.cos(rounded_lat1 + lat2)
    assert int(6378.388 * math.acos(0.5 * ((1 + q1) * q2r - (1 - q1) * q3r)) + 1.0) != 1690


@needs_op_bench
def test_explicit_lower_diag_row_is_read_as_one_stream() -> None:
    gr48 = _read("oplib-samples/gen2/gr48-gen2-50.oplib")
    # Stream "0 593 0 409 258 0 566 331 171 0 | 633 ...": rows wrap at 10 numbers.
    assert oi.distance(gr48, 0, 1) == oi.distance(gr48, 1, 0) == 593
    assert oi.distance(gr48, 0, 2) == 409
    assert oi.distance(gr48, 1, 2) == 258
    assert oi.distance(gr48, 2, 3) == 171
    assert oi.distance(gr48, 0, 4) == 633


@needs_op_bench
def test_explicit_upper_row_has_no_diagonal() -> None:
    brazil58 = _read("oplib-samples/gen3/brazil58-gen3-50.oplib")
    assert oi.distance(brazil58, 0, 1) == 2635
    assert oi.distance(brazil58, 0, 2) == 2713


@needs_op_bench
@pytest.mark.parametrize(
    "relative",
    ["oplib-samples/gen3/eil51-gen3-50.oplib", "oplib-samples/gen3/brazil58-gen3-50.oplib"],
)
def test_gen3_scores_follow_from_our_distances(relative: str) -> None:
    # gen3 score = 1 + floor(99 d(1, i) / max d(1, j)): a whole-row check of the distance rule.
    instance = _read(relative)
    row = [oi.distance(instance, 0, j) for j in range(instance.n)]
    far = max(row)
    expected = [1 + math.floor(99 * d / far) for d in row[1:]]
    assert instance.scores[1:] == expected


@needs_op_bench
def test_gen2_scores_follow_the_published_formula() -> None:
    instance = _read("oplib-samples/gen2/gr48-gen2-50.oplib")
    assert instance.scores == [1 + (7141 * i + 73) % 100 for i in range(instance.n)]


@pytest.mark.parametrize("layout", ["UPPER_ROW", "LOWER_ROW", "UPPER_DIAG_ROW", "LOWER_DIAG_ROW"])
def test_every_symmetric_layout_gives_the_same_matrix(layout: str) -> None:
    full = [[0, 3, 4, 5], [3, 0, 6, 7], [4, 6, 0, 8], [5, 7, 8, 0]]
    n = len(full)
    cells = {
        "UPPER_ROW": [(i, j) for i in range(n) for j in range(i + 1, n)],
        "LOWER_ROW": [(i, j) for i in range(n) for j in range(i)],
        "UPPER_DIAG_ROW": [(i, j) for i in range(n) for j in range(i, n)],
        "LOWER_DIAG_ROW": [(i, j) for i in range(n) for j in range(i + 1)],
    }[layout]
    numbers = " ".join(str(full[i][j]) for i, j in cells)
    text = (
        f"NAME: t\nTYPE : OP\nDIMENSION: 4\nCOST_LIMIT : 9\nEDGE_WEIGHT_TYPE: EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT: {layout} \nEDGE_WEIGHT_SECTION\n{numbers}\n"
        "NODE_SCORE_SECTION\n1 0\n2 5\n3 6\n4 7\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    instance = oi.parse_oplib(text, "t")
    assert [[oi.distance(instance, i, j) for j in range(n)] for i in range(n)] == full
    full_text = text.replace(layout, "FULL_MATRIX").replace(
        numbers, " ".join(str(v) for row in full for v in row)
    )
    assert oi.parse_oplib(full_text, "t").explicit == full


@needs_op_bench
def test_evaluator_accepts_a_feasible_tour_and_counts_the_depot() -> None:
    gr48 = _read("oplib-samples/gen2/gr48-gen2-50.oplib")
    feasible, score, cost, reason = oi.evaluate(gr48, [0, 1, 2, 0])
    assert (feasible, reason) == (True, "ok")
    assert score == 74 + 15 + 56
    assert cost == 593 + 258 + 409


@needs_op_bench
def test_evaluator_rejects_repeats_wrong_ends_and_overspending() -> None:
    gr48 = _read("oplib-samples/gen2/gr48-gen2-50.oplib")
    assert not oi.evaluate(gr48, [0, 1, 2, 1, 0])[0]
    assert not oi.evaluate(gr48, [0, 1, 0, 2, 0])[0]  # the depot in the middle
    assert not oi.evaluate(gr48, [1, 2, 0])[0]
    assert not oi.evaluate(gr48, [0, 1, 2])[0]
    assert not oi.evaluate(gr48, [0, 48, 0])[0]
    every = [*range(48), 0]
    feasible, _, _, reason = oi.evaluate(gr48, every)
    assert not feasible
    assert "exceeds" in reason


@needs_op_bench
def test_evaluator_scores_a_straight_chao_path() -> None:
    chao = _read("chao/set_64/set_64_1_15.txt")
    straight = oi.evaluate(chao, [0, 1])
    assert straight[0]
    assert straight[2] == 14.0


def test_evaluator_uses_a_tiny_tolerance_on_real_distances() -> None:
    tight = oi.Instance("t", "chao", [0.0, 0.0], 0, 1, 14.0 - 2e-9, [(0, -7), (0, 7)], "EUC_REAL")
    assert not oi.evaluate(tight, [0, 1])[0]
    loose = oi.Instance("t", "chao", [0.0, 0.0], 0, 1, 14.0 - 5e-10, [(0, -7), (0, 7)], "EUC_REAL")
    assert oi.evaluate(loose, [0, 1])[0]


@needs_op_bench
def test_matrix_agrees_with_the_scalar_rule() -> None:
    for relative in ("oplib-samples/gen2/gr96-gen2-50.oplib", "tsiligirides/set2/"
                     "tsiligirides_problem_2_budget_15.txt"):  # fmt: skip
        instance = _read(relative)
        matrix = oi.cost_matrix(instance)
        for i in range(0, instance.n, 7):
            for j in range(0, instance.n, 5):
                assert matrix[i, j] == pytest.approx(oi.distance(instance, i, j), abs=1e-12)
