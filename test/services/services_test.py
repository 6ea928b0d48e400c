"""Drives inventory-cache and inventory-http against the cluster and Redis of run.sh."""
import http.client, json, os, signal, subprocess, sys, threading, time

build, load_seconds = sys.argv[1], int(sys.argv[2])
redis_dir, cluster_dir, pg_bindir = os.environ["REDIS_DIR"], os.environ["CLUSTER_DIR"], os.environ["PG_BINDIR"]
sock = f"{redis_dir}/redis.sock"
failures = 0
as_owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

import atexit
children = []
@atexit.register
def _stop_children():
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGCONT); child.kill()

def check(name, ok, info=""):
    global failures
    print(f"services check {name} ... {'ok' if ok else 'FAILED'}" + (f"  ({info})" if info and not ok else ""), flush=True)
    failures += 0 if ok else 1

def psql(sql, db="shop_db", user="postgres"):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", db, "-c", sql],
                         capture_output=True, text=True)
    if out.returncode: raise RuntimeError(out.stderr)
    return out.stdout.strip()

def redis(*args):
    return subprocess.run(["redis-cli", "-s", sock, *args], capture_output=True, text=True).stdout.strip()

redis_proc = None
def start_redis():
    global redis_proc
    redis_proc = subprocess.Popen(as_owner + ["redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm", "777",
        "--save", "", "--appendonly", "no", "--dir", redis_dir], stdout=subprocess.DEVNULL)
    children.append(redis_proc)
    for _ in range(100):
        if redis("PING") == "PONG": return
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")

def stop_redis():
    redis("SHUTDOWN", "NOSAVE"); redis_proc.wait(10)

conn = f"host={os.environ['PGHOST']} port={os.environ['PGPORT']} dbname=shop_db"
cache_log = open(f"{redis_dir}/cache.log", "w+")
cache = None
def start_cache():
    global cache
    cache = subprocess.Popen([f"{build}/inventory-cache", "--database", conn + " user=cache_reader", "--redis", "unix:" + sock,
                              "--poll-ms", "50", "--report-seconds", "1"], stderr=cache_log)
    children.append(cache)

def stop_cache():
    cache.send_signal(signal.SIGTERM); cache.wait(10)

def cache_said(text):
    cache_log.flush(); cache_log.seek(0); return text in cache_log.read()

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
key = {r: psql(f"SELECT api_key FROM inventory.inventory_create_api_key('{r}', '{r} key')") for r in ("shop", "wms", "browser")}

start_redis(); start_cache()
http_log = open(f"{redis_dir}/http.log", "w+")
server = subprocess.Popen([f"{build}/inventory-http", "--database", conn + " user=gateway", "--redis", "unix:" + sock,
    "--listen", "127.0.0.1:0", "--workers", "4", "--default-warehouse", "1", "--key-cache-seconds", "1"],
    stdout=subprocess.PIPE, stderr=http_log, text=True)
children.append(server)
port = int(server.stdout.readline().rsplit(":", 1)[1])

