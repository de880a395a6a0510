#!/usr/bin/python3
"""Write the HTTP captures of pcaps/ (tests/e2e/http-* cases).

Usage: make-http-pcaps.py [OUTDIR]     (default: the directory of this file)

Each capture holds whole TCP connections (three-way handshake, data in
segments of at most 1448 bytes each acknowledged, FIN in both directions)
between 10.10.0.0/24 addresses on Ethernet, built with scapy from HTTP
messages this script writes. Everything is synthetic and deterministic:
patient TEST^PATIENT^ONE / SYN0001, UIDs under
2.25.271828182845904523536028747135266249, fixed timestamps and ports, so a
rerun writes the same bytes.

  http-gzip-bomb.pcap       GET of a FHIR Binary answered with 8 MiB of
                            zeros gzip-encoded (about 8 KiB on the wire)
  http-dicomweb-mz.pcap     STOW-RS POST (multipart/related) of a Part-10
                            file whose preamble is a PE header (port 8042);
                            WADO-URI GET answered, chunked, with a Part-10
                            file whose preamble is an ELF header (port 8080)
  http-dicomweb-clean.pcap  the same two transfers with zero preambles
  http-fhir-deflate.pcap    FHIR POST with a chunked request body, and a
                            FHIR search answered chunked and
                            deflate-encoded, on one keep-alive connection
"""

import gzip
import os
import struct
import sys
import zlib

from scapy.all import Ether, IP, TCP, wrpcap  # noqa: E402

MSS = 1448
CLIENT, SERVER = "10.10.0.20", "10.10.0.10"
UID_ROOT = "2.25.271828182845904523536028747135266249"


# ---- TCP conversations --------------------------------------------------------

class Conv:
    """One TCP connection: handshake, data, close; packets with times."""

    def __init__(self, sport, dport, t0):
        self.sport, self.dport, self.t = sport, dport, t0
        self.seq = {0: 1000, 1: 50000}  # 0: client, 1: server
        self.pkts = []
        self._pkt(0, "S", b"", syn=True)
        self._pkt(1, "SA", b"", syn=True)
        self._pkt(0, "A", b"")

    def _pkt(self, side, flags, data, syn=False, fin=False):
        src, dst = (CLIENT, SERVER) if side == 0 else (SERVER, CLIENT)
        sp, dp = (self.sport, self.dport) if side == 0 else (self.dport, self.sport)
        ack = 0 if flags == "S" else self.seq[1 - side]
        p = (Ether(src="02:00:00:00:00:%02x" % (20 if side == 0 else 10),
                   dst="02:00:00:00:00:%02x" % (10 if side == 0 else 20)) /
             IP(src=src, dst=dst, ttl=64, id=len(self.pkts) + 1) /
             TCP(sport=sp, dport=dp, seq=self.seq[side], ack=ack, flags=flags,
                 window=65535) / data)
        p.time = self.t
        self.t += 0.0001
        self.pkts.append(p)
        self.seq[side] += len(data) + (1 if syn or fin else 0)

    def send(self, side, data):
        """data from side 0 (client) or 1 (server), acknowledged."""
        for off in range(0, len(data), MSS):
            self._pkt(side, "PA", data[off:off + MSS])
            self._pkt(1 - side, "A", b"")

    def close(self):
        self._pkt(0, "FA", b"", fin=True)
        self._pkt(1, "FA", b"", fin=True)
        self._pkt(0, "A", b"")
        return self.pkts


# ---- HTTP messages -----------------------------------------------------------------

