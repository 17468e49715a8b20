#!/usr/bin/env bash
# Health check of a running API for deployments and cron: readiness, then
# queue depth, failed jobs, database pool use and replica lag from Prometheus
# metrics. A metric that is not exposed is reported as unknown, never as
# healthy.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/monitoring/check-health.sh [options] BASE_URL

Checks, for the API at BASE_URL:
  readiness    GET BASE_URL/health/ready answers 200 (Healthy or Degraded)
  queue_depth  healthcare_queue_depth{queue=...}: every queue at most --max-queue-depth
  failed_jobs  healthcare_queue_failed: at most --max-failed-jobs
  db_pool      connections in use / pool maximum (Npgsql's db_client_connection(s)
               metrics): at most --max-pool-usage percent
  replica_lag  cnpg_pg_replication_lag, pg_replication_lag_seconds or
               pg_replication_lag (seconds): at most --max-replica-lag
The metrics are read from every --metrics-url (default BASE_URL/metrics; the
API's management port, the worker's /metrics and a database exporter can all
be given). Series of the same name from several sources are combined: the
largest value counts.

Options:
  --metrics-url URL       Prometheus text endpoint; repeat for several
  --no-metrics            check readiness only
  --max-queue-depth N     default 1000
  --max-failed-jobs N     default 50
  --max-pool-usage PCT    default 90
  --max-replica-lag SEC   default 30
  --allow-unknown         exit 0 (not 3) when some metrics are unknown
  --timeout SECONDS       limit for each request (default 5)
  -h, --help              show this help

Output: one line per check (ok, unknown or unhealthy), then a last line
"healthy", "unknown: ..." or "unhealthy: <reason>".
Exit status: 0 healthy, 1 unhealthy, 2 bad usage, 3 nothing unhealthy but
some checks unknown (0 with --allow-unknown).
EOF_USAGE
}

base_url=""
metrics_urls=()
use_metrics=1
max_queue=1000
max_failed=50
max_pool=90
max_lag=30
allow_unknown=""
timeout=5

number_arg() {
    if (($# < 2)) || ! [[ "$2" =~ ^[0-9]+$ ]]; then
        echo "check-health.sh: $1 needs a whole number" >&2
        exit 2
    fi
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --metrics-url)
            if (($# < 2)) || ! [[ "$2" =~ ^https?:// ]]; then
                echo "check-health.sh: --metrics-url needs an http(s):// URL" >&2
                exit 2
            fi
            metrics_urls+=("$2")
            shift
            ;;
        --no-metrics) use_metrics="" ;;
        --max-queue-depth) number_arg "$@"; max_queue="$2"; shift ;;
        --max-failed-jobs) number_arg "$@"; max_failed="$2"; shift ;;
        --max-pool-usage) number_arg "$@"; max_pool="$2"; shift ;;
        --max-replica-lag) number_arg "$@"; max_lag="$2"; shift ;;
        --timeout) number_arg "$@"; timeout="$2"; shift ;;
        --allow-unknown) allow_unknown=1 ;;
        -*)
            echo "check-health.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *)
            if [[ -n "$base_url" ]]; then
                echo "check-health.sh: only one BASE_URL is allowed (see --help)" >&2
                exit 2
            fi
            base_url="$1"
            ;;
    esac
    shift
done

if [[ -z "$base_url" ]]; then
    echo "check-health.sh: BASE_URL is required (see --help)" >&2
    exit 2
