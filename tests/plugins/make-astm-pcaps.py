#!/usr/bin/python3
"""Write ASTM E1381/E1394 captures for tests/scripts/test-plugin-astm.sh.

Usage: make-astm-pcaps.py OUTDIR

A laboratory analyser (10.20.0.5) talks to a laboratory information system
(LIS, 10.20.0.10, port 5000) over TCP, following ASTM E1381 (ENQ/ACK
establishment, frames STX FN text ETB|ETX C1 C2 CR LF of at most 247
characters with a modulo-256 checksum, frame numbers 1..7,0,..., a NAKed
frame sent again with the same number, EOT) and E1394 / LIS2-A2 records.
All data is synthetic: no real patient.

  astm-results.pcap       host query: the analyser asks for the orders of a
                          specimen (H Q L), the LIS answers (H P O L), the
                          analyser sends its results (H P O R R C L, the C
                          record in two frames: ETB then ETX)
  astm-results-split.pcap the same, one byte per TCP segment
  astm-bad-checksum.pcap  results; the O frame goes out with a wrong
                          checksum, the LIS NAKs it, it is sent again
  astm-nak-storm.pcap     the LIS NAKs the P frame six times, the analyser
                          gives up (EOT) and later sends the whole message
  astm-anomalies.pcap     one connection per anomaly (client port 41001..):
                          see ANOMALIES below
"""

import os
import sys

from scapy.all import IP, TCP, Ether, wrpcap  # noqa: E402

STX, ETX, EOT, ENQ, ACK, NAK, ETB = b"\x02", b"\x03", b"\x04", b"\x05", b"\x06", b"\x15", b"\x17"
CR, LF = b"\r", b"\n"
ANALYSER, LIS, LIS_PORT = "10.20.0.5", "10.20.0.10", 5000
TEXT_MAX = 240  # E1381: frame text; 247 characters with the overhead

T0 = 1704450600.0  # 2024-01-05 10:30:00 UTC


def checksum(body):
    """Two hex digits: modulo-256 sum of FN .. ETB/ETX."""
    return b"%02X" % (sum(body) & 0xFF)


def frame(fn, text, final, bad=False):
    """One frame with frame number fn (0..7)."""
    body = b"%d" % (fn % 8) + text + (ETX if final else ETB)
    cs = checksum(body)
    if bad:
        cs = b"%02X" % ((int(cs, 16) + 1) & 0xFF)
    return STX + body + cs + CR + LF


class Conv:
    """A TCP connection written packet by packet: handshake, data segments
    each acknowledged by the peer, FIN."""

    def __init__(self, cport, t=T0, seg=0):
        self.seg = seg  # bytes per data segment; 0: one segment per send
        self.c = (ANALYSER, cport)
        self.s = (LIS, LIS_PORT)
        self.seq = {0: 1000, 1: 50000}
        self.t = t
        self.pkts = []
        self._pkt(0, "S", b"")
        self.seq[0] += 1
        self._pkt(1, "SA", b"")
        self.seq[1] += 1
        self._pkt(0, "A", b"")

    def _pkt(self, d, flags, data):
        src, dst = (self.c, self.s) if d == 0 else (self.s, self.c)
        p = (Ether(src="02:00:00:00:00:05" if d == 0 else "02:00:00:00:00:0a",
                   dst="02:00:00:00:00:0a" if d == 0 else "02:00:00:00:00:05")
             / IP(src=src[0], dst=dst[0])
             / TCP(sport=src[1], dport=dst[1], flags=flags, seq=self.seq[d],
                   ack=self.seq[1 - d] if "A" in flags else 0, window=64240)
             / data)
        p.time = self.t
        self.t += 0.001
        self.pkts.append(p)

    def send(self, d, data):
        """d = 0: analyser to LIS; 1: LIS to analyser."""
        step = self.seg or len(data)
        for i in range(0, len(data), step):
            self._pkt(d, "PA", data[i:i + step])
            self.seq[d] += len(data[i:i + step])
            self._pkt(1 - d, "A", b"")

    def close(self):
        self._pkt(0, "FA", b"")
        self.seq[0] += 1
        self._pkt(1, "FA", b"")
        self.seq[1] += 1
        self._pkt(0, "A", b"")
        return self.pkts


def frames_of(record, fn):
    """The frames of one record (text ends with CR), from frame number fn;
    returns (frames, next fn)."""
    text = record + CR
    out = []
    while True:
        part, text = text[:TEXT_MAX], text[TEXT_MAX:]
        out.append(frame(fn, part, not text))
        fn = (fn + 1) % 8
        if not text:
            return out, fn


def transfer(conv, d, records, replies=None):
    """ENQ, ACK, each record's frames each answered by ACK, EOT. replies
    maps a frame index to a list of (frame bytes or None for the right
    one, reply) sent before the right frame's ACK."""
    conv.send(d, ENQ)
    conv.send(1 - d, ACK)
    fn, i = 1, 0
    for rec in records:
        frs, fn = frames_of(rec, fn)
        for fr in frs:
            for alt, reply in (replies or {}).get(i, []):
                conv.send(d, alt if alt is not None else fr)
                conv.send(1 - d, reply)
            conv.send(d, fr)
            conv.send(1 - d, ACK)
            i += 1
    conv.send(d, EOT)


