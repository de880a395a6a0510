#!/usr/bin/python3
"""make-x73-pcaps.py - write the synthetic IEEE 11073-20601 captures the
e2e tests replay: malformed APDUs and the exchanges that prove each rule
of rules/ieee11073.rules.

Usage: /usr/bin/python3 pcaps/make-x73-pcaps.py [OUTDIR]   (default: pcaps/)

No 20601 implementation can be made to send malformed APDUs or to play a
hostile manager, so these connections are written with scapy: complete
TCP sessions (handshake, one segment per APDU acknowledged by the peer,
FIN both ways) between 127.0.0.x addresses, Ethernet link type, correct
checksums, fixed timestamps and sequence numbers so every run writes the
same bytes. The APDUs follow ISO/IEEE 11073-20601:2010 annex A/F byte for
byte (the association is laid out as Antidote's agents send it); the
agent system-ids are synthetic.

Captures:
  x73-malformed.pcap        port 6024: (1) an association, then a PRST whose
                            octet string runs past the APDU, an APDU with
                            the unknown choice 0xE800, a Get whose message
                            length runs past the PRST, a DATA-apdu with the
                            unknown choice 0x0102, then a clean release;
                            (2) an association, then an APDU of length
                            0xFFFF cut by the end of the connection.
  x73-threat-unknown-agent.pcap  port 16024 (no port hint: probed): an
                            agent with system-id 0a0b0c0d0e0f1011 (not on
                            the allow-list) and one with the allowed
                            1133557799bbddff.
  x73-threat-reject-burst.pcap  127.0.0.5 associates six times within 6 s
                            and is rejected each time (rejected-unauthorized,
                            then rejected-permanent); 127.0.0.6 is rejected
                            four times.
  x73-mds-abort.pcap        the manager reads the MDS attributes of a
                            glucose meter (manufacturer, model, serial,
                            firmware, specialization, dev-config-id), the
                            agent sends a scan report; the manager's data
                            request (MDC_ACT_DATA_REQUEST) is answered by
                            an abort (response-timeout).
  x73-threat-set-action.pcap  after an association the manager sends a
                            roiv-confirmed-set (MDS time), a roiv-confirmed-
                            action (MDC_ACT_SET_TIME) and an unconfirmed
                            roiv-action; the agent answers and sends a
                            confirmed scan report of its own.
"""
import os
import struct
import sys

from scapy.all import IP, TCP, Ether, wrpcap  # noqa: E402

BASE = 1764354000.0  # 2025-11-28T18:20:00Z, fixed
SYSID_OK = bytes.fromhex("1133557799bbddff")
SYSID_BAD = bytes.fromhex("0a0b0c0d0e0f1011")
MANAGER_ID = bytes.fromhex("1122334455667788")


def be16(v):
    return struct.pack(">H", v)


def be32(v):
    return struct.pack(">I", v)


def phd_info(systype, sysid, cfg):
    return (be32(0x80000000) + be16(0x8000) + be32(0x80000000) + be32(0) +
            be32(systype) + be16(len(sysid)) + sysid + be16(cfg) +
            be16(1 if systype == 0x00800000 else 0) +
            bytes([1 if systype == 0x00800000 else 0, 0]) + be16(0) +
            be16(0))


def apdu(choice, body):
    return be16(choice) + be16(len(body)) + body


def aarq(sysid, cfg):
    info = phd_info(0x00800000, sysid, cfg)
    proto = be16(0x5079) + be16(len(info)) + info
    return apdu(0xE200, be32(0x80000000) + be16(1) + be16(len(proto)) + proto)


def aare(result):
    info = phd_info(0x80000000, MANAGER_ID, 0) if result in (0, 3) else b""
    proto = (be16(0x5079) if info else be16(0)) + be16(len(info)) + info
    return apdu(0xE300, be16(result) + proto)


def reason(choice, r=0):
    return apdu(choice, be16(r))


