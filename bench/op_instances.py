"""Readers for Chao/Tsiligirides and OPLib orienteering instances, and an independent checker."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GEO_PI = 3.141592  # TSPLIB's own constant, not math.pi: published costs depend on it
EARTH_RADIUS_KM = 6378.388
CHAO_TOLERANCE = 1e-9

_SECTIONS = {
    "NODE_COORD_SECTION",
    "EDGE_WEIGHT_SECTION",
    "NODE_SCORE_SECTION",
    "DEPOT_SECTION",
    "DISPLAY_DATA_SECTION",
    "FIXED_EDGES_SECTION",
}
# Column-wise formats of a symmetric matrix list the same numbers as a row-wise twin.
_FORMAT_ALIASES = {
    "UPPER_COL": "LOWER_ROW",
    "LOWER_COL": "UPPER_ROW",
    "UPPER_DIAG_COL": "LOWER_DIAG_ROW",
    "LOWER_DIAG_COL": "UPPER_DIAG_ROW",
}


@dataclass(frozen=True)
class Instance:
    """One OP instance as stated in its file (0-based node indices)."""

    name: str
    kind: str  # "chao" (open path, real distances) or "oplib" (closed tour, integer distances)
    scores: list[float]
    start: int
    end: int
    budget: float
    coords: list[tuple[float, float]] | None
    edge_weight_type: str  # "EUC_REAL" for Chao files
    explicit: list[list[int]] | None = None

    @property
    def n(self) -> int:
        """Number of nodes, start and end (or the depot) included."""
        return len(self.scores)


def distance(instance: Instance, i: int, j: int) -> float:  # noqa: PLR0911 - one rule per branch
    """Travel cost from node ``i`` to node ``j`` by the file's own rule (scalar, exact)."""
    if i == j:
        return 0.0
    rule = instance.edge_weight_type
    if rule == "EXPLICIT":
        assert instance.explicit is not None
        return float(instance.explicit[i][j])
    assert instance.coords is not None
    (xi, yi), (xj, yj) = instance.coords[i], instance.coords[j]
    dx, dy = xi - xj, yi - yj
    if rule == "EUC_REAL":
        return math.sqrt(dx * dx + dy * dy)
    if rule == "EUC_2D":
        return float(int(math.sqrt(dx * dx + dy * dy) + 0.5))
    if rule == "CEIL_2D":
        return float(math.ceil(math.sqrt(dx * dx + dy * dy)))
    if rule == "ATT":
        r = math.sqrt((dx * dx + dy * dy) / 10.0)
        t = int(r)
        return float(t + 1 if t < r else t)
    if rule == "GEO":
        lat_i, lon_i = _geo_radians(xi), _geo_radians(yi)
        lat_j, lon_j = _geo_radians(xj), _geo_radians(yj)
        q1 = math.cos(lon_i - lon_j)
        q2 = math.cos(lat_i - lat_j)
        q3 = math.cos(lat_i + lat_j)
        inner = 0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)
        return float(int(EARTH_RADIUS_KM * math.acos(max(-1.0, min(1.0, inner))) + 1.0))
    raise ValueError(f"unsupported EDGE_WEIGHT_TYPE {rule}")


def _geo_radians(value: float) -> float:
    degrees = int(value)  # truncation, as TSPLIB's reference code does
    return GEO_PI * (degrees + 5.0 * (value - degrees) / 3.0) / 180.0


def cost_matrix(instance: Instance) -> np.ndarray:
    """The full n-by-n cost matrix (float64), built pair by pair with :func:`distance`."""
    n = instance.n
    matrix = np.zeros((n, n), dtype=np.float64)
    if instance.edge_weight_type == "EUC_REAL":
        xy = np.array(instance.coords, dtype=np.float64)
        diff = xy[:, None, :] - xy[None, :, :]
        return np.sqrt(diff[..., 0] ** 2 + diff[..., 1] ** 2)
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i, j] = matrix[j, i] = distance(instance, i, j)
    return matrix


