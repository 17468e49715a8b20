#!/usr/bin/env bash
# Shared helpers for the local and CI scripts: toolchain checks, system
# packages, and private PostgreSQL / Redis instances that live entirely inside
# a directory chosen by the caller.
#
# Source this file; do not execute it:
#
#   # shellcheck source=../lib/servers.sh
#   . "$script_dir/../lib/servers.sh"
#
# Every function works under `set -euo pipefail`. Functions that detect a
# problem print one line to stderr and `exit 1` (hb_require_dotnet,
# hb_ensure_packages) or `return 1` (everything else), so callers can decide.
#
# Environment variables read by this library:
#   HB_PG_SUPERUSER_PASSWORD  password for the `postgres` superuser, applied
#                             only when hb_pg_start creates a new cluster.
#   HB_REDIS_PASSWORD         when set, Redis requires it (requirepass) and
#                             the readiness check authenticates with it.
#
# Servers only ever listen on 127.0.0.1. Processes are stopped by the pid
# recorded in their own pid file, never by name.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    case "${1:-}" in
        -h | --help)
            echo "Usage: . devops/scripts/lib/servers.sh   (a library; source it, do not run it)"
            echo
            echo "Functions:"
            grep -E '^hb_[a-z_]+\(\)' "$0" | sed 's/().*//; s/^/  /'
            exit 0
            ;;
    esac
    echo "servers.sh is a library: source it from another script (see --help)." >&2
    exit 2
fi

# Guard against being sourced twice.
if [[ -n "${_HB_SERVERS_LOADED:-}" ]]; then
    return 0
fi
_HB_SERVERS_LOADED=1

# Set once `apt-get update` has run in this shell.
_HB_APT_UPDATED=""

# ---------------------------------------------------------------------------
# Small internal helpers
# ---------------------------------------------------------------------------

_hb_err() {
    printf '%s\n' "$*" >&2
}

_hb_is_root() {
    [[ "$(id -u)" -eq 0 ]]
}

# Succeeds when PID names a live process (zombies count as gone, so a child
# that has exited but was not reaped yet is not waited for forever).
_hb_pid_alive() {
    local pid="$1" stat state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/stat" ]]; then
        stat="$(<"/proc/$pid/stat")" || return 1
        state="${stat##*) }"
        state="${state%% *}"
        [[ "$state" != "Z" && "$state" != "X" ]] || return 1
    fi
    return 0
}

# Prints the first line of FILE if it is a numeric pid; fails otherwise.
_hb_read_pid() {
    local file="$1" pid=""
    [[ -f "$file" ]] || return 1
    IFS= read -r pid <"$file" || [[ -n "$pid" ]] || return 1
    pid="${pid//[[:space:]]/}"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    printf '%s\n' "$pid"
}

# Succeeds when the command line of PID contains PATTERN (plain substring).
_hb_pid_cmdline_has() {
    local pid="$1" pattern="$2" cmdline
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$pattern"* ]]
}

