#!/usr/bin/env bash
# tests/integration/service_errors.sh: refused connections and missing UDP replies are
# reported with their cause and the documented exit codes (1 failed, 3 partial).
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup "$@"

# Nothing listens on PORT (in our namespace; or a random free port of the host).
if ss -Htuln "sport = :$PORT" | grep -q .; then t_skip "port $PORT is in use"; fi

# TCP: connect to a closed port.
svc_run "$T/tcp.out" "$TCPC" --port "$PORT"
rc=$?
t_check "tcp client to a closed port: exit 1" svc_code "$rc" 1
t_check "tcp client to a closed port: 'Connection refused'" svc_has "$T/tcp.out" "Connection refused"
t_check "the error says what failed on which address" svc_has "$T/tcp.out" "connect 127.0.0.1:$PORT"

# UDP --connect: the ICMP port unreachable surfaces as ECONNREFUSED.
svc_run "$T/udpc.out" "$UDPC" --port "$PORT" --connect --timeout 100 --retries 1
rc=$?
t_check "udp --connect to a closed port: 'Connection refused'" svc_has "$T/udpc.out" "Connection refused"
t_check "udp --connect to a closed port: exit 1" svc_code "$rc" 1
t_check "udp --connect: the error names the call and address" svc_has "$T/udpc.out" "127.0.0.1:$PORT: Connection refused"

# UDP without --connect: nothing comes back; after its retries the client reports the
# replies that never came, and exits 3 (partial).
t0=$(date +%s%N)
svc_run "$T/udp.out" "$UDPC" --port "$PORT" --timeout 100 --retries 1
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
t_check "udp without --connect, no server: exit 3" svc_code "$rc" 3
t_check "udp: the missing replies are reported (Michael)" svc_has "$T/udp.out" "no reply to 'Michael' after 2 tries"
t_check "udp: the missing replies are reported (Sarah)" svc_has "$T/udp.out" "no reply to 'Sarah' after 2 tries"
t_check "udp: the report does not invent a reply" svc_lacks "$T/udp.out" "Hello, Michael!"
t_check "udp: each timeout and its retry are said as they happen" \
	svc_has "$T/udp.out" "no reply to 'Michael' within 100 ms (try 1 of 2): sending it again"
# 3 names x (1 try + 1 retry) x 100 ms is 600 ms; far less means no waiting at all, far more
# means the timeout flag is ignored.
echo "  udp client gave up after $ms ms"
t_check "udp: --timeout/--retries bound the wait (0.2 s .. 5 s)" [ "$ms" -ge 200 -a "$ms" -le 5000 ]

# Partial: a server that answers only some datagrams (Python, drops 'Tracy') => exit 3,
# the replies that came are printed, the missing one is named.
# It ends after 5 s without a datagram; SIGTERM ends it sooner (Python's default: 143).
t_bg --exit 143 "$PYTHON" - "$PORT" >"$T/drop.log" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
try:
    while True:
        data, addr = s.recvfrom(65535)
        if data != b"Tracy":
            s.sendto(b"Hello, %s!" % data, addr)
except socket.timeout:
    pass
PY
pypid=$!
t_wait_port "$PORT" udp 5 || t_fail "dropping udp server bound"
svc_run "$T/part.out" "$UDPC" --port "$PORT" --timeout 100 --retries 1
rc=$?
t_stop "$pypid"
t_check "udp partial replies: exit 3" svc_code "$rc" 3
t_check "udp partial replies: Hello, Michael! printed" svc_has "$T/part.out" "Hello, Michael!"
t_check "udp partial replies: Hello, Sarah! printed" svc_has "$T/part.out" "Hello, Sarah!"
t_check "udp partial replies: Tracy reported missing" svc_has "$T/part.out" "no reply to 'Tracy' after 2 tries"
t_check "udp partial replies: only Tracy reported missing" [ "$(grep -c 'no reply to .* after' "$T/part.out")" = 1 ]
t_check "udp partial replies: no invented Hello, Tracy!" svc_lacks "$T/part.out" "Hello, Tracy!"

# Bind errors: a second server on a taken port fails with the cause, exit 1.
svc_tcp_server "$T/s.log" || t_fail "server listens"
svc_run "$T/s2.out" "$TCPS" --port "$PORT"
rc=$?
t_check "second tcp server on a taken port: exit 1" svc_code "$rc" 1
t_check "second tcp server: 'Address already in use'" svc_has "$T/s2.out" "Address already in use"
t_stop "$SVC_SERVER_PID"
svc_udp_server "$T/u.log" || t_fail "udp server bound"
svc_run "$T/u2.out" "$UDPS" --port "$PORT"
rc=$?
t_check "second udp server on a taken port: exit 1" svc_code "$rc" 1
t_check "second udp server: 'Address already in use'" svc_has "$T/u2.out" "Address already in use"
t_stop "$SVC_SERVER_PID"

t_done
