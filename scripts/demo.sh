#!/usr/bin/env bash
# Set everything up and run the main job on the embedded default: private servers,
# migrations, and the bundled central-Helsinki extract, ending with the ingest report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
eval "$(.venv/bin/wildside services start)"
.venv/bin/wildside migrate
.venv/bin/wildside ingest --sample helsinki
echo "Private servers keep running; stop them with: .venv/bin/wildside services stop" >&2
