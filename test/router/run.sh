#!/usr/bin/env bash
# Scale-out through inventory_router (README, Scale-out): a router and 8 partitions on two
# separate clusters (a third for moving one), all started here and stopped on exit. Proves: every
# public function and table of inventory has its twin; the source chapter's walk through the
# router; the randomized model (every partition holds exactly the model's levels of its SKUs);
# shared warehouses, countries and policies, their check and repair; orders across partitions
# that succeed, fail on one partition and leave nothing reserved, lose a partition's server in
# the middle, or are completed by a retry after a crash, and a hold nobody completes expiring;
# batches per partition; idempotency keys per partition; roles and actor through the router; the
# change feed; set-wide reads; moving a partition to another server.
# Prints one "router check NAME ... ok/FAILED" line per check.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/clusters.sh"
failures=0
CHECK_PREFIX="router check"
trap router_stop_all EXIT
PARTITIONS=8

eq() { [ "$1" = "$2" ] || { echo "   expected [$2], got [$1]" >&2; return 1; }; }
# sqlstate ROLE SQL: the SQLSTATE the router's call fails with ("" when it succeeds).
sqlstate() {
  local role=$1
  shift
  rt_psql "$RT_ROUTER_CLUSTER" "$RT_ROUTER_DB" "$role" -v VERBOSITY=verbose -c "$*" 2>&1 >/dev/null |
    sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -1
}
on_every_partition() {  # on_every_partition SQL: one line per partition
  local n
  for n in $(seq 0 $((PARTITIONS - 1))); do rpart "$n" postgres "$*"; done
}
sum_partitions() { on_every_partition "$@" | awk '{ s += $1 } END { print s + 0 }'; }

# ---- the router's SQL is generated from the extension's sources -----------------------------
work=$(mktemp -d)
cp -r "$REPO_ROOT/src/sql" "$work/sql"
cat >>"$work/sql/events.sql" <<'SQL'

CREATE OR REPLACE FUNCTION inventory.inventory_new_thing(sku text) RETURNS bigint
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'inventory_new_thing';
COMMENT ON FUNCTION inventory.inventory_new_thing(sku text) IS 'A public function the router does not route yet.';
GRANT ALL ON FUNCTION inventory.inventory_new_thing(sku text) TO inventory_reader;
SQL
python3 "$REPO_ROOT/router/generate.py" "$work/sql" "$REPO_ROOT/router" 0.5.0 >/dev/null 2>"$work/err"
check generator-refuses-a-public-function-without-twin grep -q 'inventory_new_thing(sku)' "$work/err"
rm -rf "$work"

router_start_clusters 3 || exit 1
router_create_roles
# Partitions on clusters 0 and 1 (n % 2); cluster 2 receives a moved one.
router_create_partitions "$PARTITIONS" 2
router_setup 0
check partitions-on-two-clusters eq "$(printf '%s\n' "${RT_PART_CLUSTER[@]}" | sort -u | paste -sd,)" "0,1"

# ---- twins: the same functions, signatures, results, defaults and grants; the same tables ----
twins_sql="SELECT p.prokind::text || ' ' || p.proname || '(' || pg_get_function_arguments(p.oid) || ') -> '
       || coalesce(pg_get_function_result(p.oid), '') || ' | '
       || (SELECT string_agg(a.grantee::regrole::text || ':' || a.privilege_type, ',' ORDER BY 1)
             FROM aclexplode(p.proacl) a WHERE a.grantee <> p.proowner)
  FROM pg_proc p
 WHERE p.pronamespace = 'inventory'::regnamespace
   AND EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee::regrole::text LIKE 'inventory\\_%')
 ORDER BY 1"
