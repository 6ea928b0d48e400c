#!/usr/bin/env bash
# The benchmark suite: starts its own throw-away cluster, loads the extension and the PL/pgSQL
# reference (baseline.sql), runs every workload against both in the same run, and prints a
# table of absolute figures and ratios against the baseline each row names (the reference, or
# PostgreSQL's own floor: a bare one-row UPDATE, COPY into a trigger-less copy of the ledger).
# Not part of the test command: benchmarks never run as timed assertions.
#
#   bash test/bench/run.sh            # full suite (about 20 minutes, 10 million ledger rows)
#   QUICK=1 bash test/bench/run.sh    # smaller and shorter, to check the suite itself
#   DURATION=20 ROUNDS=5 bash test/bench/run.sh   # seconds per pgbench run (default 5, quick 3)
#                                                  # and runs per figure, median kept (default 3)
#   ONLY=m bash test/bench/run.sh     # only (m), the striped hot SKU (about 3 minutes)
set -euo pipefail
# A private PostgreSQL: INVENTORY_PG_BINDIR (scripts/common.sh), or the bindir of PG_CONFIG.
if [ -z "${INVENTORY_PG_BINDIR:-}" ] && [ -n "${PG_CONFIG:-}" ]; then
  INVENTORY_PG_BINDIR=$("$PG_CONFIG" --bindir)
  export INVENTORY_PG_BINDIR
fi
source "$(dirname "$0")/../../scripts/common.sh"
cd "$REPO_ROOT"
here=test/bench
# Every client (psql, createdb, pgbench) from the PostgreSQL the extension is installed into.
export PATH="$PG_BINDIR:$PATH"

quick=${QUICK:-0}
only=${ONLY:-}      # empty: every workload; m: only (m), on a database of the hot rows alone
case "$only" in
  "" | m) ;;
  *) echo "ONLY=$only: only ONLY=m is supported" >&2; exit 2 ;;
esac
duration=${DURATION:-$([ "$quick" = 1 ] && echo 3 || echo 5)}
rounds=${ROUNDS:-$([ "$quick" = 1 ] && echo 1 || echo 3)}
big_rows=$([ "$quick" = 1 ] && echo 1000000 || echo 10000000)
batch_events=100000
mix_events=100000   # (k)
mix_skus=1000
sessions=5          # (j) per session
prior_orders=4000   # (j) per session: orders placed before the sessions
skus=10000
PGBENCH=$PG_BINDIR/pgbench

ensure_packages
build_and_install_extension
trap stop_cluster EXIT
EXTRA_SERVER_OPTIONS="-c fsync=on -c shared_buffers=1GB -c max_wal_size=16GB \
  -c checkpoint_timeout=30min -c work_mem=64MB -c maintenance_work_mem=512MB" start_cluster

work=$(mktemp -d)
results=$work/results.tsv
: >"$results"
db=bench   # the database q, tps, seconds_of and setup_database work on
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# record WORKLOAD EXTENSION BASELINE UNIT TARGET (empty baseline: absolute only). TARGET names
# the ratio aimed at and its baseline ("2.0x ref", "0.75x COPY"), or is empty.
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"; }

