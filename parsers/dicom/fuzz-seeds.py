#!/usr/bin/python3
"""fuzz-seeds.py - write a seed corpus for fuzz-dicom.c from DICOM captures.

Each TCP connection of each capture becomes one seed file: its payload
segments in wire order as fuzz-dicom.c records (2-byte big-endian header:
bit 15 direction, 0 = to the server, the side that received the SYN; bits
0-13 length; then the bytes). Segments longer than 16383 bytes are split.

Usage: fuzz-seeds.py OUTDIR [PCAP...]   (default: pcaps/dicom-*.pcap)
Needs tshark.
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def connections(pcap):
    """{stream: [(dir, bytes)]} of the capture, in wire order."""
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream",
         "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "tcp.dstport",
         "-e", "tcp.payload"],
        check=True, capture_output=True, text=True).stdout
    server, conns = {}, {}
    for line in out.splitlines():
        stream, syn, ack, dport, payload = (line.split("\t") + [""] * 5)[:5]
        if syn in ("1", "True") and ack in ("0", "False"):
            server[stream] = dport
        if not payload:
            continue
        d = 0 if server.get(stream, dport) == dport else 1
        conns.setdefault(stream, []).append((d, bytes.fromhex(payload.replace(":", ""))))
    return conns


def records(segs):
    out = bytearray()
    for d, data in segs:
        for i in range(0, len(data), 16383):
            piece = data[i:i + 16383]
            out += ((d << 15) | len(piece)).to_bytes(2, "big") + piece
    return bytes(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    pcaps = sys.argv[2:] or sorted(glob.glob(os.path.join(TOP, "pcaps", "dicom-*.pcap")))
    os.makedirs(outdir, exist_ok=True)
    n = 0
    for pcap in pcaps:
        base = os.path.splitext(os.path.basename(pcap))[0]
        for stream, segs in sorted(connections(pcap).items()):
            with open(os.path.join(outdir, "%s-%s" % (base, stream)), "wb") as f:
                f.write(records(segs))
            n += 1
    print("%d seeds in %s" % (n, outdir))


if __name__ == "__main__":
    main()
