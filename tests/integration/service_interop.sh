#!/usr/bin/env bash
# tests/integration/service_interop.sh: our TCP/UDP servers and clients against Python peers
# written like the seed tutorial's programs (tests/peers/), asserting the exact bytes.
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup "$@"

REPLIES="b'hello!'
b'Hello, Michael!'
b'Hello, Tracy!'
b'Hello, Sarah!'"

# 1. Our TCP server, each concurrency model, against the tutorial's client (literal: it
# closes right after sending exit). Exact greeting and replies, byte for byte.
for model in event thread fork iterative; do
	svc_tcp_server "$T/s-$model.log" --model "$model" || t_fail "tcp server --model $model listens"
	svc_run "$T/c-$model.out" svc_py tutorial_tcp_client --port "$PORT" --repr
	rc=$?
	t_check "tutorial client vs our tcp server ($model): exit 0" svc_code "$rc" 0
	t_check "tutorial client vs our tcp server ($model): exact greeting and replies" \
		svc_same "$T/c-$model.out" "$REPLIES"
	t_stop "$SVC_SERVER_PID"
done

# The server closes on exit and the tutorial client sees EOF (waiting for it after exit).
svc_tcp_server "$T/s-eof.log" || t_fail "tcp server listens"
svc_run "$T/c-eof.out" svc_py tutorial_tcp_client --port "$PORT" --repr --wait-close Ann
t_check "our tcp server closes after exit: the client reads EOF" \
	svc_same "$T/c-eof.out" "b'hello!'
b'Hello, Ann!'
EOF"
# Bytes are bytes: a name that is not UTF-8 comes back unchanged, and the server lives on.
svc_run "$T/c-bin.out" "$PYTHON" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
print(repr(s.recv(1024)))
s.send(b"\xff\x00caf\xc3")
print(repr(s.recv(1024)))
s.send(b"exit")
print(repr(s.recv(1024)))
' "$PORT"
t_check "non-UTF-8 bytes echoed exactly" svc_same "$T/c-bin.out" "b'hello!'
b'Hello, \\xff\\x00caf\\xc3!'
b''"
svc_run "$T/c-after.out" svc_py tutorial_tcp_client --port "$PORT" --repr
t_check "the server still answers after binary input" svc_same "$T/c-after.out" "$REPLIES"
t_stop "$SVC_SERVER_PID"

# 2. Our TCP client against the tutorial's server: the server must receive exactly the
# three names then exit, one message per recv, and the client must print every reply.
t_bg "$PYTHON" "$PEERS/tutorial_tcp_server.py" --port "$PORT" --once --timeout 8 >"$T/py-s.log" 2>&1
pypid=$!
t_wait_port "$PORT" tcp 5 || t_fail "tutorial tcp server listens"
svc_run "$T/our-c.out" "$TCPC" --port "$PORT"
rc=$?
t_check "our tcp client vs tutorial server: exit 0" svc_code "$rc" 0
t_wait_bg "$pypid"
grep '^recv ' "$T/py-s.log" >"$T/py-s.recv"
t_check "tutorial server received exactly Michael, Tracy, Sarah, exit" svc_same "$T/py-s.recv" \
	"recv b'Michael'
recv b'Tracy'
recv b'Sarah'
recv b'exit'"
# The client prints the greeting and each reply on a line of its own, nothing else.
t_check "our tcp client prints the greeting and the three replies" svc_same "$T/our-c.out" \
	"hello!
Hello, Michael!
Hello, Tracy!
Hello, Sarah!"

# Names from argv.
t_bg "$PYTHON" "$PEERS/tutorial_tcp_server.py" --port "$PORT" --once --timeout 8 >"$T/py-s2.log" 2>&1
pypid=$!
t_wait_port "$PORT" tcp 5 || t_fail "tutorial tcp server listens"
svc_run "$T/our-c2.out" "$TCPC" --port "$PORT" Alice Bob
t_check "our tcp client with names from argv: exit 0" svc_code $? 0
t_wait_bg "$pypid"
grep '^recv ' "$T/py-s2.log" >"$T/py-s2.recv"
t_check "tutorial server received Alice, Bob, exit" svc_same "$T/py-s2.recv" \
	"recv b'Alice'
recv b'Bob'
recv b'exit'"
t_check "our tcp client prints 'Hello, Bob!'" svc_has "$T/our-c2.out" 'Hello, Bob!'

# 3. UDP: our server against the tutorial's UDP client.
svc_udp_server "$T/us.log" || t_fail "udp server bound"
svc_run "$T/uc.out" svc_py tutorial_udp_client --port "$PORT" --repr
t_check "tutorial udp client vs our udp server: exit 0" svc_code $? 0
t_check "tutorial udp client vs our udp server: exact replies" svc_same "$T/uc.out" \
	"b'Hello, Michael!'
b'Hello, Tracy!'
b'Hello, Sarah!'"
# exit is an ordinary message over UDP (no connection to close).
svc_run "$T/uc-exit.out" svc_py tutorial_udp_client --port "$PORT" --repr exit
t_check "udp: exit is just a message" svc_same "$T/uc-exit.out" "b'Hello, exit!'"
t_stop "$SVC_SERVER_PID"

# 4. UDP: our client against the tutorial's UDP server.
t_bg "$PYTHON" "$PEERS/tutorial_udp_server.py" --port "$PORT" --count 3 --timeout 8 >"$T/py-us.log" 2>&1
pypid=$!
t_wait_port "$PORT" udp 5 || t_fail "tutorial udp server bound"
svc_run "$T/our-uc.out" "$UDPC" --port "$PORT"
t_check "our udp client vs tutorial udp server: exit 0" svc_code $? 0
t_wait_bg "$pypid"
sed -n "s/^Received from .*\. //p" "$T/py-us.log" >"$T/py-us.recv"
t_check "tutorial udp server received exactly Michael, Tracy, Sarah" svc_same "$T/py-us.recv" \
	"b'Michael'
b'Tracy'
b'Sarah'"
t_check "our udp client prints the three replies" svc_same "$T/our-uc.out" \
	"Hello, Michael!
Hello, Tracy!
Hello, Sarah!"

t_done