tps() {  # tps CLIENTS SCRIPT [PGOPTIONS]
  local clients=$1 script=$2 options=${3:-}
  local threads=$((clients < 2 ? clients : 2))
  PGOPTIONS="$options" "$PGBENCH" -n -M prepared -c "$clients" -j "$threads" -T "$duration" \
    -f "$script" "$db" 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

seconds_of() {  # seconds_of SQL: wall time of one statement, measured by psql
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c '\timing on' -c "$1" |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1 | awk '{printf "%.3f", $1 / 1000}'
}

setup_database() {
  dropdb --if-exists "$db" >/dev/null 2>&1
  createdb "$db"
  q -c "CREATE EXTENSION inventory" -f "$here/baseline.sql" >/dev/null
  q -c "SELECT inventory.inventory_create_warehouse('W1', 'Warehouse 1', 'US'),
               inventory.inventory_create_warehouse('W2', 'Warehouse 2', 'US')" >/dev/null
  if [ "$only" = m ]; then  # (m) needs the bare UPDATE's row and makes its own SKUs
    q -c "INSERT INTO bench_baseline.hot_row VALUES (1, 1000000000000)" \
      -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
    return
  fi
  # Every level exists up front for both, so no run pays for creating rows.
  q -c "SELECT count(*) FROM inventory.inventory_apply_events((SELECT jsonb_agg(jsonb_build_object(
          'sku', 'SKU-' || g, 'warehouse_id', 1, 'event_type', 'RECEIVE', 'quantity', 1000000))
          FROM generate_series(1, $skus) g))" \
    -c "SELECT count(*) FROM generate_series(1, $skus) g,
          bench_baseline.apply_event('SKU-' || g, 1, 'RECEIVE', 1000000)" \
    -c "SELECT inventory.inventory_apply_event('HOT', 1, 'RECEIVE', 1000000000000)" \
    -c "SELECT bench_baseline.apply_event('HOT', 1, 'RECEIVE', 1000000000000)" \
    -c "INSERT INTO bench_baseline.hot_row VALUES (1, 1000000000000)" >/dev/null
  # (k) the shop's SKUs, stocked so that every ALLOCATE of the mix succeeds.
  q -c "SELECT count(*) FROM inventory.inventory_apply_events((SELECT jsonb_agg(jsonb_build_object(
          'sku', 'SHOP-' || g, 'warehouse_id', 1, 'event_type', 'RECEIVE', 'quantity', 1000000000))
          FROM generate_series(1, $mix_skus) g))" \
    -c "SELECT count(*) FROM generate_series(1, $mix_skus) g,
          bench_baseline.apply_event('SHOP-' || g, 1, 'RECEIVE', 1000000000)" \
    -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
}

write_scripts() {
  for impl in ext base; do
    local call
    if [ $impl = ext ]; then call=inventory.inventory_apply_event; else call=bench_baseline.apply_event; fi
    cat >"$work/receive_$impl.sql" <<EOF
\set sku random(1, $skus)
\set key random(1, 9000000000000000)
SELECT * FROM $call('SKU-' || :sku, 1, 'RECEIVE', 1, NULL, 'k' || :key);
EOF
    cat >"$work/hot_$impl.sql" <<EOF
\set key random(1, 9000000000000000)
SELECT * FROM $call('HOT', 1, 'ALLOCATE', 1, NULL, 'h' || :key);
EOF
    cat >"$work/replay_$impl.sql" <<EOF
\set n random(1, 10000)
SELECT * FROM $call('REPLAY-' || (:n % 100), 1, 'RECEIVE', 1, NULL, 'replay-' || :n);
EOF
    # (i) a reservation's life: ALLOCATE with a reference, then FULFILL naming it. The reference
    # ignores references; the extension keeps the reservation in inventory_reservations.
    cat >"$work/reserve_ship_$impl.sql" <<EOF
\set sku random(1, $skus)
\set key random(1, 9000000000000000)
BEGIN;
SELECT * FROM $call('SKU-' || :sku, 1, 'ALLOCATE', 1, 'r' || :key);
SELECT * FROM $call('SKU-' || :sku, 1, 'FULFILL', 1, 'r' || :key);
END;
EOF
  done
  # (j) a two-line order: the extension chooses among the warehouses serving the US and reserves
  # both lines or neither; the reference allocates two lines in a fixed warehouse, in SKU order.
  cat >"$work/order_ext.sql" <<EOF
\set a random(1, $skus)
\set b random(1, $skus)
\set key random(1, 9000000000000000)
SELECT count(*) FROM inventory.inventory_allocate_order('o' || :key, jsonb_build_array(
  jsonb_build_object('sku', 'SKU-' || :a, 'quantity', 1),
  jsonb_build_object('sku', 'SKU-' || :b, 'quantity', 1)), ship_to => 'US');
EOF
  cat >"$work/order_base.sql" <<EOF
\set a random(1, $skus)
\set b random(1, $skus)
\set lo least(:a, :b)
\set hi greatest(:a, :b)
\set key random(1, 9000000000000000)
BEGIN;
SELECT * FROM bench_baseline.apply_event('SKU-' || :lo, 1, 'ALLOCATE', 1, 'o' || :key || '/1');
SELECT * FROM bench_baseline.apply_event('SKU-' || :hi, 1, 'ALLOCATE', 1, 'o' || :key || '/2');
END;
EOF
  # (c) against a bare one-row UPDATE: what a hot row costs PostgreSQL alone.
  cp "$work/hot_ext.sql" "$work/hot_bare_ext.sql"
  printf '%s\n' "UPDATE bench_baseline.hot_row SET n = n - 1 WHERE id = 1;" >"$work/hot_bare_base.sql"
  cat >"$work/ats.sql" <<EOF
\set sku random(1, $skus)
SELECT inventory.inventory_ats('SKU-' || :sku);
EOF
}

