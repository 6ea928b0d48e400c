"""inventory-cache and inventory-http through the scale-out router (router.sh set it up)."""
import os, subprocess, sys
from harness import AS_OWNER, Services

build, load_seconds = sys.argv[1], int(sys.argv[2])
env = os.environ
h = Services(build, env["REDIS_DIR"], ["psql", "-h", env["ROUTER_HOST"], "-p", env["ROUTER_PORT"], "-d", env["ROUTER_DB"]])
check, psql, call, sqlstate, converged, key = h.check, h.psql, h.call, h.sqlstate, h.converged, h.key
router = f"host={env['ROUTER_HOST']} port={env['ROUTER_PORT']} dbname={env['ROUTER_DB']}"

def boss(sql): return psql(sql, user="boss")
def partition_of(sku): return int(psql(f"SELECT inventory_router.partition_of('{sku}')"))
def on_cluster(prefix, cluster, not_partition=-1):
    """A SKU whose partition is on that cluster (partition n lives on cluster n % 2)."""
    return next(f"{prefix}-{i}" for i in range(1, 500)
                if partition_of(f"{prefix}-{i}") % 2 == cluster and partition_of(f"{prefix}-{i}") != not_partition)

boss("SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US')")
boss("SELECT inventory.inventory_create_warehouse('LON-1', 'London', 'GB')")
for label, role in (("shop", "shop"), ("wms", "wh"), ("browser", "browser")):
    key[label] = boss(f"SELECT api_key FROM inventory.inventory_create_api_key('{role}', '{label} key')")
h.start_redis(); h.start_cache(router + " user=cache_reader"); h.start_http(router + " user=gateway")

check("healthz through the router", call("GET", "/healthz") == (200, {"database": True, "cache": True}))
tee, mug = on_cluster("TEE", 0), on_cluster("MUG", 1)
check("two SKUs on partitions of different servers", partition_of(tee) % 2 == 0 and partition_of(mug) % 2 == 1)
for sku in (tee, mug):
    r = call("POST", "/api/inventory/adjust", {"sku": sku, "change": 50, "reason": "RESTOCK"}, who="wms")
    check(f"adjust RESTOCK through the router (partition {partition_of(sku)})", r[0] == 200 and r[1]["event_type"] == "RECEIVE" and r[1]["on_hand"] == 50, r)
check("the partition ran the restock as the key's role (its user mapping)",
      psql(f"SELECT string_agg(DISTINCT actor, ',') FROM inventory.inventory_ledger WHERE sku IN ('{tee}', '{mug}')") == "wh")
r = call("POST", "/api/inventory/adjust", {"sku": tee, "change": 5, "reason": "RESTOCK"}, who="shop")
check("a shop key's restock is 403 from the partition", r[0] == 403 and sqlstate(r) in ("IV012", "42501"), r)
r = call("POST", "/api/inventory/adjust", {"sku": tee, "change": "5", "reason": "FOUND"}, who="wms")
check("bad input is 422 with the partition's SQLSTATE", r[0] == 422 and sqlstate(r) == "IV004", r)
check("refusals changed nothing", psql(f"SELECT sum(on_hand) FROM inventory.inventory_levels WHERE sku IN ('{tee}', '{mug}')") == "100")
r = call("GET", f"/api/inventory/availability?sku={tee}", who="ivk_" + "0" * 64)
check("an unknown key is 401 (looked up on partition 0)", r[0] == 401 and sqlstate(r) == "28000", r)

# A key whose role has no user mapping on the router: PL/Proxy refuses, nothing is written.
psql("CREATE ROLE unmapped NOLOGIN IN ROLE inventory_warehouse; GRANT unmapped TO boss, gateway")
key["unmapped"] = boss("SELECT api_key FROM inventory.inventory_create_api_key('unmapped', 'no mapping')")
r = call("POST", "/api/inventory/adjust", {"sku": tee, "change": 5, "reason": "RESTOCK"}, who="unmapped")
check("a key whose role has no user mapping fails closed: 500 42704", r[0] == 500 and sqlstate(r) == "42704" and psql(f"SELECT on_hand FROM inventory.inventory_levels WHERE sku = '{tee}'") == "50", r)

