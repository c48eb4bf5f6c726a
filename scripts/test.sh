#!/usr/bin/env bash
# Set everything up, then run every check CI runs: contracts, lint, types, the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Byte-code caching makes every pytest start several seconds faster.
unset PYTHONDONTWRITEBYTECODE
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/nox --no-venv --sessions lint typecheck tests "$@"
