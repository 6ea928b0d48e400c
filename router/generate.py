#!/usr/bin/env python3
"""Generates the install script of inventory_router from the inventory extension's own SQL.

Every public function of `inventory` (one that src/sql grants to a role) gets a twin in the
router with the same name, signature, result, comment and grants, taken from src/sql as
written; routes.txt says where each twin runs. A public function without a route, or a route
without a function, is an error, so that the router cannot silently fall behind the extension.

Usage: generate.py SRC_SQL_DIR ROUTER_DIR VERSION > inventory_router--VERSION.sql
"""
import re
import sys
from pathlib import Path

CLUSTER = "inventory_partitions"
SEARCH_PATH = "SET search_path TO 'pg_catalog', 'pg_temp'"


def fail(message):
    sys.exit(f"generate.py: {message}")


def split_top_level(text):
    """Splits at commas outside parentheses and quotes."""
    parts, depth, quoted, current = [], 0, False, []
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def matching_paren(text, start):
    depth, quoted = 0, False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth == 0:
                return i
    fail(f"unbalanced parentheses near {text[start:start + 60]!r}")


class Argument:
    def __init__(self, text):
        self.text = text
        words = text.split()
        self.out = words[0] == "OUT"
        if words[0] in ("IN", "OUT"):
            words = words[1:]
        self.name = words[0]
        rest = " ".join(words[1:])
        self.type = re.split(r"\s+DEFAULT\s+", rest)[0]


class Function:
    """One CREATE FUNCTION of src/sql: its signature line, attributes, comment and grants."""

    def __init__(self, kind, name, args_text, result, attributes):
        self.kind = kind  # FUNCTION or PROCEDURE
        self.name = name
        self.args_text = args_text
        self.args = [Argument(a) for a in split_top_level(args_text)]
        self.result = result
        self.attributes = attributes
        self.comment = None
        self.grants = []

    def granted_roles(self):
        return [re.search(r" TO (\w+);$", g).group(1) for g in self.grants if g.startswith("GRANT")]

    @property
    def in_args(self):
        return [a for a in self.args if not a.out]

    @property
    def key(self):
        return f"{self.name}({','.join(a.name for a in self.in_args)})"

    @property
    def signature(self):
        if self.kind == "PROCEDURE":
            return f"inventory.{self.name}({self.args_text})"
        return f"inventory.{self.name}({self.args_text}) RETURNS {self.result}"

    def helper_result(self):
        """The result of the per-partition helper: always a set."""
        outs = [a for a in self.args if a.out]
        if outs:
            return "TABLE(" + ", ".join(f"{a.name} {a.type}" for a in outs) + ")"
        if self.result.startswith("TABLE(") or self.result.startswith("SETOF "):
            return self.result
        return "SETOF " + self.result

    def returns_columns(self):
        return bool([a for a in self.args if a.out]) or self.result.startswith("TABLE(") or \
            self.result.startswith("inventory.")


def key_of(name, args_text):
    names = [Argument(a).name for a in split_top_level(args_text) if not a.startswith("OUT ")]
    return f"{name}({','.join(names)})"


def read_sources(src):
    order = (src / "ORDER").read_text().split()
    texts = [(f, (src / f"{f}.sql").read_text()) for f in order]
    functions, tables = {}, {}
    for _, text in texts:
        for m in re.finditer(r"^CREATE OR REPLACE (FUNCTION|PROCEDURE) inventory\.(\w+)\(", text, re.M):
            close = matching_paren(text, m.end() - 1)
            args_text = text[m.end():close]
            end = text.index(";", close)
            body = text[close + 1:end]
            if m.group(1) == "PROCEDURE":
                result, attributes = None, body
            else:
                result = re.match(r"\s*RETURNS\s+(.*?)\n", body + "\n", re.S).group(1).strip()
                attributes = body[body.index(result) + len(result):]
            fn = Function(m.group(1), m.group(2), args_text, result, attributes)
            functions[fn.key] = fn
        for m in re.finditer(r"^CREATE TABLE IF NOT EXISTS inventory\.(\w+) \(", text, re.M):
            close = matching_paren(text, m.end() - 1)
            tables[m.group(1)] = text[m.end():close]
    for _, text in texts:
        for m in re.finditer(r"^COMMENT ON (?:FUNCTION|PROCEDURE) inventory\.(\w+)\((.*?)\) IS '((?:[^']|'')*)';$",
                             text, re.M):
            key = key_of(m.group(1), m.group(2))
            if key in functions:
                functions[key].comment = m.group(3)
        for m in re.finditer(r"^(?:REVOKE|GRANT) .* ON (?:FUNCTION|PROCEDURE) inventory\.(\w+)\((.*?)\) (?:FROM|TO) .*;$",
                             text, re.M):
            key = key_of(m.group(1), m.group(2))
            if key in functions:
                functions[key].grants.append(m.group(0))
    table_grants = {}
    for _, text in texts:
        for m in re.finditer(r"^GRANT SELECT ON TABLE inventory\.(\w+) TO (\w+);$", text, re.M):
            table_grants.setdefault(m.group(1), []).append(m.group(2))
    tables = {t: (body, table_grants.get(t, [])) for t, body in tables.items()}
    public = {k: f for k, f in functions.items()
              if any(g.startswith("GRANT") for g in f.grants)}
    return public, tables


