#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Deploys one image of healthcare-backend to an environment: renders the
# environment's Kustomize overlay with that image, runs the migration Job,
# rolls out the API and the worker, checks health and runs the smoke test, and
# rolls the Deployments back when anything after the rollout started fails.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/deployment/deploy.sh [options] ENV IMAGE_TAG

ENV        local, staging or production: the overlay
           devops/kubernetes/overlays/ENV is deployed.
IMAGE_TAG  the image to run: a digest (sha256:<64 hex>, preferred: it cannot
           move), a tag (v1.4.0, sha-1a2b3c4), or a full reference
           (ghcr.io/acme/healthcare-backend@sha256:...).

Steps:
  1. render the overlay (kubectl kustomize) and point every
     healthcare-backend image in it at IMAGE_TAG; stop if it holds a
     Namespace, a Role or a cluster-wide object, or if the namespace does
     not exist (a cluster administrator creates it: make k8s-namespace);
  2. apply everything but the Deployments, with a fresh `migrate` Job, and
     wait for the Job to complete (a failed migration stops here, before any
     Deployment changes);
  3. apply the Deployments and wait for `api` and `worker` to roll out;
  4. check-health.sh (readiness; metrics when reachable) and smoke-test.sh
     against the API;
  5. on a failure in 3 or 4, run rollback.sh ENV and exit 1.

Options (environment variable in brackets):
  --image-repo REPO     repository for a bare tag or digest [IMAGE_REPO,
                        default ghcr.io/$GITHUB_REPOSITORY_OWNER/healthcare-backend]
  --namespace NS        [K8S_NAMESPACE, default healthcare-backend]
  --context NAME        kubectl context [KUBE_CONTEXT, default: current]
  --base-url URL        where the API answers for the checks [DEPLOY_BASE_URL];
                        default: a kubectl port-forward to service/api
  --timeout DURATION    rollout and migration wait limit [default 600s]
  --no-smoke-test       skip smoke-test.sh (it needs SMOKE_TEST_EMAIL and
                        SMOKE_TEST_PASSWORD)
  --no-rollback         leave a failed rollout in place for inspection
  --overlays-dir DIR    [default devops/kubernetes/overlays]
  --state-file FILE     keep the progress in FILE: unchanged (nothing changed
                        yet), applied (Deployments changed, not yet checked),
                        deployed, rolled-back or rollback-failed; a workflow
                        that is cancelled mid-deploy uses it to decide on a
                        rollback (rollback.sh --if-interrupted FILE)
  --dry-run             render and print the plan; change nothing
  -h, --help            show this help

Exit status: 0 deployed and checked, 1 failed (rolled back unless
--no-rollback), 2 bad usage.
EOF_USAGE
}

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

owner="${GITHUB_REPOSITORY_OWNER:-}"
image_repo="${IMAGE_REPO:-${owner:+ghcr.io/${owner,,}/healthcare-backend}}"
namespace="${K8S_NAMESPACE:-healthcare-backend}"
context="${KUBE_CONTEXT:-}"
base_url="${DEPLOY_BASE_URL:-}"
timeout=600s
smoke=1
rollback=1
overlays_dir="$repo_root/devops/kubernetes/overlays"
dry_run=""
state_file=""
positional=()

need_value() {
    if (($# < 2)) || [[ -z "$2" ]]; then
        echo "deploy.sh: $1 needs a value (see --help)" >&2
        exit 2
    fi
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --image-repo) need_value "$@"; image_repo="$2"; shift ;;
        --namespace) need_value "$@"; namespace="$2"; shift ;;
        --context) need_value "$@"; context="$2"; shift ;;
        --base-url) need_value "$@"; base_url="$2"; shift ;;
        --timeout) need_value "$@"; timeout="$2"; shift ;;
        --overlays-dir) need_value "$@"; overlays_dir="$2"; shift ;;
        --state-file) need_value "$@"; state_file="$2"; shift ;;
        --no-smoke-test) smoke="" ;;
        --no-rollback) rollback="" ;;
        --dry-run) dry_run=1 ;;
        -*)
            echo "deploy.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *) positional+=("$1") ;;
    esac
    shift
done

