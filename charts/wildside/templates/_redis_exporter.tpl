{{/*
redis_exporter helpers: which Redis roles get an exporter, and the PromQL matchers selecting them.
*/}}

{{/* The roles with an exporter, as a JSON list: queue always; cache when its URL is in the Secret. */}}
{{- define "wildside.redisExporterRoles" -}}
{{- $roles := list -}}
{{- with .Values.redisExporter -}}
{{- if .enabled -}}
{{- $roles = append $roles "queue" -}}
{{- /* The chart's own Secret holds the cache key only when a cache URL was given. */ -}}
{{- if and .exportCache (or $.Values.secrets.existingSecret $.Values.secrets.redisCacheUrl) -}}
{{- $roles = append $roles "cache" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $roles -}}
{{- end -}}

{{/* The Secret key holding a role's URL: the same keys the API and the workers read. */}}
{{- define "wildside.redisUrlKey" -}}
{{- if eq .role "cache" -}}
{{- .root.Values.secrets.redisCacheUrlKey -}}
{{- else -}}
{{- .root.Values.secrets.redisUrlKey -}}
{{- end -}}
{{- end -}}

{{/* PromQL matchers of a role's exporter as its ServiceMonitor scrapes it (job = the Service name). */}}
{{- define "wildside.redisExporterSelector" -}}
{{- $name := include "wildside.componentName" (dict "root" .root "component" (printf "redis-%s-exporter" .role)) -}}
{{- printf "job=%q,namespace=%q" $name .root.Release.Namespace -}}
{{- end -}}
