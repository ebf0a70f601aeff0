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
# Under sanitizers memory counts 4 times over, and the long capture is twice, not four times,
# the short one: growth still shows, and the pass keeps make test within its 10 minutes.
SCALE=1 BIG=400000
[ -n "${HELLO_SANITIZED:-}" ] && SCALE=4 BIG=200000
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

# 3. Memory does not grow with the packets, in either mode: JSON lines write and free
# each event and flow; the document writes its events through a bounded window and its
# finished flows to a temporary file. With the open flows bounded early (--max-flows
# 1000: the default 10000 fills only after 130k packets of this capture), four times the
# packets (BIG; twice under sanitizers) cost at most 2 MiB more (allocator noise); and the
# default stays under 48 MiB.
K=$((BIG / 1000))k
"$B/hello-bench-mkpcap" --output "$T/big.pcap" --packets $BIG >/dev/null || t_fail "mkpcap $K packets"
for mode in jsonl json; do
	o=(); [ $mode = jsonl ] && o=(--jsonl)
	small=$(peak "$B/hello-trace" --no-kernel -r "$T/hello.pcap" --max-flows 1000 "${o[@]}" -o "$T/m.$mode" 3>&1 2>"$T/err")
	rc=$?
	big=$(peak "$B/hello-trace" --no-kernel -r "$T/big.pcap" --max-flows 1000 "${o[@]}" -o "$T/big.$mode" 3>&1 2>"$T/err")
	rc=$((rc | $?))
	t_check "$mode, --max-flows 1000: exit 0 ($rc); peak RSS 100k packets $small kB, $K packets $big kB: at most 2 MiB more" \
		[ $rc = 0 -a "$big" -le $((small + 2048 * SCALE)) ]
	kb=$(peak "$B/hello-trace" --no-kernel -r "$T/big.pcap" "${o[@]}" -o "$T/big.$mode" 3>&1 2>"$T/err")
	rc=$? lim=$((SCALE * 49152))
	t_check "$mode, $K packets: exit 0 ($rc); peak RSS $kb kB <= $lim kB" [ $rc = 0 -a "$kb" -le $lim ]
done
t_check "document and JSON lines: the same packets ($(last "$T/m.jsonl" 's["capture"]["packets_seen"]'))" \
	[ "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["capture"]["packets_seen"])' "$T/m.json")" = 100000 -a \
	  "$(last "$T/m.jsonl" 's["capture"]["packets_seen"]')" = 100000 ]
t_check "document, $K packets: at most 300 bytes per packet ($(($(stat -c %s "$T/big.json") / BIG)))" \
	[ "$(stat -c %s "$T/big.json")" -le $((BIG * 300)) ]
t_check "JSON lines, $K packets: at most 300 bytes per packet ($(($(stat -c %s "$T/big.jsonl") / BIG)))" \
	[ "$(stat -c %s "$T/big.jsonl")" -le $((BIG * 300)) ]
rm -f "$T/big.pcap" "$T/big.json" "$T/big.jsonl"
# 4. --max-flows bounds a document's memory too: finished flows wait in a temporary file
# ($TMPDIR), not in memory. The streamed document holds what the one kept in memory holds
# (TMPDIR unusable: the in-memory fallback): the same events in the same order, the same
# flows, the same capture; the file is gone afterwards.
"$PYTHON" "$HELLO_ROOT/tests/hostile/mkflows.py" "$T/flows.pcap" 50000 2 || t_fail "mkflows 50000"
mkdir "$T/tmp"
kb=$(TMPDIR=$T/tmp peak "$B/hello-trace" --no-kernel -r "$T/flows.pcap" --max-flows 1000 -o "$T/flows.json" 3>&1 2>"$T/err")
rc=$? lim=$((SCALE * (16384 + 100000 * 200 / 1024)))
t_check "document, 50,000 flows, --max-flows 1000: exit $rc, peak RSS $kb kB <= $lim kB (16 MiB + 200 B/packet)" \
	[ $rc = 0 -a "$kb" -le $lim ]
t_check "document: the flows' file is gone" [ -z "$(ls -A "$T/tmp")" ]
TMPDIR=$T/missing "$B/hello-trace" --no-kernel -r "$T/flows.pcap" --max-flows 1000 -o "$T/kept.json" 2>"$T/err"
t_checker "50,000 flows, streamed vs kept" "$PYTHON" "$HELLO_ROOT/tests/integration/trace_same_doc.py" "$T/flows.json" "$T/kept.json"
"$B/hello-trace" --no-kernel -r "$T/hello.pcap" -o "$T/h.json" 2>"$T/err" &&
	TMPDIR=$T/missing "$B/hello-trace" --no-kernel -r "$T/hello.pcap" -o "$T/hk.json" 2>"$T/err"
t_check "100k packets: streamed and kept documents written (exit $?)" [ -s "$T/h.json" -a -s "$T/hk.json" ]
t_checker "100k packets, streamed vs kept" "$PYTHON" "$HELLO_ROOT/tests/integration/trace_same_doc.py" "$T/h.json" "$T/hk.json"
t_done
