#!/usr/bin/env bash
# Render the Helm chart (charts/wildside) under its default, minimal and
# production values and validate everything it produces: `helm lint --strict`,
# every object against the Kubernetes 1.29 and 1.37 schemas
# (kubernetes-validate), ServiceMonitors and PrometheusRules against the
# Prometheus Operator's (npm @kubernetes-models/prometheus-operator), every
# alert and dashboard query parsed as PromQL against the metrics Wildside
# exports, runbook links, values.schema.json and the values table in
# docs/operations.md; plus hadolint on the Dockerfile. (The image build test
# runs only where scripts/image-build.sh --base-only was run.)
#
#   scripts/chart-check.sh                  # all of the above (tests/deploy)
#   scripts/chart-check.sh --values-table   # print the values table for docs/operations.md
#   scripts/chart-check.sh --render [ARGS]  # helm template wildside charts/wildside ARGS
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/helm ] || [ ! -d tests/deploy/crd-validator/node_modules ]; then
  scripts/setup.sh
fi
case "${1:-}" in
  --values-table) exec .venv/bin/python -m tests.deploy.values_table ;;
  --render) shift; exec .venv/bin/helm template wildside charts/wildside --namespace wildside "$@" ;;
esac
unset PYTHONDONTWRITEBYTECODE
exec .venv/bin/pytest -q tests/deploy "$@"
