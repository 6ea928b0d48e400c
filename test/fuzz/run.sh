#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for its share of SECONDS
# (default 30, split evenly) from its seed corpus: inventory_fuzz (the core's event validation
# and arithmetic, corpus/) and inventory_fuzz_order_plan (the order planner against an
# independent model, corpus-order-plan/). New inputs go to a scratch folder, so the committed
# seeds stay as they are. A crash, sanitizer report or invariant trap fails the run and leaves
# the reproducer in the scratch folder's parent.
# Longer run: bash test/fuzz/run.sh 3600
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
build=build-fuzz
if ! cmake -S . -B "$build" -DINVENTORY_FUZZ=ON -DINVENTORY_UNIT_TESTS=OFF -DINVENTORY_SERVICES=OFF \
     -DCMAKE_CXX_COMPILER=clang++ >/dev/null || ! cmake --build "$build" -j2 >/dev/null; then
  echo "fuzz targets build ... FAILED"
  exit 1
fi
echo "fuzz targets build ... ok"
targets=("inventory_fuzz:test/fuzz/corpus" "inventory_fuzz_order_plan:test/fuzz/corpus-order-plan")
share=$(( seconds / ${#targets[@]} ))
(( share > 0 )) || share=1
status=0
for entry in "${targets[@]}"; do
  target=${entry%%:*}
  corpus=${entry#*:}
  scratch=$(mktemp -d)
  artifacts=$(mktemp -d)
  if "$build/$target" -max_total_time="$share" -artifact_prefix="$artifacts/" \
       "$scratch" "$corpus" >"$artifacts/fuzz.log" 2>&1; then
    echo "$(grep -E '^Done' "$artifacts/fuzz.log")"
    echo "fuzz $target ${share}s without a finding ... ok"
    rm -rf "$artifacts"
  else
    tail -30 "$artifacts/fuzz.log"
    echo "fuzz $target ${share}s without a finding ... FAILED (reproducer in $artifacts)"
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
