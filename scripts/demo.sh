#!/usr/bin/env bash
# Set everything up and run the main job on the embedded default: private servers,
# migrations, the bundled central-Helsinki extract, then one 90-minute tour printed as text.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
eval "$(.venv/bin/wildside services start)"
.venv/bin/wildside migrate
.venv/bin/wildside ingest --sample helsinki
# One tour from the railway station square, computed in-process on the ingested data.
.venv/bin/wildside route --lat 60.1712 --lng 24.9441 --minutes 90 --themes history,nature --format text
echo "Private servers keep running; stop them with: .venv/bin/wildside services stop" >&2
