#!/usr/bin/env bash
# Crash test: several concurrent clients apply a seeded random workload, the whole server is
# killed with SIGKILL in the middle, restarted (crash recovery), and then:
#   inventory_verify() is empty, no level is negative, no idempotency key is there twice, and
#   every event whose commit a client saw acknowledged is in the ledger.
# Usage: run.sh [ROUNDS] [FIRST_SEED]. Starts its own throw-away cluster (fsync on).
# Prints one "... ok" / "... FAILED" line per check; exits non-zero if any failed.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
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

# Writes client ID's seeded stream of autocommitted events: each statement returns "ACK:<key>"
# only when it commits. psql prints a result after the server's ReadyForQuery, that is after
# the commit, so an ACK line in the output is an acknowledged commit.
workload() {  # workload ID SEED COUNT
  local id=$1 i sku wh kind qty key
  RANDOM=$2
  local kinds=(RECEIVE ALLOCATE ALLOCATE DEALLOCATE FULFILL RETURN ADJUST COUNT TRANSFER)
  for ((i = 1; i <= $3; i++)); do
    sku="SKU-$((RANDOM % 6))"          # few SKUs: contention on purpose
    wh=$((1 + RANDOM % 3))
    kind=${kinds[$((RANDOM % ${#kinds[@]}))]}
    qty=$((1 + RANDOM % 4))
    key="c$id-$i"
    case $kind in
      TRANSFER) echo "SELECT 'ACK:$key' FROM inventory.inventory_transfer('$sku', $wh, $((1 + wh % 3)), $qty, idempotency_key => '$key');" ;;
      ADJUST) echo "SELECT 'ACK:$key' FROM inventory.inventory_apply_event('$sku', $wh, 'ADJUST', -$qty, idempotency_key => '$key', reason => 'SHRINKAGE');" ;;
      COUNT) echo "SELECT 'ACK:$key' FROM inventory.inventory_apply_event('$sku', $wh, 'COUNT', $((RANDOM % 30)), idempotency_key => '$key');" ;;
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

for round in $(seq 1 "$rounds"); do
  seed=$((first_seed + round - 1))
  rm -f "$work"/out.* "$work/acked"
  dropdb --if-exists crash >/dev/null 2>&1
  createdb crash
  q <<'SQL' >/dev/null
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('W1', 'One', 'US'), inventory.inventory_create_warehouse('W2', 'Two', 'US'),
       inventory.inventory_create_warehouse('W3', 'Three', 'DE');
SELECT inventory.inventory_apply_event('SKU-' || s, w, 'RECEIVE', 20) FROM generate_series(0, 5) s, generate_series(1, 3) w;
SQL
  pids=()
  for c in $(seq 1 $clients); do
    workload "$c" $((seed * 10 + c)) 40000 >"$work/workload.$c"
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
  cat "$work"/out.* | sed -n 's/^ACK://p' | sort >"$work/acked"
  acked=$(wc -l <"$work/acked")
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -w -t 120 -l "$CLUSTER_DIR/server.log" \
    -o "-p $PGPORT -k $CLUSTER_DIR -c listen_addresses='' -c fsync=on" start >/dev/null 2>&1
  q -c "CREATE TEMP TABLE acked (key text)" -c "\copy acked FROM '$work/acked'" \
    -c "SELECT count(*) FROM acked a WHERE NOT EXISTS
          (SELECT FROM inventory.inventory_ledger g WHERE g.idempotency_key = a.key)" \
    >"$work/missing" 2>&1
  events=$(q -c 'SELECT count(*) FROM inventory.inventory_ledger')
  echo "crash round $round: seed $seed, $clients clients, $acked acknowledged events, $events ledger rows after recovery"
  check "crash round $round (seed $seed) recovered" test -n "$events"
  check "crash round $round (seed $seed) verify empty" test "$(q -c 'SELECT count(*) FROM inventory.inventory_verify()')" = 0
  check "crash round $round (seed $seed) no negative level" test "$(q -c 'SELECT count(*) FROM inventory.inventory_levels WHERE on_hand < 0 OR reserved < 0 OR available_to_sell < 0')" = 0
  check "crash round $round (seed $seed) no key twice" test "$(q -c 'SELECT count(*) FROM (SELECT idempotency_key FROM inventory.inventory_ledger WHERE idempotency_key IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d')" = 0
  check "crash round $round (seed $seed) every acknowledged event kept" test "$(tail -1 "$work/missing")" = 0
  check "crash round $round (seed $seed) some events acknowledged" test "$acked" -gt 0
done
exit $((failures > 0))
