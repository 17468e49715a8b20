#!/usr/bin/env bash
# Lints the Dockerfiles of the deployment kit: with hadolint when it is
# installed, and always with dockerfile-utils (from node-tools.sh), which
# needs nothing but Node.js.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/lint-dockerfile.sh [-h|--help] [DOCKERFILE...]

Lints each DOCKERFILE (default: every Dockerfile* under devops/) with
dockerfile-utils and, when `hadolint` is on PATH (as in the CI workflow),
with hadolint too. Prints "no Dockerfiles" and succeeds when there are none.
EOF_USAGE
}

files=()
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            echo "lint-dockerfile.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *) files+=("$1") ;;
    esac
    shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

if ((${#files[@]} == 0)); then
    while IFS= read -r -d '' file; do
        files+=("$file")
    done < <(find "$repo_root/devops" -type f -name 'Dockerfile*' -not -path '*/node_modules/*' -print0 | sort -z)
fi
if ((${#files[@]} == 0)); then
    echo "no Dockerfiles"
    exit 0
fi

bin_dir="$("$script_dir/node-tools.sh" --bin-dir)"
status=0
for file in "${files[@]}"; do
    if [[ ! -f "$file" ]]; then
        echo "lint-dockerfile.sh: $file: no such file" >&2
        status=1
        continue
    fi
    ok=1
    if ! "$bin_dir/dockerfile-utils" lint "$file"; then
        ok=""
    fi
    if command -v hadolint >/dev/null 2>&1 && ! hadolint "$file"; then
        ok=""
    fi
    if [[ -n "$ok" ]]; then
        echo "ok: ${file#"$repo_root"/}"
    else
        echo "lint-dockerfile.sh: $file has problems" >&2
        status=1
    fi
done
exit "$status"
