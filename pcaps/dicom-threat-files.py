#!/usr/bin/python3
"""Payload files for the DICOM threat captures (make-dicom-threats.sh).

Subcommand:
  payloads DIR   write the documents that make-dicom-threats.sh wraps into
                 Encapsulated PDF Storage objects (PS3.3 A.45.1, the
                 EncapsulatedDocument attribute (0042,0011)):
                   report.pdf   a real one-page PDF 1.4 (the benign case)
                   payload.elf  a minimal x86-64 ELF executable (exit 0)
                   payload.exe  a minimal PE32 (i386, GUI) executable image
                   payload.sh   a POSIX shell script
                 Each is inert (the shell script only prints a line) and
                 has an even length, as a DICOM OB value must.

Everything is synthetic and deterministic: the same bytes on every run.
"""

import os
import struct
import sys


def even(data, pad):
    """data padded with one pad byte when its length is odd."""
    return data + pad if len(data) % 2 else data


def pdf():
    """A one-page PDF 1.4 with a text line and a correct xref table."""
    text = b"BT /F1 12 Tf 72 720 Td (SYNTHETIC TEST REPORT - NOT A PATIENT) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, xref)
    return even(bytes(out), b"\n")


def elf():
    """ELF64 x86-64 ET_EXEC: one PT_LOAD segment, code exit(0)."""
    base = 0x400000
    code = bytes.fromhex("31ff" "b83c000000" "0f05")  # xor edi,edi; mov eax,60; syscall
    ehsize, phsize = 64, 56
    entry = base + ehsize + phsize
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, entry, ehsize, 0, 0,
                               ehsize, phsize, 1, 0, 0, 0)
    size = ehsize + phsize + len(code)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    return even(ehdr + phdr + code, b"\x00")


def pe():
    """PE32 i386 GUI image: DOS header, PE header, one .text section."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    dos += stub + bytes(0x80 - 64 - len(stub))
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 224, 0x0102)
    opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
                      0x10B, 14, 0, 0x200, 0, 0, 0x1000, 0x1000, 0x2000,
                      0x400000, 0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0,
                      0x2000, 0x200, 0, 2, 0x8540,
                      0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    opt += bytes(16 * 8)
    sect = struct.pack("<8sIIIIIIHHI", b".text", 0x10, 0x1000, 0x200, 0x200,
                       0, 0, 0, 0, 0x60000020)
    head = bytes(dos) + b"PE\x00\x00" + coff + opt + sect
    head += bytes(0x200 - len(head))
    body = bytes.fromhex("31c0c3") + bytes(0x200 - 3)  # xor eax,eax; ret
    return head + body


def script():
    """A POSIX shell script that only prints a line."""
    return even(b"#!/bin/sh\n# synthetic test payload for medids captures\n"
                b"echo medids-synthetic-test-payload\n", b"\n")


def cmd_payloads(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, data in (("report.pdf", pdf()), ("payload.elf", elf()),
                       ("payload.exe", pe()), ("payload.sh", script())):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


def main(argv):
    if len(argv) == 3 and argv[1] == "payloads":
        cmd_payloads(argv[2])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
