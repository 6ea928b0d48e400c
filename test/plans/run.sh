#!/usr/bin/env bash
# The plans the readers run (issue 11): inventory_ats, inventory_availability,
# inventory_levels_at and inventory_level_changes are C functions whose queries are prepared once
# per backend with a generic plan (pg/spi.hpp). On tables of some size that plan must stay an
# index probe: no sequential scan of inventory_level_stripes (the rows the level view
# inventory_levels sums) or inventory_ledger, which grow without bound. auto_explain
# (log_nested_statements, at NOTICE) shows the plan each call really runs.
# Starts its own throw-away cluster. Prints one "... ok" / "... FAILED" line per check.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
CHECK_PREFIX="plan check"
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d postgres "$@"; }
# The plans auto_explain reports for SQL, the statements run inside the functions among them.
nested_plans() {
  psql -X -q -d postgres -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
    -c "SET auto_explain.log_nested_statements = on" -c "SET auto_explain.log_level = notice" \
    -c "$1" 2>&1 >/dev/null
}
# index_probe SQL [TABLES]: the plans use an index and scan none of TABLES (an extended regular
# expression; default inventory_level_stripes and inventory_ledger) sequentially.
index_probe() {
  local plans tables=${2:-inventory_(level_stripes|ledger)}
  plans=$(nested_plans "$1")
  if grep -qE '^ERROR' <<<"$plans" || ! grep -qE 'Index (Only )?Scan|Bitmap Index Scan' <<<"$plans" ||
    grep -qE "Seq Scan on $tables( |\$)" <<<"$plans"; then
    echo "    plans of $1:" >&2
    sed 's/^/      /' <<<"$plans" >&2
    return 1
  fi
}
# write_path SQL [TABLES]: a write path on the direct path (pg/direct_tables.hpp) may run no SQL
# on its tables at all; what SQL it runs scans none of TABLES sequentially.
write_path() {
  local plans tables=${2:-inventory_(level_stripes|ledger)}
  plans=$(nested_plans "$1")
  if grep -qE '^ERROR' <<<"$plans" || grep -qE "Seq Scan on $tables( |\$)" <<<"$plans"; then
    echo "    plans of $1:" >&2
    sed 's/^/      /' <<<"$plans" >&2
    return 1
  fi
}
# direct_only SQL TABLES: no SQL statement of the call reads or writes TABLES (only the direct
# path's index probes, inserts and updates do), so no plan of them can collapse.
direct_only() {
  local plans
  plans=$(nested_plans "$1")
  if grep -qE '^ERROR' <<<"$plans" || ! grep -q 'Query Text' <<<"$plans" ||
    grep -qE "(Scan|Insert|Update|Delete)( using [a-z_]+)? on $2( |\$)" <<<"$plans"; then
    echo "    plans of $1:" >&2
    sed 's/^/      /' <<<"$plans" >&2
    return 1
  fi
}

# direct_probe SQL: for the paths on the direct write path (pg/direct_tables.hpp), which probe
# indexes without SQL, so that auto_explain has no plan to show: inside one transaction, the
# statement scans none of the extension's growing tables sequentially and probes their indexes
# (the transaction's own statistics, pg_stat_xact_user_tables). Any SQL it still runs is
# planned generically (the session forces it), as after the first calls of a backend. The
# transaction commits: the next checks build on what it wrote.
direct_probe() {
  local out
  out=$(PGOPTIONS="-c plan_cache_mode=force_generic_plan" psql -X -q -At -d postgres \
    -c "BEGIN" -c "$1" \
    -c "SELECT sum(seq_scan) || ' ' || sum(idx_scan) FROM pg_stat_xact_user_tables
         WHERE schemaname = 'inventory'
           AND relname IN ('inventory_level_stripes', 'inventory_ledger', 'inventory_reservations',
                           'inventory_orders')" -c "COMMIT" 2>&1 | tail -1)
  if ! [[ $out =~ ^0\ [1-9][0-9]*$ ]]; then
    echo "    $1: sequential scans, index scans = $out" >&2
    return 1
  fi
}
trap stop_cluster EXIT
start_cluster >/dev/null 2>&1 || { echo "plan check cluster-starts ... FAILED"; exit 1; }
# 5000 levels in two warehouses, four ledger rows each, and a fresh position of the change feed.
q >/dev/null <<'SQL' || { echo "plan check setup ... FAILED"; exit 1; }
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('P1', 'One', 'US'), inventory.inventory_create_warehouse('P2', 'Two', 'DE');
INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity)
SELECT 'PLAN-' || (i % 2500), 1 + i % 2, 'RECEIVE', 1 FROM generate_series(1, 20000) i;
ANALYZE;
SQL
position=$(q -c "SELECT next_position FROM inventory.inventory_level_changes() LIMIT 1")
q -c "SELECT count(*) FROM inventory.inventory_apply_event('PLAN-7', 1, 'RECEIVE', 1)" >/dev/null

