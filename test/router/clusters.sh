# Source it: several throw-away PostgreSQL clusters with inventory partitions and one
# inventory_router database, for test/router/run.sh and test/bench/router.sh. Every cluster runs
# as the cluster owner (common.sh), socket only, in its own private directory on its own port;
# the caller sets `trap router_stop_all EXIT`.
# shellcheck source=../../scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

RT_DIRS=()        # cluster i: its directory (also its socket directory)
RT_PORTS=()       # cluster i: its port
RT_PART_CLUSTER=()  # partition n: the cluster that holds it now
RT_ROUTER_CLUSTER=0
RT_ROUTER_DB=inventory_router_test
# Login roles of the tests, the same on every cluster (roles are cluster-wide).
RT_LOGINS=(shop wh boss nobody)

rt_pg_ctl() {  # rt_pg_ctl I ARGS...
  local i=$1
  shift
  as_cluster_owner "$PG_BINDIR/pg_ctl" -D "${RT_DIRS[$i]}/data" "$@"
}

rt_start() {  # rt_start I: (re)start cluster I on its port
  rt_pg_ctl "$1" -w -t 60 -l "${RT_DIRS[$1]}/server.log" \
    -o "-p ${RT_PORTS[$1]} -k ${RT_DIRS[$1]} -c listen_addresses='' -c fsync=off -c max_connections=120 ${EXTRA_SERVER_OPTIONS:-}" \
    start >/dev/null
}

router_start_clusters() {  # router_start_clusters K
  local i dir attempt
  for ((i = 0; i < $1; i++)); do
    dir=$(mktemp -d /tmp/inventory-pg.XXXXXX)
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    RT_DIRS[i]=$dir
    as_cluster_owner "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    for attempt in 1 2 3 4 5; do
      RT_PORTS[i]=$((20000 + RANDOM % 20000))
      rt_start "$i" && break
      [ "$attempt" -eq 5 ] && { tail -5 "$dir/server.log" >&2; return 1; }
    done
  done
  log "${#RT_DIRS[@]} clusters: ports ${RT_PORTS[*]}"
}

router_stop_all() {
  local i
  for i in "${!RT_DIRS[@]}"; do
    if [ -f "${RT_DIRS[$i]}/data/postmaster.pid" ]; then
      rt_pg_ctl "$i" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "${RT_DIRS[$i]}"
  done
  RT_DIRS=()
}

router_stop_cluster() { rt_pg_ctl "$1" -m fast stop >/dev/null; }
router_restart_cluster() { rt_start "$1"; }

rt_psql() {  # rt_psql CLUSTER DB ROLE SQL...: one psql call, unaligned, errors fail
  local i=$1 db=$2 role=$3
  shift 3
  psql -X -q -At -v ON_ERROR_STOP=1 -h "${RT_DIRS[$i]}" -p "${RT_PORTS[$i]}" -U "$role" -d "$db" "$@"
}
rrouter() { local role=$1; shift; rt_psql "$RT_ROUTER_CLUSTER" "$RT_ROUTER_DB" "$role" -c "$*"; }
rpart() { local n=$1 role=$2; shift 2; rt_psql "${RT_PART_CLUSTER[$n]}" "$(rt_part_db "$n")" "$role" -c "$*"; }
rt_part_db() { printf 'part%02d' "$1"; }
rt_part_conninfo() {  # the libpq connection string of partition N where it is now
  local n=$1 c=${RT_PART_CLUSTER[$1]}
  printf 'dbname=%s host=%s port=%s' "$(rt_part_db "$n")" "${RT_DIRS[$c]}" "${RT_PORTS[$c]}"
}

router_create_roles() {  # on every cluster: the group roles' members the tests log in as
  local i
  for i in "${!RT_DIRS[@]}"; do
    rt_psql "$i" postgres postgres <<'SQL'
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['inventory_reader', 'inventory_app', 'inventory_warehouse', 'inventory_admin'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I NOLOGIN', r); END IF;
  END LOOP;
  FOREACH r IN ARRAY ARRAY['shop', 'wh', 'boss', 'nobody'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I LOGIN', r); END IF;
  END LOOP;
END $$;
GRANT inventory_app TO shop;
GRANT inventory_warehouse TO wh;
GRANT inventory_admin TO boss;
SQL
  done
}

router_create_partitions() {  # router_create_partitions P K [FIRST]: part00.. on cluster FIRST + n % K
  local n k=${2:-${#RT_DIRS[@]}} first=${3:-0}
  for ((n = 0; n < $1; n++)); do
    RT_PART_CLUSTER[n]=$((first + n % k))
    rt_psql "${RT_PART_CLUSTER[$n]}" postgres postgres -c "CREATE DATABASE $(rt_part_db "$n")"
    rpart "$n" postgres "CREATE EXTENSION inventory"
  done
}

router_setup() {  # router_setup CLUSTER: the router database, its server and user mappings
  local n options=() role
  RT_ROUTER_CLUSTER=$1
  rt_psql "$1" postgres postgres -c "CREATE DATABASE $RT_ROUTER_DB"
  for n in "${!RT_PART_CLUSTER[@]}"; do options+=("p$n '$(rt_part_conninfo "$n")'"); done
  rrouter postgres "CREATE EXTENSION inventory_router CASCADE"
  rrouter postgres "CREATE SERVER inventory_partitions FOREIGN DATA WRAPPER plproxy OPTIONS ($(IFS=,; echo "${options[*]}"))"
  rrouter postgres "GRANT USAGE ON FOREIGN SERVER inventory_partitions TO inventory_reader"
  for role in postgres "${RT_LOGINS[@]}"; do
    rrouter postgres "CREATE USER MAPPING FOR $role SERVER inventory_partitions OPTIONS (user '$role')"
  done
}

router_move_partition() {  # router_move_partition N CLUSTER: PL/Proxy's way, a whole database
  local n=$1 to=$2 from=${RT_PART_CLUSTER[$1]} db dump
  db=$(rt_part_db "$n")
  dump=$(mktemp)
  # No new sessions but the copying superuser's, none left: nothing writes to the old copy
  # while it is copied (a router call meanwhile fails to connect, and is retried).
  rt_psql "$from" postgres postgres -c "REVOKE CONNECT ON DATABASE $db FROM PUBLIC" \
    -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
  pg_dump -Fc -h "${RT_DIRS[$from]}" -p "${RT_PORTS[$from]}" -U postgres -d "$db" -f "$dump" &&
    rt_psql "$to" postgres postgres -c "CREATE DATABASE $db" &&
    pg_restore --exit-on-error -h "${RT_DIRS[$to]}" -p "${RT_PORTS[$to]}" -U postgres -d "$db" "$dump" ||
    { rm -f "$dump"; return 1; }
  rm -f "$dump"
  RT_PART_CLUSTER[n]=$to
  rrouter postgres "ALTER SERVER inventory_partitions OPTIONS (SET p$n '$(rt_part_conninfo "$n")')"
  rt_psql "$from" postgres postgres -c "DROP DATABASE $db"
}
