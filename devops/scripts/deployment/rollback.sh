#!/usr/bin/env bash
# Rolls the API and worker Deployments (or one of them) of an environment back to their
# previous revision (or pins them to a given image) and waits until the
# rollback has rolled out.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/deployment/rollback.sh [options] ENV

Rolls back the Deployments `api` and `worker` in the namespace of ENV
(local, staging or production) with `kubectl rollout undo`, then waits for
both rollouts. Database migrations are not reverted: releases keep the schema
backward compatible with the previous release (see docs/operations/ci-cd.md).

Options (environment variable in brackets):
  --namespace NS      [K8S_NAMESPACE, default healthcare-backend]
  --context NAME      kubectl context to use [KUBE_CONTEXT, default: current]
  --image IMAGE       instead of undoing, set every container of both
                      Deployments to IMAGE (e.g. the previous digest:
                      ghcr.io/acme/healthcare-backend@sha256:...)
  --to-revision N     undo to revision N instead of the previous one
  --only NAME         roll back only the Deployment NAME (api or worker); may be
                      given twice [default: both]
  --timeout DURATION  rollout wait limit, e.g. 300s or 10m [default 300s]
  --if-interrupted FILE
                      roll back only when FILE (deploy.sh --state-file) says
                      `applied`: a deployment changed the Deployments and was
                      stopped before it could check or roll back by itself;
                      otherwise print why nothing is done and exit 0
  --dry-run           print the kubectl commands instead of running them
  -h, --help          show this help

Exit status: 0 rolled back, 1 failure, 2 bad usage.
EOF_USAGE
}

namespace="${K8S_NAMESPACE:-healthcare-backend}"
context="${KUBE_CONTEXT:-}"
image=""
revision=""
timeout=300s
dry_run=""
state_file=""
environment=""
only=()

need_value() {
    if (($# < 2)) || [[ -z "$2" ]]; then
        echo "rollback.sh: $1 needs a value (see --help)" >&2
        exit 2
    fi
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --namespace) need_value "$@"; namespace="$2"; shift ;;
        --context) need_value "$@"; context="$2"; shift ;;
        --image) need_value "$@"; image="$2"; shift ;;
        --to-revision) need_value "$@"; revision="$2"; shift ;;
        --only)
            need_value "$@"
            case "$2" in
                api | worker) only+=("deployment/$2") ;;
                *)
                    echo "rollback.sh: --only takes api or worker, not '$2'" >&2
                    exit 2
                    ;;
            esac
            shift
            ;;
        --timeout) need_value "$@"; timeout="$2"; shift ;;
        --if-interrupted) need_value "$@"; state_file="$2"; shift ;;
        --dry-run) dry_run=1 ;;
        -*)
            echo "rollback.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *)
            if [[ -n "$environment" ]]; then
                echo "rollback.sh: only one ENV is allowed (see --help)" >&2
                exit 2
            fi
            environment="$1"
            ;;
    esac
    shift
done

case "$environment" in
    local | staging | production) ;;
    "")
        echo "rollback.sh: ENV is required: local, staging or production (see --help)" >&2
        exit 2
        ;;
    *)
        echo "rollback.sh: unknown ENV '$environment': use local, staging or production" >&2
        exit 2
        ;;
esac
if [[ -n "$revision" && ! "$revision" =~ ^[0-9]+$ ]]; then
    echo "rollback.sh: --to-revision needs a revision number" >&2
    exit 2
fi
if [[ -n "$revision" && -n "$image" ]]; then
    echo "rollback.sh: use either --image or --to-revision, not both" >&2
    exit 2
fi
if ! [[ "$timeout" =~ ^[0-9]+[smh]?$ ]]; then
    echo "rollback.sh: --timeout takes a duration such as 300s or 10m" >&2
    exit 2
fi
if [[ -n "$image" && ! "$image" =~ ^[A-Za-z0-9][A-Za-z0-9._/:-]*(@sha256:[0-9a-f]{64})?$ ]]; then
    echo "rollback.sh: --image is not an image reference" >&2
    exit 2
fi

if [[ -n "$state_file" ]]; then
    state="$(head -n 1 "$state_file" 2>/dev/null || true)"
    if [[ "$state" != applied ]]; then
        echo "rollback: nothing to do: the deployment's state is '${state:-not recorded}' (only 'applied' needs a rollback)"
        exit 0
    fi
fi

if [[ -z "$dry_run" ]] && ! command -v kubectl >/dev/null 2>&1; then
    echo "missing: kubectl (see https://kubernetes.io/docs/tasks/tools/)" >&2
    exit 1
fi

kube() {
    local -a args=(--namespace "$namespace")
    [[ -z "$context" ]] || args+=(--context "$context")
    if [[ -n "$dry_run" ]]; then
        echo "dry-run: kubectl ${args[*]} $*"
        return 0
    fi
    kubectl "${args[@]}" "$@"
}

workloads=(deployment/api deployment/worker)
((${#only[@]} == 0)) || workloads=("${only[@]}")
status=0
for workload in "${workloads[@]}"; do
    if [[ -n "$image" ]]; then
        echo "rollback: setting every container of $workload to $image"
        kube set image "$workload" "*=$image" || status=1
    else
        echo "rollback: undoing the last rollout of $workload${revision:+ (to revision $revision)}"
        kube rollout undo "$workload" ${revision:+"--to-revision=$revision"} || status=1
    fi
done
for workload in "${workloads[@]}"; do
    if ! kube rollout status "$workload" --timeout="$timeout"; then
        echo "rollback: $workload did not finish rolling back within $timeout" >&2
        status=1
    fi
done

if ((status != 0)); then
    echo "rollback: FAILED for $environment (namespace $namespace); inspect with: kubectl -n $namespace rollout history deployment/api" >&2
    exit 1
fi
[[ -z "$state_file" || -n "$dry_run" ]] || echo rolled-back >"$state_file"
echo "rollback: $environment (namespace $namespace) rolled back"
