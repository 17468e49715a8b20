#!/usr/bin/env bash
# Writes devops/kubernetes/base/prometheus-rule.yaml, the Kubernetes PrometheusRule, from the alert
# rules in devops/monitoring/alert-rules.yml, so that Prometheus in Compose and in Kubernetes load
# the same groups. kustomize only reads files below its kustomization, hence the generated copy.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/monitoring/prometheus-rule.sh [-h|--help] [--check | --stdout]

Generates devops/kubernetes/base/prometheus-rule.yaml (PrometheusRule healthcare-backend) whose
spec.groups are the groups of devops/monitoring/alert-rules.yml, unchanged.

  (none)    write the file
  --check   write nothing; exit 1 with a diff when the file is not what would be generated
  --stdout  print the generated file instead of writing it

Run it (or `make k8s-rules`) after every change to alert-rules.yml; the deployment tests fail
while the two differ.
EOF_USAGE
}

mode="write"
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --check) mode="check" ;;
        --stdout) mode="stdout" ;;
        *)
            echo "prometheus-rule.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
source_file="$repo_root/devops/monitoring/alert-rules.yml"
target_file="$repo_root/devops/kubernetes/base/prometheus-rule.yaml"

generate() {
    cat <<'EOF_HEADER'
# Generated from devops/monitoring/alert-rules.yml by devops/scripts/monitoring/prometheus-rule.sh
# (`make k8s-rules`). Do not edit: change alert-rules.yml and regenerate. What each alert means and
# what to do: docs/operations/monitoring.md.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: healthcare-backend
  labels:
    app.kubernetes.io/component: monitoring
spec:
EOF_HEADER
    # Everything from the top-level `groups:` key on, two spaces deeper (blank lines stay empty).
    awk '
        /^groups:/ { found = 1 }
        found { if (length($0) > 0) print "  " $0; else print "" }
        END { if (!found) { print "prometheus-rule.sh: no top-level groups: in alert-rules.yml" > "/dev/stderr"; exit 1 } }
    ' "$source_file"
}

generated="$(generate)"
case "$mode" in
    stdout) printf '%s\n' "$generated" ;;
    write)
        printf '%s\n' "$generated" >"$target_file"
        echo "wrote ${target_file#"$repo_root"/}"
        ;;
    check)
        if ! diff -u "$target_file" <(printf '%s\n' "$generated"); then
            echo "prometheus-rule.sh: ${target_file#"$repo_root"/} differs from alert-rules.yml; run devops/scripts/monitoring/prometheus-rule.sh" >&2
            exit 1
        fi
        ;;
esac
