#!/usr/bin/python3
"""Helpers for the EVE output tests (tests/scripts/test-output-*.sh).

  out-util.py sink unix-stream|unix-dgram PATH OUT
      Listen on the unix socket PATH (stream: any number of connections,
      one after another or at once; dgram: one record per datagram) and
      append every record received to OUT as one line, until SIGTERM.
      PATH.ready appears once the socket is bound.

  out-util.py check REFERENCE OTHER [--subsequence] [--reverse] [--skip-stats]
      REFERENCE and OTHER hold one record per line. Without --subsequence
      OTHER must equal REFERENCE line for line; with it, OTHER must be
      REFERENCE with some records left out (same order, nothing added,
      nothing twice). --reverse reads OTHER bottom-up (a list filled with
      LPUSH). --skip-stats ignores `stats` records on both sides. Prints
      "reference N, other M" and exits 0 when the check holds, else 1 with
      the first difference.

  out-util.py feed OUT ROUNDS SECONDS
      Write the capture corpus (pcaps/*.pcap, in name order) ROUNDS times
      as one pcap stream to OUT (a FIFO medids -r reads), spread evenly
      over about SECONDS: a replay that lasts as long as the test needs.
      Round k is shifted k days later, so its flows are new flows and
      every record differs from the other rounds'.

  out-util.py stats EVE NAME
      Print the output.NAME counters of the last stats record in EVE as
      "written W dropped D errors E queued Q unconfirmed U".
"""

import glob
import json
import os
import struct
import time
import select
import signal
import socket
import sys


def sink(kind, path, out):
    stype = socket.SOCK_STREAM if kind == "unix-stream" else socket.SOCK_DGRAM
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, stype)
    srv.bind(path)
    if stype == socket.SOCK_STREAM:
        srv.listen(8)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(path + ".ready", "w"):
        pass
    conns, bufs = [], {}
    buf = bytearray(1 << 20)
    with open(out, "ab") as fp:
        while not stop:
            try:
                r, _, _ = select.select([srv] + conns, [], [], 0.2)
            except InterruptedError:
                continue
            for s in r:
                if s is srv and stype == socket.SOCK_DGRAM:
                    n = srv.recv_into(buf)
                    fp.write(bytes(buf[:n]) + b"\n")
                elif s is srv:
                    c, _ = srv.accept()
                    conns.append(c)
                    bufs[c] = b""
                else:
                    data = s.recv(1 << 16)
                    if not data:
                        conns.remove(s)
                        s.close()
                        continue
                    lines = (bufs[s] + data).split(b"\n")
                    bufs[s] = lines.pop()
                    for line in lines:
                        fp.write(line + b"\n")
            fp.flush()


def feed(out, rounds, seconds):
    pcaps = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "pcaps")
    header, pkts = None, []
    for f in sorted(glob.glob(os.path.join(pcaps, "*.pcap"))):
        data = open(f, "rb").read()
        if data[:4] != b"\xd4\xc3\xb2\xa1" or data[20:24] != b"\x01\0\0\0":
            continue  # little-endian microsecond Ethernet captures only
        header = header or data[:24]
        off = 24
        while off + 16 <= len(data):
            sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
            pkts.append((sec, usec, incl, orig, data[off + 16:off + 16 + incl]))
            off += 16 + incl
    total = rounds * len(pkts)
    pause = seconds * 100.0 / total if total else 0
    sent = 0
    start = time.monotonic()
    with open(out, "wb") as fp:
        fp.write(header)
        for k in range(rounds):
            for sec, usec, incl, orig, body in pkts:
                fp.write(struct.pack("<IIII", sec + k * 86400, usec, incl, orig) + body)
                sent += 1
                if sent % 100 == 0:
                    fp.flush()
                    delay = start + sent * pause / 100 - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)


def read_lines(path, skip_stats):
    out = []
    with open(path, "rb") as fp:
        for line in fp:
            line = line.rstrip(b"\n")
            if not line:
                continue
            if skip_stats and b'"event_type":"stats"' in line:
                continue
            out.append(line)
    return out


def check(args):
    ref_path, other_path = args[0], args[1]
    sub, rev, skip = "--subsequence" in args, "--reverse" in args, "--skip-stats" in args
    ref = read_lines(ref_path, skip)
    other = read_lines(other_path, skip)
    if rev:
        other.reverse()
    print("reference %d, other %d" % (len(ref), len(other)))
    if len(set(ref)) != len(ref):
        print("reference holds the same record twice: the check cannot tell duplicates")
        return 1
    if len(set(other)) != len(other):
        print("other holds a record twice")
        return 1
    if not sub:
        for i, (a, b) in enumerate(zip(ref, other)):
            if a != b:
                print("line %d differs:\n  %s\n  %s" % (i + 1, a[:200], b[:200]))
                return 1
        if len(ref) != len(other):
            print("lengths differ")
            return 1
        return 0
    j = 0
    for i, rec in enumerate(other):
        while j < len(ref) and ref[j] != rec:
            j += 1
        if j == len(ref):
            print("record %d of other is not in reference (or out of order): %s" % (i + 1, rec[:200]))
            return 1
        j += 1
    return 0


def stats(eve, name):
    last = None
    with open(eve, "rb") as fp:
        for line in fp:
            if b'"event_type":"stats"' in line:
                last = json.loads(line)
    if last is None:
        print("no stats record", file=sys.stderr)
        return 1
    o = last["stats"].get("output", {}).get(name)
    if o is None:
        print("no output.%s in the stats record" % name, file=sys.stderr)
        return 1
    print("written %d dropped %d errors %d queued %d unconfirmed %d" % (
        o["written"], o["dropped"], o["errors"], o.get("queued", 0), o.get("unconfirmed", 0)))
    return 0


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "sink":
        sink(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "check":
        return check(sys.argv[2:])
    if len(sys.argv) == 5 and sys.argv[1] == "feed":
        try:
            feed(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        except BrokenPipeError:
            return 1
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "stats":
        return stats(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