# Runs a command as the postgres OS user when we are root (PostgreSQL refuses
# to run as root), or as ourselves otherwise. Runs from / so the postgres user
# never trips over an unreadable working directory.
_hb_as_pg() {
    if _hb_is_root; then
        if ! id postgres >/dev/null 2>&1; then
            _hb_err "error: running as root but there is no 'postgres' OS user (install the postgresql package)"
            return 1
        fi
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Absolute path of DIR (which must exist).
_hb_abs_dir() {
    (cd "$1" && pwd -P)
}

# As root, give "others" execute permission on every ancestor of DIR that the
# postgres user cannot traverse, so the server can reach its data directory.
_hb_make_traversable() {
    local dir="$1"
    _hb_is_root || return 0
    while [[ "$dir" != "/" && -n "$dir" ]]; do
        dir="$(dirname "$dir")"
        if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
            chmod o+x "$dir"
        fi
    done
}

# Prints the last lines of a log file to stderr, if it exists.
_hb_show_log_tail() {
    local file="$1" lines="${2:-30}"
    if [[ -s "$file" ]]; then
        _hb_err "---- last $lines lines of $file ----"
        tail -n "$lines" "$file" >&2 || true
        _hb_err "----"
    fi
}

_hb_check_port_arg() {
    local port="$1"
    if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        _hb_err "error: invalid TCP port '$port'"
        return 1
    fi
}

# ---------------------------------------------------------------------------
# Toolchain and packages
# ---------------------------------------------------------------------------

# Exits with one line on stderr unless a .NET SDK with major version >= 10 is
# installed. Uses `--list-sdks` so a global.json pin cannot mask the answer.
hb_require_dotnet() {
    local msg="missing: .NET SDK 10 (see https://learn.microsoft.com/dotnet/core/install/linux)"
    local line major best=0
    if ! command -v dotnet >/dev/null 2>&1; then
        _hb_err "$msg"
        exit 1
    fi
    while IFS= read -r line; do
        major="${line%%.*}"
        if [[ "$major" =~ ^[0-9]+$ ]] && ((major > best)); then
            best="$major"
        fi
    done < <(dotnet --list-sdks 2>/dev/null || true)
    if ((best < 10)); then
        _hb_err "$msg"
        exit 1
    fi
}

# Prints the bin directory of the newest installed PostgreSQL with major
# version >= 15 (Debian layout: /usr/lib/postgresql/<major>/bin). Fails
# quietly when there is none.
_hb_find_pg_bin() {
    local initdb dir major best=0 best_dir=""
    for initdb in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$initdb" ]] || continue
        dir="${initdb%/initdb}"
        major="${dir%/bin}"
        major="${major##*/}"
        [[ "$major" =~ ^[0-9]+$ ]] || continue
        [[ -x "$dir/pg_ctl" && -x "$dir/postgres" && -x "$dir/psql" ]] || continue
        if ((major >= 15 && major > best)); then
            best="$major"
            best_dir="$dir"
        fi
    done
    [[ -n "$best_dir" ]] || return 1
    printf '%s\n' "$best_dir"
}

# Prints the bin directory of the newest installed PostgreSQL >= 15.
hb_pg_bin() {
    if ! _hb_find_pg_bin; then
        _hb_err "error: no PostgreSQL >= 15 server found under /usr/lib/postgresql/*/bin"
        return 1
    fi
}

_hb_apt_update_once() {
    local log="$1"
    if [[ -z "$_HB_APT_UPDATED" ]]; then
        apt-get update >>"$log" 2>&1 || return 1
        _HB_APT_UPDATED=1
    fi
}

# _hb_apt_install LOG PACKAGE...
# apt-get update (once per shell) and install PACKAGEs without recommends,
# output appended to LOG. The haproxy, nginx and etcd-server packages would
# start system services (ports 80, 443, 2379); the scripts only need the
# binaries. policy-rc.d keeps the package scripts from starting anything
# (removed again afterwards).
_hb_apt_install() {
    local log="$1"
    shift
    local policy=/usr/sbin/policy-rc.d own_policy="" rc=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own_policy=1
    fi
    if ! _hb_apt_update_once "$log" ||
        ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
        rc=1
    fi
    [[ -z "$own_policy" ]] || rm -f "$policy"
    return "$rc"
}

# hb_ensure_packages [--browser] [--deploy] [--load]
# Makes sure PostgreSQL >= 15, redis-server/redis-cli and openssl are
# installed (and /usr/bin/chromium with --browser; haproxy, nginx, wrk,
# pgbouncer, promtool and prometheus for the deployment and metrics checks with --deploy;
# stress-ng, to run the tests beside a CPU hog, with --load). Installs what is missing through
# apt-get when running as root; otherwise exits with one line naming the
# packages to install.
hb_ensure_packages() {
    local browser="" deploy="" load="" arg
    for arg in "$@"; do
        case "$arg" in
            --browser) browser=1 ;;
            --deploy) deploy=1 ;;
            --load) load=1 ;;
            *)
                _hb_err "hb_ensure_packages: unknown option '$arg'"
                return 2
                ;;
        esac
    done

    local -a missing=()
    _hb_find_pg_bin >/dev/null || missing+=(postgresql)
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        missing+=(redis-server)
    fi
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    if [[ -n "$browser" && ! -x /usr/bin/chromium ]]; then
        missing+=(chromium)
    fi
    if [[ -n "$deploy" ]]; then
        command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
        command -v nginx >/dev/null 2>&1 || missing+=(nginx)
        command -v wrk >/dev/null 2>&1 || missing+=(wrk)
        command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
        # promtool checks rules and configurations; the server answers the dashboard queries in the tests.
        { command -v promtool && command -v prometheus; } >/dev/null 2>&1 || missing+=(prometheus)
    fi
    if [[ -n "$load" ]] && ! command -v stress-ng >/dev/null 2>&1; then
        missing+=(stress-ng)
    fi
    ((${#missing[@]} > 0)) || return 0

    if ! _hb_is_root || ! command -v apt-get >/dev/null 2>&1; then
        _hb_err "missing: install them with: sudo apt-get install ${missing[*]}"
        exit 1
    fi

    local log
    log="$(mktemp "${TMPDIR:-/tmp}/hb-apt.XXXXXX.log")"
    echo "Installing ${missing[*]} (log: $log) ..." >&2
    if ! _hb_apt_install "$log" "${missing[@]}"; then
        _hb_err "error: apt-get install ${missing[*]} failed"
        _hb_show_log_tail "$log" 40
        exit 1
    fi

    # Re-check: an old distribution could still ship PostgreSQL < 15.
    if ! _hb_find_pg_bin >/dev/null; then
        _hb_err "missing: PostgreSQL >= 15 (the distribution installed an older version; see https://www.postgresql.org/download/linux/)"
        exit 1
    fi
    if [[ -n "$browser" && ! -x /usr/bin/chromium ]]; then
        _hb_err "missing: /usr/bin/chromium was not installed by the chromium package"
        exit 1
    fi
    rm -f "$log"
}

# hb_ensure_failover_packages
# Makes sure Patroni and etcd (the Debian packages patroni and etcd-server)
# are installed, for the failover rehearsal among the Chaos tests
# (FailoverTests). As root, installs them with apt-get; otherwise prints one
# line naming the packages and returns 1, so the caller may go on and let
# that test report it.
hb_ensure_failover_packages() {
    local -a missing=()
    command -v patroni >/dev/null 2>&1 || missing+=(patroni)
    command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
    ((${#missing[@]} > 0)) || return 0
    if ! _hb_is_root || ! command -v apt-get >/dev/null 2>&1; then
        _hb_err "missing for the failover rehearsal: install them with: sudo apt-get install ${missing[*]}"
        return 1
    fi
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/hb-apt.XXXXXX.log")"
    echo "Installing ${missing[*]} (log: $log) ..." >&2
    if ! _hb_apt_install "$log" "${missing[@]}" || ! command -v patroni >/dev/null 2>&1 || ! command -v etcd >/dev/null 2>&1; then
        _hb_err "error: apt-get install ${missing[*]} failed"
        _hb_show_log_tail "$log" 40
        return 1
    fi
    rm -f "$log"
}

# Succeeds when kubectl is installed and embeds kustomize v5 or newer
# (kubectl 1.27+), which the Kubernetes manifests need.
_hb_kubectl_ok() {
    local version
    command -v kubectl >/dev/null 2>&1 || return 1
    version="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')"
    [[ "$version" =~ ^[0-9]+$ ]] && ((version >= 5))
}

# hb_ensure_kubectl
# Makes sure kubectl 1.27+ is installed, for the tests that render the
# Kubernetes manifests with `kubectl kustomize`. As root, installs the apt
# package `kubectl` when an apt source offers it (Debian's older
# kubernetes-client is too old). Otherwise prints one line and returns 1, so
# the caller may go on and let those tests report it.
hb_ensure_kubectl() {
    _hb_kubectl_ok && return 0
    local msg="missing: kubectl 1.27 or newer (kustomize v5) for the Kubernetes tests; see https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/"
    if _hb_is_root && command -v apt-get >/dev/null 2>&1; then
        local log
        log="$(mktemp "${TMPDIR:-/tmp}/hb-apt.XXXXXX.log")"
        if _hb_apt_update_once "$log" && apt-cache policy kubectl 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            echo "Installing kubectl (log: $log) ..." >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends kubectl >>"$log" 2>&1 || true
        fi
        rm -f "$log"
        _hb_kubectl_ok && return 0
    fi
    _hb_err "$msg"
    return 1
}

# ---------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------

# Succeeds when something listens on TCP PORT (any local address), or when a
# connection to 127.0.0.1:PORT is accepted.
hb_port_in_use() {
    local port="$1"
    _hb_check_port_arg "$port" || return 2
    if command -v ss >/dev/null 2>&1; then
        if [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
            return 0
        fi
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        return 0
    fi
    return 1
}

# Prints a currently free TCP port on 127.0.0.1, from 20000 up to just below the
# kernel's ephemeral range (ip_local_port_range, usually 32768-60999). A port is
# chosen now and bound later; inside the ephemeral range, any outgoing
# connection on the machine could take it in between (seen as "Address already
# in use" under load). Below it, only another listener can.
hb_free_port() {
    local attempt port low=20000 high=32767 ephemeral_low _
    if read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
        [[ "$ephemeral_low" =~ ^[0-9]+$ ]] && ((ephemeral_low > low + 1000)); then
        high=$((ephemeral_low - 1))
    fi
    for ((attempt = 0; attempt < 200; attempt++)); do
        port=$((low + (RANDOM * 32768 + RANDOM) % (high - low + 1)))
        if ! hb_port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    _hb_err "error: could not find a free TCP port in $low-$high"
    return 1
}

# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

# hb_stop_pidfile FILE [SECONDS] [CMDLINE_SUBSTRING]
# Sends TERM to the pid in FILE if it is alive, waits up to SECONDS (default
# 10) for it to exit, then sends KILL. Removes FILE. When CMDLINE_SUBSTRING is
# given, a live pid whose command line does not contain it is treated as a
# stale pid file (the pid was reused by an unrelated process) and left alone.
hb_stop_pidfile() {
    local file="$1" grace="${2:-10}" expect="${3:-}" pid waited=0
    if ! [[ "$grace" =~ ^[0-9]+$ ]]; then
        _hb_err "hb_stop_pidfile: invalid number of seconds '$grace'"
        return 2
    fi
    [[ -e "$file" ]] || return 0
    if ! pid="$(_hb_read_pid "$file")"; then
        rm -f "$file"
        return 0
    fi
    if [[ "$pid" == "$$" ]] || ! _hb_pid_alive "$pid"; then
        rm -f "$file"
        return 0
    fi
    if [[ -n "$expect" ]] && ! _hb_pid_cmdline_has "$pid" "$expect"; then
        _hb_err "note: pid $pid from $file is not '$expect' any more; removing the stale pid file"
        rm -f "$file"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    # Poll every 0.2 s; `waited` counts tenths of a second.
    while _hb_pid_alive "$pid" && ((waited < grace * 10)); do
        sleep 0.2
        waited=$((waited + 2))
    done
    if _hb_pid_alive "$pid"; then
        _hb_err "warning: pid $pid ($file) did not stop within ${grace}s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        waited=0
        while _hb_pid_alive "$pid" && ((waited < 50)); do
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
    rm -f "$file"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
# Layout inside DIR:
#   DIR/pgdata        cluster data directory
#   DIR/postgres.log  server log
#   DIR/socket        unix socket directory (see _hb_pg_sockdir)

# Unix socket paths are limited to 107 bytes. When DIR/socket is too deep for
# ".s.PGSQL.<port>", a short directory under /tmp is used instead and its path
# is recorded in DIR/socket.path.
_hb_pg_sockdir() {
    local dir="$1" recorded=""
    if [[ -f "$dir/socket.path" ]]; then
        IFS= read -r recorded <"$dir/socket.path" || true
        if [[ -n "$recorded" && -d "$recorded" ]]; then
            printf '%s\n' "$recorded"
            return 0
        fi
    fi
    printf '%s\n' "$dir/socket"
}

_hb_pg_prepare_sockdir() {
    local dir="$1" sock="$1/socket"
    if ((${#sock} + 16 > 107)); then
        sock="$(_hb_pg_sockdir "$dir")"
        if [[ "$sock" == "$dir/socket" ]]; then
            sock="$(mktemp -d /tmp/hb-pg.XXXXXX)"
            printf '%s\n' "$sock" >"$dir/socket.path"
        fi
    else
        rm -f "$dir/socket.path"
        mkdir -p "$sock"
    fi
    chmod 700 "$sock"
    if _hb_is_root; then
        chown postgres:postgres "$sock"
    fi
    printf '%s\n' "$sock"
}

# hb_pg_running DIR
# Succeeds when the cluster in DIR/pgdata is running.
hb_pg_running() {
    local dir="$1" bin
    [[ -f "$dir/pgdata/postmaster.pid" ]] || return 1
    bin="$(hb_pg_bin)" || return 1
    _hb_as_pg "$bin/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1
}

# hb_pg_start DIR PORT
# Creates (first time) and starts a private cluster in DIR listening on
# 127.0.0.1:PORT. Does nothing when it is already running on PORT.
hb_pg_start() {
    if (($# != 2)); then
        _hb_err "usage: hb_pg_start DIR PORT"
        return 2
    fi
    local dir="$1" port="$2" bin
    _hb_check_port_arg "$port" || return 1
    bin="$(hb_pg_bin)" || return 1
    mkdir -p "$dir"
    dir="$(_hb_abs_dir "$dir")"
    case "$dir" in
        *\'* | *\"* | *\\*)
            _hb_err "error: PostgreSQL directory must not contain quotes or backslashes: $dir"
            return 1
            ;;
    esac

    if _hb_is_root; then
        _hb_make_traversable "$dir"
        chown -R postgres:postgres "$dir"
    fi

    if hb_pg_running "$dir"; then
        local running_port
        running_port="$(sed -n '4p' "$dir/pgdata/postmaster.pid" 2>/dev/null || true)"
        if [[ -n "$running_port" && "$running_port" != "$port" ]]; then
            _hb_err "error: PostgreSQL in $dir is already running on port $running_port, not $port; stop it first"
            return 1
        fi
        return 0
    fi

    if [[ ! -f "$dir/pgdata/PG_VERSION" ]]; then
        local -a initdb_args=(
            -D "$dir/pgdata" -U postgres
            --auth-local=trust --auth-host=scram-sha-256
            --encoding=UTF8
        )
        local locales
        locales="$(locale -a 2>/dev/null || true)"
        if grep -qix 'c\.utf-\?8' <<<"$locales"; then
            initdb_args+=(--locale=C.UTF-8)
        else
            initdb_args+=(--no-locale)
        fi
        local pwfile=""
        if [[ -n "${HB_PG_SUPERUSER_PASSWORD:-}" ]]; then
            pwfile="$(mktemp "${TMPDIR:-/tmp}/hb-pgpw.XXXXXX")"
            chmod 600 "$pwfile"
            printf '%s\n' "$HB_PG_SUPERUSER_PASSWORD" >"$pwfile"
            if _hb_is_root; then
                chown postgres "$pwfile"
                _hb_make_traversable "$pwfile"
            fi
            initdb_args+=(--pwfile="$pwfile")
        fi
        if [[ -d "$dir/pgdata" ]] && [[ -n "$(ls -A "$dir/pgdata")" ]]; then
            [[ -z "$pwfile" ]] || rm -f "$pwfile"
            _hb_err "error: $dir/pgdata is not empty but has no PG_VERSION (interrupted initdb?); remove it and try again"
            return 1
        fi
        _hb_as_pg mkdir -p "$dir/pgdata"
        local rc=0
        _hb_as_pg "$bin/initdb" "${initdb_args[@]}" >"$dir/initdb.log" 2>&1 || rc=$?
        [[ -z "$pwfile" ]] || rm -f "$pwfile"
        if ((rc != 0)); then
            _hb_err "error: initdb failed for $dir/pgdata"
            _hb_show_log_tail "$dir/initdb.log"
            return 1
        fi
    fi

    _hb_pg_ctl_start "$dir" "$port" "PostgreSQL" "-c fsync=on"
}

# _hb_pg_ctl_start DIR PORT WHAT EXTRA_OPTIONS
# Starts the cluster in DIR/pgdata on 127.0.0.1:PORT with its socket in the
# short socket directory; on failure shows the logs and names WHAT.
_hb_pg_ctl_start() {
    local dir="$1" port="$2" what="$3" extra="$4" bin sock
    bin="$(hb_pg_bin)" || return 1
    sock="$(_hb_pg_prepare_sockdir "$dir")"
    local opts="-c listen_addresses=127.0.0.1 -p $port -k '$sock'"
    opts+=" -c max_connections=200 -c shared_buffers=128MB $extra"
    if ! _hb_as_pg "$bin/pg_ctl" -w -t 60 -D "$dir/pgdata" -l "$dir/postgres.log" -o "$opts" start >/dev/null 2>"$dir/pg_ctl.err"; then
        _hb_err "error: $what failed to start on 127.0.0.1:$port ($dir)"
        _hb_show_log_tail "$dir/pg_ctl.err" 10
        _hb_show_log_tail "$dir/postgres.log"
        return 1
    fi
    rm -f "$dir/pg_ctl.err"
}

# hb_pg_replica_start PRIMARY_DIR PRIMARY_PORT DIR PORT
# Starts a hot-standby streaming replica of the cluster in PRIMARY_DIR (started
# by hb_pg_start) in DIR/pgdata on 127.0.0.1:PORT. The first call copies the
# primary with pg_basebackup -R over its unix socket; later calls only start
# it. Stop it with hb_pg_stop DIR.
hb_pg_replica_start() {
    if (($# != 4)); then
        _hb_err "usage: hb_pg_replica_start PRIMARY_DIR PRIMARY_PORT DIR PORT"
        return 2
    fi
    local primary="$1" primary_port="$2" dir="$3" port="$4" bin
    _hb_check_port_arg "$port" || return 1
    bin="$(hb_pg_bin)" || return 1
    hb_pg_running "$primary" || {
        _hb_err "error: the primary in $primary is not running"
        return 1
    }
    mkdir -p "$dir"
    dir="$(_hb_abs_dir "$dir")"
    if _hb_is_root; then
        _hb_make_traversable "$dir"
        chown -R postgres:postgres "$dir"
    fi
    hb_pg_running "$dir" && return 0
    if [[ ! -f "$dir/pgdata/PG_VERSION" ]]; then
        local primary_sock
        primary_sock="$(_hb_pg_sockdir "$primary")"
        if ! _hb_as_pg "$bin/pg_basebackup" -h "$primary_sock" -p "$primary_port" -U postgres \
            -D "$dir/pgdata" -R -X stream -c fast >"$dir/basebackup.log" 2>&1; then
            _hb_err "error: pg_basebackup of $primary into $dir/pgdata failed"
            _hb_show_log_tail "$dir/basebackup.log"
            return 1
        fi
    fi
    _hb_pg_ctl_start "$dir" "$port" "the PostgreSQL replica" "-c hot_standby=on"
}

# hb_pg_stop DIR
# Fast shutdown of the cluster in DIR/pgdata if it is running.
hb_pg_stop() {
    if (($# != 1)); then
        _hb_err "usage: hb_pg_stop DIR"
        return 2
    fi
    local dir="$1" bin
    [[ -d "$dir" ]] || return 0
    hb_pg_running "$dir" || return 0
    bin="$(hb_pg_bin)" || return 1
    local pid tenths=0
    pid="$(_hb_read_pid "$dir/pgdata/postmaster.pid" || true)"
    if ! _hb_as_pg "$bin/pg_ctl" -D "$dir/pgdata" -m fast -w -t 60 stop >/dev/null 2>"$dir/pg_ctl.err"; then
        _hb_err "error: could not stop PostgreSQL in $dir"
        _hb_show_log_tail "$dir/pg_ctl.err" 10
        return 1
    fi
    rm -f "$dir/pg_ctl.err"
    # pg_ctl returns once the pid file is gone; wait for the process too.
    while [[ -n "$pid" ]] && _hb_pid_alive "$pid" && ((tenths < 50)); do
        sleep 0.1
        tenths=$((tenths + 1))
    done
    # Remove the short socket directory used for very deep DIR paths.
    if [[ -f "$dir/socket.path" ]]; then
        local sock
        sock="$(_hb_pg_sockdir "$dir")"
        if [[ "$sock" == /tmp/hb-pg.* ]]; then
            rm -rf "$sock"
        fi
        rm -f "$dir/socket.path"
    fi
}

# Runs psql as the postgres superuser over the unix socket of DIR, with
# ON_ERROR_STOP, no psqlrc, quiet and unaligned tuples-only output. Extra
# arguments go to psql unchanged.
_hb_pg_psql_raw() {
    local dir="$1" port="$2" bin sock
    shift 2
    bin="$(hb_pg_bin)" || return 1
    sock="$(_hb_pg_sockdir "$dir")"
    _hb_as_pg "$bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
        -h "$sock" -p "$port" -U postgres -d postgres "$@"
}

# hb_pg_psql DIR PORT SQL...
# Runs each SQL argument (in order, one -c each) as the superuser.
hb_pg_psql() {
    if (($# < 3)); then
        _hb_err "usage: hb_pg_psql DIR PORT SQL..."
        return 2
    fi
    local dir="$1" port="$2" sql
    shift 2
    local -a args=()
    for sql in "$@"; do
        args+=(-c "$sql")
    done
    _hb_pg_psql_raw "$dir" "$port" "${args[@]}"
}

# hb_pg_ensure_db DIR PORT ROLE PASSWORD DBNAME [superuser]
# Idempotently creates the login ROLE (CREATEDB, or SUPERUSER with the last
# argument `superuser`), (re)sets its PASSWORD, and creates DBNAME owned by
# it. Values travel through the environment and psql's \getenv, so they never
# appear on a command line and need no quoting.
hb_pg_ensure_db() {
    if (($# < 5 || $# > 6)); then
        _hb_err "usage: hb_pg_ensure_db DIR PORT ROLE PASSWORD DBNAME [superuser]"
        return 2
    fi
    local dir="$1" port="$2" role="$3" password="$4" db="$5" kind="${6:-}"
    local attrs="LOGIN CREATEDB NOSUPERUSER"
    case "$kind" in
        "") ;;
        superuser) attrs="LOGIN SUPERUSER CREATEDB CREATEROLE" ;;
        *)
            _hb_err "hb_pg_ensure_db: last argument must be 'superuser' or absent, got '$kind'"
            return 2
            ;;
    esac
    if [[ -z "$role" || -z "$password" || -z "$db" ]]; then
        _hb_err "hb_pg_ensure_db: role, password and database name must not be empty"
        return 2
    fi

    HB_ENSURE_ROLE="$role" HB_ENSURE_PASSWORD="$password" HB_ENSURE_DB="$db" \
        _hb_pg_psql_raw "$dir" "$port" >/dev/null <<SQL
\getenv hb_role HB_ENSURE_ROLE
\getenv hb_password HB_ENSURE_PASSWORD
\getenv hb_db HB_ENSURE_DB
SELECT format('CREATE ROLE %I', :'hb_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'hb_role') \gexec
SELECT format('ALTER ROLE %I WITH $attrs PASSWORD %L', :'hb_role', :'hb_password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'hb_db', :'hb_role', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'hb_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'hb_db', :'hb_role') \gexec
SQL
}

# hb_pg_ensure_app_roles DIR PORT DBNAME APP_PASSWORD BACKUP_PASSWORD
# Idempotently creates the roles the backend connects as besides the owner of
# DBNAME (hb_pg_ensure_db): the group roles healthcare_runtime and
# healthcare_readonly (NOLOGIN, own nothing), the login role healthcare_app
# (member of healthcare_runtime: the API and the worker) and the login role
# healthcare_backup (member of healthcare_readonly: backups). It (re)sets both
# passwords and the roles' attributes, and grants the two groups CONNECT on
# DBNAME (PUBLIC keeps its default CONNECT). The privileges on the tables are
# granted by the migrator, which skips a group role that does not exist yet:
# call this before `migrate`. Values travel through the environment and psql's
# \getenv, so they never appear on a command line.
hb_pg_ensure_app_roles() {
    if (($# != 5)); then
        _hb_err "usage: hb_pg_ensure_app_roles DIR PORT DBNAME APP_PASSWORD BACKUP_PASSWORD"
        return 2
    fi
    local dir="$1" port="$2" db="$3" app_password="$4" backup_password="$5"
    if [[ -z "$db" || -z "$app_password" || -z "$backup_password" ]]; then
        _hb_err "hb_pg_ensure_app_roles: database name and passwords must not be empty"
        return 2
    fi

    HB_ENSURE_DB="$db" HB_ENSURE_APP_PASSWORD="$app_password" HB_ENSURE_BACKUP_PASSWORD="$backup_password" \
        _hb_pg_psql_raw "$dir" "$port" >/dev/null <<'SQL'
\getenv hb_db HB_ENSURE_DB
\getenv hb_app_password HB_ENSURE_APP_PASSWORD
\getenv hb_backup_password HB_ENSURE_BACKUP_PASSWORD
SELECT format('CREATE ROLE %I', name)
  FROM unnest(ARRAY['healthcare_runtime', 'healthcare_readonly', 'healthcare_app', 'healthcare_backup']) AS name
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE healthcare_runtime WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE healthcare_readonly WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SELECT format('ALTER ROLE healthcare_app WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', :'hb_app_password') \gexec
SELECT format('ALTER ROLE healthcare_backup WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L', :'hb_backup_password') \gexec
SELECT 'GRANT healthcare_runtime TO healthcare_app'
 WHERE NOT pg_has_role('healthcare_app', 'healthcare_runtime', 'MEMBER') \gexec
SELECT 'GRANT healthcare_readonly TO healthcare_backup'
 WHERE NOT pg_has_role('healthcare_backup', 'healthcare_readonly', 'MEMBER') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO healthcare_runtime, healthcare_readonly', :'hb_db') \gexec
SQL
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------
# Layout inside DIR:
#   DIR/redis      data directory (append-only file)
#   DIR/redis.pid  pid file
#   DIR/redis.log  server log

# Succeeds when redis on 127.0.0.1:PORT answers PONG (authenticating with
# HB_REDIS_PASSWORD when set; passed via REDISCLI_AUTH, not the command line).
_hb_redis_ping() {
    local port="$1" out
    if [[ -n "${HB_REDIS_PASSWORD:-}" ]]; then
        out="$(REDISCLI_AUTH="$HB_REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" || return 1
    else
        out="$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" || return 1
    fi
    [[ "$out" == "PONG" ]]
}

# Prints the pid of the live redis-server recorded in DIR/redis.pid.
_hb_redis_pid() {
    local dir="$1" pid
    pid="$(_hb_read_pid "$dir/redis.pid")" || return 1
    _hb_pid_alive "$pid" || return 1
    _hb_pid_cmdline_has "$pid" "redis-server" || return 1
    printf '%s\n' "$pid"
}

# hb_redis_running DIR
# Succeeds when the redis-server recorded in DIR/redis.pid is alive.
hb_redis_running() {
    _hb_redis_pid "$1" >/dev/null
}

# hb_redis_start DIR PORT
# Starts a daemonized redis-server bound to 127.0.0.1:PORT with its data in
# DIR/redis and waits (10 s max) until it answers PONG. Does nothing when the
# instance of DIR is already running and answering on PORT.
hb_redis_start() {
    if (($# != 2)); then
        _hb_err "usage: hb_redis_start DIR PORT"
        return 2
    fi
    local dir="$1" port="$2" pid
    _hb_check_port_arg "$port" || return 1
    mkdir -p "$dir/redis"
    dir="$(_hb_abs_dir "$dir")"

    if pid="$(_hb_redis_pid "$dir")"; then
        if _hb_redis_ping "$port"; then
            return 0
        fi
        _hb_err "error: redis-server of $dir is running (pid $pid) but does not answer on port $port with the expected password; stop it first"
        return 1
    fi
    rm -f "$dir/redis.pid"

    # The password is fed through stdin ("-" = read config from stdin) so it
    # never shows up in the process list.
    local config=""
    if [[ -n "${HB_REDIS_PASSWORD:-}" ]]; then
        if [[ "$HB_REDIS_PASSWORD" =~ [[:space:]\"\'\\] ]]; then
            _hb_err "error: HB_REDIS_PASSWORD must not contain whitespace, quotes or backslashes"
            return 1
        fi
        config="requirepass $HB_REDIS_PASSWORD"
    fi
    if ! printf '%s\n' "$config" | redis-server - \
        --bind 127.0.0.1 --port "$port" \
        --dir "$dir/redis" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        --appendonly yes --appendfsync everysec --save "" \
        --protected-mode yes --daemonize yes >/dev/null 2>"$dir/redis-start.err"; then
        _hb_err "error: redis-server failed to start on 127.0.0.1:$port ($dir)"
        _hb_show_log_tail "$dir/redis-start.err" 10
        _hb_show_log_tail "$dir/redis.log"
        return 1
    fi
    rm -f "$dir/redis-start.err"

    local tenths=0
    while ((tenths < 100)); do
        if _hb_redis_ping "$port" && _hb_redis_pid "$dir" >/dev/null; then
            return 0
        fi
        # Give up early when the daemon wrote its pid file and died already.
        if [[ -f "$dir/redis.pid" ]] && ! _hb_redis_pid "$dir" >/dev/null && ((tenths > 5)); then
            break
        fi
        sleep 0.1
        tenths=$((tenths + 1))
    done
    _hb_err "error: redis-server did not answer PONG on 127.0.0.1:$port within 10s ($dir)"
    _hb_show_log_tail "$dir/redis.log"
    # Do not leave a half-started daemon behind.
    hb_redis_stop "$dir" || true
    return 1
}

# hb_redis_stop DIR
# Stops the redis-server whose pid is in DIR/redis.pid (only that pid) and
# waits up to 10 s for it to exit.
hb_redis_stop() {
    if (($# != 1)); then
        _hb_err "usage: hb_redis_stop DIR"
        return 2
    fi
    local dir="$1"
    [[ -e "$dir/redis.pid" ]] || return 0
    hb_stop_pidfile "$dir/redis.pid" 10 "redis-server"
}

# ---------------------------------------------------------------------------
# PgBouncer
# ---------------------------------------------------------------------------
# Layout inside DIR: pgbouncer.ini (rendered), userlist.txt, pgbouncer.pid,
# pgbouncer.log.

# hb_pgbouncer_tracks_prepared
# Succeeds when the installed PgBouncer (1.21 or newer) keeps track of
# prepared statements in transaction mode (max_prepared_statements).
hb_pgbouncer_tracks_prepared() {
    local version major minor
    version="$(pgbouncer --version 2>/dev/null | sed -n 's/^PgBouncer \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -1)"
    read -r major minor <<<"$version"
    [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
    ((major > 1 || (major == 1 && minor >= 21)))
}

# hb_pgbouncer_start INI DIR PORT PG_PORT USER PASSWORD
# Runs PgBouncer with the settings of INI (devops/docker/pgbouncer/pgbouncer.ini)
# on 127.0.0.1:PORT, its databases pointed at PostgreSQL on 127.0.0.1:PG_PORT,
# USER/PASSWORD in its auth file and USER allowed to read its statistics (the
# admin console's SHOW commands). An older PgBouncer does not know
# max_prepared_statements: the line is left out (clients must not auto-prepare
# then; see hb_pgbouncer_tracks_prepared). Runs as postgres when root.
hb_pgbouncer_start() {
    if (($# != 6)); then
        _hb_err "usage: hb_pgbouncer_start INI DIR PORT PG_PORT USER PASSWORD"
        return 2
    fi
    local ini="$1" dir="$2" port="$3" pg_port="$4" user="$5" password="$6"
    command -v pgbouncer >/dev/null 2>&1 || { _hb_err "missing: pgbouncer (install it with: sudo apt-get install pgbouncer)"; return 1; }
    [[ -f "$ini" ]] || { _hb_err "hb_pgbouncer_start: no such file: $ini"; return 1; }
    mkdir -p "$dir"
    chmod 700 "$dir"
    (umask 077 && printf '"%s" "%s"\n' "$user" "$password" >"$dir/userlist.txt")
    local -a without=()
    hb_pgbouncer_tracks_prepared || without=(-e '/^max_prepared_statements[[:space:]]*=/d')
    sed -E \
        -e "s|^([A-Za-z_][A-Za-z0-9_]* = host=)[^ ]+ port=[0-9]+|\\1127.0.0.1 port=$pg_port|" \
        -e "s|^listen_addr = .*|listen_addr = 127.0.0.1|" \
        -e "s|^listen_port = .*|listen_port = $port|" \
        -e "s|^auth_file = .*|auth_file = $dir/userlist.txt|" \
        "${without[@]}" "$ini" >"$dir/pgbouncer.ini"
    printf 'pidfile = %s\nlogfile = %s\nstats_users = %s\n' "$dir/pgbouncer.pid" "$dir/pgbouncer.log" "$user" >>"$dir/pgbouncer.ini"
    rm -f "$dir/pgbouncer.pid"
    if _hb_is_root; then
        chown -R postgres:postgres "$dir"
        runuser -u postgres -- pgbouncer -d -q "$dir/pgbouncer.ini" || { _hb_show_log_tail "$dir/pgbouncer.log" 20; return 1; }
    else
        pgbouncer -d -q "$dir/pgbouncer.ini" || { _hb_show_log_tail "$dir/pgbouncer.log" 20; return 1; }
    fi
    local waited=0
    until [[ -s "$dir/pgbouncer.pid" ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ((waited >= 300)); then
            _hb_err "PgBouncer did not listen on 127.0.0.1:$port within 30 s"
            _hb_show_log_tail "$dir/pgbouncer.log" 20
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

# hb_pgbouncer_stop DIR
hb_pgbouncer_stop() {
    if (($# != 1)); then
        _hb_err "usage: hb_pgbouncer_stop DIR"
        return 2
    fi
    [[ -e "$1/pgbouncer.pid" ]] || return 0
    hb_stop_pidfile "$1/pgbouncer.pid" 10 "pgbouncer"
}
