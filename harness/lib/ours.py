#!/usr/bin/env python3
"""ours.py LINUX LOG: the compiler warnings and errors in LOG that are the
series': located in a file the series adds, on a line it adds to a base
file, or in a header while compiling a function of a file it adds (a
printk format is reported at the printk macro's header, not at the call).
LINUX is the git tree with refs/tags/base and refs/heads/series."""
import os
import re
import subprocess
import sys

linux, log = os.path.abspath(sys.argv[1]), sys.argv[2]


def git(*args):
    return subprocess.run(["git", "-C", linux, *args], capture_output=True,
                          text=True, check=True).stdout


RANGE = ("refs/tags/base", "refs/heads/series")
added = set(git("diff", "--name-only", "--diff-filter=A", *RANGE).split())
changed = {}
for f in git("diff", "--name-only", "--diff-filter=M", *RANGE).split():
    lines = set()
    for m in re.finditer(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", git("diff", "-U0", *RANGE, "--", f), re.M):
        start, count = int(m.group(1)), int(m.group(2) or 1) if m.group(2) != "0" else 0
        lines.update(range(start, start + count))
    changed[f] = lines


def rel(path):
    if path.startswith(linux + "/"):
        return path[len(linux) + 1:]
    return path[2:] if path.startswith("./") else path


LOCATION = re.compile(r"^(\S+?):(\d+):(?:\d+:)?(?:\d+:)? (?:fatal )?(warning|error):")
FUNCTION = re.compile(r"^(\S+?\.[cS]): In function")
context = None
for line in open(log, errors="replace"):
    m = FUNCTION.match(line)
    if m:
        context = rel(m.group(1))
        continue
    m = LOCATION.match(line)
    if not m:
        continue
    f, n = rel(m.group(1)), int(m.group(2))
    if f in added or n in changed.get(f, ()) or (f.endswith(".h") and context in added):
        print(line.rstrip())
