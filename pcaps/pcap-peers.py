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

All patients, identifiers and devices are synthetic.
References: HL7 v2.5 chapter 2 (message construction, escapes, ACK),
HL7 v2 MLLP (<VT> message <FS><CR>).
"""

import asyncio
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


async def serve(ports):
    import hl7.mllp
    servers = []
    for p in ports:
        servers.append(await hl7.mllp.start_hl7_server(handle, HOST, int(p)))
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
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
