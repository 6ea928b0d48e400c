#!/usr/bin/env bash
# pg_cron runs inventory_expire_reservations() on a schedule: a private cluster with pg_cron
# preloaded, the job scheduled as README.md shows it, and a hold that ends two seconds in. The
# check waits for the scheduler (pg_cron 1.4 schedules by the minute) to release it through a
# ledger event. Prints one "... ok" / "... FAILED" line per check; with pg_cron not installed it
# says so and fails (scripts/common.sh installs postgresql-15-cron).
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
check() {  # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "cron check $name ... ok"; else echo "cron check $name ... FAILED"; failures=$((failures + 1)); fi
}
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d postgres "$@"; }

if [ ! -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
  echo "cron check pg_cron-installed ... FAILED"
  exit 1
fi

trap stop_cluster EXIT
# Background workers: the socket-only cluster has no TCP port for pg_cron's libpq connections.
EXTRA_SERVER_OPTIONS="-c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.use_background_workers=on -c max_worker_processes=16" \
  start_cluster || { echo "cron check cluster-starts ... FAILED"; exit 1; }

q <<'SQL' >/dev/null
CREATE EXTENSION inventory;
CREATE EXTENSION pg_cron;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US');
SELECT (inventory.inventory_apply_event('CRON-SKU', 1, 'RECEIVE', 5)).on_hand;
SELECT (inventory.inventory_apply_event('CRON-SKU', 1, 'ALLOCATE', 3, 'CART-7/1',
        expires_at => clock_timestamp() + interval '2 seconds')).reserved;
SELECT cron.schedule('inventory-expire-reservations', '* * * * *',
                     $$SELECT count(*) FROM inventory.inventory_expire_reservations()$$);
SQL
check job-scheduled test "$(q -c "SELECT count(*) FROM cron.job WHERE jobname = 'inventory-expire-reservations'")" = 1

status=""
for _ in $(seq 1 75); do  # up to 150 s: the next minute boundary, plus a slow machine's slack
  status=$(q -c "SELECT status FROM inventory.inventory_reservations WHERE reference_id = 'CART-7/1'")
  [ "$status" = EXPIRED ] && break
  sleep 2
done
check hold-released-by-schedule test "$status" = EXPIRED
check level-released test "$(q -c "SELECT reserved || '/' || available_to_sell FROM inventory.inventory_levels WHERE sku = 'CRON-SKU'")" = 0/5
check ledger-event test "$(q -c "SELECT count(*) FROM inventory.inventory_ledger WHERE reference_id = 'CART-7/1' AND event_type = 'DEALLOCATE' AND reason = 'EXPIRED'")" = 1
check job-succeeded test "$(q -c "SELECT count(*) > 0 AND bool_and(status = 'succeeded') FROM cron.job_run_details")" = t
check verify-empty test "$(q -c "SELECT (SELECT count(*) FROM inventory.inventory_verify()) + (SELECT count(*) FROM inventory.inventory_verify_reservations())")" = 0
q -c "SELECT cron.unschedule('inventory-expire-reservations')" >/dev/null
exit $((failures > 0))
