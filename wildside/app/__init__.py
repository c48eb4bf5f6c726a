"""Use cases: each sequences ports to carry out one intent."""
