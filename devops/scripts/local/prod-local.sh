#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The production topology of docker-compose.prod.yml, run as local processes on loopback without
# Docker: PostgreSQL, PgBouncer, Redis, the migrator, three API instances, the worker, and HAProxy with
# the same haproxy.cfg (its server-template line replaced by the three local instances) and pgbouncer.ini.
# Then a smoke test through HAProxy, and a load run during which one API instance is killed.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/local/prod-local.sh [options]

Runs the production topology as local processes (this is `make prod-local`;
`make test` runs it too) and checks it:

  1. PostgreSQL, PgBouncer (devops/docker/pgbouncer/pgbouncer.ini, transaction
     pooling) and Redis on free 127.0.0.1 ports in a temporary directory,
  2. the migrator and the demo seed (as the database's owner, directly), then
     three API instances and the worker (as healthcare_app, through PgBouncer;
     settings from .env.staging; secrets generated for the run),
  3. HAProxy with devops/docker/haproxy/haproxy.cfg, backends on loopback,
  4. smoke test through HAProxy: HTTP/2 over TLS, readiness, the redirect to
     HTTPS, the password on the statistics page, sign-in, the client address
     as the API sees it (forwarded by HAProxy, a forged one ignored), a patient
     and a booking, and the booking's reminder job in the queue,
  5. load: wrk for LOAD_SECONDS through HAProxy; one API instance is killed
     (SIGKILL) a third of the way in. HAProxy must take it out within its
     health-check interval and route nothing to it afterwards; failed requests
     may only be those that were in flight on it.

It prints a report and exits 0 when every check passed, 1 otherwise.
Everything it started is stopped by pid and the directory removed, also on
failure or Ctrl-C.

Options:
  --no-build              use the binaries already built (test.sh builds them)
  --configuration NAME    Release (default) or Debug
  --load-seconds N        length of the load run (default 20)
  --serve                 after the smoke test, keep everything running for
                          manual use until Ctrl-C (no load run)
  --logs DIR              copy the processes' logs to DIR before cleaning up
  -h, --help              this text
EOF
}

build=1
configuration=Release
load_seconds=20
serve=""
logs_copy=""
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --no-build) build="" ;;
        --serve) serve=1 ;;
        --configuration | --load-seconds | --logs)
            if (($# < 2)); then
                echo "prod-local.sh: $1 needs a value (see --help)" >&2
                exit 2
            fi
            case "$1" in
                --configuration) configuration="$2" ;;
                --load-seconds) load_seconds="$2" ;;
                --logs) logs_copy="$2" ;;
            esac
            shift
            ;;
        *)
            echo "prod-local.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done
[[ "$configuration" == Release || "$configuration" == Debug ]] || {
    echo "prod-local.sh: --configuration must be Release or Debug" >&2
    exit 2
}
if ! [[ "$load_seconds" =~ ^[0-9]+$ ]] || ((load_seconds < 6 || load_seconds > 600)); then
    echo "prod-local.sh: --load-seconds must be a number from 6 to 600" >&2
    exit 2
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd "$script_dir/../../.." && pwd -P)"

# shellcheck source=../lib/servers.sh
. "$script_dir/../lib/servers.sh"

hb_require_dotnet
hb_ensure_packages --deploy
for tool in curl jq; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing: $tool (install it with: sudo apt-get install $tool)" >&2
        exit 1
    fi
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDDISABLENODEREUSE=1

api_dll="$repo_root/src/Healthcare.Api/bin/$configuration/net10.0/Healthcare.Api.dll"
worker_dll="$repo_root/src/Healthcare.Worker/bin/$configuration/net10.0/Healthcare.Worker.dll"
probe_dll="$repo_root/src/Healthcare.HealthProbe/bin/$configuration/net10.0/Healthcare.HealthProbe.dll"
haproxy_cfg="$repo_root/devops/docker/haproxy/haproxy.cfg"
pgbouncer_ini="$repo_root/devops/docker/pgbouncer/pgbouncer.ini"

