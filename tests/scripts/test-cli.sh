#!/usr/bin/env bash
# test-cli.sh - the command line as a user meets it: --help, --build-info,
# -T over the shipped and the malformed rules (one FILE:LINE: reason per
# broken rule), configuration errors with file and line, bad arguments,
# missing inputs, and the progress line on a terminal.
set -u
M=${MEDIDS:?} S=${MD_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

"$M" --help >"$tmp/help" 2>&1
check "--help exits 0 and shows -r" '[ $? -eq 0 ] && grep -q -- "-r PATH" "$tmp/help"'
"$M" --build-info >"$tmp/bi" 2>&1
check "--build-info names the parser ABI" 'grep -q "parser ABI: 1\." "$tmp/bi"'
"$M" --list-keywords >"$tmp/kw" 2>&1
check "--list-keywords lists content and pcre" 'grep -q "^content" "$tmp/kw" && grep -q "^pcre" "$tmp/kw"'

args=()
for r in "$S"/rules/*.rules; do args+=(-S "$r"); done
"$M" -T "${args[@]}" >"$tmp/t" 2>"$tmp/terr"
rc=$?
check "-T loads every shipped rule (rc $rc: $(cat "$tmp/t"))" \
	'[ $rc -eq 0 ] && grep -q " 0 failed" "$tmp/t" && [ ! -s "$tmp/terr" ]'

bad=$S/tests/rules/malformed.rules
nrules=$(grep -cvE '^\s*(#|$)' "$bad")
nvalid=$(grep -c '^# valid' "$bad") # rules later cases rely on
"$M" -T -S "$bad" >"$tmp/m" 2>"$tmp/merr"
rc=$?
nerr=$(grep -cE "^$bad:[0-9]+: " "$tmp/merr")
check "-T on $nrules rules, $nvalid valid: exit 1 and $nerr FILE:LINE reasons" \
	'[ $rc -eq 1 ] && [ "$nerr" -eq $((nrules - nvalid)) ] && [ "$nerr" -ge 25 ]'
"$M" -T --init-errors-fatal -S "$bad" >/dev/null 2>&1
check "--init-errors-fatal stops on a bad rule" '[ $? -ne 0 ]'

printf 'stream:\n  midstream: perhaps\n' >"$tmp/bad.yaml"
"$M" -T -c "$tmp/bad.yaml" >/dev/null 2>"$tmp/cerr"
check "bad config value names file and line" \
	'[ $? -eq 1 ] && grep -q "bad.yaml:2: stream.midstream" "$tmp/cerr"'
printf 'a: [1, 2\n' >"$tmp/syntax.yaml"
"$M" -T -c "$tmp/syntax.yaml" >/dev/null 2>"$tmp/serr"
check "YAML syntax error names the file" '[ $? -eq 1 ] && grep -q "syntax.yaml:" "$tmp/serr"'

"$M" -k sometimes -r "$S/pcaps" -l "$tmp" >/dev/null 2>&1
check "bad -k is a usage error" '[ $? -eq 2 ]'
"$M" --no-such-option >/dev/null 2>&1
check "unknown option is a usage error" '[ $? -eq 2 ]'
"$M" -r "$tmp/missing.pcap" -l "$tmp" 2>"$tmp/rerr"
check "missing capture: exit 1 with its name" '[ $? -eq 1 ] && grep -q missing.pcap "$tmp/rerr"'
"$M" -r "$S/pcaps" -l "$tmp/nodir" 2>"$tmp/lerr"
check "missing log directory: exit 1 with its name" '[ $? -eq 1 ] && grep -q nodir "$tmp/lerr"'

# Progress line: only on a terminal (script(1) gives one).
mkdir -p "$tmp/o1" "$tmp/o2"
"$M" -r "$S/pcaps" -l "$tmp/o1" -k none 2>"$tmp/notty"
check "no progress line when stderr is not a terminal" '[ ! -s "$tmp/notty" ]'
if command -v script >/dev/null; then
	script -qec "$M -r $S/pcaps -l $tmp/o2 -k none" /dev/null >"$tmp/tty" 2>&1
	check "progress line on a terminal" 'grep -q "medids: file .* pkts .* MB/s" "$tmp/tty"'
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
