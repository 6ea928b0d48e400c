#!/usr/bin/env bash
# Error reports as a client sees them, where pg_regress cannot look without unstable output:
# LOCATION names the real place of a C++ throw (file, function, a line number), a PostgreSQL
# error raised inside the extension keeps its own location, and the 40001 of a concurrent
# update (two sessions) carries no CONTEXT of the extension's internal SQL. Prints one
# "... ok" / "... FAILED" line per check.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
CHECK_PREFIX="error check"
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d postgres "$@"; }
# The report psql prints for SQL, in full (VERBOSITY verbose, every CONTEXT line).
report() { psql -X -q -d postgres -v VERBOSITY=verbose -v SHOW_CONTEXT=always -c "$1" 2>&1; }
matches() {  # matches TEXT EXTENDED-REGEX
  grep -qE "$2" <<<"$1" || { echo "    no line matches /$2/ in:" >&2; sed 's/^/      /' <<<"$1" >&2; return 1; }
}
lacks() {  # lacks TEXT EXTENDED-REGEX
  ! grep -qE "$2" <<<"$1" || { echo "    unexpected /$2/ in:" >&2; sed 's/^/      /' <<<"$1" >&2; return 1; }
}

trap stop_cluster EXIT
start_cluster 2>/dev/null || { echo "error check cluster-starts ... FAILED"; exit 1; }
q >/dev/null <<'SQL' || { echo "error check setup ... FAILED"; exit 1; }
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US');
SELECT (inventory.inventory_apply_event('LOC-1', 1, 'RECEIVE', 5)).on_hand;
SQL

# A C++ error: the rule that refused it, not the bridge (0.3.0: "raise_report, error_bridge.cpp:1").
out=$(report "SELECT * FROM inventory.inventory_apply_event('LOC-1', 1, 'ALLOCATE', 50)")
check stock-error-location matches "$out" '^LOCATION:  compute_transition, transition\.cpp:[1-9][0-9]*$'
check stock-error-not-the-bridge lacks "$out" 'error_bridge'
out=$(report "SELECT * FROM inventory.inventory_apply_events('[{\"sku\": 5, \"warehouse_id\": 1, \"event_type\": \"RECEIVE\", \"quantity\": 1}]')")
check batch-field-error-location matches "$out" '^LOCATION:  string_field, json_field\.cpp:[1-9][0-9]*$'
out=$(report "SELECT * FROM inventory.inventory_apply_event(E'A\\u200bB', 1, 'RECEIVE', 1)")
check sku-error-location matches "$out" '^LOCATION:  validate_sku, event\.cpp:[1-9][0-9]*$'
# A fresh session whose first call is inventory_set_sku_policy: a clear SQLSTATE and no CONTEXT
# (0.3.0 showed its internal INSERT, or its PL/pgSQL line for a NULL, with the table's 23514).
out=$(report "SELECT inventory.inventory_set_sku_policy('LOC-1', safety_stock => -1)")
check policy-error-sqlstate matches "$out" '^ERROR:  22023: safety_stock must not be negative$'
check policy-error-no-context lacks "$out" '^CONTEXT:'
out=$(report "SELECT inventory.inventory_set_sku_policy(NULL)")
check policy-null-sqlstate matches "$out" '^ERROR:  22004: '
check policy-null-no-context lacks "$out" '^CONTEXT:'
# A PostgreSQL error raised again keeps PostgreSQL's own location and object names.
out=$(report "SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US')")
check unique-violation-location matches "$out" '^LOCATION:  _bt_check_unique, nbtinsert\.c:[0-9]+$'
check unique-violation-constraint matches "$out" '^CONSTRAINT NAME:  inventory_warehouses_code_key$'
check unique-violation-no-context lacks "$out" '^CONTEXT:'

# The readers, the change feed and the warehouse guard are C++ (0.3.1: PL/pgSQL, with its
# "PL/pgSQL function ... line N at RAISE" as CONTEXT).
out=$(report "SELECT inventory.inventory_ats(NULL)")
check ats-null-sqlstate matches "$out" '^ERROR:  22004: sku must not be NULL$'
check ats-null-no-context lacks "$out" '^CONTEXT:'
out=$(report "SELECT inventory.inventory_ats('LOC-1', 'USA')")
check ats-ship-to-location matches "$out" '^LOCATION:  normalize_ship_to, warehouse\.cpp:[1-9][0-9]*$'
out=$(report "SELECT * FROM inventory.inventory_level_changes('garbage')")
check feed-position-location matches "$out" '^LOCATION:  parse_feed_position, feed_position\.cpp:[1-9][0-9]*$'
check feed-position-no-context lacks "$out" '^CONTEXT:'
out=$(report "DELETE FROM inventory.inventory_warehouses WHERE id = 1")
check warehouse-guard-sqlstate matches "$out" '^ERROR:  23503: warehouse 1 has stock records and cannot be deleted$'
check warehouse-guard-location matches "$out" '^LOCATION:  warehouse_guard_trigger, warehouses\.cpp:[1-9][0-9]*$'
check warehouse-guard-no-context lacks "$out" '^CONTEXT:'

# 40001: a REPEATABLE READ transaction whose level row was updated by a commit after its
# snapshot. 0.3.0 showed the internal UPDATE/SELECT of the levels as CONTEXT.
fifo=$(mktemp -u)
mkfifo "$fifo"
out_b=$(mktemp)
psql -X -q -d postgres -v VERBOSITY=default -v SHOW_CONTEXT=always <"$fifo" >"$out_b" 2>&1 &
session_b=$!
exec 7>"$fifo"
echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM inventory.inventory_levels;" >&7
sleep 1
q -c "SELECT (inventory.inventory_apply_event('LOC-1', 1, 'RECEIVE', 1)).on_hand" >/dev/null
echo "SELECT * FROM inventory.inventory_apply_event('LOC-1', 1, 'RECEIVE', 1); ROLLBACK;" >&7
exec 7>&-
wait "$session_b"
rm -f "$fifo"
out=$(cat "$out_b")
rm -f "$out_b"
check serialization-failure-raised matches "$out" '^ERROR:  could not serialize access'
check serialization-failure-no-context lacks "$out" '^CONTEXT:'

exit $((failures > 0))