if [[ -n "$build" ]]; then
    echo "Building the API, the worker and the health probe ($configuration) ..."
    for project in Healthcare.Api Healthcare.Worker Healthcare.HealthProbe; do
        dotnet build "$repo_root/src/$project/$project.csproj" -c "$configuration" -nologo -v q >/dev/null ||
            { echo "prod-local.sh: building $project failed (run: dotnet build src/$project -c $configuration)" >&2; exit 1; }
    done
fi
for dll in "$api_dll" "$worker_dll" "$probe_dll"; do
    [[ -f "$dll" ]] || { echo "prod-local.sh: $dll is missing; build first or drop --no-build" >&2; exit 1; }
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/hb-prod-local.XXXXXX")"
# PostgreSQL runs as the postgres user and must reach $TMP/pg.
[[ "$(id -u)" -ne 0 ]] || chmod 711 "$TMP"
mkdir -p "$TMP/run" "$TMP/logs" "$TMP/jwt" "$TMP/tls"
pg_dir="$TMP/pg"
pgbouncer_dir="$TMP/pgbouncer"
redis_dir="$TMP/redis"

failed=""
# Called from the traps.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    set +e
    if [[ -n "$failed" || $status -ne 0 ]]; then
        local log
        for log in "$TMP"/logs/*.log; do
            [[ -s "$log" ]] && _hb_show_log_tail "$log" 15
        done
    fi
    local pidfile
    for pidfile in "$TMP"/run/api-*.pid "$TMP/run/worker.pid"; do
        [[ -e "$pidfile" ]] && hb_stop_pidfile "$pidfile" 20 "Healthcare."
    done
    [[ -e "$TMP/run/haproxy.pid" ]] && hb_stop_pidfile "$TMP/run/haproxy.pid" 10 "haproxy"
    [[ -e "$TMP/run/wrk.pid" ]] && hb_stop_pidfile "$TMP/run/wrk.pid" 5 "wrk"
    hb_redis_stop "$redis_dir"
    hb_pgbouncer_stop "$pgbouncer_dir"
    [[ -s "$pgbouncer_dir/pgbouncer.log" ]] && cp "$pgbouncer_dir/pgbouncer.log" "$TMP/logs/pgbouncer.log"
    hb_pg_stop "$pg_dir"
    if [[ -n "$logs_copy" ]]; then
        mkdir -p "$logs_copy" && cp "$TMP"/logs/*.log "$logs_copy"/ 2>/dev/null
    fi
    rm -rf -- "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    failed=1
    echo "prod-local: FAILED: $*" >&2
    exit 1
}
step() { echo "== [${SECONDS}s] $*"; }

# --- Ports and secrets ----------------------------------------------------------------

declare -A taken=()
free_port() {
    local port
    while :; do
        port="$(hb_free_port)"
        [[ -z "${taken[$port]:-}" ]] && break
    done
    taken[$port]=1
    printf '%s\n' "$port"
}
pg_port="$(free_port)"
pgbouncer_port="$(free_port)"
redis_port="$(free_port)"
api_ports=("$(free_port)" "$(free_port)" "$(free_port)")
worker_port="$(free_port)"
edge_http="$(free_port)"
edge_https="$(free_port)"
edge_stats="$(free_port)"

# The superuser and the owner (healthcare) share pg_password; the API and the worker connect as healthcare_app.
pg_password="$(openssl rand -hex 16)"
app_password="$(openssl rand -hex 16)"
backup_password="$(openssl rand -hex 16)"
redis_password="$(openssl rand -hex 16)"
stats_password="$(openssl rand -hex 16)"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/jwt/prod-local.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -sha256 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" 2>/dev/null
cat "$TMP/tls/cert.pem" "$TMP/tls/key.pem" >"$TMP/tls/healthcare.pem"

# --- Settings: .env.staging, then what differs on one machine ---------------------------

while IFS= read -r line; do
    [[ "$line" =~ ^[A-Z][A-Z0-9_]*= ]] && export "${line?}"
done <"$repo_root/.env.staging"
owner_database_url="postgresql://healthcare:$pg_password@127.0.0.1:$pg_port/healthcare"
# The API and the worker go through PgBouncer; the worker's LISTEN needs a session of its own, directly.
export DATABASE_URL="postgresql://healthcare_app:$app_password@127.0.0.1:$pgbouncer_port/healthcare"
export DATABASE_LISTEN_URL="postgresql://healthcare_app:$app_password@127.0.0.1:$pg_port/healthcare"
export REDIS_URL="redis://:$redis_password@127.0.0.1:$redis_port"
export JWT_SIGNING_KEYS_DIR="$TMP/jwt"
DATA_ENCRYPTION_KEYS="k1:$(openssl rand -base64 32 | tr -d '\n')"
BLIND_INDEX_KEY="$(openssl rand -base64 32 | tr -d '\n')"
export DATA_ENCRYPTION_KEYS BLIND_INDEX_KEY
export LISTEN_ADDRESS=127.0.0.1
# HAProxy connects from 127.0.0.1; nobody else may set X-Forwarded-*.
export TRUSTED_PROXIES=127.0.0.1
# Client connections to PgBouncer, which opens at most max_db_connections to PostgreSQL.
export DB_POOL_MAX=20
# Debian's PgBouncer (1.18) cannot carry prepared statements in transaction mode; 1.21+ can.
if hb_pgbouncer_tracks_prepared; then prepared="tracked by PgBouncer"; else export DB_AUTO_PREPARE=0; prepared="off (PgBouncer < 1.21)"; fi
# No mail server here: notifications are logged (by id and template) instead of sent.
export NOTIFY_EMAIL_CHANNEL=log
export PUBLIC_APP_URL="https://localhost:$edge_https"
# Request logs at Information would cost more CPU than the requests under load.
export LOG_LEVEL=warning
export WORKER_HTTP_PORT="$worker_port"
unset HTTPS_PORT H2C_PORT TLS_CERT_PATH TLS_KEY_PATH ASPNETCORE_URLS ASPNETCORE_HTTP_PORTS METRICS_PORT

# --- Servers, migrator, seed -------------------------------------------------------------

step "PostgreSQL 127.0.0.1:$pg_port, Redis 127.0.0.1:$redis_port"
HB_PG_SUPERUSER_PASSWORD="$pg_password" hb_pg_start "$pg_dir" "$pg_port" || fail "PostgreSQL did not start"
hb_pg_ensure_db "$pg_dir" "$pg_port" healthcare "$pg_password" healthcare || fail "could not create the database"
hb_pg_ensure_app_roles "$pg_dir" "$pg_port" healthcare "$app_password" "$backup_password" || fail "could not create the database roles"
HB_REDIS_PASSWORD="$redis_password" hb_redis_start "$redis_dir" "$redis_port" || fail "Redis did not start"
step "PgBouncer 127.0.0.1:$pgbouncer_port ($(pgbouncer --version | head -1); prepared statements: $prepared)"
hb_pgbouncer_start "$pgbouncer_ini" "$pgbouncer_dir" "$pgbouncer_port" "$pg_port" healthcare_app "$app_password" ||
    fail "PgBouncer did not start"

step "migrator and demo seed"
(cd "$TMP" && DATABASE_URL="$owner_database_url" dotnet "$api_dll" migrate) >"$TMP/logs/migrate.log" 2>&1 || fail "the migrator failed"
(cd "$TMP" && DATABASE_URL="$owner_database_url" dotnet "$api_dll" seed --credentials-file "$TMP/demo-credentials.txt") \
    >"$TMP/logs/seed.log" 2>&1 || fail "the demo seed failed"
admin_password="$(awk '$1 == "clinic_admin" { print $3 }' "$TMP/demo-credentials.txt")"
[[ -n "$admin_password" ]] || fail "the seed printed no clinic_admin password"

# --- Worker and three API instances ---------------------------------------------------------

start_process() {
    local name="$1" dll="$2"
    (cd "$TMP" && exec dotnet "$dll") >"$TMP/logs/$name.log" 2>&1 &
    echo "$!" >"$TMP/run/$name.pid"
    # Stopped by pid in cleanup; disowned so that the shell does not announce the one killed on purpose.
    disown "$!"
}
step "worker :$worker_port, API instances :${api_ports[0]} :${api_ports[1]} :${api_ports[2]}"
start_process worker "$worker_dll"
for i in 0 1 2; do
    HTTP_PORT="${api_ports[$i]}" start_process "api-$((i + 1))" "$api_dll"
done

# Liveness first (cheap), then readiness with a patient client: a cold instance's first readiness
# check takes seconds, and hammering it only piles up more checks on a busy machine.
wait_ready() {
    local name="$1" base_url="$2" pid deadline=$((SECONDS + 180))
    pid="$(_hb_read_pid "$TMP/run/$name.pid")"
    until curl -fsS -o /dev/null --max-time 2 "$base_url/health" 2>/dev/null; do
        _hb_pid_alive "$pid" || fail "$name exited before it served"
        ((SECONDS < deadline)) || fail "$name did not serve /health within 180 s"
        sleep 0.5
    done
    local live=$SECONDS
    until curl -fsS -o /dev/null --max-time 20 "$base_url/health/ready" 2>/dev/null; do
        _hb_pid_alive "$pid" || fail "$name exited before it was ready"
        ((SECONDS < deadline)) || fail "$name was not ready within 180 s"
        sleep 1
    done
    echo "   $name: live at ${live}s, ready at ${SECONDS}s"
}
wait_ready worker "http://127.0.0.1:$worker_port"
for i in 0 1 2; do
    wait_ready "api-$((i + 1))" "http://127.0.0.1:${api_ports[$i]}"
done
# Every connection of the API instances and the worker is healthcare_app's; the migrator and the seed have exited.
# (As the superuser, which sees every session's details.)
sessions="$(PGPASSWORD="$pg_password" "$(hb_pg_bin)/psql" -X -A -t -h 127.0.0.1 -p "$pg_port" -U postgres -d healthcare -c \
    "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = 'healthcare' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")" ||
    fail "could not list the database sessions"
[[ "$sessions" == healthcare_app ]] || fail "the API instances and the worker connect as '$sessions', expected healthcare_app only"
echo "   database: the API instances and the worker connect as healthcare_app only"
# ... and through PgBouncer, in transaction mode (its admin console, as a stats user).
pool="$(PGPASSWORD="$app_password" "$(hb_pg_bin)/psql" -X -A -F ' ' -h 127.0.0.1 -p "$pgbouncer_port" -U healthcare_app -d pgbouncer -c "SHOW POOLS" |
    awk 'NR == 1 { for (i = 1; i <= NF; i++) column[$i] = i; next }
         $1 == "healthcare" && $2 == "healthcare_app" { print $column["cl_active"] + $column["cl_waiting"], $column["pool_mode"] }')" ||
    fail "could not read PgBouncer's pools"
read -r pooled_clients pool_mode <<<"$pool"
[[ "$pool_mode" == transaction && "${pooled_clients:-0}" -gt 0 ]] ||
    fail "PgBouncer has no client of healthcare in transaction mode (got: '$pool')"
echo "   PgBouncer: $pooled_clients client connections of the API instances and the worker, transaction pooling"
# The container health check, exactly as docker-compose.prod.yml runs it.
dotnet "$probe_dll" "http://127.0.0.1:${api_ports[0]}/health/ready" || fail "the health probe did not pass against a ready API"
if dotnet "$probe_dll" "http://127.0.0.1:$edge_http/health/ready" 2>/dev/null; then
    fail "the health probe passed against a port where nothing listens"
fi

# --- HAProxy ----------------------------------------------------------------------------------

template_lines="$(grep -cE '^[[:space:]]*server-template api- ' "$haproxy_cfg" || true)"
[[ "$template_lines" == 1 ]] || fail "haproxy.cfg must have exactly one 'server-template api-' line (found $template_lines)"
servers=""
for i in 0 1 2; do
    servers+="    server api-$((i + 1)) 127.0.0.1:${api_ports[$i]}"$'\n'
done
awk -v servers="$servers" '/^[[:space:]]*server-template api- / { printf "%s", servers; next } { print }' \
    "$haproxy_cfg" >"$TMP/haproxy.cfg"
check_interval="$(sed -nE 's/^[[:space:]]*default-server .*[[:space:]]inter ([0-9]+)s.*/\1/p' "$TMP/haproxy.cfg")"
[[ "$check_interval" =~ ^[0-9]+$ ]] || fail "haproxy.cfg has no 'default-server ... inter Ns'"