relations_sql="SELECT c.relname || ': ' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
              || ' | ' || (SELECT string_agg(x.grantee::regrole::text || ':' || x.privilege_type, ',' ORDER BY 1)
                             FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace = 'inventory'::regnamespace AND c.relkind IN ('r', 'v')
 GROUP BY c.oid, c.relname, c.relacl, c.relowner ORDER BY 1"
same_rows() {  # same_rows SQL: the same non-empty result on partition 0 and on the router
  local a b
  a=$(rpart 0 postgres "$1") && b=$(rrouter postgres "$1") && [ -n "$a" ] &&
    diff <(echo "$a") <(echo "$b")
}
check every-public-function-has-its-twin same_rows "$twins_sql"
check every-table-and-view-has-its-twin same_rows "$relations_sql"
check twins-are-many test "$(rrouter postgres "$twins_sql" | wc -l)" -ge 30

# ---- shared: warehouses (ids by the router), countries, policies -----------------------------
ids=$(rrouter boss "SELECT inventory.inventory_create_warehouse('NYC', 'New York', 'US')" 2>&1)
ids+=,$(rrouter boss "SELECT inventory.inventory_create_warehouse('BER', 'Berlin', 'DE')" 2>&1)
check warehouse-ids-from-the-router eq "$ids" "1,2"
check warehouse-create-again-is-idempotent eq "$(rrouter boss "SELECT inventory.inventory_create_warehouse('BER', 'Berlin', 'DE')")" 2
rrouter boss "SELECT inventory.inventory_serve_country(2, 'FR', 10)" >/dev/null
check every-partition-has-the-warehouses eq "$(on_every_partition "SELECT string_agg(id || code, ',' ORDER BY id) FROM inventory.inventory_warehouses" | sort -u)" "1NYC,2BER"
check shared-agree eq "$(rrouter boss "SELECT count(*) FROM inventory_router.shared_differences()")" 0
# A partly applied change: the second cluster is down while a country is added.
router_stop_cluster 1
state=$(sqlstate boss "SELECT inventory.inventory_serve_country(1, 'CA', 20)")
router_restart_cluster 1
# PL/Proxy reports a partition it cannot reach as XX000 ("[partNN] PQconnectPoll: ..."); a
# connection lost during the call is 08xxx.
connection_failure() { case "$1" in 08* | XX000) true ;; *) echo "   got [$1]" >&2; false ;; esac; }
check partly-applied-change-fails connection_failure "$state"
differences=$(rrouter boss "SELECT kind || ' ' || key || ' p' || partition_number || ' ' || coalesce(value, 'missing') FROM inventory_router.shared_differences()")
check check-shows-the-partitions-that-differ test "$(grep -c '^country 1 CA p[0-9]' <<<"$differences")" -ge 1
rrouter boss "SELECT inventory.inventory_serve_country(1, 'CA', 20)" >/dev/null
check rerun-repairs eq "$(rrouter boss "SELECT count(*) FROM inventory_router.shared_differences()")" 0
rrouter boss "SELECT inventory.inventory_set_sku_policy('HOT-TEE', stripes => 4)" >/dev/null
check policy-on-every-partition eq "$(on_every_partition "SELECT stripes FROM inventory.inventory_sku_policies WHERE sku = 'HOT-TEE'" | sort -u)" 4

