"""Drives inventory-cache and inventory-http against the cluster and Redis of run.sh."""
import os, subprocess, sys, time
from harness import AS_OWNER, Services

build, load_seconds = sys.argv[1], int(sys.argv[2])
redis_dir, cluster_dir, pg_bindir = os.environ["REDIS_DIR"], os.environ["CLUSTER_DIR"], os.environ["PG_BINDIR"]
h = Services(build, redis_dir, ["psql", "-d", "shop_db"])
check, psql, redis, call, sqlstate, converged, key = h.check, h.psql, h.redis, h.call, h.sqlstate, h.converged, h.key
conn = f"host={os.environ['PGHOST']} port={os.environ['PGPORT']} dbname=shop_db"

# ---- database, roles, keys
subprocess.run(["createdb", "-U", "postgres", "shop_db"], check=True)
psql("""CREATE EXTENSION inventory;
SELECT inventory.inventory_create_warehouse('NYC-1', 'New York', 'US');
SELECT inventory.inventory_create_warehouse('LON-1', 'London', 'GB');
CREATE ROLE shop NOLOGIN; GRANT inventory_app TO shop;
CREATE ROLE wms NOLOGIN; GRANT inventory_warehouse TO wms;
CREATE ROLE browser NOLOGIN; GRANT inventory_reader TO browser;
CREATE ROLE cache_reader LOGIN; GRANT inventory_reader TO cache_reader;
CREATE ROLE gateway LOGIN NOINHERIT; GRANT inventory_reader, shop, wms, browser TO gateway;""")
key.update({r: psql(f"SELECT api_key FROM inventory.inventory_create_api_key('{r}', '{r} key')") for r in ("shop", "wms", "browser")})

h.start_redis(); h.start_cache(conn + " user=cache_reader"); h.start_http(conn + " user=gateway")

# ---- routes and statuses
s, doc = call("GET", "/api/openapi.json")
check("openapi document served", s == 200 and "/api/inventory/adjust" in doc["paths"])
check("healthz", call("GET", "/healthz") == (200, {"database": True, "cache": True}))
r = call("GET", "/api/inventory/availability?sku=TSH-RED")
check("no key is 401 (28000)", r[0] == 401 and sqlstate(r) == "28000")
r = call("GET", "/api/inventory/availability?sku=TSH-RED", who="ivk_" + "0" * 64)
check("unknown key is 401", r[0] == 401)
r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 50, "reason": "RESTOCK"}, who="wms")
check("adjust RESTOCK by a warehouse key is a RECEIVE", r[0] == 200 and r[1]["event_type"] == "RECEIVE" and r[1]["on_hand"] == 50, r)
r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 50, "reason": "RESTOCK"}, who="shop")
check("adjust RESTOCK by a shop key is 403", r[0] == 403 and sqlstate(r) in ("IV012", "42501"), r)
check("the refused restock changed nothing", psql("SELECT on_hand FROM inventory.inventory_levels WHERE sku='TSH-RED'") == "50")
r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": -2, "reason": "DAMAGED"}, who="wms")
check("adjust DAMAGED is an ADJUST", r[0] == 200 and r[1]["event_type"] == "ADJUST" and r[1]["on_hand"] == 48, r)
for name, body, raw, want in [
        ("change as a string", {"sku": "TSH-RED", "change": "5", "reason": "FOUND"}, None, "IV004"),
        ("a fractional change", {"sku": "TSH-RED", "change": 1.5, "reason": "FOUND"}, None, "IV004"),
        ("an unknown field", {"sku": "TSH-RED", "chnage": 5, "reason": "FOUND"}, None, "22023"),
        ("a body that is not JSON", None, "{sku", "22P02"),
        ("an unknown reason", {"sku": "TSH-RED", "change": 5, "reason": "BORED"}, None, "IV006"),
        ("an unknown warehouse", {"sku": "TSH-RED", "change": 5, "reason": "FOUND", "warehouse_id": 99}, None, "IV003"),
        ("an empty SKU", {"sku": "", "change": 5, "reason": "FOUND"}, None, "IV009"),
        ("an overflowing change", {"sku": "TSH-RED", "change": 99999999999999999999, "reason": "FOUND"}, None, "IV004")]:
    r = call("POST", "/api/inventory/adjust", body, who="wms", raw=raw)
    check(f"adjust with {name} is 422 {want}", r[0] == 422 and sqlstate(r) == want, r)
