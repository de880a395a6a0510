#!/usr/bin/python3
"""Compare medids' hl7 records with tshark's HL7 dissector.

Usage: test-hl7-tshark.py [PCAP...]   (default: every pcaps/hl7-*.pcap)

For each capture (one TCP connection, the server's port taken from the
first packet), medids is run and every HL7 message it saw is listed per
direction: the message of each `hl7` record, and its acknowledgment when
one is folded in (ack.message_type, ack.segments), in transaction order.
tshark decodes the same capture with `-d tcp.port==PORT,hl7`; for every
message it decodes (fields hl7.message.type, hl7.event.type, hl7.segment),
the message code, trigger event and segment names must equal medids'.

tshark 4.0 leaves out a last segment that has no CR before 0x1C (as
mllp_send sends it), and does not decode a frame without its trailer; the
first case is accepted when the stream shows that frame really ends
without CR, the second because medids may decode more than tshark.

Exit status 0 when everything matches, 1 otherwise, 77 (skip) without
tshark. Uses $MEDIDS (default build/medids) and $MD_SRCDIR.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEDIDS = os.environ.get("MEDIDS") or os.path.join(SRCDIR, "build", "medids")
HEADERS = ("MSH", "FHS", "BHS")


def tshark(*args):
    return subprocess.run(["tshark", *args], capture_output=True, text=True,
                          check=True).stdout


def server_port(pcap):
    out = tshark("-r", pcap, "-c", "1", "-T", "fields", "-e", "tcp.dstport")
    return out.split()[0]


def streams(pcap):
    """Bytes of each direction of TCP stream 0: (to server, to client)."""
    out = tshark("-r", pcap, "-q", "-z", "follow,tcp,raw,0")
    data = [bytearray(), bytearray()]
    for line in out.splitlines():
        text = line.strip()
        if not text or line.startswith(("=", "Follow", "Filter", "Node")):
            continue
        try:
            chunk = bytes.fromhex(text)
        except ValueError:
            continue
        data[1 if line.startswith("\t") else 0] += chunk
    return data


def tshark_pdus(pcap, port):
    """Messages tshark decodes: list of (dir, code, trigger, [segments])."""
    out = tshark("-r", pcap, "-d", "tcp.port==%s,hl7" % port, "-Y", "hl7",
                 "-T", "json", "-e", "tcp.srcport", "-e", "hl7.message.type",
                 "-e", "hl7.event.type", "-e", "hl7.segment")
    pdus = []
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        d = 1 if layers["tcp.srcport"][0] == port else 0
        types = layers.get("hl7.message.type", [])
        events = layers.get("hl7.event.type", [])
        msgs = []
        for seg in layers.get("hl7.segment", []):
            if seg[:3] in HEADERS or not msgs:
                msgs.append([])
            msgs[-1].append(seg)
        for i, segs in enumerate(msgs):
            pdus.append((d, types[i] if i < len(types) else "",
                         events[i] if i < len(events) else "", segs))
    return pdus


def medids_pdus(pcap, logdir):
    """Messages medids logged: list of (dir, code, trigger, [names])."""
    subprocess.run([MEDIDS, "-r", pcap, "-l", logdir, "-k", "none"],
                   check=True, capture_output=True)
    by_dir = ([], [])
    with open(os.path.join(logdir, "eve.json"), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("event_type") != "hl7":
                continue
            h, tx = rec["hl7"], rec["tx_id"]
            d = 0 if rec.get("direction") == "to_server" else 1
            by_dir[d].append((tx, (d, h.get("message_code", ""),
                                   h.get("trigger_event", ""),
                                   h.get("segments", []))))
            ack = h.get("ack", {})
            if "message_type" in ack:
                parts = ack["message_type"].split("^") + ["", ""]
                by_dir[1 - d].append((tx, (1 - d, parts[0], parts[1],
                                           ack.get("segments", []))))
    return [[p for _, p in sorted(lst, key=lambda e: e[0])] for lst in by_dir]


def ends_without_cr(stream, first_segment):
    """True when the frame holding first_segment ends '...x 0x1C'."""
    start = stream.find(first_segment.rstrip("\r").encode())
    end = stream.find(b"\x1c", start) if start >= 0 else -1
    return end > 0 and stream[end - 1] != 0x0D


def compare(pcap):
    """List of mismatch descriptions for one capture."""
    port = server_port(pcap)
    theirs = tshark_pdus(pcap, port)
    raw = streams(pcap)
    tmp = tempfile.mkdtemp(prefix="md-hl7-tshark-")
    try:
        ours = medids_pdus(pcap, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    bad, seen = [], [0, 0]
    for d, code, trig, segs in theirs:
        i = seen[d]
        seen[d] += 1
        if i >= len(ours[d]):
            bad.append("dir %d message %d (%s^%s): not in medids' records"
                       % (d, i, code, trig))
            continue
        _, mcode, mtrig, mnames = ours[d][i]
        names = [s[:3] for s in segs]
        what = "dir %d message %d" % (d, i)
        if (code, trig) != (mcode, mtrig):
            bad.append("%s: tshark %s^%s, medids %s^%s" % (what, code, trig,
                                                           mcode, mtrig))
        if names == mnames:
            continue
        if names == mnames[:-1] and ends_without_cr(raw[d], segs[0]):
            continue
        bad.append("%s: tshark segments %s, medids %s" % (what, names, mnames))
    if not theirs:
        bad.append("tshark decoded no HL7 message")
    return bad, len(theirs), sum(len(x) for x in ours)


def main(argv):
    if shutil.which("tshark") is None:
        print("SKIP: tshark not found")
        return 77
    pcaps = argv or sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "hl7-*.pcap")))
    if not pcaps:
        print("no capture to compare")
        return 1
    failed = 0
    for pcap in pcaps:
        bad, n_theirs, n_ours = compare(pcap)
        name = os.path.basename(pcap)
        if bad:
            failed += 1
            print("FAIL %s" % name)
            for b in bad:
                print("  " + b)
        else:
            print("ok   %s: %d messages decoded by tshark match (%d in medids)"
                  % (name, n_theirs, n_ours))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
