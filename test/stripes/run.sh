#!/usr/bin/env bash
# Flash sale (issue 13): 40 clients race for the last 10 units of a SKU, each allocating 1, at
# the same moment (they queue on an advisory lock that is released when all 40 wait). Exactly 10
# win, 30 are refused with IV001 (insufficient stock), no client gets any other error except
# 40001/40P01, which it retries with its idempotency key as a client does (and at READ
# COMMITTED no 40P01: one event per transaction takes stripes in ascending order); afterwards the level
# holds 10 reserved units more, available_to_sell is 0, inventory_verify() and
# inventory_verify_reservations() are empty and every stripe equals its ledger. Rounds: a SKU
# with 8 stripes (the last 10 units spread unevenly by 20 earlier sales), some clients holding
# their stripe a moment before committing; the same at REPEATABLE READ (retries); and an
# unstriped SKU. Uses the cluster of PGHOST/PGPORT if set (scripts/test.sh), else starts one.
# Prints one "ok"/"FAILED" line per check and exits non-zero if any failed.
#   bash test/stripes/run.sh [ROUNDS]   # rounds per case (default 5)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/common.sh"
rounds=${1:-5}
clients=40
units=10
work=$(mktemp -d)
own_cluster=no
cleanup() {
  rm -rf "$work"
  if [ "$own_cluster" = yes ]; then stop_cluster; fi
}
trap cleanup EXIT
PATH="$PG_BINDIR:$PATH"
if [ -z "${PGPORT:-}" ]; then
  start_cluster || exit 1
  own_cluster=yes
fi
failures=0
CHECK_PREFIX="flash-sale check"
db=inventory_flash_sale
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db" || exit 1
q -c "CREATE EXTENSION inventory" -c "SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US')" >/dev/null || exit 1

# One client: allocates 1 unit of SKU under its own key at ISOLATION, behind the barrier
# (advisory lock 4242, shared), holding the transaction open HOLD seconds after the event;
# retries 40001/40P01 (without the barrier) up to 50 times. Prints one word: won, refused,
# replayed-won, or error:SQLSTATE/message.
client() {  # client SKU KEY ISOLATION HOLD
  local sku=$1 key=$2 iso=$3 hold=$4 attempt out barrier="SELECT pg_advisory_xact_lock_shared(4242);"
  for attempt in $(seq 1 50); do
    out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -d "$db" 2>&1 <<SQL
BEGIN ISOLATION LEVEL $iso;
$barrier
SELECT 'replayed=' || replayed FROM inventory.inventory_apply_event('$sku', 1, 'ALLOCATE', 1, '$key', '$key');
SELECT pg_sleep($hold);
COMMIT;
SQL
    )
    barrier=""
    case "$out" in
      *replayed=f*) [[ "$out" == *ERROR* ]] || { echo won; return; } ;;
      *replayed=t*) [[ "$out" == *ERROR* ]] || { echo replayed-won; return; } ;;
    esac
    case "$out" in
      *"ERROR:  IV001"*) echo refused; return ;;
      *"ERROR:  40001"* | *"ERROR:  40P01"*) echo "retry $key $out" >>"$work/retries"; continue ;;
      *) echo "error:$(echo "$out" | tr '\n' ' ')"; return ;;
    esac
  done
  echo "error:still-retrying"
}

