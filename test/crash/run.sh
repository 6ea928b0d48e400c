#!/usr/bin/env bash
# Crash test: several concurrent clients apply a seeded random workload (events, holds that
# expire, orders by ship-to country and by fixed warehouse with both strategies, splits and
# shortage reports, shipping and releasing orders, both forms of expiry, transfers in transit
# with partial receipts, purchase orders expected, received in part and cancelled; SKU-3, SKU-4
# and SKU-5 are striped, and the stripe counts of SKU-3 and SKU-4 change while they sell), the whole
# server is killed with SIGKILL in the middle, restarted (crash recovery), and then:
#   inventory_verify(), inventory_verify_reservations() and inventory_verify_data() are empty, no
#   level or stripe is negative, every stripe equals its ledger, REBALANCE rows sum to zero per
#   level, no stripe at or beyond its SKU's count holds free stock, no idempotency key is there twice, every transfer's in_transit is what
#   was dispatched less what was received, purchase order lines agree with their receipts, each
#   order's allocation agrees with its ledger events and reservations, and every event, order,
#   release, dispatch, receipt and purchase order call whose commit a client saw acknowledged
#   is there.
# Usage: run.sh [ROUNDS] [FIRST_SEED]. Starts its own throw-away cluster (fsync on).
# Prints one "... ok" / "... FAILED" line per check; exits non-zero if any failed.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-3}
first_seed=${2:-$(date +%s)}
clients=4
failures=0
work=$(mktemp -d)
trap 'stop_cluster; rm -rf "$work"' EXIT
EXTRA_SERVER_OPTIONS="-c fsync=on -c synchronous_commit=on" start_cluster >/dev/null 2>&1 || {
  echo "crash cluster start ... FAILED"
  exit 1
}
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d crash "$@"; }