export HAPROXY_CERTS="$TMP/tls/healthcare.pem" HAPROXY_STATS_PASSWORD="$stats_password" HAPROXY_MAXCONN=4000
# The edge ports were chosen a minute ago; if another program took one meanwhile, HAProxy exits at once
# ("cannot bind socket"), and new ones are chosen.
for attempt in 1 2 3; do
    export HAPROXY_HTTP_BIND="127.0.0.1:$edge_http" HAPROXY_HTTPS_BIND="127.0.0.1:$edge_https"
    export HAPROXY_STATS_BIND="127.0.0.1:$edge_stats"
    haproxy -c -q -f "$TMP/haproxy.cfg" >"$TMP/logs/haproxy-check.log" 2>&1 || fail "haproxy -c rejected the configuration"
    step "HAProxy https://localhost:$edge_https (http :$edge_http, stats :$edge_stats)"
    haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/logs/haproxy.log" 2>&1 &
    echo "$!" >"$TMP/run/haproxy.pid"
    sleep 1
    _hb_pid_alive "$(_hb_read_pid "$TMP/run/haproxy.pid")" && break
    if ! grep -q "cannot bind socket" "$TMP/logs/haproxy.log" || ((attempt == 3)); then
        fail "HAProxy did not start"
    fi
    echo "   a port was taken meanwhile; choosing others"
    edge_http="$(free_port)"
    edge_https="$(free_port)"
    edge_stats="$(free_port)"
