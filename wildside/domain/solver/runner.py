"""One search walker: its own arrays, the construction, and clock-sized slices of the search."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from wildside.domain.solver import layout, search
from wildside.domain.solver.layout import Near, Walk
from wildside.domain.solver.repair import new_workspace
from wildside.domain.solver.restart import restart_elsewhere

_SLICE_SECONDS = 0.03  # hand control back to Python this often for progress and the clock
_END_MARGIN = 0.002  # share of the time limit left unused so that the call ends in time


@dataclass(frozen=True, slots=True)
class Problem:
    """Read-only inputs shared by every walker of one solve."""

    dist: np.ndarray
    scores: np.ndarray
    candidates: np.ndarray
    neighbors: np.ndarray
    reverse_start: np.ndarray
    reverse_nodes: np.ndarray
    params: np.ndarray
    int_params: np.ndarray
    score_bound: float

    @property
    def near(self) -> Near:
        """Near-stop lists and their reverse index, as the kernels take them."""
        return self.neighbors, self.reverse_start, self.reverse_nodes


class Walker:
    """A destroy/repair search with its own random stream, routes and caches."""

    def __init__(
        self, problem: Problem, start: int, end: int, rng_state: int, *, elsewhere: bool = False
    ) -> None:
        n = problem.scores.shape[0]
        self.problem = problem
        self.params = problem.params.copy()
        self.int_params = problem.int_params.copy()
        self.rng = np.array([rng_state], dtype=np.uint64)
        self.cur_route = np.empty(n + 2, dtype=np.int64)
        self.best_route = np.empty(n + 2, dtype=np.int64)
        self.cur_route[0], self.cur_route[1] = start, end
        self.counters = np.zeros(layout.COUNTER_COUNT, dtype=np.int64)
        self.counters[layout.CUR_LEN] = self.counters[layout.BEST_LEN] = 2
        self.values = np.zeros(layout.VALUE_COUNT, dtype=np.float64)
        self.state = search.new_state(n)
        self.workspace = new_workspace(n, n + 2)
        self.done = 0
        self.is_time_limited = False
        self.is_stopped_early = False  # ``after_slice`` asked to stop
        p = problem
        search.construct(
            p.dist,
            p.scores,
            p.candidates,
            p.near,
            self.params,
            self.rng,
            self.walk,
            self.state,
            self.workspace,
        )
        if elsewhere:
            # Leave the constructed route's area at once: a second walker that
            # starts where the first one does mostly finds the same routes.
            is_banned = np.zeros(n, dtype=np.bool_)
            restart_elsewhere(
                p.dist,
                p.scores,
                p.candidates,
                p.near,
                self.params,
                self.rng,
                self.walk,
                is_banned,
                self.state,
                self.workspace,
            )
            self.counters[layout.RESTARTS] = 1  # the next restart returns to the best

    @property
    def walk(self) -> Walk:
        """Current and best routes with their counters and values, as the kernels take them."""
        return self.cur_route, self.best_route, self.counters, self.values

    @property
    def best_score(self) -> float:
        """Score of the best route so far."""
        return float(self.values[layout.BEST_SCORE])

    def best(self) -> list[int]:
        """The best route so far as a list of node indices."""
        return [int(v) for v in self.best_route[: self.counters[layout.BEST_LEN]]]

    def is_optimal(self) -> bool:
        """True once every reachable candidate is on the best route."""
        return bool(self.values[layout.BEST_SCORE] >= self.problem.score_bound - 1e-9)

    def _slice(self, todo: int) -> int:
        p = self.problem
        ran = search.iterate(
            p.dist,
            p.scores,
            p.candidates,
            p.near,
            self.params,
            self.int_params,
            self.rng,
            self.walk,
            self.state,
            self.workspace,
            todo,
            p.score_bound,
        )
        self.done += ran
        return int(ran)

    def run(
        self,
        began: float,
        time_limit: float,
        max_iterations: int | None,
        stop: threading.Event,
        after_slice: Callable[[], bool] | None = None,
    ) -> None:
        """Search in slices until the time limit, the iteration budget, optimality or ``stop``.

        ``after_slice`` runs after every slice; when it returns ``True`` the
        search stops there (and ``stop`` is set for the other walkers).
        """
        slice_size = 1
        per_iteration = 1e-3  # a first guess; replaced by the measured speed after one slice
        while max_iterations is None or self.done < max_iterations:
            left = time_limit - (time.perf_counter() - began)
            # Another step would likely end past the limit: stop a little early instead.
            # The margin covers the rare step far slower than the average (a restart).
            if left < max(0.5 * per_iteration, _END_MARGIN * time_limit):
                self.is_time_limited = True
                break
            if stop.is_set():
                break
            if self.is_optimal():
                stop.set()  # everything reachable is on the route: nothing left to find
                break
            todo = slice_size
            if max_iterations is not None:
                todo = min(todo, max_iterations - self.done)
            # Near the limit each slice gets half the time left, so the last ones are single
            # steps and the limit holds to about one step.
            todo = max(1, min(todo, int(0.5 * left / per_iteration)))
            slice_began = time.perf_counter()
            ran = self._slice(todo)
            slice_seconds = time.perf_counter() - slice_began
            # Size the next slice to take about _SLICE_SECONDS at the observed speed.
            per_iteration = max(slice_seconds, 1e-6) / max(ran, 1)
            slice_size = int(min(max(1, _SLICE_SECONDS / per_iteration), 2 * slice_size + 1))
            if after_slice is not None and after_slice():
                self.is_stopped_early = True
                stop.set()
                break
