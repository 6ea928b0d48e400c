#!/usr/bin/env python3
"""Randomized events through inventory_router against an independent model.

One client sends seeded random events for 48 SKUs over two warehouses through the router:
RECEIVE, ALLOCATE, DEALLOCATE, FULFILL, RETURN, ADJUST, COUNT, each with an idempotency key;
some keys are sent again with the same payload (a replay: nothing changes, the first result
comes back) and some again with another payload for the same SKU (IV002). The model applies the
README's rules for an unstriped level without reservations by reference: every outcome (the
figures after the event, or the SQLSTATE) must be the model's. At the end every partition,
read directly, must hold exactly the levels of the SKUs it owns (inventory_router.partition_of)
with the model's figures, and its inventory_verify() must be empty.

Usage: model.py SEED ROUTER_CONNINFO PARTITION_CONNINFO... (in partition order)
Prints one "... ok" / "... FAILED" line per check.
"""
import random
import subprocess
import sys

ADJUST_REASONS = ["DAMAGED", "SHRINKAGE", "FOUND", "CORRECTION"]
failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"router model {name} ... {'ok' if ok else 'FAILED'}")
    if not ok:
        failures += 1
        if detail:
            print("   " + detail[:2000])


def psql(conninfo, sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-d", conninfo, "-v", "ON_ERROR_STOP=1",
                          "-c", sql], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return out.stdout.splitlines()


def lit(value):
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


class Model:
    def __init__(self):
        self.levels = {}  # (sku, warehouse) -> [on_hand, reserved]

    def apply(self, sku, warehouse, kind, quantity):
        """The figures after the event, or the SQLSTATE that refuses it (nothing changes)."""
        on_hand, reserved = self.levels.get((sku, warehouse), [0, 0])
        if kind in ("RECEIVE", "RETURN"):
            on_hand += quantity
        elif kind == "ALLOCATE":
            if quantity > on_hand - reserved:
                return "IV001"
            reserved += quantity
        elif kind == "DEALLOCATE":
            if quantity > reserved:
                return "IV007"
            reserved -= quantity
        elif kind == "FULFILL":
            if quantity > reserved:
                return "IV007"
            on_hand -= quantity
            reserved -= quantity
        elif kind == "ADJUST":
            if on_hand + quantity < reserved or on_hand + quantity < 0:
                return "IV001"
            on_hand += quantity
        elif kind == "COUNT":
            if quantity < reserved:
                return "IV001"
            on_hand = quantity
        self.levels[(sku, warehouse)] = [on_hand, reserved]
        return (on_hand, reserved, on_hand - reserved)


def main():
    seed, router, partitions = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    print(f"router model seed {seed}")
    rng = random.Random(seed)
    skus = [f"RM-{i:02d}" for i in range(48)]
    model = Model()
    sent = []  # (key, statement, expected) of applied events, for replays
    mismatches = []
    statements = []

    def event_sql(sku, warehouse, kind, quantity, key):
        reason = {"RETURN": "RESTOCK", "ADJUST": rng.choice(ADJUST_REASONS)}.get(kind)
        return (f"SELECT stress_call({lit(key)}, $$SELECT on_hand || ',' || reserved || ',' || "
                f"available_to_sell || ',' || replayed FROM inventory.inventory_apply_event("
                f"{lit(sku)}, {warehouse}, {lit(kind)}, {quantity}, NULL, {lit(key)}, "
                f"{lit(reason)})$$)")

    for i in range(700):
        roll = rng.random()
        if sent and roll < 0.08:
            key, statement, expected = rng.choice(sent)
            statements.append((statement, ("replay", expected)))
            continue
        sku, warehouse = rng.choice(skus), rng.randint(1, 2)
        kind = rng.choice(["RECEIVE", "RECEIVE", "ALLOCATE", "ALLOCATE", "DEALLOCATE", "FULFILL",
                           "RETURN", "ADJUST", "COUNT"])
        quantity = {"ADJUST": rng.choice([-3, -1, 2, 5]), "COUNT": rng.randint(0, 30)}.get(
            kind, rng.randint(1, 12))
        key = f"rm-{seed}-{i}"
        if sent and roll < 0.12:
            # The key of an earlier event of this SKU with another payload: IV002.
            same_sku = [s for s in sent if s[2][0] == sku]
            if same_sku:
                key = same_sku[0][0]
                statements.append((event_sql(sku, warehouse, kind, quantity + 1000, key),
                                   ("error", "IV002")))
                continue
        expected = model.apply(sku, warehouse, kind, quantity)
        statement = event_sql(sku, warehouse, kind, quantity, key)
        if isinstance(expected, str):
            statements.append((statement, ("error", expected)))
        else:
            sent.append((key, statement, (sku,) + expected))
            statements.append((statement, ("applied", expected)))

    # One psql session for every call; stress_call catches each refusal's SQLSTATE.
    script = ["CREATE FUNCTION pg_temp.stress_call(k text, statement text) RETURNS text "
              "LANGUAGE plpgsql AS $f$ DECLARE r text; s text; BEGIN EXECUTE statement INTO r; "
              "RETURN r; EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE; "
              "RETURN 'ERR:' || s; END $f$;"]
    script += [s.replace("SELECT stress_call(", "SELECT pg_temp.stress_call(", 1) + ";"
               for s, _ in statements]
    out = subprocess.run(["psql", "-X", "-q", "-At", "-d", router, "-v", "ON_ERROR_STOP=1"],
                         input="\n".join(script), capture_output=True, text=True)
    if out.returncode:
        check("calls-run", False, out.stderr)
        return 1
    results = out.stdout.splitlines()
    check("one-result-per-call", len(results) == len(statements),
          f"{len(results)} results for {len(statements)} calls")
    for (statement, (kind, expected)), got in zip(statements, results):
        if kind == "error":
            want = "ERR:" + expected
        elif kind == "replay":
            want = ",".join(str(v) for v in expected[1:]) + ",true"
        else:
            want = ",".join(str(v) for v in expected) + ",false"
        if got != want:
            mismatches.append(f"{statement}: got {got}, model {want}")
    check("every-outcome-as-modelled", not mismatches, "\n   ".join(mismatches[:10]))
    refused = sum(1 for _, (k, _) in statements if k == "error")
    replays = sum(1 for _, (k, _) in statements if k == "replay")
    print(f"   {len(statements)} calls: {refused} refused, {replays} replays")

    owner = dict(line.split("|") for line in psql(
        router, "SELECT s, inventory_router.partition_of(s) FROM pg_catalog.unnest(ARRAY["
        + ",".join(lit(s) for s in skus) + "]) s"))
    for number, conninfo in enumerate(partitions):
        rows = psql(conninfo, "SELECT sku, warehouse_id, on_hand, reserved FROM "
                              "inventory.inventory_levels WHERE sku LIKE 'RM-%' ORDER BY 1, 2")
        want = sorted(f"{s}|{w}|{v[0]}|{v[1]}" for (s, w), v in model.levels.items()
                      if int(owner[s]) == number)
        check(f"partition-{number}-levels-are-the-model", rows == want,
              f"partition {number}: {len(rows)} rows, model {len(want)}; first difference: "
              + str(next((a, b) for a, b in zip(rows + [''] * len(want), want + [''] * len(rows))
                         if a != b) if rows != want else ""))
        check(f"partition-{number}-verify-empty",
              psql(conninfo, "SELECT count(*) FROM inventory.inventory_verify()") == ["0"])
    used = {owner[s] for (s, _) in model.levels}
    check("skus-spread-over-every-partition", len(used) == len(partitions),
          f"{len(used)} of {len(partitions)} partitions used")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
