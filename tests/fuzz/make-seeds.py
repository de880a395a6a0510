#!/usr/bin/python3
"""make-seeds.py - write the seed corpora of the fuzz targets from the repository.

Usage: make-seeds.py --out DIR [--srcdir SRC] [--force] [TARGET...]

Writes DIR/<target>/ for each target (default: all of them):

  fuzz-decode   the captures of pcaps/, tests/e2e/*/ and the shared folder
                ($MD_SHARED/pcaps, when present) in fuzz-decode.c's record
                layout: a capture whole when small, else one input per
                connection, cut into pieces of at most 16 KiB
  fuzz-hl7      each TCP connection of pcaps/hl7-*.pcap: its payloads in wire
                order in parsers/hl7/fuzz-hl7.c's layout (default and small
                limits)
  fuzz-http     each TCP connection of pcaps/http-*.pcap and of the shared
                sdc11073 capture, in the same layout (parsers/http/fuzz-http.c)
  fuzz-ieee11073  each TCP connection of pcaps/x73-*.pcap and the shared
                ieee11073-*.pcap, written as for fuzz-hl7 (same layout)
  fuzz-dicom    parsers/dicom/fuzz-seeds.py over pcaps/dicom-*.pcap (needs
                tshark; without it the same records are written from this
                script's own reading of the captures)
  fuzz-rules    every rule of rules/*.rules, tests/rules/*.rules and
                tests/e2e/*/test.rules, one an input, and each file's first
                rules together
  fuzz-config   medids.yaml and tests/e2e/*/medids.yaml, whole and cut into
                their top-level sections
  fuzz-dataset  small lists of each type, and the lists shipped in rules/

A target's corpus is only rewritten when one of its sources (or this
script) is newer than DIR/<target>.stamp, or with --force. Prints one line
per target: the number of seeds.
"""
import argparse
import glob
import hashlib
import os
import shutil
import struct
import subprocess
import sys

TARGETS = ["fuzz-decode", "fuzz-hl7", "fuzz-http", "fuzz-dicom", "fuzz-rules",
           "fuzz-config", "fuzz-dataset", "fuzz-sdc", "fuzz-ieee11073"]
MAX_SEED = 16 * 1024          # fuzz-decode: bytes per input
MAX_SHARED_PCAP = 256 * 1024  # larger shared captures are left out
HERE = os.path.abspath(__file__)


# ---- captures ---------------------------------------------------------------

