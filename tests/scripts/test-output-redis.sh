#!/usr/bin/env bash
# test-output-redis.sh - the Redis EVE output against a real redis-server
# on a loopback port (started here, data in a temporary directory).
#
#  1. list modes: replay pcaps/ with a file output and two Redis outputs
#     (LPUSH key a, RPUSH key b, both pipelined): each list holds every
#     record of the file, in the same order; counters say so.
#  2. channel mode: a redis-cli subscriber receives every record of the
#     file, in order.
#  3. outage: a long replay (the corpus 100 times, fed through a FIFO
#     over about 8 s) with Redis killed (kill -9) while packets still
#     flow and restarted 2 s later, with a queue
#     bound of 2000 records: the counters account for every record of
#     the file (written + dropped = records in the file), records were
#     dropped, the list holds the file's records in order with none twice,
#     and its length lies between written and written + unconfirmed.
# Exit 0 pass, 1 fail, 77 skip.
set -u
: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
tmp=$(mktemp -d)
redis_pid=
sub_pid=
md_pid=
feed_pid=
cleanup() {
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	[ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
	[ -n "$md_pid" ] && kill "$md_pid" 2>/dev/null
	redis_stop
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$MD_SRCDIR/tests/tools/out-lib.sh"
need_cmd redis-server redis-server
need_cmd redis-cli redis-tools
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }

port=$(free_port)
redis_start "$tmp/redis" "$port"
status=0
fail() { echo "FAIL: $*"; status=1; }

# ---- 1. list modes ---------------------------------------------------------
mkdir -p "$tmp/l1"
cat >"$tmp/l1/medids.yaml" <<EOF
outputs:
  - eve-log:
      filetype: regular
      filename: eve.json
  - eve-log:
      name: redis-a
      filetype: redis
      redis: {server: 127.0.0.1, port: $port, mode: list, key: a}
  - eve-log:
      name: redis-b
      filetype: redis
      redis:
        server: 127.0.0.1
        port: $port
        mode: rpush
        key: b
        pipelining: {enabled: yes, batch-size: 16}
EOF
if ! "$MEDIDS" -c "$tmp/l1/medids.yaml" -r "$PCAPS" -l "$tmp/l1" -k none 2>"$tmp/l1/err"; then
	fail "medids exited non-zero (list modes)"; cat "$tmp/l1/err"
fi
n=$(lines "$tmp/l1/eve.json")
redis-cli -p "$port" --raw LRANGE a 0 -1 >"$tmp/l1/a.txt"
redis-cli -p "$port" --raw LRANGE b 0 -1 >"$tmp/l1/b.txt"
echo "list modes: $n records in the file"
"$PY" "$OUTUTIL" check "$tmp/l1/eve.json" "$tmp/l1/a.txt" --reverse || fail "LPUSH list differs from the file"
"$PY" "$OUTUTIL" check "$tmp/l1/eve.json" "$tmp/l1/b.txt" || fail "RPUSH list differs from the file"
for o in redis-a redis-b; do
	c=$("$PY" "$OUTUTIL" stats "$tmp/l1/eve.json" $o)
	echo "  output.$o: $c"
	[ "$c" = "written $((n - 1)) dropped 0 errors 0 queued 0 unconfirmed 0" ] ||
		fail "output.$o counters do not say $((n - 1)) written before the stats record"
done
validate "$tmp/l1/eve.json" || status=1

# ---- 2. channel mode --------------------------------------------------------
mkdir -p "$tmp/c"
redis-cli -p "$port" --raw SUBSCRIBE evech >"$tmp/c/sub.txt" &
sub_pid=$!
for _ in $(seq 1 50); do
	[ "$(redis-cli -p "$port" --raw PUBSUB NUMSUB evech | sed -n 2p)" = 1 ] && break
	sleep 0.1
done
cat >"$tmp/c/medids.yaml" <<EOF
outputs:
  - eve-log: {filetype: regular, filename: eve.json}
  - eve-log:
      filetype: redis
      redis: {server: 127.0.0.1, port: $port, mode: channel, key: evech}
EOF
"$MEDIDS" -c "$tmp/c/medids.yaml" -r "$PCAPS" -l "$tmp/c" -k none 2>"$tmp/c/err" ||
	{ fail "medids exited non-zero (channel)"; cat "$tmp/c/err"; }
n=$(lines "$tmp/c/eve.json")
# redis-cli prints subscribe, evech, 1, then message, evech, PAYLOAD each.
for _ in $(seq 1 100); do
	[ $(($(lines "$tmp/c/sub.txt") / 3 - 1)) -ge "$n" ] && break
	sleep 0.1
done
kill "$sub_pid"; wait "$sub_pid" 2>/dev/null; sub_pid=
awk 'NR > 3 && (NR - 3) % 3 == 0' "$tmp/c/sub.txt" >"$tmp/c/got.txt"
echo "channel: $n records in the file, $(lines "$tmp/c/got.txt") received by the subscriber"
"$PY" "$OUTUTIL" check "$tmp/c/eve.json" "$tmp/c/got.txt" || fail "subscriber did not receive the file's records"

# ---- 3. Redis killed and restarted during a long replay ----------------------
mkdir -p "$tmp/k"
feed_start "$tmp/k/feed.pcap" 100 8
redis-cli -p "$port" DEL k >/dev/null
cat >"$tmp/k/medids.yaml" <<EOF
outputs:
  - eve-log: {filetype: regular, filename: eve.json}
  - eve-log:
      name: r
      filetype: redis
      queue-max-records: 2000
      reconnect-min: 50
      reconnect-max: 400
      drain-timeout: 20000
      redis: {server: 127.0.0.1, port: $port, mode: rpush, key: k}
EOF
"$MEDIDS" -c "$tmp/k/medids.yaml" -r "$tmp/k/feed.pcap" -l "$tmp/k" -k none 2>"$tmp/k/err" &
md_pid=$!
for _ in $(seq 1 300); do
	[ -f "$tmp/k/eve.json" ] && [ "$(lines "$tmp/k/eve.json")" -ge 8000 ] && break
	sleep 0.05
done
kill -0 "$feed_pid" 2>/dev/null || fail "replay ended before Redis was killed (too short)"
kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null; redis_pid=
at_kill=$(lines "$tmp/k/eve.json")
sleep 2
kill -0 "$feed_pid" 2>/dev/null || fail "replay ended while Redis was down (too short)"
at_restart=$(lines "$tmp/k/eve.json")
redis_start "$tmp/redis" "$port"
wait "$md_pid" || { fail "medids exited non-zero (outage)"; cat "$tmp/k/err"; }
md_pid=
wait "$feed_pid"; feed_pid=
n=$(lines "$tmp/k/eve.json")
redis-cli -p "$port" --raw LRANGE k 0 -1 >"$tmp/k/list.txt"
in_list=$(grep -vc '"event_type":"stats"' "$tmp/k/list.txt")
read -r _ w _ d _ e _ q _ u <<<"$("$PY" "$OUTUTIL" stats "$tmp/k/eve.json" r)"
echo "outage: killed at ~$at_kill file records, restarted at ~$at_restart; file $n records;"
echo "  output.r: written $w dropped $d errors $e queued $q unconfirmed $u; list $in_list records (stats aside)"
[ $((w + d)) -eq $((n - 1)) ] || fail "written + dropped ($((w + d))) != records in the file before the stats record ($((n - 1)))"
[ "$q" -eq 0 ] || fail "$q records still queued at the end"
[ "$d" -gt 0 ] || fail "no record dropped: the outage did not exceed the queue bound"
[ "$e" -gt 0 ] || fail "no error counted for the outage"
[ "$in_list" -ge "$w" ] && [ "$in_list" -le $((w + u)) ] ||
	fail "list holds $in_list records, not between written $w and written + unconfirmed $((w + u))"
"$PY" "$OUTUTIL" check "$tmp/k/eve.json" "$tmp/k/list.txt" --subsequence ||
	fail "list is not the file's records in order without duplicates"
grep -q "output r (redis): .* dropped" "$tmp/k/err" || fail "no drop report on stderr"

[ $status -eq 0 ] && echo "PASS"
exit $status
