#!/usr/bin/env bash
# test-inventory.sh - the asset inventory end to end over the DICOM and HL7
# captures of pcaps/ (doc/inventory.md):
#
#   1. per capture, every device it reveals with the attributes it reveals
#      (listed below, capture by capture), exactly one `new` per device,
#      inventory.json equal to what the records say; all of pcaps/ in one
#      run: one `new` per device, nothing dropped;
#   2. `changed` and `vulnerable`: dicom-echo.pcap, then a copy whose
#      implementation version names are rewritten OFFIS_DCMTK_367 ->
#      OFFIS_DCMTK_366 (same length, scapy) and shifted 120 s later (after
#      the first connection timed out);
#   3. restart: two runs sharing the state file, no `new` in the second;
#   4. `gone`: dicom-echo.pcap, then hl7-adt.pcap shifted two hours later,
#      with gone-after 600;
#   5. max-devices: a full table counts what it drops;
#   6. `medids inventory` as a table, CSV and JSON, from EVE and from
#      inventory.json;
#   7. rules: device.new and device.vendor alerts.
# Every EVE file is validated against the schema.
set -u
M=${MEDIDS:?} S=${MD_SRCDIR:?}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; fails=$((fails + 1)); }

# config DIR [extra yaml lines...]: a configuration using the shipped data.
config() {
	local d=$1
	shift
	mkdir -p "$d"
	{
		echo "default-rule-path: $S/rules"
		echo "rule-files: []"
		echo "inventory:"
		echo "  enabled: yes"
		for l in "$@"; do echo "  $l"; done
	} >"$d/medids.yaml"
}

# run NAME PCAP [args...]: replay into $tmp/NAME (config $tmp/NAME).
run() {
	local n=$1 p=$2
	shift 2
	[ -f "$tmp/$n/medids.yaml" ] || config "$tmp/$n"
	if "$M" -c "$tmp/$n/medids.yaml" -k none -r "$p" -l "$tmp/$n" "$@" \
		>"$tmp/$n/out" 2>&1; then
		return 0
	fi
	no "$n: medids failed: $(tail -3 "$tmp/$n/out")"
	return 1
}

# check NAME: the Python check of that name (below) over $tmp/NAME.
check() {
	local out
	if out=$($PY - "$1" "$tmp" "$S" <<<"$CHECKS" 2>&1); then
		ok "$1${out:+: $out}"
	else
		no "$1: $out"
	fi
}

