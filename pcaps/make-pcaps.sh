#!/bin/bash
# Regenerate the capture corpus in pcaps/ with real peers on loopback.
#
# DICOM (PS3.8 upper layer, PS3.7 DIMSE) peers: DCMTK echoscu, storescu,
# findscu, movescu, storescp, dcmqrscp. HL7 v2 over MLLP peers: python3-hl7
# mllp_send, and pcap-peers.py (asyncio MLLP server, raw senders for the
# malformed cases). Every capture uses its own TCP port; every server is
# started here on 127.0.0.1 (in a private network namespace) and stopped on
# exit. All patients are synthetic.
#
# Usage: pcaps/make-pcaps.sh [SET...]
#   as root; needs dcmtk, python3-hl7, tcpdump, openssl, iproute2.
#   SET is one of
#     dicom        the dicom-*.pcap captures
#     hl7          the HL7 parser captures (hl7-adt ... hl7-injected-segment)
#     hl7-threats  the captures that prove rules/hl7.rules (hl7-unknown-sender
#                  ... hl7-replay)
#   and defaults to all three; only the captures of the sets named are
#   written. MEDIDS_PCAPS_KEEP=1 keeps the work directory (logs, images,
#   message files) for debugging.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
PY=/usr/bin/python3
PEERS=$HERE/pcap-peers.py
HOST=127.0.0.1

# TCP ports, one per capture.
P_ECHO=11112
P_STORE=104
P_QR=11113
P_MOVEDEST=11115
P_REJECT=11114
P_USER=11116
P_ABORT=11117
P_TLS=2762
P_4242=4242
P_HL7_ADT=2575
P_HL7_ORU=2576
P_HL7_BATCH=2577
P_HL7_DELIMS=2578
P_HL7_ESCAPES=2579
P_HL7_SMALL=2580
P_HL7_NOTRAILER=2581
P_HL7_LONG=2582
P_HL7_INJECTED=2583
# hl7-threats
P_HL7_SENDER=2584
P_HL7_FIELDINJ=2585
P_HL7_OVERLONG=2586
P_HL7_NACK=2587
P_HL7_FLOOD=2588
P_HL7_ED=2589
P_HL7_REPLAY=2590
P_HL7_PROCID=6661

die() { echo "make-pcaps: $*" >&2; exit 1; }
say() { echo "make-pcaps: $*"; }

SETS=("$@")
[ ${#SETS[@]} -gt 0 ] || SETS=(dicom hl7 hl7-threats)
for set in "${SETS[@]}"; do
    case $set in
    dicom | hl7 | hl7-threats) ;;
    *) die "unknown set '$set' (dicom, hl7, hl7-threats)" ;;
    esac