def read_pcap(path):
    """(linktype, [(ts_usec, frame)]) of a classic pcap file, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None
    magic = data[:4]
    forms = {b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
             b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True)}
    if magic not in forms:
        return None  # pcapng and others: not needed for the repository's files
    end, nsec = forms[magic]
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off, pkts = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break
        ts = sec * 1000000 + (frac // 1000 if nsec else frac)
        pkts.append((ts, data[off:off + incl]))
        off += incl
    return linktype, pkts


def parse_frame(frame):
    """(proto, src, sport, dst, dport, tcp_flags, payload) of an Ethernet frame
    carrying a first-fragment-or-whole IPv4/IPv6 TCP or UDP datagram, or None."""
    off = 12
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    off += 2
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        total, frag = struct.unpack("!H2xH", frame[off + 2:off + 8])
        if frag & 0x3FFF:
            return None
        proto = frame[off + 9]
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        l4 = frame[off + ihl:off + total]
    elif etype == 0x86DD and len(frame) >= off + 40:
        plen = struct.unpack("!H", frame[off + 4:off + 6])[0]
        proto = frame[off + 6]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        l4 = frame[off + 40:off + 40 + plen]
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        sport, dport = struct.unpack("!HH", l4[:4])
        doff = (l4[12] >> 4) * 4
        return 6, src, sport, dst, dport, l4[13], l4[doff:]
    if proto == 17 and len(l4) >= 8:
        sport, dport = struct.unpack("!HH", l4[:4])
        return 17, src, sport, dst, dport, 0, l4[8:]
    return None


def connections(pkts):
    """{key: [(index, direction, payload)]} with direction 0 from the client
    (the side that sent the SYN, else the first sender); key order = first
    packet order. Non-IP packets go to key None."""
    conns, client = {}, {}
    for i, (_ts, frame) in enumerate(pkts):
        p = parse_frame(frame)
        if not p:
            conns.setdefault(None, []).append((i, 0, b""))
            continue
        proto, src, sport, dst, dport, flags, payload = p
        a, b = (src, sport), (dst, dport)
        key = (proto,) + tuple(sorted([a, b]))
        # the first sender, unless a SYN or SYN-ACK says otherwise
        if proto == 6 and flags & 0x12 == 0x02:
            client[key] = a
        elif proto == 6 and flags & 0x12 == 0x12:
            client[key] = b
        elif key not in client:
            client[key] = a
        conns.setdefault(key, []).append((i, 0 if a == client[key] else 1, payload))
    return conns


def records(pkts, indexes):
    """fuzz-decode.c records of the packets at the given indexes."""
    out, prev = bytearray(), None
    for i in indexes:
        ts, frame = pkts[i]
        frame = frame[:0xFFFF]
        delta = 0 if prev is None else max(0, ts - prev)
        prev = ts
        ms = delta // 1000
        dt = ms if ms < 0x8000 else 0x8000 | min(delta // 1000000, 0x7FFF)
        out += struct.pack("!HH", len(frame), dt) + frame
    return bytes(out)


def cut(recs_of, indexes):
    """Split indexes into runs whose records stay within MAX_SEED."""
    runs, cur, size = [], [], 0
    for i in indexes:
        n = len(recs_of([i]))
        if cur and size + n > MAX_SEED:
            runs.append(cur)
            cur, size = [], 0
        cur.append(i)
        size += n
    if cur:
        runs.append(cur)
    return runs


# ---- writing ----------------------------------------------------------------

class Corpus:
    def __init__(self, path):
        self.path, self.seen, self.n = path, set(), 0
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)

    def add(self, name, data):
        h = hashlib.sha1(data).hexdigest()
        if h in self.seen:
            return
        self.seen.add(h)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        with open(os.path.join(self.path, safe), "wb") as f:
            f.write(data)
        self.n += 1


def decode_seeds(c, caps):
    for path in caps:
        r = read_pcap(path)
        if not r or r[0] != 1:
            continue
        pkts = r[1]
        base = os.path.splitext(os.path.basename(path))[0]
        if "/e2e/" in path:
            base = os.path.basename(os.path.dirname(path)) + "-" + base
        def recs(ix, pkts=pkts):
            return records(pkts, ix)
        allix = list(range(len(pkts)))
        whole = recs(allix)
        if len(whole) + 1 <= MAX_SEED:
            c.add(base, b"\x00" + whole)
            continue
        c.add(base + "-head", b"\x00" + recs(cut(recs, allix)[0]))
        for k, segs in enumerate(connections(pkts).values()):
            ix = [i for i, _d, _p in segs]
            for j, run in enumerate(cut(recs, ix)):
                c.add("%s-c%d-%d" % (base, k, j), b"\x00" + recs(run))


def stream_pieces(segs):
    """[(direction, payload)] of a connection, empty payloads dropped."""
    return [(d, p) for _i, d, p in segs if p]


def hl7_seeds(c, caps):
    for path in caps:
        r = read_pcap(path)
        if not r or r[0] != 1:
            continue
        base = os.path.splitext(os.path.basename(path))[0]
        for k, segs in enumerate(connections(r[1]).values()):
            pieces = stream_pieces(segs)
            if not pieces:
                continue
            body = bytearray()
            if pieces[0][0] != 0:
                body += b"\xff\xfe" + bytes([pieces[0][0]])
            body += pieces[0][1]
            for d, p in pieces[1:]:
                body += b"\xff\xfe" + bytes([d]) + p
            c.add("%s-%d" % (base, k), b"\x00" + body)
            c.add("%s-%d-small" % (base, k), b"\x01" + body)


def dicom_records(pieces):
    out = bytearray()
    for d, data in pieces:
        for i in range(0, len(data), 16383):
            piece = data[i:i + 16383]
            out += ((d << 15) | len(piece)).to_bytes(2, "big") + piece
    return bytes(out)


def dicom_seeds(c, caps, srcdir):
    tool = os.path.join(srcdir, "parsers", "dicom", "fuzz-seeds.py")
    if os.path.exists(tool) and shutil.which("tshark") and caps:
        tmp = c.path + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        rc = subprocess.run([sys.executable, tool, tmp] + caps,
                            stdout=subprocess.DEVNULL).returncode
        if rc == 0:
            for name in sorted(os.listdir(tmp)):
                with open(os.path.join(tmp, name), "rb") as f:
                    c.add(name, f.read())
            shutil.rmtree(tmp, ignore_errors=True)
            return
        shutil.rmtree(tmp, ignore_errors=True)
    for path in caps:  # the same records, from this script's reading
        r = read_pcap(path)
        if not r or r[0] != 1:
            continue
        base = os.path.splitext(os.path.basename(path))[0]
        for k, segs in enumerate(connections(r[1]).values()):
            pieces = stream_pieces(segs)
            if pieces:
                c.add("%s-%d" % (base, k), dicom_records(pieces))


def rule_lines(path):
    """[(line number, rule)] of a rule file (backslash continues a rule)."""
    out, cur, start = [], "", 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not cur and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if not cur:
                start = no
            if line.endswith("\\"):
                cur += line[:-1]
                continue
            out.append((start, cur + line))
            cur = ""
    return out


def rules_seeds(c, files):
    for path in files:
        base = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
        rules = rule_lines(path)
        for no, text in rules:
            c.add("%s-%d" % (base, no), text.encode())
        if len(rules) > 1:
            c.add(base + "-all", "\n".join(t for _n, t in rules[:32]).encode())


def yaml_sections(text):
    """Top-level sections of a YAML file (a key at column 0 to the next)."""
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        top = line[:1] not in ("", " ", "\t", "#", "\n", "-") and ":" in line
        if top and cur:
            out.append("".join(cur))
            cur = []
        if top or cur:
            cur.append(line)
    if cur:
        out.append("".join(cur))
    return out


def config_seeds(c, files, srcdir):
    for path in files:
        name = os.path.relpath(path, srcdir).replace("/", "_")
        with open(path, "rb") as f:
            data = f.read()
        c.add(name, data)
        for k, sec in enumerate(yaml_sections(data.decode("utf-8", "replace"))):
            c.add("%s-%d" % (name, k), sec.encode())


DATASETS = [
    # (ctl, list text): ctl bits 0-2 type, bit 3 small memcap, bits 4-7 hash
    (0, "# AE titles\nU1RPUkVTQ1U=\nRklORFNDVQ==\n\nQU5ZLVNDUA==,any\n"),
    (0x10, "SElT\r\nTEFCUw==\r\nUklT\r\nUEFDUw==\r\nRUNH\r\n"),
    (0x08, "".join("dmFsdWU%s\n" % c for c in "ABCDEFGHIJKLMNOP")),
    (1, "d41d8cd98f00b204e9800998ecf8427e\n# x\n900150983CD24FB0D6963F7D28E17F72\n"),
    (2, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"),
    (3, "10.0.0.1\n192.168.1.254\n# router\n127.0.0.1\n"),
    (0x13, "".join("10.1.%d.%d\n" % (i // 8, i % 8) for i in range(40))),
    (4, "::1\nfe80::1\n2001:db8::10\n::ffff:10.0.0.1\n"),
]


def guess_type(lines):
    import ipaddress
    def kind(s):
        try:
            return 3 if ipaddress.ip_address(s).version == 4 else 4
        except ValueError:
            pass
        if all(ch in "0123456789abcdefABCDEF" for ch in s):
            return {32: 1, 64: 2}.get(len(s), 0)
        return 0
    kinds = {kind(s) for s in lines}
    return kinds.pop() if len(kinds) == 1 else 0


def dataset_seeds(c, files):
    for k, (ctl, text) in enumerate(DATASETS):
        c.add("list-%d" % k, bytes([ctl]) + text.encode())
    for path in files:
        with open(path, "rb") as f:
            data = f.read()[:MAX_SEED]
        lines = [l.strip() for l in data.decode("utf-8", "replace").splitlines()
                 if l.strip() and not l.startswith("#")]
        c.add(os.path.basename(path), bytes([guess_type(lines)]) + data)


# ---- driver -----------------------------------------------------------------

def sources(target, src, shared):
    g = lambda *p: sorted(glob.glob(os.path.join(src, *p)))
    if target == "fuzz-decode":
        caps = g("pcaps", "*.pcap") + g("tests", "e2e", "*", "*.pcap")
        caps += [p for p in sorted(glob.glob(os.path.join(shared, "pcaps", "*.pcap")))
                 if os.path.getsize(p) <= MAX_SHARED_PCAP]
        return caps
    if target == "fuzz-hl7":
        return g("pcaps", "hl7-*.pcap")
    if target == "fuzz-http":
        return g("pcaps", "http-*.pcap") + sorted(
            glob.glob(os.path.join(shared, "pcaps", "sdc11073*.pcap")))
    if target == "fuzz-sdc":
        return []  # its seeds are tests/fuzz/regress/fuzz-sdc/
    if target == "fuzz-dicom":
        return g("pcaps", "dicom-*.pcap")
    if target == "fuzz-ieee11073":  # fuzz-hl7's layout and seed writer
        return g("pcaps", "x73-*.pcap") + sorted(glob.glob(os.path.join(
            shared, "pcaps", "ieee11073-*.pcap")))
    if target == "fuzz-rules":
        return (g("rules", "*.rules") + g("tests", "rules", "*.rules") +
                g("tests", "e2e", "*", "test.rules"))
    if target == "fuzz-config":
        return g("medids.yaml") + g("tests", "e2e", "*", "medids.yaml")
    if target == "fuzz-dataset":
        return [p for p in g("rules", "*") + g("rules", "*", "*")
                if os.path.isfile(p) and p.endswith((".lst", ".list", ".txt"))]
    raise ValueError(target)


def up_to_date(stamp, inputs):
    try:
        with open(stamp) as f:
            if f.read() != "\n".join(inputs) + "\n":
                return False
        t = os.path.getmtime(stamp)
    except OSError:
        return False
    return all(os.path.getmtime(p) <= t for p in inputs if os.path.exists(p))


def main():
    ap = argparse.ArgumentParser(description="write the fuzz targets' seed corpora")
    ap.add_argument("--out", required=True, help="directory for DIR/<target>/")
    ap.add_argument("--srcdir", default=os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
    ap.add_argument("--force", action="store_true", help="rewrite every corpus")
    ap.add_argument("targets", nargs="*", metavar="TARGET")
    a = ap.parse_args()
    src = os.path.abspath(a.srcdir)
    shared = os.environ.get("MD_SHARED") or os.path.join(os.path.dirname(src), "shared")
    targets = a.targets or TARGETS
    for t in targets:
        if t not in TARGETS:
            sys.exit("make-seeds.py: unknown target %s (known: %s)" % (t, " ".join(TARGETS)))
    for t in targets:
        inputs = sources(t, src, shared)
        deps = inputs + [HERE]
        if t == "fuzz-dicom":
            deps.append(os.path.join(src, "parsers", "dicom", "fuzz-seeds.py"))
        outdir = os.path.join(a.out, t)
        stamp = outdir + ".stamp"
        if not a.force and up_to_date(stamp, deps):
            n = len(os.listdir(outdir))
            print("%s: %d seeds (up to date) in %s" % (t, n, outdir))
            continue
        c = Corpus(outdir)
        if t == "fuzz-decode":
            decode_seeds(c, inputs)
        elif t in ("fuzz-hl7", "fuzz-http", "fuzz-ieee11073"):
            hl7_seeds(c, inputs)  # the same piece layout
        elif t == "fuzz-dicom":
            dicom_seeds(c, inputs, src)
        elif t == "fuzz-rules":
            rules_seeds(c, inputs)
        elif t == "fuzz-config":
            config_seeds(c, inputs, src)
        else:
            dataset_seeds(c, inputs)
        with open(stamp, "w") as f:
            f.write("\n".join(deps) + "\n")
        print("%s: %d seeds from %d files in %s" % (t, c.n, len(inputs), outdir))


if __name__ == "__main__":
    main()
