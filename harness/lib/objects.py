#!/usr/bin/env python3
"""objects.py LINUX CONFIG FILE...: for each kernel source file, whether the
configuration compiles it: "FILE on", "FILE off" or "FILE unknown" (no
Makefile names its object). Follows composite objects (name-y += file.o,
obj-$(CONFIG_X) += name.o) and objects named from a sibling folder
(../vmtrace/ring.o)."""
import os
import re
import sys

linux, config_path = sys.argv[1], sys.argv[2]
config = {}
for line in open(config_path):
    m = re.match(r"(CONFIG_\w+)=(.*)", line)
    if m:
        config[m.group(1)] = m.group(2)

ASSIGN = re.compile(r"^([\w.-]+?)-(\$\((CONFIG_\w+)\)|y|objs)\s*[:+]?=\s*(.*)$")


def makefile_entries(folder):
    """(prefix, condition or None, object path relative to the linux tree)."""
    path = os.path.join(linux, folder, "Makefile")
    if not os.path.exists(path):
        return []
    text = open(path).read().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        m = ASSIGN.match(line.strip())
        if not m:
            continue
        cond = m.group(3)
        for word in m.group(4).split():
            if word.endswith(".o"):
                out.append((m.group(1), cond, os.path.normpath(os.path.join(folder, word)), folder))
    return out


def on(cond):
    return cond is None or config.get(cond) in ("y", "m")


def folder_on(folder, depth=0):
    """Is the folder descended into? Its parent's Makefile (or Kbuild)
    names it as "name/"; a folder no parent names counts as on."""
    parent, name = os.path.split(folder)
    if not parent or depth > 6:
        return True
    for mk in ("Makefile", "Kbuild"):
        path = os.path.join(linux, parent, mk)
        if not os.path.exists(path):
            continue
        text = open(path).read().replace("\\\n", " ")
        for line in text.splitlines():
            m = ASSIGN.match(line.strip())
            if m and name + "/" in m.group(4).split():
                return on(m.group(3)) and folder_on(parent, depth + 1)
    return True


def state(obj, depth=0):
    folder = os.path.dirname(obj)
    places = {folder}
    parent = os.path.dirname(folder)
    if os.path.isdir(os.path.join(linux, parent)):
        places |= {os.path.join(parent, d) for d in os.listdir(os.path.join(linux, parent))}
    found = None
    for place in sorted(places):
        for prefix, cond, path, mkdir in makefile_entries(place):
            if path != obj:
                continue
            if prefix == "obj":
                return "on" if on(cond) and folder_on(mkdir, depth) else "off"
            if depth > 3:
                continue
            found = "off"
            if on(cond) and state(os.path.join(mkdir, prefix + ".o"), depth + 1) == "on":
                return "on"
    return found or "unknown"


for f in sys.argv[3:]:
    print(f, state(os.path.splitext(f)[0] + ".o"))