# ---- the source chapter's walk, through the router --------------------------------------------
owner=$(rrouter wh "SELECT inventory_router.partition_of('TSH-RED')")
rrouter wh "SELECT on_hand FROM inventory.inventory_apply_event('TSH-RED', 1, 'RECEIVE', 50, NULL, 'po-1')" >/dev/null
rrouter shop "SELECT 1 FROM inventory.inventory_apply_event('TSH-RED', 1, 'ALLOCATE', 2, 'ORDER-1/1', 'co-1', NULL, NULL, now() + interval '15 minutes')" >/dev/null
rrouter shop "SELECT 1 FROM inventory.inventory_apply_event('TSH-RED', 1, 'FULFILL', 2, 'ORDER-1/1', 'ship-1')" >/dev/null
rrouter wh "SELECT 1 FROM inventory.inventory_apply_event('TSH-RED', 1, 'RETURN', 1, NULL, 'rma-1', 'RESTOCK')" >/dev/null
rrouter wh "SELECT 1 FROM inventory.inventory_apply_event('TSH-RED', 1, 'COUNT', 47, NULL, 'count-1')" >/dev/null
check chapter-levels-through-router eq "$(rrouter shop "SELECT on_hand || '/' || reserved || '/' || available_to_sell FROM inventory.inventory_levels WHERE sku = 'TSH-RED'")" "47/0/47"
check chapter-levels-on-the-owner eq "$(rpart "$owner" postgres "SELECT on_hand || '/' || version FROM inventory.inventory_levels WHERE sku = 'TSH-RED'")" "47/5"
check chapter-nowhere-else eq "$(sum_partitions "SELECT count(*) FROM inventory.inventory_ledger WHERE sku = 'TSH-RED'")" 5
check ats-by-country eq "$(rrouter shop "SELECT inventory.inventory_ats('TSH-RED', 'US')")" 47
check availability-json eq "$(rrouter shop "SELECT inventory.inventory_availability('TSH-RED') ->> 'available_to_sell'")" 47
check actor-is-the-caller eq "$(rpart "$owner" postgres "SELECT string_agg(DISTINCT actor || '@' || login, ',') FROM inventory.inventory_ledger WHERE sku = 'TSH-RED' AND event_type IN ('RECEIVE', 'RETURN')")" "wh@wh"
check replay-through-router eq "$(rrouter wh "SELECT replayed || ':' || on_hand FROM inventory.inventory_apply_event('TSH-RED', 1, 'RECEIVE', 50, NULL, 'po-1')")" "true:50"
check adjust-through-router eq "$(rrouter wh "SELECT on_hand FROM inventory.inventory_adjust('TSH-RED', -2, 'DAMAGED', 1)")" 45

# ---- roles fail closed through the router -----------------------------------------------------
check role-without-rights-refused eq "$(sqlstate nobody "SELECT * FROM inventory.inventory_apply_event('TSH-RED', 1, 'RECEIVE', 1)")" 42501
check shop-may-not-restock eq "$(sqlstate shop "SELECT * FROM inventory.inventory_apply_event('TSH-RED', 1, 'RECEIVE', 1)")" IV012
check shop-may-not-create-warehouses eq "$(sqlstate shop "SELECT inventory.inventory_create_warehouse('X1', 'X', 'US')")" 42501
# A login role with the rights on every server but no user mapping on the router: refused.
for i in 0 1 2; do rt_psql "$i" postgres postgres -c "CREATE ROLE nomap LOGIN IN ROLE inventory_warehouse" >/dev/null; done
nomap_error=$(rt_psql "$RT_ROUTER_CLUSTER" "$RT_ROUTER_DB" nomap -c "SELECT * FROM inventory.inventory_apply_event('TSH-RED', 1, 'RECEIVE', 1)" 2>&1 >/dev/null)
echo "   without a user mapping: $nomap_error"
check role-without-user-mapping-refused grep -q '^ERROR:' <<<"$nomap_error"
remote_error=$(rt_psql "$RT_ROUTER_CLUSTER" "$RT_ROUTER_DB" shop -c "SELECT * FROM inventory.inventory_apply_event('TSH-RED', 1, 'RECEIVE', 1)" 2>&1 >/dev/null)
echo "   a partition's error through the router: $remote_error"
check partition-error-names-the-partition grep -q '^ERROR:  inventory\.inventory_apply_event(9): \[part[0-9][0-9]\] REMOTE ERROR: role "shop" may not write RECEIVE events$' <<<"$remote_error"
check nothing-written-by-refusals eq "$(rpart "$owner" postgres "SELECT on_hand FROM inventory.inventory_levels WHERE sku = 'TSH-RED'")" 45

# ---- randomized events against the model -------------------------------------------------------
conninfos=()
for n in $(seq 0 $((PARTITIONS - 1))); do conninfos+=("$(rt_part_conninfo "$n") user=postgres"); done
router_conninfo="dbname=$RT_ROUTER_DB host=${RT_DIRS[0]} port=${RT_PORTS[0]} user=boss"
python3 "$here/model.py" "${ROUTER_MODEL_SEED:-$RANDOM}" "$router_conninfo" "${conninfos[@]}"