fi
if ! [[ "$base_url" =~ ^https?://[^[:space:]]+$ ]]; then
    echo "check-health.sh: BASE_URL must start with http:// or https://" >&2
    exit 2
fi
base_url="${base_url%/}"
if ((${#metrics_urls[@]} == 0)); then
    metrics_urls=("$base_url/metrics")
fi
if ! command -v curl >/dev/null 2>&1; then
    echo "missing: curl (install it with: sudo apt-get install curl)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/hb-health.XXXXXX")"
# Runs from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    rm -rf -- "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

unhealthy=()
unknown=()
report() {
    local state="$1" check="$2" detail="$3"
    printf '%-10s %-12s %s\n' "$state" "$check" "$detail"
    case "$state" in
        unhealthy) unhealthy+=("$check: $detail") ;;
        unknown) unknown+=("$check") ;;
        *) ;;
    esac
}

# --- readiness ---------------------------------------------------------------
status="$(curl -sS -o "$work/ready" -w '%{http_code}' --max-time "$timeout" "$base_url/health/ready" 2>"$work/curl.err" || true)"
overall="$(sed -n 's/^{"status":"\([A-Za-z]*\)".*/\1/p' "$work/ready" 2>/dev/null || true)"
if [[ "$status" == 200 ]]; then
    # Name the checks that are not Healthy (Redis down gives Degraded with 200).
    degraded="$(grep -oE '"[a-z_]+":\{"status":"(Degraded|Unhealthy)"' "$work/ready" | sed 's/":{"status":"/ /; s/"//g' | paste -sd, || true)"
    report ok readiness "${overall:-ready}${degraded:+ ($degraded)}"
elif [[ "$status" == 000 || -z "$status" ]]; then
    report unhealthy readiness "no answer from $base_url/health/ready ($(head -n 1 "$work/curl.err"))"
else
    failing="$(grep -oE '"[a-z_]+":\{"status":"Unhealthy"' "$work/ready" | sed 's/":{"status":"/ /; s/"//g' | paste -sd, || true)"
    report unhealthy readiness "GET /health/ready answered $status${failing:+ ($failing)}"
fi

# --- metrics -----------------------------------------------------------------
if [[ -n "$use_metrics" ]]; then
    : >"$work/metrics"
    fetched=0
    for url in "${metrics_urls[@]}"; do
        code="$(curl -sS -o "$work/part" -w '%{http_code}' --max-time "$timeout" "$url" 2>/dev/null || true)"
        if [[ "$code" == 200 ]]; then
            cat "$work/part" >>"$work/metrics"
            printf '\n' >>"$work/metrics"
            fetched=$((fetched + 1))
        else
            report unknown metrics "$url answered ${code:-nothing}"
        fi
    done

    # series NAME [LABEL=VALUE]: prints "labels value" for every sample of NAME
    # (optionally only those carrying LABEL="VALUE").
    series() {
        awk -v name="$1" -v want="${2:-}" '
            /^#/ || NF < 2 { next }
            {
                metric = $1; labels = ""
                i = index($0, "{")
                if (i > 0) {
                    metric = substr($0, 1, i - 1)
                    j = index($0, "}")
                    labels = substr($0, i + 1, j - i - 1)
                    rest = substr($0, j + 1)
                    split(rest, parts, " ")
                    value = parts[1]
                } else {
                    value = $2
                }
                if (metric != name) next
                if (want != "") {
                    split(want, kv, "=")
                    if (index(labels, kv[1] "=\"" kv[2] "\"") == 0) next
                }
                print labels "\t" value
            }' "$work/metrics"
    }
    # Sum, maximum and count of a series' values.
    sum_of() { awk -F'\t' '{ s += $2; n++ } END { if (n) printf "%.6g\n", s }'; }
    max_of() { awk -F'\t' '{ if (n == 0 || $2 + 0 > m) m = $2 + 0; n++ } END { if (n) printf "%.6g\n", m }'; }
    above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

    if ((fetched > 0)); then
        # Queue depth, per queue.
        depths="$(series healthcare_queue_depth)"
        if [[ -z "$depths" ]]; then
            report unknown queue_depth "healthcare_queue_depth is not exposed"
        else
            summary="$(sed -E 's/.*queue="([^"]*)".*\t/\1=/' <<<"$depths" | sort -u | paste -sd' ')"
            worst="$(max_of <<<"$depths")"
            if above "$worst" "$max_queue"; then
                report unhealthy queue_depth "$summary (max $max_queue)"
            else
                report ok queue_depth "$summary (max $max_queue)"
            fi
        fi

        failed="$(series healthcare_queue_failed | max_of)"
        if [[ -z "$failed" ]]; then
            report unknown failed_jobs "healthcare_queue_failed is not exposed"
        elif above "$failed" "$max_failed"; then
            report unhealthy failed_jobs "$failed failed jobs (max $max_failed)"
        else
            report ok failed_jobs "$failed failed jobs (max $max_failed)"
        fi

        # Npgsql names these db.client.connection.* (current semantic
        # conventions) or db.client.connections.* (older releases).
        used="$(series db_client_connection_count db_client_connection_state=used | sum_of)"
        [[ -n "$used" ]] || used="$(series db_client_connections_usage db_client_connection_state=used | sum_of)"
        pool_max="$(series db_client_connection_max | sum_of)"
        [[ -n "$pool_max" ]] || pool_max="$(series db_client_connections_max | sum_of)"
        if [[ -z "$used" || -z "$pool_max" ]] || ! above "$pool_max" 0; then
            report unknown db_pool "database connection pool metrics are not exposed"
        else
            percent="$(awk -v u="$used" -v m="$pool_max" 'BEGIN { printf "%d", (u * 100 / m) + 0.5 }')"
            if above "$percent" "$max_pool"; then
                report unhealthy db_pool "$percent% of the pool in use ($used of $pool_max; max $max_pool%)"
            else
                report ok db_pool "$percent% of the pool in use ($used of $pool_max; max $max_pool%)"
            fi
        fi

        lag=""
        for name in cnpg_pg_replication_lag pg_replication_lag_seconds pg_replication_lag; do
            lag="$(series "$name" | max_of)"
            [[ -z "$lag" ]] || break
        done
        if [[ -z "$lag" ]]; then
            report unknown replica_lag "no replication lag metric is exposed"
        elif above "$lag" "$max_lag"; then
            report unhealthy replica_lag "${lag}s behind the primary (max ${max_lag}s)"
        else
            report ok replica_lag "${lag}s behind the primary (max ${max_lag}s)"
        fi
    else
        for check in queue_depth failed_jobs db_pool replica_lag; do
            report unknown "$check" "no metrics could be read"
        done
    fi
fi

if ((${#unhealthy[@]} > 0)); then
    echo "unhealthy: ${unhealthy[0]}"
    exit 1
fi
if ((${#unknown[@]} > 0)); then
    echo "unknown: $(printf '%s\n' "${unknown[@]}" | sort -u | paste -sd' ') (not measured; treat as not known to be healthy)"
    [[ -n "$allow_unknown" ]] && exit 0
    exit 3
fi
echo "healthy"