CHECKS=$(
	cat <<'EOF'
import csv, io, json, os, subprocess, sys
name, tmp, src = sys.argv[1], sys.argv[2], sys.argv[3]
d = os.path.join(tmp, name)

def eve(path=None):
    return [json.loads(l) for l in open(path or os.path.join(d, "eve.json"))]

def inv_events(recs):
    return [r for r in recs if r["event_type"] == "inventory"]

def fail(msg):
    print(msg)
    sys.exit(1)

def validate(path=None):
    p = subprocess.run([sys.executable, os.path.join(src, "tests/scripts/eve-validate.py"), "-q",
                        path or os.path.join(d, "eve.json")], capture_output=True, text=True)
    if p.returncode:
        fail("schema: " + p.stdout[:500])

def one_new_each(evs):
    news = {}
    for r in evs:
        if r["inventory"]["event"] == "new":
            i = r["inventory"]["device"]["id"]
            news[i] = news.get(i, 0) + 1
    bad = {k: v for k, v in news.items() if v != 1}
    if bad:
        fail("more than one new: %s" % bad)
    return set(news)

def snapshot():
    return {v["id"]: v for v in json.load(open(os.path.join(d, "inventory.json")))["devices"]}

def expect(devs, want):
    """want: id -> {attribute: value}; lists must contain the given items."""
    if set(devs) != set(want):
        fail("devices %s, expected %s" % (sorted(devs), sorted(want)))
    for i, attrs in want.items():
        for k, v in attrs.items():
            got = devs[i].get(k)
            if isinstance(v, list) and isinstance(got, list):
                if not set(v) <= set(got):
                    fail("%s %s: %s lacks %s" % (i, k, got, v))
            elif got != v:
                fail("%s %s: %r, expected %r" % (i, k, got, v))

DCMTK = dict(implementation_class_uid="1.2.276.0.7230010.3.0.3.6.7",
             implementation_version="OFFIS_DCMTK_367", implementer="OFFIS DCMTK",
             vulnerabilities=None)
def dcmtk(**kw):
    a = dict(DCMTK, kind="dicom-ae", ip=["127.0.0.1"], protocols=["dicom"], status="active")
    del a["vulnerabilities"]
    a.update(kw)
    return a
def equip(model, serial, modality, station):
    return dict(kind="dicom-equipment", vendor="SYNTHETIC MEDICAL SYSTEMS", model=model,
                software_version="SYN 3.1.4", serial_number=serial, modality=modality,
                station_name=station, roles=["equipment"])
MR1 = "dicom-equipment:SYNTHETIC MEDICAL SYSTEMS|SYN-MR 1.5T|SN-SYN-0001"
MR2 = "dicom-equipment:SYNTHETIC MEDICAL SYSTEMS|SYN-MR 1.5T|SN-SYN-0002"
CT3 = "dicom-equipment:SYNTHETIC MEDICAL SYSTEMS|SYN-CT 64|SN-SYN-0003"

# What each capture reveals (pcaps/README.md says how they were made).
CAPTURES = {
    # echoscu -> storescp (DCMTK 3.6.7 both ends): two AEs, their
    # implementation, a known advisory, the SCP's port.
    "dicom-echo": {
        "dicom:ECHOSCU@127.0.0.1": dcmtk(ae_title="ECHOSCU", roles=["scu"],
                                         peers=["dicom:STORESCP@127.0.0.1"],
                                         credentials_in_clear=False, phi_in_clear=False),
        "dicom:STORESCP@127.0.0.1": dcmtk(ae_title="STORESCP", roles=["scp"], ports=[11112]),
    },
    # storescu sends three instances (two MR, one CT) with patient data in
    # clear: the sender has phi_in_clear; each instance's equipment
    # (Manufacturer, ManufacturerModelName, SoftwareVersions,
    # DeviceSerialNumber, Modality, StationName) is its own record.
    "dicom-store": {
        "dicom:SYNMODALITY@127.0.0.1": dcmtk(ae_title="SYNMODALITY", roles=["scu"], phi_in_clear=True,
                                             peers=["dicom:STORESCP@127.0.0.1", MR1, MR2, CT3]),
        "dicom:STORESCP@127.0.0.1": dcmtk(ae_title="STORESCP", roles=["scp"], ports=[104],
                                          phi_in_clear=False),
        MR1: equip("SYN-MR 1.5T", "SN-SYN-0001", "MR", "SYNMR01"),
        MR2: equip("SYN-MR 1.5T", "SN-SYN-0002", "MR", "SYNMR01"),
        CT3: equip("SYN-CT 64", "SN-SYN-0003", "CT", "SYNCT01"),
    },
    # findscu/movescu against a Q/R SCP (COMMON) that moves two MR
    # instances to MOVESCP: COMMON is SCP of the query and SCU of the
    # C-STORE sub-association.
    "dicom-find-move": {
        "dicom:SYNVIEWER@127.0.0.1": dcmtk(ae_title="SYNVIEWER", roles=["scu"]),
        "dicom:COMMON@127.0.0.1": dcmtk(ae_title="COMMON", roles=["scu", "scp"], ports=[11113],
                                        phi_in_clear=True),
        "dicom:MOVESCP@127.0.0.1": dcmtk(ae_title="MOVESCP", roles=["scp"], ports=[11115]),
        MR1: equip("SYN-MR 1.5T", "SN-SYN-0001", "MR", "SYNMR01"),
        MR2: equip("SYN-MR 1.5T", "SN-SYN-0002", "MR", "SYNMR01"),
    },
    # A-ASSOCIATE-RQ with a username + passcode user identity, no TLS.
    "dicom-user-identity": {
        "dicom:SYNMODALITY@127.0.0.1": dcmtk(ae_title="SYNMODALITY", roles=["scu"],
                                             credentials_in_clear=True, phi_in_clear=True),
        "dicom:STORESCP@127.0.0.1": dcmtk(ae_title="STORESCP", roles=["scp"], ports=[11116],
                                          credentials_in_clear=False),
        CT3: equip("SYN-CT 64", "SN-SYN-0003", "CT", "SYNCT01"),
    },
    # DICOM over TLS: the identities are encrypted, no device is revealed.
    "dicom-tls": {},
    # ADT^A01 x3 with PID segments over MLLP: sender and receiver.
    "hl7-adt": {
        "hl7:SYN-ADT|SYNHOSP": dict(kind="hl7-application", hl7_application="SYN-ADT",
                                    hl7_facility="SYNHOSP", roles=["sender"], phi_in_clear=True,
                                    ip=["127.0.0.1"], protocols=["hl7"]),
        "hl7:MEDIDS-SIM|SYNHOSP": dict(kind="hl7-application", roles=["receiver"], ports=[2575],
                                       phi_in_clear=False),
    },
    # ORU^R01 from a monitor: OBX-18 equipment instance identifier.
    "hl7-oru": {
        "hl7:SYN-MONITOR|SYNHOSP": dict(roles=["sender"], phi_in_clear=True,
                                        equipment_id="SYNMON0001^SYNTHETIC^0012A3FFFE000001^EUI-64"),
        "hl7:MEDIDS-SIM|SYNHOSP": dict(roles=["receiver"], ports=[2576]),
    },
}

if name in CAPTURES:
    validate()
    want = CAPTURES[name]
    news = one_new_each(inv_events(eve()))
    if news != set(want):
        fail("new events for %s, expected %s" % (sorted(news), sorted(want)))
    snap = snapshot()
    expect(snap, want)
    for i, v in snap.items():
        if v["kind"] == "dicom-ae" and sorted(x["id"] for x in v["vulnerabilities"]) != \
                ["CVE-2024-34508", "CVE-2024-34509"]:
            fail("%s vulnerabilities %s" % (i, v["vulnerabilities"]))
    print("%d devices" % len(snap))

elif name == "all":
    validate()
    news = one_new_each(inv_events(eve()))
    snap = json.load(open(os.path.join(d, "inventory.json")))
    ids = {v["id"] for v in snap["devices"]}
    if news != ids or snap["devices_dropped"] or len(ids) < 15:
        fail("new %d, snapshot %d, dropped %d" % (len(news), len(ids), snap["devices_dropped"]))
    print("%d devices, one new each" % len(ids))

elif name == "changed":
    validate()
    evs = inv_events(eve())
    for dev in ("dicom:ECHOSCU@127.0.0.1", "dicom:STORESCP@127.0.0.1"):
        kinds = [r["inventory"]["event"] for r in evs if r["inventory"]["device"]["id"] == dev]
        if kinds != ["new", "vulnerable", "changed", "vulnerable"]:
            fail("%s events %s" % (dev, kinds))
        ch = [r["inventory"] for r in evs if r["inventory"]["device"]["id"] == dev
              and r["inventory"]["event"] == "changed"][0]
        if ch["changes"] != [{"field": "implementation_version", "old": "OFFIS_DCMTK_367",
                              "new": "OFFIS_DCMTK_366"}]:
            fail("changes %s" % ch["changes"])
        vul = [r["inventory"]["device"]["vulnerabilities"] for r in evs
               if r["inventory"]["device"]["id"] == dev and r["inventory"]["event"] == "vulnerable"]
        ids = sorted(v["id"] for v in vul[-1])
        if ids != ["CVE-2022-2119", "CVE-2022-2120", "CVE-2024-34508", "CVE-2024-34509"]:
            fail("vulnerabilities %s" % ids)
    print("new, vulnerable, changed 367->366, vulnerable (+CVE-2022-2119/2120)")

elif name == "restart":
    first = inv_events(eve(os.path.join(tmp, "restart1", "eve.json")))
    second = inv_events(eve(os.path.join(tmp, "restart2", "eve.json")))
    validate(os.path.join(tmp, "restart2", "eve.json"))
    n1 = sum(r["inventory"]["event"] == "new" for r in first)
    n2 = sum(r["inventory"]["event"] == "new" for r in second)
    snap = json.load(open(os.path.join(tmp, "restart2", "inventory.json")))
    if n1 != 5 or n2 != 0 or len(snap["devices"]) != 5:
        fail("new: first run %d, second %d; second snapshot %d devices" % (n1, n2, len(snap["devices"])))
    print("first run 5 new, second run 0 new, 5 devices known")

elif name == "gone":
    validate()
    evs = inv_events(eve())
    gone = sorted(r["inventory"]["device"]["id"] for r in evs if r["inventory"]["event"] == "gone")
    if gone != ["dicom:ECHOSCU@127.0.0.1", "dicom:STORESCP@127.0.0.1"]:
        fail("gone %s" % gone)
    st = {v["id"]: v["status"] for v in snapshot().values()}
    if st["dicom:ECHOSCU@127.0.0.1"] != "gone" or st["hl7:SYN-ADT|SYNHOSP"] != "active":
        fail("status %s" % st)
    print("the DICOM pair gone after 600 s of silence, HL7 active")

elif name == "full":
    validate()
    snap = json.load(open(os.path.join(d, "inventory.json")))
    stats = [r for r in eve() if r["event_type"] == "stats"][-1]["stats"]["inventory"]
    if len(snap["devices"]) != 2 or snap["devices_dropped"] < 3 or stats != {
            "devices": 2, "dropped": snap["devices_dropped"]}:
        fail("snapshot %d devices, %d dropped, stats %s" % (len(snap["devices"]),
             snap["devices_dropped"], stats))
    print("2 devices kept, %d dropped and counted" % snap["devices_dropped"])

elif name == "cli":
    m = os.environ["MEDIDS"]
    e = os.path.join(tmp, "dicom-store", "eve.json")
    t = subprocess.run([m, "inventory", e], capture_output=True, text=True, check=True).stdout
    lines = t.splitlines()
    if not lines[0].startswith("DEVICE") or lines[-1] != "5 device(s)" or len(lines) != 7 \
            or "CVE-2024-34508" not in t:
        fail("table:\n" + t)
    c = subprocess.run([m, "inventory", "--csv", e], capture_output=True, text=True, check=True).stdout
    rows = list(csv.DictReader(io.StringIO(c)))
    byid = {r["id"]: r for r in rows}
    if len(rows) != 5 or byid[MR1]["serial_number"] != "SN-SYN-0001" or \
            byid["dicom:SYNMODALITY@127.0.0.1"]["phi_in_clear"] != "yes":
        fail("csv:\n" + c)
    j = json.loads(subprocess.run([m, "inventory", "--json", e], capture_output=True, text=True,
                                  check=True).stdout)
    s = json.loads(subprocess.run([m, "inventory", "--json",
                                   os.path.join(tmp, "dicom-store", "inventory.json")],
                                  capture_output=True, text=True, check=True).stdout)
    if [v["id"] for v in j["devices"]] != [v["id"] for v in s["devices"]] or len(j["devices"]) != 5:
        fail("json from EVE and from inventory.json differ")
    bad = subprocess.run([m, "inventory"], capture_output=True, text=True)
    if bad.returncode != 2:
        fail("no file: exit %d" % bad.returncode)
    print("table, CSV and JSON list the 5 devices")

elif name == "rules":
    validate()
    al = [r for r in eve() if r["event_type"] == "alert"]
    new = sorted(r["device"]["id"] for r in al if r["alert"]["signature_id"] == 9100001)
    ven = sorted(r["device"]["id"] for r in al if r["alert"]["signature_id"] == 9100002)
    sw = [r for r in al if r["alert"]["signature_id"] == 9100003]
    if new != sorted(CAPTURES["dicom-store"]) or ven != sorted([MR1, MR2, CT3]) or sw:
        fail("device.new %s, device.vendor %s, never %d" % (new, ven, len(sw)))
    if any(r["device"]["new"] is not True or r.get("src_ip") != "127.0.0.1" for r in al):
        fail("alert without its device or flow")
    print("device.new x5, device.vendor x3")
else:
    fail("unknown check " + name)
EOF
)

