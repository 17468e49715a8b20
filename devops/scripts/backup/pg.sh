#!/usr/bin/env bash
# Functions shared by backup.sh and restore.sh: turn a DATABASE_URL into libpq
# settings without putting the password on any command line, find the
# PostgreSQL client programs, and the queries whose answers a backup's
# manifest records. It sits next to the two scripts so that the Kubernetes
# backup CronJob can mount all three from one ConfigMap.
#
# Source this file; do not execute it:
#
#   # shellcheck source=pg.sh
#   . "$script_dir/pg.sh"

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-}" in
        -h | --help)
            echo "Usage: devops/scripts/backup/pg.sh --help   (a library: source it, do not run it)"
            echo
            echo "Functions:"
            grep -E '^hb_[a-z_]+\(\)' "$0" | sed 's/().*//; s/^/  /'
            exit 0
            ;;
    esac
    echo "pg.sh: '${1:-}': this is a library; source it from another script (see --help)." >&2
    exit 2
fi

if [[ -n "${_HB_PG_LOADED:-}" ]]; then
    return 0
fi
_HB_PG_LOADED=1

# Decodes %XX escapes of a URL component.
_hb_url_decode() {
    local value="${1//+/%2B}"
    printf '%b' "${value//%/\\x}"
}

# hb_pg_use_url URL PASSFILE
# Exports PGHOST, PGPORT, PGUSER, PGDATABASE (and PGSSLMODE when given) from a
# postgresql:// URL or an Npgsql "Host=...;Username=..." string, and writes
# the password (if any) to PASSFILE (mode 600) and exports PGPASSFILE, so the
# password never shows in a process list. Fails with one line on stderr for
# a value it cannot read.
hb_pg_use_url() {
    if (($# != 2)); then
        echo "usage: hb_pg_use_url URL PASSFILE" >&2
        return 2
    fi
    local url="$1" passfile="$2"
    local host="" port="" user="" password="" database="" sslmode=""
    unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE PGSERVICE
    case "$url" in
        postgres://* | postgresql://*)
            local rest="${url#*://}" authority path="" query=""
            if [[ "$rest" == *\?* ]]; then
                query="${rest#*\?}"
                rest="${rest%%\?*}"
            fi
            authority="${rest%%/*}"
            [[ "$rest" == */* ]] && path="${rest#*/}"
            if [[ "$authority" == *@* ]]; then
                local credentials="${authority%@*}"
                authority="${authority##*@}"
                user="${credentials%%:*}"
                [[ "$credentials" == *:* ]] && password="${credentials#*:}"
            fi
            if [[ "$authority" =~ ^\[(.*)\](:([0-9]+))?$ ]]; then
                host="${BASH_REMATCH[1]}"
                port="${BASH_REMATCH[3]}"
            elif [[ "$authority" == *:* ]]; then
                host="${authority%%:*}"
                port="${authority#*:}"
            else
                host="$authority"
            fi
            user="$(_hb_url_decode "$user")"
            password="$(_hb_url_decode "$password")"
            database="$(_hb_url_decode "$path")"
            local pair key value
            local -a pairs=()
            [[ -n "$query" ]] && IFS='&' read -r -a pairs <<<"$query"
            for pair in "${pairs[@]}"; do
                key="${pair%%=*}"
                value="$(_hb_url_decode "${pair#*=}")"
                case "${key,,}" in
                    sslmode) sslmode="${value,,}" ;;
                    *) ;; # Pool and timeout settings matter to the application only.
                esac
            done
            ;;
        *=*)
            local item key value
            local -a items=()
            IFS=';' read -r -a items <<<"$url"
            for item in "${items[@]}"; do
                [[ "$item" == *=* ]] || continue
                key="${item%%=*}"
                key="${key,,}"
                key="${key//[[:space:]]/}"
                value="${item#*=}"
                case "$key" in
                    host | server) host="$value" ;;
                    port) port="$value" ;;
                    database | db) database="$value" ;;
                    username | userid | user | uid) user="$value" ;;
                    password | pwd) password="$value" ;;
                    sslmode) sslmode="${value,,}" ;;
                    *) ;;
                esac
            done
            ;;
        *)
            echo "error: DATABASE_URL is neither a postgresql:// URL nor a Host=...;Username=... string" >&2
            return 1
            ;;
    esac
    if [[ -z "$host" || -z "$database" ]]; then
        echo "error: DATABASE_URL must name a host and a database" >&2
        return 1
    fi
    if [[ -n "$port" && ! "$port" =~ ^[0-9]+$ ]]; then
        echo "error: DATABASE_URL has an invalid port" >&2
        return 1
    fi
    case "$sslmode" in
        "" | disable | allow | prefer | require | verify-ca | verify-full) ;;
        verifyca) sslmode=verify-ca ;;
        verifyfull) sslmode=verify-full ;;
        *)
            echo "error: DATABASE_URL has an unknown sslmode" >&2
            return 1
            ;;
    esac
    export PGHOST="$host" PGDATABASE="$database" PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
    [[ -n "$port" ]] && export PGPORT="$port"
    [[ -n "$user" ]] && export PGUSER="$user"
    [[ -n "$sslmode" ]] && export PGSSLMODE="$sslmode"
    (umask 077 && : >"$passfile")
    if [[ -n "$password" ]]; then
        # .pgpass format: backslash and colon are escaped; * matches anything.
        local escaped="${password//\\/\\\\}"
        escaped="${escaped//:/\\:}"
        printf '*:*:*:*:%s\n' "$escaped" >"$passfile"
    fi
    export PGPASSFILE="$passfile"
}

