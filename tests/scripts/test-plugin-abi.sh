#!/usr/bin/env bash
# test-plugin-abi.sh - the plugin ABI promise (plugin/md-plugin.h): a
# plugin stamped with another ABI major is refused with a message naming
# both versions while medids goes on with its other parsers (an HL7 and a
# DICOM capture still give their records), and stops under
# --init-errors-fatal; a plugin stamped with a newer minor loads; a .so
# without md_plugin_register() and a missing file are reported with the
# dlerror() text. The same through medids.yaml's plugin-dir and plugins:.
# The stamped plugins are built here from tests/plugins/abi-stamp.c.
set -u
M=${MEDIDS:?} S=${MD_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

command -v cc >/dev/null || { echo "SKIP: no C compiler"; exit 77; }
major=$(sed -n 's/^#define MD_PARSER_ABI_MAJOR \([0-9]*\)$/\1/p' "$S/plugin/md-parser.h")
minor=$(sed -n 's/^#define MD_PARSER_ABI_MINOR \([0-9]*\)$/\1/p' "$S/plugin/md-parser.h")
[ -n "$major" ] && [ -n "$minor" ] || { echo "no ABI version in md-parser.h"; exit 1; }

build() { # NAME CFLAGS...
	local name=$1
	shift
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I"$S/plugin" "$@" \
		-o "$tmp/$name.so" "$S/tests/plugins/abi-stamp.c" || exit 1
}
build next-major -DSTAMP_MAJOR=$((major + 1))
build next-minor -DSTAMP_MINOR=$((minor + 1))
build no-export -DSTAMP_NO_EXPORT

# replay OUT ARGS...: run medids over an HL7 and a DICOM capture.
replay() {
	local out=$tmp/$1
	shift
	mkdir -p "$out"
	mkdir -p "$out/in"
	cp "$S/pcaps/hl7-oru.pcap" "$S/pcaps/dicom-echo.pcap" "$out/in/"
	"$M" -r "$out/in" -l "$out" -k none "$@" >"$out/stdout" 2>"$out/stderr"
	echo $? >"$out/rc"
}
records() { # OUT EVENT_TYPE: number of records of that type
	grep -c "\"event_type\":\"$2\"" "$tmp/$1/eve.json" 2>/dev/null || true
}

want="plugin 'abistamp' built for ABI $((major + 1)).$minor, this medids has $major.$minor"
replay major --plugin "$tmp/next-major.so"
check "next major: refused, naming both versions ($want)" \
	'grep -qF "$want" "$tmp/major/stderr" && grep -q "continuing without it" "$tmp/major/stderr"'
check "next major: medids exits 0 and keeps its parsers (hl7 $(records major hl7), dicom $(records major dicom))" \
	'[ "$(cat "$tmp/major/rc")" = 0 ] && [ "$(records major hl7)" -ge 1 ] && [ "$(records major dicom)" -ge 1 ]'
check "next major: the HL7 message is decoded" \
	'grep -q "\"control_id\":\"SYNORU0001\"" "$tmp/major/eve.json"'
"$M" --plugin "$tmp/next-major.so" --list-app-layer-protos >"$tmp/protos" 2>/dev/null
check "next major: not listed, the built-in parsers are" \
	'! grep -q abistamp "$tmp/protos" && grep -q "^hl7 " "$tmp/protos" && grep -q "^dicom " "$tmp/protos"'

replay fatal --init-errors-fatal --plugin "$tmp/next-major.so"
check "next major with --init-errors-fatal: exit $(cat "$tmp/fatal/rc"), no records" \
	'[ "$(cat "$tmp/fatal/rc")" != 0 ] && grep -qF "$want" "$tmp/fatal/stderr" && [ ! -s "$tmp/fatal/eve.json" ]'

replay minor --plugin "$tmp/next-minor.so"
check "next minor: loads without a message, records as before" \
	'[ "$(cat "$tmp/minor/rc")" = 0 ] && [ ! -s "$tmp/minor/stderr" ] && [ "$(records minor hl7)" = "$(records major hl7)" ]'
"$M" --plugin "$tmp/next-minor.so" --build-info >"$tmp/bi" 2>&1
check "next minor: --build-info names it with its ABI $major.$((minor + 1))" \
	'grep -qF "plugin: abistamp 0.0.1 (ABI $major.$((minor + 1))) from $tmp/next-minor.so" "$tmp/bi"'
"$M" --plugin "$tmp/next-minor.so" --list-app-layer-protos >"$tmp/protos2" 2>&1
check "next minor: listed as a protocol" 'grep -q "^abistamp " "$tmp/protos2"'

replay noexp --plugin "$tmp/no-export.so" --plugin "$tmp/missing.so"
check "no md_plugin_register() and a missing file: dlerror texts, medids goes on" \
	'grep -q "no-export.so: no md_plugin_register(): .*undefined symbol: md_plugin_register" "$tmp/noexp/stderr" &&
	 grep -q "missing.so: .*cannot open shared object file" "$tmp/noexp/stderr" &&
	 [ "$(cat "$tmp/noexp/rc")" = 0 ] && [ "$(records noexp hl7)" -ge 1 ]'

# The same through medids.yaml: plugin-dir and plugins:.
printf 'plugin-dir: %s\nplugins:\n  - next-major.so\n  - next-minor.so\n' "$tmp" >"$tmp/conf.yaml"
"$M" -c "$tmp/conf.yaml" --list-app-layer-protos >"$tmp/cp" 2>"$tmp/cperr"
check "plugins: refuses the next major, loads the next minor" \
	'[ $? -eq 0 ] && grep -qF "$want" "$tmp/cperr" && grep -q "^abistamp " "$tmp/cp"'
"$M" -c "$tmp/conf.yaml" --init-errors-fatal --list-app-layer-protos >/dev/null 2>&1
check "plugins: with --init-errors-fatal the start stops" '[ $? -ne 0 ]'

[ "$fails" -eq 0 ]
