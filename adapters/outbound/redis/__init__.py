"""Redis adapters built on redis-py: rate limiting, the route cache, status fan-out, health."""