def prst(invoke, choice, msg):
    data = be16(invoke) + be16(choice) + be16(len(msg)) + msg
    return apdu(0xE700, be16(len(data)) + data)


ABS_TIME = bytes.fromhex("2025112818200000")


def set_time_msg():
    # obj-handle 0, modification-list: replace MDC_ATTR_TIME_ABS
    mod = be16(0) + be16(0x0987) + be16(8) + ABS_TIME
    return be16(0) + be16(1) + be16(len(mod)) + mod


def scan_report_400(invoke):
    obs = b""
    for handle, val in ((1, 0xF3C5), (10, 0xF27B)):
        data = be16(val) + ABS_TIME
        obs += be16(handle) + be16(len(data)) + data
    info = be16(0xF000) + be16(0) + be16(2) + be16(len(obs)) + obs
    msg = be16(0) + be32(0xFFFFFFFF) + be16(0x0D1D) + be16(len(info)) + info
    return prst(invoke, 0x0101, msg)


class Conn:
    """One TCP connection; the client is the agent."""

    def __init__(self, pkts, cli, cport, srv, sport, t):
        self.pkts, self.t = pkts, t
        self.ends = [(cli, cport), (srv, sport)]
        self.seq = [1000 + cport * 7, 500000 + cport * 11]
        self.seg(0, "S", b"", ack=False)
        self.seg(1, "SA", b"")
        self.seg(0, "A", b"")

    def seg(self, d, flags, payload, ack=True):
        (s, sp), (dst, dp) = self.ends[d], self.ends[1 - d]
        p = (Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00") /
             IP(src=s, dst=dst) /
             TCP(sport=sp, dport=dp, flags=flags, seq=self.seq[d],
                 ack=self.seq[1 - d] if ack else 0, window=65535) / payload)
        p.time = self.t
        self.t += 0.0005
        self.pkts.append(p)
        self.seq[d] += len(payload) + (1 if ("S" in flags or "F" in flags)
                                       else 0)

    def send(self, d, payload, pause=0.01):
        self.seg(d, "PA", payload)
        self.seg(1 - d, "A", b"")
        self.t += pause

    def close(self):
        self.seg(0, "FA", b"")
        self.seg(1, "FA", b"")
        self.seg(0, "A", b"")
        return self.t


AGENT, MANAGER = 0, 1


def associate(c, sysid=SYSID_OK, cfg=400):
    c.send(AGENT, aarq(sysid, cfg))
    c.send(MANAGER, aare(0))


def release(c):
    c.send(AGENT, reason(0xE400))
    c.send(MANAGER, reason(0xE500))


def malformed():
    pkts, t = [], BASE
    c = Conn(pkts, "127.0.0.1", 40001, "127.0.0.2", 6024, t)
    associate(c)
    # PRST whose octet string (0x20) runs past the APDU (8 bytes)
    c.send(AGENT, be16(0xE700) + be16(8) + be16(0x20) + be16(1) +
           be16(0x0101) + be16(0))
    c.send(AGENT, apdu(0xE800, be16(0)))  # unknown APDU choice
    # Get whose message length (0x40) runs past the PRST
    data = be16(7) + be16(0x0103) + be16(0x40) + be16(0) + be16(0) + be16(0)
    c.send(MANAGER, apdu(0xE700, be16(len(data)) + data))
    c.send(AGENT, prst(8, 0x0102, be16(0)))  # unknown data choice
    release(c)
    t = c.close() + 1
    c = Conn(pkts, "127.0.0.1", 40002, "127.0.0.2", 6024, t)
    associate(c)
    c.send(AGENT, be16(0xE700) + be16(0xFFFF) + b"\x00" * 16)
    c.close()
    return pkts


