#!/usr/bin/python3
"""Build a large capture for the replay benchmark from the TCP flows of the
corpus.

Usage: make-big-pcap.py [-s MB] [-o OUT] [-j CONCURRENT] [CAPTURE...]
       (default: 1000 MB into bench/data/big-1000M.pcap, from pcaps/*.pcap)

The TCP packets (IPv4 or IPv6 over Ethernet, optionally VLAN-tagged) of the
input captures, laid end to end in time, form one template. The output is
as many copies of the template as make about MB megabytes; each copy gets
its own addresses (IPv4 10.H.L.n, IPv6 fd00::H:L:n, for copy number
H*256+L and the n-th address of the template), so every copy is a new set
of flows; ports are kept so protocol detection by port still works. Copies
run in groups of CONCURRENT (default 64) whose packets are interleaved with
equal timestamps, so that many flows are open at once; groups follow one
another in time.

Records are rewritten as raw bytes (struct); no checksum is recomputed,
so replay the output with `-k none`.
"""

import argparse
import glob
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(HERE)
LINKTYPE_ETHERNET = 1
# magic -> (byte order, units of the fractional timestamp per microsecond)
MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1), b"\xa1\xb2\xc3\xd4": (">", 1),
         b"\x4d\x3c\xb2\xa1": ("<", 1000), b"\xa1\xb2\x3c\x4d": (">", 1000)}


def read_pcap(path):
    """Yield (ts_usec, frame bytes) of a classic Ethernet pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] not in MAGIC:
        print("make-big-pcap: %s: not a classic pcap file, skipped" % path, file=sys.stderr)
        return
    endian, per_usec = MAGIC[data[:4]]
    if struct.unpack_from(endian + "I", data, 20)[0] != LINKTYPE_ETHERNET:
        print("make-big-pcap: %s: not Ethernet, skipped" % path, file=sys.stderr)
        return
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack_from(endian + "IIII", data, off)
        frame = data[off + 16:off + 16 + caplen]
        if len(frame) < caplen:
            break
        yield sec * 1000000 + frac // per_usec, frame
        off += 16 + caplen


def split_tcp(frame):
    """(src offset, dst offset, address length) of a TCP frame's IP
    addresses, or None when it is not TCP over IPv4/IPv6."""
    off = 12
    etype = struct.unpack_from(">H", frame, off)[0] if len(frame) >= 14 else 0
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 6:
        off += 4
        etype = struct.unpack_from(">H", frame, off)[0]
    ip = off + 2
    if etype == 0x0800 and len(frame) >= ip + 20 and frame[ip + 9] == 6:
        return ip + 12, ip + 16, 4
    if etype == 0x86DD and len(frame) >= ip + 40 and frame[ip + 6] == 6:
        return ip + 8, ip + 24, 16
    return None


def build_template(paths):
    """List of (ts_usec, pre, src, mid, dst, rest) over all captures laid
    end to end (one second apart); src/dst are indexes into the list of
    distinct addresses, also returned."""
    template, addrs, index = [], [], {}
    base = 0
    for path in paths:
        first = last = None
        for ts, frame in read_pcap(path):
            cut = split_tcp(frame)
            if cut is None:
                continue
            first = ts if first is None else first
            last = ts
            s, d, n = cut
            ids = []
            for a in (frame[s:s + n], frame[d:d + n]):
                if a not in index:
                    index[a] = len(addrs)
                    addrs.append(a)
                ids.append(index[a])
            template.append((base + ts - first, frame[:s], ids[0], frame[s + n:d], ids[1],
                             frame[d + n:]))
        if first is not None:
            base += last - first + 1000000
    return template, addrs, base


def copy_addrs(addrs, copy):
    """New addresses of the template's addresses for one copy."""
    hi, lo = (copy >> 8) & 0xFF, copy & 0xFF
    out = []
    for n, a in enumerate(addrs, 1):
        if len(a) == 4:
            out.append(bytes([10, hi, lo, n & 0xFF]))
        else:
            out.append(b"\xfd" + bytes(9) + struct.pack(">HHH", hi, lo, n & 0xFFFF))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description="Build a big capture for bench/replay.")
    ap.add_argument("-s", "--size", type=int, default=1000, help="megabytes (default 1000)")
    ap.add_argument("-o", "--output", help="output file (default bench/data/big-<MB>M.pcap)")
    ap.add_argument("-j", "--concurrent", type=int, default=64,
                    help="copies interleaved at once (default 64)")
    ap.add_argument("captures", nargs="*")
    args = ap.parse_args(argv)
    paths = args.captures or sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "*.pcap")))
    out = args.output or os.path.join(HERE, "data", "big-%dM.pcap" % args.size)

    template, addrs, span = build_template(paths)
    if not template:
        print("make-big-pcap: no TCP packets in %d capture(s)" % len(paths), file=sys.stderr)
        return 1
    if len(addrs) > 254:
        print("make-big-pcap: more than 254 distinct addresses", file=sys.stderr)
        return 1
    per_copy = sum(16 + len(t[1]) + len(t[3]) + len(t[5]) + 2 * len(addrs[t[2]])
                   for t in template)
    copies = max(1, -(-args.size * 1000000 // per_copy))
    if copies > 65536:
        print("make-big-pcap: %d copies needed, at most 65536" % copies, file=sys.stderr)
        return 1

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".part"
    t0 = 1700000000 * 1000000
    rec = struct.Struct("<IIII")
    with open(tmp, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        for g in range(0, copies, args.concurrent):
            group = [copy_addrs(addrs, c) for c in range(g, min(copies, g + args.concurrent))]
            gbase = t0 + (g // args.concurrent) * span
            chunk = []
            for ts, pre, s, mid, d, rest in template:
                t = gbase + ts
                size = len(pre) + len(mid) + len(rest) + 2 * len(addrs[s])
                hdr = rec.pack(t // 1000000, t % 1000000, size, size)
                for a in group:
                    chunk += (hdr, pre, a[s], mid, a[d], rest)
            f.write(b"".join(chunk))
    os.replace(tmp, out)
    print("%s: %d copies of %d TCP packets from %d capture(s), %.0f MB"
          % (out, copies, len(template), len(paths), os.path.getsize(out) / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