# hb_pg_client_bin
# Prints the directory of the PostgreSQL client programs: $PG_BIN when set,
# else the directory of pg_dump on PATH, else the newest
# /usr/lib/postgresql/*/bin. Fails with one line when there is none.
hb_pg_client_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        if [[ ! -x "$PG_BIN/pg_dump" ]]; then
            echo "error: PG_BIN=$PG_BIN has no pg_dump" >&2
            return 1
        fi
        printf '%s\n' "$PG_BIN"
        return 0
    fi
    local dir best="" best_major=0 major
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/pg_dump" ]] || continue
        major="${dir%/bin}"
        major="${major##*/}"
        if [[ "$major" =~ ^[0-9]+$ ]] && ((major > best_major)); then
            best_major="$major"
            best="$dir"
        fi
    done
    if [[ -n "$best" ]]; then
        printf '%s\n' "$best"
        return 0
    fi
    if command -v pg_dump >/dev/null 2>&1; then
        dirname "$(command -v pg_dump)"
        return 0
    fi
    echo "missing: PostgreSQL client programs (install them with: sudo apt-get install postgresql-client)" >&2
    return 1
}

# hb_pg_session_sql
# Prints SET statements that make the text form of values independent of the
# server's and the client's defaults, so checksums compare across servers.
hb_pg_session_sql() {
    cat <<'SQL'
SET TIME ZONE 'UTC';
SET DateStyle = ISO;
SET IntervalStyle = postgres;
SET extra_float_digits = 3;
SET bytea_output = hex;
SQL
}

# hb_pg_facts_sql
# Prints the queries whose tab-separated output backup.sh stores in a
# manifest and restore.sh compares: `rows<TAB>schema.table<TAB>count` for every
# table, and `checksum<TAB>schema.table<TAB>md5` (over the table's rows as
# text, sorted) for the tables in the psql variable `tables`, a text array
# literal such as '{public.users,public.patients}'.
hb_pg_facts_sql() {
    cat <<'SQL'
SELECT 'rows', n.nspname || '.' || c.relname,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM ONLY %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY 2;
SELECT 'checksum', n.nspname || '.' || c.relname,
       (xpath('/row/h/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) AS h FROM ONLY %I.%I t', n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname || '.' || c.relname = ANY (:'tables'::text[])
 ORDER BY 2;
SQL
}

# hb_pg_default_url owner|backup
# Prints $DATABASE_URL, or, when it is unset, the URL of the database that
# `make run` keeps in .data/, as the given role: `owner` connects as
# healthcare (the owner of the database, for restores), `backup` as
# healthcare_backup (read-only, for backups). The passwords come from
# .data/secrets.env. Fails with one line when there is neither.
hb_pg_default_url() {
    local role="${1:-owner}" user key
    case "$role" in
        owner) user=healthcare key=PG_PASSWORD ;;
        backup) user=healthcare_backup key=PG_BACKUP_PASSWORD ;;
        *)
            echo "usage: hb_pg_default_url owner|backup" >&2
            return 2
            ;;
    esac
    if [[ -n "${DATABASE_URL:-}" ]]; then
        printf '%s\n' "$DATABASE_URL"
        return 0
    fi
    local root secrets password=""
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)"
    secrets="$root/.data/secrets.env"
    if [[ ! -r "$secrets" ]] || ! grep -q '^PG_PASSWORD=' "$secrets"; then
        echo "error: DATABASE_URL is not set (and there is no local database from make run in .data/)" >&2
        return 1
    fi
    password="$(sed -n "s/^$key=//p" "$secrets" | head -n 1)"
    password="${password//[\"\']/}"
    if [[ -z "$password" ]]; then
        echo "error: DATABASE_URL is not set, and .data/secrets.env has no $key yet: run make run once to create the $user role" >&2
        return 1
    fi
    echo "note: DATABASE_URL is not set; using the local database of make run as $user" >&2
    printf 'postgresql://%s:%s@127.0.0.1:%s/healthcare\n' "$user" "$password" "${LOCAL_PG_PORT:-55432}"
}
