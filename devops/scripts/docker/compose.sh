#!/usr/bin/env bash
# The Docker Compose side of the Makefile: make start/logs/stop/restart/rebuild (development) and
# make prod-start/prod-logs/prod-stop (production on one host).
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/docker/compose.sh dev|prod ACTION [-h|--help]

  dev  start     build the development image, create missing secrets, start everything
                 (set TOOLS=1 for pgAdmin, Redis Commander and Adminer)       make start
  dev  logs      follow the logs                                              make logs
  dev  stop      stop and remove the containers; volumes (data) are kept      make stop
  dev  restart   stop, then start                                             make restart
  dev  rebuild   rebuild the image without cache, recreate the containers     make rebuild
  prod start     build (or pull HEALTHCARE_IMAGE), migrate, start, wait until healthy
                                                                              make prod-start
  prod logs      follow the logs                                              make prod-logs
  prod stop      stop and remove the containers; volumes (data) are kept      make prod-stop

Needs Docker with the compose plugin (v2.24 or newer) and a running engine.
Without Docker, `make run` runs the same backend from local processes.
Guide: docs/operations/docker.md
EOF
}

case "${1:-}" in
    -h | --help | "")
        usage
        exit 0
        ;;
esac
env_name="$1"
action="${2:-}"
case "$env_name" in
    dev | prod) ;;
    *)
        echo "compose.sh: first argument must be dev or prod (see --help)" >&2
        exit 2
        ;;
esac
case "$env_name:$action" in
    dev:start | dev:logs | dev:stop | dev:restart | dev:rebuild | prod:start | prod:logs | prod:stop) ;;
    *)
        echo "compose.sh: unknown action '$action' for $env_name (see --help)" >&2
        exit 2
        ;;
esac

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
docker_dir="$repo_root/devops/docker"
secrets_dir="$docker_dir/secrets/$env_name"

# One line and a non-zero exit when Docker cannot be used, before anything else happens.
target="make $action"
[[ "$env_name" != prod ]] || target="make prod-$action"
if ! command -v docker >/dev/null 2>&1 || ! docker compose version >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
    echo "$target needs Docker with the compose plugin and a running engine, which this machine lacks; \`make run\` starts the backend without Docker." >&2
    exit 1
fi

compose=(docker compose -f "$docker_dir/docker-compose.$env_name.yml")

require_prod_secrets() {
    local file missing=()
    for file in app.env migrate.env backup.env postgres.env redis.env haproxy.env; do
        [[ -s "$secrets_dir/$file" ]] || missing+=("$file")
    done
    compgen -G "$secrets_dir/jwt/*.pem" >/dev/null || missing+=("jwt/*.pem")
    compgen -G "$secrets_dir/tls/*.pem" >/dev/null || missing+=("tls/*.pem")
    if ((${#missing[@]} > 0)); then
        echo "$target: missing in $secrets_dir: ${missing[*]}; create them with devops/scripts/docker/init-secrets.sh prod (see docs/operations/docker.md)" >&2
        exit 1
    fi
    if grep -q '^[A-Z_]*=.*example\.com' "$secrets_dir/app.env"; then
        echo "$target: set SMTP_HOST, MAIL_FROM and PUBLIC_APP_URL in $secrets_dir/app.env (they still name example.com)" >&2
        exit 1
    fi
}

dev_up() {
    "$script_dir/init-secrets.sh" dev
    local -a profiles=()
    [[ -z "${TOOLS:-}" ]] || profiles=(--profile tools)
    "${compose[@]}" "${profiles[@]}" up -d --build "$@"
    cat <<EOF

  Healthcare backend (Docker Compose, development)
    API       http://localhost:8088   (docs /docs, health /health/ready; hot reload)
    Worker    http://localhost:8089/health/ready
    Logins    .data/docker-demo-credentials.txt (written by the migrate service on first start)
    Logs      make logs        Stop  make stop
EOF
    if [[ -n "${TOOLS:-}" ]]; then
        echo "    Tools     pgAdmin http://localhost:5050, Redis Commander http://localhost:8081, Adminer http://localhost:8082"
    fi
}

case "$env_name:$action" in
    dev:start) dev_up ;;
    dev:logs) "${compose[@]}" logs -f --tail=200 ;;
    dev:stop) "${compose[@]}" --profile tools down ;;
    dev:restart)
        "${compose[@]}" --profile tools down
        dev_up
        ;;
    dev:rebuild)
        "$script_dir/init-secrets.sh" dev
        "${compose[@]}" build --no-cache --pull
        dev_up --force-recreate
        ;;
    prod:start)
        require_prod_secrets
        if [[ -n "${HEALTHCARE_IMAGE:-}" ]]; then
            "${compose[@]}" pull
            "${compose[@]}" up -d --no-build --wait
        else
            "${compose[@]}" up -d --build --wait
        fi
        echo "Healthcare backend is up behind HAProxy on ports 80 and 443 (make prod-logs, make prod-stop)."
        ;;
    prod:logs) "${compose[@]}" logs -f --tail=200 ;;
    prod:stop) "${compose[@]}" down ;;
esac
