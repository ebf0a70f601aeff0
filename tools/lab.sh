#!/usr/bin/env bash
# tools/lab.sh: what `make lab` runs: `hello-lab run tcp-hello` (private network namespaces,
# trace, diagrams, checked expectations; not root, in a user namespace), then where the files
# are. When the kernel gives an ordinary user no user namespace (or without hello-lab): the
# plain hello exchange over TCP then UDP, both sides' output labelled, on the host's loopback
# 127.0.0.1:9999 (or --port N), saying that it is not isolated and what the full lab needs.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${HELLO_BIN:-$PWD/bin}
PORT=9999
OUT=out/tcp-hello OUT_GIVEN=0

usage() {
	echo "usage: tools/lab.sh [--port N] [--out DIR]   (run by make lab; DIR: out/tcp-hello)"
	echo "exit codes: 0 every step worked, 1 a step failed, 2 usage error"
}
while [ $# -gt 0 ]; do
	case "$1" in
	--port) [ $# -ge 2 ] || { usage >&2; exit 2; }; PORT=$2; shift 2 ;;
	--port=*) PORT=${1#--port=}; shift ;;
	--out) [ $# -ge 2 ] || { usage >&2; exit 2; }; OUT=$2 OUT_GIVEN=1; shift 2 ;;
	--out=*) OUT=${1#--out=} OUT_GIVEN=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "tools/lab.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
case "$PORT" in '' | *[!0-9]*) echo "tools/lab.sh: bad port '$PORT'" >&2; exit 2 ;; esac

for p in hello-tcp-server hello-tcp-client hello-udp-server hello-udp-client; do
	[ -x "$BIN/$p" ] || { echo "lab: $BIN/$p is missing; run make first" >&2; exit 1; }
done

# A checkout the user may not write to (a shared install, a root's clone): the run goes to a
# new folder of the user's own, said below, rather than failing on out/.
if [ $OUT_GIVEN = 0 ] && ! { mkdir -p out 2>/dev/null && [ -w out ]; }; then
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/hellolab-lab.XXXXXX")/tcp-hello || exit 1
	echo "== make lab: $PWD/out is not yours to write; the run goes to $OUT"
fi

# The real lab. hello-lab makes and removes its own namespaces; not root, it first enters a
# user namespace of its own, and exits 5 when the kernel gives none.
if [ -z "${HELLO_LAB_NETNS:-}" ] && [ -x "$BIN/hello-lab" ]; then
	"$BIN/hello-lab" run tcp-hello --port "$PORT" --out "$OUT"
	rc=$?
	if [ $rc != 5 ]; then
		echo
		echo "== make lab: the run is in $OUT/: trace.json, trace.pcap (Wireshark),"
		echo "   ladder.txt / ladder.svg / ladder.mmd / report.html (diagrams), result.json."
		echo "   Next: bin/hello-lab list; bin/hello-lab show tcp-hello; bin/hello-lab run NAME"
		exit $rc
	fi
fi
if [ "$(id -u)" != 0 ]; then
	echo "== make lab: the full lab (hello-lab: private namespaces, trace, diagrams, checks)"
	echo "   needs a user namespace, which this kernel does not give an ordinary user"
	echo "   (docs/labs.md, 'Without root'), or root: sudo make lab."
	echo "   Meanwhile, the plain exchange on this host:"
fi

# Root without hello-lab: re-run this script inside a new network namespace, once. The namespace ends with
# its last process, so an interrupted lab leaves nothing behind.
if [ "$(id -u)" = 0 ] && [ -z "${HELLO_LAB_NETNS:-}" ]; then
	if command -v unshare >/dev/null && command -v ip >/dev/null; then
		HELLO_LAB_NETNS=1 HELLO_LAB_OUTER=$(readlink /proc/self/ns/net) \
			exec unshare -n -- bash "$0" --port "$PORT"
	fi
	echo "lab: unshare or ip not found; running without isolation" >&2
fi

