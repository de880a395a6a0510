#!/usr/bin/env bash
# test-output-unix.sh - the unix_stream and unix_dgram EVE outputs, read
# by listeners this test starts (tests/tools/out-util.py sink).
#
#  1. both kinds at once next to a file output, replaying pcaps/: each
#     listener receives exactly the file's records, in order.
#  2. late listener: the dgram listener appears 1.5 s into a replay of
#     about 5 s (fed through a FIFO); medids keeps retrying with back-off
#     and, once connected, delivers every queued record: the listener
#     still receives exactly the file's records.
#  3. listener restarted: the stream listener is stopped mid-replay and
#     started again 1 s later; medids reconnects. The counters account for
#     every record (written + dropped = the file's records), what the
#     listeners received is the file's records in order with none twice,
#     and records written after the restart arrived.
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
tmp=$(mktemp -d)
pids=()
feed_pid=
cleanup() {
	local p
	for p in "${pids[@]}" $feed_pid; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$MD_SRCDIR/tests/tools/out-lib.sh"
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }
status=0
fail() { echo "FAIL: $*"; status=1; }

# sink_start KIND PATH OUT: a listener; sets sink_pid once it is bound.
sink_start() {
	rm -f "$2.ready"
	"$PY" "$OUTUTIL" sink "$1" "$2" "$3" &
	sink_pid=$!
	pids+=("$sink_pid")
	for _ in $(seq 1 100); do [ -e "$2.ready" ] && return 0; sleep 0.05; done
	echo "FAIL: listener on $2 did not start"; exit 1
}
sink_stop() { kill "$1"; wait "$1" 2>/dev/null; }

# ---- 1. both kinds ----------------------------------------------------------
d=$tmp/both
mkdir -p "$d"
sink_start unix-stream "$d/s.sock" "$d/s.txt"; s_pid=$sink_pid
sink_start unix-dgram "$d/d.sock" "$d/d.txt"; d_pid=$sink_pid
cat >"$d/medids.yaml" <<EOF
outputs:
  - eve-log: {filetype: regular, filename: eve.json}
  - eve-log: {filetype: unix_stream, filename: s.sock}
  - eve-log: {filetype: unix_dgram, filename: $d/d.sock}
EOF
"$MEDIDS" -c "$d/medids.yaml" -r "$PCAPS" -l "$d" -k none 2>"$d/err" ||
	{ fail "medids exited non-zero"; cat "$d/err"; }
sleep 0.5 # the listeners write what they read every 0.2 s
sink_stop "$s_pid"; sink_stop "$d_pid"
n=$(lines "$d/eve.json")
echo "both: file $n, stream $(lines "$d/s.txt"), dgram $(lines "$d/d.txt")"
"$PY" "$OUTUTIL" check "$d/eve.json" "$d/s.txt" || fail "stream listener did not get the file's records"
"$PY" "$OUTUTIL" check "$d/eve.json" "$d/d.txt" || fail "dgram listener did not get the file's records"
for o in unix_stream unix_dgram; do
	c=$("$PY" "$OUTUTIL" stats "$d/eve.json" $o)
	echo "  output.$o: $c"
	[ "$c" = "written $((n - 1)) dropped 0 errors 0 queued 0 unconfirmed 0" ] ||
		fail "output.$o counters do not say $((n - 1)) written before the stats record"
done
validate "$d/eve.json" || status=1

# ---- 2. late dgram listener ----------------------------------------------------
d=$tmp/late
mkdir -p "$d"
cat >"$d/medids.yaml" <<EOF
outputs:
  - eve-log: {filetype: regular, filename: eve.json}
  - eve-log:
      filetype: unix_dgram
      filename: d.sock
      reconnect-min: 50
      reconnect-max: 200
      drain-timeout: 20000
EOF
feed_start "$d/feed.pcap" 40 5
"$MEDIDS" -c "$d/medids.yaml" -r "$d/feed.pcap" -l "$d" -k none 2>"$d/err" &
md=$!
sleep 1.5
kill -0 "$feed_pid" 2>/dev/null || fail "replay ended before the listener started (too short)"
sink_start unix-dgram "$d/d.sock" "$d/d.txt"; d_pid=$sink_pid
wait "$md" || { fail "medids exited non-zero (late listener)"; cat "$d/err"; }
wait "$feed_pid"; feed_pid=
sleep 0.5
sink_stop "$d_pid"
n=$(lines "$d/eve.json")
c=$("$PY" "$OUTUTIL" stats "$d/eve.json" unix_dgram)
echo "late listener: file $n, dgram $(lines "$d/d.txt"); output.unix_dgram: $c"
"$PY" "$OUTUTIL" check "$d/eve.json" "$d/d.txt" || fail "late listener did not get every record"
read -r _ w _ dr _ e _ _ <<<"$c"
[ "$w" -eq $((n - 1)) ] && [ "$dr" -eq 0 ] && [ "$e" -gt 0 ] ||
	fail "expected $((n - 1)) written, 0 dropped and failed connects counted"

# ---- 3. stream listener restarted ----------------------------------------------
d=$tmp/restart
mkdir -p "$d"
cat >"$d/medids.yaml" <<EOF
outputs:
  - eve-log: {filetype: regular, filename: eve.json}
  - eve-log:
      filetype: unix_stream
      filename: s.sock
      queue-max-records: 500
      reconnect-min: 50
      reconnect-max: 200
EOF
sink_start unix-stream "$d/s.sock" "$d/s1.txt"; s_pid=$sink_pid
feed_start "$d/feed.pcap" 40 5
"$MEDIDS" -c "$d/medids.yaml" -r "$d/feed.pcap" -l "$d" -k none 2>"$d/err" &
md=$!
sleep 1.5
sink_stop "$s_pid"
at_stop=$(lines "$d/s1.txt")
sleep 1
kill -0 "$feed_pid" 2>/dev/null || fail "replay ended before the listener came back (too short)"
sink_start unix-stream "$d/s.sock" "$d/s2.txt"; s_pid=$sink_pid
wait "$md" || { fail "medids exited non-zero (restart)"; cat "$d/err"; }
wait "$feed_pid"; feed_pid=
sleep 0.5
sink_stop "$s_pid"
cat "$d/s1.txt" "$d/s2.txt" >"$d/s.txt"
n=$(lines "$d/eve.json")
read -r _ w _ dr _ e _ q _ <<<"$("$PY" "$OUTUTIL" stats "$d/eve.json" unix_stream)"
echo "restart: file $n; received $at_stop before the stop, $(lines "$d/s2.txt") after;"
echo "  output.unix_stream: written $w dropped $dr errors $e queued $q"
[ $((w + dr + q)) -eq $((n - 1)) ] || fail "written + dropped + queued != $((n - 1)) records before the stats record"
[ "$dr" -gt 0 ] || fail "no record dropped while the listener was away (queue bound 500)"
[ "$(lines "$d/s2.txt")" -gt 0 ] || fail "nothing delivered after the listener came back"
[ "$(lines "$d/s.txt")" -le $((w + 1)) ] || fail "listener received more records than written"
"$PY" "$OUTUTIL" check "$d/eve.json" "$d/s.txt" --subsequence ||
	fail "received records are not the file's in order without duplicates"

[ $status -eq 0 ] && echo "PASS"
exit $status