# ---- orders across partitions ------------------------------------------------------------------
# Two SKUs on partitions of different clusters.
pick_sku() {  # pick_sku PREFIX CLUSTER [ABOVE]: a SKU whose partition lives on that cluster
  local i sku p
  for i in $(seq 1 200); do
    sku="$1-$i"
    p=$(rrouter postgres "SELECT inventory_router.partition_of('$sku')")
    [ "${RT_PART_CLUSTER[$p]}" = "$2" ] && [ "$p" -gt "${3:--1}" ] && { echo "$sku"; return; }
  done
}
# a on cluster 0, b on cluster 1 and on a later partition: an order reserves a's part first.
a=$(pick_sku SOCK 0)
b=$(pick_sku MUG 1 "$(rrouter postgres "SELECT inventory_router.partition_of('$a')")")
pa=$(rrouter postgres "SELECT inventory_router.partition_of('$a')")
pb=$(rrouter postgres "SELECT inventory_router.partition_of('$b')")
for s in "$a" "$b"; do rrouter wh "SELECT 1 FROM inventory.inventory_apply_event('$s', 1, 'RECEIVE', 10)" >/dev/null; done
lines="[{\"sku\": \"$a\", \"quantity\": 2}, {\"sku\": \"$b\", \"quantity\": 3}]"
check order-spanning-partitions-succeeds eq "$(rrouter shop "SELECT string_agg(reference_id || '@' || sku, ',' ORDER BY line) FROM inventory.inventory_allocate_order('O-OK', '$lines', ship_to => 'US')")" "O-OK/1@$a,O-OK/2@$b"
check order-has-a-hold-on-each eq "$(rpart "$pa" postgres "SELECT count(*) FROM inventory.inventory_reservations WHERE order_ref = 'O-OK' AND status = 'ACTIVE' AND expires_at IS NOT NULL")$(rpart "$pb" postgres "SELECT count(*) FROM inventory.inventory_reservations WHERE order_ref = 'O-OK' AND status = 'ACTIVE' AND expires_at IS NOT NULL")" 11
check order-replays eq "$(rrouter shop "SELECT bool_and(replayed) FROM inventory.inventory_allocate_order('O-OK', '$lines', ship_to => 'US')")" t
check release-order-finds-its-partitions eq "$(rrouter shop "SELECT sum(released) FROM inventory.inventory_release_order('O-OK')")" 5
check released-everywhere eq "$(rrouter shop "SELECT sum(reserved) FROM inventory.inventory_levels WHERE sku IN ('$a', '$b')")" 0

bad="[{\"sku\": \"$a\", \"quantity\": 2}, {\"sku\": \"$b\", \"quantity\": 300}]"
check order-failing-on-one-partition-refused eq "$(sqlstate shop "SELECT * FROM inventory.inventory_allocate_order('O-BAD', '$bad', ship_to => 'US')")" IV001
check failed-order-leaves-nothing-reserved eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_reservations WHERE order_ref = 'O-BAD' AND status = 'ACTIVE'")/$(rrouter shop "SELECT sum(reserved) FROM inventory.inventory_levels WHERE sku IN ('$a', '$b')")" "0/0"
check ledger-shows-hold-and-release eq "$(rpart "$pa" postgres "SELECT string_agg(event_type || ':' || coalesce(reason, ''), ',' ORDER BY created_at) FROM inventory.inventory_ledger WHERE reference_id = 'O-BAD/1'")" "ALLOCATE:,DEALLOCATE:ORDER_FAILED"

# A partition's server stops in the middle: the order fails cleanly.
router_stop_cluster 1
state=$(sqlstate shop "SELECT * FROM inventory.inventory_allocate_order('O-DOWN', '$lines', ship_to => 'US')")
check order-with-a-server-down-fails connection_failure "$state"
check server-down-nothing-reserved-on-the-rest eq "$(rpart "$pa" postgres "SELECT count(*) FROM inventory.inventory_reservations WHERE order_ref = 'O-DOWN' AND status = 'ACTIVE'")" 0
router_restart_cluster 1
check after-restart-verify-empty-everywhere eq "$(sum_partitions "SELECT count(*) FROM inventory.inventory_verify()")" 0
check retry-of-a-released-order-refused eq "$(sqlstate shop "SELECT * FROM inventory.inventory_allocate_order('O-DOWN', '$lines', ship_to => 'US')")" IV015
check new-order-ref-completes eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_allocate_order('O-DOWN-2', '$lines', ship_to => 'US')")" 2
rrouter shop "SELECT 1 FROM inventory.inventory_release_order('O-DOWN-2')" >/dev/null

