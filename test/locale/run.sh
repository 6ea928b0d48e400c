#!/usr/bin/env bash
# Event types, reason codes and countries are folded in ASCII, whatever the database's LC_CTYPE:
# in a database with a Turkish LC_CTYPE, upper('i') is 'İ' and the C library's toupper('i') is
# not 'I', which made 'receive' an unknown event type and 'it' no country in 0.3.0. The script
# builds the locale it needs (localedef, as root), creates a database with it in a private
# cluster and checks the functions there. Prints one "... ok" / "... FAILED" line per check; a
# locale that cannot be built is a failure, never a skip.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
CHECK_PREFIX="locale check"
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d inventory_tr "$@"; }
equals() {  # equals EXPECTED SQL
  local got
  got=$(q -c "$2" 2>&1)
  [ "$got" = "$1" ] || { echo "    expected '$1', got '$got'" >&2; return 1; }
}

if ! locale -a 2>/dev/null | grep -qix 'tr_TR\.utf-\?8'; then
  as_root localedef -i tr_TR -f UTF-8 tr_TR.UTF-8 >/dev/null 2>&1 || true
fi
if ! locale -a 2>/dev/null | grep -qix 'tr_TR\.utf-\?8'; then
  echo "locale check tr_TR.UTF-8-built ... FAILED"
  exit 1
fi
echo "locale check tr_TR.UTF-8-built ... ok"

trap stop_cluster EXIT
start_cluster 2>/dev/null || { echo "locale check cluster-starts ... FAILED"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c \
  "CREATE DATABASE inventory_tr TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'tr_TR.UTF-8' LC_CTYPE 'tr_TR.UTF-8'" ||
  { echo "locale check database-created ... FAILED"; exit 1; }
# The locale is in force: otherwise the checks below would prove nothing.
check locale-in-force equals "İ" "SELECT upper('i')"
q -c "CREATE EXTENSION inventory" >/dev/null 2>&1 || { echo "locale check extension-created ... FAILED"; exit 1; }

check create-warehouse-lower-case-country equals "1" \
  "SELECT inventory.inventory_create_warehouse('IST-1', 'Istanbul', 'tr', 1)"
check create-warehouse-country-with-i equals "2" \
  "SELECT inventory.inventory_create_warehouse('MIL-1', 'Milano', 'it', 2)"
check warehouse-countries-stored equals "1|TR
2|IT" "SELECT id || '|' || country FROM inventory.inventory_warehouses ORDER BY id"
check serve-country-with-i equals "" "SELECT inventory.inventory_serve_country(1, 'it')"
check serves-it equals "IT|100" \
  "SELECT c.country || '|' || c.priority FROM inventory.inventory_warehouse_countries c
    WHERE c.warehouse_id = 1 AND c.country = 'IT'"
check stop-serving-country-with-i equals "t" "SELECT inventory.inventory_stop_serving_country(1, 'it')"
check receive-lower-case equals "10" \
  "SELECT (inventory.inventory_apply_event('TR-SKU', 1, 'receive', 10)).on_hand"
check adjust-reason-shrinkage equals "8" \
  "SELECT (inventory.inventory_apply_event('TR-SKU', 1, 'adjust', -2, reason => 'shrinkage')).on_hand"
check adjust-reason-stored equals "SHRINKAGE|8" \
  "SELECT reason || '|' || on_hand_after FROM inventory.inventory_ledger
    WHERE sku = 'TR-SKU' AND event_type = 'ADJUST'"
check adjust-reason-offline-sale equals "7" \
  "SELECT (inventory.inventory_apply_event('TR-SKU', 1, 'ADJUST', -1, reason => 'offline_sale')).on_hand"
check adjust-reason-expired equals "6" \
  "SELECT (inventory.inventory_apply_event('TR-SKU', 1, 'Adjust', -1, reason => 'expired')).on_hand"
check inventory-adjust-correction equals "7" \
  "SELECT on_hand FROM inventory.inventory_adjust('TR-SKU', 1, 'correction', 1)"
check batch-receive-allocate-fulfill equals "1|12|0
2|12|2
3|10|0" \
  "SELECT ordinal || '|' || on_hand || '|' || reserved FROM inventory.inventory_apply_events('[
     {\"sku\": \"TR-SKU\", \"warehouse_id\": 1, \"event_type\": \"receive\", \"quantity\": 5},
     {\"sku\": \"TR-SKU\", \"warehouse_id\": 1, \"event_type\": \"allocate\", \"quantity\": 2},
     {\"sku\": \"TR-SKU\", \"warehouse_id\": 1, \"event_type\": \"fulfill\", \"quantity\": 2}]')
    ORDER BY ordinal"
check return-restock equals "11" \
  "SELECT (inventory.inventory_apply_event('TR-SKU', 1, 'return', 1, reason => 'restock')).on_hand"
check ledger-stores-canonical-names equals "0" \
  "SELECT count(*) FROM inventory.inventory_ledger
    WHERE event_type NOT IN ('RECEIVE', 'ALLOCATE', 'FULFILL', 'ADJUST', 'RETURN')"
check verify-clean equals "0" "SELECT count(*) FROM inventory.inventory_verify()"

exit $((failures > 0))
