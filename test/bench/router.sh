#!/usr/bin/env bash
# The scale-out router's cost (issue 14; README, Scale-out). Five throw-away clusters on this
# machine: cluster 0 holds the router database, clusters 1-4 are partition servers; 8 partitions
# (part00 .. part07) start on server 1 and are moved, PL/Proxy's way (whole databases), to 2 and
# then 4 servers. A database `single` on server 1 holds the same stock unsharded: the one-server
# extension every router figure is measured against, in the same run.
#   (o) overhead per call, 1 client: a keyed RECEIVE, an inventory_ats(sku) read and a two-line
#       order (inventory_allocate_order; random SKUs, so 7 in 8 orders span two partitions)
#       through the router against the same call on `single`;
#   (t) throughput, 8 clients: keyed RECEIVEs and two-line orders through the router with the
#       partitions on 1, 2 and 4 servers, against `single` with 8 clients.
# Every workload runs ROUNDS times (default 3), router and single alternating, DURATION seconds
# each (default 5); the table shows medians and ratios. Servers run with fsync off and
# synchronous_commit off: the figures are CPU per call, not WAL flushes. Not part of the test
# command (timings on a shared machine are no assertions).
#   bash test/bench/router.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../router/clusters.sh"
duration=${DURATION:-5}
rounds=${ROUNDS:-3}
PARTITIONS=8
SKUS=1000
PGBENCH=$PG_BINDIR/pgbench

ensure_packages
build_and_install_extension
trap router_stop_all EXIT
EXTRA_SERVER_OPTIONS="-c synchronous_commit=off -c shared_buffers=256MB" router_start_clusters 5
router_create_roles
router_create_partitions "$PARTITIONS" 1 1
router_setup 0
work=$(mktemp -d)
trap 'router_stop_all; rm -rf "$work"' EXIT

# The same stock in the router's partitions and in `single`: 2 warehouses serving the US, every
# SKU received in both, far more than the runs can reserve.
rrouter postgres "SELECT inventory.inventory_create_warehouse('W1', 'Warehouse 1', 'US'),
                         inventory.inventory_create_warehouse('W2', 'Warehouse 2', 'US')" >/dev/null
rt_psql 1 postgres postgres -c "CREATE DATABASE single" >/dev/null
rt_psql 1 single postgres -c "CREATE EXTENSION inventory" \
  -c "SELECT inventory.inventory_create_warehouse('W1', 'Warehouse 1', 'US'),
             inventory.inventory_create_warehouse('W2', 'Warehouse 2', 'US')" >/dev/null
stock="SELECT count(*) FROM inventory.inventory_apply_events((
  SELECT jsonb_agg(jsonb_build_object('sku', 'SKU-' || n, 'warehouse_id', w, 'event_type', 'RECEIVE',
                                      'quantity', 1000000000, 'idempotency_key', 'stock-' || n || '-' || w))
    FROM generate_series(1, $SKUS) n, generate_series(1, 2) w))"
rrouter postgres "$stock" >/dev/null
rt_psql 1 single postgres -c "$stock" >/dev/null
for n in $(seq 0 $((PARTITIONS - 1))); do rpart "$n" postgres "VACUUM ANALYZE" >/dev/null; done
rt_psql 1 single postgres -c "VACUUM ANALYZE" >/dev/null
log "stock: $SKUS SKUs x 2 warehouses; per partition: $(for n in $(seq 0 $((PARTITIONS - 1))); do rpart "$n" postgres "SELECT count(DISTINCT sku) FROM inventory.inventory_levels"; done | tr '\n' ' ')"

