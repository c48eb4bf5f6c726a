{{/*
Martin's config file and the tile gateway's nginx.conf (both in the Martin ConfigMap).
*/}}

{{/* Martin 1.x's config file: CORS (its flags have none). An empty origin list sends no CORS headers at all. */}}
{{- define "wildside.martinConfig" -}}
{{- with .Values.martin.cors -}}
{{- if .allowedOrigins -}}
cors:
  origin:
    {{- range .allowedOrigins }}
    - {{ . | quote }}
    {{- end }}
  max_age: {{ .maxAgeSeconds }}
{{- else -}}
cors: false
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
nginx in front of Martin: the seed's URL scheme (Martin up to 0.6 served it itself) on
Martin 1.x's routes, which have no suffixes. TileJSON's tile URL gets the suffix too, so a
client that follows TileJSON stays in the one scheme. Anything else under /tiles is 404.
*/}}
{{- define "wildside.tileGatewayConfig" -}}
{{- $prefix := trimSuffix "/" .Values.martin.routePrefix -}}
{{- $martin := printf "http://127.0.0.1:%v" .Values.martin.port -}}
worker_processes 1;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events {
  worker_connections 1024;
}
http {
  access_log off;
  server_tokens off;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  # Martin builds TileJSON's URLs from the Host (and X-Forwarded-*) the client sent.
  proxy_set_header Host $http_host;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen {{ .Values.martin.gateway.port }};
    location = /health {
      proxy_pass {{ $martin }}/health;
    }
    # {{ $prefix }}/{source}/{z}/{x}/{y}.pbf -> Martin's {{ $prefix }}/{source}/{z}/{x}/{y}
    location ~ "^{{ $prefix }}/([A-Za-z0-9_.,-]+)/([0-9]+)/([0-9]+)/([0-9]+)\.pbf$" {
      proxy_pass {{ $martin }}{{ $prefix }}/$1/$2/$3/$4$is_args$args;
    }
    # {{ $prefix }}/{source}.json -> Martin's TileJSON at {{ $prefix }}/{source}
    location ~ "^{{ $prefix }}/([A-Za-z0-9_,-]+)\.json$" {
      proxy_pass {{ $martin }}{{ $prefix }}/$1$is_args$args;
      # A location's own proxy_set_header drops the inherited ones: all three again.
      proxy_set_header Host $http_host;
      proxy_set_header Connection "";
      proxy_set_header Accept-Encoding "";  # a plain body, so the tile URL can be rewritten
      sub_filter_types application/json;
      sub_filter_once on;
      sub_filter "{z}/{x}/{y}" "{z}/{x}/{y}.pbf";
      gzip on;
      gzip_types application/json;
    }
    location / {
      return 404;
    }
  }
}
{{- end -}}
