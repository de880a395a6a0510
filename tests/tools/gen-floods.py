#!/usr/bin/python3
"""Write flood captures that push medids against its memcaps and bounds.

Usage: gen-floods.py [--scale F] OUTDIR [KIND...]

Kinds (default: all), each written to OUTDIR/flood-KIND.pcap; --scale
multiplies the counts (1.0 = the full sizes bench/floods uses):
  syn        1,000,000 SYN packets, each a new flow (random source
             address and port) to 10.1.0.1:104
  hl7        one MLLP connection carrying 100,000 HL7 ORU messages from the
             client and no application ACK from the server
  dicom-pdu  an A-ASSOCIATE-RQ, then a P-DATA-TF PDU announcing length
             0xFFFFFFFF followed by 8 MB of data
  dicom-pc   an A-ASSOCIATE-RQ with 10,000 presentation contexts
  overlap    one connection whose client sends 100,000 segments, each
             overlapping the previous one by half with different bytes
  frag       100,000 IPv4 first fragments of distinct datagrams that
             never complete

Packets are Ethernet/IPv4/TCP (or UDP for frag) written with struct, not
scapy, so that a million packets take seconds. Checksums are zero: replay
with -k none.
"""

import argparse
import os
import random
import struct
import sys

CLIENT, SERVER = "10.0.0.2", "10.1.0.1"


def ip4(s):
    return bytes(int(x) for x in s.split("."))


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = 1_700_000_000_000_000  # microseconds

    def write(self, frame):
        self.t += 10
        sec, usec = divmod(self.t, 1_000_000)
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def ether(payload):
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + payload


def ipv4(src, dst, proto, payload, ident=0, frag=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      frag, 64, proto, 0, src, dst)
    return hdr + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    return hdr + payload


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


class Conn:
    """A TCP connection written into a capture (handshake, data, close)."""

    def __init__(self, pc, sport, dport, cli=CLIENT, srv=SERVER):
        self.pc, self.sp, self.dp = pc, sport, dport
        self.c, self.s = ip4(cli), ip4(srv)
        self.cseq, self.sseq = 1000, 5000
        self.pkt(True, SYN, b"")
        self.cseq += 1
        self.pkt(False, SYN | ACK, b"")
        self.sseq += 1
        self.pkt(True, ACK, b"")

    def pkt(self, from_client, flags, data, seq=None):
        if from_client:
            t = tcp(self.sp, self.dp, self.cseq if seq is None else seq,
                    self.sseq, flags, data)
            self.pc.write(ether(ipv4(self.c, self.s, 6, t)))
        else:
            t = tcp(self.dp, self.sp, self.sseq if seq is None else seq,
                    self.cseq, flags, data)
            self.pc.write(ether(ipv4(self.s, self.c, 6, t)))

    def send(self, from_client, data, mss=1400):
        for i in range(0, len(data), mss):
            chunk = data[i:i + mss]
            self.pkt(from_client, PSH | ACK, chunk)
            if from_client:
                self.cseq += len(chunk)
            else:
                self.sseq += len(chunk)
            self.pkt(not from_client, ACK, b"")

    def close(self):
        self.pkt(True, FIN | ACK, b"")
        self.cseq += 1
        self.pkt(False, FIN | ACK, b"")
        self.sseq += 1
        self.pkt(True, ACK, b"")


def gen_syn(pc, n, rnd):
    srv = ip4(SERVER)
    for _ in range(n):
        src = bytes([10, rnd.randrange(2, 250), rnd.randrange(256),
                     rnd.randrange(1, 255)])
        t = tcp(rnd.randrange(1024, 65536), 104, rnd.getrandbits(32), 0, SYN)
        pc.write(ether(ipv4(src, srv, 6, t)))


