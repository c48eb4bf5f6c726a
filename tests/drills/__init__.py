"""Reliability and security drills: real servers, injected faults, bounded in time (issue 12)."""
