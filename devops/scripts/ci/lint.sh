#!/usr/bin/env bash
# Checks formatting of the C# code (dotnet format) and of the shell scripts
# (shellcheck). Reports every problem found before failing.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/ci/lint.sh [-h|--help]

Runs the linters (this is what `make lint` does):
  - dotnet format HealthcareBackend.slnx --verify-no-changes, and the same for
    clients/dotnet/HealthcareBackend.Client.slnx (its generated client excluded)
    (fix findings with `make format`)
  - shellcheck on every *.sh under devops/ and on .ci/run
    (installed with apt-get when missing and running as root)
  - yamllint on the repository's YAML (devops/scripts/ci/lint-yaml.sh)
EOF
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "lint.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
cd "$repo_root"

export MSBUILDDISABLENODEREUSE=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

ensure_shellcheck() {
    command -v shellcheck >/dev/null 2>&1 && return 0
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: install it with: sudo apt-get install shellcheck" >&2
        exit 1
    fi
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/hb-apt.XXXXXX.log")"
    echo "Installing shellcheck (log: $log) ..." >&2
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends shellcheck; } >"$log" 2>&1; then
        echo "lint.sh: apt-get install shellcheck failed; last lines of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    rm -f "$log"
}

status=0

solution="HealthcareBackend.slnx"
sdk_solution="clients/dotnet/HealthcareBackend.Client.slnx"
sdk_generated="clients/dotnet/src/HealthcareBackend.Client/Generated"
if ! command -v dotnet >/dev/null 2>&1; then
    echo "missing: .NET SDK 10 (see https://learn.microsoft.com/dotnet/core/install/linux)" >&2
    status=1
elif [[ ! -f "$solution" ]]; then
    echo "lint.sh: $repo_root/$solution not found" >&2
    status=1
else
    echo "dotnet format --verify-no-changes ..."
    if ! dotnet format "$solution" --verify-no-changes -v q; then
        echo "lint.sh: dotnet format found problems (run: make format)" >&2
        status=1
    fi
    # The .NET SDK's hand-written code; its generated client is Kiota's to format.
    if ! dotnet format "$sdk_solution" --verify-no-changes -v q --exclude "$sdk_generated"; then
        echo "lint.sh: dotnet format found problems in clients/dotnet (run: make format)" >&2
        status=1
    fi
fi

ensure_shellcheck
scripts=()
while IFS= read -r -d '' file; do
    scripts+=("$file")
done < <(find devops -type f -name '*.sh' -print0 | sort -z)
[[ ! -f .ci/run ]] || scripts+=(.ci/run)
if ((${#scripts[@]} > 0)); then
    echo "shellcheck (${#scripts[@]} files) ..."
    if ! shellcheck -x "${scripts[@]}"; then
        echo "lint.sh: shellcheck found problems" >&2
        status=1
    fi
fi

if ! "$script_dir/lint-yaml.sh"; then
    status=1
fi

if ((status == 0)); then
    echo "lint: ok"
fi
exit "$status"