def table_columns(body):
    """The columns (name, type) of a CREATE TABLE body in src/sql."""
    columns = []
    for item in split_top_level(body):
        if item.startswith("CONSTRAINT"):
            continue
        words = item.split()
        type_words = []
        for w in words[1:]:
            if w in ("DEFAULT", "NOT", "NULL", "GENERATED", "CHECK", "COLLATE", "REFERENCES"):
                break
            type_words.append(w)
        columns.append((words[0], " ".join(type_words)))
    return columns


def table_view(table, body, route, grants):
    """The router's view of an inventory table: its rows on every partition (route all), or on
    partition 0 for what every partition shares (route any) or only partition 0 holds (route
    first), with the table's columns."""
    columns = ", ".join(f"{n} {t}" for n, t in table_columns(body))
    run = {"all": "RUN ON ALL;", "any": "RUN ON 0;", "first": "RUN ON 0;"}.get(route)
    if run is None:
        fail(f"table {table}: route must be all, any or first, not {route}")
    reader = f"inventory_router.all_{table[len('inventory_'):]}"
    where = {"all": "every partition, read in parallel (not one snapshot)",
             "any": "partition 0 (every partition holds the same rows: inventory_router.shared_differences)",
             "first": "partition 0, which alone holds them"}[route]
    return (f"CREATE FUNCTION {reader}() RETURNS TABLE({columns})\n"
            f"    LANGUAGE plproxy\n    {SEARCH_PATH}\n"
            f"    AS $$ CLUSTER '{CLUSTER}'; {run} SELECT * FROM inventory.{table}; $$;\n"
            f"COMMENT ON FUNCTION {reader}() IS 'Internal: the rows of inventory.{table} on {where}.';\n"
            f"REVOKE ALL ON FUNCTION {reader}() FROM PUBLIC;\n"
            + "".join(f"GRANT ALL ON FUNCTION {reader}() TO {role};\n" for role in grants)
            + f"CREATE VIEW inventory.{table} AS SELECT * FROM {reader}();\n"
            f"COMMENT ON VIEW inventory.{table} IS 'The table inventory.{table} of {where}.';\n"
            f"REVOKE ALL ON TABLE inventory.{table} FROM PUBLIC;\n"
            + "".join(f"GRANT SELECT ON TABLE inventory.{table} TO {role};\n" for role in grants))


def read_routes(path):
    routes = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, route = line.rsplit(None, 1)
        key = key.strip() if key.startswith("TABLE ") else key.replace(" ", "")
        if key in routes:
            fail(f"{path}:{number}: {key} routed twice")
        routes[key] = route
    return routes


ROUTE_NOTE = {
    "sku": "Router: runs on the partition that owns the SKU (inventory_router.sku_hash).",
    "all": "Router: runs on every partition in parallel and returns their rows together; "
           "not one snapshot.",
    "any": "Router: runs on any one partition.",
    "first": "Router: runs on partition 0, which keeps what the router needs once (API keys).",
    "plpgsql": "Router: spans partitions (see README, Scale-out).",
}


def attributes_of(fn, language):
    kept = []
    # PL/Proxy functions must be VOLATILE: each call is a remote transaction.
    words = ("STRICT",) if language == "plproxy" else ("IMMUTABLE", "STABLE", "STRICT")
    for word in words:
        if re.search(rf"\b{word}\b", fn.attributes):
            kept.append(word)
    rows = re.search(r"\bROWS (\d+)", fn.attributes)
    if rows:
        kept.append(f"ROWS {rows.group(1)}")
    return " ".join(kept)


def plproxy_twin(fn, route):
    if route == "sku":
        run = "RUN ON inventory_router.sku_hash(sku);"
    elif route == "all":
        if not fn.result.startswith(("TABLE(", "SETOF ")):
            fail(f"{fn.key}: RUN ON ALL needs a set-returning function")
        run = "RUN ON ALL;"
    elif route == "any":
        run = "RUN ON ANY;"
    elif route == "first":
        run = "RUN ON 0;"
    elif route.startswith("split:"):
        array = route.split(":", 1)[1]
        run = f"SPLIT {array}; RUN ON inventory_router.sku_hash({array});"
    else:
        fail(f"{fn.key}: unknown route {route}")
    return (f"CREATE FUNCTION {fn.signature}\n"
            f"    LANGUAGE plproxy {attributes_of(fn, 'plproxy')}\n    {SEARCH_PATH}\n"
            f"    AS $$ CLUSTER '{CLUSTER}'; {run} $$;\n")


