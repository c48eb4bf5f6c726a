"""Test support servers that stand in for services Wildside does not own."""
