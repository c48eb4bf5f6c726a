#!/usr/bin/env bash
# Set everything up, then run every check CI runs: contracts, lint, types, the whole test suite,
# the reliability drills' CI subset
# (the chart tests need helm and the CRD validators; the image test needs podman and a base
# image built from Debian packages, about 1.5 minutes the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-test-tools
scripts/image-build.sh --base-only
# Byte-code caching makes every pytest start several seconds faster.
unset PYTHONDONTWRITEBYTECODE
export PATH="$PWD/.venv/bin:$PATH"
# Compile the numba kernels into their on-disk cache once (about a minute on a fresh clone),
# so the test processes and the `wildside` processes they start load them instead of each
# compiling them again at the same time.
.venv/bin/python -c 'from wildside.domain.solver import warm_up; warm_up()'
# Then the reliability drills' CI subset (about 3 minutes; docs/reliability.md).
exec .venv/bin/nox --no-venv --sessions lint typecheck tests drills_ci "$@"
