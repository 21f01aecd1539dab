{{/* Names, labels and the wiring shared by several templates. */}}

{{- define "keepgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "keepgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "keepgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "keepgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keepgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "keepgate.labels" -}}
helm.sh/chart: {{ include "keepgate.chart" . }}
{{ include "keepgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: gateway
{{- end }}

{{- define "keepgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "keepgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "keepgate.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "keepgate.secretName" -}}
{{- default (include "keepgate.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/* Where the pieces are mounted inside the gateway container. */}}
{{- define "keepgate.configPath" -}}/etc/keepgate/keepgate.yaml{{- end }}

{{/* ConfigMap keys cannot hold "/": "data/roles.yaml" is stored as "data__roles.yaml"
and mounted back at its path with `items`. */}}
{{- define "keepgate.fileKey" -}}
{{- . | replace "/" "__" }}
{{- end }}

{{/* The policy files: files/policies is a symlink to the repository's policies/, which
Helm follows. {relative path: content} of what the gateway loads from a policy directory:
its Rego modules, and the YAML/JSON data under data/. *_test.rego stay out (.helmignore
drops them too): neither the gateway nor OPA loads tests. */}}
{{- define "keepgate.policyFiles" -}}
{{- $files := dict }}
{{- range $path, $_ := .Files.Glob "files/policies/**" }}
{{- $rel := trimPrefix "files/policies/" $path }}
{{- $rego := and (hasSuffix ".rego" $rel) (not (hasSuffix "_test.rego" $rel)) }}
{{- $data := and (hasPrefix "data/" $rel) (or (hasSuffix ".yaml" $rel) (hasSuffix ".yml" $rel) (hasSuffix ".json" $rel)) }}
{{- if or $rego $data }}
{{- $_ := set $files $rel ($.Files.Get $path) }}
{{- end }}
{{- end }}
{{- toJson $files }}
{{- end }}

{{/* The rule packs: files/rules links to the repository's rules/. Top-level *.yaml/*.yml
only, as the gateway loads a rules directory; then rules.extraPacks (same name replaces).
rules/classifier/ (binary) is baked into the image instead. */}}
{{- define "keepgate.ruleFiles" -}}
{{- $files := dict }}
{{- range $path, $_ := .Files.Glob "files/rules/*.{yaml,yml}" }}
{{- $_ := set $files (base $path) ($.Files.Get $path) }}
{{- end }}
{{- range $name, $content := .Values.rules.extraPacks }}
{{- $_ := set $files $name $content }}
{{- end }}
{{- toJson $files }}
{{- end }}

{{/* Redis: which one, if any. */}}
{{- define "keepgate.redisMode" -}}
{{- if .Values.redis.enabled }}subchart
{{- else if or .Values.externalRedis.url .Values.externalRedis.existingSecret }}external
{{- else }}none
{{- end }}
{{- end }}

{{/* The bitnami/redis chart's fullname (its common.names.fullname). */}}
{{- define "keepgate.redisFullname" -}}
{{- if .Values.redis.fullnameOverride }}
{{- .Values.redis.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default "redis" .Values.redis.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* keepgate.yaml: the chart's in-pod wiring, with .Values.config merged over it. */}}
{{- define "keepgate.config" -}}
{{- $guards := dict }}
{{- if .Values.rules.enabled }}
{{- $_ := set $guards "input" (dict "rules_dir" .Values.rules.mountPath) }}
{{- end }}
{{- $policy := dict }}
{{- if .Values.policies.enabled }}
{{- $_ := set $policy "policy_dirs" (list .Values.policies.mountPath) }}
{{- end }}
{{- if .Values.opa.enabled }}
{{- $_ := set $policy "engine" "opa" }}
{{- /* OPA loads the policies ConfigMap itself (push: false), or the gateway uploads them. */}}
{{- $_ := set $policy "opa" (dict "url" (printf "http://127.0.0.1:%d" (int .Values.opa.port)) "push" (not .Values.opa.loadPolicies)) }}
{{- end }}
{{- if $policy }}
{{- $_ := set $guards "policy" $policy }}
{{- end }}
{{- /* The PII guard's NER: the shipped tagger unless a spaCy model baked into the image
(docker build --build-arg SPACY_MODEL=...) or none is chosen. */}}
{{- if and .Values.pii.nlpModel (ne .Values.pii.nlpModel "builtin") }}
{{- $_ := set $guards "pii" (dict "nlp_model" .Values.pii.nlpModel) }}
{{- end }}
{{- /* Hosted agent checkpoints: in the shared Redis (replicas lease runs there), else a
SQLite file on the pod's writable /tmp (the config's own directory is a read-only mount). */}}
{{- $agent := dict "checkpoints" (dict "path" "/tmp/keepgate-agent.db") }}
{{- /* MCP pins, sessions and approvals: the shared Redis too, else the writable /tmp. */}}
{{- $mcp := dict "store" (dict "path" "/tmp/keepgate-mcp.db") }}
{{- if ne (include "keepgate.redisMode" .) "none" }}
{{- /* If an operator picks on_backend_error: fallback_local, each replica may then spend
only its share of a limit during a Redis outage (the most replicas there can be). */}}
{{- $replicas := .Values.replicaCount }}
{{- if .Values.autoscaling.enabled }}{{- $replicas = .Values.autoscaling.maxReplicas }}{{- end }}
{{- $_ := set $guards "limits" (dict "backend" "redis" "fallback_share" (divf 1 (max 1 $replicas))) }}
{{- $agent = dict "checkpoints" (dict "backend" "redis") }}
{{- $mcp = dict "store" (dict "backend" "redis") }}
{{- end }}
{{- /* /metrics: its own listener on every interface of the pod, and/or a bearer token. */}}
{{- $observability := dict }}
{{- if .Values.metrics.port }}
{{- $_ := set $observability "metrics_port" (int .Values.metrics.port) }}
{{- $_ := set $observability "metrics_host" "0.0.0.0" }}
{{- end }}
{{- if .Values.metrics.token }}
{{- $_ := set $observability "metrics_token" "os.environ/KEEPGATE_METRICS_TOKEN" }}
{{- end }}
{{- $wiring := dict
      "general_settings" (dict "master_key" "os.environ/KEEPGATE_MASTER_KEY")
      "guards" $guards
      "agent" $agent
      "mcp" $mcp
      "observability" $observability }}
{{- $merged := mustMergeOverwrite $wiring (deepCopy .Values.config) }}
{{- /* Only sections with content: the gateway's defaults fill the rest. */}}
{{- $config := dict }}
{{- range $key, $value := $merged }}
{{- if $value }}
{{- $_ := set $config $key $value }}
{{- end }}
{{- end }}
{{- toYaml $config }}
{{- end }}