# One round: a new SKU with STRIPES stripes, 30 received, 20 sold one by one (so the last 10
# lie unevenly in the stripes), then the 40 clients at once.
round() {  # round NAME STRIPES ISOLATION
  local name=$1 stripes=$2 iso=$3 sku i pids=() waiting tries
  sku="FLASH-$name"
  q -c "SELECT stripes FROM inventory.inventory_set_sku_policy('$sku', stripes => $stripes)" \
    -c "SELECT on_hand FROM inventory.inventory_apply_event('$sku', 1, 'RECEIVE', $((units * 3)))" >/dev/null
  for i in $(seq 1 $((units * 2))); do
    q -c "SELECT reserved FROM inventory.inventory_apply_event('$sku', 1, 'ALLOCATE', 1, 'EARLY-$name-$i', 'early-$name-$i')" >/dev/null
  done
  rm -f "$work/retries"
  : >"$work/retries"
  # The barrier: held exclusively until every client waits for it.
  mkfifo "$work/barrier.in"
  psql -X -q -At -d "$db" <"$work/barrier.in" >/dev/null 2>&1 &
  local barrier_pid=$!
  exec 9>"$work/barrier.in"
  echo "BEGIN; SELECT pg_advisory_xact_lock(4242); SELECT 'held';" >&9
  for tries in $(seq 1 100); do
    [ "$(q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted AND mode = 'ExclusiveLock'")" = 1 ] && break
    sleep 0.05
  done
  for i in $(seq 1 $clients); do
    # Every other client holds its transaction open a moment after its event, so that stripes
    # are held while the others look for one.
    client "$sku" "$name-$i" "$iso" "$(( i % 2 )).0$(( i % 5 ))" >"$work/out.$i" &
    pids+=($!)
  done
  for tries in $(seq 1 200); do
    waiting=$(q -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted")
    [ "$waiting" -ge "$clients" ] && break
    sleep 0.05
  done
  echo "COMMIT;" >&9
  exec 9>&-
  wait "$barrier_pid"
  rm -f "$work/barrier.in"
  wait "${pids[@]}"
  local won refused errors retries
  won=$(cat "$work"/out.* | grep -cE '^(won|replayed-won)$')
  refused=$(cat "$work"/out.* | grep -c '^refused$')
  errors=$(cat "$work"/out.* | grep -c '^error:')
  retries="$(grep -c 'ERROR:  40001' "$work/retries") after 40001, $(grep -c 'ERROR:  40P01' "$work/retries") after 40P01"
  echo "round $name ($stripes stripes, $iso): all $waiting clients at the barrier; $won won, $refused refused, $errors other errors; retries: $retries"
  cat "$work"/out.* | grep '^error:' | head -3
  rm -f "$work"/out.*
  check "$name-exactly-$units-win" test "$won" = "$units"
  check "$name-$((clients - units))-refused" test "$refused" = "$((clients - units))"
  check "$name-no-other-errors" test "$errors" = 0
  # One event per transaction takes stripes in ascending order only (issue 13): it never
  # deadlocks at READ COMMITTED.
  if [ "$iso" = "READ COMMITTED" ]; then
    check "$name-no-deadlock" test "$(grep -c 'ERROR:  40P01' "$work/retries")" = 0
  fi
  check "$name-$units-reservations" test "$(q -c "SELECT count(*) FROM inventory.inventory_reservations WHERE sku = '$sku' AND reference_id NOT LIKE 'EARLY-%'")" = "$units"
  check "$name-level-sold-out" test "$(q -c "SELECT format('%s/%s/%s', on_hand, reserved, available_to_sell) FROM inventory.inventory_levels WHERE sku = '$sku'")" = "$((units * 3))/$((units * 3))/0"
  check "$name-no-stripe-oversold" test "$(q -c "SELECT count(*) FROM inventory.inventory_level_stripes WHERE sku = '$sku' AND (reserved > on_hand OR available_to_sell < 0)")" = 0
  check "$name-stripes-equal-ledger" test "$(q -c "
    SELECT count(*) FROM inventory.inventory_level_stripes s
      LEFT JOIN LATERAL (SELECT l.on_hand_after, l.reserved_after, l.level_version FROM inventory.inventory_ledger l
        WHERE l.sku = s.sku AND l.warehouse_id = s.warehouse_id AND l.stripe = s.stripe
        ORDER BY l.level_version DESC LIMIT 1) l ON true
     WHERE s.sku = '$sku'
       AND (coalesce(l.on_hand_after, 0), coalesce(l.reserved_after, 0), coalesce(l.level_version, 0)) <> (s.on_hand, s.reserved, s.version)")" = 0
  check "$name-rebalances-sum-to-zero" test "$(q -c "SELECT coalesce(sum(quantity), 0) FROM inventory.inventory_ledger WHERE sku = '$sku' AND event_type = 'REBALANCE'")" = 0
  check "$name-verify-empty" test "$(q -c 'SELECT count(*) FROM inventory.inventory_verify()')" = 0
  check "$name-reservations-verify-empty" test "$(q -c 'SELECT count(*) FROM inventory.inventory_verify_reservations()')" = 0
}

for r in $(seq 1 "$rounds"); do round "striped8-rc-$r" 8 "READ COMMITTED"; done
for r in $(seq 1 2); do round "striped8-rr-$r" 8 "REPEATABLE READ"; done
for r in $(seq 1 "$rounds"); do round "unstriped-rc-$r" 1 "READ COMMITTED"; done
dropdb "$db"
[ "$failures" -eq 0 ]