# (m) a hot SKU of 1, 2, 4 and 8 stripes: $striped_clients clients, each transaction one keyed
# ALLOCATE of 1 unit (as (c)), synchronous_commit on, READ COMMITTED, against the bare one-row
# UPDATE of (c) with the same clients. One SKU per stripe count (HOT-S1 ... HOT-S8), its policy
# set before its first event, then stocked with 10^12 units (spread over its stripes), so that
# no ALLOCATE runs short and each takes the fast path (one free stripe, SKIP LOCKED). Then
# the 8-stripe SKU again with the change feed's notifications on (inventory.notify, a role or
# database setting in production) and a client LISTENing on their channel.
striped_clients=16
workload_m() {
  log "(m) striped hot SKU: $striped_clients clients allocating one SKU of 1, 2, 4 and 8 stripes"
  local n target listener
  for n in 1 2 4 8; do
    q -c "SELECT inventory.inventory_set_sku_policy('HOT-S$n', stripes => $n)" \
      -c "SELECT inventory.inventory_apply_event('HOT-S$n', 1, 'RECEIVE', 1000000000000)" >/dev/null
    sed "s/'HOT'/'HOT-S$n'/" "$work/hot_ext.sql" >"$work/striped${n}_ext.sql"
    cp "$work/hot_bare_base.sql" "$work/striped${n}_base.sql"
  done
  q -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
  for n in 1 2 4 8; do
    case $n in 1) target="0.9x UPDATE" ;; 8) target="2.0x UPDATE" ;; *) target="" ;; esac
    ratio_row "(m) hot SKU, $n stripe(s), $striped_clients clients, sync on, vs UPDATE" \
      $striped_clients "striped$n" "" "$target"
  done
  # A consumer of the feed: LISTENs, and reads its notifications after each statement.
  (echo "LISTEN inventory_levels;"; while sleep 0.2; do echo "SELECT 1;"; done) |
    psql -X -q -d "$db" >/dev/null 2>&1 &
  listener=$!
  ratio_row "(m) hot SKU, 8 stripes, feed on, $striped_clients clients, vs UPDATE" \
    $striped_clients striped8 "-c inventory.notify=on" ""
  kill "$listener" 2>/dev/null || true
  wait "$listener" 2>/dev/null || true
  # Exact: every ALLOCATE took its unit, the levels equal the ledger.
  local drifted mismatched
  drifted=$(q -c "SELECT count(*) FROM inventory.inventory_verify()")
  mismatched=$(q -c "SELECT count(*) FROM inventory.inventory_levels v WHERE v.sku LIKE 'HOT-S%'
    AND v.reserved <> (SELECT count(*) FROM inventory.inventory_ledger l
                        WHERE l.sku = v.sku AND l.event_type = 'ALLOCATE')")
  log "(m) inventory_verify: $drifted rows; levels whose reserved is not their ALLOCATE count: $mismatched"
  log "(m) HOT-S8's ALLOCATEs per stripe, and its REBALANCE rows: $(q -c "SELECT string_agg(
    stripe || ':' || n, ' ' ORDER BY stripe) FROM (SELECT stripe, count(*) n FROM
    inventory.inventory_ledger WHERE sku = 'HOT-S8' AND event_type = 'ALLOCATE' GROUP BY 1) s"); \
$(q -c "SELECT count(*) FROM inventory.inventory_ledger WHERE sku = 'HOT-S8' AND event_type = 'REBALANCE'")"
  [ "$drifted" = 0 ] && [ "$mismatched" = 0 ] || { echo "(m): levels and ledger disagree" >&2; exit 1; }
}

