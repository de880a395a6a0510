#!/usr/bin/env bash
# test-plugin-astm.sh - an out-of-tree protocol plugin, end to end:
#   1. configure a fresh build of this tree under a temporary directory
#      with --prefix there, `make install`;
#   2. copy plugin/examples/astm/ elsewhere and build it from that prefix
#      alone (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig), `make install` it into
#      the plugindir medids-plugin.pc names;
#   3. the installed medids loads it with --plugin (and through
#      medids.yaml's plugins:) and shows it in --list-app-layer-protos,
#      --list-keywords and --build-info;
#   4. captures written by tests/plugins/make-astm-pcaps.py (an analyser
#      and an LIS following ASTM E1381/E1394, also one byte per segment; a
#      bad checksum; a NAK storm;
#      one connection per anomaly) are replayed with the plugin's rules,
#      the example rules and tests/plugins/astm-test.rules: the astm
#      records, alerts and anomalies must be exactly the expected ones
#      (tests/plugins/check-astm-eve.py), and every record must validate
#      against the EVE schema with the plugin's installed overlay (and
#      fail without it).
set -u
S=${MD_SRCDIR:?}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }
die() { echo "not ok - $1"; [ -f "${2:-}" ] && tail -n 30 "$2"; exit 1; }

for c in cc make pkg-config; do
	command -v $c >/dev/null || { echo "SKIP: $c missing"; exit 77; }
done
[ -x "$S/configure" ] || die "no $S/configure: run ./dev build first"

# 1. A fresh build installed into a temporary prefix.
P=$tmp/prefix
mkdir -p "$tmp/build"
(cd "$tmp/build" && "$S/configure" --prefix="$P" CFLAGS="-O1" &&
	make -j2 && make install) >"$tmp/install.log" 2>&1 ||
	die "configure, make, make install into $P" "$tmp/install.log"
M=$P/bin/medids
for f in include/medids/md-parser.h include/medids/md-rd.h \
	include/medids/md-plugin.h lib/pkgconfig/medids-plugin.pc bin/medids; do
	[ -f "$P/$f" ] || no "installed $f"
done
export PKG_CONFIG_PATH=$P/lib/pkgconfig
check "medids-plugin.pc gives the installed headers" \
	'[ "$(pkg-config --cflags medids-plugin | xargs)" = "-I$P/include/medids" ]'

