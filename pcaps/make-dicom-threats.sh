#!/bin/bash
# Regenerate the captures that prove rules/dicom.rules (pcaps/dicom-threat-*.pcap)
# with real peers in a private network namespace.
#
# DICOM (PS3.8 upper layer, PS3.7 DIMSE, PS3.3 Encapsulated PDF IOD) peers:
# DCMTK echoscu, storescu, findscu, movescu, storescp, dcmqrscp, the Orthanc
# PACS, and nmap's dicom-ping and dicom-brute NSE scripts. Each capture has its own servers,
# started here and stopped before the next capture, so the captures can use
# the standard DICOM ports (104, 11112, 4242) and never mix. All patients,
# UIDs, AE titles and credentials are synthetic.
#
# Usage: pcaps/make-dicom-threats.sh
#   as root; needs dcmtk, orthanc, nmap (with dicom-ping.nse and
#   dicom-brute.nse), tcpdump, iproute2 and /usr/bin/python3. It overwrites the
#   dicom-threat-*.pcap files next to it and takes about a minute.
#   MEDIDS_PCAPS_KEEP=1 keeps the work directory (logs, objects, configs).
#
# The namespace, tcpdump and server helpers are those of make-pcaps.sh
# (copied, not sourced: that script runs its captures when it is read).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE
PY=/usr/bin/python3
FILES=$HERE/dicom-threat-files.py
HOST=127.0.0.1

# Ports. 104, 11112 and 4242 are in medids' default $DICOM_PORTS.
P_DICOM=104
P_MOVEDEST=11112
P_EXFIL=4242
P_ODD=443

# Server addresses, one per capture (all of 127.0.0.0/8 is local; clients
# connect from 127.0.0.1). The captures reuse the standard ports, so
# distinct server addresses keep every TCP 4-tuple of pcaps/ unique when
# the corpus is replayed as one directory.
S_PING=127.0.1.1
S_BRUTE=127.0.1.2
S_CALLING=127.0.1.3
S_UNKNOWN=127.0.1.4
S_FIND=127.0.1.5
S_MOVE=127.0.1.6
S_MOVESCP=127.0.1.7
S_EXFIL=127.0.1.8
S_USER=127.0.1.9
S_DOCS=127.0.1.10
S_UIDS=127.0.1.11
S_ODD=127.0.1.12
S_ABORT=127.0.1.13

# Addresses of the external-network capture (on the namespace's lo).
# A connection to a server address leaves from the source address its
# local route names (src), so real peers show these address pairs.
NET_PACS=10.20.30.40        # home PACS, reached from outside
NET_MODALITY=10.20.30.41    # home modality (client of the two others)
NET_PACS2=10.20.30.42       # second home PACS, reached from the modality
NET_EXT_CLIENT=203.0.113.50 # external client (RFC 5737 documentation range)
NET_EXT_SERVER=198.51.100.60 # external server (RFC 5737)

die() { echo "make-dicom-threats: $*" >&2; exit 1; }
say() { echo "make-dicom-threats: $*"; }

[ "$(id -u)" -eq 0 ] || die "run as root (network namespace, tcpdump, port 104)"
for t in tcpdump ss setsid timeout ip nmap Orthanc "$PY" echoscu storescu \
         storescp findscu movescu dcmqrscp dcmqridx dump2dcm; do
    command -v "$t" >/dev/null || die "missing $t"
done
NSE=$(dirname "$(command -v nmap)")/../share/nmap/scripts
for s in dicom-ping dicom-brute; do
    [ -f "$NSE/$s.nse" ] || die "nmap has no $s.nse script"
done

