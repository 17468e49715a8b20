#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Runs the whole backend locally in the foreground: a private PostgreSQL and
# Redis (data kept in .data/ at the repository root), the database migrations,
# the demo seed, the background worker and the API. Ctrl+C stops everything.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/local/run.sh [-h|--help]

Runs the Healthcare backend locally (this is what `make run` does):

  1. checks for the .NET SDK 10, PostgreSQL >= 15 and redis-server
     (installs the server packages with apt-get when run as root),
  2. starts PostgreSQL and Redis on 127.0.0.1 with their data in .data/,
     and creates the database roles: healthcare (owner of the database),
     healthcare_app (the API and the worker) and healthcare_backup (backups),
  3. builds the solution (Debug), applies migrations and seeds demo data
     (connected as the owner),
  4. starts the worker in the background and the API in the foreground
     (connected as healthcare_app, which can read and write rows only).

Press Ctrl+C (or run `make stop-local` elsewhere) to stop everything.
State is kept between runs in .data/ (remove it with `make reset-local`):
  .data/postgres     PostgreSQL cluster and log
  .data/redis        Redis data and log
  .data/run          pid files and the worker log
  .data/tls          self-signed development certificate for localhost
  .data/jwt          access-token signing key(s), EC P-256 PEM
  .data/secrets.env  generated passwords and keys (mode 600)
  .data/demo-credentials.txt  demo accounts and passwords (mode 600)

Environment:
  LOCAL_PG_PORT          PostgreSQL port        (default 55432)
  LOCAL_REDIS_PORT       Redis port             (default 56379)
  LOCAL_HTTP_PORT        API HTTP port          (default 8088)
  LOCAL_HTTPS_PORT       API HTTPS port         (default 8443)
  LOCAL_WORKER_PORT      worker HTTP port       (default 8089)
EOF
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "run.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# The repository root is three levels above this script
# (<root>/devops/scripts/local/run.sh).
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

die() {
    echo "run.sh: $*" >&2
    exit 1
}

check_port_value() {
    local name="$1" value="$2"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
        die "$name must be a TCP port number, got '$value'"
    fi
}

hb_require_dotnet
# No browser is needed to run the backend.
# shellcheck disable=SC2119
hb_ensure_packages

cd "$repo_root"
solution="HealthcareBackend.slnx"
[[ -f "$solution" ]] || die "$repo_root/$solution not found"

pg_port="${LOCAL_PG_PORT:-55432}"
redis_port="${LOCAL_REDIS_PORT:-56379}"
http_port="${LOCAL_HTTP_PORT:-8088}"
https_port="${LOCAL_HTTPS_PORT:-8443}"
worker_port="${LOCAL_WORKER_PORT:-8089}"
check_port_value LOCAL_PG_PORT "$pg_port"
check_port_value LOCAL_REDIS_PORT "$redis_port"
check_port_value LOCAL_HTTP_PORT "$http_port"
check_port_value LOCAL_HTTPS_PORT "$https_port"
check_port_value LOCAL_WORKER_PORT "$worker_port"

data_dir="$repo_root/.data"
pg_dir="$data_dir/postgres"
redis_dir="$data_dir/redis"
run_dir="$data_dir/run"
tls_dir="$data_dir/tls"
secrets_file="$data_dir/secrets.env"

api_project_dir="$repo_root/src/Healthcare.Api"
worker_project_dir="$repo_root/src/Healthcare.Worker"
api_dll="$api_project_dir/bin/Debug/net10.0/Healthcare.Api.dll"
worker_dll="$worker_project_dir/bin/Debug/net10.0/Healthcare.Worker.dll"

mkdir -p "$data_dir" "$pg_dir" "$redis_dir" "$run_dir" "$tls_dir"
chmod 755 "$data_dir"
chmod 700 "$run_dir" "$tls_dir"

# --- Refuse to start twice -------------------------------------------------

if old_pid="$(_hb_read_pid "$run_dir/run.pid")" && _hb_pid_alive "$old_pid" &&
    _hb_pid_cmdline_has "$old_pid" "run.sh"; then
    die "already running (pid $old_pid); stop it with: make stop-local"
fi
rm -f "$run_dir/run.pid"

# An API or worker left behind by a previous run that was killed hard.
hb_stop_pidfile "$run_dir/api.pid" 30 "Healthcare.Api.dll"
hb_stop_pidfile "$run_dir/worker.pid" 30 "Healthcare.Worker.dll"

# --- Ports -----------------------------------------------------------------

port_taken() {
    die "port $2 ($1) is already in use by another program; free it or set $3 to another port"
}
if ! hb_pg_running "$pg_dir" && hb_port_in_use "$pg_port"; then
    port_taken PostgreSQL "$pg_port" LOCAL_PG_PORT
fi
if ! hb_redis_running "$redis_dir" && hb_port_in_use "$redis_port"; then
    port_taken Redis "$redis_port" LOCAL_REDIS_PORT
