#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Backs up the database named by DATABASE_URL with pg_dump (custom format,
# compressed) into a timestamped file, writes a manifest of row counts and
# table checksums taken from the same snapshot as the dump (restore.sh checks
# the restored copy against it), keeps the newest N backups and optionally
# hands the files to an upload command.
set -euo pipefail

usage() {
    cat <<'EOF_USAGE'
Usage: devops/scripts/backup/backup.sh [options]

Dumps the database of DATABASE_URL to
  DIR/PREFIX-YYYYMMDDTHHMMSSZ.dump      pg_dump custom format, compressed
  DIR/PREFIX-YYYYMMDDTHHMMSSZ.manifest  row count of every table and checksums
                                        of the key tables, same snapshot
  DIR/PREFIX-YYYYMMDDTHHMMSSZ.sha256    checksum of the dump file
then deletes all but the newest KEEP backups with the same PREFIX in DIR.
Files are created readable by their owner only: they hold patient data.

Options (environment variable in brackets):
  --database-url URL     database to back up [DATABASE_URL; default: the
                         database of `make run` in .data/, as its read-only
                         role healthcare_backup]
  --output-dir DIR       where backups go [BACKUP_DIR, default ./backups]
  --keep N               backups to keep, 1 or more [BACKUP_KEEP, default 7]
  --prefix NAME          file name prefix [BACKUP_PREFIX, default healthcare]
  --compress LEVEL       pg_dump compression 0-9 [default 6]
  --checksum-tables LIST tables (comma or space separated, schema.table or
                         table in public) whose contents are checksummed
                         [BACKUP_CHECKSUM_TABLES, default: clinics users
                         clinic_memberships patients appointments
                         clinical_notes audit_events]
  --upload-command CMD   run `bash -c CMD upload DUMP MANIFEST SHA256` after a
                         successful backup, e.g. 'aws s3 cp "$1" s3://bucket/'
                         [BACKUP_UPLOAD_COMMAND]; its failure fails the backup
  -h, --help             show this help

The user of DATABASE_URL needs to read every table and sequence, nothing
more: the backend's backup role healthcare_backup (a member of
healthcare_readonly, which the migrator grants SELECT on everything) is meant
for it.