# Everything runs in a private network namespace whose loopback has a
# 1500-byte MTU and no segmentation offload (TCP segments as on an Ethernet
# LAN) and carries the extra addresses of the external-network capture.
if [ -z "${MEDIDS_DICOM_THREATS_NETNS:-}" ]; then
    NS=medids-dthreats-$$
    ip netns add "$NS" || die "cannot create network namespace $NS"
    trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
    ip -n "$NS" link set lo mtu 1500 up
    ip -n "$NS" link set lo gso_max_size 1500 gso_max_segs 1 2>/dev/null \
        || say "warning: cannot limit GSO on lo; large segments may appear"
    for a in $NET_PACS $NET_MODALITY $NET_PACS2 $NET_EXT_CLIENT $NET_EXT_SERVER; do
        ip -n "$NS" addr add "$a/32" dev lo
    done
    # server address -> client (source) address
    for pair in "$NET_PACS:$NET_EXT_CLIENT" "$NET_EXT_SERVER:$NET_MODALITY" \
                "$NET_PACS2:$NET_MODALITY"; do
        ip -n "$NS" route replace local "${pair%%:*}" dev lo table local \
            proto kernel scope host src "${pair##*:}"
    done
    ip netns exec "$NS" env MEDIDS_DICOM_THREATS_NETNS="$NS" "$BASH" "$0" "$@" &
    INNER=$!
    trap 'kill -TERM "$INNER" 2>/dev/null || true' INT TERM
    rc=0
    wait "$INNER" || rc=$?
    while kill -0 "$INNER" 2>/dev/null; do wait "$INNER" || rc=$?; done
    exit "$rc"
fi

WORK=$(mktemp -d /tmp/medids-dthreats.XXXXXX)
SERVER_PIDS=()
TCPDUMP_PID=
CAP_COUNT=0