def unknown_agent():
    pkts, t = [], BASE
    for cport, sysid in ((40011, SYSID_BAD), (40012, SYSID_OK)):
        c = Conn(pkts, "127.0.0.3", cport, "127.0.0.2", 16024, t)
        associate(c, sysid, 1500)
        release(c)
        t = c.close() + 1
    return pkts


def reject_burst():
    pkts, t = [], BASE
    plan = [("127.0.0.5", 7)] * 3 + [("127.0.0.5", 1)] * 3 + \
        [("127.0.0.6", 7)] * 4
    for i, (cli, result) in enumerate(plan):
        c = Conn(pkts, cli, 40100 + i, "127.0.0.2", 6024, t)
        c.send(AGENT, aarq(SYSID_OK, 700))
        c.send(MANAGER, aare(result))
        t = c.close() + 0.5
    return pkts


def set_action():
    pkts, t = [], BASE
    c = Conn(pkts, "127.0.0.7", 40200, "127.0.0.2", 6024, t)
    associate(c)
    c.send(MANAGER, prst(1, 0x0105, set_time_msg()))
    rsp = be16(0) + be16(1) + be16(12) + be16(0x0987) + be16(8) + ABS_TIME
    c.send(AGENT, prst(1, 0x0205, rsp))
    act = be16(0) + be16(0x0C17) + be16(12) + ABS_TIME + be32(0)
    c.send(MANAGER, prst(2, 0x0107, act))
    c.send(AGENT, prst(2, 0x0207, be16(0) + be16(0x0C17) + be16(0)))
    c.send(MANAGER, prst(3, 0x0106, act))
    c.send(AGENT, scan_report_400(0))
    c.send(MANAGER, prst(0, 0x0201, be16(0) + be32(0) + be16(0x0D1D) +
                         be16(0)))
    release(c)
    c.close()
    return pkts


def octets(b):
    return be16(len(b)) + b


def mds_abort():
    pkts, t = [], BASE
    c = Conn(pkts, "127.0.0.8", 40300, "127.0.0.2", 6024, t)
    associate(c, cfg=1700)
    c.send(MANAGER, prst(0x0042, 0x0103, be16(0) + be16(0) + be16(0)))
    spec = b""
    for typ, text in ((1, b"SYN-GLU-0001"), (5, b"1.0.4")):
        spec += be16(typ) + be16(0) + octets(text)
    attrs = [(0x0984, octets(SYSID_OK)),
             (0x0928, octets(b"SynMed") + octets(b"SYN-GLU1")),
             (0x092D, be16(2) + be16(len(spec)) + spec),
             (0x0A44, be16(1700)),
             (0x0A5A, be16(1) + be16(4) + be16(4113) + be16(1))]
    lst = b"".join(be16(i) + octets(v) for i, v in attrs)
    c.send(AGENT, prst(0x0042, 0x0203, be16(0) + be16(len(attrs)) +
                       be16(len(lst)) + lst))
    obs = be16(1) + octets(be16(0xF084) + ABS_TIME)
    info = be16(0xF000) + be16(0) + be16(1) + be16(len(obs)) + obs
    msg = be16(0) + be32(0xFFFFFFFF) + be16(0x0D1D) + octets(info)
    c.send(AGENT, prst(0, 0x0100, msg))
    # a data request the agent never answers: it aborts instead
    req = be16(0x0001) + be16(0) + be16(0x8400) + be16(0)
    c.send(MANAGER, prst(0x0043, 0x0107, be16(0) + be16(0x0C1B) +
                         octets(req)))
    c.send(AGENT, reason(0xE600, 2))
    c.close()
    return pkts


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for name, make in (("x73-malformed.pcap", malformed),
                       ("x73-threat-unknown-agent.pcap", unknown_agent),
                       ("x73-threat-reject-burst.pcap", reject_burst),
                       ("x73-threat-set-action.pcap", set_action),
                       ("x73-mds-abort.pcap", mds_abort)):
        wrpcap(os.path.join(out, name), make())
        print(os.path.join(out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
