#!/usr/bin/env bash
# Layout check (issue 11): what stays in SQL is declarations, views, grants and comments, so a
# fresh install carries at most 100 lines of PL/pgSQL in all: the bodies of the extension's
# LANGUAGE plpgsql functions and procedures, counted as lines of their source (prosrc).
# INVENTORY_PLPGSQL_LIMIT sets another limit (to see the check fail). Starts its own throw-away
# cluster. Prints one "... ok" / "... FAILED" line per check; on failure, every PL/pgSQL
# function of the extension with its line count.
set -uo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
failures=0
CHECK_PREFIX="layout check"
limit=${INVENTORY_PLPGSQL_LIMIT:-100}
q() { psql -X -q -v ON_ERROR_STOP=1 -At -F ' ' -d postgres "$@"; }

trap stop_cluster EXIT
start_cluster >/dev/null 2>&1 || { echo "layout check cluster-starts ... FAILED"; exit 1; }
q -c "CREATE EXTENSION inventory" >/dev/null || { echo "layout check fresh-install ... FAILED"; exit 1; }

# The extension's functions and procedures (members, whatever their schema), by language.
members="SELECT p.oid, p.prosrc, l.lanname
           FROM pg_depend d
           JOIN pg_proc p ON p.oid = d.objid
           JOIN pg_language l ON l.oid = p.prolang
          WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
            AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventory')"
member_count=$(q -c "SELECT count(*) FROM ($members) m")
listing=$(q -c "SELECT m.oid::regprocedure, array_length(string_to_array(m.prosrc, E'\n'), 1)
                  FROM ($members) m WHERE m.lanname = 'plpgsql' ORDER BY 2 DESC, 1")
total=$(awk '{ s += $NF } END { print s + 0 }' <<<"$listing")

# The count sees the extension's functions at all (a wrong query would pass with 0 lines).
members_found() {
  [ "$member_count" -ge 20 ] || { echo "    only $member_count member functions found" >&2; return 1; }
}
within_limit() {
  echo "    $total lines of PL/pgSQL in $(grep -c . <<<"$listing") functions (limit $limit)" >&2
  [ "$total" -le "$limit" ] || { sed 's/^/      /' <<<"$listing" >&2; return 1; }
}
check member-functions-found members_found
check "plpgsql-at-most-$limit-lines" within_limit

exit $((failures > 0))