done
# want SET: SET was asked for.
want() {
    local s
    for s in "${SETS[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (tcpdump on lo, DICOM port 104)"
NEED=(tcpdump ss setsid timeout "$PY")
if want dicom; then
    NEED+=(echoscu storescu storescp findscu movescu dcmqrscp dcmqridx dump2dcm openssl)
fi
if want hl7 || want hl7-threats; then
    NEED+=(mllp_send)
    "$PY" -c 'import hl7.mllp' 2>/dev/null || die "python3-hl7 missing for $PY"
fi
for t in "${NEED[@]}"; do
    command -v "$t" >/dev/null || die "missing $t"
done

# Everything runs in a private network namespace whose loopback has a
# 1500-byte MTU and no segmentation offload, so TCP segments look like
# those of an Ethernet LAN (the host lo has a 64 KiB MTU), and the ports
# used here never collide with services on the host.
if [ -z "${MEDIDS_PCAPS_NETNS:-}" ]; then
    command -v ip >/dev/null || die "missing ip (iproute2)"
    NS=medids-pcaps-$$
    ip netns add "$NS" || die "cannot create network namespace $NS"
    trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
    ip -n "$NS" link set lo mtu 1500 up
    ip -n "$NS" link set lo gso_max_size 1500 gso_max_segs 1 2>/dev/null \
        || say "warning: cannot limit GSO on lo; large segments may appear"
    ip netns exec "$NS" env MEDIDS_PCAPS_NETNS="$NS" "$BASH" "$0" "$@" &
    INNER=$!
    trap 'kill -TERM "$INNER" 2>/dev/null || true' INT TERM
    rc=0
    wait "$INNER" || rc=$?
    # A trapped signal interrupts wait: wait for the inner cleanup too.
    while kill -0 "$INNER" 2>/dev/null; do wait "$INNER" || rc=$?; done
    exit "$rc"
fi

WORK=$(mktemp -d /tmp/medids-pcaps.XXXXXX)
SERVER_PIDS=()
TCPDUMP_PID=
CAP_COUNT=0

cleanup() {
    local rc=$? p
    if [ -n "$TCPDUMP_PID" ]; then kill -INT "$TCPDUMP_PID" 2>/dev/null || true; fi
    for p in "${SERVER_PIDS[@]}"; do
        # Each server leads its own process group (setsid): kill the group,
        # which includes the children dcmqrscp forks per association.
        kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${SERVER_PIDS[@]}" $TCPDUMP_PID; do
        wait "$p" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ]; then
        echo "make-pcaps: failed; logs follow" >&2
        tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
    fi
    if [ -n "${MEDIDS_PCAPS_KEEP:-}" ]; then
        echo "make-pcaps: work files kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port PORT: wait (max 10 s) until something listens on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 1 100); do
        if ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on port $1"
}

# start_server NAME PORT CMD...: start a server as a process group leader, log to
# $WORK/NAME.log, wait until PORT listens.
start_server() {
    local name=$1 port=$2
    shift 2
    if ss -Hltn "sport = :$port" | grep -q .; then die "port $port already in use"; fi
    setsid "$@" </dev/null >"$WORK/$name.log" 2>&1 &
    SERVER_PIDS+=("$!")
    wait_port "$port"
}

# capture_start FILE FILTER: start tcpdump on lo and wait until it listens.
capture_start() {
    CAP_NAME=$1
    : >"$WORK/tcpdump.log"
    # -B: 64 MiB ring, so bursts are not dropped in immediate mode.
    tcpdump -i lo -U --immediate-mode -s 65535 -B 65536 -Z root -w "$WORK/$CAP_NAME" "$2" \
        2>"$WORK/tcpdump.log" &
    TCPDUMP_PID=$!
    for _ in $(seq 1 100); do
        if grep -q "listening on" "$WORK/tcpdump.log"; then break; fi
        kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$WORK/tcpdump.log")"
        sleep 0.1
    done
    grep -q "listening on" "$WORK/tcpdump.log" || die "tcpdump not ready"
    sleep 0.3
}

# capture_stop: let the last segments and FINs arrive, stop tcpdump with
# SIGINT (it flushes and closes the file), check and move the file to OUT.
capture_stop() {
    local f="$WORK/$CAP_NAME" n
    sleep 1
    kill -INT "$TCPDUMP_PID"
    for _ in $(seq 1 50); do
        kill -0 "$TCPDUMP_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$TCPDUMP_PID" 2>/dev/null && kill -KILL "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" 2>/dev/null || true
    TCPDUMP_PID=
    [ -s "$f" ] || die "$CAP_NAME: empty capture"
    n=$(sed -n 's/^\([0-9]*\) packets* captured.*/\1/p' "$WORK/tcpdump.log")
    if [ -z "$n" ] || [ "$n" -eq 0 ]; then die "$CAP_NAME: no packets captured"; fi
    grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.log" \
        || die "$CAP_NAME: tcpdump dropped packets: $(cat "$WORK/tcpdump.log")"
    mv -f "$f" "$OUT/$CAP_NAME"
    chmod 644 "$OUT/$CAP_NAME"
    CAP_COUNT=$((CAP_COUNT + 1))
    say "$CAP_NAME: $n packets, $(stat -c %s "$OUT/$CAP_NAME") bytes"
}

