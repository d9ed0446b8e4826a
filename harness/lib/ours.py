#!/usr/bin/env python3
"""ours.py LINUX LOG [--owner]: the compiler warnings and errors in LOG that
are the series': located in a file the series adds, on a line it adds to a
base file, or in a header while compiling a function of a file it adds (a
printk format is reported at the printk macro's header, not at the call).
LINUX is the git tree with refs/tags/base and refs/heads/series.
--owner puts the file each line belongs to first, then a tab: the C file
being compiled when the compiler said so, else the file the line names (a
log of many objects, each line charged to one)."""
import os
import re
import subprocess
import sys

linux, log = os.path.abspath(sys.argv[1]), sys.argv[2]
by_owner = sys.argv[3:] == ["--owner"]


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
# Kbuild's "  CC      dir/file.o" and "  CHECK   /path/file.c": a new object.
STEP = re.compile(r"^\s+(?:CC|CC \[M\]|AS|AS \[M\]|CHECK)\s+(\S+)$")
context = step = None
for line in open(log, errors="replace"):
    m = STEP.match(line)
    if m:
        context, step = None, rel(m.group(1))
        if step.endswith(".o"):
            base = step[:-2]
            step = base + (".S" if os.path.exists(f"{linux}/{base}.S") else ".c")
        continue
    m = FUNCTION.match(line)
    if m:
        context = rel(m.group(1))
        continue
    m = LOCATION.match(line)
    if not m:
        continue
    f, n = rel(m.group(1)), int(m.group(2))
    if f in added or n in changed.get(f, ()) or (f.endswith(".h") and context in added):
        owner = (context or step or f) if f.endswith(".h") else f
        print(f"{owner}\t{line.rstrip()}" if by_owner else line.rstrip())
