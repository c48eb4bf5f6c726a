"""In-memory fakes of Wildside's driven ports, each held honest by a contract suite."""
