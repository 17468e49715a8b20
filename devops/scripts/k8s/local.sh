#!/usr/bin/env bash
# The local Kubernetes cluster (kind) behind `make k8s-local-deploy`, `make k8s-local-access` and
# `make k8s-local-stop`: creates the cluster, builds and loads the image, applies the local overlay.
set -euo pipefail

# Builtins only (read, printf): usage must print even without a usable PATH.
usage() {
    local text
    IFS= read -r -d '' text <<'USAGE' || true
Usage: devops/scripts/k8s/local.sh [-h|--help] deploy|access|stop

  deploy  create the kind cluster (if missing), build healthcare-backend:0.0.0-local from
          devops/docker/Dockerfile and load it into kind, create the Secrets healthcare-secrets
          and healthcare-db-owner, -app, -backup and -superuser (the database roles) with random
          values (each only when missing), apply devops/kubernetes/namespace and
          devops/kubernetes/overlays/local, and wait
          for the migration Job and the rollouts
  access  forward the API to http://localhost:8088 until Ctrl-C
  stop    delete the kind cluster and everything in it

Needs kind, kubectl and Docker (with a running engine); each command names the first one
missing in one line and exits 1.

Environment:
  KIND_CLUSTER      cluster name (default healthcare; kubectl context kind-NAME)
  LOCAL_HTTP_PORT   local port of `access` (default 8088)
  ROLLOUT_TIMEOUT   how long deploy waits for each step (default 10m)
USAGE
    printf '%s' "$text"
}

command=""
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        deploy | access | stop)
            if [[ -n "$command" ]]; then
                echo "local.sh: one command at a time (see --help)" >&2
                exit 2
            fi
            command="$1"
            ;;
        *)
            echo "local.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done
if [[ -z "$command" ]]; then
    echo "local.sh: say deploy, access or stop (see --help)" >&2
    exit 2
fi

