{{- define "attest.fullname" -}}
{{ .Release.Name }}-attest
{{- end }}

{{- define "attest.selectorLabels" -}}
app.kubernetes.io/name: attest
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "attest.labels" -}}
app.kubernetes.io/name: attest
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
