#!/usr/bin/python3
"""medids survives damaged captures.

Usage: test-mutants.py [-n COUNT] [--seed N] [--keep DIR] [CAPTURE...]
       (default: pcaps/*.pcap* of the source tree and $MD_SHARED/pcaps/*.pcap*)

Makes COUNT (default 1000, or $MD_MUTANTS) mutated copies of the captures
with a fixed seed, each of one kind:
  truncate      the file cut at a random offset
  header-flip   bits flipped in the first 64 bytes of a few packets
                (link, IP and TCP/UDP headers)
  payload-flip  bits flipped past the first 64 bytes of a few packets
  record-hdr    a pcap record header damaged (huge, zero or too long
                caplen, caplen > len, odd timestamps)
  file-hdr      the pcap file header replaced by garbage or damaged
and runs `medids -r MUTANT -l DIR -k none` on each (60 s each). medids
must never die by a signal, hang or report a sanitizer error. A mutant whose
file structure is intact (header-flip, payload-flip) must give exit status
0; the others may also fail cleanly (status 1-125 with a message on stderr).
Whatever eve.json holds must be JSON, one object a line, valid against the
EVE schema. With --keep, failing mutants are copied to DIR.

Exit 0 pass, 1 fail, 77 skip (no captures).
"""

import argparse
import glob
import importlib.util
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("MD_SHARED") or os.path.join(os.path.dirname(SRCDIR), "shared")
BUILDDIR = os.environ.get("MD_BUILDDIR") or os.path.join(SRCDIR, "build")
MEDIDS = os.environ.get("MEDIDS") or os.path.join(BUILDDIR, "medids")
TIMEOUT = 60
SANITIZER = (b"AddressSanitizer", b"LeakSanitizer", b"UndefinedBehaviorSanitizer",
             b"runtime error:", b"MemorySanitizer", b"ThreadSanitizer")
INTACT = ("header-flip", "payload-flip")

PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}


def records(data):
    """[(record header offset, packet data offset, caplen)] of a classic
    pcap file; [] for anything else (pcapng, damaged)."""
    endian = PCAP_MAGIC.get(data[:4])
    if endian is None:
        return []
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from(endian + "I", data, off + 8)[0]
        if off + 16 + caplen > len(data):
            break
        out.append((off, off + 16, caplen))
        off += 16 + caplen
    return out


def flip_bits(buf, lo, hi, rng, nbits):
    for _ in range(nbits):
        pos = rng.randrange(lo, hi)
        buf[pos] ^= 1 << rng.randrange(8)


def mutate(data, kind, rng):
    """A mutated copy of data (bytes) of the given kind."""
    buf = bytearray(data)
    recs = records(data)
    endian = PCAP_MAGIC.get(data[:4], "<")
    if kind == "truncate":
        return bytes(buf[:rng.randrange(0, len(buf))])
    if kind in INTACT:
        for off, start, caplen in rng.sample(recs, min(len(recs), rng.randint(1, 4))):
            lo, hi = (start, start + min(caplen, 64)) if kind == "header-flip" \
                else (start + 64, start + caplen)
            if hi > lo:
                flip_bits(buf, lo, hi, rng, rng.randint(1, 8))
        return bytes(buf)
    if kind == "record-hdr":
        off = rng.choice(recs)[0]
        which = rng.randrange(5)
        if which == 0:       # caplen enormous
            struct.pack_into(endian + "I", buf, off + 8, rng.choice([0xFFFFFFFF, 0x7FFFFFFF, 1 << 24]))
        elif which == 1:     # caplen zero
            struct.pack_into(endian + "I", buf, off + 8, 0)
        elif which == 2:     # caplen > original length
            struct.pack_into(endian + "II", buf, off + 8, 40, 20)
        elif which == 3:     # timestamps out of range / backwards
            struct.pack_into(endian + "II", buf, off, rng.choice([0, 0xFFFFFFFF]),
                             rng.choice([0, 999999999, 0xFFFFFFFF]))
        else:                # random bytes
            buf[off:off + 16] = bytes(rng.randrange(256) for _ in range(16))
        return bytes(buf)
    # file-hdr
    which = rng.randrange(4)
    if which == 0:
        buf[0:24] = bytes(rng.randrange(256) for _ in range(24))
    elif which == 1:         # good magic, random rest (version, snaplen, linktype)
        buf[4:24] = bytes(rng.randrange(256) for _ in range(20))
    elif which == 2:         # unknown or odd link type
        struct.pack_into(endian + "I", buf, 20, rng.choice([0, 101, 113, 276, 12345, 0xFFFF]))
    else:                    # snaplen 0 / tiny
        struct.pack_into(endian + "I", buf, 16, rng.choice([0, 1, 14, 0xFFFFFFFF]))
    return bytes(buf)