H_AN = b"H|\\^&|||SYNLAB-AN1^2.1^SN0042|||||LIS-HOST||P|LIS2-A2|%s"
H_LIS = b"H|\\^&|||LIS-HOST|||||SYNLAB-AN1||P|LIS2-A2|20240105103001"
PAT = b"P|1|PRAC0001|LAB0001||TEST^PATIENT^ONE||19700101|F"
ORD_Q = b"O|1|SPEC0001||^^^GLU\\^^^K|R||||||N||||||||||||||O"
ORD_R = b"O|1|SPEC0001|R0042|^^^GLU\\^^^K|R||||||N||||||||||||||F"
RES_GLU = b"R|1|^^^GLU|612|mg/dL|70 to 110|HH||F||OPER1||20240105103455|SYNLAB-AN1"
RES_K = b"R|2|^^^K|4.1|mmol/L|3.5 to 5.1|N||F||OPER1||20240105103456|SYNLAB-AN1"
COMMENT = (b"C|1|I|" + b"Sample checked for haemolysis, icterus and lipaemia; "
           b"indices within limits. " * 5 + b"|G")
TERM = b"L|1|N"

H_RES = b"H|\\^&|MSG0042||SYNLAB-AN1^2.1^SN0042|||||LIS-HOST||P|LIS2-A2|20240105103500"
RESULTS = [H_RES, PAT, ORD_R, RES_GLU, RES_K, COMMENT, TERM]


def cap_results(seg=0):
    c = Conv(40001, seg=seg)
    transfer(c, 0, [H_AN % b"20240105103000", b"Q|1|^SPEC0001||^^^ALL||||||||O", TERM])
    transfer(c, 1, [H_LIS, PAT, ORD_Q, TERM])
    transfer(c, 0, RESULTS)
    return c.close()


def cap_bad_checksum():
    c = Conv(40002)
    bad = frame(3, ORD_R + CR, True, bad=True)
    transfer(c, 0, RESULTS, {2: [(bad, NAK)]})
    return c.close()


def cap_nak_storm():
    c = Conv(40003)
    c.send(0, ENQ)
    c.send(1, ACK)
    c.send(0, frame(1, H_AN % b"20240105103500" + CR, True))
    c.send(1, ACK)
    for _ in range(6):
        c.send(0, frame(2, PAT + CR, True))
        c.send(1, NAK)
    c.send(0, EOT)
    transfer(c, 0, RESULTS)
    return c.close()


def raw_transfer(conv, chunks):
    """ENQ/ACK, then each chunk sent by the analyser and ACKed, then EOT."""
    conv.send(0, ENQ)
    conv.send(1, ACK)
    for ch in chunks:
        conv.send(0, ch)
        conv.send(1, ACK)
    conv.send(0, EOT)


def numbered(records, fns=None):
    """One final frame per record, numbered 1, 2, ... or by fns."""
    fns = fns or [(i + 1) % 8 for i in range(len(records))]
    return [frame(fn, r + CR, True) for fn, r in zip(fns, records)]


H1 = H_AN % b"20240105110000"
BASIC = [H1, PAT, ORD_R, RES_K, TERM]

# Client port -> (event, frames sent by the analyser after ENQ/ACK).
ANOMALIES = {
    41001: ("frame_number_gap", numbered(BASIC, [1, 2, 4, 5, 6])),
    41002: ("oversized_frame", numbered([H1, PAT, ORD_R, RES_K[:-1] + b" " + b"x" * 300, TERM])),
    41003: ("record_out_of_order", numbered([H1, PAT, RES_K, TERM])),
    41004: ("missing_header", numbered([PAT, ORD_R, RES_K, TERM])),
    41005: ("malformed_frame", numbered([H1, PAT])
            + [STX + b"3" + ORD_R + CR + CR + LF] + numbered([TERM], [3])),
    41006: ("unexpected_data", numbered([H1, PAT]) + [b"HELLO"] + numbered([TERM], [3])),
    41007: ("unknown_record", numbered([H1, b"X|1|UNKNOWN", TERM])),
    41008: ("invalid_delimiters", numbered([b"H|||||SYNLAB-AN1", TERM])),
    41009: ("missing_terminator", numbered([H1, PAT, ORD_R])),
    41010: ("too_many_records",
            numbered([H1] + [b"C|%d|I|note|G" % i for i in range(1, 300)] + [TERM])),
}


def cap_anomalies():
    pkts = []
    t = T0 + 60
    for port, (_, chunks) in sorted(ANOMALIES.items()):
        c = Conv(port, t)
        raw_transfer(c, chunks)
        pkts += c.close()
        t = c.t + 1
    # record_too_long: one record of 70,000 characters in 292 frames.
    c = Conv(41011, t)
    transfer(c, 0, [H1, b"C|1|I|" + b"y" * 70000 + b"|G", TERM])
    pkts += c.close()
    return pkts


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in (("astm-results", cap_results),
                     ("astm-results-split", lambda: cap_results(seg=1)),
                     ("astm-bad-checksum", cap_bad_checksum),
                     ("astm-nak-storm", cap_nak_storm), ("astm-anomalies", cap_anomalies)):
        wrpcap(os.path.join(out, name + ".pcap"), fn())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
