#!/usr/bin/python3
"""Write input.pcap for the decode-layers case (deterministic; scapy).

Contents, in order (one packet every 10 ms from 2024-01-15 10:30:00 UTC):
  1. TCP session 10.0.0.1:40000 -> 10.0.0.2:104 on VLAN 10 (8 packets:
     handshake, 5 bytes each way, FIN both ways)
  2. the same session, same addresses and ports, on VLAN 20 (8 packets)
  3. the same kind of session 10.0.0.3:40001 -> 10.0.0.4:2575 in QinQ,
     outer 802.1ad tag 100, inner 802.1Q tag 200 (8 packets)
  4. the same over IPv6, 2001:db8::1:40002 -> [2001:db8::2]:2575 (8 packets)
  5. one UDP datagram 10.0.0.5:5000 -> 10.0.0.6:6000 of 3000 bytes in
     three IPv4 fragments, sent last fragment first (3 packets)
  6. an IPv4 packet whose total length (100) exceeds the bytes captured
     (decoder.ipv4.trunc_pkt)
  7. a TCP segment with data offset 3, shorter than a TCP header
     (decoder.tcp.hlen_too_small)
  8. an IPv4 header whose total length (10) is below its header length
     (decoder.ipv4.iplen_smaller_than_hlen)
Checksums are computed by scapy, so the capture replays with -k all too.
"""
import os

from scapy.all import IP, TCP, UDP, Dot1AD, Dot1Q, Ether, IPv6, Raw, fragment, wrpcap

T0 = 1705314600.0
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"


def session(link, ipc, ips, cport, sport):
    """Handshake, 5 bytes each way, FIN from each side: 8 packets."""
    c, s = 1000, 5000
    def to_s(**kw):
        return link(MAC_C, MAC_S) / ipc / TCP(sport=cport, dport=sport, **kw)
    def to_c(**kw):
        return link(MAC_S, MAC_C) / ips / TCP(sport=sport, dport=cport, **kw)
    return [
        to_s(flags="S", seq=c),
        to_c(flags="SA", seq=s, ack=c + 1),
        to_s(flags="A", seq=c + 1, ack=s + 1),
        to_s(flags="PA", seq=c + 1, ack=s + 1) / Raw(b"hello"),
        to_c(flags="PA", seq=s + 1, ack=c + 6) / Raw(b"world"),
        to_s(flags="FA", seq=c + 6, ack=s + 6),
        to_c(flags="FA", seq=s + 6, ack=c + 7),
        to_s(flags="A", seq=c + 7, ack=s + 7),
    ]


def vlan(tag):
    return lambda src, dst: Ether(src=src, dst=dst) / Dot1Q(vlan=tag)


def qinq(outer, inner):
    return lambda src, dst: Ether(src=src, dst=dst) / Dot1AD(vlan=outer) / Dot1Q(vlan=inner)


def eth(src, dst):
    return Ether(src=src, dst=dst)


def main():
    pkts = []
    pkts += session(vlan(10), IP(src="10.0.0.1", dst="10.0.0.2"),
                    IP(src="10.0.0.2", dst="10.0.0.1"), 40000, 104)
    pkts += session(vlan(20), IP(src="10.0.0.1", dst="10.0.0.2"),
                    IP(src="10.0.0.2", dst="10.0.0.1"), 40000, 104)
    pkts += session(qinq(100, 200), IP(src="10.0.0.3", dst="10.0.0.4"),
                    IP(src="10.0.0.4", dst="10.0.0.3"), 40001, 2575)
    pkts += session(eth, IPv6(src="2001:db8::1", dst="2001:db8::2"),
                    IPv6(src="2001:db8::2", dst="2001:db8::1"), 40002, 2575)
    dgram = IP(src="10.0.0.5", dst="10.0.0.6", id=0x1234) / UDP(sport=5000, dport=6000) / \
        Raw(bytes(i % 251 for i in range(3000)))
    frags = fragment(dgram, fragsize=1200)
    pkts += [Ether(src=MAC_C, dst=MAC_S) / f for f in reversed(frags)]
    trunc = Ether(src=MAC_C, dst=MAC_S) / IP(src="10.0.0.7", dst="10.0.0.8", len=100) / \
        UDP(sport=1, dport=2)
    pkts.append(Ether(bytes(trunc)))
    bad_tcp = Ether(src=MAC_C, dst=MAC_S) / IP(src="10.0.0.7", dst="10.0.0.8") / \
        TCP(sport=3, dport=4, dataofs=3)
    pkts.append(Ether(bytes(bad_tcp)))
    short = Ether(src=MAC_C, dst=MAC_S) / IP(src="10.0.0.7", dst="10.0.0.8", len=10) / Raw(b"x" * 20)
    pkts.append(Ether(bytes(short)))
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.01
    wrpcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "input.pcap"), pkts)
    print("%d packets, %d fragments" % (len(pkts), len(frags)))


if __name__ == "__main__":
    main()
