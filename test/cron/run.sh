#!/usr/bin/env bash
# pg_cron runs inventory_expire_reservations() on a schedule, set up exactly as README.md says:
# its postgresql.conf lines and its SQL are taken from README.md (the blocks marked
# readme-test: cron-conf / cron, see test/readme/readme.py), on a private cluster that listens
# on a Unix socket only. A hold that ends two seconds in must be released by the scheduler
# (pg_cron 1.4 schedules by the minute) through a ledger event, in a job that ran as a
# non-superuser member of inventory_app. Prints one "... ok" / "... FAILED" line per check;
# with pg_cron not installed it says so and fails (scripts/common.sh installs postgresql-15-cron).
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
CHECK_PREFIX="cron check"
readme() { python3 "$REPO_ROOT/test/readme/readme.py" "$1" "${README_MD:-$REPO_ROOT/README.md}"; }
run_readme_sql() { q -f - <<<"$setup_sql" >/dev/null; }

if [ ! -f "$("$PG_CONFIG" --pkglibdir)/pg_cron.so" ]; then
  echo "cron check pg_cron-installed ... FAILED"
  exit 1
fi
conf=$(readme cron-conf) || { echo "cron check readme-has-conf ... FAILED"; exit 1; }
setup_sql=$(readme cron-sql) || { echo "cron check readme-has-sql ... FAILED"; exit 1; }
db=$(sed -n "s/^[[:space:]]*cron\.database_name[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" <<<"$conf")
check readme-names-database test -n "$db"
db=${db:-postgres}

trap stop_cluster EXIT
start_cluster || { echo "cron check cluster-starts ... FAILED"; exit 1; }
# README's lines go into postgresql.conf as a DBA would put them, then the server restarts.
printf '\n# README.md, "Expiring holds with pg_cron"\n%s\n' "$conf" |
  as_cluster_owner tee -a "$CLUSTER_DIR/data/postgresql.conf" >/dev/null
as_cluster_owner "$PG_BINDIR/pg_ctl" -D "$CLUSTER_DIR/data" -w -t 60 -l "$CLUSTER_DIR/server.log" \
  restart >/dev/null || { tail -5 "$CLUSTER_DIR/server.log"; echo "cron check server-restarts-with-readme-conf ... FAILED"; exit 1; }
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }

createdb "$db" || { echo "cron check createdb ... FAILED"; exit 1; }
q <<'SQL' >/dev/null
CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US');
SELECT (inventory.inventory_apply_event('CRON-SKU', 1, 'RECEIVE', 5)).on_hand;
SELECT (inventory.inventory_apply_event('CRON-SKU', 1, 'ALLOCATE', 3, 'CART-7/1',
        expires_at => clock_timestamp() + interval '2 seconds')).reserved;
SQL
# README's SQL, as pasted by a superuser.
check readme-sql-runs run_readme_sql
check job-scheduled test "$(q -c "SELECT count(*) > 0 FROM cron.job")" = t
check job-runs-as-inventory-app-member-not-superuser test "$(q -c "
  SELECT bool_and(NOT r.rolsuper AND pg_has_role(r.oid, 'inventory_app', 'MEMBER')
                  AND NOT pg_has_role(r.oid, 'inventory_admin', 'MEMBER')
                  AND NOT pg_has_role(r.oid, 'inventory_warehouse', 'MEMBER'))
    FROM cron.job j LEFT JOIN pg_roles r ON r.rolname = j.username")" = t

status=""
for _ in $(seq 1 75); do  # up to 150 s: the next minute boundary, plus a slow machine's slack
  status=$(q -c "SELECT status FROM inventory.inventory_reservations WHERE reference_id = 'CART-7/1'")
  [ "$status" = EXPIRED ] && break
  sleep 2
done
check hold-released-by-schedule test "$status" = EXPIRED
check level-released test "$(q -c "SELECT reserved || '/' || available_to_sell FROM inventory.inventory_levels WHERE sku = 'CRON-SKU'")" = 0/5
check ledger-event test "$(q -c "SELECT count(*) FROM inventory.inventory_ledger WHERE reference_id = 'CART-7/1' AND event_type = 'DEALLOCATE' AND reason = 'EXPIRED'")" = 1
check event-by-scheduler-role test "$(q -c "SELECT string_agg(DISTINCT actor, ',') = (SELECT string_agg(DISTINCT username, ',') FROM cron.job) FROM inventory.inventory_ledger WHERE reference_id = 'CART-7/1' AND event_type = 'DEALLOCATE'")" = t
check job-succeeded test "$(q -c "SELECT count(*) > 0 AND bool_and(status = 'succeeded') FROM cron.job_run_details")" = t
[ "$failures" -eq 0 ] || q -c "SELECT status, return_message FROM cron.job_run_details" >&2
check verify-empty test "$(q -c "SELECT (SELECT count(*) FROM inventory.inventory_verify()) + (SELECT count(*) FROM inventory.inventory_verify_reservations())")" = 0
q -c "SELECT cron.unschedule(jobid) FROM cron.job" >/dev/null
exit $((failures > 0))
