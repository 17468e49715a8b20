#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the solution in Release and runs every test project against
# throw-away PostgreSQL and Redis instances that live in a temporary directory
# and are removed afterwards, whether the tests pass or not.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/ci/test.sh [-h|--help] [-- DOTNET_TEST_ARGS...]

Runs the test suite (this is what `make test` does after linting):

  1. checks for the .NET SDK 10, PostgreSQL >= 15, redis-server, chromium,
     kubectl >= 1.27 and the deployment tools (deploy-tools.sh: haproxy,
     nginx, wrk, promtool, the npm checkers) (installs the packages with
     apt-get when run as root),
  2. starts PostgreSQL, a streaming replica of it, and Redis on free
     127.0.0.1 ports inside a temporary directory, with random passwords,
  3. builds HealthcareBackend.slnx (Release) and runs `dotnet test`,
  4. checks that the tests left no process running: every process started
     under `dotnet test` carries HB_TEST_RUN=<random token> in its
     environment; any still alive afterwards is listed (pid and command
     line), killed by pid, and fails the run,
  5. stops both servers, deletes the temporary directory and prints
       tests: N passed, N failed, N skipped
     followed by one "failed: NAME" line per failed test.

Exit status: the one of `dotnet test` (or of the build when it fails), or 1
when the tests passed but left processes running.

The tests receive:
  TEST_DATABASE_URL  postgresql://hb_test:...@127.0.0.1:PORT/postgres
                     (hb_test is a superuser: tests create their own databases)
  TEST_REDIS_URL     redis://:PASSWORD@127.0.0.1:PORT
  TEST_REPLICA_DATABASE_URL
                     a hot-standby streaming replica of TEST_DATABASE_URL
                     (pg_basebackup -R), same role and password
  TEST_PG_BIN        bin directory of the PostgreSQL server in use
  CHROMIUM_PATH      /usr/bin/chromium

With TEST_CPU_HOG=1 (`make test-under-load`), `stress-ng --cpu 2` (installed
with apt-get when run as root) runs beside `dotnet test` and is stopped by pid
afterwards, also when the tests fail: the tests must pass on a busy machine
(their waits scale with TEST_TIMEOUT_SCALE; see docs/architecture.md,
"How tests get their servers").

Tests marked [Trait("Category", "Chaos")] (the long fault-injection runs) are
left out unless a --filter is given; `make chaos` (chaos.sh) runs them. With
a --filter, patroni and etcd-server (the failover rehearsal, FailoverTests)
are installed too when run as root.

Extra `dotnet test` arguments come from the TEST_ARGS environment variable
(shell quoting allowed) and/or from the arguments after `--`, e.g.
  TEST_ARGS='--filter "Category!=Browser"' devops/scripts/ci/test.sh
  devops/scripts/ci/test.sh -- --filter FullyQualifiedName~Patients
EOF
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
            echo "test.sh: unknown argument '$1' (see --help; pass dotnet test arguments after --)" >&2
            exit 2
            ;;
    esac
done
if [[ -n "${TEST_ARGS:-}" ]]; then
    # Parsed with shell quoting rules so a filter may contain spaces.
    env_args=()
    if ! eval "env_args=(${TEST_ARGS})"; then
        echo "test.sh: TEST_ARGS could not be parsed: ${TEST_ARGS}" >&2
        exit 2
    fi
    extra_args=("${env_args[@]}" "${extra_args[@]}")
fi

has_filter=0
for arg in "${extra_args[@]}"; do
    [[ "$arg" == --filter* ]] && has_filter=1
done
if ((has_filter == 0)); then
    extra_args+=(--filter "Category!=Chaos")
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

cpu_hog=""
case "${TEST_CPU_HOG:-}" in
    "" | 0) ;;
    1) cpu_hog=1 ;;
    *)
        echo "test.sh: TEST_CPU_HOG must be 1 or 0, not '${TEST_CPU_HOG}'" >&2
        exit 2
        ;;
esac

hb_require_dotnet
hb_ensure_packages --browser ${cpu_hog:+--load}
# haproxy, nginx, wrk and the Compose validator for the deployment tests.
"$script_dir/deploy-tools.sh"
# The Kubernetes manifest tests need it; without it they fail and say why, the rest still runs.
hb_ensure_kubectl || true
# Patroni and etcd for the failover rehearsal (FailoverTests, a Chaos test): only when a filter was given,
# since the default run leaves the Chaos tests out. Without them that test fails and says why.
if ((has_filter == 1)); then
    hb_ensure_failover_packages || true
fi

cd "$repo_root"
solution="HealthcareBackend.slnx"
if [[ ! -f "$solution" ]]; then
    echo "test.sh: $repo_root/$solution not found" >&2
    exit 1
fi

# Keep MSBuild from leaving reusable build nodes running after the script.
export MSBUILDDISABLENODEREUSE=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hb-test.XXXXXX")"
if [[ "$(id -u)" -eq 0 ]]; then
    # PostgreSQL runs as the postgres user and must reach $TMP/pg.
    chmod 711 "$TMP"
fi
pg_dir="$TMP/pg"
replica_dir="$TMP/pg-replica"
redis_dir="$TMP/redis"

# Runs from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    set +e
    # Interrupted during `dotnet test`: its processes go before the servers they use.
    [[ -z "$run_token" ]] || stop_leftovers
    hb_stop_pidfile "$TMP/stress-ng.pid" 10 stress-ng
    hb_redis_stop "$redis_dir"
    hb_pg_stop "$replica_dir"
    hb_pg_stop "$pg_dir"
    rm -rf -- "$TMP"
    exit "$status"
}
# Every process started under `dotnet test` inherits HB_TEST_RUN=$run_token;
# set just before it, so neither the servers above nor the build's compiler
# servers carry it.
run_token=""
leftovers=0

