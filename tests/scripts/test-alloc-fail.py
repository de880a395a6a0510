#!/usr/bin/python3
"""Allocation failure at every point: medids reports and goes on, or exits
cleanly; it never crashes, hangs or writes broken EVE.

Usage: test-alloc-fail.py [--stride S] [--full]

Every allocation of medids goes through md_malloc (src/mem.c), which fails
on request: MD_FAIL_ALLOC=N fails the Nth allocation and every later one,
N:once only the Nth, and `count` prints how many allocations a run made.
For each case below the test counts the allocations T of a clean run,
then runs medids once per N in 1..T in both modes:
  - replays of pcaps/dicom-echo.pcap, hl7-adt.pcap and dicom-store.pcap
    with no rules (every N);
  - hl7-adt.pcap with the shipped DICOM and HL7 rules: every N past rule
    loading (the replay), every S-th N (default 10, --stride) while the
    rules load and compile; --full takes every N there too.
Each run must end by itself within 60 s with status 0 or 1 (never a
signal, never a sanitizer report: run-tests sets ASAN_OPTIONS), a status 1
must come with a message on stderr, and eve.json must hold whole JSON
lines. Exit 0 pass, 1 fail.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
MEDIDS = os.environ.get("MEDIDS") or os.path.join(SRCDIR, "build", "medids")
SAN = re.compile(r"ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:")


def medids(args, env_val, logdir):
    env = dict(os.environ, MD_FAIL_ALLOC=env_val)
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    try:
        p = subprocess.run([MEDIDS, "-k", "none", "-l", logdir] + args,
                           env=env, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    try:
        return p.returncode, p.stderr.decode("utf-8")
    except UnicodeDecodeError:  # a message built from uninitialised bytes
        return p.returncode, "GARBLED " + repr(p.stderr[:200])


def count(args, logdir):
    rc, err = medids(args, "count", logdir)
    m = re.search(r"medids: (\d+) allocations", err or "")
    if rc != 0 or not m:
        sys.exit("clean run failed (%s): %s" % (rc, err))
    return int(m.group(1))


def eve_ok(logdir):
    path = os.path.join(logdir, "eve.json")
    if not os.path.exists(path):
        return True
    with open(path, "rb") as f:
        for line in f:
            try:
                json.loads(line)
            except ValueError:
                return False
    return True


def check(args, n, mode, logdir):
    """None when the run behaved, else what went wrong."""
    val = "%d:once" % n if mode == "once" else str(n)
    rc, err = medids(args, val, logdir)
    if rc is None:
        return "hung"
    if SAN.search(err):
        return "sanitizer report: " + SAN.search(err).group(0)
    if err.startswith("GARBLED "):
        return "garbled message on stderr: " + err[8:]
    if rc not in (0, 1):
        return "status %d" % rc
    if rc == 1 and not err.strip():
        return "status 1 with no message"
    if not eve_ok(logdir):
        return "broken eve.json"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stride", type=int, default=10)
    ap.add_argument("--full", action="store_true")
    a = ap.parse_args()
    pc = os.path.join(SRCDIR, "pcaps")
    rules = ["-S", os.path.join(SRCDIR, "rules", "dicom.rules"),
             "-S", os.path.join(SRCDIR, "rules", "hl7.rules")]
    cases = [(["-r", os.path.join(pc, c)], 0)
             for c in ("dicom-echo.pcap", "hl7-adt.pcap", "dicom-store.pcap")]
    cases.append((["-r", os.path.join(pc, "hl7-adt.pcap")] + rules,
                  1 if a.full else a.stride))
    tmp = tempfile.mkdtemp(prefix="md-allocfail-")
    fails = runs = 0
    try:
        log = os.path.join(tmp, "out")
        for args, stride in cases:
            total = count(args, log)
            loaded = 0
            if stride > 1:  # allocations of start-up and rule loading
                loaded = count(["-T"] + args[2:], log) if "-S" in args else 0
            ns = [n for n in range(1, total + 1)
                  if n > loaded or stride <= 1 or n % stride == 0]
            bad = 0
            for n in ns:
                for mode in ("once", "onward"):
                    runs += 1
                    why = check(args, n, mode, log)
                    if why:
                        bad += 1
                        if bad <= 5:
                            print("  FAIL MD_FAIL_ALLOC=%d%s %s: %s" % (
                                n, ":once" if mode == "once" else "",
                                " ".join(os.path.basename(x) for x in args),
                                why))
            print("%-60s %d allocations, %d runs, %d bad" % (
                " ".join(os.path.basename(x) for x in args), total,
                2 * len(ns), bad))
            fails += bad
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d runs, %d bad" % (runs, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
