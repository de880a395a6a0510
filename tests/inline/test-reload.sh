#!/usr/bin/env bash
# test-reload.sh - SIGUSR2 reloads the rules while a DICOM transfer runs
# through medids: the transfer completes intact (no verdict lost in the
# swap) and the rule added by the reload blocks new associations.
set -u
. "$(dirname "$0")/lib.sh"
command -v storescu >/dev/null || nq_skip "dcmtk not installed"
nq_setup
nq_c tc qdisc add dev c0 root tbf rate 40mbit burst 64kb latency 200ms ||
	nq_skip "tc tbf unavailable"
nq_dicom_file "$NQ_DIR/big.dcm" 16384
nq_dicom_file "$NQ_DIR/small.dcm" 64
nq_storescp "$NQ_DIR/in" 11112 +B
cat >"$NQ_DIR/test.rules" <<'RULES'
alert dicom any any -> any any (msg:"test: association"; dicom.calling_ae; content:"LATER"; sid:9100201; rev:1;)
RULES
nq_medids_start -S "$NQ_DIR/test.rules"

scu() { timeout 60 ip netns exec "$NQ_C" storescu -to 5 -ta 5 -td 30 -aet "$1" $NQ_SIP 11112 "$2"; }
stored_file() {
	local uid
	uid=$(dcmdump +P 0008,0018 "$1" | sed 's/.*\[\(.*\)\].*/\1/')
	ls "$NQ_DIR/in"/*"$uid"* 2>/dev/null | head -1
}

scu LATER "$NQ_DIR/small.dcm" >"$NQ_DIR/scu0.log" 2>&1 || nq_fail "LATER store before the reload failed"
scu LATER "$NQ_DIR/big.dcm" >"$NQ_DIR/scu1.log" 2>&1 &
spid=$!
sleep 1
cat >"$NQ_DIR/test.rules" <<'RULES'
drop dicom any any -> any any (msg:"test: LATER blocked after reload"; dicom.calling_ae; content:"LATER"; sid:9100202; rev:1;)
RULES
kill -USR2 "$NQ_MEDIDS_PID"
nq_wait_for 15 grep -q "rules reloaded" "$NQ_DIR/medids.err" || nq_fail "no reload: $(cat "$NQ_DIR/medids.err")"
kill -0 $spid 2>/dev/null || nq_fail "transfer ended before the reload finished (too fast to test)"
wait $spid || nq_fail "transfer across the reload failed: $(cat "$NQ_DIR/scu1.log")"
nq_same_dataset "$NQ_DIR/big.dcm" "$(stored_file "$NQ_DIR/big.dcm")" || nq_fail "transfer across the reload damaged"
nq_log "ok: transfer completed across the reload"

rm -f "$NQ_DIR/in"/*
scu LATER "$NQ_DIR/small.dcm" >"$NQ_DIR/scu2.log" 2>&1 && nq_fail "new association not blocked by the reloaded rule"
[ -z "$(stored_file "$NQ_DIR/small.dcm")" ] || nq_fail "object stored despite the reloaded drop rule"
nq_medids_stop
n=$(nq_eve 'r["event_type"]=="alert" and r["alert"]["signature_id"]==9100202 and r["alert"]["action"]=="blocked"')
[ "$n" -ge 1 ] || nq_fail "no blocked alert from the reloaded rule"
n=$(nq_eve 'r["event_type"]=="alert" and r["alert"]["signature_id"]==9100201')
[ "$n" -ge 1 ] || nq_fail "no alert from the first rules"
nq_log "ok: the reloaded rule blocks new associations"
exit 0
