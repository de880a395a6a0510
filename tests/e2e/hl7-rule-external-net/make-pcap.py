#!/usr/bin/python3
"""Build external-net.pcap from pcaps/hl7-adt.pcap (deterministic).

The source capture (three ADT^A01 over MLLP, made by mllp_send and the
asyncio MLLP server on 127.0.0.1, see pcaps/README.md) is copied three
times with its IPv4 addresses rewritten, each copy 10 s after the previous
and with its control ids renamed (SYNADT -> SYNXT1, SYNXT2 in the second
and third copy, same length) so that the copies are not replays:

  1. client 203.0.113.50 (external) -> server 10.20.30.40 (home)
  2. client 10.20.30.41 (home)      -> server 198.51.100.60 (external)
  3. client 10.20.30.42 (home)      -> server 10.20.30.40 (home)

Home is medids' default HOME_NET (RFC 1918); the external addresses are
documentation ranges (RFC 5737). IP and TCP checksums are recomputed.

Usage: make-pcap.py [SRCDIR]   (default: the repository of this file)
"""

import os
import sys

from scapy.all import IP, TCP, PcapReader, PcapWriter

HERE = os.path.dirname(os.path.abspath(__file__))
FLOWS = [("203.0.113.50", "10.20.30.40"),
         ("10.20.30.41", "198.51.100.60"),
         ("10.20.30.42", "10.20.30.40")]
SHIFT = 10


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(HERE, "..", "..", "..")
    with PcapReader(os.path.join(src, "pcaps", "hl7-adt.pcap")) as rd:
        pkts = list(rd)
    server_port = pkts[0][TCP].dport
    out = PcapWriter(os.path.join(HERE, "external-net.pcap"), linktype=1, sync=True)
    for i, (client, server) in enumerate(FLOWS):
        for p in pkts:
            q = p.copy()
            to_server = q[TCP].dport == server_port
            q[IP].src, q[IP].dst = (client, server) if to_server else (server, client)
            if i and q[TCP].payload:
                data = bytes(q[TCP].payload).replace(b"SYNADT", b"SYNXT%d" % i)
                q[TCP].remove_payload()
                q = q / data
            del q[IP].chksum
            del q[TCP].chksum
            q = q.__class__(bytes(q))
            q.time = p.time + i * SHIFT
            out.write(q)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
