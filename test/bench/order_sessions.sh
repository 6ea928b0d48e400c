#!/usr/bin/env bash
# Two-line orders per session (issue 12: "at least 1x two ALLOCATEs of the reference in every
# session, after thousands of earlier orders"). Starts its own throw-away cluster, loads the
# extension and the PL/pgSQL reference, places 4,000 two-line orders first (and the reference's
# 8,000 ALLOCATEs), then runs, in turn, SESSIONS fresh sessions of TRANSACTIONS single-order
# transactions against as many sessions of two ALLOCATEs of the reference per transaction
# (synchronous_commit off, as workload (j) of run.sh), and prints each session's tps and ratio
# and the worst ratio. Not part of the test command.
#
#   bash test/bench/order_sessions.sh
#   SESSIONS=10 TRANSACTIONS=2000 bash test/bench/order_sessions.sh
set -euo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
cd "$REPO_ROOT"
sessions=${SESSIONS:-5}
transactions=${TRANSACTIONS:-500}
skus=1000
earlier=4000
PGBENCH=$PG_BINDIR/pgbench

ensure_packages
build_and_install_extension
trap stop_cluster EXIT
start_cluster
work=$(mktemp -d)
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
createdb bench
q -c "CREATE EXTENSION inventory" -f test/bench/baseline.sql >/dev/null
q -c "SELECT inventory.inventory_create_warehouse('W1', 'Warehouse 1', 'US'),
             inventory.inventory_create_warehouse('W2', 'Warehouse 2', 'US')" >/dev/null
q -c "SELECT count(*) FROM inventory.inventory_apply_events((SELECT jsonb_agg(jsonb_build_object(
        'sku', 'SKU-' || g, 'warehouse_id', w, 'event_type', 'RECEIVE', 'quantity', 1000000))
        FROM generate_series(1, $skus) g, generate_series(1, 2) w))" \
  -c "SELECT count(*) FROM generate_series(1, $skus) g,
        bench_baseline.apply_event('SKU-' || g, 1, 'RECEIVE', 1000000)" >/dev/null
log "$earlier earlier orders, both ways"
q -c "SELECT count(*) FROM generate_series(1, $earlier) g, inventory.inventory_allocate_order('pre' || g,
        jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (1 + g % $skus), 'quantity', 1),
                          jsonb_build_object('sku', 'SKU-' || (1 + (g * 7 + 3) % $skus), 'quantity', 1)),
        ship_to => 'US')" \
  -c "SELECT count(*) FROM generate_series(1, $earlier) g,
        bench_baseline.apply_event('SKU-' || (1 + g % $skus), 1, 'ALLOCATE', 1, 'pre' || g || '/1')" \
  -c "SELECT count(*) FROM generate_series(1, $earlier) g,
        bench_baseline.apply_event('SKU-' || (1 + (g * 7 + 3) % $skus), 1, 'ALLOCATE', 1, 'pre' || g || '/2')" \
  >/dev/null
cat >"$work/order_ext.sql" <<SQL
\set a random(1, $skus)
\set b random(1, $skus)
\set key random(1, 9000000000000000)
SELECT count(*) FROM inventory.inventory_allocate_order('o' || :key, jsonb_build_array(
  jsonb_build_object('sku', 'SKU-' || :a, 'quantity', 1),
  jsonb_build_object('sku', 'SKU-' || :b, 'quantity', 1)), ship_to => 'US');
SQL
cat >"$work/order_base.sql" <<SQL
\set a random(1, $skus)
\set b random(1, $skus)
\set lo least(:a, :b)
\set hi greatest(:a, :b)
\set key random(1, 9000000000000000)
BEGIN;
SELECT * FROM bench_baseline.apply_event('SKU-' || :lo, 1, 'ALLOCATE', 1, 'o' || :key || '/1');
SELECT * FROM bench_baseline.apply_event('SKU-' || :hi, 1, 'ALLOCATE', 1, 'o' || :key || '/2');
END;
SQL
tps() {  # one fresh session of $transactions transactions
  PGOPTIONS="-c synchronous_commit=off" "$PGBENCH" -n -c 1 -j 1 -t "$transactions" \
    -f "$1" bench 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
printf '%-8s %12s %12s %7s\n' session order_tps ref_tps ratio
worst=""
for ((s = 1; s <= sessions; s++)); do
  ext=$(tps "$work/order_ext.sql")
  base=$(tps "$work/order_base.sql")
  ratio=$(awk -v e="$ext" -v b="$base" 'BEGIN { printf "%.2f", e / b }')
  printf '%-8s %12.0f %12.0f %7s\n' "$s" "$ext" "$base" "$ratio"
  worst=$(awk -v w="${worst:-$ratio}" -v r="$ratio" 'BEGIN { print (r < w ? r : w) }')
done
echo "worst session: $worst"
rm -rf "$work"
