"""Fixtures of the in-process service stack for the API features."""

from tests.service_stack import make_stack

__all__ = ["make_stack"]
