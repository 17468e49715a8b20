#!/bin/bash
# Starts one Redis Cluster node. Reads the mounted redis.conf, adds the password from the
# environment (never on the command line), the pod's address and maxmemory, and fixes this node's
# own address in nodes.conf, which changes when the pod is rescheduled.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: start.sh [-h|--help]

Environment:
  REDIS_PASSWORD   password of clients and replicas (required)
  POD_IP           address this node announces to the cluster (required)
  REDIS_MAXMEMORY  memory limit of the data set, e.g. 700mb (required)
  REDIS_CONF       template to start from (default /etc/redis-cluster/redis.conf)
USAGE
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *)
        echo "start.sh: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
esac

: "${REDIS_PASSWORD:?REDIS_PASSWORD is not set}"
: "${POD_IP:?POD_IP is not set}"
: "${REDIS_MAXMEMORY:?REDIS_MAXMEMORY is not set}"
template="${REDIS_CONF:-/etc/redis-cluster/redis.conf}"
config=/tmp/redis.conf

umask 077
{
    cat "$template"
    printf 'requirepass %s\n' "$REDIS_PASSWORD"
    printf 'masterauth %s\n' "$REDIS_PASSWORD"
    printf 'cluster-announce-ip %s\n' "$POD_IP"
    printf 'maxmemory %s\n' "$REDIS_MAXMEMORY"
} >"$config"

if [[ -f /data/nodes.conf ]]; then
    sed -i -E "/myself/ s/[0-9]{1,3}(\.[0-9]{1,3}){3}:/${POD_IP}:/" /data/nodes.conf
fi

exec redis-server "$config"