done

stats_csv() {
    local attempt
    for attempt in 1 2 3; do
        curl -fsS --max-time 5 -u "admin:$stats_password" "http://127.0.0.1:$edge_stats/stats;csv" && return 0
        sleep "0.$attempt"
    done
    return 1
}
# server_field NAME FIELD: a column of the api backend's server NAME in the statistics.
server_field() {
    stats_csv | awk -F, -v server="$1" -v field="$2" '
        NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) column[$i] = i; next }
        $1 == "api" && $2 == server { print $(column[field]) }'
}
deadline=$((SECONDS + 30))
until [[ "$(server_field api-1 status 2>/dev/null)$(server_field api-2 status 2>/dev/null)$(server_field api-3 status 2>/dev/null)" == UPUPUP ]]; do
    ((SECONDS < deadline)) || fail "HAProxy did not see all three API instances UP within 30 s"
    sleep 0.3
done

# --- Smoke test through HAProxy ------------------------------------------------------------------

base="https://localhost:$edge_https"
# Generous timeouts: the first requests reach instances that are still cold, and CI machines are busy.
api() {
    # api METHOD PATH [JSON]: the body on stdout; fails unless the status is 2xx.
    local method="$1" path="$2" body="${3:-}" out status
    local -a args=(-sS --max-time 60 --cacert "$TMP/tls/cert.pem" -X "$method" -H "Authorization: Bearer $token" -o "$TMP/body" -w '%{http_code}')
    [[ -z "$body" ]] || args+=(-H 'Content-Type: application/json' -d "$body")
    args+=("${extra_headers[@]}")
    status="$(curl "${args[@]}" "$base$path")" || return 1
    out="$(cat "$TMP/body")"
    if [[ "$status" != 2* ]]; then
        echo "$method $path answered $status" >&2
        return 1
    fi
    printf '%s\n' "$out"
}
extra_headers=()
token=""