def call(method, path, body=None, who=None, headers=None, raw=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    if who: h["Authorization"] = "Bearer " + key.get(who, who)
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    c.request(method, path, body=data, headers=h)
    r = c.getresponse(); text = r.read().decode(); c.close()
    try: return r.status, json.loads(text)
    except ValueError: return r.status, text

def sqlstate(resp): return resp[1].get("error", {}).get("sqlstate") if isinstance(resp[1], dict) else None

def converged(timeout=10):
    """Every level and SKU total in Redis equals the database (inventory_levels, inventory_ats)."""
    deadline = time.time() + timeout
    while True:
        rows = psql("SELECT warehouse_id || ':' || sku, on_hand, reserved, available_to_sell, version FROM inventory.inventory_levels ORDER BY 1")
        skus = psql("SELECT sku, inventory.inventory_ats(sku) FROM (SELECT DISTINCT sku FROM inventory.inventory_levels) s ORDER BY 1")
        want = {l.split("|")[0]: l.split("|")[1:] for l in rows.splitlines() if l}
        bad = []
        members = set(filter(None, redis("SMEMBERS", "inventory:levels").splitlines()))
        if members != set(want): bad.append("level set")
        for member, figures in want.items():
            wh, sku = member.split(":", 1)
            got = redis("HMGET", f"inventory:level:{wh}:{sku}", "on_hand", "reserved", "available_to_sell", "version").splitlines()
            if got != figures: bad.append(member)
        for line in filter(None, skus.splitlines()):
            sku, ats = line.split("|")
            if redis("HGET", f"inventory:sku:{sku}", "available_to_sell") != ats: bad.append("total " + sku)
        if not bad or time.time() > deadline: return not bad, bad[:5]
        time.sleep(0.1)

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
call("POST", "/api/inventory/adjust", {"sku": "DROP", "change": 5, "reason": "RESTOCK"}, who="wms")
converged()
cache.send_signal(signal.SIGSTOP)
results = []
def buy(i):
    results.append(call("POST", "/api/orders", {"order_ref": f"drop-{i}", "lines": [{"line": "1", "sku": "DROP", "quantity": 1}], "fixed_warehouse_id": 1}, who="shop")[0])
threads = [threading.Thread(target=buy, args=(i,)) for i in range(20)]
[t.start() for t in threads]; [t.join() for t in threads]
check("flash sale: exactly 5 of 20 checkouts win, 15 get 409", sorted(results) == [200] * 5 + [409] * 15, results)
time.sleep(0.5)
r = call("GET", "/api/inventory/availability?sku=DROP", who="browser")
check("the lagging cache shows the stale number with its age", r[1].get("available_to_sell") == 5 and r[1]["age_ms"] >= 500, r)
check("the database shows 0", call("GET", "/api/inventory/availability?sku=DROP&consistent=true", who="browser")[1]["available_to_sell"] == 0)
check("no oversell: inventory_verify() is empty", psql("SELECT count(*) FROM inventory.inventory_verify()") == "0")
cache.send_signal(signal.SIGCONT)
ok, bad = converged()
check("the cache converges once the lag ends", ok and call("GET", "/api/inventory/availability?sku=DROP", who="browser")[1]["available_to_sell"] == 0, bad)

# ---- restarts: nothing missed
def changes(n, tag):
    for i in range(n):
        psql(f"SELECT inventory.inventory_apply_event('R-{tag}-{i % 3}', {1 + i % 2}, 'RECEIVE', {i + 1})")
stop_cache(); changes(6, "a"); start_cache()
ok, bad = converged()
check("inventory-cache restart resumes from its stored position", ok and cache_said("resuming from the stored position"), bad)
stop_redis(); changes(4, "b"); start_redis()
ok, bad = converged(15)
check("Redis restart (data lost): full resync", ok and cache_said("Redis holds no cache"), bad)
redis("FLUSHALL"); changes(2, "c")
ok, bad = converged(15)
check("FLUSHALL (marker gone): full resync", ok and cache_said("marker is gone"), bad)
subprocess.run(as_owner + [f"{pg_bindir}/pg_ctl", "-D", f"{cluster_dir}/data", "-w", "-m", "fast", "restart"], stdout=subprocess.DEVNULL, check=True)
changes(3, "d")
ok, bad = converged(15)
check("PostgreSQL restart: the cache reconnects and catches up", ok, bad)
r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 1, "reason": "FOUND"}, who="wms")
if r[0] == 503: r = call("POST", "/api/inventory/adjust", {"sku": "TSH-RED", "change": 1, "reason": "FOUND"}, who="wms")
check("PostgreSQL restart: the HTTP API reconnects", r[0] == 200, r)

# ---- bounded load test (loopback, stops by itself)
call("POST", "/api/inventory/adjust", {"sku": "LOAD", "change": 10**9, "reason": "RESTOCK"}, who="wms")
def load(kind, clients, seconds):
    lat, errors, stop = [], [], time.time() + seconds
    def worker(n):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30); i = 0
        h = {"Authorization": "Bearer " + key["shop" if kind == "checkout" else "browser"], "Content-Type": "application/json"}
        while time.time() < stop:
            i += 1; t = time.perf_counter()
            if kind == "checkout":
                c.request("POST", "/api/orders", body=json.dumps({"order_ref": f"load-{n}-{i}", "lines": [{"line": "1", "sku": "LOAD", "quantity": 1}], "fixed_warehouse_id": 1}), headers=h)
            else:
                c.request("GET", "/api/inventory/availability?sku=LOAD", headers=h)
            try:
                r = c.getresponse(); r.read(); lat.append(time.perf_counter() - t)
            except (OSError, http.client.HTTPException) as e:
                errors.append(repr(e)); c = http.client.HTTPConnection("127.0.0.1", port, timeout=30); continue
            if r.status != 200: errors.append(r.status)
    ts = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    [t.start() for t in ts]; [t.join() for t in ts]
    lat.sort()
    p = lambda q: 0 if not lat else lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print(f"load {kind}: {clients} clients, {seconds} s: {len(lat) / seconds:.0f} requests/s, p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, {len(errors)} errors", flush=True)
    return errors, len(lat)
errors, n = load("checkout", 8, load_seconds)
check("load test: checkouts all succeed", not errors and n > 0, errors[:5])
errors, n = load("cached-read", 8, load_seconds)
check("load test: cached reads all succeed", not errors and n > 0, errors[:5])
ok, bad = converged()
check("after the load the cache equals the database and inventory_verify() is empty", ok and psql("SELECT count(*) FROM inventory.inventory_verify()") == "0", bad)
cache_log.flush(); cache_log.seek(0)
lags = [l for l in cache_log.read().splitlines() if " lag " in l]
print("cache lag report:", lags[-1].split(": ", 1)[1] if lags else "none", flush=True)
http_log.flush(); http_log.seek(0)
check("no API key in the logs", not any(k in open(f"{redis_dir}/http.log").read() + open(f"{redis_dir}/cache.log").read() for k in key.values()))

check("inventory-http is still running", server.poll() is None, server.poll())
server.send_signal(signal.SIGTERM); server.wait(10); stop_cache(); stop_redis()
sys.exit(1 if failures else 0)