def pick_kind(data, rng):
    if not records(data):    # pcapng or not parseable: generic damage only
        return "truncate"
    return rng.choice(["truncate", "header-flip", "header-flip", "payload-flip",
                       "payload-flip", "record-hdr", "file-hdr"])


def load_validator():
    sys.dont_write_bytecode = True      # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location("eve_validate",
                                                  os.path.join(HERE, "eve-validate.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        return mod, mod.load_validator()
    except mod.SchemaError as e:
        print("# schema not available (%s): eve.json checked as JSON only" % e)
        return mod, None


def check_eve(path, ev, validator):
    """Problem with eve.json at path, or None."""
    if not os.path.exists(path):
        return None
    if validator is not None:
        _, bad, msgs = ev.validate_file(validator, path, max_errors=3)
        return ("%d invalid eve.json record(s): %s" % (bad, "; ".join(msgs))) if bad else None
    with open(path, "rb") as f:
        for n, line in enumerate(f, 1):
            try:
                if not isinstance(json.loads(line), dict):
                    raise ValueError("not an object")
            except ValueError as e:
                return "eve.json line %d: %s" % (n, e)
    return None


def run_one(path, kind, workdir, ev, validator, statuses):
    """Problem found running medids on one mutant, or None; counts exit
    statuses in statuses."""
    logdir = tempfile.mkdtemp(dir=workdir)
    try:
        proc = subprocess.run([MEDIDS, "-r", path, "-l", logdir, "-k", "none"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        shutil.rmtree(logdir, ignore_errors=True)
        return "hung (no exit after %d s)" % TIMEOUT
    except OSError as e:
        shutil.rmtree(logdir, ignore_errors=True)
        return "cannot run %s: %s" % (MEDIDS, e)
    err = proc.stderr
    rc = proc.returncode
    statuses[rc] = statuses.get(rc, 0) + 1
    problem = None
    if rc < 0:
        problem = "killed by signal %d" % -rc
    elif any(s in err for s in SANITIZER):
        problem = "sanitizer report (exit %d)" % rc
    elif rc != 0 and kind in INTACT:
        problem = "exit status %d on a structurally intact capture" % rc
    elif rc != 0 and (rc > 125 or not err.strip()):
        problem = "exit status %d without an error message" % rc
    else:
        problem = check_eve(os.path.join(logdir, "eve.json"), ev, validator)
    if problem:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        problem += "".join("\n#     stderr: " + t for t in tail)
    shutil.rmtree(logdir, ignore_errors=True)
    return problem


def main(argv):
    ap = argparse.ArgumentParser(description="Run medids over mutated captures.")
    ap.add_argument("-n", type=int, default=int(os.environ.get("MD_MUTANTS", "1000")))
    ap.add_argument("--seed", type=int, default=11073)
    ap.add_argument("--keep", help="copy failing mutants into this directory")
    ap.add_argument("captures", nargs="*")
    args = ap.parse_args(argv)

    captures = args.captures or sorted(
        glob.glob(os.path.join(SRCDIR, "pcaps", "*.pcap*")) +
        glob.glob(os.path.join(SHARED, "pcaps", "*.pcap*")))
    if not captures:
        print("SKIP: no captures in %s/pcaps" % SRCDIR)
        return 77
    if not os.access(MEDIDS, os.X_OK):
        print("medids not built: %s" % MEDIDS)
        return 1
    corpus = []
    for c in captures:
        with open(c, "rb") as f:
            corpus.append((os.path.basename(c), f.read()))
    ev, validator = load_validator()

    rng = random.Random(args.seed)
    fails, by_kind, statuses = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="md-mutants-") as workdir:
        for i in range(args.n):
            name, data = corpus[i % len(corpus)]
            kind = pick_kind(data, rng)
            path = os.path.join(workdir, "m%04d-%s-%s" % (i, kind, name))
            with open(path, "wb") as f:
                f.write(mutate(data, kind, rng))
            problem = run_one(path, kind, workdir, ev, validator, statuses)
            by_kind[kind] = by_kind.get(kind, 0) + 1
            if problem:
                fails.append(os.path.basename(path))
                print("not ok - %s: %s" % (os.path.basename(path), problem))
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    shutil.copy(path, args.keep)
            os.unlink(path)
    print("# %d mutants of %d captures (%s), seed %d" % (
        args.n, len(corpus), ", ".join("%s %d" % kv for kv in sorted(by_kind.items())),
        args.seed))
    print("# exit statuses: %s" % ", ".join("%d: %d" % kv for kv in sorted(statuses.items())))
    print("%d failure(s)" % len(fails) if fails else "no crash, hang or invalid output")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
