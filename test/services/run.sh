#!/usr/bin/env bash
# inventory-cache and inventory-http end to end (issue 15): a private PostgreSQL cluster and a
# private redis-server (Unix socket only, no persistence, run as an unprivileged user), the two
# programs built in build/, and services_test.py driving them over loopback HTTP: every route
# and error status, key revocation, the cache against the database after every kind of restart,
# a flash sale while the cache lags on purpose, and a bounded load test.
# Prints one "ok"/"FAILED" line per check; exits non-zero if any failed.
#   bash test/services/run.sh [LOAD_SECONDS]   # default 5
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/common.sh"
source "$here/services.sh"
cleanup() {
  services_cleanup
  stop_cluster
}
trap cleanup EXIT
unset PGPORT PGHOST
start_cluster || exit 1
export CLUSTER_DIR
services_run "$here/services_test.py" "$build" "${1:-5}"