# Prints the pids of the live processes that carry the token.
test_run_pids() {
    grep -lzxF "HB_TEST_RUN=$run_token" /proc/[0-9]*/environ 2>/dev/null |
        sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p' || true
}

# Lists the processes the tests left running, kills them by pid (TERM, KILL
# after 5 s) and adds their number to `leftovers`.
stop_leftovers() {
    local -a pids=()
    local pid deadline=$((SECONDS + 5))
    # The test host kills what it tracks as it exits: give those a moment.
    while mapfile -t pids < <(test_run_pids) && ((${#pids[@]} > 0 && SECONDS < deadline)); do
        sleep 0.2
    done
    ((${#pids[@]} > 0)) || return 0
    leftovers=$((leftovers + ${#pids[@]}))
    for pid in "${pids[@]}"; do
        echo "test.sh: left running by the tests: pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" >&2
        kill -TERM "$pid" 2>/dev/null || true
    done
    deadline=$((SECONDS + 5))
    while mapfile -t pids < <(test_run_pids) && ((${#pids[@]} > 0 && SECONDS < deadline)); do
        sleep 0.2
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_password="$(openssl rand -hex 16)"
pg_superuser_password="$(openssl rand -hex 16)"
redis_password="$(openssl rand -hex 16)"

pg_port="$(hb_free_port)"
redis_port="$(hb_free_port)"
while [[ "$redis_port" == "$pg_port" ]]; do
    redis_port="$(hb_free_port)"
done

echo "Starting PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port ..."
HB_PG_SUPERUSER_PASSWORD="$pg_superuser_password" hb_pg_start "$pg_dir" "$pg_port"
hb_pg_ensure_db "$pg_dir" "$pg_port" hb_test "$pg_password" hb_test superuser
HB_REDIS_PASSWORD="$redis_password" hb_redis_start "$redis_dir" "$redis_port"
replica_port="$(hb_free_port)"
echo "Starting a streaming replica of it on 127.0.0.1:$replica_port ..."
hb_pg_replica_start "$pg_dir" "$pg_port" "$replica_dir" "$replica_port"

export TEST_DATABASE_URL="postgresql://hb_test:$pg_password@127.0.0.1:$pg_port/postgres"
export TEST_REDIS_URL="redis://:$redis_password@127.0.0.1:$redis_port"
export TEST_REPLICA_DATABASE_URL="postgresql://hb_test:$pg_password@127.0.0.1:$replica_port/postgres"
TEST_PG_BIN="$(hb_pg_bin)"
export TEST_PG_BIN
export CHROMIUM_PATH=/usr/bin/chromium

# Local .NET tools (.config/dotnet-tools.json): Kiota generates the .NET SDK in the client tests.
dotnet tool restore >/dev/null

echo "Building $solution (Release) ..."
build_status=0
dotnet build "$solution" -c Release -nologo || build_status=$?
if ((build_status != 0)); then
    echo "test.sh: build failed (exit status $build_status)" >&2
    exit "$build_status"
fi

results_dir="$TMP/results"
test_status=0
if [[ -n "$cpu_hog" ]]; then
    # Started before the token is set: it is not one of the tests' processes.
    stress-ng --cpu 2 --quiet </dev/null >"$TMP/stress-ng.log" 2>&1 &
    echo "$!" >"$TMP/stress-ng.pid"
    echo "Running the tests beside stress-ng --cpu 2 (pid $!) ..."
fi
run_token="$(openssl rand -hex 16)"
HB_TEST_RUN="$run_token" dotnet test "$solution" -c Release --no-build --nologo \
    --logger "console;verbosity=normal" \
    --logger "trx;LogFilePrefix=results" \
    --results-directory "$results_dir" \
    "${extra_args[@]}" || test_status=$?
stop_leftovers
hb_stop_pidfile "$TMP/stress-ng.pid" 10 stress-ng

# Prints the value of attribute NAME from a <Counters .../> element (0 when
# absent).
counter() {
    local element="$1" name="$2" value
    value="$(sed -n "s/.*[[:space:]]$name=\"\([0-9]*\)\".*/\1/p" <<<"$element")"
    printf '%s\n' "${value:-0}"
}

passed=0
failed=0
skipped=0
while IFS= read -r -d '' trx; do
    while IFS= read -r element; do
        total="$(counter "$element" total)"
        ok="$(counter "$element" passed)"
        bad=$(($(counter "$element" failed) + $(counter "$element" error) +
            $(counter "$element" timeout) + $(counter "$element" aborted)))
        rest=$((total - ok - bad))
        ((rest > 0)) || rest=0
        passed=$((passed + ok))
        failed=$((failed + bad))
        skipped=$((skipped + rest))
    done < <(grep -o '<Counters [^>]*>' "$trx" || true)
done < <(find "$results_dir" -type f -name '*.trx' -print0 2>/dev/null)

echo "tests: $passed passed, $failed failed, $skipped skipped"
# The names of the failed tests come last, so a log's tail says what failed.
if ((failed > 0)); then
    find "$results_dir" -type f -name '*.trx' -exec grep -ho '<UnitTestResult [^>]*outcome="Failed"[^>]*>' {} + |
        sed -n 's/.*testName="\([^"]*\)".*/failed: \1/p' | sort -u || true
fi
if ((leftovers > 0)); then
    echo "test.sh: the tests left $leftovers process(es) running (listed above, killed); failing the run" >&2
    ((test_status != 0)) || test_status=1
fi
exit "$test_status"