check ats-per-sku index_probe "SELECT inventory.inventory_ats('PLAN-7')"
check ats-per-warehouse index_probe "SELECT inventory.inventory_ats('PLAN-7', 2)"
check ats-per-ship-to index_probe "SELECT inventory.inventory_ats('PLAN-7', 'us')"
check availability index_probe "SELECT inventory.inventory_availability('PLAN-7', 'DE')"
check levels-at-per-sku index_probe "SELECT count(*) FROM inventory.inventory_levels_at('PLAN-7', now())"
# A poll reads the ledger's right edge (transaction_id index); the levels are read whole only
# after a rebuild (a one-time filter), else probed by key.
check level-changes index_probe \
  "SELECT count(*) FROM inventory.inventory_level_changes('$position')" inventory_ledger
level_changes_uses_xid_index() {
  local plans
  plans=$(nested_plans "SELECT count(*) FROM inventory.inventory_level_changes('$position')")
  grep -q 'Index Scan using inventory_ledger_transaction_id_idx on inventory_ledger' <<<"$plans"
}
check level-changes-by-transaction-id level_changes_uses_xid_index
# Orders (h1): allocate, replay, a shortage report and a release, with the session forcing
# generic plans, after the order tables grew from the size they had when first planned: no
# sequential scan of levels, ledger, orders or reservations.
q >/dev/null <<'SQL' || { echo "plan check order setup ... FAILED"; exit 1; }
SELECT count(*) FROM inventory.inventory_allocate_order('PLAN-O-0', '[{"sku": "PLAN-8", "quantity": 1}]', ship_to => 'US');  -- warehouse 1
ANALYZE inventory.inventory_orders, inventory.inventory_reservations;
INSERT INTO inventory.inventory_orders (order_ref, ship_to, strategy, allow_split, lines, actor)
SELECT 'PLAN-O-' || i, 'US', 'PRIORITY', false, '[]', 'plan' FROM generate_series(1, 5000) i;
INSERT INTO inventory.inventory_reservations (reference_id, sku, warehouse_id, order_ref, quantity)
SELECT 'PLAN-O-' || i || '/' || n, 'PLAN-' || (i % 2500), 1, 'PLAN-O-' || i, 1
  FROM generate_series(1, 5000) i, generate_series(1, 2) n;
SQL
order_tables='inventory_(level_stripes|ledger|orders|reservations)'
generic() { PGOPTIONS="-c plan_cache_mode=force_generic_plan" "$@"; }
# Orders and releases (issue 12, item 7): the order's tables only on the direct path.
direct_tables='inventory_(level_stripes|ledger|orders|reservations|warehouses|warehouse_countries|sku_policies)'
order_lines='[{"sku": "PLAN-7", "quantity": 1}, {"sku": "PLAN-9", "quantity": 1}]'  # warehouse 2
check order-allocate generic direct_only \
  "SELECT count(*) FROM inventory.inventory_allocate_order('PLAN-O-A', '$order_lines', ship_to => 'DE', allow_split => true)" \
  "$direct_tables"
check order-replay generic direct_only \
  "SELECT count(*) FROM inventory.inventory_allocate_order('PLAN-O-A', '$order_lines', ship_to => 'DE', allow_split => true)" \
  "$direct_tables"
check order-shortage-report generic direct_only \
  "SELECT count(*) FROM inventory.inventory_allocate_order('PLAN-O-B', '[{\"sku\": \"PLAN-7\", \"quantity\": 1000}]', ship_to => 'DE', on_shortage => 'report')" \
  "$direct_tables"