# run NAME CMD...: run a peer with a time limit, log to $WORK/NAME.log.
run() {
    local name=$1
    shift
    timeout 60 "$@" </dev/null >>"$WORK/$name.log" 2>&1 || die "$name failed (rc $?)"
}

# run_fail NAME CMD...: like run, but the peer is expected to fail.
run_fail() {
    local name=$1
    shift
    if timeout 60 "$@" </dev/null >>"$WORK/$name.log" 2>&1; then
        die "$name succeeded but should have failed"
    fi
}

# ------------------------------------------------------- synthetic DICOM ---

UIDROOT=2.25.271828182845904523536028747135266249
W=128
H=128

# make_image OUT INDEX MODALITY PATNAME PATID STUDY SERIES INSTANCE
make_image() {
    local out=$1 idx=$2 mod=$3 name=$4 id=$5 st=$6 se=$7 in=$8
    local sop model station modspec=""
    case $mod in
    MR) sop=1.2.840.10008.5.1.4.1.1.4; model="SYN-MR 1.5T"; station=SYNMR01
        modspec="(0018,0020) CS [SE]
(0018,0021) CS [NONE]
(0018,0022) CS [NONE]
(0018,0023) CS [2D]
(0018,0080) DS [500]
(0018,0081) DS [20]
(0018,0087) DS [1.5]
(0018,0091) IS [1]" ;;
    CT) sop=1.2.840.10008.5.1.4.1.1.2; model="SYN-CT 64"; station=SYNCT01
        modspec="(0018,0060) DS [120]
(0028,1052) DS [-1024]
(0028,1053) DS [1]" ;;
    esac
    "$PY" "$PEERS" pixels "$WORK/px$idx.raw" "$W" "$H" "$idx"
    cat >"$WORK/img$idx.dump" <<EOF
(0008,0005) CS [ISO_IR 100]
(0008,0008) CS [ORIGINAL\\PRIMARY\\AXIAL]
(0008,0016) UI [$sop]
(0008,0018) UI [$UIDROOT.3.$st.$se.$in]
(0008,0020) DA [20240115]
(0008,0030) TM [103000]
(0008,0050) SH [SYNACC$st]
(0008,0060) CS [$mod]
(0008,0070) LO [SYNTHETIC MEDICAL SYSTEMS]
(0008,0080) LO [SYNTHETIC GENERAL HOSPITAL]
(0008,0090) PN [DOCTOR^SYNTHETIC]
(0008,1010) SH [$station]
(0008,1030) LO [SYNTHETIC STUDY $st]
(0008,103e) LO [SYNTHETIC SERIES $se]
(0008,1090) LO [$model]
(0010,0010) PN [$name]
(0010,0020) LO [$id]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
$modspec
(0018,1000) LO [SN-SYN-000$idx]
(0018,1020) LO [SYN 3.1.4]
(0020,000d) UI [$UIDROOT.1.$st]
(0020,000e) UI [$UIDROOT.2.$st.$se]
(0020,0010) SH [$st]
(0020,0011) IS [$se]
(0020,0013) IS [$in]
(0020,0032) DS [0\\0\\$in]
(0020,0037) DS [1\\0\\0\\0\\1\\0]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US $H
(0028,0011) US $W
(0028,0030) DS [1\\1]
(0028,0100) US 16
(0028,0101) US 12
(0028,0102) US 11
(0028,0103) US 0
(7fe0,0010) OW =$WORK/px$idx.raw
EOF
    dump2dcm -q +te "$WORK/img$idx.dump" "$out" || die "dump2dcm failed for image $idx"
}

