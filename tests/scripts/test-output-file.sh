#!/usr/bin/env bash
# test-output-file.sh - regular-file EVE outputs: several at once with
# per-output types, per-thread files, the flush interval, and
# configuration errors reported as FILE:LINE.
#
#  1. Four file outputs in one replay of pcaps/ with the shipped DICOM
#     event rules: all.json (no types: everything), alert+anomaly,
#     hl7+flow, dicom+stats. Each filtered file holds exactly the records
#     of all.json of its types, in the same order; every file validates.
#  2. threaded: yes writes the replay thread's records to eve.1.json (and
#     no eve.json): the same records as a plain file.
#  3. flush-interval: records reach the file while the replay still runs
#     (a slow FIFO replay; flush-interval 200 ms, buffer 1 MiB).
#  4. An unknown type name, filetype, facility or redis mode stops the
#     start with "FILE:LINE: key: reason" pointing at the bad line.
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
tmp=$(mktemp -d)
feed_pid=
cleanup() {
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$MD_SRCDIR/tests/tools/out-lib.sh"
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }
status=0
fail() { echo "FAIL: $*"; status=1; }
RULES=$MD_SRCDIR/rules/dicom-events.rules

# ---- 1. several outputs, per-output types ---------------------------------
d=$tmp/types
mkdir -p "$d"
cat >"$d/medids.yaml" <<EOF
outputs:
  - eve-log:
      filename: all.json
      phi-key-file: $tmp/phi.key   # one key: same hashes in both runs
  - eve-log:
      filename: alerts.json
      types:
        - alert:
            payload: yes     # Suricata-style options are accepted
        - anomaly
  - eve-log:
      filename: hl7.json
      types: [hl7, flow]
  - eve-log:
      filetype: regular
      filename: dicom.json
      types: [dicom, stats]
EOF
"$MEDIDS" -c "$d/medids.yaml" -S "$RULES" -r "$PCAPS" -l "$d" -k none 2>"$d/err" ||
	{ fail "medids exited non-zero"; cat "$d/err"; }
# only TYPE...: the records of all.json of those event types.
only() {
	local re
	re=$(IFS='|'; echo "$*")
	grep -E "\"event_type\":\"($re)\"" "$d/all.json"
}
only alert anomaly >"$d/want-alerts"
only hl7 flow >"$d/want-hl7"
only dicom stats >"$d/want-dicom"
echo "all.json $(lines "$d/all.json") records; alert+anomaly $(lines "$d/want-alerts"), hl7+flow $(lines "$d/want-hl7"), dicom+stats $(lines "$d/want-dicom")"
for k in alerts hl7 dicom; do
	[ "$(lines "$d/want-$k")" -gt 0 ] || fail "no $k records to compare"
	"$PY" "$OUTUTIL" check "$d/want-$k" "$d/$k.json" || fail "$k.json is not the $k records of all.json"
done
# Every output is listed in the stats record under its name.
"$PY" - "$d/all.json" <<'PYEOF' || fail "stats output section"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
out = recs[-1]["stats"]["output"]
names = sorted(out)
assert names == ["file", "file-2", "file-3", "file-4"], names
assert out["file"] == {"written": len(recs) - 1, "dropped": 0, "errors": 0}, out["file"]
print("stats output section:", out)
PYEOF
# (inventory.json, the inventory snapshot, is not an EVE file)
validate "$d"/all.json "$d"/alerts.json "$d"/hl7.json "$d"/dicom.json || status=1

# ---- 2. per-thread files ------------------------------------------------------
d=$tmp/threaded
mkdir -p "$d"
printf 'outputs:\n  - eve-log: {filename: eve.json, threaded: yes, phi-key-file: %s}\n' \
	"$tmp/phi.key" >"$d/medids.yaml"
"$MEDIDS" -c "$d/medids.yaml" -S "$RULES" -r "$PCAPS" -l "$d" -k none 2>"$d/err" ||
	{ fail "medids exited non-zero (threaded)"; cat "$d/err"; }
[ ! -e "$d/eve.json" ] || fail "threaded output also wrote eve.json"
[ -s "$d/eve.1.json" ] || fail "threaded output wrote no eve.1.json"
"$PY" "$OUTUTIL" check "$tmp/types/all.json" "$d/eve.1.json" --skip-stats ||
	fail "eve.1.json differs from a plain file output"

# ---- 3. flush interval --------------------------------------------------------
d=$tmp/flush
mkdir -p "$d"
printf 'outputs:\n  - eve-log: {filename: eve.json, flush-interval: 200, buffer-size: 1mb}\n' >"$d/medids.yaml"
feed_start "$d/feed.pcap" 20 4
"$MEDIDS" -c "$d/medids.yaml" -r "$d/feed.pcap" -l "$d" -k none 2>"$d/err" &
md=$!
sleep 1.5
early=$(lines "$d/eve.json")
running=yes
kill -0 "$feed_pid" 2>/dev/null || running=no
wait "$md" || fail "medids exited non-zero (flush)"
wait "$feed_pid"; feed_pid=
echo "flush: $early records in the file 1.5 s into the replay (still running: $running), $(lines "$d/eve.json") at the end"
[ "$running" = yes ] || fail "replay ended too early to check the flush interval"
[ "$early" -gt 0 ] || fail "nothing flushed within 1.5 s (flush-interval 200 ms)"

# ---- 4. configuration errors ------------------------------------------------------
d=$tmp/conf
mkdir -p "$d"
# bad KEYLINE YAML: medids -T must fail naming line KEYLINE of the file.
bad() {
	local want=$1 what=$2
	printf '%s' "$3" >"$d/m.yaml"
	if "$MEDIDS" -T -c "$d/m.yaml" >/dev/null 2>"$d/e"; then
		fail "$what accepted"
	elif ! grep -q "m.yaml:$want: .*$what" "$d/e"; then
		fail "$what: no FILE:$want: message, got: $(cat "$d/e")"
	else
		echo "rejected: $(cat "$d/e")"
	fi
}
bad 5 "'dns' is not an event type" 'outputs:
  - eve-log:
      types:
        - alert
        - dns
'
bad 3 "filetype" 'outputs:
  - eve-log:
      filetype: kafka
'
bad 4 "facility" 'outputs:
  - eve-log:
      filetype: syslog
      facility: local9
'
bad 5 "mode" 'outputs:
  - eve-log:
      filetype: redis
      redis:
        mode: stream
'

[ $status -eq 0 ] && echo "PASS"
exit $status
