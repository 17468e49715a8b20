#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Loads the seed-large data set (load-test volume) into the `make run` database, or into the
# database of DATABASE_URL when that is set.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/local/seed-large.sh [-h|--help]

Loads a realistic volume of fictitious data (this is `make seed-large`):
20 clinics, 500 practitioners with working hours, 200,000 patients,
2,000,000 appointments over the past year and the months ahead, clinical
notes and allergies, and three bench accounts (clinic admin, doctor,
patient) whose passwords go to .data/bench-credentials.txt (mode 600).

Target database:
  - DATABASE_URL set: that database, with the credentials of its owner (the
    load migrates first). DATA_ENCRYPTION_KEYS, BLIND_INDEX_KEY and
    JWT_SIGNING_KEYS_DIR must be the API's, so that it can read the rows.
  - otherwise the `make run` database in .data/, as its owner healthcare
    (with its keys from .data/secrets.env). Its PostgreSQL is started for the
    load if `make run` is not running, and stopped again afterwards.

The migrations are applied first. A database that has the bench clinics
already is left alone; the load runs in one transaction, so a failed load
leaves nothing behind. Never in Production.

Environment:
  SEED_SCALE          multiplies every default size (e.g. 0.01)
  SEED_CLINICS, SEED_PRACTITIONERS, SEED_PATIENTS, SEED_APPOINTMENTS
                      exact sizes, overriding the scale
  LOCAL_PG_PORT       the make run PostgreSQL port (default 55432)
EOF
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "seed-large.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

hb_require_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1
cd "$repo_root"
data_dir="$repo_root/.data"
pg_dir="$data_dir/postgres"
started_pg=""

# Called from the traps.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    set +e
    if [[ -n "$started_pg" ]]; then
        hb_pg_stop "$pg_dir"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${DATABASE_URL:-}" ]]; then
    secrets_file="$data_dir/secrets.env"
    if [[ ! -f "$secrets_file" || ! -f "$pg_dir/pgdata/PG_VERSION" ]]; then
        echo "seed-large.sh: no local database yet; run \`make run\` once first (or set DATABASE_URL and the keys)" >&2
        exit 1
    fi
    # shellcheck disable=SC2119
    hb_ensure_packages
    PG_PASSWORD=""
    # shellcheck source=/dev/null
    . "$secrets_file"
    pg_port="${LOCAL_PG_PORT:-55432}"
    if ! hb_pg_running "$pg_dir"; then
        echo "Starting the local PostgreSQL on 127.0.0.1:$pg_port for the load ..."
        hb_pg_start "$pg_dir" "$pg_port"
        started_pg=1
    fi
    set -a
    # shellcheck source=/dev/null
    . "$repo_root/.env.development"
    set +a
    # The owner: the load migrates first and writes with binary COPY, as the migrator and the seeder do.
    export DATABASE_URL="postgresql://healthcare:$PG_PASSWORD@127.0.0.1:$pg_port/healthcare"
    export DATA_ENCRYPTION_KEYS BLIND_INDEX_KEY
    export JWT_SIGNING_KEYS_DIR="$data_dir/jwt"
    export REDIS_URL="${REDIS_URL:-redis://:${REDIS_PASSWORD:-}@127.0.0.1:${LOCAL_REDIS_PORT:-56379}}"
else
    mkdir -p "$data_dir"
fi
credentials="$data_dir/bench-credentials.txt"
# The loader never talks to Redis, but every setting is validated at start, REDIS_URL included.
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
export LOG_LEVEL="${LOG_LEVEL:-warning}" LOG_STORE_LEVEL=off

echo "Building the API (Release) ..."
dotnet build src/Healthcare.Api/Healthcare.Api.csproj -c Release -nologo -v q >/dev/null ||
    { echo "seed-large.sh: building the API failed (run: dotnet build src/Healthcare.Api -c Release)" >&2; exit 1; }
api_dll="$repo_root/src/Healthcare.Api/bin/Release/net10.0/Healthcare.Api.dll"

dotnet "$api_dll" migrate >/dev/null
dotnet "$api_dll" seed-large --credentials-file "$credentials"
