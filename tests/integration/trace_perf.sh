#!/usr/bin/env bash
# tests/integration/trace_perf.sh: what hello-trace's speed and memory work promises: -o to a device or FIFO, live JSON lines flushed on the tick, -B and the live snap length, memory bounded on 100k packets and on 50,000 flows.
. "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

B=$HELLO_BIN
for p in hello-trace hello-udp-server hello-udp-client hello-bench-mkpcap; do
	[ -x "$B/$p" ] || t_skip "$B/$p is not built"
done
# No tracepoint (--no-kernel): any free port in this private namespace does.
PORT=19994
SCALE=1; [ -n "${HELLO_SANITIZED:-}" ] && SCALE=4
T=$(mktemp -d "${TMPDIR:-/tmp}/trace_perf.XXXXXX") || exit 1
t_on_exit 'rm -rf "$T"'

# peak CMD...: runs CMD; prints its peak RSS in kB on fd 3; returns its exit code.
peak() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" "$PYTHON" -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=open(3, "w", closefd=False))
sys.exit(rc)' "$@"
}
last() { tail -n 1 "$1" | "$PYTHON" -c "import json,sys; s=json.load(sys.stdin); print($2)"; }

"$B/hello-bench-mkpcap" --output "$T/hello.pcap" --packets 100000 >/dev/null || t_fail "mkpcap 100k packets"

# 1. -o onto a character device or a FIFO writes into it: it stays what it was (renaming
# FILE.tmp over it once replaced /dev/null itself with a regular file).
mknod "$T/null" c 1 3 || t_skip "mknod failed"
"$B/hello-trace" -r "$T/hello.pcap" -c 200 --jsonl -o "$T/null" 2>"$T/err"
t_check "-o a device: exit 0 ($?)" [ $? = 0 ]
t_check "-o a device: still a character device, no .tmp left" [ -c "$T/null" -a ! -e "$T/null.tmp" ]
mkfifo "$T/fifo"
timeout 20 cat "$T/fifo" >"$T/fifo.out" &
rd=$!
timeout 20 "$B/hello-trace" -r "$T/hello.pcap" -c 200 --jsonl -o "$T/fifo" 2>"$T/err"
t_check "-o a FIFO: exit 0 ($?)" [ $? = 0 ]
wait "$rd"
t_check "-o a FIFO: the reader got the whole trace (summary of 200 packets)" \
	[ "$(last "$T/fifo.out" 's["type"], s["capture"]["packets_seen"]')" = "summary 200" ]
t_check "-o a FIFO: still a FIFO" [ -p "$T/fifo" ]

# 2. -B: a usage error below 64 KiB; live, events reach a reader within a tick or so
# though no line is flushed on its own, and SIGINT still ends with the whole trace.
"$B/hello-trace" -i lo -B 10 2>"$T/err"
rc=$?
t_check "-B 10: usage error (exit $rc)" grep -q -- "--buffer-size: 10 is out of range 64\.\." "$T/err"
[ $rc = 2 ] || t_fail "-B 10: exit $rc, not 2"
t_bg "$B/hello-udp-server" -q --port "$PORT" >/dev/null
t_wait_port "$PORT" udp || t_fail "udp server did not start"
t_bg "$B/hello-trace" -i lo --no-kernel --jsonl -B 4096 --ready-file "$T/ready" --duration 30 "udp port $PORT" \
	>"$T/live.jsonl" 2>"$T/live.err"
TPID=$!
t_check "live: the tracer is ready" t_wait_file "$T/ready" "$TPID"
t_check "live: header gives the default live snap length 65535" \
	[ "$(head -n 1 "$T/live.jsonl" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["capture"]["snaplen"])')" = 65535 ]
"$B/hello-udp-client" -q --port "$PORT" Ada >/dev/null
t0=$(date +%s%N)
n=0
for _ in $(seq 40); do
	n=$(grep -c '"type":"packet"' "$T/live.jsonl")
	[ "$n" -ge 2 ] && break
	sleep 0.05
done
ms=$((($(date +%s%N) - t0) / 1000000))
t_check "live: both datagrams readable while the tracer runs ($n lines after $ms ms)" [ "$n" -ge 2 ]
kill -0 "$TPID" 2>/dev/null
t_check "live: (the tracer was still running)" [ $? = 0 ]
"$B/hello-udp-client" -q --port "$PORT" Bob Eve >/dev/null
t_stop "$TPID" INT	# live: SIGINT ends the capture: exit 0
t_check "live: SIGINT: every packet line written before the summary (6 of $(last "$T/live.jsonl" 's["capture"]["packets_seen"]'))" \
	[ "$(grep -c '"type":"packet"' "$T/live.jsonl")" = 6 -a "$(last "$T/live.jsonl" 's["type"], s["capture"]["packets_seen"]')" = "summary 6" ]

# 3. Memory: JSON lines stay small (flows freed once over, or evicted); the document keeps
# ~250 bytes per packet (compact events), not a kilobyte.
kb=$(peak "$B/hello-trace" --no-kernel -r "$T/hello.pcap" --jsonl -o "$T/m.jsonl" 3>&1 2>"$T/err")
t_check "jsonl, 100k packets: exit 0, peak RSS $kb kB <= $((40960 * SCALE))" [ $? = 0 -a "$kb" -le $((40960 * SCALE)) ]
kb=$(peak "$B/hello-trace" --no-kernel -r "$T/hello.pcap" -o "$T/m.json" 3>&1 2>"$T/err")
rc=$? lim=$((SCALE * (16384 + 100000 * 400 / 1024)))
t_check "document, 100k packets: exit 0 ($rc), peak RSS $kb kB <= $lim kB (16 MiB + 400 B/packet)" [ $rc = 0 -a "$kb" -le $lim ]
t_check "document and JSON lines: the same packets ($(last "$T/m.jsonl" 's["capture"]["packets_seen"]'))" \
	[ "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"]["packets_seen"])' "$T/m.json")" = 100000 -a \
	  "$(last "$T/m.jsonl" 's["capture"]["packets_seen"]')" = 100000 ]
# 4. --max-flows bounds a document's memory too: evicted flows wait in a temporary file
# ($TMPDIR), not in memory, and come back in place: the document is the one kept in memory
# (TMPDIR unusable: the in-memory fallback), byte for byte; the file is gone afterwards.
"$PYTHON" "$HELLO_ROOT/tests/hostile/mkflows.py" "$T/flows.pcap" 50000 2 || t_fail "mkflows 50000"
mkdir "$T/tmp"
kb=$(TMPDIR=$T/tmp peak "$B/hello-trace" --no-kernel -r "$T/flows.pcap" --max-flows 1000 -o "$T/flows.json" 3>&1 2>"$T/err")
rc=$? lim=$((SCALE * (16384 + 100000 * 200 / 1024)))
t_check "document, 50,000 flows, --max-flows 1000: exit $rc, peak RSS $kb kB <= $lim kB (16 MiB + 200 B/packet)" \
	[ $rc = 0 -a "$kb" -le $lim ]
t_check "document: the evicted flows' file is gone" [ -z "$(ls -A "$T/tmp")" ]
TMPDIR=$T/missing "$B/hello-trace" --no-kernel -r "$T/flows.pcap" --max-flows 1000 -o "$T/kept.json" 2>"$T/err"
t_check "document: the same bytes as with every flow kept in memory" cmp -s "$T/flows.json" "$T/kept.json"
t_done
