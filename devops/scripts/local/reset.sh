#!/usr/bin/env bash
# Stops the local backend and deletes all of its state in .data/ (database,
# Redis data, generated secrets, TLS certificate, logs). Asks nothing.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/local/reset.sh [-h|--help]

Stops the local backend (like `make stop-local`) and removes .data/ with the
local PostgreSQL and Redis data, the generated secrets, the development TLS
certificate and the logs (this is what `make reset-local` does). The next
`make run` starts from scratch with new secrets and fresh demo data.
EOF
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "reset.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
data_dir="$repo_root/.data"

if ! "$script_dir/stop.sh"; then
    echo "reset.sh: could not stop the local services; $data_dir was left in place" >&2
    exit 1
fi

if [[ -e "$data_dir" || -L "$data_dir" ]]; then
    rm -rf -- "$data_dir"
    echo "Removed $data_dir (PostgreSQL and Redis data, secrets, TLS certificate, logs)"
else
    echo "Nothing to remove: $data_dir does not exist"
fi