# Only shell builtins until the tools are checked, so a missing tool is reported, not a missing dirname.
script_path="${BASH_SOURCE[0]}"
[[ "$script_path" == */* ]] || script_path="./$script_path"
repo_root="$(cd "${script_path%/*}/../../.." && pwd -P)"

cluster="${KIND_CLUSTER:-healthcare}"
context="kind-$cluster"
namespace="healthcare-backend"
image="healthcare-backend:0.0.0-local"
timeout="${ROLLOUT_TIMEOUT:-10m}"

require() {
    local tool="$1" hint="$2"
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "k8s-local-$command: $tool is not installed ($hint)" >&2
        exit 1
    fi
}

require_kind() { require kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"; }
require_kubectl() { require kubectl "https://kubernetes.io/docs/tasks/tools/"; }
require_docker() {
    require docker "https://docs.docker.com/engine/install/"
    if ! docker info >/dev/null 2>&1; then
        echo "k8s-local-$command: Docker is installed but its engine is not running (docker info failed)" >&2
        exit 1
    fi
}

cluster_exists() {
    kind get clusters 2>/dev/null | grep -qx -- "$cluster"
}

kube() {
    kubectl --context "$context" --namespace "$namespace" "$@"
}

# Creates the basic-auth Secret NAME of the database role USER (username, password, uri) with a fresh
# random password unless it exists. The values go through files, never a command line.
ensure_database_secret() {
    local name="$1" user="$2" dir password
    if kube get secret "$name" >/dev/null 2>&1; then
        return 0
    fi
    dir="$(mktemp -d "${TMPDIR:-/tmp}/hb-k8s.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: the directory is local to this function
    trap "rm -rf -- '$dir'" RETURN
    password="$(openssl rand -hex 24)"
    printf '%s' "$user" >"$dir/username"
    printf '%s' "$password" >"$dir/password"
    printf '%s' "postgresql://$user:$password@postgres:5432/healthcare" >"$dir/uri"
    echo "Creating the Secret $name (database role $user) with a random password ..."
    kube create secret generic "$name" --type=kubernetes.io/basic-auth \
        --from-file=username="$dir/username" --from-file=password="$dir/password" --from-file=uri="$dir/uri" >/dev/null
}

# Creates the Secrets with fresh random values unless they exist (they stay for the cluster's life).
ensure_secret() {
    ensure_database_secret healthcare-db-superuser postgres
    ensure_database_secret healthcare-db-owner healthcare
    ensure_database_secret healthcare-db-app healthcare_app
    ensure_database_secret healthcare-db-backup healthcare_backup
    if kube get secret healthcare-secrets >/dev/null 2>&1; then
        return 0
    fi
    local dir redis_password
    dir="$(mktemp -d "${TMPDIR:-/tmp}/hb-k8s.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: the directory is local to this function
    trap "rm -rf -- '$dir'" RETURN
    redis_password="$(openssl rand -hex 24)"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/local-1.pem" 2>/dev/null
    echo "Creating the Secret healthcare-secrets with random values ..."
    kube create secret generic healthcare-secrets \
        --from-literal=redis-url="redis://:$redis_password@redis:6379" \
        --from-literal=redis-password="$redis_password" \
        --from-literal=data-encryption-keys="local1:$(openssl rand -base64 32)" \
        --from-literal=blind-index-key="$(openssl rand -base64 32)" \
        --from-file=local-1.pem="$dir/local-1.pem" >/dev/null
}

deploy() {
    require_kind
    require_kubectl
    require_docker
    require openssl "apt-get install openssl"
    if [[ ! -f "$repo_root/devops/docker/Dockerfile" ]]; then
        echo "k8s-local-deploy: devops/docker/Dockerfile is missing; the image cannot be built" >&2
        exit 1
    fi

    if cluster_exists; then
        echo "Using the kind cluster '$cluster'."
    else
        echo "Creating the kind cluster '$cluster' ..."
        kind create cluster --name "$cluster" --wait 120s
    fi

    echo "Building $image ..."
    docker build --file "$repo_root/devops/docker/Dockerfile" --tag "$image" "$repo_root"
    kind load docker-image "$image" --name "$cluster"

    # What an administrator applies once on a real cluster: the namespace, its Pod Security labels, the Roles.
    kubectl --context "$context" apply -k "$repo_root/devops/kubernetes/namespace" >/dev/null
    ensure_secret

    # A Job's pod template cannot change: the previous migration Job goes before the new one is applied.
    kube delete job migrate --ignore-not-found >/dev/null
    kubectl --context "$context" apply -k "$repo_root/devops/kubernetes/overlays/local"

    echo "Waiting for PostgreSQL, Redis and the migrations (up to $timeout each) ..."
    kube rollout status statefulset/postgres --timeout="$timeout"
    kube rollout status statefulset/redis --timeout="$timeout"
    if ! kube wait --for=condition=complete job/migrate --timeout="$timeout"; then
        kube logs job/migrate --all-containers --tail=30 >&2 || true
        echo "k8s-local-deploy: the migration Job did not complete (its log is above; a PostgreSQL volume from before the database roles has none of them: make k8s-local-stop, then deploy again)" >&2
        exit 1
    fi
    kube rollout status deployment/api --timeout="$timeout"
    kube rollout status deployment/worker --timeout="$timeout"
    echo "Deployed. Run 'make k8s-local-access' and open http://localhost:${LOCAL_HTTP_PORT:-8088}/health/ready"
}

access() {
    require_kubectl
    require_kind
    if ! cluster_exists; then
        echo "k8s-local-access: there is no kind cluster '$cluster'; run 'make k8s-local-deploy' first" >&2
        exit 1
    fi
    local port="${LOCAL_HTTP_PORT:-8088}"
    echo "Forwarding http://localhost:$port to service/api in $namespace (Ctrl-C stops) ..."
    exec kubectl --context "$context" --namespace "$namespace" port-forward --address 127.0.0.1 service/api "$port:80"
}

stop() {
    require_kind
    require_docker
    if ! cluster_exists; then
        echo "There is no kind cluster '$cluster'; nothing to stop."
        return 0
    fi
    kind delete cluster --name "$cluster"
}

"$command"
