#!/usr/bin/env python3
"""Run a VM command under a timeout, keep its console log, time its markers.

vmrun.py --log FILE --timeout SEC [--timings FILE] [--steps FILE] [--fatal REGEX]
         -- COMMAND...

Every output line goes to the log as it arrives. The first time a line
contains XST-INIT, XST-DONE or another XST-<WORD> marker, the seconds since
start are recorded in the timings file (one "marker seconds" per line).
The steps file gets "seconds line" for each line the kselftest runner
prints as a test starts or ends ("# selftests: xen: NAME", "ok N
selftests: ..."): the runner prints those as they happen, while a test's own
output comes at its end, so they time each test.
A command still running at the timeout is killed with its whole process
group; the exit status is then 124. A line matching --fatal (a crash the
machine will not recover from, such as Xen's "noreboot" halt) ends the
command two seconds later, for the rest of the message; the status is then
125. Otherwise it is the command's own; a command killed by a signal (QEMU
itself crashing) gets a last log line "vmrun: ... died of SIGNAME" and the
status 128 + the signal's number, as a shell reports it.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

MARKER = re.compile(rb"XST-([A-Z]+)")
STEP = re.compile(rb"^(# selftests: |(not )?ok \d+ selftests: )")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=float, required=True)
    ap.add_argument("--timings")
    ap.add_argument("--steps")
    ap.add_argument("--fatal")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")

    t0 = time.monotonic()
    seen = {}
    steps = open(a.steps, "w") if a.steps else None
    fatal = re.compile(a.fatal.encode()) if a.fatal else None
    fatal_at = None
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    os.set_blocking(proc.stdout.fileno(), False)
    buf = b""
    timed_out = False
    with open(a.log, "wb") as log:
        while True:
            if time.monotonic() - t0 > a.timeout and not timed_out:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
            if fatal_at is not None and time.monotonic() - fatal_at > 2 and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            try:
                chunk = proc.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    line = line.rstrip(b"\r")
                    log.write(line + b"\n")
                    if steps and STEP.match(line):
                        steps.write(f"{time.monotonic() - t0:.1f} {line.decode(errors='replace')}\n")
                        steps.flush()
                    for m in MARKER.finditer(line):
                        seen.setdefault(m.group(1).decode(), time.monotonic() - t0)
                    if fatal and fatal_at is None and fatal.search(line):
                        fatal_at = time.monotonic()
                log.flush()
            elif proc.poll() is not None:
                if chunk == b"":
                    break
                time.sleep(0.02)
            else:
                time.sleep(0.02)
        if buf:
            log.write(buf + b"\n")
        rc = proc.wait()
        if rc < 0 and not timed_out and fatal_at is None:
            name = signal.Signals(-rc).name
            log.write(f"vmrun: {os.path.basename(cmd[0])} died of {name}\n".encode())
            rc = 128 - rc
    if a.timings:
        with open(a.timings, "w") as f:
            for k, v in sorted(seen.items(), key=lambda kv: kv[1]):
                f.write(f"{k} {v:.3f}\n")
            f.write(f"EXIT {time.monotonic() - t0:.3f}\n")
    if timed_out:
        print(f"vmrun: killed after {a.timeout:.0f} s", file=sys.stderr)
        return 124
    if fatal_at is not None:
        print("vmrun: stopped after a fatal console line", file=sys.stderr)
        return 125
    return rc


if __name__ == "__main__":
    sys.exit(main())
