{{/*
Names, labels and the pieces every workload shares. Only documented Helm features are used here
(define/include/tpl/required/fail, sprig), so `helm template` and e2e/k8s's renderer agree.
*/}}

{{/* The chart name, for the app.kubernetes.io/name label. */}}
{{- define "tether.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object's name: fullnameOverride, else the release name ("tether" gives
tether-control, tether-zipkin, tether-sidecar ...).
*/}}
{{- define "tether.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "tether.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of one component: include "tether.selectorLabels" (dict "root" $ "component" "control") */}}
{{- define "tether.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tether.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every label of one component's objects: include "tether.labels" (dict "root" $ "component" "control") */}}
{{- define "tether.labels" -}}
helm.sh/chart: {{ include "tether.chart" .root }}
{{ include "tether.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: tether
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* repository:tag of one images.* value: include "tether.image" (dict "root" $ "image" $.Values.images.tether) */}}
{{- define "tether.image" -}}
{{- $repo := required "images.*.repository is required" .image.repository -}}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion .image.tag | toString) }}
{{- end }}

{{/* Names of the objects other templates refer to. */}}
{{- define "tether.controlName" -}}{{ include "tether.fullname" . }}-control{{- end }}
{{- define "tether.zipkinName" -}}{{ include "tether.fullname" . }}-zipkin{{- end }}
{{- define "tether.sidecarConfigName" -}}{{ include "tether.fullname" . }}-sidecar{{- end }}
{{- define "tether.tokenSecretName" -}}
{{- if .Values.controlPlane.auth.create -}}
{{- default (printf "%s-control-token" (include "tether.fullname" .)) .Values.controlPlane.auth.secretName }}
{{- else -}}
{{- required "controlPlane.auth.secretName is required when controlPlane.auth.create is false (the name of an existing Secret holding the management token)" .Values.controlPlane.auth.secretName }}
{{- end -}}
{{- end }}

{{/* The cluster-local DNS name of one of the chart's Services: include "tether.serviceHost" (list $ "control") */}}
{{- define "tether.serviceHost" -}}
{{- $root := index . 0 -}}
{{ include "tether.fullname" $root }}-{{ index . 1 }}.{{ $root.Release.Namespace }}.svc.{{ $root.Values.clusterDomain }}
{{- end }}

{{/* The pod securityContext: Kubernetes' "restricted" profile. */}}
{{- define "tether.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser | int64 }}
runAsGroup: {{ .Values.securityContext.runAsGroup | int64 }}
fsGroup: {{ .Values.securityContext.fsGroup | int64 }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* A container's securityContext: Kubernetes' "restricted" profile, complete on its own. */}}
{{- define "tether.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser | int64 }}
runAsGroup: {{ .Values.securityContext.runAsGroup | int64 }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* imagePullSecrets, nodeSelector, tolerations, affinity of a pod spec: include "tether.podScheduling" (dict "root" $ "c" .Values.zipkin) */}}
{{- define "tether.podScheduling" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The pod label the sidecar reads its service cluster from (Downward API); a workload with a
sidecar sets it to its own name.
*/}}
{{- define "tether.serviceClusterLabel" -}}tether.io/service-cluster{{- end }}

{{/*
The Tether sidecar container, identical in every workload (and what `tetherctl inject` adds):
listed first in the pod's containers. It learns its node id from the pod name and its cluster from
the pod's tether.io/service-cluster label (Downward API), reads the bootstrap from the ConfigMap
<fullname>-sidecar (volumes: "tether.sidecar.volumes"), finds the control plane by its Service's
DNS name and is probed on the health-only listener (GET /healthz/ready). The pod is Ready, and its
Services send it traffic, only once this container is ready.
Usage: containers: {{ include "tether.sidecar.container" $ | nindent 8 }}
*/}}
{{- define "tether.sidecar.container" -}}
- name: tether
  image: {{ include "tether.image" (dict "root" . "image" .Values.images.tether) }}
  imagePullPolicy: {{ .Values.images.tether.pullPolicy }}
  args:
  - --config
  - /etc/tether/bootstrap.yaml
  - --service-node
  - $(POD_NAME)
  - --service-cluster
  - $(SERVICE_CLUSTER)
  - --log-level
  - {{ .Values.sidecar.logLevel }}
  - --concurrency
  - {{ .Values.sidecar.concurrency | quote }}
  - --drain-time
  - {{ printf "%ds" (int .Values.sidecar.drainTimeSeconds) }}
  env:
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: POD_NAMESPACE
    valueFrom:
      fieldRef:
        fieldPath: metadata.namespace
  - name: SERVICE_CLUSTER
    valueFrom:
      fieldRef:
        fieldPath: metadata.labels['{{ include "tether.serviceClusterLabel" . }}']
  ports:
  - name: tether-inbound
    containerPort: {{ .Values.sidecar.inboundPort }}
    protocol: TCP
  - name: tether-health
    containerPort: {{ .Values.sidecar.healthPort }}
    protocol: TCP
  readinessProbe:
    httpGet:
      path: /healthz/ready
      port: tether-health
    periodSeconds: 2
    timeoutSeconds: 1
    failureThreshold: 3
  livenessProbe:
    httpGet:
      path: /healthz/ready
      port: tether-health
    initialDelaySeconds: 10
    periodSeconds: 10
    timeoutSeconds: 2
    failureThreshold: 6
  resources:
    {{- toYaml .Values.sidecar.resources | nindent 4 }}
  securityContext:
    {{- include "tether.containerSecurityContext" . | nindent 4 }}
  volumeMounts:
  - name: tether-bootstrap
    mountPath: /etc/tether
    readOnly: true
{{- end }}

{{/* The sidecar's volumes. Usage: volumes: {{ include "tether.sidecar.volumes" $ | nindent 8 }} */}}
{{- define "tether.sidecar.volumes" -}}
- name: tether-bootstrap
  configMap:
    name: {{ include "tether.sidecarConfigName" . }}
{{- end }}

{{/*
Checks shared by the pods with a sidecar: their grace period must outlast the sidecar's drain.
Usage: {{ include "tether.checkGrace" (list $ .Values.demo.terminationGracePeriodSeconds "demo.terminationGracePeriodSeconds") }}
*/}}
{{- define "tether.checkGrace" -}}
{{- $root := index . 0 -}}
{{- if le (int (index . 1)) (int $root.Values.sidecar.drainTimeSeconds) -}}
{{- fail (printf "%s (%d) must be larger than sidecar.drainTimeSeconds (%d): the sidecar drains for that long after SIGTERM" (index . 2) (int (index . 1)) (int $root.Values.sidecar.drainTimeSeconds)) -}}
{{- end -}}
{{- end }}