print_table() {
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
    "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); PostgreSQL $(q -c 'SHOW server_version');" \
    "fsync on, shared_buffers 1GB; pgbench -M prepared, median of $rounds runs of $duration s"
  echo "Reference: test/bench/baseline.sql (PL/pgSQL, same apply-event semantics), measured in this run."
  echo "Targets name their baseline: ref = that reference, UPDATE = a bare one-row UPDATE per transaction,"
  echo "COPY = COPY into a trigger-less copy of the ledger, 10k = the same call on a 10-thousand-row ledger."
  echo
  awk -F'\t' '
    BEGIN { printf "%-58s %14s %14s %8s %12s  %s\n", "workload", "extension", "reference", "ratio", "target", "unit" }
    {
      ratio = ($3 != "" && $3 > 0) ? sprintf("%.2f", $2 / $3) : "-"
      target = ($5 != "") ? $5 : "-"
      printf "%-58s %14s %14s %8s %12s  %s\n", $1, $2, ($3 == "" ? "-" : $3), ratio, target, $4
    }' "$results"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs the extension and the reference alternately, $rounds times each, and records the median
# of each: the machines are shared, and one run can be off by a fifth.
ratio_row() {  # ratio_row NAME CLIENTS SCRIPT_PREFIX PGOPTIONS TARGET
  local ext="" base="" i
  for ((i = 0; i < rounds; i++)); do
    ext+="$(tps "$2" "$work/$3_ext.sql" "$4")"$'\n'
    base+="$(tps "$2" "$work/$3_base.sql" "$4")"$'\n'
  done
  record "$1" "$(printf '%s' "$ext" | median)" "$(printf '%s' "$base" | median)" "tps" "$5"
}

log "benchmark database and reference implementation"
setup_database
write_scripts
if [ "$only" = m ]; then
  workload_m
  print_table
  exit 0
fi

log "(a) one event per transaction, synchronous_commit = on"
for c in 1 2 8; do ratio_row "(a) 1 event/txn, $c client(s), sync on" $c receive "" "1.0x ref"; done
log "(b) one event per transaction, synchronous_commit = off"
for c in 1 2 8; do
  ratio_row "(b) 1 event/txn, $c client(s), sync off" $c receive "-c synchronous_commit=off" "1.5x ref"
done
log "(c) hot SKU: 8 clients allocating the same SKU"
ratio_row "(c) hot SKU, 8 clients, sync off" 8 hot "-c synchronous_commit=off" ""
# Against PostgreSQL's own floor for a hot row: a bare one-row UPDATE per transaction.
ratio_row "(c) hot SKU, 8 clients, sync on, vs bare UPDATE" 8 hot_bare "" "0.9x UPDATE"
ratio_row "(c) hot SKU, 8 clients, sync off, vs bare UPDATE" 8 hot_bare \
  "-c synchronous_commit=off" "0.6x UPDATE"
workload_m

log "(g) replaying already-applied idempotency keys"
q -c "SELECT count(*) FROM inventory.inventory_apply_events((SELECT jsonb_agg(jsonb_build_object(
        'sku', 'REPLAY-' || (g % 100), 'warehouse_id', 1, 'event_type', 'RECEIVE', 'quantity', 1,
        'idempotency_key', 'replay-' || g)) FROM generate_series(1, 10000) g))" \
  -c "SELECT count(*) FROM generate_series(1, 10000) g,
        bench_baseline.apply_event('REPLAY-' || (g % 100), 1, 'RECEIVE', 1, NULL, 'replay-' || g)" \
  >/dev/null
ratio_row "(g) replay of applied keys, 1 client" 1 replay "-c synchronous_commit=off" ""

log "(i) reservations: ALLOCATE and FULFILL of one order line per transaction"
for c in 1 8; do
  ratio_row "(i) reserve + ship by reference, $c client(s), sync off" $c reserve_ship \
    "-c synchronous_commit=off" "1.5x ref"