def read_instance(path: Path, name: str | None = None) -> Instance | None:
    """Parse ``path`` as OPLib or Chao text; ``None`` if it is neither (README, TSV, ...)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    label = name or path.name
    if path.suffix == ".oplib" or re.search(
        r"^\s*(TYPE\s*:\s*OP|NODE_SCORE_SECTION)\s*$", text, re.MULTILINE
    ):
        return parse_oplib(text, label)
    return parse_chao(text, label)


def parse_chao(text: str, name: str) -> Instance | None:
    """Chao/Tsiligirides: ``Tmax P`` then ``x y S`` rows; first row start, second row end."""
    rows: list[list[float]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rows.append([float(token) for token in line.split()])
        except ValueError:
            return None
    if len(rows) < 3 or len(rows[0]) != 2 or any(len(row) != 3 for row in rows[1:]):
        return None
    points = rows[1:]
    return Instance(
        name=name,
        kind="chao",
        scores=[row[2] for row in points],
        start=0,
        end=1,
        budget=rows[0][0],
        coords=[(row[0], row[1]) for row in points],
        edge_weight_type="EUC_REAL",
    )


def parse_oplib(text: str, name: str) -> Instance:
    """OPLib (TSPLIB with ``COST_LIMIT`` and ``NODE_SCORE_SECTION``): a tour from the depot."""
    header: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        key = line.split(":", 1)[0].strip().upper()
        if key == "EOF":
            break
        if key in _SECTIONS:
            current = key
            sections[current] = []
            continue
        if ":" in line and re.fullmatch(r"[A-Z_]+", key):
            header[key] = line.split(":", 1)[1].strip()
            current = None
            continue
        if current is not None:
            sections[current].extend(line.split())
    n = int(header["DIMENSION"])
    scores = [0.0] * n
    tokens = sections.get("NODE_SCORE_SECTION", [])
    for k in range(0, len(tokens) - 1, 2):
        scores[int(tokens[k]) - 1] = float(tokens[k + 1])
    depots = [int(t) for t in sections.get("DEPOT_SECTION", ["1"]) if int(t) >= 0]
    depot = (depots[0] if depots else 1) - 1
    rule = header.get("EDGE_WEIGHT_TYPE", "EUC_2D").upper()
    coords = None
    explicit = None
    if rule == "EXPLICIT":
        layout = header.get("EDGE_WEIGHT_FORMAT", "FULL_MATRIX").upper()
        numbers = [int(float(t)) for t in sections["EDGE_WEIGHT_SECTION"]]
        explicit = _explicit_matrix(numbers, n, _FORMAT_ALIASES.get(layout, layout))
    else:
        tokens = sections["NODE_COORD_SECTION"]
        coords = [(0.0, 0.0)] * n
        for k in range(0, len(tokens) - 2, 3):
            coords[int(tokens[k]) - 1] = (float(tokens[k + 1]), float(tokens[k + 2]))
    return Instance(
        name=name,
        kind="oplib",
        scores=scores,
        start=depot,
        end=depot,
        budget=float(header["COST_LIMIT"]),
        coords=coords,
        edge_weight_type=rule,
        explicit=explicit,
    )


def _explicit_matrix(numbers: list[int], n: int, layout: str) -> list[list[int]]:
    """Fill a symmetric matrix from one number stream in a TSPLIB row layout."""
    if layout == "FULL_MATRIX":
        cells = [(i, j) for i in range(n) for j in range(n)]
    elif layout == "UPPER_ROW":
        cells = [(i, j) for i in range(n) for j in range(i + 1, n)]
    elif layout == "LOWER_ROW":
        cells = [(i, j) for i in range(n) for j in range(i)]
    elif layout == "UPPER_DIAG_ROW":
        cells = [(i, j) for i in range(n) for j in range(i, n)]
    elif layout == "LOWER_DIAG_ROW":
        cells = [(i, j) for i in range(n) for j in range(i + 1)]
    else:
        raise ValueError(f"unsupported EDGE_WEIGHT_FORMAT {layout}")
    if len(numbers) < len(cells):
        raise ValueError(f"{layout} needs {len(cells)} numbers, found {len(numbers)}")
    matrix = [[0] * n for _ in range(n)]
    for (i, j), value in zip(cells, numbers, strict=False):
        matrix[i][j] = value
        if layout != "FULL_MATRIX":
            matrix[j][i] = value
    return matrix


def discover(root: Path) -> list[tuple[str, Instance]]:
    """Every instance under ``root`` (recursively, sorted by relative path)."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        instance = read_instance(path, relative)
        if instance is not None:
            found.append((relative, instance))
    return found


def evaluate(instance: Instance, route: list[int]) -> tuple[bool, float, float, str]:
    """Re-check ``route`` against the file's rules: (feasible, score, cost, reason).

    Uses only the parsed file and :func:`distance`, never the solver's matrix.
    """
    if len(route) < 2:
        return False, 0.0, 0.0, "route needs at least its two ends"
    if not all(isinstance(v, int) and 0 <= v < instance.n for v in route):
        return False, 0.0, 0.0, "route holds an invalid node index"
    if route[0] != instance.start or route[-1] != instance.end:
        return False, 0.0, 0.0, f"route must run from {instance.start} to {instance.end}"
    stops = route[:-1] if instance.start == instance.end else route
    if len(set(stops)) != len(stops):
        return False, 0.0, 0.0, "route visits a node twice"
    cost = 0.0
    for a, b in itertools.pairwise(route):
        cost += distance(instance, a, b)
    score = float(sum(instance.scores[v] for v in set(route)))
    slack = 0.0 if instance.kind == "oplib" else CHAO_TOLERANCE  # integer costs: exact
    if cost > instance.budget + slack:
        return False, score, cost, f"cost {cost!r} exceeds the budget {instance.budget!r}"
    return True, score, cost, "ok"


def synthetic(n: int, seed: int, *, clustered: bool = False) -> Instance:
    """A random OPLib-like instance: gen2 scores, budget half a nearest-neighbour tour.

    For scaling checks only (no best-known value): uniform or clustered points
    on a 1000 x 1000 square, real Euclidean costs, a closed tour from node 0.
    """
    rng = np.random.default_rng(seed)
    if clustered:
        centres = rng.uniform(0, 1000, size=(max(3, n // 60), 2))
        points = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 40, size=(n, 2))
    else:
        points = rng.uniform(0, 1000, size=(n, 2))
    diff = points[:, None, :] - points[None, :, :]
    matrix = np.sqrt((diff**2).sum(axis=2))
    tour, current, seen = 0.0, 0, np.zeros(n, dtype=bool)
    seen[0] = True
    for _ in range(n - 1):
        row = np.where(seen, np.inf, matrix[current])
        current = int(row.argmin())
        tour += row[current]
        seen[current] = True
    tour += matrix[current, 0]
    # A nearest-neighbour tour is about 25 % longer than the optimum.
    budget = 0.5 * tour / 1.25
    scores = [float(1 + (7141 * i + 73) % 100) for i in range(n)]
    return Instance(
        name=f"synthetic-{n}-{seed}{'-clustered' if clustered else ''}",
        kind="chao",
        scores=scores,
        start=0,
        end=0,
        budget=budget,
        coords=[(float(x), float(y)) for x, y in points],
        edge_weight_type="EUC_REAL",
    )
