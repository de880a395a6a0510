#!/usr/bin/env bash
# test-live.sh - live operation: medids -D --pidfile --user nobody on the
# router. The parent returns once the queue is bound; the daemon runs as
# nobody with CAP_NET_ADMIN as its only capability and still gives
# verdicts; SIGHUP does not disturb it; periodic stats carry ips.* and
# per-queue counters; SIGTERM writes the final stats and ends it.
set -u
. "$(dirname "$0")/lib.sh"
command -v storescu >/dev/null || nq_skip "dcmtk not installed"
nq_setup
id nobody >/dev/null 2>&1 || nq_skip "no user nobody"
nq_dicom_file "$NQ_DIR/obj.dcm" 256
nq_storescp "$NQ_DIR/in" 11112 +B
printf 'stats:\n  interval: 1\n' >"$NQ_DIR/medids.yaml"
mkdir -p "$NQ_DIR/log"
chmod 755 "$NQ_DIR"
: >"$NQ_DIR/empty.rules"
timeout 20 ip netns exec "$NQ_R" "$MEDIDS" -D --pidfile "$NQ_DIR/medids.pid" --user nobody \
	-c "$NQ_DIR/medids.yaml" -S "$NQ_DIR/empty.rules" -l "$NQ_DIR/log" -q 0 \
	2>"$NQ_DIR/medids.err" || nq_fail "medids -D failed: $(cat "$NQ_DIR/medids.err")"
NQ_MEDIDS_PID=$(cat "$NQ_DIR/medids.pid")
kill -0 "$NQ_MEDIDS_PID" || nq_fail "daemon not running"
[ "$(ps -o ppid= -p "$NQ_MEDIDS_PID" | tr -d ' ')" = 1 ] || [ -n "$(ps -o ppid= -p "$NQ_MEDIDS_PID")" ] ||
	nq_fail "no daemon"
user=$(ps -o user= -p "$NQ_MEDIDS_PID" | tr -d ' ')
[ "$user" = nobody ] || nq_fail "daemon runs as $user"
capeff=$(awk '/^CapEff/ {print $2}' /proc/"$NQ_MEDIDS_PID"/status)
capprm=$(awk '/^CapPrm/ {print $2}' /proc/"$NQ_MEDIDS_PID"/status)
[ "$((16#$capeff))" -eq $((1 << 12)) ] || nq_fail "effective capabilities $capeff, want CAP_NET_ADMIN only"
[ "$((16#$capprm))" -eq $((1 << 12)) ] || nq_fail "permitted capabilities $capprm"
for t in /proc/"$NQ_MEDIDS_PID"/task/*; do
	c=$(awk '/^CapEff/ {print $2}' "$t/status")
	[ "$((16#$c))" -eq $((1 << 12)) ] || nq_fail "thread $t has capabilities $c"
done
nq_log "ok: daemon pid $NQ_MEDIDS_PID runs as $user, CapEff $capeff in every thread"

timeout 30 ip netns exec "$NQ_C" storescu -to 5 -ta 5 -aet LIVE $NQ_SIP 11112 "$NQ_DIR/obj.dcm" \
	>"$NQ_DIR/scu1.log" 2>&1 || nq_fail "store through the daemon failed"
kill -HUP "$NQ_MEDIDS_PID"
sleep 0.5
kill -0 "$NQ_MEDIDS_PID" || nq_fail "SIGHUP ended medids"
timeout 30 ip netns exec "$NQ_C" storescu -to 5 -ta 5 -aet LIVE $NQ_SIP 11112 "$NQ_DIR/obj.dcm" \
	>"$NQ_DIR/scu2.log" 2>&1 || nq_fail "store after SIGHUP failed"
# Stats every second, the EVE file flushed every second: wait up to 10 s.
for _ in $(seq 20); do
	sleep 0.5
	n=$(nq_eve 'r["event_type"]=="stats" and "nfq0" in r["stats"].get("nfq", {}) and r["stats"]["ips"]["accepted"] > 0')
	[ "$n" -ge 1 ] && break
done
[ "$n" -ge 1 ] || nq_fail "no periodic stats with ips and nfq counters"
kill -TERM "$NQ_MEDIDS_PID"
nq_wait_for 10 eval '! kill -0 $NQ_MEDIDS_PID 2>/dev/null' || nq_fail "daemon did not stop on SIGTERM"
NQ_MEDIDS_PID=
tail -1 "$NQ_DIR/log/eve.json" | grep -q '"event_type":"stats"' || nq_fail "last record is not the final stats"
n=$(nq_eve 'r["event_type"]=="flow" and r["dest_port"]==11112')
[ "$n" -eq 2 ] || nq_fail "expected 2 flow records flushed at exit, got $n"
nq_validate
acc=$(nq_last_stats nfq.nfq0.accepted)
nq_log "ok: verdicts as nobody, SIGHUP survived, final stats (nfq0 accepted $acc)"
exit 0
