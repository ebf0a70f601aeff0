#!/usr/bin/env bash
# tests/integration/tcp_robustness.sh: the TCP server against hostile and broken clients (1 MiB,
# garbage, resets, non-readers, slowloris), clean stops in every model, raw-framing coalescing.
source "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

TCPS="$HELLO_BIN/hello-tcp-server"
TCPC="$HELLO_BIN/hello-tcp-client"
PORT=9999
T=$(mktemp -d "${TMPDIR:-/tmp}/hello-rob.XXXXXX") || exit 1
t_on_exit 'rm -rf "$T"'

# srv LOG ARGS...: a server in the background; SRV = its pid; waits for its port.
srv() {
	local log=$1; shift
	t_bg "$TCPS" --port "$PORT" "$@" >"$log" 2>&1
	SRV=$!
	t_wait_port "$PORT" tcp 5 || t_fail "server $* listens"
}

py() { timeout -k 2 20 "$PYTHON" - "$PORT" "$@"; }
has() { grep -q -- "$2" "$1" || { echo "  (no '$2' in $1:)"; sed 's/^/  | /' "$1" | tail -5; return 1; }; }

# 1. Hostile input in the event model (the default), then in the thread model: 1 MiB of
# every byte value (answered in full while the client reads), a client that sends and
# never reads (cut off), a reset while replies are queued, an empty connection. After all
# that, a normal client is served.
for model in event thread; do
	srv "$T/s1-$model.log" --model "$model" --max-output 8192
	py >"$T/h-$model.out" 2>&1 <<'PY'
import socket, struct, sys, threading, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    assert s.recv(6) == b"hello!"
    return s
s = conn(); got = [0]
def rd():
    while True:
        d = s.recv(65536)
        if not d: break
        got[0] += len(d)
