#!/usr/bin/env bash
# Set everything up and run the whole stack on the embedded default: private PostgreSQL+PostGIS
# and Redis, migrations, the bundled central-Helsinki extract, the API and a worker; then one
# tour requested through the real API and followed over the WebSocket. Ctrl-C stops it all.
# Extra arguments go to `wildside dev` (e.g. --exit-after-demo, --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/wildside dev --demo "$@"