# A router that crashed after the first partition: the retry completes the order.
rpart "$pa" shop "SELECT 1 FROM inventory.inventory_allocate_order('O-CRASH', '[{\"sku\": \"$a\", \"quantity\": 2, \"line\": \"1\"}]', ship_to => 'US', expires_at => now() + interval '15 minutes')" >/dev/null
check retry-completes-an-interrupted-order eq "$(rrouter shop "SELECT string_agg(replayed::text, ',' ORDER BY line) FROM inventory.inventory_allocate_order('O-CRASH', '$lines', ship_to => 'US')")" "true,false"
check completed-order-holds-both eq "$(rrouter shop "SELECT sum(reserved) FROM inventory.inventory_levels WHERE sku IN ('$a', '$b')")" 5
rrouter postgres "DELETE FROM inventory_router.order_partitions WHERE order_ref = 'O-CRASH'" >/dev/null
check release-without-router-record eq "$(rrouter shop "SELECT sum(released) FROM inventory.inventory_release_order('O-CRASH')")" 5
# A hold nobody completes expires by itself.
rpart "$pb" shop "SELECT 1 FROM inventory.inventory_allocate_order('O-ABANDONED', '[{\"sku\": \"$b\", \"quantity\": 1, \"line\": \"2\"}]', ship_to => 'US', expires_at => now() + interval '1 second')" >/dev/null
sleep 1.2
check abandoned-hold-expires eq "$(rrouter shop "SELECT string_agg(reference_id, ',') FROM inventory.inventory_expire_reservations()")" "O-ABANDONED/2"
check verify-empty-after-orders eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_verify()")/$(rrouter shop "SELECT count(*) FROM inventory.inventory_verify_reservations()")" "0/0"

