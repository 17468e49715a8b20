#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Installs what the deployment checks need: haproxy, nginx and wrk from the distribution, and the
# Compose validator (dclint, pinned in devops/tools/package-lock.json) from npm.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/ci/deploy-tools.sh [-h|--help]

Makes sure the tools of the deployment tests are present (test.sh runs this):
  - haproxy, nginx, wrk    apt-get install when running as root, else one line
                           naming the packages to install
  - dclint                 npm ci in devops/tools (node >= 20.19 and npm needed)
EOF
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "deploy-tools.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

hb_ensure_packages --deploy

tools_dir="$repo_root/devops/tools"
# devops/tools has one installer, node-tools.sh (a lock and one stamp, Node.js from apt-get when missing): a
# second installer with its own stamp made a later run of either one reinstall the modules, removing dclint
# while tests used it.
"$script_dir/node-tools.sh"
node_version="$(node --version)"
node_version="${node_version#v}"
IFS=. read -r node_major node_minor _ <<<"$node_version"
if ((node_major < 20 || (node_major == 20 && node_minor < 19))); then
    echo "missing: Node.js 20.19 or newer (found $node_version), for the Compose validator" >&2
    exit 1
fi
if [[ ! -x "$tools_dir/node_modules/.bin/dclint" ]]; then
    echo "deploy-tools.sh: dclint is missing from $tools_dir/node_modules after the install" >&2
    exit 1
fi