step "smoke test through HAProxy"
read -r code version < <(curl -sS --max-time 60 --cacert "$TMP/tls/cert.pem" --http2 -o /dev/null \
    -w '%{http_code} %{http_version}\n' "$base/health/ready")
[[ "$code" == 200 && "$version" == 2 ]] || fail "GET /health/ready through HAProxy gave $code over HTTP/$version, expected 200 over HTTP/2"
echo "   readiness over HTTP/2 and TLS: 200"

read -r code location < <(curl -sS --max-time 30 -o /dev/null -w '%{http_code} %{redirect_url}\n' "http://127.0.0.1:$edge_http/health")
[[ "$code" == 301 && "$location" == https://* ]] || fail "plain HTTP answered $code '$location', expected 301 to https"
echo "   plain HTTP: 301 to $location"

# Errors the HTTP servers write themselves are problem details, as the API's are: a %00 in the path is
# refused by Kestrel with a bare 400 (HAProxy rewrites it), a body over 1 MB by HAProxy itself (413).
problem_answer() {
    # problem_answer STATUS CURL-ARGS...: fails unless the answer is STATUS with a problem body saying so.
    local expected="$1" code type
    shift
    rm -f "$TMP/problem"
    read -r code type < <(curl -sS --max-time 30 --cacert "$TMP/tls/cert.pem" -o "$TMP/problem" \
        -w '%{http_code} %{content_type}\n' "$@")
    [[ "$code" == "$expected" && "$type" == application/problem+json ]] && jq -e ".status == $expected" "$TMP/problem" >/dev/null
}
problem_answer 400 "$base/api/v1/%00" || fail "a path with %00 answered $(head -c 200 "$TMP/problem" 2>/dev/null), expected 400 problem details"
head -c 1100000 /dev/zero >"$TMP/large-body"
# With Expect: 100-continue the refusal comes before the body is sent (otherwise the client may get a
# broken pipe, or over HTTP/2 a reset stream, instead of the answer).
problem_answer 413 --http1.1 -H 'Expect: 100-continue' --expect100-timeout 30 -H 'Content-Type: application/json' --data-binary "@$TMP/large-body" "$base/api/v1/auth/login" ||
    fail "a body over 1 MB answered $(head -c 200 "$TMP/problem" 2>/dev/null), expected 413 problem details"
echo "   errors written by Kestrel (400) and by HAProxy (413): problem details"

code="$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$edge_stats/stats")"
[[ "$code" == 401 ]] || fail "the statistics page answered $code without a password, expected 401"
echo "   statistics page without the password: 401"

# Sign in from another loopback address with a forged X-Forwarded-For: the API must record the
# address HAProxy saw (127.0.0.2), not the forged one and not HAProxy's own.
login="$(curl -sS --max-time 60 --cacert "$TMP/tls/cert.pem" --interface 127.0.0.2 \
    -H 'Content-Type: application/json' -H 'X-Forwarded-For: 198.51.100.23' \
    -d "$(jq -nc --arg p "$admin_password" '{email: "clinic.admin@demo.healthcare.test", password: $p}')" \
    "$base/api/v1/auth/login")" || fail "sign-in through HAProxy failed"
token="$(jq -r '.accessToken // empty' <<<"$login")"
[[ -n "$token" ]] || fail "sign-in through HAProxy returned no access token"
client_ip="$(api GET /api/v1/auth/sessions | jq -r '.[] | select(.current) | .ipAddress')" || fail "could not list the sessions"
[[ "$client_ip" == 127.0.0.2 ]] || fail "the API recorded the client as '$client_ip', expected 127.0.0.2 (X-Forwarded-For from HAProxy)"
echo "   sign-in: the API saw the client at $client_ip (forged X-Forwarded-For ignored)"

clinic_id="$(api GET /api/v1/me | jq -r '.memberships[0].clinicId')" || fail "GET /api/v1/me failed"
# Reminders for anything in the next 14 days, so that the booking below is due for one whatever the
# time of day or week.
curl -sS --max-time 60 --cacert "$TMP/tls/cert.pem" -H "Authorization: Bearer $token" -D "$TMP/headers" \
    -o "$TMP/clinic.json" "$base/api/v1/clinics/$clinic_id" || fail "GET the clinic failed"
etag="$(sed -nE 's/^[Ee][Tt][Aa][Gg]: *([^[:space:]]+).*/\1/p' "$TMP/headers")"
policy_body="$(jq -c '{name, timeZone, address, phone, email, openingHours, policy: (.policy + {reminderOffsetsMinutes: [20160]})}' "$TMP/clinic.json")"
extra_headers=(-H "If-Match: $etag")
api PUT "/api/v1/clinics/$clinic_id" "$policy_body" >/dev/null || fail "could not set the clinic's reminder offsets"
extra_headers=()

practitioner_id="$(api GET "/api/v1/clinics/$clinic_id/practitioners" | jq -r '.items[0].id')" || fail "could not list practitioners"
type_id="$(api GET "/api/v1/clinics/$clinic_id/appointment-types" | jq -r '[.[] | select(.isActive)][0].id')" ||
    fail "could not list appointment types"
extra_headers=(-H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)")
patient_id="$(api POST "/api/v1/clinics/$clinic_id/patients" \
    '{"givenName":"Smoke","familyName":"Check","dateOfBirth":"1990-01-01","sex":"unknown","email":"smoke.check@example.com"}' |
    jq -r '.patient.id')" || fail "could not register a patient"