dicom_captures() {
    mkdir -p "$WORK/img" "$WORK/moved" "$WORK/db" "$WORK/tls" "$WORK"/in-{echo,store,user,abort,tls,4242}
    make_image "$WORK/img/img1.dcm" 1 MR "TEST^PATIENT^ONE" SYN0001 1 1 1
    make_image "$WORK/img/img2.dcm" 2 MR "TEST^PATIENT^ONE" SYN0001 1 1 2
    make_image "$WORK/img/img3.dcm" 3 CT "TEST^PATIENT^TWO" SYN0002 2 1 1
    IMAGES=("$WORK/img/img1.dcm" "$WORK/img/img2.dcm" "$WORK/img/img3.dcm")

    # dcmqrscp storage area, pre-loaded with the images (no network involved).
    cp "${IMAGES[@]}" "$WORK/db/"
    dcmqridx -q "$WORK/db" "$WORK/db"/img*.dcm || die "dcmqridx failed"
    cat >"$WORK/dcmqrscp.cfg" <<EOF
NetworkTCPPort  = $P_QR
MaxPDUSize      = 16384
MaxAssociations = 16

HostTable BEGIN
movedest = (MOVESCP, $HOST, $P_MOVEDEST)
HostTable END

VendorTable BEGIN
VendorTable END

AETable BEGIN
COMMON   $WORK/db   RW (100, 64mb)   ANY
AETable END
EOF

    # Self-signed certificate for DICOM TLS (synthetic subject).
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -subj "/O=Synthetic Test Hospital/CN=medids-synthetic-dicom" \
        -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" \
        >"$WORK/openssl.log" 2>&1 || die "openssl failed"
    TLS=(+tls "$WORK/tls/key.pem" "$WORK/tls/cert.pem" +cf "$WORK/tls/cert.pem")

    # ------------------------------------------------------------- DICOM -------

    start_server storescp-echo $P_ECHO storescp -dhl -od "$WORK/in-echo" $P_ECHO
    start_server storescp-store $P_STORE storescp -dhl --max-pdu 4096 -od "$WORK/in-store" $P_STORE
    start_server dcmqrscp $P_QR dcmqrscp -dhl -c "$WORK/dcmqrscp.cfg" $P_QR
    start_server storescp-movedest $P_MOVEDEST storescp -dhl -aet MOVESCP -od "$WORK/moved" $P_MOVEDEST
    start_server dcmqrscp-reject $P_REJECT dcmqrscp -dhl -c "$WORK/dcmqrscp.cfg" $P_REJECT
    start_server storescp-user $P_USER storescp -dhl -od "$WORK/in-user" $P_USER
    start_server storescp-abort $P_ABORT storescp -dhl -od "$WORK/in-abort" $P_ABORT
    start_server storescp-tls $P_TLS storescp -dhl "${TLS[@]}" -od "$WORK/in-tls" $P_TLS
    start_server storescp-4242 $P_4242 storescp -dhl -od "$WORK/in-4242" $P_4242

    capture_start dicom-echo.pcap "tcp port $P_ECHO"
    run echoscu-echo echoscu -v -aec STORESCP $HOST $P_ECHO
    capture_stop

    capture_start dicom-store.pcap "tcp port $P_STORE"
    run storescu-store storescu -v -aet SYNMODALITY -aec STORESCP --max-pdu 4096 \
        $HOST $P_STORE "${IMAGES[@]}"
    capture_stop
    [ "$(find "$WORK/in-store" -type f | wc -l)" -eq 3 ] || die "storescp did not store 3 images"

    capture_start dicom-find-move.pcap "tcp port $P_QR or tcp port $P_MOVEDEST"
    run findscu findscu -v -P -aet SYNVIEWER -aec COMMON \
        -k QueryRetrieveLevel=PATIENT -k "PatientName=*" -k PatientID \
        -k PatientBirthDate -k PatientSex $HOST $P_QR
    run movescu movescu -v -P -aet SYNVIEWER -aec COMMON -aem MOVESCP \
        -k QueryRetrieveLevel=PATIENT -k PatientID=SYN0001 $HOST $P_QR
    capture_stop
    grep -q "Find Response: 2 (Pending)" "$WORK/findscu.log" \
        || die "findscu did not get 2 patient matches"
    [ "$(find "$WORK/moved" -type f | wc -l)" -eq 2 ] || die "C-MOVE did not deliver 2 images"

    capture_start dicom-reject.pcap "tcp port $P_REJECT"
    run_fail echoscu-reject echoscu -v -aet SYNMODALITY -aec NOSUCHAE $HOST $P_REJECT
    capture_stop
    grep -q "Association Rejected" "$WORK/echoscu-reject.log" || die "no A-ASSOCIATE-RJ seen by echoscu"

    capture_start dicom-user-identity.pcap "tcp port $P_USER"
    run storescu-user storescu -v -aet SYNMODALITY -aec STORESCP \
        --user synuser --password SynPass123 $HOST $P_USER "$WORK/img/img3.dcm"
    capture_stop

    capture_start dicom-abort.pcap "tcp port $P_ABORT"
    run echoscu-abort echoscu -v -aec STORESCP --abort $HOST $P_ABORT
    capture_stop

    capture_start dicom-tls.pcap "tcp port $P_TLS"
    run echoscu-tls echoscu -v -aec STORESCP "${TLS[@]}" $HOST $P_TLS
    capture_stop

    capture_start dicom-port4242.pcap "tcp port $P_4242"
    run echoscu-4242 echoscu -v -aec STORESCP $HOST $P_4242
    capture_stop
}

