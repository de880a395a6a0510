#!/usr/bin/env bash
# test-flow-count.sh - one TCP flow record per TCP conversation, corpus-wide.
#
# Replays the whole capture corpus (MD_SRCDIR/pcaps/, a directory: every
# capture in name order) through medids in one run, then checks that
#  - the number of `flow` records with proto TCP equals the number of TCP
#    conversations tshark finds (`tshark -q -z conv,tcp`, summed over the
#    captures);
#  - every record of that eve.json validates against the EVE schema.
# On a mismatch each capture is replayed alone to show which one differs.
# Exit 0 pass, 1 fail, 77 skip (no captures yet, or no tshark).
set -u

: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
PY=/usr/bin/python3
pcapdir=$MD_SRCDIR/pcaps
validate=$MD_SRCDIR/tests/scripts/eve-validate.py

command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }
shopt -s nullglob
captures=("$pcapdir"/*.pcap "$pcapdir"/*.pcapng)
[ ${#captures[@]} -gt 0 ] || { echo "SKIP: no captures in $pcapdir"; exit 77; }
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tcp_convs FILE: number of TCP conversations tshark sees in FILE.
tcp_convs() {
	tshark -r "$1" -q -z conv,tcp 2>/dev/null | grep -c '<->'
}

# tcp_flows EVE: number of flow records with proto TCP in EVE.
tcp_flows() {
	"$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    r = json.loads(line)
    n += r.get("event_type") == "flow" and r.get("proto") == "TCP"
print(n)' "$1"
}

want=0
for f in "${captures[@]}"; do
	want=$((want + $(tcp_convs "$f")))
done

if ! "$MEDIDS" -r "$pcapdir" -l "$tmp" -k none >"$tmp/medids.out" 2>&1; then
	echo "FAIL: medids -r $pcapdir exited non-zero"
	tail -n 20 "$tmp/medids.out"
	exit 1
fi
[ -f "$tmp/eve.json" ] || { echo "FAIL: no eve.json written"; exit 1; }
got=$(tcp_flows "$tmp/eve.json") || { echo "FAIL: eve.json is not JSON"; exit 1; }
echo "${#captures[@]} captures: $want TCP conversations (tshark), $got TCP flow records (medids)"

status=0
if [ "$got" -ne "$want" ]; then
	echo "FAIL: TCP flow records differ from tshark's conversation count; per capture:"
	for f in "${captures[@]}"; do
		one=$tmp/one
		rm -rf "$one" && mkdir "$one"
		"$MEDIDS" -r "$f" -l "$one" -k none >/dev/null 2>&1
		n=$(tcp_flows "$one/eve.json" 2>/dev/null || echo "?")
		echo "  $(basename "$f"): tshark $(tcp_convs "$f"), medids $n"
	done
	status=1
fi

if ! "$PY" "$validate" "$tmp/eve.json"; then
	echo "FAIL: eve.json records do not validate against the EVE schema"
	status=1
fi
exit $status
