#!/usr/bin/env python3
"""Randomized stress test of the inventory extension against an independent model.

The model below re-implements the stock rules from the README (not from the C++ core).
Phase 1 (one client): every request's outcome (applied with which levels, or refused with
which SQLSTATE) must be what the model predicts. Phase 2 (several concurrent clients, few hot
SKUs and many cold ones): the ledger, replayed in each level's order, must be a history the
model accepts event by event, with the recorded after-values, and the final levels must be
the model's. ALLOCATE, FULFILL and DEALLOCATE name one of a few order-line references most of
the time, so reservations (created, topped up, shipped, released, closed) are modelled too and
inventory_reservations must end equal to the model's. Seeded and reproducible:
python3 model.py SEED. Needs PGHOST/PGPORT/PGUSER.
Prints one "... ok" / "... FAILED" line per check.
"""
import random
import subprocess
import sys
import tempfile

WAREHOUSES = 3
KINDS = ["RECEIVE", "RECEIVE", "ALLOCATE", "ALLOCATE", "ALLOCATE", "DEALLOCATE", "FULFILL",
         "RETURN", "ADJUST", "COUNT", "TRANSFER"]
POLICIES = {  # sku -> (safety_stock, allow_backorder, backorder_limit)
    "HOT-0": (2, False, None),
    "HOT-1": (0, True, 5),
    "HOT-2": (0, True, None),
}
failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"{name} ... {'ok' if ok else 'FAILED'}")
    if not ok:
        failures += 1
        if detail:
            print("   " + detail)