done
log "(j) two-line orders: inventory_allocate_order against two ALLOCATEs"
for c in 1 8; do
  ratio_row "(j) 2-line order, $c client(s), sync off" $c order "-c synchronous_commit=off" ""
done

# (j) per session: plans cached per session can collapse in one session and not in the next.
# On a database of its own, set up and analyzed as the main one: $prior_orders earlier orders
# (one per transaction, for both), then each of $sessions fresh sessions (one pgbench client, a
# new connection) is timed on its own, extension and reference alternating. Autovacuum is held
# off for this phase, so the planner statistics stay those of the setup's VACUUM ANALYZE (no
# reservation yet): what a database sees after a burst of orders, before autovacuum catches
# up, and the same state in every run. The worst session of the extension is set against the
# reference's median session.
log "(j) per session: $prior_orders earlier orders, then $sessions fresh sessions each"
q -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
db=bench_orders
setup_database
q -c "DO \$\$ BEGIN FOR g IN 1..$prior_orders LOOP
        PERFORM count(*) FROM inventory.inventory_allocate_order('pre-' || g, jsonb_build_array(
          jsonb_build_object('sku', 'SKU-' || (1 + (g * 7919) % $skus), 'quantity', 1),
          jsonb_build_object('sku', 'SKU-' || (1 + (g * 104729) % $skus), 'quantity', 1)),
          ship_to => 'US');
        COMMIT;
      END LOOP; END \$\$" \
  -c "DO \$\$ BEGIN FOR g IN 1..$prior_orders LOOP
        PERFORM bench_baseline.apply_event('SKU-' || least(1 + (g * 7919) % $skus, 1 + (g * 104729) % $skus),
          1, 'ALLOCATE', 1, 'pre-' || g || '/1');
        PERFORM bench_baseline.apply_event('SKU-' || greatest(1 + (g * 7919) % $skus, 1 + (g * 104729) % $skus),
          1, 'ALLOCATE', 1, 'pre-' || g || '/2');
        COMMIT;
      END LOOP; END \$\$" >/dev/null
j_ext="" j_base=""
for ((i = 0; i < sessions; i++)); do
  j_ext+="$(tps 1 "$work/order_ext.sql" "-c synchronous_commit=off")"$'\n'
  j_base+="$(tps 1 "$work/order_base.sql" "-c synchronous_commit=off")"$'\n'
done
j_base_median=$(printf '%s' "$j_base" | median)
j_each=$(printf '%s' "$j_ext" | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }')
record "(j) 2-line order per session, worst of $sessions, sync off" \
  "$(printf '%s' "$j_ext" | sort -g | awk 'NR == 1')" "$j_base_median" \
  "tps (reference: median session; sessions: $j_each)" "1.0x ref"
record "(j) 2-line order per session, median of $sessions, sync off" \
  "$(printf '%s' "$j_ext" | median)" "$j_base_median" "tps" ""
db=bench
dropdb bench_orders
q -c "ALTER SYSTEM RESET autovacuum" -c "SELECT pg_reload_conf()" >/dev/null

log "(k) shop mix: $mix_events single calls in one transaction"
per_second() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
# Odd calls RECEIVE a purchase order's delivery, even calls ALLOCATE an order line of the same
# SKU; every call keyed, as a shop sends them. The reference ignores references.
mix_call() {  # mix_call FUNCTION ROUND
  echo "SELECT count(*) FROM generate_series(1, $mix_events) g, $1(
    'SHOP-' || (1 + ((g - 1) / 2) % $mix_skus), 1,
    CASE WHEN g % 2 = 1 THEN 'RECEIVE' ELSE 'ALLOCATE' END, 1,
    CASE WHEN g % 2 = 1 THEN 'PO-' || (1 + ((g - 1) / 2) % $mix_skus)
         ELSE 'ORD-' || ($2 * $mix_events + g) || '/1' END,
    'mix-$2-' || g)"
}
k_ext="" k_base=""
for ((r = 0; r < rounds; r++)); do
  t=$(seconds_of "$(mix_call inventory.inventory_apply_event $r)")
  k_ext+="$(per_second $mix_events "$t")"$'\n'
  t=$(seconds_of "$(mix_call bench_baseline.apply_event $r)")
  k_base+="$(per_second $mix_events "$t")"$'\n'