# stop_servers: stop every server started since the last call (each leads
# its own process group: dcmqrscp's forked children go with it).
stop_servers() {
    local p
    for p in "${SERVER_PIDS[@]}"; do
        kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${SERVER_PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    SERVER_PIDS=()
}

cleanup() {
    local rc=$?
    if [ -n "$TCPDUMP_PID" ]; then kill -INT "$TCPDUMP_PID" 2>/dev/null || true; fi
    stop_servers
    if [ -n "$TCPDUMP_PID" ]; then wait "$TCPDUMP_PID" 2>/dev/null || true; fi
    if [ "$rc" -ne 0 ]; then
        echo "make-dicom-threats: failed; logs follow" >&2
        tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
    fi
    if [ -n "${MEDIDS_PCAPS_KEEP:-}" ]; then
        echo "make-dicom-threats: work files kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port PORT: wait (max 10 s) until something listens on PORT.
wait_port() {
    for _ in $(seq 1 100); do
        if ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on port $1"
}

# wait_port_free PORT: wait (max 10 s) until nothing listens on PORT.
wait_port_free() {
    for _ in $(seq 1 100); do
        if ! ss -Hltn "sport = :$1" | grep -q .; then return 0; fi
        sleep 0.1
    done
    die "port $1 still in use"
}

# start_server NAME PORT CMD...: start a server as a process group leader,
# log to $WORK/NAME.log, wait until PORT listens.
start_server() {
    local name=$1 port=$2
    shift 2
    wait_port_free "$port"
    setsid "$@" </dev/null >"$WORK/$name.log" 2>&1 &
    SERVER_PIDS+=("$!")
    wait_port "$port"
}

# capture_start FILE FILTER: start tcpdump on lo and wait until it listens.
capture_start() {
    CAP_NAME=$1
    : >"$WORK/tcpdump.log"
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
# SIGINT, check the file and move it to OUT; then stop the servers.
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
    stop_servers
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

# expect NAME COUNT PATTERN: $WORK/NAME.log has COUNT lines matching PATTERN.
expect() {
    local n
    n=$(grep -c -- "$3" "$WORK/$1.log" || true)
    [ "$n" -eq "$2" ] || die "$1: $n lines match '$3', expected $2"
}

# -------------------------------------------------------- synthetic objects ---

UIDROOT=2.25.271828182845904523536028747135266249
SC=1.2.840.10008.5.1.4.1.1.7            # Secondary Capture Image Storage
EPDF=1.2.840.10008.5.1.4.1.1.104.1      # Encapsulated PDF Storage

# small_image OUT NAME ID N [SOPINSTANCEUID]: an 8x8 8-bit Secondary
# Capture image of patient NAME/ID, study, series and instance number N.
small_image() {
    local out=$1 name=$2 id=$3 n=$4 iuid=${5:-$UIDROOT.9.3.$4}
    cat >"$out.dump" <<EOF
(0008,0005) CS [ISO_IR 100]
(0008,0016) UI [$SC]
(0008,0018) UI [$iuid]
(0008,0020) DA [20240115]
(0008,0030) TM [103000]
(0008,0050) SH [SYNQ$n]
(0008,0060) CS [OT]
(0008,0064) CS [WSD]
(0008,0070) LO [SYNTHETIC MEDICAL SYSTEMS]
(0008,0080) LO [SYNTHETIC GENERAL HOSPITAL]
(0010,0010) PN [$name]
(0010,0020) LO [$id]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0020,000d) UI [$UIDROOT.9.1.$n]
(0020,000e) UI [$UIDROOT.9.2.$n]
(0020,0010) SH [$n]
(0020,0011) IS [1]
(0020,0013) IS [1]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0010) US 8
(0028,0011) US 8
(0028,0100) US 8
(0028,0101) US 8
(0028,0102) US 7
(0028,0103) US 0
(7fe0,0010) OB =$WORK/pixels.raw
EOF
    dump2dcm -q +te "$out.dump" "$out" || die "dump2dcm failed for $out"
}

# encapsulated OUT N FILE: an Encapsulated PDF Storage object (MIME type
# application/pdf) whose EncapsulatedDocument holds FILE.
encapsulated() {
    local out=$1 n=$2 doc=$3
    cat >"$out.dump" <<EOF
(0008,0005) CS [ISO_IR 100]
(0008,0016) UI [$EPDF]
(0008,0018) UI [$UIDROOT.9.4.$n]
(0008,0020) DA [20240115]
(0008,0023) DA [20240115]
(0008,0030) TM [103000]
(0008,0033) TM [103000]
(0008,0050) SH [SYNDOC$n]
(0008,0060) CS [DOC]
(0008,0064) CS [WSD]
(0008,0070) LO [SYNTHETIC MEDICAL SYSTEMS]
(0010,0010) PN [TEST^PATIENT^ONE]
(0010,0020) LO [SYN0001]
(0010,0030) DA [19700101]
(0010,0040) CS [O]
(0020,000d) UI [$UIDROOT.9.5.1]
(0020,000e) UI [$UIDROOT.9.6.1]
(0020,0010) SH [1]
(0020,0011) IS [1]
(0020,0013) IS [$n]
(0028,0301) CS [NO]
(0042,0010) ST [SYNTHETIC DOCUMENT $n]
(0042,0011) OB =$doc
(0042,0012) LO [application/pdf]
EOF
    dump2dcm -q +te "$out.dump" "$out" || die "dump2dcm failed for $out"
}

# qr_config FILE: dcmqrscp configuration, AE COMMON on the storage area
# $WORK/db for any peer; move destinations MOVESCP (11112) and EXFILSCP
# (4242).
qr_config() {
    cat >"$1" <<EOF
NetworkTCPPort  = $P_DICOM
MaxPDUSize      = 16384
MaxAssociations = 16

HostTable BEGIN
movescp      = (MOVESCP, $S_MOVESCP, $P_MOVEDEST)
exfilscp     = (EXFILSCP, $S_EXFIL, $P_EXFIL)
HostTable END

VendorTable BEGIN
VendorTable END

AETable BEGIN
COMMON   $WORK/db   RW (500, 64mb)   ANY
AETable END
EOF
}

# orthanc_config FILE: Orthanc as a PACS (AE SYNPACS on port 104, no HTTP
# server) that checks the called AE title and accepts only the modality
# SYNMODALITY as a caller, even for C-ECHO and C-STORE.
orthanc_config() {
    mkdir -p "$WORK/orthanc"
    cat >"$1" <<EOF
{
  "Name" : "SYNPACS",
  "StorageDirectory" : "$WORK/orthanc",
  "IndexDirectory" : "$WORK/orthanc",
  "Plugins" : [],
  "HttpServerEnabled" : false,
  "DicomServerEnabled" : true,
  "DicomAet" : "SYNPACS",
  "DicomCheckCalledAet" : true,
  "DicomPort" : $P_DICOM,
  "DicomAlwaysAllowEcho" : false,
  "DicomAlwaysAllowStore" : false,
  "DicomCheckModalityHost" : false,
  "DicomModalities" : {
    "synmodality" : [ "SYNMODALITY", "$HOST", $P_MOVEDEST ]
  }
}
EOF
}

prepare() {
    mkdir -p "$WORK/db" "$WORK/obj" "$WORK/in" "$WORK/moved" "$WORK/exfil"
    head -c 64 /dev/zero >"$WORK/pixels.raw"
    # 120 synthetic patients for the query archive.
    local i n
    for i in $(seq 1 120); do
        n=$(printf '%03d' "$i")
        small_image "$WORK/db/q$n.dcm" "TEST^PATIENT^Q$n" "SYNQ$n" "$n"
    done
    dcmqridx -q "$WORK/db" "$WORK/db"/q*.dcm || die "dcmqridx failed"
    qr_config "$WORK/qr-any.cfg"
    orthanc_config "$WORK/orthanc.json"

    small_image "$WORK/obj/plain.dcm" "TEST^PATIENT^ONE" SYN0001 201
    # UIDs a receiving SCP may turn into a file name or a command line
    # (the CVE-2022-2119 and shell-injection classes).
    small_image "$WORK/obj/traversal.dcm" "TEST^PATIENT^ONE" SYN0001 202 \
        "../../../../../../tmp/syn-traversal"
    small_image "$WORK/obj/shell.dcm" "TEST^PATIENT^ONE" SYN0001 203 \
        "$UIDROOT.9.3.203;id"

    "$PY" "$FILES" payloads "$WORK/payloads"
    encapsulated "$WORK/obj/doc-pdf.dcm" 1 "$WORK/payloads/report.pdf"
    encapsulated "$WORK/obj/doc-elf.dcm" 2 "$WORK/payloads/payload.elf"
    encapsulated "$WORK/obj/doc-exe.dcm" 3 "$WORK/payloads/payload.exe"
    encapsulated "$WORK/obj/doc-sh.dcm" 4 "$WORK/payloads/payload.sh"

    # nmap dicom-brute's list of called AE titles to try: ten wrong ones,
    # then the archive's.
    printf '%s\n' PACS ORTHANC DCM4CHEE ARCHIVE CONQUESTSRV1 PACS1 SERVER \
        DICOM STORESCP IMAGES COMMON >"$WORK/aet-guesses.lst"
}

# ---------------------------------------------------------------- captures ---

storescp_on() {
    start_server "storescp-$1" "$1" storescp -dhl -od "$WORK/in" "$1"
}

captures() {
    # nmap dicom-ping: one A-ASSOCIATE-RQ (ECHOSCU -> ANY-SCP,
    # OFFIS_DCMTK_362) to storescp, which accepts any called AE title.
    storescp_on $P_DICOM
    capture_start dicom-threat-nmap-ping.pcap "tcp port $P_DICOM"
    run nmap-ping nmap -n -Pn -sT -p $P_DICOM --script dicom-ping $S_PING
    capture_stop
    expect nmap-ping 1 "Any AET is accepted"

    # nmap dicom-brute against dcmqrscp (knows only the called AE COMMON):
    # the ANY-SCP check, then the eleven titles of the list.
    start_server dcmqrscp-brute $P_DICOM dcmqrscp -dhl -c "$WORK/qr-any.cfg" $P_DICOM
    capture_start dicom-threat-ae-brute.pcap "tcp port $P_DICOM"
    run nmap-brute nmap -n -Pn -sT -p $P_DICOM --script dicom-brute \
        --script-args "passdb=$WORK/aet-guesses.lst" $S_BRUTE
    capture_stop
    expect nmap-brute 1 "COMMON.*Valid credentials"

    # Calling AE guessing: Orthanc accepts only the modality SYNMODALITY
    # (DICOM servers that check the calling AE title answer an unknown one
    # with reason 3; dcmqrscp answers 7 for both); seven wrong calling AE
    # titles, then the right one.
    start_server orthanc $P_DICOM Orthanc "$WORK/orthanc.json"
    capture_start dicom-threat-calling-ae-brute.pcap "tcp port $P_DICOM"
    local aet
    for aet in MODALITY CT01 MR01 US01 WORKSTATION VIEWER SYNMODALITY1; do
        run_fail "echoscu-guess" echoscu -v -aet "$aet" -aec SYNPACS $S_CALLING $P_DICOM
    done
    run echoscu-right echoscu -v -aet SYNMODALITY -aec SYNPACS $S_CALLING $P_DICOM
    capture_stop
    expect echoscu-guess 7 "Reason: Calling AE Title Not Recognized"

    # Associations from calling AE titles on and off the allow-list.
    storescp_on $P_DICOM
    capture_start dicom-threat-unknown-ae.pcap "tcp port $P_DICOM"
    run echoscu-known echoscu -v -aet SYNVIEWER -aec STORESCP $S_UNKNOWN $P_DICOM
    run echoscu-rogue echoscu -v -aet ROGUEWS -aec STORESCP $S_UNKNOWN $P_DICOM
    run storescu-rogue storescu -v -aet ROGUEWS -aec STORESCP $S_UNKNOWN $P_DICOM \
        "$WORK/obj/plain.dcm"
    capture_stop

    # Queries against the 120-patient archive.
    start_server dcmqrscp-find $P_DICOM dcmqrscp -dhl -c "$WORK/qr-any.cfg" $P_DICOM
    capture_start dicom-threat-find.pcap "tcp port $P_DICOM"
    local q=(findscu -v -P -aet SYNVIEWER -aec COMMON -k QueryRetrieveLevel=PATIENT)
    run find-all "${q[@]}" -k "PatientName=*" -k PatientID $S_FIND $P_DICOM
    run find-name "${q[@]}" -k "PatientName=TEST^PATIENT^Q00*" -k PatientID $S_FIND $P_DICOM
    run find-id "${q[@]}" -k PatientName -k "PatientID=SYNQ00*" $S_FIND $P_DICOM
    run find-exact "${q[@]}" -k PatientName -k PatientID=SYNQ042 $S_FIND $P_DICOM
    capture_stop
    expect find-all 120 "Find Response: .* (Pending)"
    expect find-name 9 "Find Response: .* (Pending)"
    expect find-id 9 "Find Response: .* (Pending)"
    expect find-exact 1 "Find Response: .* (Pending)"

    # C-MOVE to the allowed MOVESCP, to EXFILSCP (known to the archive, not
    # on the allow-list) and to NOSUCHDEST (refused by the archive).
    start_server dcmqrscp-move $P_DICOM dcmqrscp -dhl -c "$WORK/qr-any.cfg" $P_DICOM
    start_server storescp-movescp $P_MOVEDEST storescp -dhl -aet MOVESCP -od "$WORK/moved" $P_MOVEDEST
    start_server storescp-exfil $P_EXFIL storescp -dhl -aet EXFILSCP -od "$WORK/exfil" $P_EXFIL
    capture_start dicom-threat-move.pcap "tcp port $P_DICOM or tcp port $P_MOVEDEST or tcp port $P_EXFIL"
    local m=(movescu -v -P -aet SYNVIEWER -aec COMMON -k QueryRetrieveLevel=PATIENT)
    run move-allowed "${m[@]}" -aem MOVESCP -k PatientID=SYNQ001 $S_MOVE $P_DICOM
    run move-exfil "${m[@]}" -aem EXFILSCP -k PatientID=SYNQ002 $S_MOVE $P_DICOM
    run_fail move-unknown "${m[@]}" -aem NOSUCHDEST -k PatientID=SYNQ003 $S_MOVE $P_DICOM
    capture_stop
    [ "$(find "$WORK/moved" -type f | wc -l)" -eq 1 ] || die "C-MOVE to MOVESCP did not deliver 1 image"
    [ "$(find "$WORK/exfil" -type f | wc -l)" -eq 1 ] || die "C-MOVE to EXFILSCP did not deliver 1 image"
    expect move-unknown 1 "Final Move Response (Refused: MoveDestinationUnknown)"

    # User identity: username only (type 1), then username and passcode
    # (type 2, the passcode in clear text).
    storescp_on $P_DICOM
    capture_start dicom-threat-user-identity.pcap "tcp port $P_DICOM"
    run storescu-user storescu -v -aet SYNMODALITY -aec STORESCP --user synuser \
        $S_USER $P_DICOM "$WORK/obj/plain.dcm"
    run storescu-pass storescu -v -aet SYNMODALITY -aec STORESCP --user synuser \
        --password SynPass123 $S_USER $P_DICOM "$WORK/obj/plain.dcm"
    capture_stop

    # Encapsulated documents: a PDF, then an ELF, a PE and a shell script,
    # each declared application/pdf; one association.
    storescp_on $P_DICOM
    capture_start dicom-threat-encapsulated.pcap "tcp port $P_DICOM"
    run storescu-docs storescu -v -aet SYNMODALITY -aec STORESCP $S_DOCS $P_DICOM \
        "$WORK/obj/doc-pdf.dcm" "$WORK/obj/doc-elf.dcm" "$WORK/obj/doc-exe.dcm" \
        "$WORK/obj/doc-sh.dcm"
    capture_stop
    [ "$(find "$WORK/in" -name 'PDF.*' | wc -l)" -eq 4 ] || die "storescp did not store 4 documents"

    # UIDs with a path and with shell metacharacters: a plain image, then the
    # two crafted ones (storescu sends the UIDs the files hold).
    rm -rf "$WORK/in" && mkdir "$WORK/in"
    storescp_on $P_DICOM
    capture_start dicom-threat-uid-injection.pcap "tcp port $P_DICOM"
    run storescu-uids storescu -v -aet SYNMODALITY -aec STORESCP $S_UIDS $P_DICOM \
        "$WORK/obj/plain.dcm" "$WORK/obj/traversal.dcm" "$WORK/obj/shell.dcm"
    capture_stop

    # Across the site boundary: external client -> home PACS (C-ECHO), home
    # modality -> external server (C-STORE of an image), and home -> home.
    storescp_on $P_DICOM
    capture_start dicom-threat-external-net.pcap "tcp port $P_DICOM"
    run echoscu-inbound echoscu -v -aec STORESCP $NET_PACS $P_DICOM
    run storescu-outbound storescu -v -aet SYNMODALITY -aec STORESCP $NET_EXT_SERVER \
        $P_DICOM "$WORK/obj/plain.dcm"
    run echoscu-internal echoscu -v -aet SYNMODALITY -aec STORESCP $NET_PACS2 $P_DICOM
    capture_stop

    # DICOM on port 443.
    storescp_on $P_ODD
    capture_start dicom-threat-port443.pcap "tcp port $P_ODD"
    run echoscu-443 echoscu -v -aec STORESCP $S_ODD $P_ODD
    capture_stop

    # Abort storm: twelve associations that end in A-ABORT.
    storescp_on $P_DICOM
    capture_start dicom-threat-abort-storm.pcap "tcp port $P_DICOM"
    local i
    for i in $(seq 1 12); do
        run echoscu-abort echoscu -v -aec STORESCP --abort $S_ABORT $P_DICOM
    done
    capture_stop
}

prepare
captures
say "done: $CAP_COUNT captures in $OUT"