# ------------------------------------------------------------- HL7 ---------

# acks LOG N: the mllp_send log holds N acknowledgements.
acks() {
    local n
    n=$(grep -c "MSA.AA" "$WORK/$1.log" || true)
    [ "$n" -eq "$2" ] || die "$1: $n ACKs, expected $2"
}

hl7_captures() {
    "$PY" "$PEERS" hl7-messages "$WORK"
    start_server hl7-server $P_HL7_INJECTED "$PY" "$PEERS" hl7-server \
        $P_HL7_ADT $P_HL7_ORU $P_HL7_BATCH $P_HL7_DELIMS $P_HL7_ESCAPES \
        $P_HL7_SMALL $P_HL7_NOTRAILER $P_HL7_LONG $P_HL7_INJECTED
    for p in $P_HL7_ADT $P_HL7_ORU $P_HL7_BATCH $P_HL7_DELIMS $P_HL7_ESCAPES \
             $P_HL7_SMALL $P_HL7_NOTRAILER $P_HL7_LONG; do
        wait_port "$p"
    done

    capture_start hl7-adt.pcap "tcp port $P_HL7_ADT"
    run mllp-adt mllp_send -p $P_HL7_ADT -f "$WORK/adt.mllp" $HOST
    capture_stop
    acks mllp-adt 3

    capture_start hl7-oru.pcap "tcp port $P_HL7_ORU"
    run mllp-oru mllp_send --loose -p $P_HL7_ORU -f "$WORK/oru.txt" $HOST
    capture_stop
    acks mllp-oru 1

    capture_start hl7-batch.pcap "tcp port $P_HL7_BATCH"
    run mllp-batch mllp_send -p $P_HL7_BATCH -f "$WORK/batch.mllp" $HOST
    capture_stop
    acks mllp-batch 50

    capture_start hl7-delims.pcap "tcp port $P_HL7_DELIMS"
    run mllp-delims mllp_send -p $P_HL7_DELIMS -f "$WORK/delims.mllp" $HOST
    capture_stop
    grep -q "MSA#AA#SYNDLM0001" "$WORK/mllp-delims.log" || die "delims: no ACK in custom delimiters"

    capture_start hl7-escapes.pcap "tcp port $P_HL7_ESCAPES"
    run mllp-escapes mllp_send -p $P_HL7_ESCAPES -f "$WORK/escapes.mllp" $HOST
    capture_stop
    acks mllp-escapes 1

    capture_start hl7-small-segments.pcap "tcp port $P_HL7_SMALL"
    run hl7-small "$PY" "$PEERS" hl7-send-small $P_HL7_SMALL "$WORK/small.mllp"
    capture_stop

    capture_start hl7-no-trailer.pcap "tcp port $P_HL7_NOTRAILER"
    run hl7-no-trailer "$PY" "$PEERS" hl7-send-no-trailer $P_HL7_NOTRAILER
    capture_stop

    capture_start hl7-long-field.pcap "tcp port $P_HL7_LONG"
    run mllp-long mllp_send -p $P_HL7_LONG -f "$WORK/long.mllp" $HOST
    capture_stop
    acks mllp-long 1

    capture_start hl7-injected-segment.pcap "tcp port $P_HL7_INJECTED"
    run mllp-injected mllp_send -p $P_HL7_INJECTED -f "$WORK/injected.mllp" $HOST
    capture_stop
    acks mllp-injected 2
}