# Writes client ID's seeded stream of autocommitted statements. Each prints an acknowledgement
# ("ACK...:") only when it commits: psql prints a result after the server's ReadyForQuery, that
# is after the commit, so an ACK line in the output is an acknowledged commit.
#   ACK:<key>                 an event (or a transfer) with that idempotency key
#   ACKO:<order_ref>:<parts>  an order: parts = allocation rows, 0 for a shortage report
#   ACKR:<order_ref>          a release of that order
#   ACKD:<ref>:<sku>:<id>     a dispatch, with its TRANSFER_OUT event id
#   ACKE:<event id>           an event written by a call: a receipt of a transfer or purchase
#                             order, an order line shipped, a hold expired
#   ACKP:<po_ref>:<sku>       a purchase order line expected
#   ACKC:<po_ref>             a purchase order cancelled
workload() {  # workload ID SEED COUNT
  local id=$1 i sku wh to kind qty key keys ref lines n l strategy split where shortage pick
  local orders=() transfers=() pos=() rest
  local flags=(true false) strategies=(PRIORITY MOST_STOCK) shortages=(error report)
  local wheres=("fixed_warehouse_id => " "ship_to => 'DE'" "ship_to => 'US'" "ship_to => 'US'")
  RANDOM=$2
  local kinds=(RECEIVE RECEIVE ALLOCATE ALLOCATE DEALLOCATE FULFILL RETURN ADJUST COUNT TRANSFER
    HOLD HOLD ORDER ORDER ORDER SHIP SHIP RELEASE EXPIRE BATCHES DISPATCH DISPATCH RECEIVE_T
    RECEIVE_T PO_EXPECT PO_RECEIVE PO_RECEIVE PO_CANCEL STRIPES)
  for ((i = 1; i <= $3; i++)); do
    sku="SKU-$((RANDOM % 6))"          # few SKUs: contention on purpose
    wh=$((1 + RANDOM % 3))
    kind=${kinds[$((RANDOM % ${#kinds[@]}))]}
    qty=$((1 + RANDOM % 4))
    key="c$id-$i"
    keys=("'$key'" NULL)
    case $kind in
      # SKU-3 and SKU-4 are striped (the setup below); their stripe count changes while they sell.
      STRIPES) echo "SELECT 'ACKS:$key' FROM inventory.inventory_set_sku_policy('SKU-$((3 + RANDOM % 2))', stripes => $((1 + RANDOM % 8)));" ;;
      TRANSFER) echo "SELECT 'ACK:$key' FROM inventory.inventory_transfer('$sku', $wh, $((1 + wh % 3)), $qty, idempotency_key => '$key');" ;;
      ADJUST) echo "SELECT 'ACK:$key' FROM inventory.inventory_apply_event('$sku', $wh, 'ADJUST', -$qty, idempotency_key => '$key', reason => 'SHRINKAGE');" ;;
      COUNT) echo "SELECT 'ACK:$key' FROM inventory.inventory_apply_event('$sku', $wh, 'COUNT', $((RANDOM % 30)), idempotency_key => '$key');" ;;
      HOLD) echo "SELECT 'ACK:$key' FROM inventory.inventory_apply_event('$sku', $wh, 'ALLOCATE', $qty, 'c$id-H$i', '$key', expires_at => clock_timestamp() + interval '$((200 + RANDOM % 1500)) ms');" ;;
      ORDER)
        ref="c$id-O$i"
        n=$((1 + RANDOM % 3))
        lines=""
        for ((l = 1; l <= n; l++)); do
          lines+="${lines:+, }{\"line\": \"$l\", \"sku\": \"SKU-$((RANDOM % 6))\", \"quantity\": $((1 + RANDOM % 5))}"
        done
        where=${wheres[RANDOM % 4]}
        [ "${where: -1}" = " " ] && where+=$wh
        strategy=${strategies[RANDOM % 2]}
        split=${flags[RANDOM % 2]}
        shortage=${shortages[RANDOM % 2]}
        echo "SELECT 'ACKO:$ref:' || count(warehouse_id) FROM inventory.inventory_allocate_order('$ref', '[$lines]', $where, strategy => '$strategy', allow_split => $split, on_shortage => '$shortage', expires_at => CASE WHEN $((RANDOM % 2)) = 0 THEN clock_timestamp() + interval '$((300 + RANDOM % 2000)) ms' END);"
        orders+=("$ref")
        ;;
      SHIP | RELEASE)
        [ ${#orders[@]} -gt 0 ] || continue
        ref=${orders[$((RANDOM % ${#orders[@]}))]}
        if [ "$kind" = RELEASE ]; then
          echo "SELECT 'ACKR:$ref' FROM (SELECT count(*) FROM inventory.inventory_release_order('$ref')) r;"
        else
          echo "SELECT 'ACKE:' || e.event_id FROM (SELECT r.* FROM inventory.inventory_reservations r WHERE r.order_ref = '$ref' AND r.status = 'ACTIVE' ORDER BY r.reference_id, r.sku, r.warehouse_id LIMIT 1) r, LATERAL inventory.inventory_apply_event(r.sku, r.warehouse_id, 'FULFILL', least(r.held, $qty), r.reference_id) e;"
        fi
        ;;
      EXPIRE) echo "SELECT 'ACKE:' || event_id FROM inventory.inventory_expire_reservations($qty, skip_locked => ${flags[RANDOM % 2]});" ;;
      BATCHES) echo "CALL inventory.inventory_expire_reservations_in_batches($qty, 2);" ;;
      DISPATCH)
        ref="c$id-T$i"
        to=$((1 + (wh + RANDOM % 2) % 3))
        echo "SELECT 'ACKD:$ref:$sku:' || out_event_id FROM inventory.inventory_dispatch_transfer('$ref', '$sku', $wh, $to, $qty);"
        transfers+=("$ref:$sku")
        ;;
      RECEIVE_T)
        [ ${#transfers[@]} -gt 0 ] || continue
        pick=${transfers[$((RANDOM % ${#transfers[@]}))]}
        qty=$((RANDOM % 4))
        [ "$qty" = 0 ] && qty=NULL  # all that is in transit
        echo "SELECT 'ACKE:' || in_event_id FROM inventory.inventory_receive_transfer('${pick%%:*}', '${pick#*:}', $qty);"
        ;;
      PO_EXPECT)
        if [ ${#pos[@]} -gt 0 ] && [ $((RANDOM % 3)) = 0 ]; then
          pick=${pos[$((RANDOM % ${#pos[@]}))]}
          ref=${pick%%:*} rest=${pick#*:}
          sku=${rest%%:*} wh=${rest#*:}
        else
          ref="c$id-PO$i"
          pos+=("$ref:$sku:$wh")
        fi
        echo "SELECT 'ACKP:' || po_ref || ':' || sku FROM inventory.inventory_expect_purchase_order('$ref', '$sku', $wh, $((2 + RANDOM % 10)));"
        ;;
      PO_RECEIVE | PO_CANCEL)
        [ ${#pos[@]} -gt 0 ] || continue
        pick=${pos[$((RANDOM % ${#pos[@]}))]}
        ref=${pick%%:*} rest=${pick#*:}
        sku=${rest%%:*} wh=${rest#*:}
        if [ "$kind" = PO_CANCEL ]; then
          echo "SELECT 'ACKC:$ref:' || inventory.inventory_cancel_purchase_order('$ref');"
        else
          echo "SELECT 'ACKE:' || event_id FROM inventory.inventory_receive_purchase_order('$ref', '$sku', $qty, ${keys[RANDOM % 2]});"
        fi
        ;;
      *) echo "SELECT 'ACK:$key' FROM inventory.inventory_apply_event('$sku', $wh, '$kind', $qty, idempotency_key => '$key');" ;;
    esac
  done
}

wait_until_gone() {  # wait_until_gone PID...: a killed server must be gone before restarting
  local pid
  for pid in "$@"; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
}

acked() {  # acked PREFIX: the acknowledged lines of that kind, without the prefix
  cat "$work"/out.* | sed -n "s/^$1://p" | sort -u
}

# Counts rows of a query over the acknowledgements (table ack(a text) holds them).
count_acked() {  # count_acked PREFIX SQL
  acked "$1" >"$work/ack.$1"
  q -c "CREATE TEMP TABLE ack (a text)" -c "\copy ack FROM '$work/ack.$1'" -c "$2" 2>&1 | tail -1
}

for round in $(seq 1 "$rounds"); do
  seed=$((first_seed + round - 1))
  rm -f "$work"/out.* "$work"/ack.*
  dropdb --if-exists crash >/dev/null 2>&1
  createdb crash
  q <<'SQL' >/dev/null
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('W1', 'One', 'US'), inventory.inventory_create_warehouse('W2', 'Two', 'US'),
       inventory.inventory_create_warehouse('W3', 'Three', 'DE');
SELECT inventory.inventory_serve_country(2, 'US', 10), inventory.inventory_serve_country(3, 'US', 100);
SELECT inventory.inventory_set_sku_policy('SKU-5', true, 0, 5, stripes => 2);  -- backorders, within a limit; 2 stripes
SELECT inventory.inventory_set_sku_policy('SKU-3', stripes => 4), inventory.inventory_set_sku_policy('SKU-4', stripes => 8);
SELECT inventory.inventory_apply_event('SKU-' || s, w, 'RECEIVE', 20) FROM generate_series(0, 5) s, generate_series(1, 3) w;
SQL
  for c in $(seq 1 $clients); do workload "$c" $((seed * 10 + c)) 20000 >"$work/workload.$c"; done
  pids=()
  for c in $(seq 1 $clients); do
    psql -X -q -At -d crash -f "$work/workload.$c" >"$work/out.$c" 2>/dev/null &
    pids+=($!)
  done
  RANDOM=$seed
  sleep "$((2 + RANDOM % 3)).$((RANDOM % 10))"
  postmaster=$(head -1 "$CLUSTER_DIR/data/postmaster.pid")
  children=$(pgrep -P "$postmaster")
  kill -9 "$postmaster" $children 2>/dev/null
  wait_until_gone "$postmaster" $children
  wait "${pids[@]}" 2>/dev/null
  acked ACK >"$work/acked"
  acked_events=$(wc -l <"$work/acked")
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -w -t 120 -l "$CLUSTER_DIR/server.log" \
    -o "-p $PGPORT -k $CLUSTER_DIR -c listen_addresses='' -c fsync=on" start >/dev/null 2>&1
  q -c "CREATE TEMP TABLE acked (key text)" -c "\copy acked FROM '$work/acked'" \
    -c "SELECT count(*) FROM acked a WHERE NOT EXISTS
          (SELECT FROM inventory.inventory_ledger g WHERE g.idempotency_key = a.key)" \
    >"$work/missing" 2>&1
  events=$(q -c 'SELECT count(*) FROM inventory.inventory_ledger')
  calls=""
  for prefix in ACKO ACKR ACKD ACKE ACKP ACKC; do calls+=" $prefix $(acked $prefix | wc -l)"; done
  echo "crash round $round: seed $seed, $clients clients, $acked_events acknowledged events, acknowledged calls:$calls, $events ledger rows after recovery"
  title="crash round $round (seed $seed)"
  check "$title recovered" test -n "$events"
  check "$title verify empty" test "$(q -c 'SELECT count(*) FROM inventory.inventory_verify()')" = 0
  check "$title verify_reservations empty" test "$(q -c 'SELECT count(*) FROM inventory.inventory_verify_reservations()')" = 0
  check "$title verify_data empty" test "$(q -c 'SELECT count(*) FROM inventory.inventory_verify_data()')" = 0
  check "$title no negative level" test "$(q -c 'SELECT count(*) FROM inventory.inventory_level_stripes WHERE on_hand < 0 OR reserved < 0 OR (available_to_sell < 0 AND NOT allow_backorder)')" = 0
  check "$title no negative stripe" test "$(q -c 'SELECT count(*) FROM inventory.inventory_level_stripes WHERE on_hand < 0 OR reserved < 0 OR (available_to_sell < 0 AND NOT allow_backorder)')" = 0
  check "$title every stripe equals its ledger" test "$(q -c 'SELECT count(*) FROM inventory.inventory_level_stripes s
      LEFT JOIN LATERAL (SELECT l.on_hand_after, l.reserved_after, l.level_version FROM inventory.inventory_ledger l
        WHERE l.sku = s.sku AND l.warehouse_id = s.warehouse_id AND l.stripe = s.stripe
        ORDER BY l.level_version DESC LIMIT 1) l ON true
     WHERE (coalesce(l.on_hand_after, 0), coalesce(l.reserved_after, 0), coalesce(l.level_version, 0)) <> (s.on_hand, s.reserved, s.version)')" = 0
  check "$title rebalances sum to zero per level" test "$(q -c "SELECT count(*) FROM (SELECT sku, warehouse_id FROM inventory.inventory_ledger WHERE event_type = 'REBALANCE' GROUP BY 1, 2 HAVING sum(quantity) <> 0) r")" = 0
  # (A stripe beyond a lowered count is drained when the count changes, but a reservation it
  # still holds can free units there later, and without spreading, with safety stock or
  # backorders, nothing moves: so only the number of stripes is an invariant.)
  check "$title striped levels have their stripes, each counting them" test "$(q -c "SELECT count(*) FROM inventory.inventory_levels l JOIN inventory.inventory_sku_policies p USING (sku)
     WHERE l.stripes < p.stripes OR EXISTS (SELECT FROM inventory.inventory_level_stripes s WHERE s.sku = l.sku AND s.warehouse_id = l.warehouse_id
                                             AND s.stripe_count <> l.stripes)")" = 0
  check "$title some stripe count changes acknowledged, some striped levels used" test "$(acked ACKS | wc -l)" -gt 0 -a "$(q -c "SELECT count(DISTINCT stripe) FROM inventory.inventory_ledger WHERE sku = 'SKU-4'")" -gt 1
  check "$title no key twice" test "$(q -c 'SELECT count(*) FROM (SELECT idempotency_key FROM inventory.inventory_ledger WHERE idempotency_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d')" = 0
  check "$title every acknowledged event kept" test "$(tail -1 "$work/missing")" = 0
  check "$title some events acknowledged" test "$acked_events" -gt 0
  check "$title transfers in transit = dispatched - received" test "$(q -f "$here/transfers.sql")" = 0
  check "$title purchase order lines agree with their receipts" test "$(q -f "$here/purchase_orders.sql")" = 0
  check "$title orders agree with their events and reservations" test "$(q -f "$here/orders.sql")" = 0
  # Every acknowledged call is there.
  check "$title every acknowledged order kept" test "$(count_acked ACKO "SELECT count(*) FROM ack a
      LEFT JOIN inventory.inventory_orders o ON o.order_ref = split_part(a.a, ':', 1)
     WHERE coalesce(jsonb_array_length(o.allocation), 0) <> split_part(a.a, ':', 2)::integer")" = 0
  check "$title every acknowledged release left nothing held" test "$(count_acked ACKR "SELECT count(*) FROM ack a
      JOIN inventory.inventory_reservations r ON r.order_ref = a.a WHERE r.status = 'ACTIVE'")" = 0
  check "$title every acknowledged dispatch kept" test "$(count_acked ACKD "SELECT count(*) FROM ack a
     WHERE NOT EXISTS (SELECT FROM inventory.inventory_transfers t
                         JOIN inventory.inventory_ledger g ON g.id = t.out_event_id
                        WHERE t.transfer_ref = split_part(a.a, ':', 1) AND t.sku = split_part(a.a, ':', 2)
                          AND t.out_event_id = split_part(a.a, ':', 3)::uuid)")" = 0
  check "$title every acknowledged receipt, shipment and expiry event kept" test "$(count_acked ACKE "SELECT count(*) FROM ack a
     WHERE NOT EXISTS (SELECT FROM inventory.inventory_ledger g WHERE g.id = a.a::uuid)")" = 0
  check "$title every acknowledged purchase order line kept" test "$(count_acked ACKP "SELECT count(*) FROM ack a
     WHERE NOT EXISTS (SELECT FROM inventory.inventory_purchase_orders p
                        WHERE p.po_ref = split_part(a.a, ':', 1) AND p.sku = split_part(a.a, ':', 2))")" = 0
  check "$title every acknowledged cancellation kept" test "$(count_acked ACKC "SELECT count(*) FROM ack a
      JOIN inventory.inventory_purchase_orders p ON p.po_ref = split_part(a.a, ':', 1) WHERE p.status = 'OPEN'")" = 0
  check "$title orders, transfers and purchase orders acknowledged" \
    test "$(acked ACKO | grep -vc ':0$')" -gt 0 -a "$(acked ACKD | wc -l)" -gt 0 -a "$(acked ACKP | wc -l)" -gt 0 \
    -a "$(acked ACKE | wc -l)" -gt 0 -a "$(acked ACKR | wc -l)" -gt 0
done
exit $((failures > 0))
