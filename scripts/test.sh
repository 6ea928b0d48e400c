#!/usr/bin/env bash
# Runs every test: C++ unit tests (ctest), pg_regress and isolation specs against a throw-away
# cluster. Ends with "N passed, N failed" and exits non-zero if anything failed.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

ensure_packages
build_and_install_extension

log "unit tests (GoogleTest via ctest)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINVENTORY_UNIT_TESTS=ON -DINVENTORY_FUZZ=OFF >/dev/null
cmake --build build -j2 >/dev/null
ctest_log=$(mktemp)
ctest --test-dir build --output-on-failure >"$ctest_log" 2>&1 || true
tail -3 "$ctest_log"
unit_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$ctest_log" | tail -1)
unit_failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$ctest_log" | tail -1)
if [ -z "$unit_total" ]; then
  cat "$ctest_log"
  count 0 1
else
  [ "$unit_failed" -eq 0 ] || grep -E 'Failed|\*\*\*' "$ctest_log" || true
  count $((unit_total - unit_failed)) "$unit_failed"
fi
rm -f "$ctest_log"

trap stop_cluster EXIT
start_cluster

log "pg_regress and isolation tests"
rm -rf results output_iso regression.diffs regression.out
check_log=$(mktemp)
make installcheck PG_CONFIG="$PG_CONFIG" >"$check_log" 2>&1 || true
grep -E '^(test| ) .* \.\.\. |^ok|^not ok|^     [a-z_]+ +\.\.\. ' "$check_log" || true
sql_passed=$(grep -cE '\.\.\. ok( |$)' "$check_log" || true)
sql_failed=$(grep -cE '\.\.\. FAILED' "$check_log" || true)
if [ "$sql_passed" -eq 0 ] && [ "$sql_failed" -eq 0 ]; then
  cat "$check_log"
  sql_failed=1
fi
for diffs in regression.diffs output_iso/regression.diffs; do
  [ -s "$diffs" ] && { echo "--- $diffs"; head -200 "$diffs"; }
done
count "$sql_passed" "$sql_failed"
rm -f "$check_log"

# Scripts that print one "... ok" / "... FAILED" line per check.
run_checks() {  # run_checks TITLE COMMAND...
  local title=$1 out ok bad status=0
  shift
  log "$title"
  out=$(mktemp)
  "$@" >"$out" 2>&1 || status=$?
  cat "$out"
  ok=$(grep -cE '\.\.\. ok$' "$out" || true)
  bad=$(grep -cE '\.\.\. FAILED$' "$out" || true)
  if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
  # A script that stopped early (exit status) without a FAILED line still failed.
  if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
    echo "$title: exited with status $status ... FAILED"
    bad=1
  fi
  count "$ok" "$bad"
  rm -f "$out"
}

run_checks "fuzzing the core (libFuzzer, 30 s)" bash test/fuzz/run.sh 30
run_checks "layout of the SQL sources" python3 test/layout/sources.py "$REPO_ROOT"
run_checks "layout: at most 100 lines of PL/pgSQL in a fresh install" bash test/layout/plpgsql.sh
run_checks "upgrade from 0.1.0 through every release = fresh install" bash test/upgrade/run.sh
run_checks "dump and restore" bash test/restore/run.sh
run_checks "crash recovery (SIGKILL mid-workload)" bash test/crash/run.sh 3
run_checks "randomized stress against an independent model" python3 test/stress/model.py
run_checks "flash sale: 40 clients for the last 10 units, striped and not" bash test/stripes/run.sh 5
run_checks "reservation expiry scheduled by pg_cron" bash test/cron/run.sh
run_checks "inventory-cache and inventory-http against Redis and HTTP" bash test/services/run.sh 5
run_checks "inventory-cache and inventory-http through the scale-out router" bash test/services/router.sh 3
run_checks "README.md's SQL examples, run as pasted" bash test/readme/run.sh
run_checks "case folding under a Turkish LC_CTYPE" bash test/locale/run.sh
run_checks "error reports: LOCATION and CONTEXT" bash test/errors/run.sh
run_checks "plans of the readers: index probes" bash test/plans/run.sh
run_checks "scale-out through inventory_router (PL/Proxy, 3 clusters)" bash test/router/run.sh

echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
