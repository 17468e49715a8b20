#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs the long fault-injection tests (the Chaos category) against throw-away
# PostgreSQL and Redis instances in a temporary directory, removed afterwards
# whether the tests pass or not. The short fault tests run in `make test`.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/ci/chaos.sh [-h|--help] [-- DOTNET_TEST_ARGS...]

Runs the long fault-injection tests (this is what `make chaos` does):

  1. checks for the .NET SDK 10, PostgreSQL >= 15 and redis-server
     (installs the packages with apt-get when run as root),
  2. starts PostgreSQL and Redis on free 127.0.0.1 ports inside a temporary
     directory, with random passwords (tests that stop a server start their
     own private one),
  3. builds the API, the worker and tests/Healthcare.IntegrationTests
     (Release) and runs the tests marked [Trait("Category", "Chaos")]:
     repeated API kills under booking load, repeated PostgreSQL restarts,
  4. stops both servers, deletes the temporary directory and prints
       chaos: N passed, N failed, N skipped

Exit status: the one of `dotnet test` (or of the build when it fails).
Arguments after `--` go to `dotnet test`, e.g.
  devops/scripts/ci/chaos.sh -- --logger "console;verbosity=detailed"
See docs/operations/chaos.md.
EOF_USAGE
}

extra_args=()
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --)
            shift
            extra_args+=("$@")
            break
            ;;
        *)
            echo "chaos.sh: unknown argument '$1' (see --help; pass dotnet test arguments after --)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

hb_require_dotnet
hb_ensure_packages

cd "$repo_root"
export MSBUILDDISABLENODEREUSE=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hb-chaos.XXXXXX")"
if [[ "$(id -u)" -eq 0 ]]; then
    # PostgreSQL runs as the postgres user and must reach $TMP/pg.
    chmod 711 "$TMP"
fi
pg_dir="$TMP/pg"
redis_dir="$TMP/redis"

# Runs from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    set +e
    hb_redis_stop "$redis_dir"
    hb_pg_stop "$pg_dir"
    rm -rf -- "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_password="$(openssl rand -hex 16)"
redis_password="$(openssl rand -hex 16)"
pg_port="$(hb_free_port)"
redis_port="$(hb_free_port)"
while [[ "$redis_port" == "$pg_port" ]]; do
    redis_port="$(hb_free_port)"
done

echo "Starting PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port ..."
HB_PG_SUPERUSER_PASSWORD="$(openssl rand -hex 16)" hb_pg_start "$pg_dir" "$pg_port"
hb_pg_ensure_db "$pg_dir" "$pg_port" hb_test "$pg_password" hb_test superuser
HB_REDIS_PASSWORD="$redis_password" hb_redis_start "$redis_dir" "$redis_port"

export TEST_DATABASE_URL="postgresql://hb_test:$pg_password@127.0.0.1:$pg_port/postgres"
export TEST_REDIS_URL="redis://:$redis_password@127.0.0.1:$redis_port"
TEST_PG_BIN="$(hb_pg_bin)"
export TEST_PG_BIN

# The tests start the built API and worker dlls as processes.
for project in src/Healthcare.Api src/Healthcare.Worker tests/Healthcare.IntegrationTests; do
    echo "Building $project (Release) ..."
    build_status=0
    dotnet build "$project" -c Release -nologo -v q || build_status=$?
    if ((build_status != 0)); then
        echo "chaos.sh: build of $project failed (exit status $build_status)" >&2
        exit "$build_status"
    fi
done

results_dir="$TMP/results"
test_status=0
dotnet test tests/Healthcare.IntegrationTests -c Release --no-build --nologo \
    --filter "Category=Chaos" \
    --logger "console;verbosity=detailed" \
    --logger "trx;LogFileName=chaos.trx" \
    --results-directory "$results_dir" \
    "${extra_args[@]}" || test_status=$?

counters="$(grep -o '<Counters [^>]*>' "$results_dir/chaos.trx" 2>/dev/null || true)"
count() {
    local value
    value="$(sed -n "s/.*[[:space:]]$1=\"\([0-9]*\)\".*/\1/p" <<<"$counters")"
    printf '%s\n' "${value:-0}"
}
total="$(count total)"
passed="$(count passed)"
failed=$(($(count failed) + $(count error) + $(count timeout) + $(count aborted)))
skipped=$((total - passed - failed))
((skipped > 0)) || skipped=0
echo "chaos: $passed passed, $failed failed, $skipped skipped"
if ((test_status == 0 && total == 0)); then
    echo "chaos.sh: no test in the Chaos category ran" >&2
    exit 1
fi
exit "$test_status"