check("bad input changed nothing", psql("SELECT on_hand FROM inventory.inventory_levels WHERE sku='TSH-RED'") == "48")
idem = {"Idempotency-Key": "restock-7"}
a = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 10, "reason": "RESTOCK"}, who="wms", headers=idem)
b = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 10, "reason": "RESTOCK"}, who="wms", headers=idem)
check("a retried adjust replays", a[0] == b[0] == 200 and b[1]["replayed"] and b[1]["event_id"] == a[1]["event_id"] and b[1]["on_hand"] == 58, (a, b))
r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 11, "reason": "RESTOCK"}, who="wms", headers=idem)
check("a reused Idempotency-Key with another payload is 409 IV002", r[0] == 409 and sqlstate(r) == "IV002", r)
r = call("POST", "/api/inventory/events", {"sku": "TSH-RED", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 3, "reference_id": "o-1"}, who="shop")
check("event ALLOCATE by a shop key", r[0] == 200 and r[1]["reserved"] == 3, r)
r = call("POST", "/api/inventory/events", {"sku": "TSH-RED", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 1000}, who="shop")
check("allocating beyond stock is 409 IV001", r[0] == 409 and sqlstate(r) == "IV001", r)
r = call("POST", "/api/inventory/events", {"sku": "TSH-RED", "warehouse_id": "1", "event_type": "ALLOCATE", "quantity": 1}, who="shop")
check("a warehouse_id as a string is 422", r[0] == 422, r)
r = call("POST", "/api/inventory/batches", {"events": [{"sku": "MUG", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 5},
                                                     {"sku": "MUG", "warehouse_id": 2, "event_type": "RECEIVE", "quantity": 7}]}, who="wms")
check("a batch applies every event", r[0] == 200 and [x["ordinal"] for x in r[1]["results"]] == [1, 2], r)
r = call("POST", "/api/inventory/batches", {"events": [{"sku": "MUG", "warehouse_id": 1, "event_type": "RECEIVE", "quantity": 5},
                                                     {"sku": "MUG", "warehouse_id": 1, "event_type": "FULFILL", "quantity": 500}]}, who="wms")