done
record "(k) shop mix, $mix_events single calls in 1 transaction" "$(printf '%s' "$k_ext" | median)" \
  "$(printf '%s' "$k_base" | median)" "events/s" "2.0x ref"

log "(d) $batch_events events in one transaction; (l) COPY of the same rows"
# (l) The floor of a batch: COPY of the rows the batch writes (every column filled, as the
# ledger holds them) into a copy of the ledger with its indexes and constraints and no
# triggers, holding what the ledger held before the batch (its index inserts then cost what the
# batch's cost). Each round writes its batch's rows to a file in the cluster directory, makes
# the copy afresh with the ledger's other rows, and loads the file.
copy_file=$CLUSTER_DIR/bench_copy.dat
d_batch="" d_loop="" d_base="" l_copy=""
for ((r = 0; r < rounds; r++)); do
  q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_batch" \
    -c "CREATE TABLE bench_batch AS SELECT jsonb_agg(jsonb_build_object('sku', 'SKU-' || (1 + g % $skus),
          'warehouse_id', 2, 'event_type', 'RECEIVE', 'quantity', 1, 'idempotency_key', 'd-$r-' || g))
          AS events FROM generate_series(1, $batch_events) g" >/dev/null
  t=$(seconds_of "SELECT count(*) FROM inventory.inventory_apply_events((SELECT events FROM bench_batch))")
  d_batch+="$(per_second $batch_events "$t")"$'\n'
  q -c "COPY (SELECT * FROM inventory.inventory_ledger WHERE idempotency_key LIKE 'd-$r-%'
          ORDER BY id) TO '$copy_file'" >/dev/null
  q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_copy" \
    -c "CREATE TABLE bench_copy (LIKE inventory.inventory_ledger INCLUDING ALL)" \
    -c "INSERT INTO bench_copy SELECT * FROM inventory.inventory_ledger
          WHERE idempotency_key IS NULL OR idempotency_key NOT LIKE 'd-$r-%' ORDER BY id" \
    -c "VACUUM ANALYZE bench_copy" -c "CHECKPOINT" >/dev/null
  t=$(seconds_of "COPY bench_copy FROM '$copy_file'")
  l_copy+="$(per_second $batch_events "$t")"$'\n'
  t=$(seconds_of "SELECT count(*) FROM generate_series(1, $batch_events) g,
    inventory.inventory_apply_event('SKU-' || (1 + g % $skus), 2, 'RECEIVE', 1, NULL, 'e-$r-' || g)")
  d_loop+="$(per_second $batch_events "$t")"$'\n'
  t=$(seconds_of "SELECT count(*) FROM generate_series(1, $batch_events) g,
    bench_baseline.apply_event('SKU-' || (1 + g % $skus), 2, 'RECEIVE', 1, NULL, 'f-$r-' || g)")
  d_base+="$(per_second $batch_events "$t")"$'\n'
done
copied=$(q -c "SELECT count(*) FROM bench_copy WHERE idempotency_key LIKE 'd-$((rounds - 1))-%'")
q -c "DROP TABLE bench_copy" >/dev/null
d_base=$(printf '%s' "$d_base" | median)
d_batch=$(printf '%s' "$d_batch" | median)
record "(d) batch inventory_apply_events, $batch_events events" "$d_batch" \
  "$d_base" "events/s" "10.0x ref"
record "(d) inventory_apply_event loop, $batch_events events" "$(printf '%s' "$d_loop" | median)" \
  "$d_base" "events/s" ""
record "(l) batch inventory_apply_events vs COPY of its $copied rows" "$d_batch" \
  "$(printf '%s' "$l_copy" | median)" "rows/s (reference: COPY into a trigger-less ledger copy)" \
  "0.75x COPY"

# (e), (f), (h) on a database of their own: exactly $skus ledger rows first, then $big_rows.
log "(e) inventory_ats and (h) inventory_levels_at with $skus ledger rows"
dropdb --if-exists bench_big >/dev/null 2>&1
createdb bench_big
qb() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench_big "$@"; }
qb -c "CREATE EXTENSION inventory" \
   -c "SELECT inventory.inventory_create_warehouse('W1', 'Warehouse 1', 'US')" \
   -c "SELECT count(*) FROM inventory.inventory_apply_events((SELECT jsonb_agg(jsonb_build_object(
         'sku', 'SKU-' || g, 'warehouse_id', 1, 'event_type', 'RECEIVE', 'quantity', 1000000))
         FROM generate_series(1, $skus) g))" -c "VACUUM ANALYZE" >/dev/null
