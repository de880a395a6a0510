#!/usr/bin/python3
"""Write input.pcap for the rules-threshold-track case (deterministic; scapy).

Four copies of pcaps/hl7-adt.pcap (three ADT^A01, each ACKed, on one TCP
connection to port 2575) with new IPv4 addresses, one second apart:

  copy  client     server     messages
  1     10.1.0.1   10.2.0.1   3
  2     10.1.0.2   10.2.0.1   3
  3     10.1.0.3   10.2.0.1   3
  4     10.1.0.1   10.2.0.2   3

so that tracking by source, destination, both or rule counts differently.
Ports, TCP sequence numbers and payloads are kept; IP and TCP checksums are
recomputed by scapy, so the capture replays with -k all too.
"""
import os

from scapy.all import IP, TCP, rdpcap, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "..", "pcaps", "hl7-adt.pcap")
COPIES = [("10.1.0.1", "10.2.0.1"), ("10.1.0.2", "10.2.0.1"),
          ("10.1.0.3", "10.2.0.1"), ("10.1.0.1", "10.2.0.2")]


def main():
    orig = rdpcap(SRC)
    server_port = 2575
    out = []
    for k, (client, server) in enumerate(COPIES):
        for pkt in orig:
            p = pkt.copy()
            to_server = p[TCP].dport == server_port
            p[IP].src, p[IP].dst = (client, server) if to_server else (server, client)
            del p[IP].chksum
            del p[TCP].chksum
            p.time = pkt.time + k
            out.append(p)
    wrpcap(os.path.join(HERE, "input.pcap"), out)


if __name__ == "__main__":
    main()