for c in dicom-echo dicom-store dicom-find-move dicom-user-identity dicom-tls hl7-adt hl7-oru; do
	run "$c" "$S/pcaps/$c.pcap" && check "$c"
done

run all "$S/pcaps" && check all

# changed / vulnerable: the original, then the rewritten copy.
mkdir -p "$tmp/cap"
cp "$S/pcaps/dicom-echo.pcap" "$tmp/cap/1-dicom-echo.pcap"
$PY - "$S/pcaps/dicom-echo.pcap" "$tmp/cap/2-dicom-echo-366.pcap" <<'EOF'
import sys
from scapy.all import rdpcap, wrpcap, Raw, TCP, IP
pk = rdpcap(sys.argv[1])
n = 0
for p in pk:
    p.time += 120
    if Raw in p and b"OFFIS_DCMTK_367" in p[Raw].load:
        p[Raw].load = p[Raw].load.replace(b"OFFIS_DCMTK_367", b"OFFIS_DCMTK_366")
        del p[IP].chksum, p[TCP].chksum
        n += 1
assert n == 2, n  # A-ASSOCIATE-RQ and -AC
wrpcap(sys.argv[2], pk)
EOF
run changed "$tmp/cap" && check changed

# restart: the same capture twice, the state file kept between the runs.
config "$tmp/restart1" "state-file: $tmp/state.json"
config "$tmp/restart2" "state-file: $tmp/state.json"
run restart1 "$S/pcaps/dicom-store.pcap" && run restart2 "$S/pcaps/dicom-store.pcap" &&
	check restart