printf '%s\n' "\\set sku random(1, $skus)" \
  "SELECT * FROM inventory.inventory_levels_at('SKU-' || :sku, now() + interval '1 day');" \
  >"$work/levels_at.sql"
tps_big() {  # median of $rounds runs
  local runs="" i
  for ((i = 0; i < rounds; i++)); do
    runs+="$("$PGBENCH" -n -M prepared -c 1 -j 1 -T "$duration" -f "$1" bench_big 2>&1 |
      sed -n 's/^tps = \([0-9.]*\) .*/\1/p')"$'\n'
  done
  printf '%s' "$runs" | median
}
seconds_big() {
  psql -X -q -v ON_ERROR_STOP=1 -d bench_big -c '\timing on' -c "$1" |
    sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1 | awk '{printf "%.3f", $1 / 1000}'
}
ledger_small=$(qb -c 'SELECT count(*) FROM inventory.inventory_ledger')
ats_small=$(tps_big "$work/ats.sql")
at_small=$(tps_big "$work/levels_at.sql")

log "(f) growing the ledger to $big_rows rows"
# Generated set-wise with the apply trigger disabled (bench only): the rows are what RECEIVE
# events would have written; the levels are left stale on purpose, rebuilding them is (f).
per_sku=$(((big_rows - skus) / skus))
t_fill=$(date +%s.%N)
qb -c "ALTER TABLE inventory.inventory_ledger DISABLE TRIGGER inventory_ledger_apply" \
   -c "INSERT INTO inventory.inventory_ledger (id, sku, warehouse_id, event_type, quantity,
         on_hand_change, reserved_change, on_hand_after, reserved_after, available_after,
         level_version, actor, created_at)
       SELECT inventory.inventory_uuidv7(), 'SKU-' || s, 1, 'RECEIVE', 1, 1, 0, 1000000 + v - 1, 0,
              1000000 + v - 1, v, current_user, now() + v * interval '1 millisecond'
         FROM generate_series(1, $skus) s, generate_series(2, $per_sku + 1) v ORDER BY s, v" \
   -c "ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply" \
   -c "VACUUM ANALYZE inventory.inventory_ledger" -c "CHECKPOINT" >/dev/null
t_fill=$(awk -v a="$t_fill" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
ledger_big=$(qb -c 'SELECT count(*) FROM inventory.inventory_ledger')
t_rebuild=$(seconds_big "SELECT inventory.inventory_rebuild_levels()")
t_verify=$(seconds_big "SELECT count(*) FROM inventory.inventory_verify()")
drifted=$(qb -c "SELECT count(*) FROM inventory.inventory_verify()")
qb -c "VACUUM ANALYZE" >/dev/null
ats_big=$(tps_big "$work/ats.sql")
at_big=$(tps_big "$work/levels_at.sql")

record "(e) inventory_ats, $ledger_big vs $ledger_small ledger rows" "$ats_big" "$ats_small" \
  "calls/s (reference column: small ledger)" "0.83x 10k"
record "(h) inventory_levels_at, $ledger_big vs $ledger_small rows" "$at_big" "$at_small" \
  "calls/s (reference column: small ledger)" "0.83x 10k"
record "(f) inventory_rebuild_levels over $ledger_big rows" "$(per_second "$ledger_big" "$t_rebuild")" \
  "" "ledger rows/s (target 1000000)" ""
record "(f) inventory_verify over $ledger_big rows ($drifted drifted after)" \
  "$(per_second "$ledger_big" "$t_verify")" "" "ledger rows/s" ""
record "(f) generating $((ledger_big - ledger_small)) rows set-wise (trigger off)" \
  "$(per_second $((ledger_big - ledger_small)) "$t_fill")" "" "rows/s" ""

print_table