def gen_hl7(pc, n, rnd):
    c = Conn(pc, 40001, 2575)
    for i in range(n):
        msg = ("MSH|^~\\&|MONITOR|ICU|LIS|LAB|20261201120000||ORU^R01|"
               "MSG%07d|P|2.5\rPID|1||%07d^^^H||DOE^JOHN\r"
               "OBX|1|NM|8867-4^HR^LN||%d|/min|||||F\r" %
               (i, i, 60 + i % 40)).encode()
        c.send(True, b"\x0b" + msg + b"\x1c\x0d")
    c.close()


def assoc_rq(n_pc):
    def item(t, body):
        return struct.pack("!BBH", t, 0, len(body)) + body
    app = item(0x10, b"1.2.840.10008.3.1.1.1")
    pcs = b""
    for i in range(n_pc):
        pcid = (2 * i + 1) & 0xFF
        pcs += item(0x20, struct.pack("!BBBB", pcid, 0, 0, 0) +
                    item(0x30, b"1.2.840.10008.5.1.4.1.1.7") +
                    item(0x40, b"1.2.840.10008.1.2.1"))
    ui = item(0x50, item(0x51, struct.pack("!I", 16384)) +
              item(0x52, b"1.2.3.4.5"))
    body = (struct.pack("!HH", 1, 0) + b"CALLED".ljust(16) +
            b"CALLING".ljust(16) + bytes(32) + app + pcs + ui)
    return struct.pack("!BBI", 1, 0, len(body)) + body


def gen_dicom_pdu(pc, n, rnd):
    c = Conn(pc, 40002, 104)
    c.send(True, assoc_rq(1))
    blob = bytes(rnd.getrandbits(8) for _ in range(4096))
    n = max(n, 4 << 20)  # always well past max-buffer (1 MB)
    data = bytearray(struct.pack("!BBI", 4, 0, 0xFFFFFFFF))
    while len(data) < n:
        data += blob
    c.send(True, bytes(data[:n]))
    c.close()


def gen_dicom_pc(pc, n, rnd):
    c = Conn(pc, 40003, 104)
    c.send(True, assoc_rq(n))
    c.close()


def gen_overlap(pc, n, rnd):
    c = Conn(pc, 40004, 104)
    seg = 200
    base = c.cseq
    for i in range(n):
        data = bytes([i & 0xFF]) * seg
        c.pkt(True, PSH | ACK, data, seq=base + i * seg // 2)
    c.cseq = base + n * seg // 2 + seg // 2
    c.close()


def gen_frag(pc, n, rnd):
    src, dst = ip4(CLIENT), ip4(SERVER)
    udp = struct.pack("!HHHH", 5000, 3702, 8 + 1400, 0) + bytes(1392)
    for i in range(n):
        pc.write(ether(ipv4(src, dst, 17, udp[:1200], ident=i & 0xFFFF,
                            frag=0x2000)))
        if i & 0xFFFF == 0xFFFF:  # new source so ids stay distinct
            src = bytes([10, 0, (i >> 16) & 0xFF, 3])


KINDS = {
    "syn": (gen_syn, 1_000_000),
    "hl7": (gen_hl7, 100_000),
    "dicom-pdu": (gen_dicom_pdu, 8 << 20),
    "dicom-pc": (gen_dicom_pc, 10_000),
    "overlap": (gen_overlap, 100_000),
    "frag": (gen_frag, 100_000),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("outdir")
    ap.add_argument("kinds", nargs="*")
    a = ap.parse_args()
    kinds = a.kinds or list(KINDS)
    os.makedirs(a.outdir, exist_ok=True)
    for k in kinds:
        if k not in KINDS:
            sys.exit("unknown kind %s (%s)" % (k, ", ".join(KINDS)))
        fn, full = KINDS[k]
        n = max(1, int(full * a.scale))
        if k == "dicom-pc":
            n = full  # the bound under test is the count itself
        pc = Pcap(os.path.join(a.outdir, "flood-%s.pcap" % k))
        fn(pc, n, random.Random(7))
        pc.close()


if __name__ == "__main__":
    main()
