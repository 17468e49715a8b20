#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Restores a backup made by backup.sh into a NEW database on the server of
# DATABASE_URL and verifies the copy: the row count of every table and the
# checksums of the key tables must match the backup's manifest.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/backup/restore.sh [options] DUMP_FILE TARGET_DATABASE

Creates TARGET_DATABASE on the server of DATABASE_URL, owned by the owner
role (the user of DATABASE_URL unless --owner names another), restores
DUMP_FILE into it with pg_restore so that every object belongs to that role
and the dump's grants (to healthcare_runtime and healthcare_readonly) are
restored with it, then compares the restored tables with the manifest written
next to the dump (DUMP_FILE with .manifest instead of .dump): every table's
row count and the checksums of the key tables. The dump's .sha256 file, when
present, is checked first.

The user of DATABASE_URL needs CREATEDB, and with --owner it must also be a
member of that role (a superuser is). The roles the dump grants privileges to
must exist on the server.

It never restores over an existing database: when TARGET_DATABASE exists, or
is the database of DATABASE_URL, it stops unless --force is given, in which
case that database is dropped (its connections are ended) and recreated.

Options (environment variable in brackets):
  --database-url URL   server and credentials [DATABASE_URL; default: the
                       server of `make run` in .data/, as the owner healthcare]
  --owner ROLE         owner of the restored database and its objects
                       [default: the user of DATABASE_URL]
  --manifest FILE      manifest to verify against (default: next to the dump)
  --no-verify          restore only; skip the comparison
  --jobs N             parallel pg_restore jobs [default 2]
  --force              replace TARGET_DATABASE if it exists
  -h, --help           show this help

Exit status: 0 restored and verified, 1 failure or mismatch, 2 bad usage.
EOF_USAGE
}

fail() {
    echo "restore: $*" >&2
    exit 1
}

database_url="${DATABASE_URL:-}"
manifest=""
verify=1
jobs=2
force=""
owner=""
positional=()

need_value() {
    if (($# < 2)) || [[ -z "$2" ]]; then
        echo "restore.sh: $1 needs a value (see --help)" >&2
        exit 2
    fi
}

while (($# > 0)); do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        --database-url) need_value "$@"; database_url="$2"; shift ;;
        --manifest) need_value "$@"; manifest="$2"; shift ;;
        --owner) need_value "$@"; owner="$2"; shift ;;
        --jobs) need_value "$@"; jobs="$2"; shift ;;
        --no-verify) verify="" ;;
        --force) force=1 ;;
        -*)
            echo "restore.sh: unknown option '$1' (see --help)" >&2
            exit 2
            ;;
        *) positional+=("$1") ;;
    esac
    shift
done