def helper(fn):
    """inventory_router.NAME_on(partition_number, IN args): NAME on one partition."""
    args = ", ".join(["partition_number integer"] + [f"{a.name} {a.type}" for a in fn.in_args])
    call = f"inventory.{fn.name}({', '.join(a.name for a in fn.in_args)})"
    select = f"SELECT * FROM {call}" if fn.returns_columns() else f"SELECT {call} AS {fn.name}"
    identity = ", ".join(["integer"] + [a.type for a in fn.in_args])
    return (f"CREATE FUNCTION inventory_router.{fn.name}_on({args}) RETURNS {fn.helper_result()}\n"
            f"    LANGUAGE plproxy\n    {SEARCH_PATH}\n"
            f"    AS $$ CLUSTER '{CLUSTER}'; RUN ON partition_number; {select}; $$;\n"
            f"COMMENT ON FUNCTION inventory_router.{fn.name}_on({identity}) IS "
            f"'Internal: inventory.{fn.name} on one partition (0..n-1), committed there.';\n"
            f"REVOKE ALL ON FUNCTION inventory_router.{fn.name}_on({identity}) FROM PUBLIC;\n"
            + "".join(f"GRANT ALL ON FUNCTION inventory_router.{fn.name}_on({identity}) TO {role};\n"
                      for role in fn.granted_roles()))


def plpgsql_twin(fn, body):
    return (f"CREATE {fn.kind} {fn.signature}\n"
            f"    LANGUAGE plpgsql {attributes_of(fn, 'plpgsql')}\n    {SEARCH_PATH}\n"
            f"    AS $body$\n{body.rstrip()}\n$body$;\n")


def main():
    if len(sys.argv) != 4:
        fail("usage: generate.py SRC_SQL_DIR ROUTER_DIR VERSION")
    src, router, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    public, tables = read_sources(src)
    routes = read_routes(router / "routes.txt")
    function_routes = {k: r for k, r in routes.items() if not k.startswith("TABLE ")}
    missing = sorted(set(public) - set(function_routes))
    if missing:
        fail("public functions of inventory without a router route (add them to "
             "router/routes.txt): " + ", ".join(missing))
    stale = sorted(set(function_routes) - set(public))
    if stale:
        fail("routes for functions inventory does not have (or does not grant): " + ", ".join(stale))

    out = [f"-- inventory_router {version}, generated from src/sql/ and router/ by "
           "router/generate.py; do not edit.",
           '\\echo Use "CREATE EXTENSION inventory_router" to load this file. \\quit', ""]
    out.append("-- src/sql/roles.sql: the same group roles as the extension")
    out.append((src / "roles.sql").read_text())
    out.append((router / "sql" / "partitioning.sql").read_text())
    table_routes = {k[len("TABLE "):]: r for k, r in routes.items() if k.startswith("TABLE ")}
    if sorted(table_routes) != sorted(tables):
        fail("routes.txt must route every table of inventory (TABLE name): have "
             + ", ".join(sorted(table_routes)) + "; inventory has " + ", ".join(sorted(tables)))
    for table in sorted(tables):
        body, grants = tables[table]
        out.append(f"-- TABLE {table}: {table_routes[table]}")
        out.append(table_view(table, body, table_routes[table], grants))
    for key in sorted(public):
        fn, route = public[key], routes[key]
        out.append(f"-- {key}: {route}")
        if route == "plpgsql":
            body_file = router / "bodies" / f"{fn.name}.sql"
            if not body_file.exists():
                fail(f"{key}: route plpgsql needs {body_file}")
            if fn.kind == "FUNCTION":
                out.append(helper(fn))
            out.append(plpgsql_twin(fn, body_file.read_text()))
        else:
            out.append(plproxy_twin(fn, route))
        if fn.comment is None:
            fail(f"{key}: no COMMENT ON FUNCTION in src/sql")
        identity = ", ".join(a.text for a in fn.args)
        identity = re.sub(r"\s+DEFAULT\s+[^,]*(?=,|$)", "", identity)
        note = ROUTE_NOTE[route.split(":")[0] if not route.startswith("split:") else "sku"]
        out.append(f"COMMENT ON {fn.kind} inventory.{fn.name}({identity}) IS "
                   f"'{fn.comment} {note}';")
        out.extend(fn.grants)
        out.append("")
    for extra in sorted((router / "sql").glob("*.sql")):
        if extra.name != "partitioning.sql":
            out.append(f"-- router/sql/{extra.name}")
            out.append(extra.read_text())
    print("\n".join(out))


if __name__ == "__main__":
    main()