t = threading.Thread(target=rd); t.start()
data = bytes(range(256)) * 4096
s.sendall(data); time.sleep(0.2); s.send(b"exit"); t.join(10)
# Each 1024-byte recv is one message: 1024 replies of 1032 bytes, unless chunks coalesced differently.
print("big:", "ok" if got[0] >= len(data) + 8 * (len(data) // 1024) // 2 else got[0])
# A small receive buffer set before connect (set after, the window already advertised
# would be taken back and TCP would stall in retransmission backoff instead).
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(5); s.connect(("127.0.0.1", port)); s.recv(6)
try:
    for i in range(100000): s.send(b"n" * 1024)
    print("nonreader: never cut off")
except ConnectionResetError:
    print("nonreader: reset")
except socket.timeout:
    print("nonreader: blocked, not cut off")
s = conn(); s.send(b"Michael" * 100)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()
socket.create_connection(("127.0.0.1", port), timeout=5).close()
PY
	t_check "$model: 1 MiB of every byte value answered in full" has "$T/h-$model.out" "big: ok"
	t_check "$model: a client that never reads is cut off with RST" has "$T/h-$model.out" "nonreader: reset"
	t_check "$model: the server logs the cutoff" has "$T/s1-$model.log" " cutoff conn="
	timeout 10 "$TCPC" --port "$PORT" After >"$T/after-$model.out" 2>&1
	t_check "$model: a normal client is served afterwards" has "$T/after-$model.out" "Hello, After!"
	t_stop "$SRV"	# SIGTERM stops the server: exit 0, nothing from the sanitizers
	t_check "$model: summary line" has "$T/s1-$model.log" " summary connections=5 "
done

# 2. Line framing timers: a line never finished (slowloris) is cut at --msg-timeout, a
# silent client at --idle-timeout.
srv "$T/s2.log" --framing line --msg-timeout 300 --idle-timeout 700
py >"$T/t.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5); s.recv(7); return s
a = conn(); a.send(b"slo"); t = time.time(); a.recv(100); print("msg-timeout: %.2f" % (time.time() - t))
b = conn(); t = time.time(); b.recv(100); print("idle: %.2f" % (time.time() - t))
PY
msg=$(sed -n 's/^msg-timeout: //p' "$T/t.out"); idle=$(sed -n 's/^idle: //p' "$T/t.out")
t_check "slowloris line closed after --msg-timeout 300 ms (${msg}s)" awk -v v="$msg" 'BEGIN { exit !(v >= 0.25 && v < 0.65) }'
t_check "silent client closed after --idle-timeout 700 ms (${idle}s)" awk -v v="$idle" 'BEGIN { exit !(v >= 0.65 && v < 1.2) }'
t_check "log: kind=message timeout" has "$T/s2.log" "kind=message"
t_check "log: kind=idle timeout" has "$T/s2.log" "kind=idle"
t_stop "$SRV"

# A slow client does not stall another: while one holds an unfinished line (cut only after
# 5 s), another client does its whole exchange. Told by order, not by a time limit: a
# stalled server could serve the other only after cutting the slow one, so the slow one's
# cutoff must not be in the log and the other's close must be in its own.
srv "$T/s2b.log" --framing line --msg-timeout 5000
py "$T/s2b.log" >"$T/t2.out" 2>&1 <<'PY'
import os, socket, subprocess, sys
port = int(sys.argv[1])
c = socket.create_connection(("127.0.0.1", port), timeout=5); c.recv(7); c.send(b"never finished")
r = subprocess.run([os.environ["HELLO_BIN"] + "/hello-tcp-client", "-v", "--port", str(port), "--framing", "line"],
                   capture_output=True, text=True, timeout=20)
print("other: rc=%d" % r.returncode)
print(r.stderr, end="")
print("cut before the other ended: %s" % ("kind=message" in open(sys.argv[2]).read()))
c.close()
PY
other_done() { grep -q '^other: rc=0' "$T/t2.out" && grep -q ' close peer=' "$T/t2.out"; }
t_check "a slow client does not stall another: it ran its exchange (rc 0) and closed" other_done
t_check "... while the slow one still held its unfinished line" grep -q '^cut before the other ended: False' "$T/t2.out"
t_stop "$SRV"

# 3. Stopping with a client connected: every model closes it, prints the summary, exits 0;
# the fork model leaves no child behind.
accepted() { for _ in $(seq 100); do grep -q ' accept conn=' "$1" && return 0; sleep 0.05; done; return 1; }
for model in iterative thread fork event; do
	srv "$T/s3-$model.log" --model "$model"
	py >/dev/null 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5); s.recv(6); time.sleep(3)
PY
	holder=$!
	t_check "$model: the client is connected (accept logged)" accepted "$T/s3-$model.log"
	t_stop "$SRV"	# with a client connected: exit 0 all the same
	t_check "$model: the client's connection closed (reason=shutdown)" has "$T/s3-$model.log" "reason=shutdown"
	t_check "$model: shutdown line names the signal" has "$T/s3-$model.log" "shutdown signal=SIGTERM"
	# Only this suite's network namespace: another run on the host may serve the same port.
	t_check "$model: no process of the server is left" \
		[ -z "$(pgrep --ns $$ --nslist net -f "hello-tcp-server --port $PORT --model $model" 2>/dev/null)" ]
	kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
done

# 4. Raw framing keeps no message boundaries: with --delay the server stops reading while
# a reply waits, so names sent in a burst arrive together and are answered as one.
srv "$T/s4.log" --delay 150
timeout 10 "$TCPC" --port "$PORT" --burst >"$T/b.out" 2>"$T/b.err"
t_check "burst: client exit 0 (every byte answered)" [ $? = 0 ]
t_check "burst: fewer replies than names (coalesced)" [ "$(grep -c '^Hello, ' "$T/b.out")" -lt 3 ]
t_check "burst: the replies echo every byte sent" \
	[ "$(sed -n 's/^Hello, \(.*\)!$/\1/p' "$T/b.out" | tr -d '\n')" = MichaelTracySarah ]
t_check "burst: the client says replies were coalesced" has "$T/b.err" "replies to 3 messages"
timeout 10 "$TCPC" --port "$PORT" >"$T/nb.out" 2>&1
t_check "no burst: three separate replies" [ "$(grep -c '^Hello, ' "$T/nb.out")" = 3 ]
t_stop "$SRV"

# 5. --once: one connection, then the listening socket is gone and the server exits 0.
srv "$T/s5.log" --once --model thread
timeout 10 "$TCPC" --port "$PORT" --quiet
t_check "--once: the client's exchange succeeds" [ $? = 0 ]
t_wait_bg "$SRV" 2	# --once: the server exits by itself, exit 0
timeout 10 "$TCPC" --port "$PORT" >"$T/o.out" 2>&1
t_check "--once: a second connection is refused" has "$T/o.out" "Connection refused"

t_done
