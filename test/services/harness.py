"""What services_test.py (one server) and router_test.py (the scale-out router) share: checks,
a private redis-server, inventory-cache and inventory-http as children, HTTP calls, the
cache-equals-database comparison and the bounded load test."""
import atexit, http.client, json, os, signal, subprocess, threading, time

AS_OWNER = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


class Services:
    def __init__(self, build, redis_dir, psql_command):
        """psql_command: the psql argument list that reaches the database the programs use."""
        self.build, self.redis_dir, self.psql_command = build, redis_dir, psql_command
        self.sock = f"{redis_dir}/redis.sock"
        self.failures = 0
        self.children = []
        self.key = {}
        self.redis_proc = self.cache = self.server = None
        self.cache_log = open(f"{redis_dir}/cache.log", "w+")
        self.http_log = open(f"{redis_dir}/http.log", "w+")
        atexit.register(self._stop_children)

    def _stop_children(self):
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGCONT); child.kill()

    def check(self, name, ok, info=""):
        print(f"services check {name} ... {'ok' if ok else 'FAILED'}" + (f"  ({info})" if info and not ok else ""), flush=True)
        self.failures += 0 if ok else 1

    def psql(self, sql, user="postgres"):
        out = subprocess.run(self.psql_command + ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-U", user, "-c", sql],
                             capture_output=True, text=True)
        if out.returncode: raise RuntimeError(out.stderr)
        return out.stdout.strip()

    def redis(self, *args):
        return subprocess.run(["redis-cli", "-s", self.sock, *args], capture_output=True, text=True).stdout.strip()

    def start_redis(self):
        self.redis_proc = subprocess.Popen(AS_OWNER + ["redis-server", "--port", "0", "--unixsocket", self.sock,
            "--unixsocketperm", "777", "--save", "", "--appendonly", "no", "--dir", self.redis_dir], stdout=subprocess.DEVNULL)
        self.children.append(self.redis_proc)
        for _ in range(100):
            if self.redis("PING") == "PONG": return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop_redis(self):
        self.redis("SHUTDOWN", "NOSAVE"); self.redis_proc.wait(10)

    def start_cache(self, database):
        self.cache = subprocess.Popen([f"{self.build}/inventory-cache", "--database", database, "--redis", "unix:" + self.sock,
                                       "--poll-ms", "50", "--report-seconds", "1"], stderr=self.cache_log)
        self.children.append(self.cache)

    def stop_cache(self):
        self.cache.send_signal(signal.SIGTERM); self.cache.wait(10)

    def cache_said(self, text):
        self.cache_log.flush(); self.cache_log.seek(0); return text in self.cache_log.read()

    def start_http(self, database):
        self.server = subprocess.Popen([f"{self.build}/inventory-http", "--database", database, "--redis", "unix:" + self.sock,
            "--listen", "127.0.0.1:0", "--workers", "4", "--default-warehouse", "1", "--key-cache-seconds", "1"],
            stdout=subprocess.PIPE, stderr=self.http_log, text=True)
        self.children.append(self.server)
        self.port = int(self.server.stdout.readline().rsplit(":", 1)[1])

    def stop_http(self):
        self.server.send_signal(signal.SIGTERM); self.server.wait(10)

    def call(self, method, path, body=None, who=None, headers=None, raw=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if who: h["Authorization"] = "Bearer " + self.key.get(who, who)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        c.request(method, path, body=data, headers=h)
        r = c.getresponse(); text = r.read().decode(); c.close()
        try: return r.status, json.loads(text)
        except ValueError: return r.status, text

    @staticmethod
    def sqlstate(resp): return resp[1].get("error", {}).get("sqlstate") if isinstance(resp[1], dict) else None

    def converged(self, timeout=10):
        """Every level and SKU total in Redis equals the database (inventory_levels, inventory_ats)."""
        deadline = time.time() + timeout
        while True:
            rows = self.psql("SELECT warehouse_id || ':' || sku, on_hand, reserved, available_to_sell, version FROM inventory.inventory_levels ORDER BY 1")
            skus = self.psql("SELECT sku, inventory.inventory_ats(sku) FROM (SELECT DISTINCT sku FROM inventory.inventory_levels) s ORDER BY 1")
            want = {l.split("|")[0]: l.split("|")[1:] for l in rows.splitlines() if l}
            bad = []
            members = set(filter(None, self.redis("SMEMBERS", "inventory:levels").splitlines()))
            if members != set(want): bad.append("level set")
            for member, figures in want.items():
                wh, sku = member.split(":", 1)
                got = self.redis("HMGET", f"inventory:level:{wh}:{sku}", "on_hand", "reserved", "available_to_sell", "version").splitlines()
                if got != figures: bad.append(member)
            for line in filter(None, skus.splitlines()):
                sku, ats = line.split("|")
                if self.redis("HGET", f"inventory:sku:{sku}", "available_to_sell") != ats: bad.append("total " + sku)
            if not bad or time.time() > deadline: return not bad, bad[:5]
            time.sleep(0.1)

    def lagging_flash_sale(self, sku, stock=5, buyers=20):
        """The caching danger, shown: buyers one-unit checkouts race for stock units of sku
        (warehouse 1) while inventory-cache is stopped; checkout stays exact, the website's read
        is stale and says how old, and the cache converges once it runs again."""
        self.call("POST", "/api/inventory/adjust", {"sku": sku, "change": stock, "reason": "RESTOCK"}, who="wms")
        self.converged()
        self.cache.send_signal(signal.SIGSTOP)
        results = []
        def buy(i):
            results.append(self.call("POST", "/api/orders", {"order_ref": f"{sku}-{i}", "lines": [{"line": "1", "sku": sku, "quantity": 1}],
                                                            "fixed_warehouse_id": 1}, who="shop")[0])
        threads = [threading.Thread(target=buy, args=(i,)) for i in range(buyers)]
        [t.start() for t in threads]; [t.join() for t in threads]
        self.check(f"flash sale: exactly {stock} of {buyers} checkouts win, the rest get 409",
                   sorted(results) == [200] * stock + [409] * (buyers - stock), results)
        time.sleep(0.5)
        r = self.call("GET", f"/api/inventory/availability?sku={sku}", who="browser")
        self.check("the lagging cache shows the stale number with its age", r[1].get("available_to_sell") == stock and r[1]["age_ms"] >= 500, r)
        r = self.call("GET", f"/api/inventory/availability?sku={sku}&consistent=true", who="browser")
        self.check("the database shows 0", r[1].get("available_to_sell") == 0, r)
        self.check("no oversell: inventory_verify() is empty", self.psql("SELECT count(*) FROM inventory.inventory_verify()") == "0")
        self.cache.send_signal(signal.SIGCONT)
        ok, bad = self.converged()
        r = self.call("GET", f"/api/inventory/availability?sku={sku}", who="browser")
        self.check("the cache converges once the lag ends", ok and r[1]["available_to_sell"] == 0, bad)

    def changes(self, n, tag):
        """n RECEIVEs on three SKUs over warehouses 1 and 2, straight into the database."""
        for i in range(n):
            self.psql(f"SELECT inventory.inventory_apply_event('R-{tag}-{i % 3}', {1 + i % 2}, 'RECEIVE', {i + 1})")

    def cache_restart_resumes(self, database):
        self.stop_cache(); self.changes(6, "a"); self.start_cache(database)
        ok, bad = self.converged()
        self.check("inventory-cache restart resumes from its stored position", ok and self.cache_said("resuming from the stored position"), bad)

    def load(self, kind, clients, seconds, sku, label=""):
        """Checkouts of sku (kind "checkout") or cached reads of it, for seconds: prints the figures."""
        lat, errors, stop = [], [], time.time() + seconds
        def worker(n):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30); i = 0
            h = {"Authorization": "Bearer " + self.key["shop" if kind == "checkout" else "browser"], "Content-Type": "application/json"}
            while time.time() < stop:
                i += 1; t = time.perf_counter()
                if kind == "checkout":
                    c.request("POST", "/api/orders", body=json.dumps({"order_ref": f"load-{n}-{i}", "lines": [{"line": "1", "sku": sku, "quantity": 1}],
                                                                     "fixed_warehouse_id": 1}), headers=h)
                else:
                    c.request("GET", f"/api/inventory/availability?sku={sku}", headers=h)
                try:
                    r = c.getresponse(); r.read(); lat.append(time.perf_counter() - t)
                except (OSError, http.client.HTTPException) as e:
                    errors.append(repr(e)); c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30); continue
                if r.status != 200: errors.append(r.status)
        ts = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
        [t.start() for t in ts]; [t.join() for t in ts]
        lat.sort()
        p = lambda q: 0 if not lat else lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
        print(f"load {label}{kind}: {clients} clients, {seconds} s: {len(lat) / seconds:.0f} requests/s, p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, {len(errors)} errors", flush=True)
        return errors, len(lat)

    def load_test_and_finish(self, sku, seconds, label=""):
        """The bounded load test on sku (restocked first), the final checks, then every child
        stopped: the exit status."""
        self.call("POST", "/api/inventory/adjust", {"sku": sku, "change": 10**9, "reason": "RESTOCK"}, who="wms")
        for kind in ("checkout", "cached-read"):
            errors, n = self.load(kind, 8, seconds, sku=sku, label=label)
            self.check(f"load test {label}{kind}: all requests succeed", not errors and n > 0, errors[:5])
        ok, bad = self.converged()
        self.check("after the load the cache equals the database and inventory_verify() is empty",
                   ok and self.psql("SELECT count(*) FROM inventory.inventory_verify()") == "0", bad)
        print(f"cache lag report {label}".rstrip() + ":", self.lag_report(), flush=True)
        self.check("no API key in the logs", self.logs_hold_no_key())
        self.check("inventory-http is still running", self.server.poll() is None, self.server.poll())
        self.stop_http(); self.stop_cache(); self.stop_redis()
        return 1 if self.failures else 0

    def lag_report(self):
        self.cache_log.flush(); self.cache_log.seek(0)
        lags = [l for l in self.cache_log.read().splitlines() if " lag " in l]
        return lags[-1].split(": ", 1)[1] if lags else "none"

    def logs_hold_no_key(self):
        self.http_log.flush(); self.cache_log.flush()
        text = open(f"{self.redis_dir}/http.log").read() + open(f"{self.redis_dir}/cache.log").read()
        return not any(k in text for k in self.key.values())
