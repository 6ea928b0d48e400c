#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) and fuzzes the core's event validation
# and arithmetic for SECONDS (default 30) from the seed corpus. New inputs go to a scratch
# folder, so the committed seeds stay as they are. A crash, sanitizer report or invariant trap
# fails the run and leaves the reproducer in the scratch folder's parent.
# Longer run: bash test/fuzz/run.sh 3600
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
build=build-fuzz
if ! cmake -S . -B "$build" -DINVENTORY_FUZZ=ON -DINVENTORY_UNIT_TESTS=OFF \
     -DCMAKE_CXX_COMPILER=clang++ >/dev/null || ! cmake --build "$build" -j2 >/dev/null; then
  echo "fuzz target builds ... FAILED"
  exit 1
fi
echo "fuzz target builds ... ok"
scratch=$(mktemp -d)
artifacts=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if "$build/inventory_fuzz" -max_total_time="$seconds" -artifact_prefix="$artifacts/" \
     "$scratch" test/fuzz/corpus >"$artifacts/fuzz.log" 2>&1; then
  echo "$(grep -E '^Done' "$artifacts/fuzz.log")"
  echo "fuzz ${seconds}s without a finding ... ok"
  rm -rf "$artifacts"
else
  tail -30 "$artifacts/fuzz.log"
  echo "fuzz ${seconds}s without a finding ... FAILED (reproducer in $artifacts)"
  exit 1
fi
