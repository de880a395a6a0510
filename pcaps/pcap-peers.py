#!/usr/bin/python3
"""Peers and generators used by make-pcaps.sh to build the capture corpus.

Subcommands:
  pixels OUT WIDTH HEIGHT SEED   write 16-bit little-endian synthetic pixels
  hl7-messages DIR               write the HL7 v2 message files (synthetic)
  hl7-server PORT [PORT...]      MLLP server (asyncio, python3-hl7 hl7.mllp)
                                 answering every message with MSA|AA
  hl7-send-small PORT FILE       send one MLLP-framed message a few bytes
                                 at a time (TCP_NODELAY, small sleeps)
  hl7-send-no-trailer PORT       send one good frame, then a frame whose
                                 0x1C 0x0D trailer is missing, then close
  hl7-threat-messages DIR        write the message files of the threat
                                 captures (hl7-threats set of make-pcaps.sh)
  hl7-nack-server PORT [PORT...] MLLP server answering every message with a
                                 negative acknowledgment (AE, AR alternately)

All patients, identifiers and devices are synthetic.
References: HL7 v2.5 chapter 2 (message construction, escapes, ACK),
HL7 v2 MLLP (<VT> message <FS><CR>).
"""

import asyncio
import base64
import datetime
import os
import socket
import struct
import sys
import time

SB = b"\x0b"
EB = b"\x1c"
CR = b"\x0d"
HOST = "127.0.0.1"
TIMEOUT = 10.0


