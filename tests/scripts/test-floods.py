#!/usr/bin/python3
"""Floods against the memcaps: memory stays bounded, every limit is counted.

Usage: test-floods.py [--scale F] [--keep DIR] [KIND...]

Generates the flood captures of tests/tools/gen-floods.py (scaled: default
0.05, i.e. 50,000 SYN flows, 5,000 unacknowledged HL7 messages, 5,000
overlapping segments, 5,000 never-completed fragments; the DICOM PDU of
length 0xFFFFFFFF and the 10,000 presentation contexts are always full
size) and replays each with small memcaps (flow 4 MB, stream 4 MB,
defrag 2 MB, app-layer buffers 4 MB, transactions 4 MB) under
`/usr/bin/time -v`. For each flood:
  - peak RSS <= RSS of the same configuration replaying a small capture
    (measured first, in this run) + the sum of the memcaps + 16 MB;
  - the counter or event of the limit it hits is in the EVE output
    (flow.memcap / emergency mode and forced ends, one hl7 record per
    message, dicom.pdu_too_long, dicom.too_many_presentation_contexts,
    tcp.overlap, defrag.memcap);
  - exit status 0, and eve.json valid against the EVE schema.
bench/floods runs this at --scale 1 (a million SYN flows) and prints the
figures. Under a sanitizer build (MD_SANITIZE) ASan's quarantine of freed
memory is turned off for the runs, so that RSS measures what medids holds.
Exit 0 pass, 1 fail.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
MEDIDS = os.environ.get("MEDIDS") or os.path.join(SRCDIR, "build", "medids")
PY = "/usr/bin/python3"

MEMCAPS = {  # (yaml section, key): bytes
    ("flow", "memcap"): 4 << 20,
    ("stream", "memcap"): 4 << 20,
    ("defrag", "memcap"): 2 << 20,
    ("app-layer", "buffer-memcap"): 4 << 20,
    ("app-layer", "tx-memcap"): 4 << 20,
}
ALLOWANCE = 16 << 20


def write_config(path):
    with open(os.path.join(SRCDIR, "medids.yaml")) as f:
        c = yaml.safe_load(f)
    for (sec, key), v in MEMCAPS.items():
        c[sec][key] = v
    c["default-rule-path"] = os.path.join(SRCDIR, "rules")
    with open(path, "w") as f:
        yaml.safe_dump(c, f)


def run(conf, pcap, logdir):
    """Replay pcap; returns (status, peak RSS bytes, records)."""
    os.makedirs(logdir, exist_ok=True)
    env = dict(os.environ)
    if os.environ.get("MD_SANITIZE"):
        # ASan keeps freed blocks in a quarantine (256 MB by default),
        # which would count as RSS: without it the bound still holds.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                               ":quarantine_size_mb=0"
                               ":thread_local_quarantine_size_kb=0")
    p = subprocess.run(["/usr/bin/time", "-v", MEDIDS, "-c", conf, "-k",
                        "none", "-r", pcap, "-l", logdir],
                       capture_output=True, text=True, timeout=600, env=env)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    rss = int(m.group(1)) * 1024 if m else 0
    recs = []
    eve = os.path.join(logdir, "eve.json")
    if os.path.exists(eve):
        with open(eve) as f:
            recs = [json.loads(line) for line in f]
    return p.returncode, rss, recs, p.stderr


def stats_of(recs):
    st = [r["stats"] for r in recs if r.get("event_type") == "stats"]
    return st[-1] if st else {}


def get(d, dotted):
    for k in dotted.split("."):
        if not isinstance(d, dict) or k not in d:
            return 0
        d = d[k]
    return d


def events(recs):
    out = {}
    for r in recs:
        if r.get("event_type") == "anomaly":
            e = r["anomaly"].get("event", "")
            out[e] = out.get(e, 0) + 1
    return out


def count(recs, t):
    return sum(1 for r in recs if r.get("event_type") == t)


def checks(kind, n, recs):
    """What the flood must show: list of (description, ok)."""
    st, ev = stats_of(recs), events(recs)
    if kind == "syn":
        return [("flow.memcap counted", get(st, "flow.memcap") > 0),
                ("emergency mode entered",
                 get(st, "flow.emerg_mode_entered") >= 1),
                ("flows ended by force", get(st, "flow.end.forced") > 0),
                ("every SYN decoded", get(st, "decoder.tcp") == n)]
    if kind == "hl7":
        return [("one hl7 record per message", count(recs, "hl7") == n)]
    if kind == "dicom-pdu":
        return [("dicom.pdu_too_long raised",
                 ev.get("dicom.pdu_too_long", 0) == 1)]
    if kind == "dicom-pc":
        return [("dicom.too_many_presentation_contexts raised",
                 ev.get("dicom.too_many_presentation_contexts", 0) == 1)]
    if kind == "overlap":
        return [("tcp.overlap counted", get(st, "tcp.overlap") >= n // 2)]
    if kind == "frag":
        return [("defrag.memcap counted", get(st, "defrag.memcap") > 0),
                ("ignored fragments raised anomalies",
                 ev.get("decoder.ipv4.frag_ignored", 0) > 0)]
    return [("known kind", False)]


FULL = {"syn": 1_000_000, "hl7": 100_000, "dicom-pdu": 1, "dicom-pc": 1,
        "overlap": 100_000, "frag": 100_000}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--keep")
    ap.add_argument("kinds", nargs="*")
    a = ap.parse_args()
    kinds = a.kinds or list(FULL)
    tmp = a.keep or tempfile.mkdtemp(prefix="md-floods-")
    fails = 0
    try:
        conf = os.path.join(tmp, "small.yaml")
        write_config(conf)
        subprocess.run([PY, os.path.join(SRCDIR, "tests/tools/gen-floods.py"),
                        "--scale", str(a.scale), tmp] + kinds, check=True)
        small = os.path.join(SRCDIR, "pcaps", "hl7-adt.pcap")
        rc, base, _, err = run(conf, small, os.path.join(tmp, "base"))
        if rc != 0 or not base:
            print("baseline run failed (%d): %s" % (rc, err.strip()))
            return 1
        bound = base + sum(MEMCAPS.values()) + ALLOWANCE
        print("baseline RSS %.1f MB, bound %.1f MB (memcaps %.0f MB + %d MB)"
              % (base / 2**20, bound / 2**20, sum(MEMCAPS.values()) / 2**20,
                 ALLOWANCE >> 20))
        for k in kinds:
            n = max(1, int(FULL[k] * a.scale))
            rc, rss, recs, err = run(conf, os.path.join(tmp, "flood-%s.pcap" % k),
                                     os.path.join(tmp, "out-" + k))
            res = [("exit status 0", rc == 0),
                   ("peak RSS %.1f MB within bound" % (rss / 2**20),
                    0 < rss <= bound)] + checks(k, n, recs)
            v = subprocess.run([PY, os.path.join(HERE, "eve-validate.py"),
                                os.path.join(tmp, "out-" + k, "eve.json")],
                               capture_output=True, text=True)
            res.append(("EVE valid", v.returncode == 0))
            bad = [d for d, ok in res if not ok]
            print("%-10s %s  RSS %.1f MB  %d records%s" % (
                k, "ok  " if not bad else "FAIL", rss / 2**20, len(recs),
                "" if not bad else "  failed: " + "; ".join(bad)))
            if bad and rc != 0:
                print(err.strip()[-2000:])
            fails += bool(bad)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
