#!/usr/bin/env bash
# test-dicom.sh - DICOM C-STORE through medids inline (NFQUEUE), real DCMTK
# peers in network namespaces:
#   1. a benign store passes and the data set arrives byte-identical;
#   2. a drop rule on calling AE title EVIL blocks that association
#      (storescu fails, storescp stores nothing of it) while a concurrent
#      benign association completes;
#   3. a reject rule makes storescu see its connection reset;
#   4. a drop rule matching bytes in the middle of a transfer stops it.
set -u
. "$(dirname "$0")/lib.sh"
command -v storescu >/dev/null || nq_skip "dcmtk not installed"
nq_setup

cat >"$NQ_DIR/test.rules" <<'RULES'
drop dicom any any -> any any (msg:"test: calling AE EVIL"; dicom.calling_ae; content:"EVIL"; sid:9100001; rev:1;)
reject dicom any any -> any any (msg:"test: calling AE REJECTME"; dicom.calling_ae; content:"REJECTME"; sid:9100002; rev:1;)
drop tcp any any -> any 11112 (msg:"test: marker in the pixel data"; flow:to_server,established; content:"MIDXFER-7f3a"; sid:9100003; rev:1;)
RULES
nq_dicom_file "$NQ_DIR/benign.dcm" 512
nq_dicom_file "$NQ_DIR/evil.dcm" 64
nq_dicom_file "$NQ_DIR/big.dcm" 4096
nq_dicom_file "$NQ_DIR/marked.dcm" 4096 MIDXFER-7f3a
nq_storescp "$NQ_DIR/in" 11112 +B
nq_medids_start -S "$NQ_DIR/test.rules"

scu() { # AE FILE [storescu options]
	local ae=$1 f=$2
	shift 2
	timeout 40 ip netns exec "$NQ_C" storescu -to 5 -ta 5 -td 5 -aet "$ae" "$@" $NQ_SIP 11112 "$f"
}
stored() { # SOP instance UID of FILE present in the storage directory?
	local uid
	uid=$(dcmdump +P 0008,0018 "$1" | sed 's/.*\[\(.*\)\].*/\1/')
	ls "$NQ_DIR/in" | grep -q "$uid"
}
stored_file() {
	local uid
	uid=$(dcmdump +P 0008,0018 "$1" | sed 's/.*\[\(.*\)\].*/\1/')
	ls "$NQ_DIR/in"/*"$uid"* 2>/dev/null | head -1
}

# 1. benign
scu GOOD "$NQ_DIR/benign.dcm" >"$NQ_DIR/scu1.log" 2>&1 || nq_fail "benign store failed: $(cat "$NQ_DIR/scu1.log")"
got=$(stored_file "$NQ_DIR/benign.dcm")
[ -n "$got" ] || nq_fail "benign object not stored"
nq_same_dataset "$NQ_DIR/benign.dcm" "$got" || nq_fail "stored data set differs from the one sent"
nq_log "ok: benign store passed, data set identical"

# 2. EVIL blocked while a benign association runs at the same time
scu GOOD2 "$NQ_DIR/big.dcm" >"$NQ_DIR/scu2a.log" 2>&1 &
bpid=$!
scu EVIL "$NQ_DIR/evil.dcm" >"$NQ_DIR/scu2b.log" 2>&1 && nq_fail "EVIL association was not blocked"
wait $bpid || nq_fail "concurrent benign store failed: $(cat "$NQ_DIR/scu2a.log")"
stored "$NQ_DIR/evil.dcm" && nq_fail "storescp stored the EVIL object"
stored "$NQ_DIR/big.dcm" || nq_fail "concurrent benign object not stored"
nq_same_dataset "$NQ_DIR/big.dcm" "$(stored_file "$NQ_DIR/big.dcm")" || nq_fail "concurrent benign data set differs"
nq_log "ok: EVIL blocked ($(tail -1 "$NQ_DIR/scu2b.log")), concurrent store passed"

# 3. reject: storescu sees a reset (DCMTK reports ECONNRESET as "Peer
# aborted Association"), at once rather than after its 5 s timeout; a
# capture on the client's side shows the reset medids sent.
timeout 20 ip netns exec "$NQ_C" tcpdump -n -c 1 -i c0 "tcp[tcpflags] & tcp-rst != 0 and src host $NQ_SIP" \
	>"$NQ_DIR/rst.txt" 2>/dev/null &
tpid=$!
sleep 1
t0=$(date +%s%N)
scu REJECTME "$NQ_DIR/evil.dcm" -d >"$NQ_DIR/scu3.log" 2>&1 && nq_fail "REJECTME association was not rejected"
ms=$((($(date +%s%N) - t0) / 1000000))
wait $tpid
grep -q "Peer aborted Association\|reset" "$NQ_DIR/scu3.log" || nq_fail "storescu did not report a reset: $(tail -3 "$NQ_DIR/scu3.log")"
[ "$ms" -lt 3000 ] || nq_fail "storescu took $ms ms: a timeout, not a reset"
grep -q "Flags \[R" "$NQ_DIR/rst.txt" || nq_fail "no reset reached the client"
stored "$NQ_DIR/evil.dcm" && nq_fail "storescp stored the rejected object"
nq_log "ok: reject: $(grep "Peer aborted\|reset" "$NQ_DIR/scu3.log" | head -1) after $ms ms; client saw: $(cut -c1-90 "$NQ_DIR/rst.txt")"

# 4. a drop in the middle of a transfer
# (storescp in bit-preserving mode writes as it receives: a part may be
# on disk, never the whole object)
scu GOOD3 "$NQ_DIR/marked.dcm" >"$NQ_DIR/scu4.log" 2>&1 && nq_fail "marked transfer completed"
part=$(stored_file "$NQ_DIR/marked.dcm")
if [ -n "$part" ]; then
	nq_same_dataset "$NQ_DIR/marked.dcm" "$part" && nq_fail "marked object stored whole"
	nq_log "ok: marked transfer stopped after $(stat -c %s "$part") of $(stat -c %s "$NQ_DIR/marked.dcm") bytes"
fi

nq_medids_stop
[ "$NQ_MEDIDS_RC" -eq 0 ] || nq_fail "medids exit status $NQ_MEDIDS_RC"
n=$(nq_eve 'r["event_type"]=="alert" and r["alert"]["signature_id"]==9100001 and r["alert"]["action"]=="blocked" and r.get("in_iface")=="nfq0"')
[ "$n" -ge 1 ] || nq_fail "no blocked alert for EVIL"
n=$(nq_eve 'r["event_type"]=="alert" and r["alert"]["signature_id"]==9100002 and r["alert"]["action"]=="blocked"')
[ "$n" -ge 1 ] || nq_fail "no blocked alert for REJECTME"
n=$(nq_eve 'r["event_type"]=="flow" and r["flow"].get("action")=="drop" and r["flow"]["bytes_toserver"] > 1000000')
[ "$n" -ge 1 ] || nq_fail "no dropped flow record carrying the first megabyte of the marked transfer"
n=$(nq_eve 'r["event_type"]=="flow" and r["dest_port"]==11112 and r["flow"].get("action")=="drop"')
[ "$n" -ge 3 ] || nq_fail "expected 3 dropped DICOM flows, got $n"
for k in ips.blocked ips.rejected ips.accepted ips.reject_sent; do
	v=$(nq_last_stats $k)
	[ "$v" -gt 0 ] || nq_fail "stats $k is $v"
	nq_log "stats $k = $v"
done
nq_validate
nq_log "ok: mid-transfer drop stopped the transfer; alerts, flows and stats as expected"
exit 0