# ---- batches: per partition, each part atomic, a retry completes -----------------------------
batch="[{\"sku\": \"$a\", \"warehouse_id\": 1, \"event_type\": \"RECEIVE\", \"quantity\": 4, \"idempotency_key\": \"b-1\"},
        {\"sku\": \"$b\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 50, \"idempotency_key\": \"b-2\"}]"
check batch-part-refused eq "$(sqlstate boss "SELECT * FROM inventory.inventory_apply_events('$batch')")" IV001
report=$(rrouter shop "SELECT string_agg(ordinal || ':' || coalesce(sqlstate, 'ok'), ',' ORDER BY ordinal) FROM inventory_router.apply_events_report('[{\"sku\": \"$a\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 1, \"idempotency_key\": \"b-3\"}, {\"sku\": \"$b\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 50, \"idempotency_key\": \"b-4\"}]')")
check batch-report-per-event eq "$report" "1:ok,2:IV001"
rrouter wh "SELECT 1 FROM inventory.inventory_apply_event('$b', 1, 'RECEIVE', 50)" >/dev/null
check batch-retry-completes eq "$(rrouter shop "SELECT string_agg(ordinal || ':' || replayed, ',' ORDER BY ordinal) FROM inventory.inventory_apply_events('[{\"sku\": \"$a\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 1, \"idempotency_key\": \"b-3\"}, {\"sku\": \"$b\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 50, \"idempotency_key\": \"b-4\"}]')")" "1:true,2:false"
check spanning-batch-needs-keys eq "$(sqlstate shop "SELECT * FROM inventory.inventory_apply_events('[{\"sku\": \"$a\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 1}, {\"sku\": \"$b\", \"warehouse_id\": 1, \"event_type\": \"ALLOCATE\", \"quantity\": 1, \"idempotency_key\": \"b-5\"}]')")" 22023
# Keys are unique per partition: reused with another SKU on another partition it is a new event.
check key-reused-on-the-same-partition eq "$(sqlstate shop "SELECT * FROM inventory.inventory_apply_event('$a', 2, 'ALLOCATE', 1, NULL, 'b-3')")" IV002
check key-reused-on-another-partition-is-new eq "$(rrouter shop "SELECT replayed FROM inventory.inventory_apply_event('$b', 1, 'ALLOCATE', 1, NULL, 'b-3')")" f

# ---- API keys live on partition 0 and work through the router ---------------------------------
check api-key-only-for-a-role-one-is-member-of eq "$(sqlstate boss "SELECT * FROM inventory.inventory_create_api_key('shop', 'router test')")" IV012
for i in 0 1 2; do rt_psql "$i" postgres postgres -c "GRANT shop TO boss" >/dev/null; done
api_key=$(rrouter boss "SELECT api_key FROM inventory.inventory_create_api_key('shop', 'router test')")
check api-key-resolves-through-router eq "$(rrouter shop "SELECT inventory.inventory_api_key_role(sha256(convert_to('$api_key', 'UTF8')))")" shop
check api-key-stored-once eq "$(sum_partitions "SELECT count(*) FROM inventory.inventory_api_keys")/$(rpart 0 postgres "SELECT count(*) FROM inventory.inventory_api_keys")" "1/1"
check api-key-listed-through-router eq "$(rrouter boss "SELECT label FROM inventory.inventory_api_key_list")" "router test"
rrouter boss "SELECT inventory.inventory_revoke_api_key(key_id) FROM inventory.inventory_api_key_list" >/dev/null
check api-key-revoked-through-router eq "$(rrouter shop "SELECT coalesce(inventory.inventory_api_key_role(sha256(convert_to('$api_key', 'UTF8')))::text, 'none')")" none

# ---- the change feed and set-wide reads --------------------------------------------------------
last=$(rrouter shop "SELECT next_position FROM inventory.inventory_level_changes(NULL)" | tail -1)
rrouter wh "SELECT 1 FROM inventory.inventory_apply_event('$b', 1, 'RECEIVE', 1)" >/dev/null
check feed-returns-what-changed eq "$(rrouter shop "SELECT string_agg(sku || ':' || on_hand, ',') FROM inventory.inventory_level_changes('$last') WHERE sku IS NOT NULL")" "$b:$(rrouter shop "SELECT on_hand FROM inventory.inventory_levels WHERE sku = '$b' AND warehouse_id = 1")"
check feed-refuses-a-partition-position eq "$(sqlstate shop "SELECT * FROM inventory.inventory_level_changes('$(rpart 0 postgres "SELECT next_position FROM inventory.inventory_level_changes(NULL) LIMIT 1")')")" 22023
check levels-at-combines-partitions eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_levels_at(now())")" "$(sum_partitions "SELECT count(*) FROM inventory.inventory_levels")"
check views-combine-partitions eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_movements")" "$(sum_partitions "SELECT count(*) FROM inventory.inventory_ledger")"
check verify-all-partitions-empty eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_verify()")" 0

# ---- moving a partition to another server ------------------------------------------------------
before=$(rrouter shop "SELECT string_agg(sku || ':' || on_hand || ':' || reserved, ',' ORDER BY sku, warehouse_id) FROM inventory.inventory_levels")
from=${RT_PART_CLUSTER[$pb]}
check move-partition router_move_partition "$pb" 2
check partition-now-on-the-new-server eq "${RT_PART_CLUSTER[$pb]}:$(rt_psql "$from" postgres postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$(rt_part_db "$pb")'")" "2:0"
check levels-same-after-move eq "$(rrouter shop "SELECT string_agg(sku || ':' || on_hand || ':' || reserved, ',' ORDER BY sku, warehouse_id) FROM inventory.inventory_levels")" "$before"
check writes-go-to-the-new-server eq "$(rrouter wh "SELECT on_hand FROM inventory.inventory_apply_event('$b', 1, 'RECEIVE', 1)")" "$(rpart "$pb" postgres "SELECT on_hand FROM inventory.inventory_levels WHERE sku = '$b' AND warehouse_id = 1")"
check verify-empty-after-move eq "$(rrouter shop "SELECT count(*) FROM inventory.inventory_verify()")/$(rrouter boss "SELECT count(*) FROM inventory_router.shared_differences()")" "0/0"

exit $((failures > 0))