# 2. The example, built away from the source tree with the prefix alone.
cp -r "$S/plugin/examples/astm" "$tmp/astm"
rm -f "$tmp/astm"/*.o "$tmp/astm/astm.so"
make -C "$tmp/astm" >"$tmp/plugin.log" 2>&1 || die "build the astm plugin" "$tmp/plugin.log"
check "the plugin compiles with -I$P/include/medids only, never the source tree" \
	'grep -q -- "-I$P/include/medids" "$tmp/plugin.log" && ! grep -qF "$S" "$tmp/plugin.log" &&
	 grep -q -- "-shared -fPIC" "$tmp/plugin.log"'
make -C "$tmp/astm" install >>"$tmp/plugin.log" 2>&1 || die "make install the plugin" "$tmp/plugin.log"
D=$P/lib/medids/plugins
SO=$D/astm.so
check "make install put astm.so, its rules and its overlay in $D" \
	'[ -f "$SO" ] && [ -f "$D/astm-events.rules" ] && [ -f "$D/eve-schema.json" ]'
syms=$(nm -D --defined-only "$SO" | awk '{print $3}' | grep -v '^_' | xargs)
check "astm.so exports md_plugin_register only ($syms)" '[ "$syms" = md_plugin_register ]'

# 3. Loaded and listed.
"$M" --plugin "$SO" --list-app-layer-protos >"$tmp/protos" 2>&1
check "--list-app-layer-protos shows astm" 'grep -q "^astm .*E1381" "$tmp/protos"'
"$M" --plugin "$SO" --list-keywords >"$tmp/kw" 2>&1
for k in sender record_type test_id result_value specimen_id; do
	grep -q "^astm\.$k " "$tmp/kw" || no "--list-keywords lists astm.$k"
done
check "--list-keywords lists the astm keywords (19) and events (13)" \
	'[ "$(grep -c "^astm\." "$tmp/kw")" = 19 ] && [ "$(grep -c "^app-layer-event:astm\." "$tmp/kw")" = 13 ]'
"$M" --plugin "$SO" --build-info >"$tmp/bi" 2>&1
check "--build-info names the plugin, its version, ABI and path" \
	'grep -q "^app-layer parsers: .*astm" "$tmp/bi" && grep -qF "plugin: astm 1.0.0 (ABI 1." "$tmp/bi" && grep -qF "from $SO" "$tmp/bi"'
cp "$P/etc/medids/medids.yaml" "$tmp/conf.yaml"
printf 'plugin-dir: %s\nplugins:\n  - astm.so\n' "$D" >>"$tmp/conf.yaml"
"$M" -c "$tmp/conf.yaml" -T >"$tmp/t" 2>"$tmp/terr"
check "plugins: in medids.yaml loads it with its rules (-T: $(cat "$tmp/t"))" \
	'[ ! -s "$tmp/terr" ] && grep -q " 0 failed" "$tmp/t" &&
	 [ "$(grep -o "[0-9]* rules loaded" "$tmp/t" | cut -d" " -f1)" -gt 13 ] &&
	 "$M" -c "$tmp/conf.yaml" --list-app-layer-protos | grep -q "^astm "'

# 4. Replays.
"$PY" "$S/tests/plugins/make-astm-pcaps.py" "$tmp/pcaps" || die "make-astm-pcaps.py"
head -c 32 /dev/urandom >"$tmp/phi.key"
# The shipped eve-log lists the event types it writes: add the plugin's.
"$PY" - "$P/etc/medids/medids.yaml" "$tmp/replay.yaml" <<'PYEOF' || die "replay.yaml"
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for o in c["outputs"]:
    if "eve-log" in o and "types" in o["eve-log"]:
        o["eve-log"]["types"].append("astm")
yaml.safe_dump(c, open(sys.argv[2], "w"))
PYEOF
for c in results results-split bad-checksum nak-storm anomalies; do
	out=$tmp/out-$c
	mkdir -p "$out"
	cp "$tmp/phi.key" "$out/phi.key"
	"$M" -c "$tmp/replay.yaml" -r "$tmp/pcaps/astm-$c.pcap" -l "$out" -k none --plugin "$SO" \
		-S "$tmp/astm/astm.rules" -S "$S/tests/plugins/astm-test.rules" \
		>"$out/stdout" 2>"$out/stderr"
	rc=$?
	check "$c: medids exits 0 without a message" '[ $rc -eq 0 ] && [ ! -s "$out/stderr" ]'
	"$PY" "$S/tests/plugins/check-astm-eve.py" "$c" "$out/eve.json" "$tmp/phi.key" >"$out/check" 2>&1
	rc=$?
	check "$(tail -n 1 "$out/check")" '[ $rc -eq 0 ]'
	[ $rc -eq 0 ] || cat "$out/check"
	"$PY" "$S/tests/scripts/eve-validate.py" --extra-overlay "$D/eve-schema.json" \
		"$out/eve.json" >"$out/valid" 2>&1
	rc=$?
	check "$c: EVE valid with the plugin's overlay ($(tail -n 1 "$out/valid"))" '[ $rc -eq 0 ]'
	[ $rc -eq 0 ] || cat "$out/valid"
	"$PY" "$S/tests/scripts/eve-validate.py" -q "$out/eve.json" >/dev/null 2>&1
	check "$c: and invalid without it" '[ $? -eq 1 ]'
done
check "no patient data in clear in eve.json (names, ids, birth date)" \
	'! grep -qF -e TEST^PATIENT -e PRAC0001 -e LAB0001 -e 19700101 "$tmp"/out-*/eve.json'

[ "$fails" -eq 0 ]
