"""Domain values, rules and policies: pure, no I/O."""