extra_headers=()

zone="$(jq -r '.timeZone' "$TMP/clinic.json")"
from="$(TZ="$zone" date +%F)"
to="$(TZ="$zone" date -d '+13 days' +%F)"
mapfile -t slots < <(api GET "/api/v1/clinics/$clinic_id/practitioners/$practitioner_id/availability?appointmentTypeId=$type_id&from=$from&to=$to" |
    jq -r '.slots[].startsAt' | head -n 5)
((${#slots[@]} > 0)) || fail "no free slot in the next 14 days"
appointment_id=""
for slot in "${slots[@]}"; do
    extra_headers=(-H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)")
    body="$(jq -nc --arg p "$patient_id" --arg d "$practitioner_id" --arg t "$type_id" --arg s "$slot" \
        '{patientId: $p, practitionerId: $d, appointmentTypeId: $t, startsAt: $s}')"
    if appointment_id="$(api POST "/api/v1/clinics/$clinic_id/appointments" "$body" 2>/dev/null | jq -r '.id')"; then
        break
    fi
    appointment_id=""
done
extra_headers=()
[[ -n "$appointment_id" ]] || fail "none of the first free slots could be booked"
booked_at=$SECONDS
echo "   booked appointment $appointment_id at $slot"

find_reminder() {
    api GET "/api/v1/clinics/$clinic_id/patients/$patient_id/notifications" |
        jq -r '[.items[] | select(.template == "notification.appointment-reminder")][0].id // empty'
}
reminder_job() {
    # The Hangfire job that delivers notification $1, as "id state queue".
    PGPASSWORD="$pg_password" "$(hb_pg_bin)/psql" -X -A -t -F ' ' -h 127.0.0.1 -p "$pg_port" -U healthcare -d healthcare -c \
        "SELECT j.id, j.statename, coalesce((SELECT s.data::json ->> 'Queue' FROM hangfire.state s WHERE s.jobid = j.id AND s.name = 'Enqueued' ORDER BY s.id LIMIT 1), '?')
           FROM hangfire.job j WHERE j.arguments::text LIKE '%$1%' ORDER BY j.id LIMIT 1"
}

if [[ -n "$serve" ]]; then
    cat <<EOF

  Production topology on this machine (Ctrl-C stops everything)
    HAProxy   $base   (certificate: $TMP/tls/cert.pem)
              http://127.0.0.1:$edge_http redirects; statistics http://127.0.0.1:$edge_stats/stats
              (user admin, password $stats_password)
    APIs      http://127.0.0.1:${api_ports[0]}  :${api_ports[1]}  :${api_ports[2]}
    Worker    http://127.0.0.1:$worker_port/health/ready
    Logins    $TMP/demo-credentials.txt
    Logs      $TMP/logs/
EOF
    while _hb_pid_alive "$(_hb_read_pid "$TMP/run/haproxy.pid")"; do sleep 1; done
    fail "HAProxy stopped"
fi

# --- Load, and one API instance killed in the middle ---------------------------------------------

connections=16
cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  io.write(string.format("wrk-summary requests=%d seconds=%.1f connect=%d read=%d write=%d status=%d timeout=%d p99ms=%.1f\n",
    summary.requests, summary.duration / 1e6, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(99) / 1000))
end
EOF
step "load: wrk, $connections connections for ${load_seconds} s through HAProxy; api-2 is killed after $((load_seconds / 3)) s"
wrk -t2 -c"$connections" -d"${load_seconds}s" --timeout 10s -s "$TMP/report.lua" "$base/health/ready" >"$TMP/logs/wrk.log" 2>&1 &
echo "$!" >"$TMP/run/wrk.pid"
wrk_pid=$!
sleep "$((load_seconds / 3))"

lb_before_1="$(server_field api-1 lbtot)"
lb_before_3="$(server_field api-3 lbtot)"
victim_pid="$(_hb_read_pid "$TMP/run/api-2.pid")"
killed_at_ns="$(date +%s%N)"
kill -KILL "$victim_pid"
down_ms=""
while (($(date +%s%N) - killed_at_ns < 10 * 1000000000)); do
    if [[ "$(server_field api-2 status)" == DOWN* ]]; then
        down_ms=$((($(date +%s%N) - killed_at_ns) / 1000000))
        break
    fi
    sleep 0.05
done
[[ -n "$down_ms" ]] || fail "HAProxy still routed to the killed instance 10 s after the kill"
lb_at_down="$(server_field api-2 lbtot)"

wait "$wrk_pid" || fail "wrk failed"
rm -f "$TMP/run/wrk.pid"
summary="$(grep '^wrk-summary ' "$TMP/logs/wrk.log")" || fail "wrk printed no summary"
value() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<<"$summary"; }
requests="$(value requests)"
errors=$(($(value connect) + $(value read) + $(value write) + $(value timeout)))
bad_status="$(value status)"
failed_requests=$((errors + bad_status))
lb_end="$(server_field api-2 lbtot)"
lb_after_1=$(($(server_field api-1 lbtot) - lb_before_1))
lb_after_3=$(($(server_field api-3 lbtot) - lb_before_3))

echo "   load: $requests requests in $(value seconds) s, $failed_requests failed (socket errors $errors, non-2xx $bad_status), p99 $(value p99ms) ms"
echo "   api-2 killed: marked DOWN after ${down_ms} ms (health-check interval ${check_interval} s); requests routed to it afterwards: $((lb_end - lb_at_down))"
echo "   after the kill: api-1 took $lb_after_1 and api-3 took $lb_after_3 requests"

((requests > 0)) || fail "the load run completed no request"
((down_ms <= check_interval * 1000)) || fail "HAProxy took ${down_ms} ms to take the killed instance out, more than its ${check_interval} s check interval"
((lb_end == lb_at_down)) || fail "HAProxy routed $((lb_end - lb_at_down)) requests to the instance after marking it DOWN"
((lb_after_1 > 0 && lb_after_3 > 0)) || fail "the surviving instances did not take over the load"
# Each connection has at most one request in flight, so at most $connections were on the killed instance.
((failed_requests <= connections)) ||
    fail "$failed_requests requests failed; only the at most $connections in flight on the killed instance may fail"

# --- The booking's reminder, queued by the worker's recurring job ----------------------------------

# The worker runs the reminder job every minute; the notification it creates is then queued for delivery.
notification_id=""
job_id=""
deadline=$((booked_at + 120))
until [[ -n "$job_id" ]]; do
    ((SECONDS < deadline)) || fail "no reminder job for the booking was queued within 120 s (notification: '${notification_id:-none}')"
    sleep 1
    [[ -n "$notification_id" ]] || notification_id="$(find_reminder)" || notification_id=""
    [[ -z "$notification_id" ]] || read -r job_id job_state job_queue < <(reminder_job "$notification_id") || true
done
echo "   reminder: notification $notification_id is Hangfire job $job_id on queue '$job_queue' ($job_state), $((SECONDS - booked_at)) s after the booking"

echo "prod-local: ok"