# ------------------------------------------------------- HL7 threats ------
#
# One capture per threat rule family of rules/hl7.rules (tests/e2e/hl7-rule-*
# replay them). Peers: mllp_send against pcap-peers.py's MLLP servers.

hl7_threat_captures() {
    "$PY" "$PEERS" hl7-threat-messages "$WORK"
    start_server hl7-threat-server $P_HL7_REPLAY "$PY" "$PEERS" hl7-server \
        $P_HL7_SENDER $P_HL7_FIELDINJ $P_HL7_OVERLONG $P_HL7_FLOOD $P_HL7_ED \
        $P_HL7_REPLAY $P_HL7_PROCID
    for p in $P_HL7_SENDER $P_HL7_FIELDINJ $P_HL7_OVERLONG $P_HL7_FLOOD \
             $P_HL7_ED $P_HL7_PROCID; do
        wait_port "$p"
    done
    start_server hl7-nack-server $P_HL7_NACK "$PY" "$PEERS" hl7-nack-server $P_HL7_NACK

    capture_start hl7-unknown-sender.pcap "tcp port $P_HL7_SENDER"
    run mllp-sender mllp_send -p $P_HL7_SENDER -f "$WORK/sender.mllp" $HOST
    capture_stop
    acks mllp-sender 4

    capture_start hl7-field-injection.pcap "tcp port $P_HL7_FIELDINJ"
    run mllp-fieldinj mllp_send -p $P_HL7_FIELDINJ -f "$WORK/injection.mllp" $HOST
    capture_stop
    acks mllp-fieldinj 8

    capture_start hl7-overlong-fields.pcap "tcp port $P_HL7_OVERLONG"
    run mllp-overlong mllp_send -p $P_HL7_OVERLONG -f "$WORK/overlong.mllp" $HOST
    capture_stop
    acks mllp-overlong 4

    capture_start hl7-processing-id.pcap "tcp port $P_HL7_PROCID"
    run mllp-procid mllp_send -p $P_HL7_PROCID -f "$WORK/procid.mllp" $HOST
    capture_stop
    acks mllp-procid 3

    capture_start hl7-nack-storm.pcap "tcp port $P_HL7_NACK"
    run mllp-nack mllp_send -p $P_HL7_NACK -f "$WORK/nack.mllp" $HOST
    capture_stop
    local n
    n=$(grep -c "MSA.A[ER]" "$WORK/mllp-nack.log" || true)
    [ "$n" -eq 12 ] || die "mllp-nack: $n negative ACKs, expected 12"

    capture_start hl7-adt-flood.pcap "tcp port $P_HL7_FLOOD"
    run mllp-flood mllp_send -p $P_HL7_FLOOD -f "$WORK/flood.mllp" $HOST
    capture_stop
    acks mllp-flood 120

    capture_start hl7-ed-executable.pcap "tcp port $P_HL7_ED"
    run mllp-ed mllp_send -p $P_HL7_ED -f "$WORK/ed.mllp" $HOST
    capture_stop
    acks mllp-ed 4

    # Two connections: A, B, A; one second later B again.
    capture_start hl7-replay.pcap "tcp port $P_HL7_REPLAY"
    run mllp-replay1 mllp_send -p $P_HL7_REPLAY -f "$WORK/replay1.mllp" $HOST
    sleep 1
    run mllp-replay2 mllp_send -p $P_HL7_REPLAY -f "$WORK/replay2.mllp" $HOST
    capture_stop
    acks mllp-replay1 3
    acks mllp-replay2 1
}

if want dicom; then dicom_captures; fi
if want hl7; then hl7_captures; fi
if want hl7-threats; then hl7_threat_captures; fi

say "done: $CAP_COUNT captures in $OUT"
