# lib.sh - shared set-up of the inline tests: a client / router / server
# path of network namespaces made by the test, medids on the router's
# FORWARD chain through iptables NFQUEUE --queue-bypass.
#
#   ns C (client)          ns R (router, medids)          ns S (server)
#   c0 10.231.1.2  <---->  r1 10.231.1.1  r2 10.231.2.1  <---->  s0 10.231.2.2
#
# Source it, call nq_setup (skips with exit 77 when namespaces or NFQUEUE
# are unavailable), then nq_medids_start ARGS..., run peers with nq_c /
# nq_s, and let the EXIT trap clean everything up. Every wait is bounded.
# Needs: iproute2, iptables, and root.

NQ_ID=${NQ_ID:-$$}
NQ_C=mdc$NQ_ID
NQ_R=mdr$NQ_ID
NQ_S=mds$NQ_ID
NQ_CIP=10.231.1.2
NQ_SIP=10.231.2.2
NQ_QUEUE=${NQ_QUEUE:-0}
NQ_DIR=
NQ_MEDIDS_PID=
PY=/usr/bin/python3

nq_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
nq_skip() { nq_log "SKIP: $*"; exit 77; }
nq_fail() { nq_log "FAIL: $*"; exit 1; }

nq_c() { ip netns exec "$NQ_C" "$@"; }
nq_r() { ip netns exec "$NQ_R" "$@"; }
nq_s() { ip netns exec "$NQ_S" "$@"; }

nq_cleanup() {
	local rc=$?
	if [ -n "$NQ_MEDIDS_PID" ] && kill -0 "$NQ_MEDIDS_PID" 2>/dev/null; then
		kill -CONT "$NQ_MEDIDS_PID" 2>/dev/null
		kill -TERM "$NQ_MEDIDS_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$NQ_MEDIDS_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$NQ_MEDIDS_PID" 2>/dev/null
	fi
	# processes still in the namespaces (peers): end them by their ids
	local ns pid
	for ns in "$NQ_C" "$NQ_S" "$NQ_R"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$NQ_DIR" ] && [ -z "${NQ_KEEP:-}" ]; then
		if [ -n "${MD_LOGDIR:-}" ]; then
			mkdir -p "$MD_LOGDIR/inline"
			cp -r "$NQ_DIR" "$MD_LOGDIR/inline/${0##*/}.d" 2>/dev/null
		fi
		rm -rf "$NQ_DIR"
	fi
	exit $rc
}

# nq_setup: check prerequisites, build the topology, queue FORWARD.
nq_setup() {
	[ "$(id -u)" -eq 0 ] || nq_skip "needs root (network namespaces, NFQUEUE)"
	command -v ip >/dev/null || nq_skip "iproute2 not installed"
	command -v iptables >/dev/null || nq_skip "iptables not installed"
	[ -x "${MEDIDS:-}" ] || nq_fail "MEDIDS not set to the medids binary"
	NQ_DIR=$(mktemp -d /tmp/md-inline.XXXXXX)
	trap nq_cleanup EXIT
	trap 'exit 1' INT TERM
	ip netns add "$NQ_C" 2>/dev/null || nq_skip "cannot create network namespaces"
	ip netns add "$NQ_R" && ip netns add "$NQ_S" || nq_fail "ip netns add"
	ip link add c0 netns "$NQ_C" type veth peer name r1 netns "$NQ_R" ||
		nq_skip "cannot create veth pairs"
	ip link add s0 netns "$NQ_S" type veth peer name r2 netns "$NQ_R" ||
		nq_fail "veth"
	nq_c ip addr add $NQ_CIP/24 dev c0
	nq_s ip addr add $NQ_SIP/24 dev s0
	nq_r ip addr add 10.231.1.1/24 dev r1
	nq_r ip addr add 10.231.2.1/24 dev r2
	local ns
	for ns in "$NQ_C" "$NQ_R" "$NQ_S"; do
		ip netns exec "$ns" ip link set lo up
	done
	nq_c ip link set c0 up
	nq_s ip link set s0 up
	nq_r ip link set r1 up
	nq_r ip link set r2 up
	nq_c ip route add default via 10.231.1.1
	nq_s ip route add default via 10.231.2.1
	nq_r sysctl -qw net.ipv4.ip_forward=1
	[ "${NQ_NOQUEUE:-}" ] && return 0
	nq_r iptables -A FORWARD -j NFQUEUE ${NQ_QOPT:---queue-num $NQ_QUEUE} --queue-bypass 2>"$NQ_DIR/ipt.err" ||
		nq_skip "iptables NFQUEUE unavailable: $(cat "$NQ_DIR/ipt.err")"
}

# nq_medids_start ARGS...: medids on the router (logs in $NQ_DIR/log),
# returns once every queue is bound (bounded wait).
nq_medids_start() {
	mkdir -p "$NQ_DIR/log"
	ip netns exec "$NQ_R" "$MEDIDS" -l "$NQ_DIR/log" ${NQ_QARGS:--q $NQ_QUEUE} "$@" \
		>"$NQ_DIR/medids.out" 2>"$NQ_DIR/medids.err" &
	NQ_MEDIDS_PID=$!
	local i
	for i in $(seq 100); do
		if ! kill -0 "$NQ_MEDIDS_PID" 2>/dev/null; then
			cat "$NQ_DIR/medids.err" >&2
			nq_fail "medids exited at start"
		fi
		if nq_r awk -v q="$NQ_QUEUE" '$1 == q' /proc/net/netfilter/nfnetlink_queue 2>/dev/null | grep -q .; then
			sleep 0.2
			return 0
		fi
		sleep 0.1
	done
	nq_fail "medids did not bind queue $NQ_QUEUE in 10 s"
}

