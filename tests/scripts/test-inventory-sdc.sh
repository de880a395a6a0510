#!/usr/bin/env bash
# test-inventory-sdc.sh - the inventory over the shared SDC capture
# (sdc11073_v2.3.0_netns_lo.pcap: Draeger's sdc11073 reference provider
# and consumer, see shared/pcaps/README.md). Skipped until the "sdc" and
# "http" parsers are built in.
#
# What the capture reveals: one provider, endpoint reference
# urn:uuid:12345678-6f55-11ea-9697-123456789abc, XAddrs
# http://127.0.0.1:35369/123456786f5511ea9697123456789abc (WS-Discovery
# Hello and ProbeMatches), dpws:ThisModel / ThisDevice in the WS-Transfer
# Get response: Manufacturer sdc11073, ModelName TestDevice, FirmwareVersion
# Version1, SerialNumber 12345, FriendlyName TestDevice; and the consumer
# at 127.0.0.1 (GetMdib, Subscribe, Set*; it receives the reports). One
# `new` each.
set -u
M=${MEDIDS:?} S=${MD_SRCDIR:?}
SH=${MD_SHARED:-$S/../shared}
pcap=$SH/pcaps/sdc11073_v2.3.0_netns_lo.pcap
protos=$("$M" --list-app-layer-protos)
if ! grep -q '^sdc ' <<<"$protos" || ! grep -q '^http ' <<<"$protos"; then
	echo "skip: no sdc/http parsers in this build"
	exit 77
fi
[ -f "$pcap" ] || { echo "not ok - $pcap missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'default-rule-path: %s/rules\nrule-files: []\n' "$S" >"$tmp/medids.yaml"
"$M" -c "$tmp/medids.yaml" -k none -r "$pcap" -l "$tmp" >"$tmp/out" 2>&1 ||
	{ echo "not ok - medids failed: $(tail -3 "$tmp/out")"; exit 1; }
/usr/bin/python3 "$S/tests/scripts/eve-validate.py" -q "$tmp/eve.json" ||
	{ echo "not ok - schema"; exit 1; }
/usr/bin/python3 - "$tmp" <<'EOF'
import json, sys
d = sys.argv[1]
evs = [json.loads(l) for l in open(d + "/eve.json")]
news = [r["inventory"]["device"]["id"] for r in evs
        if r["event_type"] == "inventory" and r["inventory"]["event"] == "new"]
snap = {v["id"]: v for v in json.load(open(d + "/inventory.json"))["devices"]}
prov, cons = "sdc:urn:uuid:12345678-6f55-11ea-9697-123456789abc", "sdc-consumer@127.0.0.1"
problems = []
if sorted(news) != sorted([prov, cons]):
    problems.append("new events %s" % news)
if set(snap) != {prov, cons}:
    problems.append("devices %s" % sorted(snap))
else:
    p = snap[prov]
    want = dict(kind="sdc-device", vendor="sdc11073", model="TestDevice",
                firmware_version="Version1", serial_number="12345", friendly_name="TestDevice",
                epr="urn:uuid:12345678-6f55-11ea-9697-123456789abc",
                xaddrs="http://127.0.0.1:35369/123456786f5511ea9697123456789abc")
    bad = {k: p.get(k) for k, v in want.items() if p.get(k) != v}
    if bad or "provider" not in p["roles"] or cons not in p["peers"]:
        problems.append("provider %s" % (bad or p))
    if "consumer" not in snap[cons]["roles"]:
        problems.append("consumer %s" % snap[cons])
print("not ok - " + "; ".join(problems) if problems else
      "ok - provider (EPR, ThisModel, ThisDevice, XAddrs) and consumer, one new each")
sys.exit(1 if problems else 0)
EOF
