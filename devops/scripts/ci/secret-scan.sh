#!/usr/bin/env bash
# Scans for committed secrets (private keys, cloud and API tokens, connection
# strings with real-looking passwords) with secretlint's recommended rules.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/secret-scan.sh [-h|--help] [--dir DIR]

Without --dir, scans every file git tracks (and untracked files that are not
ignored) in the repository, with the rules in .secretlintrc.json and the
exceptions in .secretlintignore. With --dir, scans every file under DIR with
the same rules. Findings are printed masked.

Exit status: 0 when nothing is found, 1 when a secret is found or the
scanner fails, 2 on bad usage.
EOF_USAGE
}

scan_dir=""
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --dir)
            if (($# < 2)); then
                echo "secret-scan.sh: --dir needs a directory" >&2
                exit 2
            fi
            scan_dir="$2"
            shift
            ;;
        *)
            echo "secret-scan.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"
bin_dir="$("$script_dir/node-tools.sh" --bin-dir)"
config="$repo_root/.secretlintrc.json"

files=()
if [[ -n "$scan_dir" ]]; then
    if [[ ! -d "$scan_dir" ]]; then
        echo "secret-scan.sh: $scan_dir is not a directory" >&2
        exit 2
    fi
    cd "$scan_dir"
    while IFS= read -r -d '' file; do
        files+=("${file#./}")
    done < <(find . -type f -not -path './.git/*' -print0 | sort -z)
    ignore=()
else
    cd "$repo_root"
    while IFS= read -r -d '' file; do
        [[ -f "$file" ]] && files+=("$file")
    done < <(git ls-files -z --cached --others --exclude-standard)
    ignore=(--secretlintignore "$repo_root/.secretlintignore")
fi
if ((${#files[@]} == 0)); then
    echo "secret scan: no files"
    exit 0
fi

echo "secret scan (${#files[@]} files) ..."
if ! "$bin_dir/secretlint" --secretlintrc "$config" "${ignore[@]}" --maskSecrets "${files[@]}"; then
    echo "secret-scan.sh: possible secrets found (see above); remove them and rotate the exposed credentials" >&2
    exit 1
fi
echo "secret scan: nothing found"
