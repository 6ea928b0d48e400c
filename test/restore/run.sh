#!/usr/bin/env bash
# Dump and restore: user data survives pg_dump / pg_restore (custom and plain formats) into a
# fresh database, no ledger row is applied to the levels twice, the levels, reservations, goods
# in transit, purchase orders and serving countries equal those before the dump, and
# inventory_verify() and inventory_verify_reservations() are empty. Needs PGHOST/PGPORT/PGUSER of a running cluster.
# Prints one "ok"/"FAILED" line per check and exits non-zero if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/common.sh"  # check()
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
CHECK_PREFIX="restore check"
q() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

dropdb --if-exists inventory_restore_src >/dev/null 2>&1
createdb inventory_restore_src
q -d inventory_restore_src -f "$here/workload.sql" >/dev/null || { echo "restore workload failed" >&2; exit 1; }
q -d inventory_restore_src -f "$here/levels.sql" >"$work/levels.before"
q -d inventory_restore_src -c 'SELECT count(*) FROM inventory.inventory_ledger' >"$work/events.before"
echo "source: $(cat "$work/events.before") ledger rows, $(wc -l <"$work/levels.before") rows of state"

pg_dump -Fc -d inventory_restore_src -f "$work/dump.custom"
pg_dump -Fp -d inventory_restore_src -f "$work/dump.sql"

verify_restored() {  # verify_restored DB
  local db=$1
  q -d "$db" -f "$here/levels.sql" >"$work/levels.$db"
  check "$db-levels-equal" diff -u "$work/levels.before" "$work/levels.$db"
  check "$db-same-ledger-rows" test "$(q -d "$db" -c 'SELECT count(*) FROM inventory.inventory_ledger')" = "$(cat "$work/events.before")"
  check "$db-verify-empty" test "$(q -d "$db" -c 'SELECT count(*) FROM inventory.inventory_verify()')" = 0
  check "$db-reservations-verify-empty" test "$(q -d "$db" -c 'SELECT count(*) FROM inventory.inventory_verify_reservations()')" = 0
  # Restored documents keep working: the order's hold ships, the transfer arrives.
  check "$db-reservation-fulfills" test "$(q -d "$db" -c "SELECT reserved >= 0 FROM inventory.inventory_apply_event('SAFE', 2, 'FULFILL', 1, 'ORDER-H1/1')")" = t
  check "$db-transfer-arrives" test "$(q -d "$db" -c "SELECT in_transit FROM inventory.inventory_receive_transfer('T-2', 'SAFE')")" = 0
  # The restored idempotency keys still deduplicate, and new events continue the history.
  check "$db-key-replays" test "$(q -d "$db" -c "SELECT replayed FROM inventory.inventory_apply_event('PRE-ORDER', 1, 'ALLOCATE', 10, 'ORDER-P1', 'order-p1')")" = t
  check "$db-new-event" test "$(q -d "$db" -c "SELECT on_hand FROM inventory.inventory_apply_event('PRE-ORDER', 1, 'RECEIVE', 20)")" = 23
  check "$db-verify-after-new-event" test "$(q -d "$db" -c 'SELECT count(*) FROM inventory.inventory_verify()')" = 0
  check "$db-warehouse-sequence" test "$(q -d "$db" -c "SELECT inventory.inventory_create_warehouse('NEW-1', 'New', 'FR')")" = 4
}

dropdb --if-exists inventory_restore_custom >/dev/null 2>&1
createdb inventory_restore_custom
check custom-format-restores pg_restore --exit-on-error -d inventory_restore_custom "$work/dump.custom"
verify_restored inventory_restore_custom

dropdb --if-exists inventory_restore_plain >/dev/null 2>&1
createdb inventory_restore_plain
check plain-format-restores q -d inventory_restore_plain -f "$work/dump.sql" -o /dev/null
verify_restored inventory_restore_plain

# Restoring the data a second time into a restored database must not double the levels: the
# ledger's primary key refuses the rows, and the levels stay as they were.
q -d inventory_restore_custom -f "$here/levels.sql" >"$work/levels.custom.before-second"
pg_restore --data-only -d inventory_restore_custom "$work/dump.custom" >/dev/null 2>&1
q -d inventory_restore_custom -f "$here/levels.sql" >"$work/levels.custom.after-second"
check second-data-restore-changes-nothing diff -u "$work/levels.custom.before-second" "$work/levels.custom.after-second"

for db in inventory_restore_src inventory_restore_custom inventory_restore_plain; do dropdb "$db"; done
exit $((failures > 0))
