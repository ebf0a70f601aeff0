#!/usr/bin/env bash
# tests/integration/service_timewait.sh: who closes first decides who holds TIME-WAIT;
# --linger0 replaces TIME-WAIT with a reset; --no-reuseaddr cannot rebind over TIME-WAIT.
# Runs in its own network namespace: its TIME-WAIT sockets die with it, no 60 s wait.
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup --need-netns "$@"
command -v ss >/dev/null || t_skip "ss not found (iproute2)"
command -v tcpdump >/dev/null || t_skip "tcpdump not found"

# Each case needs a clean slate: TIME-WAIT sockets of one case would be counted by the
# next. There is no way to flush them (that is the point of TIME-WAIT), so each case uses
# its own server port, and the counts filter by it.
BASE=$PORT

# tw_case N: selects port BASE+N for the case.
tw_case() { PORT=$((BASE + $1)); }

# rst_capture_start / rst_capture_stop: counts RST segments on lo for the case's port (RSTS).
rst_capture_start() {
	t_bg tcpdump -i lo -nn -l -U "tcp port $PORT and tcp[tcpflags] & tcp-rst != 0" \
		>"$T/rst-$PORT.txt" 2>"$T/rst-$PORT.err"
	RST_PID=$!
	local i=0
	while ! grep -q 'listening on' "$T/rst-$PORT.err" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
rst_capture_stop() {	# sets RSTS
	sleep 0.2
	t_stop "$RST_PID"
	RSTS=$(grep -c 'Flags \[R' "$T/rst-$PORT.txt")
}

ss_show() { echo "  ss -tan:"; ss -tan | sed 's/^/  | /'; }

# 1. Default raw exchange ending in exit: the server closes first (active closer), so the
# TIME-WAIT socket is the one whose local port is the server's.
tw_case 0
svc_tcp_server "$T/s1.log" --once || t_fail "server listens"
svc_run "$T/c1.out" "$TCPC" --port "$PORT"
t_check "default exchange: client exit 0" svc_code $? 0
t_wait_bg "$SVC_SERVER_PID" 3
t_check "--once: the server exits 0 after one connection" svc_code $? 0
n_local=$(svc_tw_local); n_remote=$(ss -Htan state time-wait "dport = :$PORT" | grep -c .)
ss_show
t_check "default: TIME-WAIT on the server's side (local port $PORT)" [ "$n_local" = 1 ]
t_check "default: no TIME-WAIT on the client's side" [ "$n_remote" = 0 ]
t_check "default: the server logs its close after exit with a FIN" svc_has "$T/s1.log" "reason=exit how=fin"

# 2. --no-reuseaddr while that TIME-WAIT socket remains: bind fails, exit 1.
svc_run "$T/s2.out" "$TCPS" --port "$PORT" --no-reuseaddr --once
rc=$?
t_check "--no-reuseaddr over TIME-WAIT: exit 1" svc_code "$rc" 1
t_check "--no-reuseaddr over TIME-WAIT: 'Address already in use'" \
	svc_has "$T/s2.out" "Address already in use"
t_check "the error names the address" svc_has "$T/s2.out" "127.0.0.1:$PORT"
# With the default (SO_REUSEADDR) the restart succeeds and serves.
svc_tcp_server "$T/s2b.log" --once
t_check "default restart over TIME-WAIT: the server listens" [ $? = 0 ]
svc_run "$T/c2b.out" "$TCPC" --port "$PORT" Again
t_check "default restart over TIME-WAIT: it serves" svc_has "$T/c2b.out" "Hello, Again!"
t_stop "$SVC_SERVER_PID"

# 3. --close-first: the client closes without sending exit, so it holds TIME-WAIT.
tw_case 1
svc_tcp_server "$T/s3.log" || t_fail "server listens"
svc_run "$T/c3.out" "$TCPC" --port "$PORT" --close-first
t_check "--close-first: client exit 0" svc_code $? 0
n_remote=$(svc_tw_remote); n_local=$(ss -Htan state time-wait "sport = :$PORT" | grep -c .)
ss_show
t_check "--close-first: TIME-WAIT on the client's side (peer port $PORT)" [ "$n_remote" = 1 ]
t_check "--close-first: no TIME-WAIT on the server's side" [ "$n_local" = 0 ]
t_stop "$SVC_SERVER_PID"

# 3b. --close-after-exit (the tutorial's client, literally) against a server that sleeps
# before each message (the tutorial's server): the client's FIN leaves while the server
# still sleeps over exit, so the client closes first and holds TIME-WAIT.
tw_case 4
svc_tcp_server "$T/s3b.log" --delay 50 || t_fail "server listens"
svc_run "$T/c3b.out" "$TCPC" --port "$PORT" --close-after-exit Ann
t_check "--close-after-exit: client exit 0" svc_code $? 0
n_remote=$(svc_tw_remote); sleep 0.2
n_local=$(ss -Htan state time-wait "sport = :$PORT" | grep -c .)
ss_show
t_check "--close-after-exit vs --delay: TIME-WAIT on the client's side" [ "$n_remote" = 1 ]
t_check "--close-after-exit vs --delay: none on the server's side" [ "$n_local" = 0 ]
t_stop "$SVC_SERVER_PID"

# 4. Server --linger0: the server is the closer, but aborts with RST: no TIME-WAIT
# anywhere, and the client (the tutorial's, waiting for the close) sees a reset.
tw_case 2
rst_capture_start
svc_tcp_server "$T/s4.log" --linger0 || t_fail "server listens"
svc_run "$T/c4.out" svc_py tutorial_tcp_client --port "$PORT" --wait-close --repr Zed
rst_capture_stop
ss_show
t_check "server --linger0: the client sees a reset" svc_has "$T/c4.out" "RESET"
t_check "server --linger0: a RST is on the wire" [ "$RSTS" -ge 1 ]
t_check "server --linger0: no TIME-WAIT on either side" [ "$(svc_tw_any_port)" = 0 ]
# Our own client reports it too (reading until the server's close, it gets the reset).
svc_run "$T/c4b.out" "$TCPC" --port "$PORT"
t_check "server --linger0: our client reports 'Connection reset by peer'" \
	svc_has "$T/c4b.out" "Connection reset by peer"
t_check "server --linger0: the server logs its close as a reset" svc_has "$T/s4.log" "how=rst"
t_check "server --linger0: still no TIME-WAIT" [ "$(svc_tw_any_port)" = 0 ]
t_stop "$SVC_SERVER_PID"

# 5. Client --linger0 --close-first: the client is the closer and aborts with RST: no
# TIME-WAIT, and the server (the tutorial's, blocked in recv) sees a reset.
tw_case 3
rst_capture_start
t_bg "$PYTHON" "$PEERS/tutorial_tcp_server.py" --port "$PORT" --once --timeout 8 >"$T/py5.log" 2>&1
pypid=$!
t_wait_port "$PORT" tcp 5 || t_fail "tutorial server listens"
svc_run "$T/c5.out" "$TCPC" --port "$PORT" --linger0 --close-first
t_check "client --linger0 --close-first: client exit 0" svc_code $? 0
t_wait_bg "$pypid"
rst_capture_stop
ss_show
t_check "client --linger0: the server sees a reset" svc_has "$T/py5.log" "RESET"
t_check "client --linger0: a RST is on the wire" [ "$RSTS" -ge 1 ]
t_check "client --linger0: no TIME-WAIT on either side" [ "$(svc_tw_any_port)" = 0 ]
# And our server logs the reset without dying: it answers the next client.
svc_tcp_server "$T/s5.log" || t_fail "server listens"
svc_run "$T/c5b.out" "$TCPC" --port "$PORT" --linger0 --close-first
svc_run "$T/c5c.out" "$TCPC" --port "$PORT" Next
t_check "our server survives a client's reset and serves the next" svc_has "$T/c5c.out" "Hello, Next!"
t_check "our server logs the client's reset" svc_has "$T/s5.log" "Connection reset by peer"
t_stop "$SVC_SERVER_PID"

t_done
