#!/usr/bin/env bash
# tests/integration/trace_live.sh: hello-trace live in a private namespace: the hello exchange, the server's kernel TIME_WAIT, pcap, schema, offline replay, no tracefs instance left.
. "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

B=$HELLO_BIN
CHECK="$HELLO_ROOT/tests/integration/trace_live_check.py"
SCHEMA="$HELLO_ROOT/docs/trace.schema.json"
INSTANCES=/sys/kernel/tracing/instances
# The tracepoint is system-wide: a port no other suite uses (see tests/integration/trace_live*.sh).
PORT=19999
for p in hello-trace hello-tcp-server hello-tcp-client; do
	[ -x "$B/$p" ] || t_skip "$B/$p is not built"
done
command -v tcpdump >/dev/null || t_skip "tcpdump not found"

T=$(mktemp -d /tmp/trace_live.XXXXXX)
TPID=""

# Whatever happens, the tracer stops and its tracefs instance goes.
live_cleanup() {
	if [ -n "$TPID" ] && kill -0 "$TPID" 2>/dev/null; then
		kill -INT "$TPID" 2>/dev/null
		for _ in $(seq 40); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$TPID" 2>/dev/null
	fi
	[ -n "$TPID" ] && [ -d "$INSTANCES/hellolab-$TPID" ] && sleep 0.5
	[ -n "$TPID" ] && [ -d "$INSTANCES/hellolab-$TPID" ] && rmdir "$INSTANCES/hellolab-$TPID" 2>/dev/null
	t_cleanup
	rm -rf "$T"
}
trap live_cleanup EXIT

# Runs the python checker and turns its lines into t_ok / t_fail; SKIP lines are kept.
SKIPPED=""
run_checks() {
	local line
	while IFS= read -r line; do
		case "$line" in
		ok:*) t_ok "${line#ok: }" ;;
		FAIL:*) t_fail "${line#FAIL: }" ;;
		SKIP:*) SKIPPED="${line#SKIP: }"; echo "$line" ;;
		*) t_fail "checker: $line" ;;
		esac
	done < <("$PYTHON" "$CHECK" "$@" 2>&1)
}

# wait_file PATH PID: until PATH exists (5 s at most) while PID lives.
wait_file() {
	for _ in $(seq 100); do
		[ -e "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# wait_gone PID SECONDS
wait_gone() {
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# --duration: even if this script is SIGKILLed, the tracer ends (and its guard removes
# the tracefs instance) on its own.
"$B/hello-trace" -i lo -w "$T/trace.pcap" -o "$T/trace.json" --ready-file "$T/ready" \
	--duration 60 "tcp port $PORT" 2>"$T/trace.err" &
TPID=$!
t_check "hello-trace is ready (ready file)" wait_file "$T/ready" "$TPID"

"$B/hello-tcp-server" --once --port "$PORT" >"$T/server.log" 2>&1 &
SPID=$!
t_check "server listens on $PORT" t_wait_port "$PORT"
run_client() { timeout 10 "$B/hello-tcp-client" --port "$PORT" >"$T/client.log" 2>&1; }
t_check "client runs the exchange" run_client
t_check "server (--once) exits 0" wait_gone "$SPID" 5
wait "$SPID" 2>/dev/null
# The tracer polls sock_diag every tick: let it see the server's TIME_WAIT start.
tw_seen() { ss -Htan state time-wait "sport = :$PORT" | grep -q .; }
t_check "ss shows the server's TIME_WAIT" tw_seen
sleep 0.3

kill -INT "$TPID"
if wait_gone "$TPID" 10; then
	wait "$TPID"
	rc=$?
	t_check "hello-trace stops on SIGINT with 0 or 130 (got $rc)" test "$rc" = 0 -o "$rc" = 130
else
	t_fail "hello-trace did not stop within 10 s of SIGINT"
fi
sed 's/^/  hello-trace: /' "$T/trace.err"
t_check "no tracefs instance of ours is left" test ! -e "$INSTANCES/hellolab-$TPID"
stale=""
for d in "$INSTANCES"/hellolab-*; do
	[ -d "$d" ] || continue
	kill -0 "${d##*-}" 2>/dev/null || stale="$stale ${d##*/}"
done
t_check "no stale hellolab-* instance (${stale:-none})" test -z "$stale"

if [ ! -s "$T/trace.json" ]; then
	t_fail "trace.json written"
	t_done
fi
run_checks live "$T/trace.json" "$PORT" lo

n=$(tcpdump -nr "$T/trace.pcap" 2>/dev/null | wc -l)
seen=$("$PYTHON" "$CHECK" field "$T/trace.json" capture.packets_seen)
t_check "tcpdump -r reads the pcap ($n packets, trace says $seen)" test "$n" -ge 10 -a "$n" = "$seen"

t_check "offline: hello-trace -r the live pcap" \
	"$B/hello-trace" -r "$T/trace.pcap" -o "$T/offline.json" "tcp port $PORT"
[ -s "$T/offline.json" ] && run_checks offline "$T/trace.json" "$T/offline.json" "$PORT"

if [ -f "$SCHEMA" ]; then
	run_checks schema "$SCHEMA" "$T/trace.json" "$T/offline.json"
else
	t_fail "$SCHEMA exists"
fi

if [ -n "$SKIPPED" ] && [ "$T_FAILS" -eq 0 ]; then
	t_skip "kernel view: $SKIPPED"
fi
t_done
