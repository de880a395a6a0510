#!/usr/bin/env bash
# test-output-diskfull.sh - a full disk under the EVE file: write errors
# are counted and reported, records accounted for, no crash.
#
# In a private mount namespace (unshare -m, so the mount is seen by this
# test only) a 48 KiB tmpfs holds eve.json; a second file output outside
# it carries the stats records. Replaying pcaps/ writes far more than
# 48 KiB, so the disk fills part way. Checks:
#  - medids exits 0 and says "No space left on device" on stderr;
#  - the stats record's output.file says written W, dropped D, errors E
#    with E > 0, D > 0, W = the records in the full file, and W + D = the
#    records a run without a full disk writes before its stats record;
#  - the full file holds only whole records that validate (a record cut
#    by the full disk was truncated away);
#  - at exit medids reports the output's final counts (the stats record
#    itself dropped too) on stderr.
# Exit 0 pass, 1 fail, 77 skip (not root, or no unshare).
set -u
: "${MEDIDS:?MEDIDS not set}" "${MD_SRCDIR:?MD_SRCDIR not set}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$MD_SRCDIR/tests/tools/out-lib.sh"
[ -x "$MEDIDS" ] || { echo "medids not built: $MEDIDS"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a private tmpfs"; exit 77; }
command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 77; }
unshare -m --propagation private true 2>/dev/null || { echo "SKIP: unshare -m not permitted"; exit 77; }
status=0
fail() { echo "FAIL: $*"; status=1; }

"$MEDIDS" -r "$PCAPS" -l "$tmp" -k none || fail "reference run failed"
ref=$(($(lines "$tmp/eve.json") - 1))
echo "reference: $ref records before the stats record, $(wc -c <"$tmp/eve.json") bytes"

mkdir -p "$tmp/full" "$tmp/out"
cat >"$tmp/out/medids.yaml" <<EOF
outputs:
  - eve-log:
      filename: $tmp/full/eve.json
      buffer-size: 8kb
  - eve-log:
      name: stats
      filename: $tmp/out/stats.json
      types: [stats]
EOF
unshare -m --propagation private bash -c '
	mount -t tmpfs -o size=48k tmpfs "$1/full" || exit 9
	"$2" -c "$1/out/medids.yaml" -r "$3" -l "$1/out" -k none 2>"$1/out/err"
	rc=$?
	cp "$1/full/eve.json" "$1/out/full.json"
	exit $rc' _ "$tmp" "$MEDIDS" "$PCAPS"
rc=$?
[ $rc -ne 9 ] || { echo "SKIP: cannot mount a tmpfs"; exit 77; }
[ $rc -eq 0 ] || fail "medids exited $rc with the disk full"
cat "$tmp/out/err"
grep -q "No space left on device" "$tmp/out/err" || fail "no report of the full disk on stderr"
have=$(lines "$tmp/out/full.json")
read -r _ w _ d _ e _ _ <<<"$("$PY" "$OUTUTIL" stats "$tmp/out/stats.json" file)"
echo "full disk: $have records in the file; output.file written $w dropped $d errors $e"
[ "$e" -gt 0 ] || fail "no write error counted"
[ "$d" -gt 0 ] || fail "no record counted as dropped"
[ "$w" -eq "$have" ] || fail "written ($w) != records in the file ($have)"
[ $((w + d)) -eq "$ref" ] || fail "written + dropped ($((w + d))) != $ref records"
grep -q "output file (regular): $w records written, $((d + 1)) dropped" "$tmp/out/err" ||
	fail "exit report does not count the stats record as dropped too"
validate "$tmp/out/full.json" || status=1

[ $status -eq 0 ] && echo "PASS"
exit $status