# nq_medids_stop: SIGTERM, wait (bounded) for the final stats.
nq_medids_stop() {
	[ -n "$NQ_MEDIDS_PID" ] || return 0
	kill -TERM "$NQ_MEDIDS_PID" 2>/dev/null
	local i
	for i in $(seq 100); do
		kill -0 "$NQ_MEDIDS_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$NQ_MEDIDS_PID" 2>/dev/null; then
		kill -9 "$NQ_MEDIDS_PID"
		nq_fail "medids did not stop within 10 s of SIGTERM"
	fi
	wait "$NQ_MEDIDS_PID" 2>/dev/null
	NQ_MEDIDS_RC=$?
	NQ_MEDIDS_PID=
}

# nq_eve FILTER: count EVE records matching a python expression over `r`.
nq_eve() {
	$PY - "$NQ_DIR/log/eve.json" "$1" <<'PYEOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    if not line.endswith("\n"):
        break  # a record still being written by a running medids
    r = json.loads(line)
    if eval(sys.argv[2], {}, {"r": r}):
        n += 1
print(n)
PYEOF
}

# nq_last_stats PATH: a value from the last stats record ("ips.blocked").
nq_last_stats() {
	$PY - "$NQ_DIR/log/eve.json" "$1" <<'PYEOF'
import json, sys
last = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event_type") == "stats":
        last = r["stats"]
v = last
for k in sys.argv[2].split("."):
    v = v.get(k, {}) if isinstance(v, dict) else {}
print(v if not isinstance(v, dict) else 0)
PYEOF
}

# nq_wait_for SECONDS CMD...: run CMD until it succeeds, at most SECONDS.
nq_wait_for() {
	local t=$1 i
	shift
	for i in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# nq_dicom_file PATH SIZE_KB [MARK]: a Secondary Capture DICOM object made
# with DCMTK's dump2dcm (pixel data of SIZE_KB kilobytes, with the text
# MARK in the middle when given).
nq_dicom_file() {
	local out=$1 kb=$2 dump
	dump=$NQ_DIR/obj.$$.$RANDOM.dump
	$PY - "$dump.raw" "$kb" "${3:-}" <<'PYEOF'
import sys
kb, mark = int(sys.argv[2]), sys.argv[3].encode()
b = bytearray((i * 7 + 3) & 0x7f for i in range(kb * 1024))
if mark:
    b[len(b) // 2:len(b) // 2 + len(mark)] = mark
open(sys.argv[1], "wb").write(b)
PYEOF
	local uid=1.2.826.0.1.3680043.2.1143.$RANDOM.$RANDOM.$$
	cat >"$dump" <<DUMPEOF
(0008,0016) UI =SecondaryCaptureImageStorage
(0008,0018) UI [$uid.1]
(0008,0060) CS [OT]
(0010,0010) PN [Test^Inline]
(0010,0020) LO [INL0001]
(0020,000d) UI [$uid.2]
(0020,000e) UI [$uid.3]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US $((kb * 4))
(0028,0011) US 256
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(7fe0,0010) OB =$dump.raw
DUMPEOF
	dump2dcm -q +E -g "$dump" "$out" 2>"$NQ_DIR/dump2dcm.err" ||
		dump2dcm -q -g "$dump" "$out" || nq_fail "dump2dcm: $(cat "$NQ_DIR/dump2dcm.err")"
}

# nq_same_dataset A B: the two DICOM files carry the same data set bytes
# (everything after the file meta information, which names the receiver).
nq_same_dataset() {
	$PY - "$1" "$2" <<'PYEOF'
import struct, sys
def dataset(path):
    b = open(path, "rb").read()
    assert b[128:132] == b"DICM", path
    # (0002,0000) UL group length, explicit VR little endian
    glen = struct.unpack("<I", b[140:144])[0]
    return b[144 + glen:]
a, b = dataset(sys.argv[1]), dataset(sys.argv[2])
sys.exit(0 if a == b and len(a) > 0 else 1)
PYEOF
}

# nq_listening NS PORT: a TCP socket listens on PORT in namespace NS.
nq_listening() {
	ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q .
}

# nq_storescp DIR PORT [OPTIONS]: storescp on the server, storing into DIR.
nq_storescp() {
	local dir=$1 port=$2
	shift 2
	mkdir -p "$dir"
	ip netns exec "$NQ_S" storescp -dhl --fork "$@" -od "$dir" "$port" \
		>>"$NQ_DIR/storescp.log" 2>&1 &
	NQ_SCP_PID=$!
	nq_wait_for 5 nq_listening "$NQ_S" "$port" ||
		nq_fail "storescp did not listen on $port"
}

# nq_validate: every EVE record validates against Suricata's schema and
# the medids overlay.
nq_validate() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	$PY "$top/tests/scripts/eve-validate.py" "$NQ_DIR/log/eve.json" >"$NQ_DIR/validate.log" 2>&1 ||
		nq_fail "EVE records fail the schema: $(tail -3 "$NQ_DIR/validate.log")"
}
