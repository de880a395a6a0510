#!/usr/bin/env bash
# test-output-syslog.sh - the syslog EVE output, delivered to a datagram
# socket this test listens on (the output's `socket:` setting; /dev/log by
# default, the same code path with another address: this machine has no
# syslog daemon and the test must not touch the system's /dev/log).
#
# Replaying pcaps/ with a file output, a syslog output (facility local3,
# level notice, identity medids-test) carrying every type and a second
# syslog output carrying only alerts and anomalies:
#  - every message is "<PRI>Mmm dd hh:mm:ss IDENT[PID]: RECORD" with
#    PRI = 19 * 8 + 5 = 157 and the medids process id;
#  - the records are exactly the file's, in order;
#  - the filtered output got exactly the file's alert and anomaly
#    records, with PRI 8 * 8 + 3 (facility uucp, level err);
#  - the output.syslog counters say every record was written.
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$MD_SRCDIR/tests/tools/out-lib.sh"
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }
status=0
fail() { echo "FAIL: $*"; status=1; }

for s in log alerts; do
	"$PY" "$OUTUTIL" sink unix-dgram "$tmp/$s.sock" "$tmp/$s.txt" &
	pids+=($!)
	for _ in $(seq 1 100); do [ -e "$tmp/$s.sock.ready" ] && break; sleep 0.05; done
done
cat >"$tmp/medids.yaml" <<EOF
outputs:
  - eve-log: {filetype: regular, filename: eve.json}
  - eve-log:
      filetype: syslog
      socket: $tmp/log.sock
      identity: medids-test
      facility: local3
      level: Notice
  - eve-log:
      name: syslog-alerts
      filetype: syslog
      socket: $tmp/alerts.sock
      facility: uucp
      level: err
      types: [alert, anomaly]
EOF
"$MEDIDS" -c "$tmp/medids.yaml" -S "$MD_SRCDIR/rules/dicom-events.rules" \
	-r "$PCAPS" -l "$tmp" -k none 2>"$tmp/err" &
md=$!
wait "$md" || { fail "medids exited non-zero"; cat "$tmp/err"; }
sleep 0.5
for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null; done
pids=()

# split_syslog IN OUT PRI IDENT: check each message's header, write the
# records to OUT.
split_syslog() {
	"$PY" - "$@" <<'PYEOF'
import re, sys
src, dst, pri, ident, pid = sys.argv[1:6]
pat = re.compile(rb"^<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ([^\[ ]+)\[(\d+)\]: (\{.*\})$")
bad = 0
with open(src, "rb") as fp, open(dst, "wb") as out:
    for n, line in enumerate(fp, 1):
        m = pat.match(line.rstrip(b"\n"))
        if not m or m.group(1) != pri.encode() or m.group(3) != ident.encode() or m.group(4) != pid.encode():
            if bad < 3:
                print("message %d: bad header: %r" % (n, line[:120]))
            bad += 1
            continue
        out.write(m.group(5) + b"\n")
sys.exit(1 if bad else 0)
PYEOF
}
split_syslog "$tmp/log.txt" "$tmp/log.rec" 157 medids-test "$md" || fail "syslog headers"
split_syslog "$tmp/alerts.txt" "$tmp/alerts.rec" 67 medids "$md" || fail "syslog headers (alerts output)"
n=$(lines "$tmp/eve.json")
grep -E '"event_type":"(alert|anomaly)"' "$tmp/eve.json" >"$tmp/want-alerts.json"
echo "file $n records ($(lines "$tmp/want-alerts.json") alert/anomaly); syslog $(lines "$tmp/log.rec"), filtered $(lines "$tmp/alerts.rec")"
[ "$(lines "$tmp/want-alerts.json")" -gt 0 ] || fail "no alert or anomaly records to filter"
"$PY" "$OUTUTIL" check "$tmp/eve.json" "$tmp/log.rec" || fail "syslog records differ from the file"
"$PY" "$OUTUTIL" check "$tmp/want-alerts.json" "$tmp/alerts.rec" || fail "filtered syslog output differs"
c=$("$PY" "$OUTUTIL" stats "$tmp/eve.json" syslog)
echo "output.syslog: $c"
[ "$c" = "written $((n - 1)) dropped 0 errors 0 queued 0 unconfirmed 0" ] ||
	fail "output.syslog counters do not say $((n - 1)) written before the stats record"
validate "$tmp/eve.json" || status=1

[ $status -eq 0 ] && echo "PASS"
exit $status
