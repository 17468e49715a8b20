#!/usr/bin/env bash
# Smoke test of a running API: it is ready, a smoke-test account can sign in,
# a signed-in read works, the session can be ended, and no answer is a 5xx.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/deployment/smoke-test.sh [options] BASE_URL

Checks the API at BASE_URL (e.g. https://staging.example.org or
http://127.0.0.1:8088):
  1. GET /health answers 200, and GET /health/ready answers 200 within the
     wait time (it is polled),
  2. POST /api/v1/auth/login as the smoke-test account returns a token,
  3. GET /api/v1/me and GET /api/v1/auth/sessions answer 200 with the token,
     and /api/v1/me names the smoke-test account,
  4. POST /api/v1/auth/logout answers 204, and the token is refused after it,
  5. no request was answered with a 5xx status.

The account comes from SMOKE_TEST_EMAIL and SMOKE_TEST_PASSWORD (never from
the command line). Use an account that holds no patient data, such as a
self-registered one, without MFA.

Options:
  --wait SECONDS     how long to wait for /health/ready (default 120)
  --timeout SECONDS  limit for each request (default 10)
  -h, --help         show this help

Prints one line per step; exit status 0 when every step passes, 1 with a
one-line reason otherwise, 2 on bad usage.
EOF_USAGE
}

wait_seconds=120
timeout=10
base_url=""
while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --wait | --timeout)
            if (($# < 2)) || ! [[ "$2" =~ ^[0-9]+$ ]]; then
                echo "smoke-test.sh: $1 needs a number of seconds" >&2
                exit 2
            fi
            if [[ "$1" == --wait ]]; then wait_seconds="$2"; else timeout="$2"; fi
            shift
            ;;
        -*)
            echo "smoke-test.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *)
            if [[ -n "$base_url" ]]; then
                echo "smoke-test.sh: only one BASE_URL is allowed (see --help)" >&2
                exit 2
            fi
            base_url="$1"
            ;;
    esac
    shift
done

if [[ -z "$base_url" ]]; then
    echo "smoke-test.sh: BASE_URL is required (see --help)" >&2
    exit 2
fi
if ! [[ "$base_url" =~ ^https?://[^[:space:]]+$ ]]; then
    echo "smoke-test.sh: BASE_URL must start with http:// or https://" >&2
    exit 2
fi
base_url="${base_url%/}"
if [[ -z "${SMOKE_TEST_EMAIL:-}" || -z "${SMOKE_TEST_PASSWORD:-}" ]]; then
    echo "smoke-test.sh: SMOKE_TEST_EMAIL and SMOKE_TEST_PASSWORD must be set" >&2
    exit 2
fi
if ! command -v curl >/dev/null 2>&1; then
    echo "missing: curl (install it with: sudo apt-get install curl)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/hb-smoke.XXXXXX")"
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

requests=0
fail() {
    echo "smoke test failed: $*" >&2
    exit 1
}

# request NAME METHOD PATH [curl options...]
# Sets $status and leaves the body in $work/body. A 5xx fails at once.
request() {
    local name="$1" method="$2" path="$3"
    shift 3
    requests=$((requests + 1))
    if ! status="$(curl -sS -o "$work/body" -w '%{http_code}' --max-time "$timeout" \
        -X "$method" -H 'Accept: application/json' "$@" "$base_url$path" 2>"$work/curl.err")"; then
        fail "$name: $method $path: $(head -n 1 "$work/curl.err")"
    fi
    if [[ "$status" =~ ^5 ]]; then
        fail "$name: $method $path answered $status"
    fi
}

# JSON string escaping for the login body.
json_string() {
    local value="$1"
    value="${value//\\/\\\\}"
    value="${value//\"/\\\"}"
    value="${value//$'\t'/\\t}"
    value="${value//$'\n'/\\n}"
    value="${value//$'\r'/\\r}"
    printf '"%s"' "$value"
}

# 1. Liveness, then readiness (polled while it answers 503 or not at all).
request liveness GET /health
[[ "$status" == 200 ]] || fail "liveness: GET /health answered $status"
echo "ok: liveness (GET /health 200)"

deadline=$((SECONDS + wait_seconds))
while :; do
    requests=$((requests + 1))
    status="$(curl -sS -o "$work/body" -w '%{http_code}' --max-time "$timeout" "$base_url/health/ready" 2>"$work/curl.err" || true)"
    if [[ "$status" == 200 ]]; then
        break
    fi
    if [[ "$status" =~ ^5 && "$status" != 503 ]]; then
        fail "readiness: GET /health/ready answered $status"
    fi
    if ((SECONDS >= deadline)); then
        if [[ "$status" == 503 ]]; then
            fail "readiness: GET /health/ready still answers 503 after ${wait_seconds}s: $(tr -d '\n' <"$work/body" | cut -c1-300)"
        fi
        fail "readiness: GET /health/ready did not answer 200 within ${wait_seconds}s (last: ${status:-no answer} $(head -n 1 "$work/curl.err"))"
    fi
    sleep 2
done
overall="$(sed -n 's/^{"status":"\([A-Za-z]*\)".*/\1/p' "$work/body")"
echo "ok: readiness (GET /health/ready 200, ${overall:-status unknown})"

# 2. Sign in. The password goes to curl on stdin, never on its command line.
printf '{"email":%s,"password":%s}' "$(json_string "$SMOKE_TEST_EMAIL")" "$(json_string "$SMOKE_TEST_PASSWORD")" >"$work/login.json"
request sign-in POST /api/v1/auth/login -H 'Content-Type: application/json' --data-binary @- <"$work/login.json"
rm -f "$work/login.json"
if [[ "$status" != 200 ]]; then
    fail "sign-in: POST /api/v1/auth/login answered $status (check SMOKE_TEST_EMAIL / SMOKE_TEST_PASSWORD; the account must not need MFA)"
fi
token="$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' "$work/body")"
[[ -n "$token" ]] || fail "sign-in: the answer holds no accessToken"
# The token travels in a header file, not on curl's command line.
(umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$work/auth")
echo "ok: sign-in (POST /api/v1/auth/login 200)"

# 3. Reads as the signed-in account.
request read GET /api/v1/me -H @"$work/auth"
[[ "$status" == 200 ]] || fail "read: GET /api/v1/me answered $status"
email_lower="$(tr '[:upper:]' '[:lower:]' <<<"$SMOKE_TEST_EMAIL")"
if ! tr '[:upper:]' '[:lower:]' <"$work/body" | grep -qF "\"$email_lower\""; then
    fail "read: GET /api/v1/me does not name the smoke-test account"
fi
echo "ok: read (GET /api/v1/me 200)"
request read GET /api/v1/auth/sessions -H @"$work/auth"
[[ "$status" == 200 ]] || fail "read: GET /api/v1/auth/sessions answered $status"
echo "ok: read (GET /api/v1/auth/sessions 200)"

# 4. End the session so smoke tests leave none behind; the token must stop working.
request sign-out POST /api/v1/auth/logout -H @"$work/auth"
[[ "$status" == 204 ]] || fail "sign-out: POST /api/v1/auth/logout answered $status"
request sign-out GET /api/v1/me -H @"$work/auth"
[[ "$status" == 401 ]] || fail "sign-out: the token still works after logout (GET /api/v1/me answered $status)"
echo "ok: sign-out (POST /api/v1/auth/logout 204, token refused afterwards)"

echo "smoke test passed: $base_url ($requests requests, no 5xx)"
