#!/usr/bin/env bash
# test-output-rotate.sh - EVE file rotation during a long replay, in
# logrotate's two modes, against a reference run without rotation.
#
# The replay is the capture corpus 60 times, fed through a FIFO over
# about 6 s (out-util.py feed); the reference run reads the same stream
# at full speed. Records (stats aside, whose uptime differs) are the same
# in every run.
#  - create mode: every 0.2 s eve.json is moved to eve.json.N and medids
#    gets SIGHUP (what logrotate's `create` + postrotate kill -HUP do).
#    eve.json.1 .. eve.json.N then eve.json, concatenated, hold every
#    record of the reference exactly once, in order.
#  - copytruncate mode: every 0.2 s eve.json is copied to eve.ct.N and
#    truncated in place, no signal. logrotate's copy and truncate are two
#    steps and records written between them are lost by design, so medids
#    is paused (SIGSTOP) across the two steps here; what this checks is
#    that medids writes at the new end of the truncated file (O_APPEND:
#    no hole of NUL bytes, no record cut), so the copies and the final
#    file again hold every record exactly once.
# The records validate against the EVE schema. Exit 0 pass, 1 fail.
set -u
: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
tmp=$(mktemp -d)
feed_pid=
md=
cleanup() {
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	[ -n "$md" ] && kill -CONT "$md" 2>/dev/null && kill "$md" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$MD_SRCDIR/tests/tools/out-lib.sh"
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }
status=0
fail() { echo "FAIL: $*"; status=1; }
ROUNDS=60

conf() {
	printf 'outputs:\n  - eve-log: {filename: eve.json, phi-key-file: %s}\n' \
		"$tmp/phi.key" >"$1/medids.yaml"
}

# Reference: the same stream, no rotation.
mkdir -p "$tmp/ref"
conf "$tmp/ref"
feed_start "$tmp/ref/feed.pcap" $ROUNDS 0
"$MEDIDS" -c "$tmp/ref/medids.yaml" -r "$tmp/ref/feed.pcap" -l "$tmp/ref" -k none ||
	fail "reference run failed"
wait "$feed_pid"; feed_pid=
echo "reference: $(lines "$tmp/ref/eve.json") records"

# rotate MODE DIR: replay while rotating every 0.2 s; prints the count.
rotate() {
	local mode=$1 d=$2 i=0
	mkdir -p "$d"
	conf "$d"
	feed_start "$d/feed.pcap" $ROUNDS 6
	"$MEDIDS" -c "$d/medids.yaml" -r "$d/feed.pcap" -l "$d" -k none 2>"$d/err" &
	md=$!
	sleep 0.3
	while kill -0 "$feed_pid" 2>/dev/null && [ $i -lt 200 ]; do
		i=$((i + 1))
		if [ "$mode" = create ]; then
			mv "$d/eve.json" "$d/eve.json.$i"
			kill -HUP "$md"
		else
			kill -STOP "$md"
			cp "$d/eve.json" "$d/eve.ct.$i"
			truncate -s 0 "$d/eve.json"
			kill -CONT "$md"
		fi
		sleep 0.2
	done
	wait "$md" || { fail "$mode: medids exited non-zero"; cat "$d/err"; }
	md=
	wait "$feed_pid"; feed_pid=
	ROTATIONS=$i
}

for mode in create copytruncate; do
	d=$tmp/$mode
	rotate $mode "$d"
	pre=eve.json.; [ $mode = copytruncate ] && pre=eve.ct.
	: >"$d/all.json"
	for k in $(seq 1 $ROTATIONS); do cat "$d/$pre$k" >>"$d/all.json"; done
	cat "$d/eve.json" >>"$d/all.json"
	echo "$mode: $ROTATIONS rotations, $(lines "$d/all.json") records in the $((ROTATIONS + 1)) files"
	[ "$ROTATIONS" -ge 10 ] || fail "$mode: only $ROTATIONS rotations during the replay"
	if tr -d '\n' <"$d/all.json" | grep -qaP '\x00'; then fail "$mode: NUL bytes in the files"; fi
	"$PY" "$OUTUTIL" check "$tmp/ref/eve.json" "$d/all.json" --skip-stats ||
		fail "$mode: rotated files do not hold every record exactly once"
done
# The records are the reference's (checked above): validate them once.
validate "$tmp/ref/eve.json" || status=1

[ $status -eq 0 ] && echo "PASS"
exit $status
