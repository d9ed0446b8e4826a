#!/usr/bin/env python3
"""List the kernel reports in a mode's console log.

kreports.py LOG WAIVED

A report is a kernel line (printk timestamp) that starts a lockdep, KASAN,
UBSAN, DEBUG_LIST, DEBUG_OBJECTS or stack-protector report, a WARN, BUG or
Oops, a hung task or RCU stall, or an object kmemleak's scan found (init
prints those as XST-KMEMLEAK). Lines come from the console itself, from
init's dmesg dump (XST-KREPORT) and from guests ("@NAME| " prefix), so
dom0 and every guest are covered.

Prints one line per distinct report, "WHERE: HEADLINE", where WHERE is
"kernel" or the guest's name. Xen's own lines ("(XEN) ...") are not the
kernel's. A report whose "WHERE: HEADLINE" is a line of WAIVED (exactly;
"#" starts a comment) is left out: README's "Waived kernel reports" gives
each one's evidence.
"""
import re
import sys

REPORT = re.compile(r"WARNING:|BUG:|Oops|UBSAN:|Kernel panic|general protection fault"
                    r"|INFO: task .* blocked|INFO: rcu")
STAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
GUEST = re.compile(r"^@(\S+)\| ")


def normalise(text):
    """Drop what changes from run to run: CPU and PID numbers."""
    text = re.sub(r"CPU: \d+ PID: \d+", "CPU: N PID: N", text)
    return re.sub(r"\bpid: \d+", "pid: N", text).rstrip()


def reports(lines):
    found = []
    leak = None
    for raw in lines:
        line = raw.rstrip("\n")
        where = "kernel"
        m = GUEST.match(line)
        if m:
            where, line = m.group(1), line[m.end():]
        if line.startswith("XST-KMEMLEAK "):
            body = line[len("XST-KMEMLEAK "):]
            m = re.match(r"unreferenced object 0x[0-9a-f]+ \(size (\d+)\)", body)
            if m:
                leak = [where, "kmemleak: unreferenced object of %s bytes from" % m.group(1), []]
                found.append(leak)
                continue
            m = re.match(r"\s*\[<[0-9a-f]+>\] ([\w.]+)", body)
            if leak and m and len(leak[2]) < 4:
                leak[2].append(m.group(1))
            continue
        if line.startswith("XST-KREPORT "):
            line = line[len("XST-KREPORT "):]
        m = STAMP.match(line)
        if not m:
            continue
        text = line[m.end():]
        if REPORT.search(text):
            found.append([where, normalise(text), None])
    out = []
    for where, text, frames in found:
        if frames is not None:
            text = "%s %s" % (text, " < ".join(frames) or "?")
        entry = "%s: %s" % (where, text)
        if entry not in out:
            out.append(entry)
    return out


def main():
    log, waived_file = sys.argv[1], sys.argv[2]
    waived = set()
    try:
        with open(waived_file) as f:
            waived = {l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")}
    except FileNotFoundError:
        pass
    with open(log, errors="replace") as f:
        for entry in reports(f):
            if entry not in waived:
                print(entry)


if __name__ == "__main__":
    main()