if [ -n "${HELLO_LAB_NETNS:-}" ]; then
	if [ "$(readlink /proc/self/ns/net)" = "${HELLO_LAB_OUTER:-}" ]; then
		echo "lab: not in a new network namespace; refusing to go on" >&2
		exit 1
	fi
	ip link set lo up || { echo "lab: cannot bring lo up in the namespace" >&2; exit 1; }
	echo "== hello lab: in a private network namespace ($(readlink /proc/self/ns/net)), only loopback, port $PORT"
else
	echo "== hello lab: NOT isolated (not root): on this host's loopback 127.0.0.1:$PORT;"
	echo "   other traffic on the port would mix in. Run as root for a private namespace."
	if ss -Htuln "sport = :$PORT" 2>/dev/null | grep -q .; then
		echo "lab: port $PORT is in use on this host; pick another with --port N" >&2
		exit 1
	fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hello-lab.XXXXXX") || exit 1
SERVER_PID=""
cleanup() {
	# Only this script's own shell: a copy forked for `prog &` runs these traps until it
	# has exec'd prog, and a signal sent to it then must not clean up under the running script.
	[ "$BASHPID" = "$$" ] || return 0
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILED=0
fail() { echo "lab: FAILED: $*"; FAILED=1; }

# wait_port PROTO: until the server listens (bounded: 5 s).
wait_port() {
	local flag=-tln i=0
	[ "$1" = udp ] && flag=-uln
	while [ $i -lt 100 ]; do
		ss -H $flag "sport = :$PORT" 2>/dev/null | grep -q . && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# stop_server [wait]: with "wait", lets a --once server finish by itself (bounded).
stop_server() {
	local i=0
	if [ "${1:-}" = wait ]; then
		while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID"
	SERVER_RC=$?
	SERVER_PID=""
}

show() { sed "s/^/  $1 | /" "$2"; }

# run_pair PROTO SERVER-ARGS -- CLIENT-ARGS: one exchange, both sides printed.
run_pair() {
	local proto=$1 sargs=() cargs=() rc
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	cargs=("$@")
	echo
	echo "== $proto: hello-$proto-server ${sargs[*]}   <->   hello-$proto-client ${cargs[*]}"
	"$BIN/hello-$proto-server" --port "$PORT" "${sargs[@]}" >"$TMP/server" 2>&1 &
	SERVER_PID=$!
	wait_port "$proto" || fail "hello-$proto-server did not start listening on port $PORT"
	timeout -k 2 10 "$BIN/hello-$proto-client" --port "$PORT" "${cargs[@]}" >"$TMP/client" 2>&1
	rc=$?
	if [ "$proto" = tcp ]; then stop_server wait; else stop_server; fi
	echo "-- client (exit $rc):"
	show client "$TMP/client"
	echo "-- server (exit $SERVER_RC):"
	show server "$TMP/server"
	[ $rc = 0 ] || fail "hello-$proto-client exited $rc"
	# 143: stopped by our SIGTERM after a clean shutdown (a server's job never ends).
	case $SERVER_RC in 0 | 143) ;; *) fail "hello-$proto-server exited $SERVER_RC" ;; esac
}

run_pair tcp --once -- Michael Tracy Sarah
echo
echo "== ss -tan: the server sent the first FIN (it closes after 'exit'), so the server's"
echo "   side (local port $PORT) holds TIME-WAIT for 60 s:"
sleep 0.1
if [ -n "${HELLO_LAB_NETNS:-}" ]; then
	ss -tan | sed 's/^/  /'
else
	ss -tan "( sport = :$PORT or dport = :$PORT )" | sed 's/^/  /'
fi
ss -Htan state time-wait "sport = :$PORT" | grep -q . ||
	fail "no TIME-WAIT socket on the server's port $PORT"

run_pair udp -- Michael Tracy Sarah

echo
if [ $FAILED = 0 ]; then
	echo "== hello lab: done, every step worked."
else
	echo "== hello lab: some steps FAILED (see above)."
fi
exit $FAILED