# gone: two hours of silence for the DICOM pair.
mkdir -p "$tmp/gcap"
cp "$S/pcaps/dicom-echo.pcap" "$tmp/gcap/1.pcap"
$PY - "$S/pcaps/hl7-adt.pcap" "$S/pcaps/dicom-echo.pcap" "$tmp/gcap/2.pcap" <<'EOF'
import sys
from scapy.all import rdpcap, wrpcap
pk = rdpcap(sys.argv[1])
base = rdpcap(sys.argv[2])[-1].time + 7200 - pk[0].time
for p in pk:
    p.time += base
wrpcap(sys.argv[3], pk)
EOF
config "$tmp/gone" "gone-after: 600"
run gone "$tmp/gcap" && check gone

config "$tmp/full" "max-devices: 2"
run full "$S/pcaps/dicom-store.pcap" && check full

check cli

cat >"$tmp/rules.rules" <<'EOF'
alert device any any -> any any (msg:"new device"; device.new; sid:9100001; rev:1;)
alert device any any -> any any (msg:"synthetic vendor"; device.vendor; content:"SYNTHETIC MEDICAL SYSTEMS"; sid:9100002; rev:1;)
alert device any any -> any any (msg:"never"; device.software_version; content:"9.9.9"; sid:9100003; rev:1;)
EOF
run rules "$S/pcaps/dicom-store.pcap" -S "$tmp/rules.rules" && check rules

[ "$fails" -eq 0 ]
