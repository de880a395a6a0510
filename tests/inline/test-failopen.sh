#!/usr/bin/env bash
# test-failopen.sh - medids never becomes the outage:
#   1. kill -9 of medids during a DCMTK transfer: with --queue-bypass in
#      the iptables rule the kernel passes the queue's traffic once nobody
#      listens, and the transfer completes intact;
#   2. medids stopped (SIGSTOP) while traffic runs (iperf3 UDP, ~25k
#      packets/s): the queue fills, NFQA_CFG_F_FAIL_OPEN lets packets
#      through, a DICOM transfer started meanwhile completes, and the
#      bypassed packets are counted (iptables' count of packets sent to
#      the queue minus the packets medids received; medids' own
#      nfq.nfq0.bypassed counts the ids the kernel could not hand it).
# For the kill -9 the client's link is throttled (tc tbf) so the transfer
# lasts seconds. The kernel fails open only once the queue is full (a
# stopped medids holds up to nfq.queue-maxlen packets): hence the UDP load
# in step 2, with the default queue length (doc/inline.md).
set -u
. "$(dirname "$0")/lib.sh"
command -v storescu >/dev/null || nq_skip "dcmtk not installed"
nq_setup
nq_c tc qdisc add dev c0 root tbf rate 40mbit burst 64kb latency 200ms ||
	nq_skip "tc tbf unavailable"
command -v iperf3 >/dev/null || nq_skip "iperf3 not installed"
printf 'stats:\n  interval: 1\n' >"$NQ_DIR/medids.yaml"
nq_dicom_file "$NQ_DIR/obj1.dcm" 12288
nq_dicom_file "$NQ_DIR/obj2.dcm" 12288
nq_storescp "$NQ_DIR/in" 11112 +B
: >"$NQ_DIR/empty.rules"

scu() { timeout 90 ip netns exec "$NQ_C" storescu -to 10 -ta 30 -td 60 -aet FAILOPEN $NQ_SIP 11112 "$1"; }
stored_file() {
	local uid
	uid=$(dcmdump +P 0008,0018 "$1" | sed 's/.*\[\(.*\)\].*/\1/')
	ls "$NQ_DIR/in"/*"$uid"* 2>/dev/null | head -1
}

# 1. kill -9 mid-transfer
nq_medids_start -c "$NQ_DIR/medids.yaml" -S "$NQ_DIR/empty.rules"
scu "$NQ_DIR/obj1.dcm" >"$NQ_DIR/scu1.log" 2>&1 &
spid=$!
sleep 1.2
kill -0 $spid 2>/dev/null || nq_fail "transfer ended before medids was killed (too fast to test)"
kill -9 "$NQ_MEDIDS_PID"
wait "$NQ_MEDIDS_PID" 2>/dev/null
NQ_MEDIDS_PID=
wait $spid || nq_fail "transfer failed after kill -9: $(cat "$NQ_DIR/scu1.log")"
nq_same_dataset "$NQ_DIR/obj1.dcm" "$(stored_file "$NQ_DIR/obj1.dcm")" || nq_fail "object 1 damaged"
nq_log "ok: transfer completed across kill -9 of medids"

# 2. SIGSTOP while traffic runs
nq_c tc qdisc del dev c0 root
nq_r iptables -Z FORWARD
mv "$NQ_DIR/log" "$NQ_DIR/log.1"
nq_medids_start -c "$NQ_DIR/medids.yaml" -S "$NQ_DIR/empty.rules"
ip netns exec "$NQ_S" iperf3 -s -1 -p 5201 >"$NQ_DIR/iperf-s.log" 2>&1 &
nq_wait_for 5 nq_listening "$NQ_S" 5201 || nq_fail "iperf3 server did not start"
timeout 40 ip netns exec "$NQ_C" iperf3 -c $NQ_SIP -p 5201 -u -b 24M -l 120 -t 12 \
	>"$NQ_DIR/iperf-c.log" 2>&1 &
ipid=$!
sleep 1
kill -STOP "$NQ_MEDIDS_PID"
sleep 1
t0=$(date +%s)
nq_r cat /proc/net/netfilter/nfnetlink_queue >"$NQ_DIR/nfq-proc-stopped.txt"
scu "$NQ_DIR/obj2.dcm" >"$NQ_DIR/scu2.log" 2>&1 ||
	nq_fail "transfer failed while medids was stopped: $(cat "$NQ_DIR/scu2.log")"
wait $ipid || nq_fail "iperf3 failed while medids was stopped: $(tail -3 "$NQ_DIR/iperf-c.log")"
secs=$(($(date +%s) - t0))
nq_r cat /proc/net/netfilter/nfnetlink_queue >>"$NQ_DIR/nfq-proc-stopped.txt"
kill -CONT "$NQ_MEDIDS_PID"
nq_same_dataset "$NQ_DIR/obj2.dcm" "$(stored_file "$NQ_DIR/obj2.dcm")" || nq_fail "object 2 damaged"
queued=$(nq_r iptables -nvxL FORWARD | awk '/NFQUEUE/ {print $1; exit}')
nq_medids_stop
seen=$(nq_last_stats decoder.pkts)
own=$(nq_last_stats nfq.nfq0.bypassed)
bypassed=$((queued - seen))
nq_log "queue state while stopped: $(tr '\n' ';' <"$NQ_DIR/nfq-proc-stopped.txt")"
nq_log "packets sent to the queue: $queued, seen by medids: $seen, bypassed: $bypassed (medids' own count of ids it never got: $own)"
[ "$bypassed" -gt 0 ] || nq_fail "no bypassed packets counted"
nq_log "ok: transfer completed in ${secs}s while medids was stopped"
exit 0
