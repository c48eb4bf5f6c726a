// Validate Prometheus Operator objects read as a JSON array on stdin.
//
// Each object is checked with the validator @kubernetes-models/prometheus-operator
// generated from prometheus-operator's monitoring.coreos.com/v1 API types (types,
// required fields, enums and patterns such as durations). Prints one JSON array:
// [{"kind": ..., "name": ..., "errors": [...]}], and exits 0 whatever it found.
import { readFileSync } from "node:fs";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const MODELS = { PrometheusRule, ServiceMonitor };
const objects = JSON.parse(readFileSync(0, "utf8"));
const results = objects.map((object) => {
  const Model = MODELS[object.kind];
  const name = object.metadata?.name ?? "";
  if (object.apiVersion !== "monitoring.coreos.com/v1" || !Model) {
    return { kind: object.kind, name, errors: [`no validator for ${object.apiVersion} ${object.kind}`] };
  }
  try {
    new Model(object).validate();
    return { kind: object.kind, name, errors: [] };
  } catch (error) {
    return { kind: object.kind, name, errors: [String(error.message ?? error)] };
  }
});
process.stdout.write(JSON.stringify(results));