The PostgreSQL client programs come from PG_BIN, else the newest
/usr/lib/postgresql/*/bin, else PATH. The password is handed to them in a
temporary password file, never on a command line.

Prints one summary line at the end; exit status 0 on success, 1 on failure,
2 on bad usage.
EOF_USAGE
}

fail() {
    echo "backup: $*" >&2
    exit 1
}

database_url="${DATABASE_URL:-}"
output_dir="${BACKUP_DIR:-./backups}"
keep="${BACKUP_KEEP:-7}"
prefix="${BACKUP_PREFIX:-healthcare}"
compress=6
checksum_tables="${BACKUP_CHECKSUM_TABLES:-clinics users clinic_memberships patients appointments clinical_notes audit_events}"
upload_command="${BACKUP_UPLOAD_COMMAND:-}"

need_value() {
    if (($# < 2)) || [[ -z "$2" ]]; then
        echo "backup.sh: $1 needs a value (see --help)" >&2
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
        --output-dir) need_value "$@"; output_dir="$2"; shift ;;
        --keep) need_value "$@"; keep="$2"; shift ;;
        --prefix) need_value "$@"; prefix="$2"; shift ;;
        --compress) need_value "$@"; compress="$2"; shift ;;
        --checksum-tables) need_value "$@"; checksum_tables="$2"; shift ;;
        --upload-command) need_value "$@"; upload_command="$2"; shift ;;
        *)
            echo "backup.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

if ! [[ "$keep" =~ ^[0-9]+$ ]] || ((keep < 1)); then
    echo "backup.sh: --keep must be a whole number of 1 or more" >&2
    exit 2
fi
if ! [[ "$compress" =~ ^[0-9]$ ]]; then
    echo "backup.sh: --compress must be 0-9" >&2
    exit 2
fi
if ! [[ "$prefix" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; then
    echo "backup.sh: --prefix may hold letters, digits, '.', '_' and '-' only" >&2
    exit 2
fi
tables=()
for table in ${checksum_tables//,/ }; do
    if ! [[ "$table" =~ ^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$ ]]; then
        echo "backup.sh: invalid table name '$table' in the checksum tables" >&2
        exit 2
    fi
    [[ "$table" == *.* ]] || table="public.$table"
    tables+=("$table")
done

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=pg.sh
. "$script_dir/pg.sh"
if [[ -z "$database_url" ]]; then
    database_url="$(hb_pg_default_url backup)" || exit 2
fi

pg_bin="$(hb_pg_client_bin)" || exit 1
umask 077
mkdir -p "$output_dir" || fail "cannot create $output_dir"
output_dir="$(cd "$output_dir" && pwd -P)"

work="$(mktemp -d "${TMPDIR:-/tmp}/hb-backup.XXXXXX")"
psql_pid=""
# Runs from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
    local status=$?
    set +e
    if [[ -n "$psql_pid" ]] && kill -0 "$psql_pid" 2>/dev/null; then
        kill "$psql_pid" 2>/dev/null
        wait "$psql_pid" 2>/dev/null
    fi
    rm -rf -- "$work"
    [[ -z "${partial:-}" ]] || rm -f -- "$partial"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A psql that ended early must not kill this script silently: its output
# (read below) tells what happened.
trap '' PIPE

hb_pg_use_url "$database_url" "$work/pgpass" || exit 1

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
base="$output_dir/$prefix-$stamp"
if [[ -e "$base.dump" ]]; then
    # Two backups within one second: wait for the next one.
    sleep 1
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    base="$output_dir/$prefix-$stamp"
fi
partial="$base.dump.partial"

# One psql session holds a repeatable-read transaction whose snapshot pg_dump
# shares (--snapshot), so the manifest describes exactly what the dump holds.
mkfifo "$work/in" "$work/out"
"$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -F $'\t' <"$work/in" >"$work/out" 2>"$work/psql.err" &
psql_pid=$!
exec 7>"$work/in" 8<"$work/out"

send() {
    printf '%s\n' "$@" >&7 2>/dev/null || true
}

# Reads psql's output up to the marker line; fails when psql has ended.
read_until_marker() {
    local line
    while IFS= read -r line <&8; do
        [[ "$line" == "__hb_done__" ]] && return 0
        printf '%s\n' "$line"
    done
    return 1
}

send "$(hb_pg_session_sql)" \
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" \
    "SELECT pg_export_snapshot();" '\echo __hb_done__'
if ! snapshot="$(read_until_marker)" || [[ -z "$snapshot" ]]; then
    sed -n '1,5p' "$work/psql.err" >&2
    fail "cannot connect to the database of DATABASE_URL"
fi

if ! "$pg_bin/pg_dump" --format=custom --compress="$compress" --snapshot="$snapshot" \
    --no-password --file="$partial" 2>"$work/pg_dump.err"; then
    sed -n '1,10p' "$work/pg_dump.err" >&2
    fail "pg_dump failed"
fi

# Row counts of every table, and checksums of the key tables' contents
# (rows as text, sorted, so physical order does not matter).
table_list="{$(IFS=,; echo "${tables[*]}")}"
send "\\set tables '$table_list'" "$(hb_pg_facts_sql)" "SELECT 'server_version', current_setting('server_version_num'), '';" "COMMIT;" '\echo __hb_done__'
if ! facts="$(read_until_marker)"; then
    sed -n '1,5p' "$work/psql.err" >&2
    fail "could not count the rows of the snapshot"
fi
send '\q'
exec 7>&-
wait "$psql_pid" || true
psql_pid=""

database="$PGDATABASE"
{
    echo "# healthcare-backend backup manifest v1"
    printf 'database\t%s\n' "$database"
    printf 'created\t%s\n' "$stamp"
    printf 'dump\t%s\n' "$(basename "$base.dump")"
    printf '%s\n' "$facts" | awk -F'\t' '$1 == "server_version" { print "server_version\t" $2 }'
    printf '%s\n' "$facts" | awk -F'\t' '$1 == "rows" || $1 == "checksum"'
} >"$work/manifest"

mv -- "$partial" "$base.dump"
partial=""
mv -- "$work/manifest" "$base.manifest"
(cd "$output_dir" && sha256sum "$(basename "$base.dump")") >"$base.sha256"

tables_count="$(grep -c '^rows' "$base.manifest" || true)"
rows_total="$(awk -F'\t' '$1 == "rows" { sum += $3 } END { print sum + 0 }' "$base.manifest")"
checksums="$(grep -c '^checksum' "$base.manifest" || true)"

if [[ -n "$upload_command" ]]; then
    if ! bash -c "$upload_command" upload "$base.dump" "$base.manifest" "$base.sha256"; then
        fail "the upload command failed; the backup stays in $base.dump"
    fi
fi

# Retention: the names sort by time, so everything before the newest KEEP goes.
old=()
while IFS= read -r -d '' file; do
    old+=("$file")
done < <(find "$output_dir" -maxdepth 1 -type f -name "$prefix-????????T??????Z.dump" -print0 | sort -z)
removed=0
if ((${#old[@]} > keep)); then
    for file in "${old[@]:0:${#old[@]}-keep}"; do
        rm -f -- "$file" "${file%.dump}.manifest" "${file%.dump}.sha256"
        removed=$((removed + 1))
    done
fi

size="$(stat -c %s "$base.dump")"
echo "backup: wrote $base.dump ($size bytes; $tables_count tables, $rows_total rows, $checksums checksums); removed $removed old backup(s), keeping at most $keep"