fi
hb_port_in_use "$http_port" && port_taken "API HTTP" "$http_port" LOCAL_HTTP_PORT
hb_port_in_use "$https_port" && port_taken "API HTTPS" "$https_port" LOCAL_HTTPS_PORT
hb_port_in_use "$worker_port" && port_taken "worker HTTP" "$worker_port" LOCAL_WORKER_PORT

# --- Secrets (generated once, reused afterwards) ----------------------------

PG_PASSWORD=""
PG_APP_PASSWORD=""
PG_BACKUP_PASSWORD=""
REDIS_PASSWORD=""
DATA_ENCRYPTION_KEYS=""
BLIND_INDEX_KEY=""
if [[ -f "$secrets_file" ]]; then
    # shellcheck source=/dev/null
    . "$secrets_file"
fi
new_secrets=()
if [[ -z "$PG_PASSWORD" ]]; then
    PG_PASSWORD="$(openssl rand -hex 24)"
    new_secrets+=("PG_PASSWORD='$PG_PASSWORD'")
fi
# A .data/ from before the least-privilege roles gets their passwords added on its next run.
if [[ -z "$PG_APP_PASSWORD" ]]; then
    PG_APP_PASSWORD="$(openssl rand -hex 24)"
    new_secrets+=("PG_APP_PASSWORD='$PG_APP_PASSWORD'")
fi
if [[ -z "$PG_BACKUP_PASSWORD" ]]; then
    PG_BACKUP_PASSWORD="$(openssl rand -hex 24)"
    new_secrets+=("PG_BACKUP_PASSWORD='$PG_BACKUP_PASSWORD'")
fi
if [[ -z "$REDIS_PASSWORD" ]]; then
    REDIS_PASSWORD="$(openssl rand -hex 24)"
    new_secrets+=("REDIS_PASSWORD='$REDIS_PASSWORD'")
fi
if [[ -z "$DATA_ENCRYPTION_KEYS" ]]; then
    DATA_ENCRYPTION_KEYS="local1:$(openssl rand -base64 32 | tr -d '\n')"
    new_secrets+=("DATA_ENCRYPTION_KEYS='$DATA_ENCRYPTION_KEYS'")
fi
if [[ -z "$BLIND_INDEX_KEY" ]]; then
    BLIND_INDEX_KEY="$(openssl rand -base64 32 | tr -d '\n')"
    new_secrets+=("BLIND_INDEX_KEY='$BLIND_INDEX_KEY'")
