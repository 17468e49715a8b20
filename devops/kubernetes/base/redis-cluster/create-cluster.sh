#!/bin/bash
# Joins the Redis pods into one cluster, once: when the first node already knows other nodes, the
# cluster exists and the script only reports its state. Run by the Job redis-cluster-create.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: create-cluster.sh [-h|--help]

Environment:
  REDIS_PASSWORD       password of the nodes (required)
  REDIS_NODES          number of pods in the StatefulSet, e.g. 6 (required)
  REDIS_REPLICAS       replicas per primary, e.g. 1 (required)
  REDIS_STATEFULSET    StatefulSet name (default redis-cluster)
  REDIS_SERVICE        its headless Service (default redis-cluster-headless)
USAGE
}

case "${1:-}" in
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *)
        echo "create-cluster.sh: unknown argument '$1' (see --help)" >&2
        exit 2
        ;;
esac

: "${REDIS_PASSWORD:?REDIS_PASSWORD is not set}"
: "${REDIS_NODES:?REDIS_NODES is not set}"
: "${REDIS_REPLICAS:?REDIS_REPLICAS is not set}"
statefulset="${REDIS_STATEFULSET:-redis-cluster}"
service="${REDIS_SERVICE:-redis-cluster-headless}"
# redis-cli reads the password from here, so it never appears in the process list.
export REDISCLI_AUTH="$REDIS_PASSWORD"

if ((REDIS_NODES < 3 * (REDIS_REPLICAS + 1))); then
    echo "create-cluster.sh: $REDIS_NODES pods cannot hold 3 primaries with $REDIS_REPLICAS replicas each" >&2
    exit 2
fi

addresses=()
for ((i = 0; i < REDIS_NODES; i++)); do
    host="$statefulset-$i.$service"
    waited=0
    until [[ "$(redis-cli -h "$host" ping 2>/dev/null || true)" == "PONG" ]]; do
        if ((waited >= 300)); then
            echo "create-cluster.sh: $host did not answer PING within 300 s" >&2
            exit 1
        fi
        sleep 5
        waited=$((waited + 5))
    done
    ip="$(getent hosts "$host" | awk '{ print $1; exit }')"
    if [[ -z "$ip" ]]; then
        echo "create-cluster.sh: cannot resolve $host" >&2
        exit 1
    fi
    addresses+=("$ip:6379")
done

first="$statefulset-0.$service"
known="$(redis-cli -h "$first" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')"
if [[ "${known:-1}" != "1" ]]; then
    echo "The cluster exists ($known nodes known); nothing to create."
    redis-cli -h "$first" cluster info | tr -d '\r' | grep -E '^cluster_(state|slots_assigned|size):'
    exit 0
fi

echo "Creating a cluster of ${#addresses[@]} nodes with $REDIS_REPLICAS replica(s) per primary ..."
redis-cli --cluster create "${addresses[@]}" --cluster-replicas "$REDIS_REPLICAS" --cluster-yes
redis-cli --cluster check "${addresses[0]}"