def psql(db, sql, single=True):
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(sql)
        f.flush()
        out = subprocess.run(["psql", "-X", "-q", "-At", "-d", db, "-v", "ON_ERROR_STOP=1"] +
                             (["-1"] if single else []) + ["-f", f.name],
                             capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.splitlines()


# ---- the model --------------------------------------------------------------------------------

class Refused(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def policy(sku):
    return POLICIES.get(sku, (0, False, None))


def ats(on_hand, reserved, sku):
    safety, _, _ = policy(sku)
    free = on_hand - reserved
    return free if free < 0 else max(free - safety, 0)


def step(level, sku, kind, qty, reason):
    """(on_hand, reserved) after one event, or Refused."""
    on_hand, reserved = level
    _, backorder, limit = policy(sku)
    if kind in ("RECEIVE", "TRANSFER_IN"):
        return on_hand + qty, reserved
    if kind == "RETURN":
        return on_hand + (0 if reason == "DAMAGED" else qty), reserved
    if kind == "ALLOCATE":
        available = ats(on_hand, reserved, sku)
        if not backorder:
            allowance = 0
        elif limit is None:
            return on_hand, reserved + qty
        else:
            allowance = max(limit - max(reserved - on_hand, 0), 0)
        if qty > max(available, 0) + allowance:
            raise Refused("IV001")
        return on_hand, reserved + qty
    if kind == "DEALLOCATE":
        if qty > reserved:
            raise Refused("IV007")
        return on_hand, reserved - qty
    if kind == "FULFILL":
        if qty > reserved:
            raise Refused("IV007")
        if qty > on_hand:
            raise Refused("IV001")
        return on_hand - qty, reserved - qty
    if kind == "TRANSFER_OUT":
        if qty > on_hand - reserved:
            raise Refused("IV001")
        return on_hand - qty, reserved
    new_on_hand = on_hand + qty if kind == "ADJUST" else qty  # COUNT: counted units
    if new_on_hand < on_hand and (new_on_hand < 0 or (not backorder and new_on_hand < reserved)
                                  or (limit is not None and reserved - new_on_hand > limit)):
        raise Refused("IV001")
    return new_on_hand, reserved


def reservation_step(book, level, sku, wh, kind, qty, ref):
    """The reservation an event changes, as (key, (quantity, fulfilled, released, status)), or
    None; raises Refused. The reservation rules come before the level's."""
    if kind not in ("ALLOCATE", "FULFILL", "DEALLOCATE"):
        return None
    if ref is None:
        if kind == "ALLOCATE":
            return None
        reserved = level[1]
        held = sum(r[0] - r[1] - r[2] for (_, rsku, rwh), r in book.items()
                   if rsku == sku and rwh == wh and r[3] == "ACTIVE")
        if reserved - held < qty <= reserved:
            raise Refused("IV007")  # only units no reservation holds
        return None
    key = (ref, sku, wh)
    r = book.get(key)
    if kind == "ALLOCATE":
        if r is None:
            return key, (qty, 0, 0, "ACTIVE")
        if r[3] != "ACTIVE":
            raise Refused("IV015")
        return key, (r[0] + qty, r[1], r[2], "ACTIVE")
    if r is None:
        raise Refused("IV013")
    if qty > r[0] - r[1] - r[2]:
        raise Refused("IV007")
    fulfilled, released = (r[1] + qty, r[2]) if kind == "FULFILL" else (r[1], r[2] + qty)
    status = ("ACTIVE" if r[0] - fulfilled - released > 0
              else "FULFILLED" if fulfilled > 0 else "RELEASED")
    return key, (r[0], fulfilled, released, status)


def apply_with_reservations(book, level, sku, wh, kind, qty, reason, ref):
    """Level after the event, updating the reservation book; raises Refused and changes nothing."""
    change = reservation_step(book, level, sku, wh, kind, qty, ref)
    after = step(level, sku, kind, qty, reason)
    if change is not None:
        book[change[0]] = change[1]
    return after


# ---- requests ---------------------------------------------------------------------------------

def random_request(rng, skus):
    kind = rng.choice(KINDS)
    sku = rng.choice(skus)
    wh = rng.randint(1, WAREHOUSES)
    qty = rng.randint(1, 6)
    reason = None
    if kind == "ADJUST":
        qty = qty if rng.random() < 0.4 else -qty
        reason = rng.choice(["SHRINKAGE", "FOUND", "CORRECTION"])
    elif kind == "COUNT":
        qty = rng.randint(0, 25)
    elif kind == "RETURN":
        reason = rng.choice(["RESTOCK", "DAMAGED"])
    ref = None
    if kind in ("ALLOCATE", "FULFILL", "DEALLOCATE") and rng.random() < 0.7:
        ref = f"R-{rng.randint(0, 12)}"
    return kind, sku, wh, qty, reason, ref


def request_sql(index, request, key):
    kind, sku, wh, qty, reason, ref = request
    reason_sql = "NULL" if reason is None else f"'{reason}'"
    ref_sql = "NULL" if ref is None else f"'{ref}'"
    if kind == "TRANSFER":
        call = (f"SELECT from_on_hand || ':' || to_on_hand FROM inventory.inventory_transfer("
                f"'{sku}', {wh}, {1 + wh % WAREHOUSES}, {qty}, NULL, '{key}')")
    else:
        call = (f"SELECT on_hand || ':' || reserved || ':' || available_to_sell FROM "
                f"inventory.inventory_apply_event('{sku}', {wh}, '{kind}', {qty}, {ref_sql}, '{key}', "
                f"{reason_sql})")
    return f"SELECT stress_try({index}, $q${call}$q$);\n"


def setup(db, rng_seed):
    subprocess.run(["dropdb", "--if-exists", db], capture_output=True)
    subprocess.run(["createdb", db], check=True)
    sql = ["CREATE EXTENSION inventory;"]
    for w in range(1, WAREHOUSES + 1):
        sql.append(f"SELECT inventory.inventory_create_warehouse('W{w}', 'Warehouse {w}', 'US');")
    for sku, (safety, backorder, limit) in POLICIES.items():
        sql.append(f"SELECT inventory.inventory_set_sku_policy('{sku}', {str(backorder).lower()}, "
                   f"{safety}, {'NULL' if limit is None else limit});")
    sql.append("""
CREATE FUNCTION stress_try(i integer, statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE result text; state text;
BEGIN
  EXECUTE statement INTO result;
  RETURN i || ':OK:' || result;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
  RETURN i || ':ERR:' || state;
END $f$;""")
    psql(db, "\n".join(sql))


def phase_one(db, seed, count):
    rng = random.Random(seed)
    skus = [f"HOT-{i}" for i in range(4)] + [f"COLD-{i}" for i in range(20)]
    requests = [random_request(rng, skus) for _ in range(count)]
    lines = psql(db, "".join(request_sql(i, r, f"p1-{i}") for i, r in enumerate(requests)),
                 single=False)
    levels, book = {}, {}
    mismatches = []
    for i, (request, line) in enumerate(zip(requests, lines)):
        kind, sku, wh, qty, reason, ref = request
        try:
            if kind == "TRANSFER":
                to = 1 + wh % WAREHOUSES
                src = step(levels.get((sku, wh), (0, 0)), sku, "TRANSFER_OUT", qty, reason)
                dst = step(levels.get((sku, to), (0, 0)), sku, "TRANSFER_IN", qty, reason)
                levels[(sku, wh)], levels[(sku, to)] = src, dst
                expected = f"{i}:OK:{src[0]}:{dst[0]}"
            else:
                after = apply_with_reservations(book, levels.get((sku, wh), (0, 0)), sku, wh,
                                                kind, qty, reason, ref)
                levels[(sku, wh)] = after
                expected = f"{i}:OK:{after[0]}:{after[1]}:{ats(after[0], after[1], sku)}"
        except Refused as refused:
            expected = f"{i}:ERR:{refused.sqlstate}"
        if line != expected:
            mismatches.append(f"request {i} {request}: model {expected}, extension {line}")
    applied = sum(1 for line in lines if ":OK:" in line)
    print(f"stress phase 1: seed {seed}, {count} requests, {applied} applied, "
          f"{count - applied} refused")
    check(f"stress phase 1 (seed {seed}) every outcome as the model predicts",
          len(lines) == count and not mismatches, "; ".join(mismatches[:3]))
    check_reservations(db, f"stress phase 1 (seed {seed})", book)
    return levels


def check_reservations(db, title, book):
    actual = {}
    for row in psql(db, "SELECT reference_id, sku, warehouse_id, quantity, fulfilled, released, "
                        "status FROM inventory.inventory_reservations;"):
        ref, sku, wh, quantity, fulfilled, released, status = row.split("|")
        actual[(ref, sku, int(wh))] = (int(quantity), int(fulfilled), int(released), status)
    check(f"{title} reservations equal the model ({len(book)})", actual == book,
          f"{len(actual)} reservations, model {len(book)}")
    check(f"{title} inventory_verify_reservations empty",
          psql(db, "SELECT count(*) FROM inventory.inventory_verify_reservations();") == ["0"])


def phase_two(db, seed, clients, per_client):
    rng = random.Random(seed + 1)
    skus = [f"HOT-{i}" for i in range(4)] * 50 + [f"COLD-{i}" for i in range(2000)]
    files, procs = [], []
    for c in range(clients):
        f = tempfile.NamedTemporaryFile("w", suffix=".sql")
        f.write("".join(request_sql(i, random_request(rng, skus), f"p2-c{c}-{i}")
                        for i in range(per_client)))
        f.flush()
        files.append(f)
        procs.append(subprocess.Popen(["psql", "-X", "-q", "-At", "-d", db, "-f", f.name],
                                      stdout=subprocess.PIPE, text=True))
    outputs = [p.communicate()[0].splitlines() for p in procs]
    for f in files:
        f.close()
    applied = sum(1 for out in outputs for line in out if ":OK:" in line)
    refused = sum(1 for out in outputs for line in out if ":ERR:" in line)
    print(f"stress phase 2: seed {seed}, {clients} clients x {per_client} requests, "
          f"{applied} applied, {refused} refused")
    check(f"stress phase 2 (seed {seed}) every request answered",
          applied + refused == clients * per_client)
    ledger_keys = int(psql(db, "SELECT count(*) FROM inventory.inventory_ledger "
                               "WHERE idempotency_key LIKE 'p2-%';")[0])
    check(f"stress phase 2 (seed {seed}) one ledger event per applied request",
          ledger_keys == applied, f"{ledger_keys} keyed events, {applied} applied")

    rows = psql(db, """SELECT sku, warehouse_id, event_type, quantity, coalesce(reason, ''),
                              coalesce(reference_id, ''), on_hand_after, reserved_after,
                              available_after, level_version
                         FROM inventory.inventory_ledger ORDER BY sku, warehouse_id, level_version;""")
    levels, book, problems = {}, {}, []
    for row in rows:
        sku, wh, kind, qty, reason, ref, on_hand, reserved, available, version = row.split("|")
        key = (sku, int(wh))
        before, seen = levels.get(key, ((0, 0), 0))
        try:
            # A reservation belongs to one level: replaying each level in order replays it.
            after = apply_with_reservations(book, before, sku, int(wh), kind, int(qty), reason,
                                            ref or None)
        except Refused as refused:
            problems.append(f"{key} v{version} {kind} {qty}: model refuses ({refused.sqlstate})")
            after = (int(on_hand), int(reserved))
        if after != (int(on_hand), int(reserved)) or int(available) != ats(*after, sku):
            problems.append(f"{key} v{version} {kind} {qty}: model {after}, ledger "
                            f"{on_hand}/{reserved}/{available}")
        if int(version) != seen + 1:
            problems.append(f"{key}: version {version} after {seen}")
        levels[key] = (after, int(version))
    check(f"stress phase 2 (seed {seed}) ledger history accepted by the model", not problems,
          "; ".join(problems[:3]))
    actual = {}
    for row in psql(db, "SELECT sku, warehouse_id, on_hand, reserved, available_to_sell, version "
                        "FROM inventory.inventory_levels;"):
        sku, wh, on_hand, reserved, available, version = row.split("|")
        actual[(sku, int(wh))] = ((int(on_hand), int(reserved)), int(version), int(available))
    expected = {k: (v[0], v[1], ats(*v[0], k[0])) for k, v in levels.items()}
    check(f"stress phase 2 (seed {seed}) final levels equal the model", actual == expected,
          f"{len(actual)} levels, model {len(expected)}")
    check(f"stress phase 2 (seed {seed}) inventory_verify empty",
          psql(db, "SELECT count(*) FROM inventory.inventory_verify();") == ["0"])
    check_reservations(db, f"stress phase 2 (seed {seed})", book)


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else random.randrange(1 << 30)
    print(f"stress seed {seed} (rerun: python3 test/stress/model.py {seed})")
    setup("stress_one", seed)
    phase_one("stress_one", seed, 3000)
    setup("stress_two", seed)
    phase_two("stress_two", seed, clients=4, per_client=2500)
    for db in ("stress_one", "stress_two"):
        subprocess.run(["dropdb", db], capture_output=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
