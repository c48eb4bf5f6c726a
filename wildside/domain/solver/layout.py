"""Slots of the small arrays that carry one search's settings and state between kernel calls."""

from __future__ import annotations

import numpy as np

# Indices into the int64 ``counters`` array that carries the search between calls.
CUR_LEN, BEST_LEN, IDLE, RESTARTS = 0, 1, 2, 3
COUNTER_COUNT = 4
# Indices into the float64 ``values`` array.
CUR_COST, CUR_SCORE, BEST_COST, BEST_SCORE = 0, 1, 2, 3
VALUE_COUNT = 4
# Indices into the float64 ``params`` array (fixed for one solve).
LIMIT, EPS, TINY_COST, TEMPERATURE, MAX_DESTROY_SHARE, OVERFILL_SHARE = 0, 1, 2, 3, 4, 5
PARAM_COUNT = 6
# Indices into the int64 ``int_params`` array.
PATIENCE, MAX_DESTROY = 0, 1

# Arrays that travel together through the kernels, as numba tuples.
Cache = tuple[np.ndarray, np.ndarray, np.ndarray]  # on_route, insertion_delta, insertion_position
Near = tuple[np.ndarray, np.ndarray, np.ndarray]  # neighbors, reverse_start, reverse_nodes
Workspace = tuple[np.ndarray, np.ndarray, np.ndarray]  # work, lengths, dirty
Walk = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray
]  # cur_route, best_route, counters, values
