#!/usr/bin/env bash
# tests/integration/service_cli.sh: --help/--version/bad flags of the four hello programs,
# line framing, and the exchange over IPv6 (::1) for TCP and UDP.
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup "$@"

# 1. Every program: --help exits 0 and documents the exit codes; --version names the
# program and the version; an unknown flag is a usage error (exit 2) that says so.
for prog in hello-tcp-server hello-tcp-client hello-udp-server hello-udp-client; do
	p="$HELLO_BIN/$prog"
	svc_run "$T/$prog.help" "$p" --help
	t_check "$prog --help: exit 0" svc_code $? 0
	t_check "$prog --help: mentions exit codes" grep -qi 'exit' "$T/$prog.help"
	t_check "$prog --help: documents exit code 2 (usage)" grep -qE '(^|[^0-9])2([^0-9]|$)' "$T/$prog.help"
	t_check "$prog --help: documents --port" svc_has "$T/$prog.help" "--port"
	svc_run "$T/$prog.version" "$p" --version
	t_check "$prog --version: exit 0" svc_code $? 0
	t_check "$prog --version: '$prog 0.1.0 (hellolab)'" svc_has "$T/$prog.version" "$prog 0.1.0"
	svc_run "$T/$prog.bad" "$p" --no-such-flag
	t_check "$prog --no-such-flag: exit 2" svc_code $? 2
	t_check "$prog --no-such-flag: names the flag" svc_has "$T/$prog.bad" "no-such-flag"
	svc_run "$T/$prog.badport" "$p" --port 70000
	t_check "$prog --port 70000: exit 2" svc_code $? 2
done
svc_run "$T/badmodel" "$TCPS" --model nope
t_check "hello-tcp-server --model nope: exit 2" svc_code $? 2
svc_run "$T/badframing" "$TCPS" --framing nope
t_check "hello-tcp-server --framing nope: exit 2" svc_code $? 2

# 2. Line framing: greeting and replies end in \n, a trailing \r is dropped, two lines in
# one segment are two messages, exit\n closes.
svc_tcp_server "$T/line.log" --framing line || t_fail "line server listens"
svc_run "$T/line.out" "$PYTHON" -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
def rd(n):
    b = b""
    while len(b) < n:
        d = s.recv(1024)
        if not d: break
        b += d
    return b
print(repr(rd(7)))
s.sendall(b"Michael\n"); print(repr(rd(16)))
s.sendall(b"Tracy\r\n"); print(repr(rd(14)))
s.sendall(b"Ann\nBob\n"); print(repr(rd(24)))
s.sendall(b"Sar"); time.sleep(0.1); s.sendall(b"ah\n"); print(repr(rd(14)))
s.sendall(b"exit\n"); print(repr(s.recv(1024)))
' "$PORT"
t_check "line framing: greeting, replies, CR dropped, split and joined lines, exit" \
	svc_same "$T/line.out" "b'hello!\\n'
b'Hello, Michael!\\n'
b'Hello, Tracy!\\n'
b'Hello, Ann!\\nHello, Bob!\\n'
b'Hello, Sarah!\\n'
b''"
# Our client in line framing against the same server.
svc_run "$T/linec.out" "$TCPC" --port "$PORT" --framing line
t_check "line framing: our client exit 0" svc_code $? 0
t_check "line framing: our client prints Hello, Sarah!" svc_has "$T/linec.out" "Hello, Sarah!"
# A line longer than the limit gets an error line and the connection is closed.
svc_run "$T/long.out" "$PYTHON" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.recv(7)
try:
    s.sendall(b"x" * 200000 + b"\n")
except OSError:
    pass
b = b""
try:
    while True:
        d = s.recv(65536)
        if not d: break
        b += d
except OSError as e:
    print("reset:", e)
print("lines:", b.count(b"\n"), "hello-reply:", b.startswith(b"Hello"), "closed")
' "$PORT"
t_check "line framing: an overlong line is refused and the connection closed" \
	svc_has "$T/long.out" "hello-reply: False closed"
svc_run "$T/after.out" "$TCPC" --port "$PORT" --framing line Still
t_check "line framing: the server still serves after an overlong line" \
	svc_has "$T/after.out" "Hello, Still!"
t_stop "$SVC_SERVER_PID"

# 3. Raw framing sends no newline (byte for byte the tutorial's): checked in
# service_interop.sh. Here: IPv6 on ::1, TCP and UDP, our programs and the Python peers.
if ! ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	t_skip "no ::1 on loopback (IPv6 disabled)"
fi
t_bg "$TCPS" --host ::1 --port "$PORT" >"$T/v6.log" 2>&1
pid=$!
t_wait_port "$PORT" tcp 5 || t_fail "tcp server on [::1] listens"
t_check "tcp server listens on [::1]:$PORT" grep -q "\[::1\]:$PORT" <(ss -Htln "sport = :$PORT")
svc_run "$T/v6c.out" "$TCPC" --host ::1 --port "$PORT"
t_check "tcp over ::1: our client exit 0" svc_code $? 0
t_check "tcp over ::1: Hello, Sarah!" svc_has "$T/v6c.out" "Hello, Sarah!"
svc_run "$T/v6py.out" svc_py tutorial_tcp_client --host ::1 --port "$PORT" --repr V6
t_check "tcp over ::1: tutorial client gets exact bytes" svc_same "$T/v6py.out" "b'hello!'
b'Hello, V6!'"
t_stop "$pid"
svc_run "$T/v6-6.out" "$TCPC" -6 --port "$PORT"
t_check "tcp client -6 to a closed port: Connection refused on [::1]" \
	svc_has "$T/v6-6.out" "Connection refused"

t_bg "$UDPS" --host ::1 --port "$PORT" >"$T/v6u.log" 2>&1
pid=$!
t_wait_port "$PORT" udp 5 || t_fail "udp server on [::1] bound"
svc_run "$T/v6u.out" "$UDPC" --host ::1 --port "$PORT"
t_check "udp over ::1: our client exit 0" svc_code $? 0
t_check "udp over ::1: Hello, Sarah!" svc_has "$T/v6u.out" "Hello, Sarah!"
svc_run "$T/v6upy.out" svc_py tutorial_udp_client --host ::1 --port "$PORT" --repr V6
t_check "udp over ::1: tutorial client gets exact bytes" svc_same "$T/v6upy.out" "b'Hello, V6!'"
t_stop "$pid"

t_done
