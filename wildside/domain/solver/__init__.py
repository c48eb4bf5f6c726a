"""Route solvers: the orienteering heuristic (numba) and street-network kernels."""

from wildside.domain.orienteering import InfeasibleBudgetError
from wildside.domain.solver.api import OpSolution, solve_op, warm_up

__all__ = ["InfeasibleBudgetError", "OpSolution", "solve_op", "warm_up"]
