#!/usr/bin/python3
"""test-dicom-tshark.py - medids' dicom records against tshark's dissector.

For every DICOM capture in pcaps/ (dicom-*.pcap), medids replays it and
tshark decodes it with `-d tcp.port==PORT,dicom` for each port a
connection was opened to; per TCP connection these must agree:

  - PDU types: every association, release and abort PDU (types 1, 2, 3,
    5, 6, 7) with its count, and whether P-DATA-TF was seen;
  - AE titles: called and calling AE of the A-ASSOCIATE-RQ;
  - abstract syntaxes of the A-ASSOCIATE-RQ, in order (medids logs the
    first max_log_values of them and counts all);
  - command names: every DIMSE command, requests and responses;
  - statuses: the final status of each exchange, and the number of pending
    responses.

tshark fields: dicom.pdu.type, dicom.assoc.ae.called,
dicom.assoc.ae.calling, dicom.pctx.abss.syntax (-T fields); command
fields and statuses are the (0000,0100) and (0000,0900) elements of its
PDML tree, which have no field names. dicom-tls.pcap holds no DICOM in
clear: medids must write no dicom record and tshark must see TLS there.

Environment: MEDIDS (default build/medids), MD_SRCDIR (default: this
tree). Exit status 0 when all agree, 1 otherwise, 77 (after "SKIP: ...")
when tshark is missing.
"""

import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEDIDS = os.environ.get("MEDIDS") or os.path.join(SRCDIR, "build", "medids")
PENDING = (0xFF00, 0xFF01)


def tshark(pcap, args):
    return subprocess.run(["tshark", "-r", pcap] + args, check=True,
                          capture_output=True, text=True).stdout


def server_ports(pcap):
    out = tshark(pcap, ["-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0",
                        "-T", "fields", "-e", "tcp.dstport"])
    return sorted({int(p) for p in out.split()})


def decode_as(ports):
    args = []
    for p in ports:
        args += ["-d", "tcp.port==%d,dicom" % p]
    return args


def uid_of(show):
    """The UID of a 'Name (1.2.3)' or '1.2.3' display string."""
    m = re.search(r"\(([0-9.]+)\)\s*$", show)
    return m.group(1) if m else show.strip().rstrip("\x00")


class Conn:
    def __init__(self):
        self.pdus = collections.Counter()
        self.called = self.calling = None
        self.abstract = []
        self.commands = collections.Counter()
        self.final = collections.Counter()
        self.pending = 0

    def summary(self):
        return {
            "pdu_types": dict(sorted(self.pdus.items())),
            "called_ae": self.called,
            "calling_ae": self.calling,
            "abstract_syntaxes": len(self.abstract),
            "commands": dict(sorted(self.commands.items())),
            "final_statuses": dict(sorted(self.final.items())),
            "pending": self.pending,
        }


def tshark_conns(pcap, ports):
    """{frozenset(ports): Conn} from tshark."""
    conns = collections.defaultdict(Conn)
    out = tshark(pcap, decode_as(ports) + [
        "-Y", "dicom", "-T", "fields", "-E", "occurrence=a",
        "-E", "aggregator=|", "-e", "tcp.srcport", "-e", "tcp.dstport",
        "-e", "dicom.pdu.type", "-e", "dicom.assoc.ae.called",
        "-e", "dicom.assoc.ae.calling", "-e", "dicom.pctx.abss.syntax"])
    for line in out.splitlines():
        sport, dport, types, called, calling, abss = (line.split("\t") + [""] * 6)[:6]
        c = conns[frozenset((int(sport), int(dport)))]
        types = [int(t, 16) for t in types.split("|") if t]
        for t in types:
            c.pdus[t] += 1
        if 1 in types:
            c.called = called.split("|")[0].strip()
            c.calling = calling.split("|")[0].strip()
            c.abstract = [uid_of(a) for a in abss.split("|") if a]
    for sport, dport, tag, value, show in pdml_tags(pcap, ports):
        c = conns[frozenset((sport, dport))]
        if tag == "(0000,0100)":
            c.commands[show.split()[-1]] += 1
        elif tag == "(0000,0900)":
            status = int.from_bytes(bytes.fromhex(value)[-2:], "little")
            if status in PENDING:
                c.pending += 1
            else:
                c.final[status] += 1
    for c in conns.values():
        c.pdus[4] = min(c.pdus[4], 1)  # P-DATA-TF seen or not
        c.pdus = +c.pdus
    return conns