check("a failing batch is 409 and applies nothing", r[0] == 409 and psql("SELECT on_hand FROM inventory.inventory_levels WHERE sku='MUG' AND warehouse_id=1") == "5", r)
order = {"order_ref": "web-1", "lines": [{"line": "1", "sku": "MUG", "quantity": 2}], "ship_to": "US"}
a = call("POST", "/api/orders", order, who="shop"); b = call("POST", "/api/orders", order, who="shop")
check("an order reserves, and replays", a[0] == b[0] == 200 and a[1]["lines"][0]["warehouse_id"] == 1 and b[1]["lines"][0]["replayed"], (a, b))
r = call("POST", "/api/orders", dict(order, lines=[{"line": "1", "sku": "MUG", "quantity": 3}]), who="shop")
check("another request under the same order_ref is 409 IV002", r[0] == 409 and sqlstate(r) == "IV002", r)
r = call("POST", "/api/orders", {"order_ref": 5, "lines": []}, who="shop")
check("an order_ref that is not a string is 422", r[0] == 422 and sqlstate(r) == "22023", r)
r = call("POST", "/api/orders/web-1/release", {"reason": "CANCELLED"}, who="shop")
check("release an order", r[0] == 200 and r[1]["released"][0]["released"] == 2, r)
r = call("POST", "/api/orders/nope/release", None, who="shop")
check("release an unknown order is 404 IV013", r[0] == 404 and sqlstate(r) == "IV013", r)
check("unknown route is 404, wrong method 405", call("GET", "/api/nothing", who="shop")[0] == 404 and call("GET", "/api/orders", who="shop")[0] == 405)
ok, bad = converged()
check("the cache equals the database", ok, bad)
r = call("GET", "/api/inventory/availability?sku=TSH-RED", who="browser")
check("availability from the cache, with its age", r[0] == 200 and r[1]["source"] == "cache" and r[1]["available_to_sell"] == 55 and r[1]["age_ms"] >= 0, r)
r = call("GET", "/api/inventory/availability?sku=MUG&warehouse_id=2", who="browser")
check("availability of one warehouse from the cache", r[1].get("available_to_sell") == 7 and r[1]["source"] == "cache", r)
r = call("GET", "/api/inventory/availability?sku=TSH-RED&consistent=true", who="browser")
check("consistent=true reads the database", r[1].get("source") == "database" and r[1]["available_to_sell"] == 55, r)
r = call("GET", "/api/inventory/availability?sku=MUG&ship_to=GB", who="browser")
check("availability by ship-to country reads the database", r[1].get("available_to_sell") == 7 and r[1]["source"] == "database", r)
for q, want in [("", "22004"), ("?sku=MUG&warehouse_id=x", "22P02"), ("?sku=MUG&warehouse_id=1&ship_to=US", "22023"), ("?sku=%20MUG", "IV009")]:
    r = call("GET", "/api/inventory/availability" + q, who="browser")
    check(f"availability{q or ' without sku'} is 422 {want}", r[0] == 422 and sqlstate(r) == want, r)
s, status = call("GET", "/api/cache/status", who="browser")
check("cache status reports its age and lag", s == 200 and status["ready"] and "lag_ms" in status and "age_ms" in status, status)

# ---- revocation
victim = psql("SELECT api_key FROM inventory.inventory_create_api_key('shop', 'short-lived')")
key["victim"] = victim
call("GET", "/api/inventory/availability?sku=MUG", who="victim")
psql("SELECT inventory.inventory_revoke_api_key(key_id) FROM inventory.inventory_api_key_list WHERE label = 'short-lived'")
r = call("POST", "/api/inventory/events", {"sku": "MUG", "warehouse_id": 1, "event_type": "ALLOCATE", "quantity": 1}, who="victim")
check("a revoked key is refused at once by a database call", r[0] == 401, r)
time.sleep(1.2)
check("and by cached reads once --key-cache-seconds passed", call("GET", "/api/inventory/availability?sku=MUG", who="victim")[0] == 401)

# ---- flash sale while the cache lags on purpose
psql("SELECT inventory.inventory_set_sku_policy('DROP', stripes => 4)")
h.lagging_flash_sale("DROP")

# ---- restarts: nothing missed
h.cache_restart_resumes(conn + " user=cache_reader")
h.stop_redis(); h.changes(4, "b"); h.start_redis()
ok, bad = converged(15)
check("Redis restart (data lost): full resync", ok and h.cache_said("Redis holds no cache"), bad)
redis("FLUSHALL"); h.changes(2, "c")
ok, bad = converged(15)
check("FLUSHALL (marker gone): full resync", ok and h.cache_said("marker is gone"), bad)
subprocess.run(AS_OWNER + [f"{pg_bindir}/pg_ctl", "-D", f"{cluster_dir}/data", "-w", "-m", "fast", "restart"], stdout=subprocess.DEVNULL, check=True)
h.changes(3, "d")
ok, bad = converged(15)
check("PostgreSQL restart: the cache reconnects and catches up", ok, bad)
r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 1, "reason": "FOUND"}, who="wms")
if r[0] == 503: r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 1, "reason": "FOUND"}, who="wms")
check("PostgreSQL restart: the HTTP API reconnects", r[0] == 200, r)

# ---- bounded load test (loopback, stops by itself)
sys.exit(h.load_test_and_finish("LOAD", load_seconds, label=""))
