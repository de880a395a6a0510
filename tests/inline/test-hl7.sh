#!/usr/bin/env bash
# test-hl7.sh - HL7 v2 over MLLP through medids inline: mllp_send
# (python3-hl7) to a small MLLP server (mllp-server.py) in the server
# namespace. A benign message is ACKed and recorded; a message matching a
# drop rule never reaches the server; the benign flow after it still works.
set -u
. "$(dirname "$0")/lib.sh"
command -v mllp_send >/dev/null || nq_skip "python3-hl7 (mllp_send) not installed"
nq_setup

cat >"$NQ_DIR/test.rules" <<'RULES'
drop hl7 any any -> any any (msg:"test: HL7 from sending application EVILAPP"; hl7.sending_application; content:"EVILAPP"; sid:9100101; rev:1;)
RULES
msg() { # APP CONTROL-ID
	printf 'MSH|^~\\&|%s|WARD|HIS|HOSP|20260101120000||ADT^A01|%s|P|2.5\r\nEVN|A01|20260101120000\r\nPID|1||PAT%s^^^HOSP||Doe^Jane||19700101|F\r\nPV1|1|I|W1^101^1\r\n' "$1" "$2" "$2"
}
msg GOODAPP CTRL0001 >"$NQ_DIR/benign.hl7"
msg EVILAPP CTRL0002 >"$NQ_DIR/evil.hl7"
msg GOODAPP CTRL0003 >"$NQ_DIR/benign2.hl7"

ip netns exec "$NQ_S" $PY "$(dirname "$0")/mllp-server.py" 2575 "$NQ_DIR/received.txt" \
	>"$NQ_DIR/mllp-server.log" 2>&1 &
nq_wait_for 5 nq_listening "$NQ_S" 2575 || nq_fail "MLLP server did not start"
nq_medids_start -S "$NQ_DIR/test.rules"

send() { timeout 8 ip netns exec "$NQ_C" mllp_send --loose -p 2575 -f "$1" $NQ_SIP; }

send "$NQ_DIR/benign.hl7" >"$NQ_DIR/send1.log" 2>&1 || nq_fail "benign send failed: $(cat "$NQ_DIR/send1.log")"
grep -q "MSA|AA|CTRL0001" "$NQ_DIR/send1.log" || nq_fail "no ACK for the benign message: $(cat "$NQ_DIR/send1.log")"
grep -q "CTRL0001" "$NQ_DIR/received.txt" || nq_fail "benign message not recorded by the server"
nq_log "ok: benign message ACKed"

send "$NQ_DIR/evil.hl7" >"$NQ_DIR/send2.log" 2>&1 && grep -q "MSA|AA|CTRL0002" "$NQ_DIR/send2.log" &&
	nq_fail "EVILAPP message was ACKed"
grep -q "CTRL0002\|EVILAPP" "$NQ_DIR/received.txt" && nq_fail "EVILAPP message reached the server"
nq_log "ok: EVILAPP message dropped ($(tail -1 "$NQ_DIR/send2.log" | cut -c1-80))"

send "$NQ_DIR/benign2.hl7" >"$NQ_DIR/send3.log" 2>&1 || nq_fail "benign send after the drop failed"
grep -q "MSA|AA|CTRL0003" "$NQ_DIR/send3.log" || nq_fail "no ACK for the second benign message"

nq_medids_stop
n=$(nq_eve 'r["event_type"]=="alert" and r["alert"]["signature_id"]==9100101 and r["alert"]["action"]=="blocked"')
[ "$n" -ge 1 ] || nq_fail "no blocked alert for EVILAPP"
n=$(nq_eve 'r["event_type"]=="flow" and r["dest_port"]==2575 and r["flow"].get("action")=="drop"')
[ "$n" -eq 1 ] || nq_fail "expected one dropped HL7 flow, got $n"
n=$(nq_eve 'r["event_type"]=="hl7"')
nq_log "ok: EVILAPP blocked, flow dropped; $n hl7 records"
exit 0