check order-release generic direct_only \
  "SELECT count(*) FROM inventory.inventory_release_order('PLAN-O-A')" "$direct_tables"
# Expiry (issue 12, item 7): the due reservations through the expiry index, their levels and the
# reservations again through their keys, all on the direct path, waiting or skipping.
q >/dev/null <<'SQL' || { echo "plan check expiry setup ... FAILED"; exit 1; }
SELECT count(*) FROM generate_series(1, 2) i, inventory.inventory_allocate_order('PLAN-E-' || i, '[{"sku": "PLAN-8", "quantity": 1}]', ship_to => 'US', expires_at => clock_timestamp() + interval '1 second');
SELECT pg_catalog.pg_sleep(1.2);
SQL
check expiry-waiting generic direct_only \
  "SELECT count(*) FROM inventory.inventory_expire_reservations(1, skip_locked => false)" "$direct_tables"
check expiry-skipping generic direct_only \
  "SELECT count(*) FROM inventory.inventory_expire_reservations(1, skip_locked => true)" "$direct_tables"
expired_both() {
  [ "$(q -c "SELECT count(*) FROM inventory.inventory_reservations WHERE order_ref LIKE 'PLAN-E-%' AND status = 'EXPIRED'")" = 2 ]
}
check expiry-released-both expired_both
# The other write paths over the grown tables (r2): an order whose backorder creates its level
# in a fixed warehouse, a FULFILL of an order's line through the reservation book, a plain
# ALLOCATE under a new reference, and a row inserted into the ledger directly (the trigger).
q >/dev/null -c "SELECT allow_backorder FROM inventory.inventory_set_sku_policy('PLAN-BO', allow_backorder => true)" ||
  { echo "plan check backorder setup ... FAILED"; exit 1; }
check order-backorder-creates-level generic write_path \
  "SELECT count(*) FROM inventory.inventory_allocate_order('PLAN-O-C', '[{\"sku\": \"PLAN-BO\", \"quantity\": 2}]', fixed_warehouse_id => 2)" \
  "$order_tables"
check fulfill-order-line direct_probe \
  "SELECT count(*) FROM inventory.inventory_apply_event('PLAN-8', 1, 'FULFILL', 1, 'PLAN-O-0/1')" \
  "$order_tables"
check allocate-new-reference direct_probe \
  "SELECT count(*) FROM inventory.inventory_apply_event('PLAN-9', 2, 'ALLOCATE', 1, 'PLAN-R-1')" \
  "$order_tables"
check ledger-insert-trigger direct_probe \
  "INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity, reference_id) VALUES ('PLAN-9', 2, 'DEALLOCATE', 1, 'PLAN-R-1')" \
  "$order_tables"
# A level the transaction already wrote is found again at its latest version, not through its
# primary key (which would walk every version the transaction wrote): ten events of one level
# in one transaction probe the index once.
relocks_without_probe() {
  local out
  out=$(psql -X -q -At -d postgres -c "BEGIN" \
    -c "SELECT count(*) FROM generate_series(1, 10) g, inventory.inventory_apply_event('PLAN-7', 1, 'RECEIVE', 1 + 0 * g)" \
    -c "SELECT pg_stat_get_xact_numscans('inventory.inventory_level_stripes_pkey'::regclass)" -c "COMMIT" | tail -1)
  [ "$out" = 1 ] || { echo "    level primary-key probes for 10 events: $out" >&2; return 1; }
}
check relock-written-level-without-probe relocks_without_probe
# The check sees a sequential scan (the planner forbidden index scans).
seq_scan_seen() {
  ! PGOPTIONS="-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off" \
    index_probe "SELECT inventory.inventory_ats('PLAN-7')" 2>/dev/null
}
check sees-a-sequential-scan seq_scan_seen
# The direct-path check sees SQL on the order tables.
sql_on_orders_seen() {
  ! direct_only "SELECT count(*) FROM inventory.inventory_orders" "$direct_tables" 2>/dev/null
}
check sees-sql-on-an-order-table sql_on_orders_seen

exit $((failures > 0))