def pdml_tags(pcap, ports):
    """(srcport, dstport, tag, value hex, shown text) of command elements."""
    proc = subprocess.Popen(["tshark", "-r", pcap] + decode_as(ports) +
                            ["-Y", "dicom", "-T", "pdml"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sport = dport = None
    for _, elem in ET.iterparse(proc.stdout, events=("end",)):
        if elem.tag == "field" and elem.get("name") == "tcp.srcport":
            sport = int(elem.get("show"))
        elif elem.tag == "field" and elem.get("name") == "tcp.dstport":
            dport = int(elem.get("show"))
        elif elem.tag == "field" and elem.get("name") == "":
            show = elem.get("show") or ""
            tag = show[:11]
            if tag in ("(0000,0100)", "(0000,0900)"):
                yield sport, dport, tag, elem.get("value") or "", show
        elif elem.tag == "packet":
            elem.clear()
    proc.wait()


def medids_conns(pcap, tmp):
    """{frozenset(ports): Conn} and the number of abstract syntaxes medids
    counted, from medids' dicom records."""
    logdir = os.path.join(tmp, os.path.basename(pcap))
    os.makedirs(logdir)
    subprocess.run([MEDIDS, "-r", pcap, "-l", logdir, "-k", "none"], check=True,
                   stdout=subprocess.DEVNULL)
    conns = collections.defaultdict(Conn)
    counted = {}
    with open(os.path.join(logdir, "eve.json")) as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("event_type") != "dicom":
                continue
            key = frozenset((rec["src_port"], rec["dest_port"]))
            c, d = conns[key], rec["dicom"]
            rq, rsp = d.get("request", {}), d.get("response", {})
            for t in d.get("pdu_types", []):
                c.pdus[t] += 1
            if d["type"] == "association" and "called_ae" in rq:
                c.called, c.calling = rq["called_ae"], rq["calling_ae"]
                c.abstract = [p.get("abstract_syntax")
                              for p in rq.get("presentation_contexts", [])]
                counted[key] = rq.get("presentation_context_count", 0)
            if d["type"] != "dimse":
                continue
            if "command" in rq:
                c.commands[rq["command"]] += 1
            if "command" in rsp:
                c.commands[rsp["command"]] += rsp.get("count", 1)
                c.pending += rsp.get("count", 1) - 1
            if "status" in rsp:
                c.final[rsp["status"]] += 1
    for c in conns.values():
        c.pdus[4] = min(c.pdus[4], 1)  # P-DATA-TF seen or not
        c.pdus = +c.pdus
    return conns, counted


def compare(name, ts, md, counted):
    """Mismatch messages for one capture."""
    errs = []
    for key in sorted(set(ts) | set(md), key=sorted):
        t, m = ts.get(key, Conn()), md.get(key, Conn())
        where = "%s ports %s" % (name, "/".join(map(str, sorted(key))))
        for what in ("pdus", "called", "calling", "commands", "final", "pending"):
            if getattr(t, what) != getattr(m, what):
                errs.append("%s: %s: tshark %r, medids %r"
                            % (where, what, getattr(t, what), getattr(m, what)))
        if counted.get(key, 0) != len(t.abstract):
            errs.append("%s: %d abstract syntaxes proposed, medids counted %d"
                        % (where, len(t.abstract), counted.get(key, 0)))
        if t.abstract[:len(m.abstract)] != m.abstract:
            errs.append("%s: abstract syntaxes differ: tshark %r, medids %r"
                        % (where, t.abstract[:len(m.abstract)], m.abstract))
    return errs


def check_tls(pcap, tmp):
    md, _ = medids_conns(pcap, tmp)
    errs = []
    if md:
        errs.append("%s: medids wrote dicom records for TLS" % pcap)
    out = tshark(pcap, ["-Y", "tls", "-T", "fields", "-e", "frame.number"])
    if not out.split():
        errs.append("%s: tshark sees no TLS" % pcap)
    return errs


def main():
    if shutil.which("tshark") is None:
        print("SKIP: tshark not found")
        return 77
    pcaps = sorted(glob.glob(os.path.join(SRCDIR, "pcaps", "dicom-*.pcap")))
    if not pcaps:
        print("no DICOM captures in %s/pcaps" % SRCDIR)
        return 1
    errs = []
    tmp = tempfile.mkdtemp(prefix="md-dicom-tshark-")
    try:
        for pcap in pcaps:
            name = os.path.basename(pcap)
            if "tls" in name:
                e = check_tls(pcap, tmp)
                print("%s %s: no DICOM in clear" % ("FAIL" if e else "ok", name))
                errs += e
                continue
            ts = tshark_conns(pcap, server_ports(pcap))
            md, counted = medids_conns(pcap, tmp)
            e = compare(name, ts, md, counted)
            errs += e
            for key in sorted(ts, key=sorted):
                print("%s %s %s: %s" % ("FAIL" if e else "ok", name,
                                        "/".join(map(str, sorted(key))),
                                        json.dumps(ts[key].summary())))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for e in errs:
        print("MISMATCH " + e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
