#!/usr/bin/env bash
# inventory-cache and inventory-http against the scale-out router (issue 15): a router and 4
# partitions on two clusters (test/router/clusters.sh), a private redis-server, and
# router_test.py: the cache follows the router's change feed (router positions, partitions
# polled), the API runs each request as its key's role through PL/Proxy's user mappings.
# Prints one "ok"/"FAILED" line per check; exits non-zero if any failed.
#   bash test/services/router.sh [LOAD_SECONDS]   # default 3
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../router/clusters.sh"
source "$here/services.sh"
cleanup() {
  services_cleanup
  router_stop_all
}
trap cleanup EXIT
router_start_clusters 2 || exit 1
router_create_roles
# The services' logins, on every cluster (roles are cluster-wide): what the cache and the
# browsing key run as, and the gateway that holds no rights of its own (NOINHERIT).
for i in 0 1; do
  rt_psql "$i" postgres postgres >/dev/null <<'SQL' || exit 1
CREATE ROLE browser LOGIN IN ROLE inventory_reader;
CREATE ROLE cache_reader LOGIN IN ROLE inventory_reader;
CREATE ROLE key_lookup LOGIN IN ROLE inventory_reader;
CREATE ROLE gateway LOGIN NOINHERIT IN ROLE inventory_reader, shop, wh, browser;
GRANT shop, wh, browser TO boss;
SQL
done
router_create_partitions 4 2
router_setup 0
# PL/Proxy picks the user mapping of the current role: the gateway's key lookup runs as
# inventory_reader (mapped to a login that is one), each request as its key's role.
for mapping in "browser:browser" "cache_reader:cache_reader" "inventory_reader:key_lookup"; do
  rrouter postgres "CREATE USER MAPPING FOR ${mapping%%:*} SERVER inventory_partitions OPTIONS (user '${mapping#*:}')" >/dev/null || exit 1
done
export ROUTER_HOST=${RT_DIRS[0]} ROUTER_PORT=${RT_PORTS[0]} ROUTER_DB=$RT_ROUTER_DB
export PARTITION_CLUSTER_DIR=${RT_DIRS[1]}  # the cluster the test restarts: partitions 1 and 3
services_run "$here/router_test.py" "$build" "${1:-3}"
