# shellcheck shell=bash
# tests/peers/service_lib.sh: helpers shared by the hello service suites (service_*.sh).
# Sourced after tests/lib/common.sh. As root every suite runs in its own network namespace
# on the default port 9999; otherwise on a random high port of the host's loopback, and
# the checks that need isolation (TIME-WAIT) skip.

PEERS="$HELLO_ROOT/tests/peers"
TCPS="$HELLO_BIN/hello-tcp-server"
TCPC="$HELLO_BIN/hello-tcp-client"
UDPS="$HELLO_BIN/hello-udp-server"
UDPC="$HELLO_BIN/hello-udp-client"
# Every client run is bounded: a hang becomes a failed check, not a stuck suite.
SVC_TIMEOUT=${SVC_TIMEOUT:-10}

# svc_setup [--need-netns] "$@": enters a private namespace when root, picks PORT, makes
# the scratch directory $T (removed on exit, also when killed).
svc_setup() {
	local need=0
	if [ "${1:-}" = --need-netns ]; then need=1; shift; fi
	if [ "$(id -u)" = 0 ]; then
		t_netns "$@"
		PORT=9999
	else
		[ $need = 1 ] && t_skip "needs root for a private network namespace"
		PORT=$((20000 + RANDOM % 20000))
	fi
	T=$(mktemp -d "${TMPDIR:-/tmp}/hello-svc.XXXXXX") || exit 1
	t_on_exit 'rm -rf "$T"'
	local b
	for b in "$TCPS" "$TCPC" "$UDPS" "$UDPC"; do
		if [ ! -x "$b" ]; then
			t_fail "program $b is missing (run make)"
			t_done
		fi
	done
}

# svc_run OUT CMD...: runs a client with a time bound, stdout+stderr to OUT; returns its code.
svc_run() {
	local out=$1; shift
	# svc_py is a shell function, which timeout(1) cannot run: expand it here.
	if [ "$1" = svc_py ]; then set -- "$PYTHON" "$PEERS/$2.py" "${@:3}"; fi
	timeout -k 2 "$SVC_TIMEOUT" "$@" >"$out" 2>&1
}

# svc_tcp_server LOG ARGS...: starts hello-tcp-server in the background, waits for its port.
svc_tcp_server() {
	local log=$1; shift
	t_bg "$TCPS" --port "$PORT" "$@" >"$log" 2>&1
	SVC_SERVER_PID=$!
	t_wait_port "$PORT" tcp 5
}

# svc_udp_server LOG ARGS...
svc_udp_server() {
	local log=$1; shift
	t_bg "$UDPS" --port "$PORT" "$@" >"$log" 2>&1
	SVC_SERVER_PID=$!
	t_wait_port "$PORT" udp 5
}

# Servers end with t_stop (SIGTERM: exit 0) or t_wait_bg (--once), which check their exit
# status and output (tests/lib/common.sh).

# svc_py PEER ARGS...: runs a Python peer (tests/peers/PEER.py) with Debian's python.
svc_py() { local p=$1; shift; "$PYTHON" "$PEERS/$p.py" "$@"; }

# TIME-WAIT sockets whose local port (svc_tw_local) or peer port (svc_tw_remote) is PORT,
# waiting up to a second for the kernel to get there (the last ACK may still be in flight).
svc_tw_count() {
	local filter=$1 i=0 n=0
	while [ $i -lt 20 ]; do
		n=$(ss -Htan state time-wait "$filter" 2>/dev/null | grep -c .)
		[ "$n" -gt 0 ] && break
		sleep 0.05; i=$((i + 1))
	done
	echo "$n"
}
svc_tw_local() { svc_tw_count "sport = :$PORT"; }
svc_tw_remote() { svc_tw_count "dport = :$PORT"; }
# svc_tw_any: TIME-WAIT sockets of any kind right now (no wait: used to assert none).
svc_tw_any() { ss -Htan state time-wait 2>/dev/null | grep -c .; }

# svc_has FILE TEXT: FILE holds TEXT as a fixed string (shows the file when it does not).
svc_has() {
	if grep -qF -- "$2" "$1"; then return 0; fi
	echo "  (expected '$2' in $1:)"; sed 's/^/  | /' "$1" | head -20
	return 1
}
# svc_lacks FILE TEXT
svc_lacks() {
	if ! grep -qF -- "$2" "$1"; then return 0; fi
	echo "  (did not expect '$2' in $1:)"; sed 's/^/  | /' "$1" | head -20
	return 1
}
# svc_same FILE EXPECTED-TEXT: FILE equals the text exactly.
svc_same() {
	if [ "$(cat "$1")" = "$2" ]; then return 0; fi
	echo "  (expected:)"; printf '%s\n' "$2" | sed 's/^/  | /'
	echo "  (got:)"; sed 's/^/  | /' "$1" | head -20
	return 1
}
# svc_code GOT WANT: an exit code check that says what came instead.
svc_code() {
	[ "$1" = "$2" ] && return 0
	echo "  (exit code $1, expected $2)"
	return 1
}
# svc_tw_any_port: TIME-WAIT sockets on PORT (either side) right now, after the last ACK
# had time to land (used to assert there are none).
svc_tw_any_port() {
	sleep 0.2
	ss -Htan state time-wait "( sport = :$PORT or dport = :$PORT )" 2>/dev/null | grep -c .
}
