"""Fixtures of the in-process service stack (see ``tests/service_stack.py``)."""

from tests.service_stack import make_stack, stack

__all__ = ["make_stack", "stack"]
