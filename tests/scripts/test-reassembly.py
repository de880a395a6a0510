#!/usr/bin/python3
"""TCP reassembly delivers exactly the bytes tshark follows, however segmented.

Usage: test-reassembly.py [CAPTURE...]
       (default: pcaps/dicom-store.pcap and pcaps/hl7-batch.pcap, or the
       first pcaps/dicom-*.pcap and pcaps/hl7-*.pcap that exist)

For each capture:
  1. the reference is `tshark -q -z follow,tcp,raw,N` for every TCP stream N
     (hex; client-to-server lines at column 0, server-to-client lines
     indented with a tab);
  2. $MD_STREAMDUMP (tests/tools/md-streamdump) replays the capture through
     the engine's decoder, flow table and reassembly and writes the bytes
     delivered per flow and direction; they must equal the reference;
  3. rewritten variants are built with scapy and must deliver the same
     bytes as the ORIGINAL capture's reference:
       onebyte   every TCP payload split into 1-byte segments
       reorder   data segments shuffled within windows of 8 per direction;
                 acknowledgement numbers are lowered where needed so that no
                 packet acknowledges data that has not been sent yet (as a
                 receiver only acknowledges what it got)
       dup       every data segment sent twice
       overlap   extra retransmissions overlapping the previous and the next
                 segment by 1-8 bytes, with the same data
       mixed     overlap + dup, then reorder
     (IP lengths and checksums are recomputed; md-streamdump runs with
     -k none anyway.)

Exit 0 pass, 1 fail, 77 skip (no suitable capture, or tshark missing).
"""

import glob
import ipaddress
import os
import random
import shutil
import subprocess
import sys
import tempfile

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, TCP, Raw, rdpcap, wrpcap  # noqa: E402

SRCDIR = os.environ.get("MD_SRCDIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
BUILDDIR = os.environ.get("MD_BUILDDIR") or os.path.join(SRCDIR, "build")
STREAMDUMP = os.environ.get("MD_STREAMDUMP") or os.path.join(BUILDDIR, "tests", "tools",
                                                             "md-streamdump")
SEED = 20240115
WINDOW = 8
TIMEOUT = 300
SYN, FIN, RST, PSH = 0x02, 0x01, 0x04, 0x08


def endpoint(text):
    """'ip:port' (IPv6 possibly in brackets) -> (canonical ip, port)."""
    host, port = text.strip().rsplit(":", 1)
    return str(ipaddress.ip_address(host.strip("[]"))), int(port)


# ----------------------------------------------------------- reference ---

def tshark_streams(pcap):
    """List of {'a', 'b', 'ab', 'ba'} per TCP stream of pcap (node 0 = a)."""
    out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True, check=True).stdout
    ids = sorted({int(x) for x in out.split()})
    streams = []
    for i in range(0, len(ids), 50):
        args = ["tshark", "-r", pcap, "-q"]
        for n in ids[i:i + 50]:
            args += ["-z", "follow,tcp,raw,%d" % n]
        text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        streams += parse_follow(text)
    return streams


def parse_follow(text):
    """Parse tshark's follow,tcp,raw output (one or more blocks)."""
    streams, cur = [], None
    for line in text.split("\n"):
        if line.startswith("Follow: "):
            cur = {"a": None, "b": None, "ab": bytearray(), "ba": bytearray()}
            streams.append(cur)
        elif cur is None or not line.strip() or line.startswith("="):
            continue
        elif line.startswith("Filter: "):
            cur["stream"] = int(line.rsplit(" ", 1)[1])
        elif line.startswith("Node 0: "):
            cur["a"] = line[8:]
        elif line.startswith("Node 1: "):
            cur["b"] = line[8:]
        elif line.startswith("\t"):
            cur["ba"] += bytes.fromhex(line.strip())
        else:
            cur["ab"] += bytes.fromhex(line.strip())
    out = []
    for s in streams:
        if s["a"] in (None, ":0") or s["b"] in (None, ":0"):
            continue
        out.append({"stream": s.get("stream"), "a": endpoint(s["a"]), "b": endpoint(s["b"]),
                    "ab": bytes(s["ab"]), "ba": bytes(s["ba"])})
    return out