fi
if ((${#new_secrets[@]} > 0)); then
    if [[ ! -f "$secrets_file" ]]; then
        new_secrets=(
            "# Local development secrets generated by devops/scripts/local/run.sh."
            "# Never use these values anywhere else. Delete with: make reset-local"
            "${new_secrets[@]}"
        )
    fi
    (umask 077 && printf '%s\n' "${new_secrets[@]}" >>"$secrets_file")
    echo "Generated development secrets in $secrets_file"
fi
chmod 600 "$secrets_file"

# --- Access-token signing key (generated once) -------------------------------

# Tokens are signed with the newest EC P-256 key in this directory (file name = key id);
# add a newer file to rotate, remove an old one once its tokens have expired.
jwt_dir="$data_dir/jwt"
mkdir -p "$jwt_dir"
chmod 700 "$jwt_dir"
if ! compgen -G "$jwt_dir/*.pem" >/dev/null; then
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$jwt_dir/$(date -u +%Y%m%d)-local.pem" 2>/dev/null) ||
        die "could not generate the access-token signing key"
    echo "Generated an access-token signing key in $jwt_dir"
fi

# --- Development TLS certificate (generated once) ---------------------------

tls_cert="$tls_dir/localhost.crt"
tls_key="$tls_dir/localhost.key"
if [[ ! -s "$tls_cert" || ! -s "$tls_key" ]]; then
    tls_conf="$(mktemp "${TMPDIR:-/tmp}/hb-tls.XXXXXX")"
    cat >"$tls_conf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = v3_leaf
prompt = no

[dn]
CN = localhost

[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
EOF
    if ! (umask 077 && openssl req -x509 -config "$tls_conf" \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -days 825 -sha256 -keyout "$tls_key" -out "$tls_cert") >"$run_dir/tls.log" 2>&1; then
        rm -f "$tls_conf" "$tls_key" "$tls_cert"
        cat "$run_dir/tls.log" >&2
        die "could not create the development TLS certificate"
    fi
    rm -f "$tls_conf" "$run_dir/tls.log"
    chmod 600 "$tls_key"
    chmod 644 "$tls_cert"
    echo "Generated a self-signed development certificate in $tls_dir"
fi

# --- Application settings ---------------------------------------------------

if [[ -f "$repo_root/.env.development" ]]; then
    set -a
    # shellcheck source=/dev/null
    . "$repo_root/.env.development"
    set +a
else
    echo "run.sh: warning: $repo_root/.env.development not found; using built-in defaults" >&2
    export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
fi

# The worker and the API connect as healthcare_app, which reads and writes rows but owns nothing;
# the migrator and the seeder as healthcare, the owner of the database and of every table.
owner_database_url="postgresql://healthcare:$PG_PASSWORD@127.0.0.1:$pg_port/healthcare"
export DATABASE_URL="postgresql://healthcare_app:$PG_APP_PASSWORD@127.0.0.1:$pg_port/healthcare"
export REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$redis_port"
export JWT_SIGNING_KEYS_DIR="$jwt_dir" DATA_ENCRYPTION_KEYS BLIND_INDEX_KEY
export HTTP_PORT="$http_port"
export HTTPS_PORT="$https_port"
export TLS_CERT_PATH="$tls_cert"
export TLS_KEY_PATH="$tls_key"
export WORKER_HTTP_PORT="$worker_port"
# Only this machine can reach the local API and worker.
export LISTEN_ADDRESS=localhost
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- Cleanup on exit ---------------------------------------------------------

echo "$$" >"$run_dir/run.pid"

cleaned_up=""
cleanup() {
    [[ -z "$cleaned_up" ]] || return 0
    cleaned_up=1
    set +e
    echo
    echo "Stopping local services ..."
    hb_stop_pidfile "$run_dir/api.pid" 30 "Healthcare.Api.dll"
    hb_stop_pidfile "$run_dir/worker.pid" 30 "Healthcare.Worker.dll"
    hb_redis_stop "$redis_dir"
    hb_pg_stop "$pg_dir"
    rm -f "$run_dir/run.pid"
    echo "Stopped."
}
# Called from the traps below.
# shellcheck disable=SC2317
on_signal() {
    cleanup
    exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
# TERM is how `make stop-local` asks us to stop: not a failure.
trap 'on_signal 0' TERM

# --- Servers -------------------------------------------------------------------

echo "Starting PostgreSQL on 127.0.0.1:$pg_port ..."
HB_PG_SUPERUSER_PASSWORD="$PG_PASSWORD" hb_pg_start "$pg_dir" "$pg_port" || die "PostgreSQL did not start"
hb_pg_ensure_db "$pg_dir" "$pg_port" healthcare "$PG_PASSWORD" healthcare ||
    die "could not create the healthcare role and database"
# Before the migrator: it grants the group roles their privileges, and skips one that does not exist.
hb_pg_ensure_app_roles "$pg_dir" "$pg_port" healthcare "$PG_APP_PASSWORD" "$PG_BACKUP_PASSWORD" ||
    die "could not create the healthcare_app and healthcare_backup roles"

echo "Starting Redis on 127.0.0.1:$redis_port ..."
HB_REDIS_PASSWORD="$REDIS_PASSWORD" hb_redis_start "$redis_dir" "$redis_port" || die "Redis did not start"

# --- Build, migrate, seed --------------------------------------------------------

echo "Building $solution (Debug) ..."
dotnet build "$solution" -c Debug -nologo -v q || die "build failed (see the errors above)"
[[ -f "$api_dll" ]] || die "build did not produce $api_dll"
[[ -f "$worker_dll" ]] || die "build did not produce $worker_dll"

# The apps run from their project directories, as `dotnet run` would, so the
# content root (appsettings*.json) is where the project keeps it.
echo "Applying database migrations ..."
(cd "$api_project_dir" && DATABASE_URL="$owner_database_url" dotnet "$api_dll" migrate) || die "database migration failed"
echo "Seeding demo data ..."
credentials_file="$data_dir/demo-credentials.txt"
(cd "$api_project_dir" && DATABASE_URL="$owner_database_url" dotnet "$api_dll" seed --credentials-file "$credentials_file") ||
    die "demo data seeding failed"

# --- Worker and API ------------------------------------------------------------------

(cd "$worker_project_dir" && exec dotnet "$worker_dll") >"$run_dir/worker.log" 2>&1 &
echo "$!" >"$run_dir/worker.pid"

cat <<EOF

  Healthcare backend (local)
    API      http://localhost:$http_port
             https://localhost:$https_port  (self-signed certificate: $tls_cert)
    Docs     http://localhost:$http_port/docs
    Health   http://localhost:$http_port/health/ready
    Logins   $credentials_file
    Worker   log: $run_dir/worker.log
    Stop     Ctrl+C here, or: make stop-local

EOF

(cd "$api_project_dir" && exec dotnet "$api_dll") &
api_pid=$!
echo "$api_pid" >"$run_dir/api.pid"

# Returns when the API exits by itself; Ctrl+C / TERM run the traps instead.
api_status=0
wait "$api_pid" || api_status=$?
rm -f "$run_dir/api.pid"
echo "The API exited with status $api_status." >&2
cleanup
exit "$api_status"
