{{/*
Names, labels and shared pod fragments of the Wildside chart.
*/}}

{{- define "wildside.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wildside.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A component's resource name: <fullname>-<component>, within 63 characters. */}}
{{- define "wildside.componentName" -}}
{{- $full := include "wildside.fullname" .root | trunc (int (sub 62 (len .component))) | trimSuffix "-" -}}
{{- printf "%s-%s" $full .component -}}
{{- end -}}

{{- define "wildside.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wildside.labels" -}}
helm.sh/chart: {{ include "wildside.chart" . }}
{{ include "wildside.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wildside
{{- end -}}

{{- define "wildside.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wildside.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of one component: include "wildside.componentLabels" (dict "root" $ "component" "api") */}}
{{- define "wildside.componentLabels" -}}
{{ include "wildside.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "wildside.componentSelectorLabels" -}}
{{ include "wildside.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "wildside.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "wildside.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "wildside.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret holding the database and Redis URLs. */}}
{{- define "wildside.secretName" -}}
{{- default (include "wildside.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The Secret holding the session key. */}}
{{- define "wildside.sessionKeySecretName" -}}
{{- default (include "wildside.componentName" (dict "root" . "component" "session-key")) .Values.sessionKey.existingSecret -}}
{{- end -}}

{{/* The Secret holding Martin's read-only connection string. */}}
{{- define "wildside.martinSecretName" -}}
{{- default (include "wildside.componentName" (dict "root" . "component" "martin")) .Values.martin.database.existingSecret -}}
{{- end -}}

{{/* The Secret the migration hook reads: the existing one, or a hook-time copy (the chart's own Secret does not exist yet during pre-install). */}}
{{- define "wildside.migrationsSecretName" -}}
{{- default (include "wildside.componentName" (dict "root" . "component" "migrations")) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The Overpass daily request quota the workers run with (the quota alert is a fraction of it). */}}
{{- define "wildside.overpassDailyRequests" -}}
{{- $v := index .Values.config "WILDSIDE_OVERPASS_DAILY_REQUESTS" | default 10000 -}}
{{- int64 $v -}}
{{- end -}}

{{/* Volumes every Wildside pod has: the numba cache and /tmp (the root file system is read-only). */}}
{{- define "wildside.scratchVolumes" -}}
- name: numba-cache
  emptyDir:
    sizeLimit: {{ .Values.numbaCacheSizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{- define "wildside.scratchMounts" -}}
- name: numba-cache
  mountPath: /var/cache/wildside/numba
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Settings every long-running Wildside container gets: the ConfigMap and the URLs from the Secret. */}}
{{- define "wildside.commonEnv" -}}
- name: NUMBA_CACHE_DIR
  value: /var/cache/wildside/numba
- name: WILDSIDE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "wildside.secretName" . }}
      key: {{ .Values.secrets.databaseUrlKey }}
- name: WILDSIDE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "wildside.secretName" . }}
      key: {{ .Values.secrets.redisUrlKey }}
- name: WILDSIDE_REDIS_CACHE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "wildside.secretName" . }}
      key: {{ .Values.secrets.redisCacheUrlKey }}
      optional: true
- name: WILDSIDE_POSTHOG_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "wildside.secretName" . }}
      key: {{ .Values.secrets.posthogApiKeyKey }}
      optional: true
{{- end -}}

{{/*
Worker resources: memory is the graph cache (config.WILDSIDE_GRAPH_CACHE_MB) plus
worker.memoryBaseMi, so raising the cache raises the pod's request and limit with it.
*/}}
{{- define "wildside.workerResources" -}}
{{- $cache := int (default "384" (index .Values.config "WILDSIDE_GRAPH_CACHE_MB")) -}}
{{- $resources := deepCopy .Values.worker.resources -}}
{{- $requests := default dict $resources.requests -}}
{{- $limits := default dict $resources.limits -}}
{{- $_ := set $requests "memory" (printf "%dMi" (add $cache .Values.worker.memoryBaseMi.request)) -}}
{{- $_ := set $limits "memory" (printf "%dMi" (add $cache .Values.worker.memoryBaseMi.limit)) -}}
{{- $_ := set $resources "requests" $requests -}}
{{- $_ := set $resources "limits" $limits -}}
{{- toYaml $resources -}}
{{- end -}}
