#!/usr/bin/env bash
# Creates the backend's database roles and its database in the official PostgreSQL image, which runs
# the executable *.sh files of /docker-entrypoint-initdb.d once, when it creates a new data directory
# (Docker Compose mounts this file there; Kubernetes a ConfigMap generated from it). It is idempotent,
# so it can also be run by hand in a container whose volume predates the roles.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: devops/scripts/postgres/init-roles.sh [-h|--help]

Creates, or brings up to date, in the PostgreSQL server that psql reaches
(inside the container: the local socket, as POSTGRES_USER):

  healthcare           LOGIN, not a superuser, CREATEDB: owns the database
                       and everything the migrator creates; used by the
                       migrator, the seeders and restores
  healthcare_runtime   NOLOGIN group: the migrator grants it reading and
                       writing rows (the audit trail: adding and reading)
  healthcare_app       LOGIN, member of healthcare_runtime: the API and the
                       worker
  healthcare_readonly  NOLOGIN group: the migrator grants it SELECT on all
  healthcare_backup    LOGIN, member of healthcare_readonly: backups

and the database HEALTHCARE_DB (default healthcare) owned by healthcare, which
both groups may connect to. Passwords are (re)set from the environment:

  HEALTHCARE_OWNER_PASSWORD   healthcare
  HEALTHCARE_APP_PASSWORD     healthcare_app
  HEALTHCARE_BACKUP_PASSWORD  healthcare_backup
  POSTGRES_USER               the superuser to connect as (default postgres)

On a data directory created with POSTGRES_USER=healthcare (before these
roles), healthcare is the cluster's bootstrap superuser, which PostgreSQL
keeps a superuser; the other roles are created all the same. Run it there with
  docker compose ... exec -e POSTGRES_USER=healthcare postgres \
    /docker-entrypoint-initdb.d/10-healthcare-roles.sh
EOF
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *)
        echo "init-roles.sh: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
esac

missing=()
for variable in HEALTHCARE_OWNER_PASSWORD HEALTHCARE_APP_PASSWORD HEALTHCARE_BACKUP_PASSWORD; do
    [[ -n "${!variable:-}" ]] || missing+=("$variable")
done
if ((${#missing[@]} > 0)); then
    echo "init-roles.sh: ${missing[*]} not set (the postgres container's env file or Secret provides them)" >&2
    exit 1
fi
export HEALTHCARE_DB="${HEALTHCARE_DB:-healthcare}"

# Values travel through the environment and psql's \getenv: never on a command line, no quoting.
psql -X -q -v ON_ERROR_STOP=1 --no-password --username "${POSTGRES_USER:-postgres}" --dbname postgres <<'SQL'
\getenv hb_db HEALTHCARE_DB
\getenv hb_owner_password HEALTHCARE_OWNER_PASSWORD
\getenv hb_app_password HEALTHCARE_APP_PASSWORD
\getenv hb_backup_password HEALTHCARE_BACKUP_PASSWORD

SELECT format('CREATE ROLE %I', name)
  FROM unnest(ARRAY['healthcare', 'healthcare_runtime', 'healthcare_readonly', 'healthcare_app', 'healthcare_backup']) AS name
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec

SELECT oid = 10 AS hb_owner_is_bootstrap FROM pg_roles WHERE rolname = 'healthcare' \gset
\if :hb_owner_is_bootstrap
\warn 'init-roles.sh: note: healthcare is this cluster''s bootstrap superuser and stays one; move the data to a new volume to end that (docs/operations/docker.md)'
SELECT format('ALTER ROLE healthcare WITH LOGIN PASSWORD %L', :'hb_owner_password') \gexec
\else
SELECT format('ALTER ROLE healthcare WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
              :'hb_owner_password') \gexec
\endif
ALTER ROLE healthcare_runtime WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE healthcare_readonly WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SELECT format('ALTER ROLE healthcare_app WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
              :'hb_app_password') \gexec
SELECT format('ALTER ROLE healthcare_backup WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
              :'hb_backup_password') \gexec
SELECT 'GRANT healthcare_runtime TO healthcare_app'
 WHERE NOT pg_has_role('healthcare_app', 'healthcare_runtime', 'MEMBER') \gexec
SELECT 'GRANT healthcare_readonly TO healthcare_backup'
 WHERE NOT pg_has_role('healthcare_backup', 'healthcare_readonly', 'MEMBER') \gexec

SELECT format('CREATE DATABASE %I OWNER healthcare ENCODING %L TEMPLATE template0', :'hb_db', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'hb_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO healthcare', :'hb_db') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO healthcare_runtime, healthcare_readonly', :'hb_db') \gexec
SQL

echo "init-roles.sh: roles healthcare, healthcare_runtime, healthcare_app, healthcare_readonly, healthcare_backup and database $HEALTHCARE_DB are in place"
