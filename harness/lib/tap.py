#!/usr/bin/env python3
"""Count the test results in a console log.

tap.py LOG [--counts FILE] [--prefix NAME] [--sections KUNIT,KSELFTEST]

Reads the KUnit and kselftest sections the test init prints between
XST-<SECTION>-BEGIN and XST-<SECTION>-END. Results nest: KTAP indents by four
spaces, run_kselftest.sh prefixes "# ". Only leaf results count: a summary line
counts only when it failed and none of its children did (a crash after some
passes), and children a plan promised but never printed count as failed.
A section that never began or never ended is one failure, and so is a
section other than KUnit (which may have no suites) without a single result.
--sections names the sections the log must have: a dom0 scenario prints its
TAP as XST-SCENARIO.

Prints one line per failure and per skip, then "N passed, N failed, N skipped";
writes "passed failed skipped" to --counts.
"""
import argparse
import re
import sys

RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*-?\s*([^#]*?)\s*(#\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)")
PARAMS = re.compile(r"^(\S+): pass:(\d+) fail:(\d+) skip:(\d+) total:\d+$")
SECTIONS = ("KUNIT", "KSELFTEST")  # SCENARIO: a dom0 script's own TAP


def depth_and_body(line):
    depth = 0
    while True:
        if line.startswith("# "):
            line = line[2:]
        elif line.startswith("    "):
            line = line[4:]
        elif line.startswith("\t"):
            line = line[1:]
        else:
            return depth, line.strip()
        depth += 1


class Counter:
    def __init__(self, prefix):
        self.prefix = prefix
        self.passed = self.failed = self.skipped = 0
        self.lines = []

    def count(self, acc, kind, path="", why=""):
        """Count one result of @kind (0 pass, 1 fail, 2 skip) in @acc too."""
        acc[kind] += 1
        if kind == 0:
            self.passed += 1
        elif kind == 1:
            self.failed += 1
            self.lines.append(f"FAIL {self.prefix}{path}{' (' + why + ')' if why else ''}")
        else:
            self.skipped += 1
            self.lines.append(f"SKIP {self.prefix}{path}: {why}")

    def fail(self, name, why=""):
        self.count([0, 0, 0], 1, name, why)

    def section(self, name, lines):
        # Per depth d: results since the last result at depth d - 1, what
        # they counted, their plan, and names for the report.
        kids, acc, plan, names, suite, skip_why = {}, {}, {}, {}, {}, {}
        suites = set()
        # KUnit prints "# case: pass:P fail:F skip:S total:T" before the
        # result of a parameterised case; its debugfs log keeps only the
        # last parameter's line, so those counts replace the children's.
        params = {}

        def close(d, parent_name):
            want = plan.pop(d, None)
            got = kids.get(d, 0)
            if want is not None and got < want:
                for i in range(got, want):
                    self.count(acc.setdefault(d, [0, 0, 0]), 1,
                               f"{parent_name}#{i + 1}", "never reported")

        for raw in lines:
            d, body = depth_and_body(raw)
            m = PLAN.match(body)
            if m:
                plan[d] = int(m.group(1))
                why = body.split("# SKIP", 1)
                skip_why[d] = why[1].strip() if len(why) == 2 else ""
                kids[d] = 0
                continue
            if body.startswith("Subtest:"):
                suite[d - 1] = body.split(":", 1)[1].strip()
                suites.add(suite[d - 1])
                continue
            if body.startswith("selftests: "):
                suite[d] = body.split(": ")[-1].strip()
                continue
            m = PARAMS.match(body)
            if m:
                params[(d - 1, m.group(1))] = tuple(int(x) for x in m.group(2, 3, 4))
                continue
            m = RESULT.match(body)
            if not m:
                continue
            ok = m.group(1) == "ok"
            test = m.group(3).strip() or f"#{m.group(2)}"
            directive = (m.group(5) or "").strip()
            path = "/".join(filter(None, [suite.get(d, names.get(d - 1, "")), test]))
            close(d + 1, path)
            n_kids = kids.pop(d + 1, 0)
            sub = acc.pop(d + 1, [0, 0, 0])
            kids[d] = kids.get(d, 0) + 1
            names[d] = test
            mine = acc.setdefault(d, [0, 0, 0])
            counts = params.pop((d, test), None)
            if counts and test not in suites:
                self.passed -= sub[0]
                self.failed -= sub[1]
                self.skipped -= sub[2]
                del self.lines[len(self.lines) - sub[1] - sub[2]:]
                p, f, sk = counts
                for _ in range(p):
                    self.count(mine, 0)
                for i in range(f):
                    self.count(mine, 1, f"{path}[{i + 1} of {f} failed parameters]")
                for _ in range(sk):
                    self.count(mine, 2, path, "parameter skipped")
                continue
            for k in range(3):
                mine[k] += sub[k]
            if directive.upper().startswith("SKIP"):
                self.count(mine, 2, path, directive[4:].strip() or skip_why.get(d + 1, ""))
                continue
            if n_kids and (ok or sub[1]):
                continue  # a summary of leaves already counted
            self.count(mine, 0 if ok else 1, path, "" if ok else directive)
        close(0, name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--counts")
    ap.add_argument("--prefix", default="")
    ap.add_argument("--sections", default=",".join(SECTIONS),
                    help="the sections the log must have (default %(default)s)")
    a = ap.parse_args()
    text = open(a.log, encoding="utf-8", errors="replace").read().splitlines()
    c = Counter(a.prefix)
    for sec in a.sections.split(","):
        begin, end = f"XST-{sec}-BEGIN", f"XST-{sec}-END"
        starts = [i for i, l in enumerate(text) if l.strip() == begin]
        if not starts:
            c.fail(sec.lower(), "section never started")
            continue
        i = starts[-1]
        stop = next((j for j in range(i + 1, len(text)) if text[j].strip() == end), None)
        body = text[i + 1:stop if stop is not None else len(text)]
        before = c.passed + c.failed + c.skipped
        c.section(sec.lower(), body)
        if sec != "KUNIT" and c.passed + c.failed + c.skipped == before:
            c.fail(sec.lower(), "no results")
        if stop is None:
            c.fail(sec.lower(), "section never ended")
    for line in c.lines:
        print(line)
    print(f"{c.passed} passed, {c.failed} failed, {c.skipped} skipped")
    if a.counts:
        with open(a.counts, "w") as f:
            f.write(f"{c.passed} {c.failed} {c.skipped}\n")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
