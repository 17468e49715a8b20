#!/usr/bin/env bash
# Fails when any NuGet package of the solution, direct or transitive, has a
# known vulnerability of high or critical severity (per the package sources'
# vulnerability data, as `dotnet list package --vulnerable` reports it).
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/vulnerable-packages.sh [-h|--help] [--report FILE]

Restores HealthcareBackend.slnx, runs
  dotnet list HealthcareBackend.slnx package --vulnerable --include-transitive --format json
and fails when a package has an advisory of severity High or Critical
(Moderate and Low are listed but do not fail).

  --report FILE   check a saved JSON report instead of running dotnet
EOF_USAGE
}

report=""
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --report)
            if (($# < 2)); then
                echo "vulnerable-packages.sh: --report needs a file" >&2
                exit 2
            fi
            report="$2"
            shift
            ;;
        *)
            echo "vulnerable-packages.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

if [[ -z "$report" ]]; then
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "missing: .NET SDK 10 (see https://learn.microsoft.com/dotnet/core/install/linux)" >&2
        exit 1
    fi
    export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    cd "$repo_root"
    report="$(mktemp "${TMPDIR:-/tmp}/hb-vulnerable.XXXXXX.json")"
    trap 'rm -f "$report"' EXIT
    dotnet restore HealthcareBackend.slnx --nologo -v q >/dev/null
    if ! dotnet list HealthcareBackend.slnx package --vulnerable --include-transitive --format json >"$report"; then
        echo "vulnerable-packages.sh: dotnet list package --vulnerable failed" >&2
        cat "$report" >&2
        exit 1
    fi
elif [[ ! -f "$report" ]]; then
    echo "vulnerable-packages.sh: $report: no such file" >&2
    exit 2
fi

# The JSON report names each vulnerable package ("id") followed by its
# advisories ("severity", "advisoryurl"). Print one line per advisory.
findings="$(awk '
    /"id"[[:space:]]*:/ { id = $0; sub(/.*"id"[[:space:]]*:[[:space:]]*"/, "", id); sub(/".*/, "", id) }
    /"resolvedVersion"[[:space:]]*:/ { v = $0; sub(/.*"resolvedVersion"[[:space:]]*:[[:space:]]*"/, "", v); sub(/".*/, "", v) }
    /"severity"[[:space:]]*:/ { s = $0; sub(/.*"severity"[[:space:]]*:[[:space:]]*"/, "", s); sub(/".*/, "", s) }
    /"advisoryurl"[[:space:]]*:/ { u = $0; sub(/.*"advisoryurl"[[:space:]]*:[[:space:]]*"/, "", u); sub(/".*/, "", u); print s "\t" id " " v "\t" u }
' "$report" | sort -u)"

# Problems dotnet reports (a source without vulnerability data, say) are shown, so an empty list
# is not mistaken for a clean bill of health.
sed -n 's/.*"text"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/warning: \1/p' "$report" >&2

if [[ -z "$findings" ]]; then
    echo "vulnerable packages: none"
    exit 0
fi
printf '%s\n' "$findings"
if grep -qiE '^(high|critical)[[:space:]]' <<<"$findings"; then
    echo "vulnerable-packages.sh: packages with high or critical vulnerabilities (see above); update them in Directory.Packages.props" >&2
    exit 1
fi
echo "vulnerable packages: only moderate or low severity"
