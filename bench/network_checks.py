"""networkx or scipy for network checks at ingest: connected components of the walking graph.

Times, on the Helsinki extract's walking network (as ingest splits it) and on
a synthetic 1 M-vertex grid city (the grid of ``bench/synthetic_city.py``,
built in memory), what an island check at ingest would cost: building the
graph and labelling its connected components, with networkx and with
``scipy.sparse.csgraph``. Both must find the same components.

Run: ``.venv/bin/python -m bench.network_checks [--side 1000]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import time
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from adapters.outbound.osm.pyosmium_source import PyosmiumOsmExtractSource
from wildside.domain.poi_tags import POI_KEYS
from wildside.domain.walkability import is_walkable

HELSINKI = Path(__file__).resolve().parents[1] / "data" / "osm" / "Helsinki.osm.pbf"
EARTH_M_PER_DEG = 111_195.0


def helsinki_edges() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sources, targets (OSM node ids) and metres of the extract's walking edges."""
    sources: list[int] = []
    targets: list[int] = []
    lengths: list[float] = []
    source = PyosmiumOsmExtractSource()
    for chunk in source.read(
        HELSINKI, poi_keys=POI_KEYS, is_walkable=is_walkable, chunk_size=50_000
    ):
        for edge in chunk.edges:
            sources.append(edge.source)
            targets.append(edge.target)
            lengths.append(edge.length_m)
    return np.array(sources), np.array(targets), np.array(lengths)


def grid_edges(side: int, spacing_m: float = 70.0, seed: int = 1) -> tuple[np.ndarray, ...]:
    """The street grid of ``bench/synthetic_city.py`` (8 % of blocks lose a street)."""
    rng = np.random.default_rng(seed)
    rows, cols = np.divmod(np.arange(side * side, dtype=np.int64), side)
    right = np.flatnonzero(cols < side - 1)
    down = np.flatnonzero(rows < side - 1)
    sources = np.concatenate((right, down))
    targets = np.concatenate((right + 1, down + side))
    rng.uniform(-0.2, 0.2, size=(2, side * side))  # the same draws as the generator
    keep = rng.random(len(sources)) > 0.08
    sources, targets = sources[keep], targets[keep]
    return sources, targets, np.full(len(sources), spacing_m)


def with_scipy(sources: np.ndarray, targets: np.ndarray, lengths: np.ndarray) -> dict[str, float]:
    """Compact the ids, build a CSR matrix and label its components."""
    began = time.perf_counter()
    ids, inverse = np.unique(np.concatenate((sources, targets)), return_inverse=True)
    u, v = inverse[: len(sources)], inverse[len(sources) :]
    graph = sp.coo_matrix((lengths, (u, v)), shape=(len(ids), len(ids))).tocsr()
    built = time.perf_counter()
    count, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    done = time.perf_counter()
    return {
        "vertices": float(len(ids)),
        "components": float(count),
        "largest_share": float(sizes.max() / len(ids)),
        "build_s": built - began,
        "components_s": done - built,
        "total_s": done - began,
    }


def with_networkx(
    sources: np.ndarray, targets: np.ndarray, lengths: np.ndarray
) -> dict[str, float]:
    """Build an undirected ``nx.Graph`` from the edge list and label its components."""
    began = time.perf_counter()
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(sources.tolist(), targets.tolist(), lengths.tolist(), strict=True), weight="m"
    )
    built = time.perf_counter()
    sizes = sorted((len(part) for part in nx.connected_components(graph)), reverse=True)
    done = time.perf_counter()
    vertices = graph.number_of_nodes()
    del graph
    gc.collect()
    return {
        "vertices": float(vertices),
        "components": float(len(sizes)),
        "largest_share": sizes[0] / vertices,
        "build_s": built - began,
        "components_s": done - built,
        "total_s": done - began,
    }


def measure(name: str, edges: tuple[np.ndarray, ...], repeats: int) -> dict[str, object]:
    """Best of ``repeats`` for each library; the component counts must agree."""
    scipy_runs = [with_scipy(*edges) for _ in range(repeats)]
    networkx_runs = [with_networkx(*edges) for _ in range(repeats)]
    best_scipy = min(scipy_runs, key=lambda run: run["total_s"])
    best_networkx = min(networkx_runs, key=lambda run: run["total_s"])
    assert best_scipy["components"] == best_networkx["components"], (best_scipy, best_networkx)
    assert math.isclose(best_scipy["largest_share"], best_networkx["largest_share"])
    return {
        "graph": name,
        "edges": len(edges[0]),
        "scipy": best_scipy,
        "networkx": best_networkx,
        "networkx_over_scipy": best_networkx["total_s"] / best_scipy["total_s"],
    }


def main(argv: list[str] | None = None) -> None:
    """Print one JSON line per graph."""
    parser = argparse.ArgumentParser(prog="python -m bench.network_checks")
    parser.add_argument("--side", type=int, default=1000, help="grid side (1000: 1 M vertices)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    read_from = time.perf_counter()
    helsinki = helsinki_edges()
    print(json.dumps({"helsinki_read_s": time.perf_counter() - read_from}))
    print(json.dumps(measure("helsinki", helsinki, args.repeats)))
    print(json.dumps(measure(f"grid {args.side}x{args.side}", grid_edges(args.side), 1)))


if __name__ == "__main__":
    main()
