#!/usr/bin/python3
"""decode-to-pcap.py - turn a fuzz-decode input into a pcap file.

Usage: decode-to-pcap.py INPUT OUTPUT.pcap

The packets and times of the input (fuzz-decode.c's record layout: a control
byte, then records of length (2, BE), time delta (2, BE: milliseconds, or
with bit 15 set seconds) and an Ethernet frame) become an Ethernet pcap that
`medids -r` replays, for an e2e case made from a finding. The control byte
is printed: its settings (checksums, small limits, defragmentation policy,
midstream, rules) are for the case's medids.yaml and arguments.
"""
import struct
import sys

BASE_USEC = 1700000000 * 1000000


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    if not data:
        sys.exit("decode-to-pcap.py: empty input")
    ctl, off, ts, n = data[0], 1, BASE_USEC, 0
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    while len(data) - off >= 4:
        length, dt = struct.unpack("!HH", data[off:off + 4])
        off += 4
        ts += (dt & 0x7FFF) * 1000000 if dt & 0x8000 else dt * 1000
        frame = data[off:off + length]
        off += len(frame)
        out += struct.pack("<IIII", ts // 1000000, ts % 1000000, len(frame), len(frame))
        out += frame
        n += 1
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    policy = ["first", "last", "linux", "bsd"][(ctl >> 3) & 3]
    print("%d packets; control 0x%02x: checksums %s, %s limits, defrag %s, "
          "midstream %s, rules %s" % (
              n, ctl, ["off (-k none)", "on (-k all)", "auto", "auto"][ctl & 3],
              "small" if ctl & 4 else "default", policy,
              "off" if ctl & 0x20 else "on", "off" if ctl & 0x40 else "on"))


if __name__ == "__main__":
    main()