if ((${#positional[@]} != 2)); then
    echo "deploy.sh: expected ENV and IMAGE_TAG (see --help)" >&2
    exit 2
fi
environment="${positional[0]}"
tag="${positional[1]}"
case "$environment" in
    local | staging | production) ;;
    *)
        echo "deploy.sh: unknown ENV '$environment': use local, staging or production" >&2
        exit 2
        ;;
esac
if ! [[ "$timeout" =~ ^[0-9]+[smh]?$ ]]; then
    echo "deploy.sh: --timeout takes a duration such as 600s or 10m" >&2
    exit 2
fi
if [[ -n "$base_url" && ! "$base_url" =~ ^https?://[^[:space:]]+$ ]]; then
    echo "deploy.sh: --base-url must start with http:// or https://" >&2
    exit 2
fi

# The image reference to deploy.
if [[ "$tag" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    suffix="@$tag"
elif [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
    suffix=":$tag"
elif [[ "$tag" =~ ^[a-z0-9][a-z0-9._/-]*/healthcare-backend(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$ ]]; then
    suffix=""
else
    echo "deploy.sh: IMAGE_TAG '$tag' is not a tag, a sha256 digest or a healthcare-backend image reference" >&2
    exit 2
fi
if [[ -n "$suffix" ]]; then
    if [[ -z "$image_repo" ]]; then
        echo "deploy.sh: set --image-repo (or IMAGE_REPO / GITHUB_REPOSITORY_OWNER) for a bare tag or digest" >&2
        exit 2
    fi
    if ! [[ "$image_repo" =~ ^[a-z0-9][a-z0-9._/:-]*$ ]]; then
        echo "deploy.sh: --image-repo '$image_repo' is not a repository name" >&2
        exit 2
    fi
    image="$image_repo$suffix"
else
    image="$tag"
fi

overlay="$overlays_dir/$environment"
if [[ ! -f "$overlay/kustomization.yaml" && ! -f "$overlay/kustomization.yml" && ! -f "$overlay/Kustomization" ]]; then
    echo "deploy.sh: no Kustomize overlay at $overlay" >&2
    exit 1
fi
if ! command -v kubectl >/dev/null 2>&1; then
    echo "missing: kubectl (see https://kubernetes.io/docs/tasks/tools/)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/hb-deploy.XXXXXX")"
forward_pid=""
# Runs from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    set +e
    if [[ -n "$forward_pid" ]] && kill -0 "$forward_pid" 2>/dev/null; then
        kill "$forward_pid" 2>/dev/null
        wait "$forward_pid" 2>/dev/null
    fi
    rm -rf -- "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

state() {
    [[ -z "$state_file" ]] || printf '%s\n' "$1" >"$state_file"
}

kube() {
    local -a args=(--namespace "$namespace")
    [[ -z "$context" ]] || args+=(--context "$context")
    kubectl "${args[@]}" "$@"
}

# --- 1. render ----------------------------------------------------------------
if ! kubectl kustomize "$overlay" >"$work/rendered.yaml" 2>"$work/kustomize.err"; then
    sed -n '1,10p' "$work/kustomize.err" >&2
    echo "deploy.sh: kubectl kustomize $overlay failed" >&2
    exit 1
fi
# Every `image:` naming healthcare-backend, whatever registry or tag the
# overlay carries, now names the image being deployed.
awk -v image="$image" '
    match($0, /^[[:space:]]*(- )?image:[[:space:]]*/) {
        value = substr($0, RLENGTH + 1)
        gsub(/["\047[:space:]]/, "", value)
        name = value
        sub(/@.*/, "", name)
        sub(/:[^:\/]*$/, "", name)
        if (name ~ /(^|\/)healthcare-backend$/) {
            print substr($0, 1, RLENGTH) image
            replaced++
            next
        }
    }
    { print }
    END { print replaced + 0 > "/dev/stderr" }
' "$work/rendered.yaml" >"$work/release.yaml" 2>"$work/replaced"
replaced="$(<"$work/replaced")"
if [[ "$replaced" == 0 ]]; then
    echo "deploy.sh: the overlay $overlay has no healthcare-backend image to replace" >&2
    exit 1
fi

# Split the documents: Deployments go last, after the migration.
awk -v deployments="$work/deployments.yaml" -v rest="$work/rest.yaml" '
    function flush() {
        if (doc != "") {
            if (doc ~ /(^|\n)kind:[[:space:]]*Deployment[[:space:]]*(\n|$)/) printf "---\n%s", doc >> deployments
            else printf "---\n%s", doc >> rest
        }
        doc = ""
    }
    /^---/ { flush(); next }
    { doc = doc $0 "\n" }
    END { flush() }
' "$work/release.yaml"
touch "$work/deployments.yaml" "$work/rest.yaml"
has_migrate=""
if awk 'BEGIN { RS = "---\n" } /(^|\n)kind:[[:space:]]*Job[[:space:]]*\n/ && /\n  name:[[:space:]]*migrate[[:space:]]*\n/ { found = 1 } END { exit !found }' "$work/rest.yaml"; then
    has_migrate=1
fi
# A release holds this namespace's objects only. The namespace itself, its Roles and anything
# cluster-wide come from devops/kubernetes/namespace, applied by a cluster administrator; the deploy
# credentials may not create them, so a release that has one is stopped before anything changes.
outside="$(grep -E '^kind:[[:space:]]*(Namespace|Role|RoleBinding|Cluster[A-Z][A-Za-z]*|CustomResourceDefinition|PersistentVolume|StorageClass|PriorityClass|IngressClass|RuntimeClass|APIService|[A-Za-z]*WebhookConfiguration)[[:space:]]*$' "$work/release.yaml" | sed 's/^kind:[[:space:]]*//' | sort -u | paste -sd, - || true)"
if [[ -n "$outside" ]]; then
    echo "deploy.sh: the overlay $overlay renders $outside, which a release may not hold (they belong in devops/kubernetes/namespace, applied by a cluster administrator)" >&2
    exit 1
fi
resources="$(grep -E '^kind:' "$work/release.yaml" | sed 's/^kind:[[:space:]]*//' | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"

echo "deploy: $environment <- $image"
echo "deploy: overlay $overlay ($resources; $replaced image reference(s) set)"

if [[ -n "$dry_run" ]]; then
    echo "dry-run: kubectl --namespace $namespace delete job/migrate --ignore-not-found"
    echo "dry-run: kubectl --namespace $namespace apply -f <everything but the Deployments>"
    [[ -z "$has_migrate" ]] || echo "dry-run: wait for job/migrate to complete (limit $timeout)"
    echo "dry-run: kubectl --namespace $namespace apply -f <the Deployments>"
    echo "dry-run: kubectl --namespace $namespace rollout status deployment/api and deployment/worker (limit $timeout)"
    echo "dry-run: check-health.sh and ${smoke:+smoke-test.sh }against ${base_url:-a port-forward to service/api}; on failure: rollback.sh $environment"
    echo "dry-run: images in the rendered release:"
    grep -E '^[[:space:]]*(- )?image:' "$work/release.yaml" | sed 's/^[[:space:]]*\(- \)\{0,1\}/  /' | sort | uniq -c
    exit 0
fi

if [[ -n "$smoke" && ( -z "${SMOKE_TEST_EMAIL:-}" || -z "${SMOKE_TEST_PASSWORD:-}" ) ]]; then
    echo "deploy.sh: SMOKE_TEST_EMAIL and SMOKE_TEST_PASSWORD must be set for the smoke test (or pass --no-smoke-test)" >&2
    exit 2
fi

# The namespace is created once by a cluster administrator (make k8s-namespace), never by a release.
if ! kube get namespace "$namespace" -o name >/dev/null 2>&1; then
    echo "deploy.sh: namespace $namespace does not exist (or these credentials cannot read it); a cluster administrator creates it once with: make k8s-namespace" >&2
    exit 1
fi

revision() {
    kube get "deployment/$1" -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}' 2>/dev/null || true
}
before_api="$(revision api)"
before_worker="$(revision worker)"
previous="$(kube get deployment/api -o 'jsonpath={.spec.template.spec.containers[0].image}' 2>/dev/null || true)"
echo "deploy: running now: ${previous:-nothing (first deployment)}"

state unchanged

# --- 2. everything but the Deployments, and the migration -----------------------
# A Job's template cannot change, so the previous run's Job goes first.
kube delete job/migrate --ignore-not-found --wait=true >/dev/null
if [[ -s "$work/rest.yaml" ]] && ! kube apply -f "$work/rest.yaml"; then
    echo "deploy: FAILED: kubectl apply was refused; no Deployment was changed" >&2
    exit 1
fi
if [[ -n "$has_migrate" ]]; then
    echo "deploy: waiting for job/migrate (limit $timeout) ..."
    limit="${timeout%[smh]}"
    case "$timeout" in *m) limit=$((limit * 60)) ;; *h) limit=$((limit * 3600)) ;; esac
    deadline=$((SECONDS + limit))
    while :; do
        conditions="$(kube get job/migrate -o 'jsonpath={range .status.conditions[*]}{.type}={.status}{"\n"}{end}' 2>/dev/null || true)"
        if grep -qx 'Complete=True' <<<"$conditions"; then
            echo "deploy: migrations applied"
            break
        fi
        if grep -qx 'Failed=True' <<<"$conditions" || ((SECONDS >= deadline)); then
            kube logs job/migrate --tail=20 >&2 2>/dev/null || true
            echo "deploy: FAILED: the migration Job did not complete; the running version keeps serving (no Deployment was changed)" >&2
            exit 1
        fi
        sleep "${DEPLOY_POLL_SECONDS:-5}"
    done
fi

# --- 3. roll out ------------------------------------------------------------
failure=""
state applied
if ! kube apply -f "$work/deployments.yaml"; then
    failure="kubectl apply of the Deployments was refused"
fi
if [[ -z "$failure" ]]; then
    # A Deployment stopped at 0 (the restore runbook stops the writers) stays there: the manifests leave the
    # count to the autoscalers, and neither the HPA nor KEDA's scales up from 0. It restarts at their minimum.
    for name in api worker; do
        [[ "$(kube get "deployment/$name" -o 'jsonpath={.spec.replicas}' 2>/dev/null || true)" == 0 ]] || continue
        minimum="$(kube get "hpa/$name" -o 'jsonpath={.spec.minReplicas}' 2>/dev/null || true)"
        [[ -n "$minimum" ]] || minimum="$(kube get "scaledobject/$name" -o 'jsonpath={.spec.minReplicaCount}' 2>/dev/null || true)"
        if ! kube scale "deployment/$name" --replicas="${minimum:-1}" >/dev/null; then
            failure="deployment/$name could not be scaled up from 0"
            break
        fi
        echo "deploy: deployment/$name was at 0 replicas; scaled to ${minimum:-1}"
    done
fi
if [[ -z "$failure" ]]; then
    for workload in deployment/api deployment/worker; do
        if ! kube rollout status "$workload" --timeout="$timeout"; then
            failure="$workload did not roll out within $timeout"
            break
        fi
    done
fi

# --- 4. health and smoke test -----------------------------------------------------
if [[ -z "$failure" ]]; then
    metrics_args=()
    if [[ -z "$base_url" ]]; then
        # shellcheck source=../lib/servers.sh
        . "$script_dir/../lib/servers.sh"
        http_port="$(hb_free_port)"
        metrics_port="$(hb_free_port)"
        kube port-forward --address 127.0.0.1 service/api "$http_port:80" "$metrics_port:9464" >"$work/port-forward.log" 2>&1 &
        forward_pid=$!
        for _ in $(seq 1 50); do
            hb_port_in_use "$http_port" && break
            sleep 0.2
        done
        base_url="http://127.0.0.1:$http_port"
        metrics_args=(--metrics-url "http://127.0.0.1:$metrics_port/metrics")
    fi
    if ! "$script_dir/../monitoring/check-health.sh" --allow-unknown "${metrics_args[@]}" "$base_url"; then
        failure="check-health.sh found the release unhealthy"
    elif [[ -n "$smoke" ]] && ! "$script_dir/smoke-test.sh" --wait 60 "$base_url"; then
        failure="the smoke test failed"
    fi
fi

if [[ -z "$failure" ]]; then
    state deployed
    echo "deploy: $environment now runs $image"
    exit 0
fi

echo "deploy: FAILED: $failure" >&2
if [[ -z "$rollback" ]]; then
    echo "deploy: --no-rollback: the failed release stays in place; roll back with: devops/scripts/deployment/rollback.sh $environment" >&2
    exit 1
fi
if [[ "$(revision api)" == "$before_api" && "$(revision worker)" == "$before_worker" ]]; then
    state unchanged
    echo "deploy: the Deployments kept their revision; nothing to roll back" >&2
    exit 1
fi
rollback_args=(--namespace "$namespace" --timeout "$timeout")
# Only what this release changed goes back: a Deployment whose template did not change kept its revision,
# and undoing it would move it to an older release.
[[ "$(revision api)" == "$before_api" ]] || rollback_args+=(--only api)
[[ "$(revision worker)" == "$before_worker" ]] || rollback_args+=(--only worker)
[[ -z "$context" ]] || rollback_args+=(--context "$context")
if "$script_dir/rollback.sh" "${rollback_args[@]}" "$environment"; then
    state rolled-back
    echo "deploy: rolled back to ${previous:-the previous revision}" >&2
else
    state rollback-failed
    echo "deploy: the rollback failed too; act by hand (docs/operations/ci-cd.md, Rollback)" >&2
fi
exit 1
