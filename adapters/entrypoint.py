"""Console entry point ``wildside``: hands the composition root to the CLI."""

from __future__ import annotations

import sys

from adapters.composition import open_runtime
from adapters.inbound.cli.app import run


def main() -> None:
    """Run the command line and exit with its status."""
    sys.exit(run(sys.argv[1:], open_runtime))
