# out-lib.sh - shell helpers sourced by tests/scripts/test-output-*.sh:
# installing what a test needs, a long replay made of the capture corpus,
# a private redis-server on a loopback port, and result checks.
# Callers set MEDIDS, MD_SRCDIR and `tmp` (their temporary directory).

PY=/usr/bin/python3
OUTUTIL=$MD_SRCDIR/tests/tools/out-util.py
VALIDATE=$MD_SRCDIR/tests/scripts/eve-validate.py
PCAPS=$MD_SRCDIR/pcaps

# need_cmd CMD PKG: install Debian package PKG when CMD is missing (as
# root), else exit 77 (skip).
need_cmd() {
	command -v "$1" >/dev/null && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
		echo "installing $2"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "$2" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
					--no-install-recommends "$2" >/dev/null 2>&1; }
	fi
	command -v "$1" >/dev/null || { echo "SKIP: $1 ($2) not installed"; exit 77; }
}

# feed_start FIFO ROUNDS SECONDS: make FIFO and feed it the capture corpus
# ROUNDS times over about SECONDS (out-util.py feed), in the background;
# give FIFO to medids -r. Sets feed_pid.
feed_start() {
	mkfifo "$1"
	"$PY" "$OUTUTIL" feed "$1" "$2" "$3" &
	feed_pid=$!
}

# free_port: a TCP port free on 127.0.0.1 now.
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# redis_start DIR PORT: redis-server on 127.0.0.1:PORT, data in DIR, every
# write fsynced to its append-only file before the reply (so a record
# Redis acknowledged survives kill -9). Sets redis_pid.
redis_start() {
	mkdir -p "$1"
	redis-server --bind 127.0.0.1 --port "$2" --dir "$1" --save '' \
		--appendonly yes --appendfsync always --daemonize no \
		--logfile "$1/redis.log" &
	redis_pid=$!
	local i
	for i in $(seq 1 100); do
		redis-cli -p "$2" ping 2>/dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	echo "FAIL: redis-server did not start on port $2"
	cat "$1/redis.log"
	exit 1
}

redis_stop() {
	[ -n "${redis_pid:-}" ] || return 0
	kill "$redis_pid" 2>/dev/null
	wait "$redis_pid" 2>/dev/null
	redis_pid=
}

# lines FILE: number of records (lines) in FILE.
lines() { wc -l <"$1" | tr -d ' '; }

# validate FILE...: every record passes the EVE schema.
validate() {
	"$PY" "$VALIDATE" -q "$@" || { echo "FAIL: records do not validate: $*"; return 1; }
}
