#!/usr/bin/env bash
# Runs yamllint with the repository's .yamllint.yaml over the YAML files that
# git tracks (or over the paths given).
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/lint-yaml.sh [-h|--help] [PATH...]

Lints YAML with yamllint and the settings in .yamllint.yaml. Without PATH,
every *.yml / *.yaml file tracked by git (plus untracked, not ignored ones) is
checked. yamllint is installed with apt-get when missing and running as root.
EOF_USAGE
}

paths=()
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            echo "lint-yaml.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *) paths+=("$1") ;;
    esac
    shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
cd "$repo_root"

if ! command -v yamllint >/dev/null 2>&1; then
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: yamllint (install it with: sudo apt-get install yamllint)" >&2
        exit 1
    fi
    log="$(mktemp "${TMPDIR:-/tmp}/hb-apt.XXXXXX.log")"
    echo "Installing yamllint (log: $log) ..." >&2
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends yamllint; } >"$log" 2>&1; then
        echo "lint-yaml.sh: apt-get install yamllint failed; last lines of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    rm -f "$log"
fi

if ((${#paths[@]} == 0)); then
    while IFS= read -r -d '' file; do
        [[ -f "$file" ]] && paths+=("$file")
    done < <(git ls-files -z --cached --others --exclude-standard -- '*.yml' '*.yaml' 2>/dev/null)
fi
if ((${#paths[@]} == 0)); then
    echo "yamllint: no YAML files"
    exit 0
fi

echo "yamllint (${#paths[@]} files) ..."
if ! yamllint --strict -c .yamllint.yaml "${paths[@]}"; then
    echo "lint-yaml.sh: yamllint found problems" >&2
    exit 1
fi