def streamdump(pcap, workdir):
    """Run md-streamdump; list of {'n','cli','srv','ts','tc','gaps'}."""
    outdir = tempfile.mkdtemp(dir=workdir)
    proc = subprocess.run([STREAMDUMP, "-k", "none", pcap, outdir], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError("md-streamdump exited %d: %s" % (proc.returncode,
                                                            proc.stderr.strip()[-500:]))
    flows = []
    for line in proc.stdout.splitlines():
        f = line.split()
        if len(f) != 7 or not f[0].isdigit():
            continue
        stem = glob.glob(os.path.join(outdir, "%s-*.ts" % f[0]))
        if len(stem) != 1:
            raise RuntimeError("md-streamdump: no single %s-*.ts file" % f[0])
        stem = stem[0][:-3]
        with open(stem + ".ts", "rb") as fh:
            ts = fh.read()
        with open(stem + ".tc", "rb") as fh:
            tc = fh.read()
        if len(ts) != int(f[3]) or len(tc) != int(f[4]):
            raise RuntimeError("md-streamdump: flow %s: files disagree with its byte counts" % f[0])
        flows.append({"n": int(f[0]), "cli": endpoint(f[1]), "srv": endpoint(f[2]),
                      "ts": ts, "tc": tc, "gaps": (int(f[5]), int(f[6]))})
    shutil.rmtree(outdir, ignore_errors=True)
    return flows


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def compare(ref, flows):
    """Failure messages: every reference stream with data must be delivered
    byte for byte, and no other flow may deliver data."""
    fails, unused = [], list(flows)
    for s in ref:
        match = next((f for f in unused if {f["cli"], f["srv"]} == {s["a"], s["b"]}), None)
        if match is None:
            if s["ab"] or s["ba"]:
                fails.append("stream %s %s-%s: no flow delivered by md-streamdump"
                             % (s["stream"], s["a"], s["b"]))
            continue
        unused.remove(match)
        want_ts, want_tc = (s["ab"], s["ba"]) if match["cli"] == s["a"] else (s["ba"], s["ab"])
        for name, want, got, gaps in (("client->server", want_ts, match["ts"], match["gaps"][0]),
                                      ("server->client", want_tc, match["tc"], match["gaps"][1])):
            if want != got:
                fails.append("flow %d %s:%d->%s:%d %s: %d bytes delivered (%d gaps), tshark %d; "
                             "first difference at offset %d"
                             % (match["n"], *match["cli"], *match["srv"], name, len(got), gaps,
                                len(want), first_diff(want, got)))
    for f in unused:
        if f["ts"] or f["tc"]:
            fails.append("flow %d %s:%d-%s:%d delivered %d+%d bytes tshark does not follow"
                         % (f["n"], *f["cli"], *f["srv"], len(f["ts"]), len(f["tc"])))
    return fails


# ------------------------------------------------------------ variants ---

def ip_layer(p):
    return p[IP] if IP in p else (p[IPv6] if IPv6 in p else None)


def tcp_payload(p):
    """TCP payload bytes of p, without link-layer padding."""
    ipl = ip_layer(p)
    whole = bytes(ipl)
    end = ipl.len if IP in p else 40 + ipl.plen
    tcpb = bytes(p[TCP])
    off = len(whole) - len(tcpb)
    return whole[off + p[TCP].dataofs * 4:end]


def rebuild(p, seq, data, flags):
    """Copy of p with a new TCP seq, payload and flags; lengths and
    checksums are recomputed when written."""
    q = p.copy()
    t = q[TCP]
    t.remove_payload()
    t.seq = seq & 0xFFFFFFFF
    t.flags = flags
    if data:
        t.add_payload(Raw(load=data))
    ipl = ip_layer(q)
    if IP in q:
        del ipl.len
        del ipl.chksum
    else:
        del ipl.plen
    del t.chksum
    q.time = p.time
    return q


class Seg:
    """One packet of the capture with its TCP facts (tcp None: not TCP)."""

    def __init__(self, pkt):
        self.pkt = pkt
        self.tcp = TCP in pkt and ip_layer(pkt) is not None
        if self.tcp:
            ipl = ip_layer(pkt)
            t = pkt[TCP]
            self.dir = (ipl.src, t.sport, ipl.dst, t.dport)
            self.seq, self.flags = t.seq, int(t.flags)
            self.data = tcp_payload(pkt)

    def is_data(self):
        """A plain data segment: payload, and no SYN/FIN/RST."""
        return self.tcp and self.data and not self.flags & (SYN | FIN | RST)


def onebyte(segs, rng):
    out = []
    for s in segs:
        if not s.tcp or not s.data or s.flags & SYN:
            out.append(s.pkt)
            continue
        last = len(s.data) - 1
        for i in range(len(s.data)):
            flags = s.flags & ~(FIN | PSH) if i < last else s.flags
            out.append(rebuild(s.pkt, s.seq + i, s.data[i:i + 1], flags))
    return out


def fix_acks(pkts):
    """Lower every acknowledgement number to the end of the contiguous data
    (and FIN) the peer has sent so far in this packet order."""
    base, nxt, pending, out = {}, {}, {}, []
    for p in pkts:
        s = Seg(p)
        if not s.tcp:
            out.append(p)
            continue
        d, peer = s.dir, (s.dir[2], s.dir[3], s.dir[0], s.dir[1])
        if s.flags & SYN:
            base.setdefault(d, (s.seq + 1) & 0xFFFFFFFF)
        elif d not in base and s.data:
            base[d] = s.seq
        if d in base:
            start = (s.seq - base[d]) & 0xFFFFFFFF
            end = start + len(s.data) + (1 if s.flags & FIN else 0)
            if end > start and start < 1 << 31:
                pending.setdefault(d, []).append((start, end))
                cur = nxt.get(d, 0)
                for a, b in sorted(pending[d]):
                    if a <= cur:
                        cur = max(cur, b)
                pending[d] = [(a, b) for a, b in pending[d] if b > cur]
                nxt[d] = cur
        ack = int(p[TCP].ack)
        if p[TCP].flags & 0x10 and peer in base:
            limit = (base[peer] + nxt.get(peer, 0)) & 0xFFFFFFFF
            if 0 < (ack - limit) & 0xFFFFFFFF < 1 << 31:     # ack beyond limit
                p = rebuild(p, s.seq, s.data, s.flags)
                p[TCP].ack = limit
        out.append(p)
    return out


def reorder(segs, rng):
    """Shuffle data segments among their own slots, per direction, in
    windows of WINDOW slots; each slot keeps its timestamp; then make the
    acknowledgements legal (fix_acks)."""
    out = [s.pkt for s in segs]
    slots = {}
    for i, s in enumerate(segs):
        if s.is_data():
            slots.setdefault(s.dir, []).append(i)
    for idx in slots.values():
        for w in range(0, len(idx), WINDOW):
            win = idx[w:w + WINDOW]
            moved = [segs[i].pkt for i in win]
            rng.shuffle(moved)
            for i, p in zip(win, moved):
                q = p.copy()
                q.time = segs[i].pkt.time
                out[i] = q
    return fix_acks(out)


def dup(segs, rng):
    out = []
    for s in segs:
        out.append(s.pkt)
        if s.is_data():
            out.append(s.pkt.copy())
    return out


def direction_bytes(segs):
    """Per direction: (first seq, bytes) of its contiguous data, first copy
    wins; None for a direction with a hole."""
    per = {}
    for s in segs:
        if s.tcp and s.data:
            per.setdefault(s.dir, []).append(s)
    out = {}
    for d, lst in per.items():
        base = lst[0].seq
        got = {}
        for s in lst:
            off = (s.seq - base) & 0xFFFFFFFF
            if off > 1 << 31:          # before the first segment seen
                out[d] = None
                break
            for i, c in enumerate(s.data):
                got.setdefault(off + i, c)
        else:
            n = max(got) + 1 if got else 0
            out[d] = (base, bytes(got[i] for i in range(n))) if len(got) == n else None
    return out


def overlap(segs, rng):
    """After each data segment B with data segments before and after it in
    the same direction, resend B widened by 1-8 bytes on both sides."""
    known = direction_bytes(segs)
    by_dir = {}
    for i, s in enumerate(segs):
        if s.is_data():
            by_dir.setdefault(s.dir, []).append(i)
    extra = {}
    for d, idx in by_dir.items():
        if known.get(d) is None:
            continue
        base, data = known[d]
        for prev, cur, nxt in zip(idx, idx[1:], idx[2:]):
            a, b, c = segs[prev], segs[cur], segs[nxt]
            start = (b.seq - base) & 0xFFFFFFFF
            end = start + len(b.data)
            if (a.seq + len(a.data) - b.seq) & 0xFFFFFFFF or \
                    (b.seq + len(b.data) - c.seq) & 0xFFFFFFFF:
                continue                 # not contiguous A|B|C
            lo = start - min(len(a.data), rng.randint(1, 8))
            hi = min(end + min(len(c.data), rng.randint(1, 8)), len(data))
            if lo < 0:
                continue
            extra[cur] = rebuild(b.pkt, base + lo, data[lo:hi], b.flags)
    out = []
    for i, s in enumerate(segs):
        out.append(s.pkt)
        if i in extra:
            out.append(extra[i])
    return out


def mixed(segs, rng):
    step = [Seg(p) for p in overlap(segs, rng)]
    step = [Seg(p) for p in dup(step, rng)]
    return reorder(step, rng)


VARIANTS = [("onebyte", onebyte), ("reorder", reorder), ("dup", dup),
            ("overlap", overlap), ("mixed", mixed)]


# ---------------------------------------------------------------- main ---

def default_captures():
    out = []
    for want, pattern in (("dicom-store.pcap", "dicom-*.pcap"), ("hl7-batch.pcap", "hl7-*.pcap")):
        path = os.path.join(SRCDIR, "pcaps", want)
        if not os.path.exists(path):
            found = sorted(glob.glob(os.path.join(SRCDIR, "pcaps", pattern)))
            path = found[0] if found else None
        if path:
            out.append(path)
    return out


def check_capture(pcap, workdir):
    """Failure messages for one capture and all its variants."""
    fails = []
    name = os.path.basename(pcap)
    ref = tshark_streams(pcap)
    nbytes = sum(len(s["ab"]) + len(s["ba"]) for s in ref)
    print("# %s: %d TCP streams, %d payload bytes (tshark)" % (name, len(ref), nbytes))
    if nbytes == 0:
        return ["%s: tshark follows no TCP payload" % name]

    def run(label, path):
        try:
            msgs = compare(ref, streamdump(path, workdir))
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            msgs = [str(e)]
        print("%s - %s %s" % ("not ok" if msgs else "ok", name, label))
        for m in msgs[:10]:
            print("#   " + m)
        fails.extend("%s %s: %s" % (name, label, m) for m in msgs)

    run("original", pcap)
    segs = [Seg(p) for p in rdpcap(pcap)]
    for label, fn in VARIANTS:
        path = os.path.join(workdir, "%s.%s.pcap" % (name, label))
        wrpcap(path, fn(segs, random.Random(SEED)))
        run(label, path)
        os.unlink(path)
    return fails


def main(argv):
    if shutil.which("tshark") is None:
        print("SKIP: tshark not installed")
        return 77
    captures = argv or default_captures()
    if not captures:
        print("SKIP: no DICOM or HL7 capture in %s/pcaps" % SRCDIR)
        return 77
    if not os.access(STREAMDUMP, os.X_OK):
        print("md-streamdump not built: %s" % STREAMDUMP)
        return 1
    fails = []
    with tempfile.TemporaryDirectory(prefix="md-reasm-") as workdir:
        for pcap in captures:
            fails += check_capture(pcap, workdir)
    print("%d failure(s)" % len(fails) if fails else "all streams match")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