cat >"$work/receive.sql" <<SQL
\set n random(1, $SKUS)
\set r random(1, 1000000000000)
SELECT on_hand FROM inventory.inventory_apply_event('SKU-' || :n, 1, 'RECEIVE', 1, NULL, 'b-' || :client_id || '-' || :r);
SQL
cat >"$work/ats.sql" <<SQL
\set n random(1, $SKUS)
SELECT inventory.inventory_ats('SKU-' || :n);
SQL
cat >"$work/order.sql" <<SQL
\set a random(1, $SKUS)
\set b random(1, $SKUS)
\set r random(1, 1000000000000)
SELECT count(*) FROM inventory.inventory_allocate_order('O-' || :client_id || '-' || :r,
  pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('sku', 'SKU-' || :a, 'quantity', 1),
                               pg_catalog.jsonb_build_object('sku', 'SKU-' || :b, 'quantity', 1)),
  ship_to => 'US');
SQL

tps() {  # tps CLUSTER DB CLIENTS SCRIPT
  local clients=$3
  "$PGBENCH" -n -M prepared -h "${RT_DIRS[$1]}" -p "${RT_PORTS[$1]}" -U postgres \
    -c "$clients" -j "$((clients < 2 ? clients : 2))" -T "$duration" -f "$4" "$2" 2>&1 |
    sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
results=$work/results.tsv
: >"$results"
# pair NAME CLIENTS SCRIPT: router and single alternating, $rounds times; records the medians.
pair() {
  local name=$1 clients=$2 script=$3 r routed=() single=() a b
  for r in $(seq 1 "$rounds"); do
    routed+=("$(tps 0 "$RT_ROUTER_DB" "$clients" "$script")")
    single+=("$(tps 1 single "$clients" "$script")")
  done
  a=$(printf '%s\n' "${routed[@]}" | median)
  b=$(printf '%s\n' "${single[@]}" | median)
  log "$name: router ${routed[*]}; single ${single[*]}"
  printf '%s\t%s\t%s\t%s\n' "$name" "$clients" "$a" "$b" >>"$results"
}

log "(o) overhead per call, 1 client"
pair "(o) keyed RECEIVE" 1 "$work/receive.sql"
pair "(o) inventory_ats(sku)" 1 "$work/ats.sql"
pair "(o) two-line order" 1 "$work/order.sql"

layout() { for n in $(seq 0 $((PARTITIONS - 1))); do printf '%s ' "${RT_PART_CLUSTER[$n]}"; done; }
for servers in 1 2 4; do
  if [ "$servers" = 2 ]; then
    for n in 1 3 5 7; do router_move_partition "$n" 2; done
  elif [ "$servers" = 4 ]; then
    for n in 2 6; do router_move_partition "$n" 3; done
    for n in 3 7; do router_move_partition "$n" 4; done
  fi
  log "(t) $servers partition server(s); servers of part00..07: $(layout)"
  pair "(t) keyed RECEIVE, $servers server(s)" 8 "$work/receive.sql"
  pair "(t) two-line order, $servers server(s)" 8 "$work/order.sql"
done

# Every call must have left both sides exact.
problems=$(rrouter postgres "SELECT count(*) FROM inventory.inventory_verify()")
problems=$((problems + $(rt_psql 1 single postgres -c "SELECT count(*) FROM inventory.inventory_verify()")))
log "inventory_verify() through the router and on single: $problems rows"

echo
echo "## Scale-out router (issue 14): $(nproc) cores, $(date -u +%Y-%m-%d), PostgreSQL $(rt_psql 0 postgres postgres -c 'SHOW server_version' | cut -d' ' -f1), PL/Proxy $(rt_psql 0 "$RT_ROUTER_DB" postgres -c "SELECT extversion FROM pg_extension WHERE extname = 'plproxy'")"
echo "fsync off, synchronous_commit off; pgbench -M prepared, median of $rounds runs of $duration s, router and single alternating"
echo
echo "| workload | clients | router tps | single server tps | router / single | added per call |"
echo "|---|---|---|---|---|---|"
while IFS=$'\t' read -r name clients a b; do
  awk -v n="$name" -v c="$clients" -v a="$a" -v b="$b" 'BEGIN {
    printf "| %s | %s | %.0f | %.0f | %.2f | %.3f ms |\n", n, c, a, b, a / b, (c / a - c / b) * 1000 }'
done <"$results"
[ "$problems" -eq 0 ]
