"""The oracle for piece labels: scipy's connected components, and partition equality."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from wildside.domain.walking_graph import WalkingGraph


def scipy_pieces(graph: WalkingGraph) -> np.ndarray:
    """scipy's connected components of a graph's arcs, read as undirected."""
    n = graph.node_count
    matrix = csr_matrix(
        (np.ones(graph.arc_count), np.asarray(graph.targets), np.asarray(graph.indptr)),
        shape=(n, n),
    )
    return connected_components(matrix, directed=False)[1]  # type: ignore[no-any-return]


def assert_same_partition(labels: object, expected: np.ndarray) -> None:
    """``labels`` split the vertices exactly as ``expected`` does (numbering aside)."""
    assert labels is not None, "the graph carries no piece labels"
    got = np.asarray(labels)
    assert got.shape == expected.shape
    pairs = set(zip(got.tolist(), expected.tolist(), strict=True))
    assert len(pairs) == len(set(got.tolist())) == len(set(expected.tolist()))
