"""The ``wildside`` command line: argument parsing and thin command handlers."""
