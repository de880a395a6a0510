#!/usr/bin/env bash
# test-exception-policy.sh - exception policies through the inline verdict
# path on a capture (-r with --simulate-ips, no namespaces needed): a
# stream memcap too small for any TCP session triggers tcp.ssn_memcap.
#   default (pass-flow): every packet accepted, the flow bypassed;
#   drop-flow: the first packet and the rest of the flow dropped;
# each application counted and logged as an anomaly; replay without
# --simulate-ips counts no verdicts.
set -u
: "${MEDIDS:?MEDIDS not set}"
top=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
pcap=$top/pcaps/dicom-store.pcap
[ -f "$pcap" ] || { echo "SKIP: $pcap missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

run() { # NAME POLICY [medids options]
	local name=$1 pol=$2
	shift 2
	mkdir -p "$tmp/$name"
	printf 'stream:\n  memcap: 16\n' >"$tmp/$name/c.yaml"
	[ -n "$pol" ] && printf 'exception-policy:\n  tcp-ssn-memcap: %s\n' "$pol" >>"$tmp/$name/c.yaml"
	"$MEDIDS" -r "$pcap" -l "$tmp/$name" -k none -c "$tmp/$name/c.yaml" "$@" || fail "$name: medids failed"
	$PY "$top/tests/scripts/eve-validate.py" "$tmp/$name/eve.json" >/dev/null || fail "$name: schema"
}
get() { # NAME PATH: value in the last stats record
	$PY - "$tmp/$1/eve.json" "$2" <<'PYEOF'
import json, sys
st = [json.loads(l)["stats"] for l in open(sys.argv[1]) if '"stats"' in l][-1]
for k in sys.argv[2].split("."):
    st = st[k]
print(st)
PYEOF
}
anomalies() { grep -c '"type":"exception_policy","event":"exception_policy.tcp.ssn_memcap","layer":"'"$2"'"' "$tmp/$1/eve.json"; }

run pass "" --simulate-ips
pkts=$(get pass decoder.pkts)
[ "$(get pass ips.accepted)" -eq "$pkts" ] || fail "pass-flow: not every packet accepted"
[ "$(get pass ips.blocked)" -eq 0 ] || fail "pass-flow: packets blocked"
[ "$(get pass exception_policy.tcp.ssn_memcap.pass_flow)" -eq 1 ] || fail "pass-flow: not counted once"
[ "$(anomalies pass pass-flow)" -eq 1 ] || fail "pass-flow: no anomaly record"

run drop drop-flow --simulate-ips
[ "$(get drop ips.blocked)" -eq "$pkts" ] || fail "drop-flow: not every packet blocked"
[ "$(get drop ips.drop_reason.stream_memcap)" -eq 1 ] || fail "drop-flow: first drop not stream_memcap"
[ "$(get drop ips.drop_reason.exception_policy_flow_drop)" -eq $((pkts - 1)) ] || fail "drop-flow: later drops"
[ "$(get drop exception_policy.tcp.ssn_memcap.drop_flow)" -eq 1 ] || fail "drop-flow: not counted"
[ "$(anomalies drop drop-flow)" -eq 1 ] || fail "drop-flow: no anomaly record"
grep -q '"event_type":"flow".*"action":"drop"' "$tmp/drop/eve.json" || fail "drop-flow: flow record without action drop"

run replay drop-flow
[ "$(get replay ips.accepted)" -eq 0 ] && [ "$(get replay ips.blocked)" -eq 0 ] || fail "replay counted verdicts"
[ "$(anomalies replay drop-flow)" -eq 0 ] || fail "replay applied an exception policy"
echo "ok: $pkts packets; pass-flow accepts, drop-flow drops, replay unchanged"
