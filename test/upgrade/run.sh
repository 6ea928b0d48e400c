#!/usr/bin/env bash
# Upgrade test: a database created at 0.1.0 and updated through every release to the current
# version, with data written at each step, must equal a fresh install of the current version:
#   - the same normalized `pg_dump --schema-only` of the extension's objects (tables, indexes,
#     constraints, triggers, functions with their SET clauses, views, comments, ACLs), taken
#     after detaching the objects from the extension in a scratch copy (pg_dump prints an
#     extension's members as CREATE EXTENSION only);
#   - the same dump registration (pg_extension_config_dump), schema ACL and member list;
#   - the data written before the updates is still there and inventory_verify() is empty.
# Starts its own throw-away cluster. Prints one "... ok" / "... FAILED" line per check.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
CHECK_PREFIX="upgrade check"
work=$(mktemp -d)
chmod 755 "$work"
trap 'stop_cluster; rm -rf "$work"' EXIT
start_cluster >/dev/null 2>&1 || { echo "upgrade cluster start ... FAILED"; exit 1; }
q() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }

current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO_ROOT/inventory.control")
releases=(0.2.0 0.3.0 0.3.1 0.4.0 "$current")

# The upgraded database: 0.1.0, then each release in turn, with an event written before each
# step. The library writes the current schema only (striped levels, 0.5.0): an older one gets
# 55000 "upgrade required" from it, so each step's event is written as that version kept
# it, a ledger row with its computed columns and its level row, the ledger trigger off.
q postgres -c "CREATE DATABASE upgraded" -c "CREATE DATABASE fresh"
q upgraded -c "CREATE EXTENSION inventory VERSION '0.1.0'" \
  -c "SELECT inventory.inventory_create_warehouse('W1', 'First', 'US')" >/dev/null
step=0
for version in "${releases[@]}"; do
  step=$((step + 1))
  q upgraded -c "ALTER TABLE inventory.inventory_ledger DISABLE TRIGGER inventory_ledger_apply" \
    -c "INSERT INTO inventory.inventory_ledger (sku, warehouse_id, event_type, quantity,
                   on_hand_change, reserved_change, on_hand_after, reserved_after,
                   available_after, level_version)
        VALUES ('STEP-$step', 1, 'RECEIVE', $step, $step, 0, $step, 0, $step, 1)" \
    -c "INSERT INTO inventory.inventory_levels (sku, warehouse_id, on_hand, available_to_sell,
                                                version)
        VALUES ('STEP-$step', 1, $step, $step, 1)" \
    -c "ALTER TABLE inventory.inventory_ledger ENABLE ALWAYS TRIGGER inventory_ledger_apply" \
    -c "ALTER EXTENSION inventory UPDATE TO '$version'" || echo "update to $version failed" >&2
done
# An old schema with the current library: the clear error, nothing written.
q postgres -c "CREATE DATABASE old_schema" >/dev/null
q old_schema -c "CREATE EXTENSION inventory VERSION '0.4.0'" \
  -c "SELECT inventory.inventory_create_warehouse('W1', 'First', 'US')" >/dev/null
check "0.4.0 schema: the library asks for the update (55000, nothing written)" \
  test "$(q old_schema -c "DO \$\$ BEGIN PERFORM inventory.inventory_apply_event('OLD', 1, 'RECEIVE', 1);
          EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1 |
          sed -n 's/.*NOTICE: *//p')/$(q old_schema -c "SELECT count(*) FROM inventory.inventory_ledger")" = "55000/0"
q upgraded -c "SELECT count(*) FROM inventory.inventory_apply_event('AFTER', 1, 'RECEIVE', 7)" >/dev/null
check "updated through ${releases[*]}" \
  test "$(q upgraded -c "SELECT extversion FROM pg_extension WHERE extname = 'inventory'")" = "$current"
q fresh -c "CREATE EXTENSION inventory" >/dev/null

# Member list, dump registration and the schema's ACL, as text.
catalog() {
  q "$1" <<'SQL'
SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventory')
UNION ALL
SELECT 'dump ' || c::regclass::text || ' ' || coalesce(cond, '<null>')
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, cond)
 WHERE e.extname = 'inventory'
UNION ALL
SELECT 'schema acl ' || coalesce(nspacl::text, '<null>') || ' owner ' || nspowner::regrole
  FROM pg_namespace WHERE nspname = 'inventory'
ORDER BY 1;
SQL
}
# pg_dump of the extension's objects: in a scratch copy, every member is detached first.
schema_dump() {  # schema_dump DB OUT
  local db=$1 scratch="${1}_detached"
  q postgres -c "CREATE DATABASE $scratch TEMPLATE $db"
  q "$scratch" -c "SELECT format('ALTER EXTENSION inventory DROP %s %s;', i.type, i.identity)
                     FROM pg_depend d, pg_identify_object(d.classid, d.objid, d.objsubid) i
                    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventory')" \
    >"$work/$scratch-detach.sql"
  q "$scratch" -f "$work/$scratch-detach.sql"
  as_cluster_owner "$PG_BINDIR/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres --schema-only \
    -n inventory "$scratch" |
    grep -vE '^(\\restrict|\\unrestrict|-- Dumped (from|by))' >"$2"
  q postgres -c "DROP DATABASE $scratch"
}
catalog upgraded >"$work/upgraded.catalog"
catalog fresh >"$work/fresh.catalog"
schema_dump upgraded "$work/upgraded.dump"
schema_dump fresh "$work/fresh.dump"
check "pg_dump --schema-only is not empty" test "$(grep -c '^CREATE' "$work/fresh.dump")" -gt 40
check "pg_dump --schema-only of updated = fresh" diff -u "$work/fresh.dump" "$work/upgraded.dump"
check "members, dump registration and schema ACL of updated = fresh" \
  diff -u "$work/fresh.catalog" "$work/upgraded.catalog"
# One level per step written above (STEP-i holds i units), and the event after the last update.
kept="AFTER=7"
for ((i = 1; i <= step; i++)); do kept+=",STEP-$i=$i"; done
check "data written before the updates kept" \
  test "$(q upgraded -c "SELECT string_agg(sku || '=' || on_hand, ',' ORDER BY sku)
                          FROM inventory.inventory_levels")" = "$kept"
check "inventory_verify() empty after the updates" \
  test "$(q upgraded -c "SELECT count(*) FROM inventory.inventory_verify()")" = 0
exit $((failures > 0))
