#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs the long fault-injection tests (the Chaos category) and a long fuzzing
# run, on the same throw-away servers as `make test` (test.sh does the work).
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/chaos.sh [-h|--help] [-- DOTNET_TEST_ARGS...]

Runs the long reliability tests (this is what `make chaos` does) through
devops/scripts/ci/test.sh, so the same packages are installed and the same
throw-away PostgreSQL (with its replica) and Redis are started and removed:

  - the tests marked [Trait("Category", "Chaos")]: repeated API kills under
    booking load, repeated PostgreSQL restarts, and a failover rehearsal
    (FailoverTests: the primary node of a two-node Patroni cluster killed
    under booking load; test.sh installs patroni and etcd-server for it),
  - OpenApiFuzzTests with FUZZ_CASES requests (default here 50,000; the
    normal suite runs 5,000). FUZZ_SEED replays a failing run.

Exit status: the one of `dotnet test` (or of the build when it fails).
Arguments after `--` go to `dotnet test`. See docs/operations/chaos.md.
EOF_USAGE
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    -- | "") ;;
    *)
        echo "chaos.sh: unknown argument '$1' (see --help; pass dotnet test arguments after --)" >&2
        exit 2
        ;;
esac
[[ "${1:-}" == "--" ]] && shift

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
export FUZZ_CASES="${FUZZ_CASES:-50000}"
exec "$script_dir/test.sh" -- --filter "Category=Chaos|FullyQualifiedName~OpenApiFuzzTests" "$@"
