#!/usr/bin/env python3
"""Layout checks of the SQL sources (issue 11): every SQL object is defined in exactly one file
of src/sql/, every source is in src/sql/ORDER and built into the install script, and no
version script is tracked at the top level. Prints one "... ok" / "... FAILED" line per check.
Usage: sources.py REPO_ROOT
"""
import collections
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
failures = 0


def check(name, ok, detail=""):
    global failures
    print(f"layout check {name} ... {'ok' if ok else 'FAILED'}")
    if not ok:
        failures += 1
        if detail:
            print("   " + detail)


CREATE = re.compile(
    r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?"
    r"(FUNCTION|PROCEDURE|TABLE|VIEW|INDEX|SEQUENCE|TRIGGER|TYPE|DOMAIN)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)\s*(\([^)]*\))?(.*)$", re.I | re.M)


def argument_types(args):
    """'(sku text, n integer DEFAULT 1)' -> 'text,integer': a function is its name + types."""
    types = []
    for arg in filter(None, (a.strip() for a in args.strip("()").split(","))):
        arg = re.split(r"\s+DEFAULT\s+|\s*=\s*", arg, flags=re.I)[0].split()
        if arg and arg[0].upper() in ("IN", "OUT", "INOUT", "VARIADIC"):
            arg = arg[1:]
        types.append(" ".join(arg[1:] if len(arg) > 1 else arg).lower())
    return ",".join(types)


def definitions(path):
    for m in CREATE.finditer(path.read_text()):
        kind, name, args, rest = m.group(1).upper(), m.group(2).lower(), m.group(3), m.group(4)
        if kind in ("FUNCTION", "PROCEDURE"):
            name += "(" + argument_types(args or "") + ")"
        if kind == "TRIGGER":  # trigger names are per table
            table = re.search(r"\bON\s+([\w.]+)", rest + path.read_text()[m.end():m.end() + 400],
                              re.I)
            name += " ON " + (table.group(1).lower() if table else "?")
        yield kind, name


sources = sorted((root / "src/sql").glob("*.sql"))
order = (root / "src/sql/ORDER").read_text().split()
defined = collections.defaultdict(list)
for path in sources:
    for kind, name in definitions(path):
        defined[(kind, name)].append(path.name)
twice = {k: v for k, v in defined.items() if len(v) > 1}
check("SQL objects found in src/sql", len(defined) > 60, f"{len(defined)} definitions")
check("every SQL object is defined once in src/sql", not twice,
      "; ".join(f"{k[0]} {k[1]}: {', '.join(v)}" for k, v in sorted(twice.items())))
check("every source is in src/sql/ORDER, once",
      sorted(order) == sorted(p.stem for p in sources) and len(order) == len(set(order)),
      f"ORDER {order} vs files {[p.stem for p in sources]}")
tracked = subprocess.run(["git", "-C", str(root), "ls-files", "inventory--*.sql"],
                         capture_output=True, text=True)
check("no version script is tracked at the top level",
      tracked.returncode == 0 and tracked.stdout.strip() == "", tracked.stdout + tracked.stderr)
sys.exit(1 if failures else 0)
