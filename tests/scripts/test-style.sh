#!/usr/bin/env bash
# test-style.sh - house style checks (DESIGN.md): clang-format, file and
# function length, a purpose comment atop each file, and in parsers/ no
# direct indexing of input and no printing.
set -u
cd "${MD_SRCDIR:-$(dirname "$0")/../..}" || exit 1
fail=0
say() { printf '%s\n' "$*"; }

mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null ||
	find src plugin parsers tests bench -name '*.[ch]')

command -v clang-format >/dev/null || { say "clang-format missing"; exit 77; }
for f in "${files[@]}"; do
	case "$f" in *-tab.c) continue ;; esac
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		say "not clang-formatted: $f (run clang-format -i $f)"
		fail=1
	fi
	n=$(wc -l <"$f")
	if [ "$n" -gt 1500 ] && [[ "$f" != tests/* ]]; then
		say "$f: $n lines (at most 1500; aim at 800)"
		fail=1
	fi
	if ! head -c 2 "$f" | grep -q '/\*'; then
		say "$f: does not open with a comment saying what it is"
		fail=1
	fi
done

# Functions longer than 100 lines (brace at column 0 to brace at column 0).
for f in "${files[@]}"; do
	[[ "$f" == tests/* || "$f" == *-tab.c ]] && continue
	awk -v f="$f" '
		/^[a-zA-Z].*\)$/ || /^[a-zA-Z].*\) *\{$/ { name = $0 }
		/^\{/ { start = NR }
		/^\}/ && start { if (NR - start > 100) { printf "%s:%d: function of %d lines: %s\n", f, start, NR - start, name; bad = 1 } start = 0 }
		END { exit bad }' "$f" || fail=1
done

# Parsers read input only through md-rd.h and never print.
if [ -d parsers ]; then
	if grep -rnE '\b(buf|data|input|payload|p)\[[^]]+\]' parsers --include='*.c' | grep -v md_rd; then
		say "parsers/ index input bytes directly: use plugin/md-rd.h"
		fail=1
	fi
	if grep -rnE '\b(printf|fprintf|puts|perror)\s*\(' parsers --include='*.c'; then
		say "parsers/ must not print: report to the sink"
		fail=1
	fi
fi
exit $fail
