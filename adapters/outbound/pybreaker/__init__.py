"""pybreaker adapters: the Overpass circuit breakers, their state kept through ``CircuitStore``."""
