#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stops everything `make run` started from .data/: the run script itself, the
# API, the worker, Redis and PostgreSQL. Quiet and successful when nothing runs.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/local/stop.sh [-h|--help]

Stops the local backend started by `make run` (this is what `make stop-local`
does): the run script, the API and the worker (by their pid files in
.data/run), then Redis and PostgreSQL of .data/. Data is kept.
Prints nothing and succeeds when nothing is running.
EOF
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "stop.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

data_dir="$repo_root/.data"
run_dir="$data_dir/run"
[[ -d "$data_dir" ]] || exit 0

# Stops the process in a pid file, saying so only when it was running.
stop_recorded() {
    local name="$1" file="$2" grace="$3" expect="$4" pid
    if pid="$(_hb_read_pid "$file")" && _hb_pid_alive "$pid" && _hb_pid_cmdline_has "$pid" "$expect"; then
        echo "Stopping $name (pid $pid) ..."
    fi
    hb_stop_pidfile "$file" "$grace" "$expect"
}

# The run script stops its own children when it gets TERM; give it time to
# let the API and the worker finish gracefully (30 s each at most).
stop_recorded "run script" "$run_dir/run.pid" 90 "run.sh"
stop_recorded API "$run_dir/api.pid" 30 "Healthcare.Api.dll"
stop_recorded worker "$run_dir/worker.pid" 30 "Healthcare.Worker.dll"

if hb_redis_running "$data_dir/redis"; then
    echo "Stopping Redis ..."
    hb_redis_stop "$data_dir/redis"
fi
if hb_pg_running "$data_dir/postgres"; then
    echo "Stopping PostgreSQL ..."
    hb_pg_stop "$data_dir/postgres"
fi
