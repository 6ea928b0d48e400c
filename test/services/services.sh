# Source it after scripts/common.sh (or test/router/clusters.sh): what test/services/run.sh and
# router.sh share. The built programs, a private directory for redis-server (owned by the
# unprivileged user the Python harness runs it as) and the test process, both cleaned up by
# services_cleanup, which the caller calls from its EXIT trap.
build=${INVENTORY_BUILD_DIR:-$REPO_ROOT/build}
for program in inventory-cache inventory-http; do
  [ -x "$build/$program" ] || { echo "services check $program is built ... FAILED"; exit 1; }
done
REDIS_DIR=""
test_pid=""

services_cleanup() {
  [ -n "$test_pid" ] && kill "$test_pid" 2>/dev/null
  if [ -n "$REDIS_DIR" ]; then
    [ -S "$REDIS_DIR/redis.sock" ] && redis-cli -s "$REDIS_DIR/redis.sock" SHUTDOWN NOSAVE >/dev/null 2>&1
    rm -rf "$REDIS_DIR"
  fi
}

services_run() {  # services_run SCRIPT ARGS...: the Python test with REDIS_DIR made; its status
  REDIS_DIR=$(mktemp -d /tmp/inventory-redis.XXXXXX)
  chmod 700 "$REDIS_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$REDIS_DIR"
  export REDIS_DIR PG_BINDIR
  python3 "$@" &
  test_pid=$!
  local status=0
  wait "$test_pid" || status=$?
  test_pid=""
  return "$status"
}
