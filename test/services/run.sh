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
build=${INVENTORY_BUILD_DIR:-$REPO_ROOT/build}
for program in inventory-cache inventory-http; do
  [ -x "$build/$program" ] || { echo "services check $program is built ... FAILED"; exit 1; }
done
REDIS_DIR=""
stop_redis() {
  if [ -n "$REDIS_DIR" ] && [ -S "$REDIS_DIR/redis.sock" ]; then
    redis-cli -s "$REDIS_DIR/redis.sock" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  fi
}
cleanup() {
  [ -n "${test_pid:-}" ] && kill "$test_pid" 2>/dev/null
  stop_redis
  [ -n "$REDIS_DIR" ] && rm -rf "$REDIS_DIR"
  stop_cluster
}
trap cleanup EXIT
unset PGPORT PGHOST
start_cluster || exit 1
REDIS_DIR=$(mktemp -d /tmp/inventory-redis.XXXXXX)
chmod 700 "$REDIS_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$REDIS_DIR"
export REDIS_DIR CLUSTER_DIR PG_BINDIR
python3 "$here/services_test.py" "$build" "${1:-5}" &
test_pid=$!
wait "$test_pid"
status=$?
test_pid=""
exit "$status"
