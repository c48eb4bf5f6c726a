"""The walking graph as compact arrays (CSR), the form the street kernels work on."""

from __future__ import annotations

from array import array
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WalkingGraph:
    """An undirected walking graph in compressed sparse row form.

    Every edge appears twice, once from each end. Buffers are stdlib
    ``array.array`` so the port needs no numpy; the solver views them as numpy
    arrays without copying.

    - ``node_ids`` (``q``), ``lats`` / ``lngs`` (``d``): one entry per vertex.
    - ``indptr`` (``q``, n + 1 entries): arcs of vertex ``v`` are
      ``indptr[v]:indptr[v + 1]``.
    - ``targets`` (``q``), ``lengths_m`` (``d``): per arc.
    - ``shape_offsets`` (``q``, one per arc + 1) into ``shape_lngs`` /
      ``shape_lats`` (``d``): the arc's full geometry from its source to its
      target, both ends included.
    - ``components`` (``q``, one per vertex), optional: the piece (connected
      component) of each vertex, when the source knows it (tiles carry piece
      labels from their build); ``None`` leaves the labelling to the solver.
    """

    node_ids: array[int]
    lats: array[float]
    lngs: array[float]
    indptr: array[int]
    targets: array[int]
    lengths_m: array[float]
    shape_offsets: array[int]
    shape_lngs: array[float]
    shape_lats: array[float]
    components: array[int] | None = None

    @property
    def node_count(self) -> int:
        """Number of vertices."""
        return len(self.node_ids)

    @property
    def arc_count(self) -> int:
        """Number of arcs (twice the number of edges)."""
        return len(self.targets)

    @property
    def nbytes(self) -> int:
        """Memory held by the buffers."""
        buffers = (
            self.node_ids,
            self.lats,
            self.lngs,
            self.indptr,
            self.targets,
            self.lengths_m,
            self.shape_offsets,
            self.shape_lngs,
            self.shape_lats,
            *(() if self.components is None else (self.components,)),
        )
        return sum(buffer.itemsize * len(buffer) for buffer in buffers)