def request(method, target, host, headers=(), body=b"", chunks=None):
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: " + host,
             "User-Agent: medids-synthetic/1.0"]
    lines += list(headers)
    if chunks is not None:
        lines.append("Transfer-Encoding: chunked")
        body = chunked(chunks)
    elif body or method in ("POST", "PUT"):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response(status, headers=(), body=b"", chunks=None):
    reason = {200: "OK", 201: "Created"}[status]
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Server: medids-synthetic",
             "Date: Mon, 01 Jan 2024 12:00:00 GMT"]
    lines += list(headers)
    if chunks is not None:
        lines.append("Transfer-Encoding: chunked")
        body = chunked(chunks)
    else:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def chunked(parts):
    out = b""
    for p in parts:
        out += b"%x\r\n" % len(p) + p + b"\r\n"
    return out + b"0\r\n\r\n"


def split(data, n):
    size = (len(data) + n - 1) // n
    return [data[i:i + size] for i in range(0, len(data), size)]


# ---- DICOM Part-10 files ----------------------------------------------------------

def element(group, elem, vr, value):
    """Explicit VR little endian element (PS3.5 7.1.2)."""
    if len(value) % 2:
        value += b"\x00" if vr in ("UI", "OB") else b" "
    if vr in ("OB", "OW", "SQ", "UN", "UT"):
        return struct.pack("<HH2sHI", group, elem, vr.encode(), 0, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr.encode(), len(value)) + value


def part10(preamble, instance):
    """A Secondary Capture image file (PS3.10 7.1) with the given preamble."""
    sop_class = b"1.2.840.10008.5.1.4.1.1.7"
    sop_inst = ("%s.%d" % (UID_ROOT, instance)).encode()
    ts = b"1.2.840.10008.1.2.1"
    meta = (element(2, 1, "OB", b"\x00\x01") + element(2, 2, "UI", sop_class) +
            element(2, 3, "UI", sop_inst) + element(2, 0x10, "UI", ts) +
            element(2, 0x12, "UI", ("%s.1" % UID_ROOT).encode()))
    meta = element(2, 0, "UL", struct.pack("<I", len(meta))) + meta
    ds = (element(8, 0x16, "UI", sop_class) + element(8, 0x18, "UI", sop_inst) +
          element(8, 0x60, "CS", b"OT") + element(0x10, 0x10, "PN", b"TEST^PATIENT^ONE") +
          element(0x10, 0x20, "LO", b"SYN0001") +
          element(0x20, 0x0D, "UI", ("%s.2" % UID_ROOT).encode()) +
          element(0x28, 0x02, "US", struct.pack("<H", 1)) +
          element(0x28, 0x04, "CS", b"MONOCHROME2") +
          element(0x28, 0x10, "US", struct.pack("<H", 16)) +
          element(0x28, 0x11, "US", struct.pack("<H", 16)) +
          element(0x28, 0x100, "US", struct.pack("<H", 8)) +
          element(0x28, 0x101, "US", struct.pack("<H", 8)) +
          element(0x28, 0x102, "US", struct.pack("<H", 7)) +
          element(0x28, 0x103, "US", struct.pack("<H", 0)) +
          element(0x7FE0, 0x10, "OB", bytes(range(256))))
    pre = preamble + bytes(128 - len(preamble))
    return pre + b"DICM" + meta + ds


