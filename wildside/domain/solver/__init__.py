"""Route solvers: the orienteering heuristic (numba) and street-network kernels."""

from wildside.domain.solver.api import InfeasibleBudgetError, OpSolution, solve_op, warm_up

__all__ = ["InfeasibleBudgetError", "OpSolution", "solve_op", "warm_up"]