order = {"order_ref": "web-1", "ship_to": "US", "lines": [{"line": "1", "sku": tee, "quantity": 2}, {"line": "2", "sku": mug, "quantity": 3}]}
r = call("POST", "/api/orders", order, who="shop")
check("an order spanning two partitions reserves both lines", r[0] == 200 and [l["sku"] for l in r[1]["lines"]] == [tee, mug], r)
r = call("POST", "/api/orders", dict(order, order_ref="web-2", lines=[order["lines"][0], dict(order["lines"][1], quantity=500)]), who="shop")
check("an order short on one partition is 409 and holds nothing", r[0] == 409 and sqlstate(r) == "IV001"
      and psql(f"SELECT sum(reserved) FROM inventory.inventory_levels WHERE sku IN ('{tee}', '{mug}')") == "5", r)
r = call("POST", "/api/orders/web-1/release", {"reason": "CANCELLED"}, who="shop")
check("release finds the order's partitions", r[0] == 200 and sum(x["released"] for x in r[1]["released"]) == 5, r)
events = [{"sku": tee, "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 1}, {"sku": mug, "warehouse_id": 2, "event_type": "RECEIVE", "quantity": 7}]
r = call("POST", "/api/inventory/batches", {"events": events}, who="wms")
check("a batch spanning partitions without Idempotency-Key is 422 22023", r[0] == 422 and sqlstate(r) == "22023", r)
a = call("POST", "/api/inventory/batches", {"events": events}, who="wms", headers={"Idempotency-Key": "batch-1"})
b = call("POST", "/api/inventory/batches", {"events": events}, who="wms", headers={"Idempotency-Key": "batch-1"})
check("with one it applies per partition, and replays", a[0] == b[0] == 200 and all(x["replayed"] for x in b[1]["results"]), (a, b))

ok, bad = converged()
check("the cache equals the router's levels and totals", ok, bad)
r = call("GET", f"/api/inventory/availability?sku={mug}&warehouse_id=2", who="browser")
check("availability of one warehouse from the cache", r[0] == 200 and r[1]["source"] == "cache" and r[1]["available_to_sell"] == 7, r)
r = call("GET", f"/api/inventory/availability?sku={mug}&consistent=true", who="browser")
check("consistent=true reads the SKU's partition", r[1].get("source") == "database" and r[1]["available_to_sell"] == 57, r)
r = call("GET", f"/api/inventory/availability?sku={mug}&ship_to=GB", who="browser")
check("availability by ship-to country through the router", r[1].get("available_to_sell") == 7, r)

victim = boss("SELECT api_key FROM inventory.inventory_create_api_key('shop', 'short-lived')")
key["victim"] = victim
check("a new key works at once", call("GET", f"/api/inventory/availability?sku={tee}", who="victim")[0] == 200)
boss("SELECT inventory.inventory_revoke_api_key(key_id) FROM inventory.inventory_api_key_list WHERE label = 'short-lived'")
r = call("POST", "/api/inventory/events", {"sku": tee, "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 1}, who="victim")
check("a revoked key is refused through the router", r[0] == 401, r)

# ---- a striped SKU's flash sale while the cache lags on purpose
drop = on_cluster("DROP", 1)
boss(f"SELECT inventory.inventory_set_sku_policy('{drop}', stripes => 4)")
h.lagging_flash_sale(drop)

# ---- restarts: the router's position is stored and resumed; a partition's server restarts
h.cache_restart_resumes(router + " user=cache_reader")  # the router's position
subprocess.run(AS_OWNER + [f"{env['PG_BINDIR']}/pg_ctl", "-D", f"{env['PARTITION_CLUSTER_DIR']}/data", "-w", "-m", "fast", "restart"],
               stdout=subprocess.DEVNULL, check=True)
h.changes(6, "b")
ok, bad = converged(15)
check("a partition server's restart: the cache catches up", ok, bad)
r = call("POST", "/api/inventory/adjust", {"sku": mug, "change": 1, "reason": "FOUND"}, who="wms")
if r[0] == 503: r = call("POST", "/api/inventory/adjust", {"sku": mug, "change": 1, "reason": "FOUND"}, who="wms")
check("a partition server's restart: the API writes again", r[0] == 200, r)

# ---- bounded load test (loopback, stops by itself)
sys.exit(h.load_test_and_finish(on_cluster("LOAD", 1), load_seconds, label="through the router "))