def pe_preamble():
    """The head of a PE32 image in 128 bytes: DOS header, e_lfanew = 0x40,
    the PE signature, the COFF header and the start of the optional
    header (the layout of the CVE-2019-11687 polyglots)."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 224, 0x0102)
    opt = struct.pack("<HBBIIIII", 0x10B, 14, 0, 0x200, 0, 0, 0x1000, 0x1000)
    return bytes(dos) + b"PE\x00\x00" + coff + opt


def elf_preamble():
    """An ELF64 x86-64 header and its one program header (120 bytes)."""
    base, ehsize, phsize = 0x400000, 64, 56
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, base + 120, ehsize,
                               0, 0, ehsize, phsize, 1, 0, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, 0x1000, 0x1000, 0x1000)
    return ehdr + phdr


# ---- the captures -----------------------------------------------------------------

def stow(f, sport, t0):
    boundary = "MEDIDSb0undary"
    meta = b'[{"0020000D":{"vr":"UI","Value":["%s.2"]}}]' % UID_ROOT.encode()
    body = (b"--%s\r\nContent-Type: application/dicom+json\r\n\r\n" % boundary.encode() +
            meta + b"\r\n--%s\r\nContent-Type: application/dicom\r\n\r\n" % boundary.encode() +
            f + b"\r\n--%s--\r\n" % boundary.encode())
    c = Conv(sport, 8042, t0)
    c.send(0, request("POST", "/dicom-web/studies", "pacs.example:8042",
                      ['Content-Type: multipart/related; type="application/dicom"; '
                       "boundary=" + boundary, "Accept: application/dicom+json"], body))
    c.send(1, response(200, ["Content-Type: application/dicom+json"],
                       b'{"00081199":{"vr":"SQ","Value":[{}]}}'))
    return c.close()


def wado(f, sport, t0):
    c = Conv(sport, 8080, t0)
    c.send(0, request("GET", "/wado?requestType=WADO&studyUID=%s.2&seriesUID=%s.3"
                      "&objectUID=%s.9&contentType=application%%2Fdicom"
                      % (UID_ROOT, UID_ROOT, UID_ROOT), "pacs.example:8080",
                      ["Accept: application/dicom"]))
    c.send(1, response(200, ["Content-Type: application/dicom"], chunks=split(f, 3)))
    return c.close()


def gzip_bomb():
    body = gzip.compress(bytes(8 << 20), compresslevel=9, mtime=0)
    c = Conv(40100, 80, 1704110400.0)
    c.send(0, request("GET", "/fhir/Binary/report-1", "fhir.example",
                      ["Accept: application/pdf", "Accept-Encoding: gzip"]))
    c.send(1, response(200, ["Content-Type: application/pdf",
                             "Content-Encoding: gzip"], body))
    return c.close()


def fhir_deflate():
    obs = (b'{"resourceType":"Observation","status":"final","code":{"coding":'
           b'[{"system":"http://loinc.org","code":"8867-4"}]},"subject":'
           b'{"reference":"Patient/SYN0001"},"valueQuantity":{"value":72,'
           b'"unit":"/min"}}')
    bundle = (b'{"resourceType":"Bundle","type":"searchset","total":1,"entry":'
              b'[{"resource":' + obs + b"}]}")
    z = zlib.compress(bundle, 9)  # "deflate" is the zlib format (RFC 9110 8.4.1.2)
    c = Conv(40200, 8080, 1704110460.0)
    c.send(0, request("POST", "/fhir/Observation", "fhir.example:8080",
                      ["Content-Type: application/fhir+json"], chunks=split(obs, 2)))
    c.send(1, response(201, ["Content-Type: application/fhir+json",
                             "Location: /fhir/Observation/1/_history/1"], b""))
    c.send(0, request("GET", "/fhir/Observation?subject=Patient/SYN0001&code=8867-4",
                      "fhir.example:8080", ["Accept: application/fhir+json",
                                            "Accept-Encoding: deflate"]))
    c.send(1, response(200, ["Content-Type: application/fhir+json",
                             "Content-Encoding: deflate"], chunks=split(z, 2)))
    return c.close()


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    t0 = 1704110400.0
    caps = {
        "http-gzip-bomb.pcap": gzip_bomb(),
        "http-dicomweb-mz.pcap": stow(part10(pe_preamble(), 1), 40010, t0) +
        wado(part10(elf_preamble(), 2), 40011, t0 + 1),
        "http-dicomweb-clean.pcap": stow(part10(b"", 3), 40020, t0) +
        wado(part10(b"", 4), 40021, t0 + 1),
        "http-fhir-deflate.pcap": fhir_deflate(),
    }
    for name, pkts in caps.items():
        wrpcap(os.path.join(out, name), pkts)
        print("%s: %d packets" % (name, len(pkts)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