def log(msg):
    sys.stderr.write("pcap-peers: %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- pixels ---

def cmd_pixels(out, width, height, seed):
    """Smooth gradient plus a seeded square, 12 bits stored in 16."""
    width, height, seed = int(width), int(height), int(seed)
    buf = bytearray()
    for y in range(height):
        for x in range(width):
            v = (x * 2048 // width + y * 2048 // height + seed * 97) % 4096
            if abs(x - width // 2) < width // 6 and abs(y - height // 2) < height // 6:
                v = (v + 1024 * (seed % 3 + 1)) % 4096
            buf += struct.pack("<H", v)
    with open(out, "wb") as f:
        f.write(buf)


# ---------------------------------------------------------- HL7 messages ---

TS = "20240115103000"


def msh(ctrl, mtype, version="2.5", app="SYN-ADT", fac="SYNHOSP", ts=TS):
    return "MSH|^~\\&|%s|%s|MEDIDS-SIM|SYNHOSP|%s||%s|%s|P|%s" % (
        app, fac, ts, mtype, ctrl, version)


PATIENTS = [
    ("SYN0001", "TEST^PATIENT^ONE", "19700101", "F"),
    ("SYN0002", "TEST^PATIENT^TWO", "19811111", "M"),
    ("SYN0003", "TEST^PATIENT^THREE", "19920229", "F"),
]


def pid(i, pat):
    pid_, name, dob, sex = pat
    return ("PID|%d||%s^^^SYNHOSP^MR||%s||%s|%s|||1 SYNTHETIC ROAD^^TESTVILLE^^00000"
            % (i, pid_, name, dob, sex))


def adt_a01(ctrl, pat, visit):
    segs = [
        msh(ctrl, "ADT^A01^ADT_A01"),
        "EVN|A01|%s" % TS,
        pid(1, pat),
        "PV1|1|I|ICU^0%d^1^SYNHOSP||||1234^DOCTOR^SYNTHETIC|||MED||||1|||"
        "1234^DOCTOR^SYNTHETIC|IN|V%06d|||||||||||||||||||||||||%s" % (visit % 9 + 1, visit, TS),
    ]
    return segs


# (MDC code, MDC reference id, unit code, unit id, three sample values)
VITALS = [
    ("147842", "MDC_ECG_HEART_RATE", "264864", "MDC_DIM_BEAT_PER_MIN", ("72", "74", "71")),
    ("150456", "MDC_PULS_OXIM_SAT_O2", "262688", "MDC_DIM_PERCENT", ("98", "97", "98")),
    ("149530", "MDC_PULS_OXIM_PULS_RATE", "264864", "MDC_DIM_BEAT_PER_MIN", ("73", "74", "72")),
    ("150021", "MDC_PRESS_BLD_NONINV_SYS", "266016", "MDC_DIM_MMHG", ("121", "118", "119")),
    ("150022", "MDC_PRESS_BLD_NONINV_DIA", "266016", "MDC_DIM_MMHG", ("79", "77", "78")),
    ("150023", "MDC_PRESS_BLD_NONINV_MEAN", "266016", "MDC_DIM_MMHG", ("93", "91", "92")),
    ("150037", "MDC_PRESS_BLD_ART_ABP_SYS", "266016", "MDC_DIM_MMHG", ("124", "122", "125")),
    ("150038", "MDC_PRESS_BLD_ART_ABP_DIA", "266016", "MDC_DIM_MMHG", ("81", "80", "82")),
    ("151562", "MDC_RESP_RATE", "264928", "MDC_DIM_RESP_PER_MIN", ("14", "15", "14")),
    ("150344", "MDC_TEMP", "268192", "MDC_DIM_DEGC", ("36.8", "36.9", "36.8")),
]
EQUIP = "SYNMON0001^SYNTHETIC^0012A3FFFE000001^EUI-64"


def oru_r01(ctrl, pat):
    segs = [
        msh(ctrl, "ORU^R01^ORU_R01", version="2.6", app="SYN-MONITOR"),
        pid(1, pat),
        "PV1|1|I|ICU^01^1^SYNHOSP",
        "OBR|1|SYNORD0001^SYN-MONITOR|SYNFIL0001^SYN-MONITOR|"
        "182777000^monitoring of patient^SNOMED-CT|||%s" % TS,
    ]
    n = 1
    segs.append("OBX|%d||69798^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||%s||||%s"
                % (n, TS, EQUIP))
    for t in range(3):
        when = "2024011510%02d00" % (30 + t)
        for j, (code, ref, ucode, uref, vals) in enumerate(VITALS):
            n += 1
            segs.append("OBX|%d|NM|%s^%s^MDC|1.1.%d.%d|%s|%s^%s^MDC|||||R|||%s||||%s"
                        % (n, code, ref, t + 1, j + 1, vals[t], ucode, uref, when, EQUIP))
    return segs


def escapes_msg(ctrl, pat):
    segs = [
        msh(ctrl, "ORU^R01^ORU_R01", app="SYN-LAB"),
        pid(1, pat),
        "OBR|1|SYNORD0002^SYN-LAB||GLU^Glucose^L|||%s" % TS,
        "OBX|1|ST|NOTE1^Field sep^L||A\\F\\B (field separator escaped)||||||F",
        "OBX|2|ST|NOTE2^Component sep^L||left\\S\\right (component separator escaped)||||||F",
        "OBX|3|ST|NOTE3^Subcomponent sep^L||sub\\T\\component (subcomponent separator escaped)||||||F",
        "OBX|4|ST|NOTE4^Repetition sep^L||one\\R\\two (repetition separator escaped)||||||F",
        "OBX|5|ST|NOTE5^Escape char^L||back\\E\\slash (escape character escaped)||||||F",
        "OBX|6|ST|NOTE6^Hex^L||hex \\X41\\ is A, \\X414243\\ is ABC||||||F",
        "OBX|7|FT|NOTE7^Formatted^L||\\H\\highlight\\N\\ normal\\.br\\next line||||||F",
        "NTE|1||all together: \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ \\X41\\",
    ]
    return segs


def delims_msg(ctrl, pat):
    # Field '#', component '$', repetition '%', escape '!', subcomponent '@'.
    pid_, name, dob, sex = pat
    segs = [
        "MSH#$%!@#SYN-ADT#SYNHOSP#MEDIDS-SIM#SYNHOSP#" + TS + "##ADT$A01$ADT_A01#"
        + ctrl + "#P#2.5",
        "EVN#A01#" + TS,
        "PID#1##" + pid_ + "$$$SYNHOSP$MR%SYNALT9$$$SYNOTHER$PI##"
        + name.replace("^", "$") + "##" + dob + "#" + sex
        + "###1 SYNTHETIC ROAD$$TESTVILLE$$00000",
        "PV1#1#I#ICU$02$1$SYNHOSP@WEST",
        "NTE#1##escaped field sep !F! and component !S! in custom set",
    ]
    return segs


def long_field_msg(ctrl, pat):
    text = ("SYNTHETIC-REPORT-TEXT-" * 250)[:5000]
    assert len(text) == 5000
    segs = [
        msh(ctrl, "ORU^R01^ORU_R01", app="SYN-RIS"),
        pid(1, pat),
        "OBR|1|SYNORD0003^SYN-RIS||RPT^Report^L|||%s" % TS,
        "OBX|1|TX|RPT^Report text^L||%s||||||F" % text,
    ]
    return segs


def injected_msg(ctrl, pat):
    # An ACK carries MSH, SFT, UAC, MSA, ERR only: PID and OBX are foreign.
    segs = [
        msh(ctrl, "ACK^A01^ACK", app="SYN-ADT"),
        "MSA|AA|SYNCTRL0001",
        pid(1, pat),
        "OBX|1|ST|INJ^Injected^L||injected observation||||||F",
    ]
    return segs


def a08_msg(ctrl, pat):
    return [msh(ctrl, "ADT^A08^ADT_A01"), "EVN|A08|%s" % TS, pid(1, pat),
            "PV1|1|I|ICU^03^1^SYNHOSP"]


def frame(segs):
    return SB + ("\r".join(segs) + "\r").encode("ascii") + EB + CR


def cmd_hl7_messages(outdir):
    def write(name, data):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)

    write("adt.mllp", b"".join(
        frame(adt_a01("SYNADT%04d" % (i + 1), p, i + 1)) for i, p in enumerate(PATIENTS)))
    # Plain text with '\n' line ends, blank line between messages: --loose.
    write("oru.txt", ("\n".join(oru_r01("SYNORU0001", PATIENTS[0])) + "\n\n").encode())
    batch = []
    for i in range(50):
        p = PATIENTS[i % len(PATIENTS)]
        if i % 2:
            batch.append(frame(a08_msg("SYNBAT%04d" % (i + 1), p)))
        else:
            batch.append(frame(adt_a01("SYNBAT%04d" % (i + 1), p, 100 + i)))
    write("batch.mllp", b"".join(batch))
    write("delims.mllp", frame(delims_msg("SYNDLM0001", PATIENTS[1])))
    write("escapes.mllp", frame(escapes_msg("SYNESC0001", PATIENTS[2])))
    write("small.mllp", frame(adt_a01("SYNSML0001", PATIENTS[0], 7)))
    write("long.mllp", frame(long_field_msg("SYNLNG0001", PATIENTS[1])))
    write("injected.mllp", frame(a08_msg("SYNINJ0001", PATIENTS[0]))
          + frame(injected_msg("SYNINJ0002", PATIENTS[0])))


# ------------------------------------------------ HL7 threat scenarios ---
#
# Messages for the captures that prove rules/hl7.rules (one capture per
# threat). Every patient, application and facility is synthetic; the
# "executables" are inert header stubs built here (a PE32 whose code is
# `xor eax,eax; ret`, an ELF64 that calls exit(0)), never real programs.

def msh_x(ctrl, mtype, app="SYN-ADT", fac="SYNHOSP", proc="P", security="",
          version="2.5"):
    return "MSH|^~\\&|%s|%s|MEDIDS-SIM|SYNHOSP|%s|%s|%s|%s|%s|%s" % (
        app, fac, TS, security, mtype, ctrl, proc, version)


def pid_x(pat, name=None, address=None):
    pid_, pname, dob, sex = pat
    return "PID|1||%s^^^SYNHOSP^MR||%s||%s|%s|||%s" % (
        pid_, name if name is not None else pname, dob, sex,
        address if address is not None else "1 SYNTHETIC ROAD^^TESTVILLE^^00000")


def adt_x(ctrl, pat, trigger="A08", app="SYN-ADT", fac="SYNHOSP", proc="P",
          name=None, visit="V000001", address=None, security=""):
    return [msh_x(ctrl, "ADT^%s^ADT_A01" % trigger, app, fac, proc, security),
            "EVN|%s|%s" % (trigger, TS),
            pid_x(pat, name, address),
            "PV1|1|I|ICU^04^1^SYNHOSP||||||||||||||||%s" % visit]


def oru_x(ctrl, pat, obx, app="SYN-LAB", fac="SYNHOSP", security="",
          address=None):
    """ORU^R01 with one OBR and the given OBX segments (without OBX-1)."""
    segs = [msh_x(ctrl, "ORU^R01^ORU_R01", app, fac, security=security),
            pid_x(pat, address=address),
            "OBR|1|%s^%s||LAB^Laboratory^L|||%s" % (ctrl, app, TS)]
    for i, rest in enumerate(obx, 1):
        segs.append("OBX|%d|%s" % (i, rest))
    return segs


def stub_pe32():
    """Headers of a 32-bit Windows console program, code `xor eax,eax; ret`."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)
    coff = struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    opt = bytearray(0xE0)
    struct.pack_into("<H", opt, 0, 0x10B)          # PE32 magic
    struct.pack_into("<I", opt, 16, 0x1000)        # entry point
    struct.pack_into("<I", opt, 28, 0x400000)      # image base
    struct.pack_into("<II", opt, 32, 0x1000, 0x200)
    struct.pack_into("<H", opt, 40, 4)
    struct.pack_into("<H", opt, 48, 4)
    struct.pack_into("<I", opt, 56, 0x2000)        # size of image
    struct.pack_into("<I", opt, 60, 0x200)         # size of headers
    struct.pack_into("<H", opt, 68, 3)             # console subsystem
    struct.pack_into("<I", opt, 92, 16)
    sec = struct.pack("<8sIIIIIIHHI", b".text", 0x10, 0x1000, 0x200, 0x200,
                      0, 0, 0, 0, 0x60000020)
    hdr = bytes(dos) + b"PE\0\0" + coff + bytes(opt) + sec
    code = b"\x31\xc0\xc3"
    return hdr + bytes(0x200 - len(hdr)) + code + bytes(0x200 - len(code))


def stub_elf64():
    """A static x86-64 ELF executable whose only code is exit(0)."""
    code = b"\xb8\x3c\x00\x00\x00\x31\xff\x0f\x05"
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    ehdr += struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x400078, 64, 0, 0,
                        64, 56, 1, 0, 0, 0)
    total = 64 + 56 + len(code)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, total, total,
                       0x1000)
    return ehdr + phdr + code


STUB_PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
STUB_SH = b"#!/bin/sh\necho synthetic test payload\n"


def ed(app, typ, sub, enc, data):
    """OBX-5 of type ED: source ^ type ^ subtype ^ encoding ^ data."""
    text = (base64.b64encode(data).decode() if enc == "Base64"
            else data.hex().upper())
    return "%s^%s^%s^%s^%s" % (app, typ, sub, enc, text)


def threat_files():
    """{file name: bytes} of the hl7-threats message files."""
    p1, p2, p3 = PATIENTS
    f = {}
    # Allow-list of senders: one allowed, then an unknown application, an
    # unknown facility, and both unknown.
    f["sender.mllp"] = b"".join([
        frame(adt_x("SYNSND0001", p1, "A01")),
        frame(adt_x("SYNSND0002", p2, "A01", app="SYN-ROGUE")),
        frame(oru_x("SYNSND0003", p3, ["NM|GLU^Glucose^L||5.4|mmol/L^^L|||||F"],
                    app="SYN-LAB", fac="SYNCLINIC")),
        frame(adt_x("SYNSND0004", p1, "A08", app="SYN-ROGUE", fac="SYNROGUE")),
    ])
    # SQL and script injection in PID-5 and OBX-5, with benign look-alikes
    # (an apostrophe in a name, clinical text using SQL words).
    f["injection.mllp"] = b"".join([
        frame(adt_x("SYNSQL0001", p1, name="O'BRIEN^SYNTHETIC^ONE")),
        frame(adt_x("SYNSQL0002", p2, name="TEST' OR '1'='1^PATIENT")),
        frame(adt_x("SYNSQL0003", p3, name="TEST^PATIENT'; DROP TABLE patients;--")),
        frame(adt_x("SYNSQL0004", p1, name="<script>alert(1)</script>^PATIENT")),
        frame(oru_x("SYNSQL0005", p2, [
            "TX|NOTE^Nursing note^L||Nausea - select low salt diet; update chart at 10:00"
            " -- see order set||||||F"])),
        frame(oru_x("SYNSQL0006", p3, [
            "ST|CMT^Comment^L||1 UNION SELECT username, password FROM users||||||F"])),
        frame(oru_x("SYNSQL0007", p1, [
            "ST|CMT^Comment^L||\\X3C\\script src=http://198.51.100.7/x.js\\X3E\\"
            "\\X3C\\/script\\X3E\\||||||F"])),
        frame(oru_x("SYNSQL0008", p2, [
            "ST|CMT^Comment^L||<img src=x onerror=alert(1)>||||||F"])),
    ])
    # Overlong fields: in an ADT (PV1-19), in the MSH (MSH-8), in the PID
    # (PID-11), and a long report text (OBX-5 TX) that is legitimate.
    f["overlong.mllp"] = b"".join([
        frame(adt_x("SYNOVL0001", p1, "A01", visit="V" + "9" * 6000)),
        frame(oru_x("SYNOVL0002", p2, ["NM|GLU^Glucose^L||5.1|mmol/L^^L|||||F"],
                    security="A" * 1500)),
        frame(oru_x("SYNOVL0003", p3, ["NM|GLU^Glucose^L||4.9|mmol/L^^L|||||F"],
                    address="B" * 5000)),
        frame(oru_x("SYNOVL0004", p1, ["TX|RPT^Report text^L||%s||||||F"
                                       % ("SYNTHETIC-REPORT-TEXT-" * 300)[:6000]])),
    ])
    # Processing id P, T (training/test) and D (debugging).
    f["procid.mllp"] = b"".join(
        frame(adt_x("SYNPRC%04d" % (i + 1), p, "A01", proc=proc))
        for i, (p, proc) in enumerate(zip(PATIENTS, "PTD")))
    # Twelve results, each answered with a negative acknowledgment.
    f["nack.mllp"] = b"".join(
        frame(oru_x("SYNNAK%04d" % (i + 1), PATIENTS[i % 3],
                    ["NM|GLU^Glucose^L||5.%d|mmol/L^^L|||||F" % i]))
        for i in range(12))
    # 120 ADT^A08 on one connection as fast as the server acknowledges.
    f["flood.mllp"] = b"".join(
        frame(adt_x("SYNFLD%04d" % (i + 1), PATIENTS[i % 3], "A08"))
        for i in range(120))
    # Encapsulated data (ED): a PDF, a PE32, an ELF (in an MDM^T02) and a
    # shell script sent as Hex.
    mdm = [msh_x("SYNEXE0003", "MDM^T02^MDM_T02", "SYN-RIS"),
           "EVN|T02|%s" % TS, pid_x(p3), "PV1|1|O|CLINIC^01^1^SYNHOSP",
           "TXA|1|CN|AP|%s||||||||SYNDOC0003|||||AU" % TS,
           "OBX|1|ED|DOC^Document^L||%s||||||F"
           % ed("SYN-RIS", "AP", "octet-stream", "Base64", stub_elf64())]
    f["ed.mllp"] = b"".join([
        frame(oru_x("SYNEXE0001", p1, ["ED|PDF^Report^L||%s||||||F"
                                       % ed("SYN-LAB", "AP", "PDF", "Base64", STUB_PDF)])),
        frame(oru_x("SYNEXE0002", p2, ["ED|DOC^Attachment^L||%s||||||F"
                                       % ed("SYN-LAB", "AP", "octet-stream", "Base64",
                                            stub_pe32())])),
        frame(mdm),
        frame(oru_x("SYNEXE0004", p1, ["ED|DOC^Attachment^L||%s||||||F"
                                       % ed("SYN-LAB", "TEXT", "x-sh", "Hex", STUB_SH)])),
    ])
    # Replay: the first connection sends A, B, then A again; the second,
    # later, sends B again (identical bytes).
    a = frame(adt_x("SYNRPL0001", p1, "A01"))
    b = frame(adt_x("SYNRPL0002", p2, "A01"))
    f["replay1.mllp"] = a + b + a
    f["replay2.mllp"] = b
    return f


def cmd_hl7_threat_messages(outdir):
    for name, data in threat_files().items():
        with open(os.path.join(outdir, name), "wb") as fh:
            fh.write(data)


# ------------------------------------------------------------ MLLP server ---

def make_ack(msg):
    """ACK for one message body (no MLLP framing), in the sender's delimiters."""
    if len(msg) < 8 or not msg.startswith(b"MSH"):
        fs, enc = b"|", b"^~\\&"
        fields = []
    else:
        fs = msg[3:4]
        first = msg.replace(b"\n", b"\r").split(b"\r", 1)[0]
        fields = first.split(fs)
        enc = fields[1] if len(fields) > 1 else b"^~\\&"
    comp = enc[0:1] or b"^"

    def f(i):  # MSH-i (MSH-1 is the separator itself)
        return fields[i - 1] if len(fields) >= i else b""

    trig = f(9).split(comp)[1] if comp in f(9) else b""
    now = datetime.datetime.now().strftime("%Y%m%d%H%M%S").encode()
    ctrl = f(10)
    hdr = fs.join([b"MSH", enc, b"MEDIDS-SIM", b"SYNHOSP", f(3), f(4), now, b"",
                   comp.join([b"ACK", trig, b"ACK"]), b"ACK" + ctrl[:16],
                   f(11) or b"P", f(12) or b"2.5"])
    msa = fs.join([b"MSA", b"AA", ctrl])
    return hdr + b"\r" + msa + b"\r"


async def handle(reader, writer):
    import hl7.mllp
    peer = writer.get_extra_info("peername")
    try:
        while True:
            try:
                block = await asyncio.wait_for(reader.readblock(), timeout=30)
            except asyncio.IncompleteReadError as e:
                if e.partial:
                    log("%s: EOF inside a frame (%d bytes unterminated)"
                        % (peer, len(e.partial)))
                break
            except hl7.mllp.InvalidBlockError as e:
                log("%s: %s" % (peer, e))
                break
            writer.writeblock(make_ack(block))
            await writer.drain()
    except (asyncio.TimeoutError, ConnectionError, ValueError) as e:
        log("%s: %r" % (peer, e))
    finally:
        writer.close()


NACKS = [(b"AE", b"207", b"Application internal error"),
         (b"AR", b"200", b"Unsupported message type")]


def make_nack(msg, n):
    """Negative acknowledgment of one message: AE for even n, AR for odd n,
    with MSA-3 text and an ERR segment (ERR-3 code, ERR-4 severity E)."""
    hdr, msa = make_ack(msg).split(b"\r")[:2]
    fs = hdr[3:4]
    comp = hdr[4:5]
    ctrl = msa.split(fs)[2]
    code, err, text = NACKS[n % 2]
    return b"\r".join([hdr, fs.join([b"MSA", code, ctrl, text]),
                       fs.join([b"ERR", b"", b"", comp.join([err, text, b"HL70357"]),
                                b"E"]), b""])


async def handle_nack(reader, writer):
    import hl7.mllp
    peer = writer.get_extra_info("peername")
    n = 0
    try:
        while True:
            try:
                block = await asyncio.wait_for(reader.readblock(), timeout=30)
            except (asyncio.IncompleteReadError, hl7.mllp.InvalidBlockError):
                break
            writer.writeblock(make_nack(block, n))
            n += 1
            await writer.drain()
    except (asyncio.TimeoutError, ConnectionError, ValueError) as e:
        log("%s: %r" % (peer, e))
    finally:
        writer.close()


async def serve(ports, handler=handle):
    import hl7.mllp
    servers = []
    for p in ports:
        servers.append(await hl7.mllp.start_hl7_server(handler, HOST, int(p)))
    log("listening on %s" % ",".join(ports))
    await asyncio.gather(*(s.serve_forever() for s in servers))


# ----------------------------------------------------------- raw senders ---

def connect(port):
    s = socket.create_connection((HOST, int(port)), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_ack(s):
    buf = b""
    while not buf.endswith(EB + CR):
        d = s.recv(4096)
        if not d:
            raise ConnectionError("connection closed before ACK")
        buf += d
    return buf


def cmd_send_small(port, path):
    with open(path, "rb") as f:
        data = f.read()
    s = connect(port)
    sizes = [3, 5, 2, 7, 4, 1, 6]
    i = k = 0
    while i < len(data):
        n = sizes[k % len(sizes)]
        s.sendall(data[i:i + n])
        i += n
        k += 1
        time.sleep(0.004)
    ack = read_ack(s)
    log("small: %d bytes in %d writes, ack %d bytes" % (len(data), k, len(ack)))
    s.close()


def cmd_send_no_trailer(port):
    s = connect(port)
    s.sendall(frame(adt_a01("SYNNTR0001", PATIENTS[2], 8)))
    read_ack(s)
    time.sleep(0.05)
    # Second frame: start block and message, but no <FS><CR> trailer.
    body = ("\r".join(adt_a01("SYNNTR0002", PATIENTS[2], 9)) + "\r").encode()
    s.sendall(SB + body)
    time.sleep(0.2)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(3)
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        pass
    s.close()


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "pixels":
        cmd_pixels(*args)
    elif cmd == "hl7-messages":
        cmd_hl7_messages(*args)
    elif cmd == "hl7-server":
        asyncio.run(serve(args))
    elif cmd == "hl7-send-small":
        cmd_send_small(*args)
    elif cmd == "hl7-send-no-trailer":
        cmd_send_no_trailer(*args)
    elif cmd == "hl7-threat-messages":
        cmd_hl7_threat_messages(*args)
    elif cmd == "hl7-nack-server":
        asyncio.run(serve(args, handle_nack))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
