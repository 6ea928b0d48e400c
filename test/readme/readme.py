#!/usr/bin/env python3
"""README.md's examples, run as a reader pastes them.

Every ```sql block of README.md runs, in order, in one fresh database (psql, one call per block,
stdout and stderr together, TimeZone UTC). The ```text block right after it (only blank lines
between) is what psql prints for it; a block without one must print nothing. Volatile values
(uuids, timestamps) and the alignment padding of psql's tables are masked on both sides before
comparing, so README shows real output.

A block is marked by an HTML comment on the line before its fence (invisible on GitHub):
  <!-- readme-test: cron -->       needs a server with pg_cron: run by test/cron/run.sh instead
  <!-- readme-test: cron-conf -->  postgresql.conf lines for that server (test/cron/run.sh)

To add an example: write the ```sql block, run `bash test/readme/run.sh fill`, read the
```text blocks it wrote or changed (git diff README.md) and keep them if they are right.

  readme.py run README.md DB             run the blocks, one "... ok"/"... FAILED" line each
  readme.py fill README.md DB            run them and write each one's output after it
  readme.py cron-conf README.md          the cron-conf block(s)
  readme.py cron-sql README.md           the cron SQL block(s), in order
"""
import difflib
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
CLOSE = re.compile(r"^\s*```\s*$")
MARK = re.compile(r"^\s*<!--\s*readme-test:\s*(\S+)\s*-->\s*$")


def read_lines(path):
    return open(path, encoding="utf-8").read().split("\n")


def blocks(lines):
    """Each fenced block: lang, mark, indent, open/close (0-based line indexes), text."""
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang = m.group(1), m.group(2)
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        mark = MARK.match(lines[j]).group(1) if j >= 0 and MARK.match(lines[j]) else None
        body, k = [], i + 1
        while k < len(lines) and not CLOSE.match(lines[k]):
            body.append(lines[k][len(indent):] if lines[k].startswith(indent) else lines[k].lstrip())
            k += 1
        out.append(dict(lang=lang, mark=mark, indent=indent, open=i, close=k,
                        text="\n".join(body) + "\n"))
        i = k + 1
    return out


def examples(lines):
    """The runnable sql blocks, each with the ```text block right after it (or None)."""
    bs = blocks(lines)
    out = []
    for n, b in enumerate(bs):
        if b["lang"] != "sql" or b["mark"] is not None:
            continue
        after = None
        if n + 1 < len(bs) and bs[n + 1]["lang"] == "text" and \
                all(not l.strip() for l in lines[b["close"] + 1:bs[n + 1]["open"]]):
            after = bs[n + 1]
        out.append((b, after))
    return out


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?)?")


def mask(text):
    out = []
    for line in text.split("\n"):
        line = TIMESTAMP.sub("<timestamp>", UUID.sub("<uuid>", line))
        if re.fullmatch(r"[-+]+", line.strip()):
            line = re.sub(r"-+", "-", line)
        out.append(re.sub(r"[ \t]+", " ", line).strip())
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return out


def psql(sql, db):
    env = dict(os.environ, PGTZ="UTC", PGDATABASE=db)
    proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-P", "pager=off"],
                          input=sql, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=env)
    return proc.returncode, proc.stdout


def run(path, db):
    failures = 0
    for block, after in examples(read_lines(path)):
        title = block["text"].strip().split("\n")[0][:60]
        status, got = psql(block["text"], db)
        problems = []
        if status != 0:
            problems.append(f"psql exited with {status}")
        want = mask(after["text"] if after else "")
        if mask(got) != want:
            problems.append("output differs from the ```text block after it (masked; - README, + psql):")
            problems.extend(difflib.unified_diff(want, mask(got), lineterm="", n=1))
        print(f"readme block at line {block['open'] + 1} ({title}) ... {'FAILED' if problems else 'ok'}")
        for p in problems:
            print("    " + p)
        failures += bool(problems)
    return failures


def fill(path, db):
    lines = read_lines(path)
    edits = []
    for block, after in examples(lines):
        status, got = psql(block["text"], db)
        if status != 0:
            print(f"README.md line {block['open'] + 1}: psql exited with {status}:\n{got}",
                  file=sys.stderr)
        out = [l.rstrip() for l in got.rstrip("\n").split("\n")] if got.strip() else []
        ind = block["indent"]
        new = [ind + "```text"] + [(ind + l).rstrip() for l in out] + [ind + "```"] if out else []
        if after:
            edits.append((block["close"] + 1, after["close"] + 1, ([""] + new) if new else []))
        elif new:
            edits.append((block["close"] + 1, block["close"] + 1, [""] + new))
    for start, end, new in reversed(edits):
        lines[start:end] = new
    open(path, "w", encoding="utf-8").write("\n".join(lines))
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] in ("run", "fill"):
        return 1 if (run if argv[1] == "run" else fill)(argv[2], argv[3]) else 0
    if len(argv) == 3 and argv[1] in ("cron-conf", "cron-sql"):
        wanted = {"cron-conf": "cron-conf", "cron-sql": "cron"}[argv[1]]
        picked = [b["text"] for b in blocks(read_lines(argv[2])) if b["mark"] == wanted]
        if not picked:
            print(f"README.md has no block marked readme-test: {wanted}", file=sys.stderr)
            return 1
        sys.stdout.write("".join(picked))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
