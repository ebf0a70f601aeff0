#!/usr/bin/env bash
# tests/integration/trace_live.sh: hello-trace live in a private namespace: the hello exchange, the server's kernel TIME_WAIT, pcap, schema, offline replay, no tracefs instance left.
. "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

B=$HELLO_BIN
CHECK="$HELLO_ROOT/tests/integration/trace_live_check.py"
SCHEMA="$HELLO_ROOT/docs/trace.schema.json"
INSTANCES=/sys/kernel/tracing/instances
# The tracepoint is system-wide: a port no other suite uses (see tests/integration/trace_live*.sh).
t_port	# the tracepoint is system-wide: ports no other suite on this host traces now
for p in hello-trace hello-tcp-server hello-tcp-client; do
	[ -x "$B/$p" ] || t_skip "$B/$p is not built"
done
command -v tcpdump >/dev/null || t_skip "tcpdump not found"

T=$(mktemp -d /tmp/trace_live.XXXXXX)
TPID=""

# Whatever happens, the tracer stops and its tracefs instance goes.
live_cleanup() {
	[ -n "$TPID" ] && [ -d "$INSTANCES/hellolab-$TPID" ] && sleep 0.5
	[ -n "$TPID" ] && [ -d "$INSTANCES/hellolab-$TPID" ] && rmdir "$INSTANCES/hellolab-$TPID" 2>/dev/null
	rm -rf "$T"
}
t_on_exit live_cleanup

# The python checker: one check per line (t_checker).
run_checks() { t_checker "$1" "$PYTHON" "$CHECK" "$@"; }

# --duration: even if this script is SIGKILLed, the tracer ends (and its guard removes
# the tracefs instance) on its own.
t_bg "$B/hello-trace" -i lo -w "$T/trace.pcap" -o "$T/trace.json" --ready-file "$T/ready" \
	--duration 60 "tcp port $PORT" 2>"$T/trace.err"
TPID=$!
t_check "hello-trace is ready (ready file)" t_wait_file "$T/ready" "$TPID"

t_bg "$B/hello-tcp-server" --once --port "$PORT" >"$T/server.log" 2>&1
SPID=$!
t_check "server listens on $PORT" t_wait_port "$PORT"
run_client() { timeout 10 "$B/hello-tcp-client" --port "$PORT" >"$T/client.log" 2>&1; }
t_check "client runs the exchange" run_client
t_wait_bg "$SPID"	# --once: it ends by itself, exit 0
# The kernel holds the server's TIME_WAIT now; stopped, the tracer polls sock_diag once
# more and drains the tracepoint and the capture, so nothing needs to wait for a tick.
tw_seen() { ss -Htan state time-wait "sport = :$PORT" | grep -q .; }
t_check "ss shows the server's TIME_WAIT" tw_seen
t_check "every connection on $PORT is over (FINs answered)" t_wait_closed "$PORT"

t_stop "$TPID" INT	# a live capture stopped by SIGINT has done its job: exit 0
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

t_done