if ((${#positional[@]} != 2)) || [[ -z "${positional[0]}" || -z "${positional[1]}" ]]; then
    echo "restore.sh: expected DUMP_FILE and TARGET_DATABASE (see --help)" >&2
    exit 2
fi
dump="${positional[0]}"
target="${positional[1]}"
if ! [[ "$target" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
    echo "restore.sh: TARGET_DATABASE must be lower-case letters, digits and '_' (at most 63), starting with a letter or '_'" >&2
    exit 2
fi
if [[ -n "$owner" && ! "$owner" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
    echo "restore.sh: --owner must be a role name of lower-case letters, digits and '_'" >&2
    exit 2
fi
if ! [[ "$jobs" =~ ^[1-9][0-9]?$ ]]; then
    echo "restore.sh: --jobs must be 1-99" >&2
    exit 2
fi
[[ -f "$dump" ]] || fail "$dump: no such file"
[[ -n "$manifest" ]] || manifest="${dump%.dump}.manifest"
if [[ -n "$verify" && ! -f "$manifest" ]]; then
    fail "no manifest at $manifest to verify against (pass --manifest FILE, or --no-verify to restore without checking)"
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=pg.sh
. "$script_dir/pg.sh"
if [[ -z "$database_url" ]]; then
    database_url="$(hb_pg_default_url owner)" || exit 2
fi
pg_bin="$(hb_pg_client_bin)" || exit 1

work="$(mktemp -d "${TMPDIR:-/tmp}/hb-restore.XXXXXX")"
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

hb_pg_use_url "$database_url" "$work/pgpass" || exit 1
source_database="$PGDATABASE"
# Without --owner, what the user of DATABASE_URL creates belongs to it.
restoring_user="${PGUSER:-$(id -un)}"
[[ -n "$owner" ]] || owner="$restoring_user"

sha_file="${dump%.dump}.sha256"
if [[ -f "$sha_file" ]]; then
    expected="$(cut -d' ' -f1 "$sha_file")"
    actual="$(sha256sum "$dump" | cut -d' ' -f1)"
    [[ "$expected" == "$actual" ]] || fail "$dump does not match its checksum in $sha_file (damaged or incomplete copy)"
fi

# psql against a database of the server; values travel as psql variables.
psql_db() {
    local db="$1"
    shift
    PGDATABASE="$db" "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -F $'\t' --no-password "$@"
}

exists="$(psql_db "$source_database" -v target="$target" <<'SQL' 2>"$work/psql.err"
SELECT count(*) FROM pg_database WHERE datname = :'target';
SQL
)" || {
    sed -n '1,5p' "$work/psql.err" >&2
    fail "cannot connect to the server of DATABASE_URL"
}

if [[ "$exists" != "0" || "$target" == "$source_database" ]]; then
    if [[ -z "$force" ]]; then
        fail "database $target already exists; restore.sh only restores into a new database (pass --force to drop and replace it)"
    fi
    if [[ "$target" == "$source_database" ]]; then
        fail "$target is the database of DATABASE_URL; point DATABASE_URL at another database (such as postgres) to replace it"
    fi
    echo "restore: --force: dropping the existing database $target"
    psql_db "$source_database" -v target="$target" >/dev/null <<'SQL' || fail "could not drop $target"
SELECT format('DROP DATABASE %I WITH (FORCE)', :'target') \gexec
SQL
fi

psql_db "$source_database" -v target="$target" -v owner="$owner" >/dev/null <<'SQL' 2>"$work/psql.err" || {
SELECT format('CREATE DATABASE %I OWNER %I TEMPLATE template0 ENCODING %L', :'target', :'owner', 'UTF8') \gexec
SQL
    sed -n '1,5p' "$work/psql.err" >&2
    fail "could not create database $target owned by $owner (the user of DATABASE_URL needs CREATEDB, and membership in $owner)"
}

# --no-owner: the objects belong to the role that creates them, the owner (SET ROLE when it is not the
# user of DATABASE_URL); the dump's grants to the runtime and read-only roles are restored as they were.
restore_args=(--dbname="$target" --no-owner --exit-on-error --jobs="$jobs" --no-password)
[[ "$owner" == "$restoring_user" ]] || restore_args+=(--role="$owner")
echo "restore: restoring $dump into $target (owner $owner) ..."
if ! PGDATABASE="$target" "$pg_bin/pg_restore" "${restore_args[@]}" "$dump" 2>"$work/pg_restore.err"; then
    sed -n '1,10p' "$work/pg_restore.err" >&2
    if grep -q 'role ".*" does not exist' "$work/pg_restore.err"; then
        echo "restore: the dump grants privileges to a role this server lacks; create the backend's roles first (docs/operations/backup-and-restore.md)" >&2
    fi
    fail "pg_restore failed; $target is incomplete (drop it, or restore again with --force)"
fi

if [[ -z "$verify" ]]; then
    echo "restore: restored $dump into $target (not verified: --no-verify)"
    exit 0
fi

# The same facts backup.sh recorded, taken from the restored database.
awk -F'\t' '$1 == "checksum" { print $2 }' "$manifest" >"$work/checksum-tables"
table_list="{$(paste -sd, "$work/checksum-tables")}"
if ! { hb_pg_session_sql && hb_pg_facts_sql; } |
    psql_db "$target" -v tables="$table_list" >"$work/actual" 2>"$work/psql.err"; then
    sed -n '1,5p' "$work/psql.err" >&2
    fail "could not read the restored database $target"
fi

awk -F'\t' '$1 == "rows" || $1 == "checksum"' "$manifest" | sort >"$work/expected"
sort "$work/actual" >"$work/actual.sorted"
if ! diff -q "$work/expected" "$work/actual.sorted" >/dev/null; then
    echo "restore: $target does not match the backup's manifest:" >&2
    # Lines only in the manifest (<) or only in the restored database (>).
    diff "$work/expected" "$work/actual.sorted" | grep -E '^[<>]' | sed 's/^</  manifest: /; s/^>/  restored: /' >&2 || true
    fail "verification failed for $target"
fi

tables_count="$(grep -c '^rows' "$work/expected" || true)"
rows_total="$(awk -F'\t' '$1 == "rows" { sum += $3 } END { print sum + 0 }' "$work/expected")"
checksums="$(grep -c '^checksum' "$work/expected" || true)"
echo "restore: restored $dump into $target and verified $tables_count tables ($rows_total rows) and $checksums checksums against $manifest"
