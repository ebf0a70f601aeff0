#!/usr/bin/env bash
# tests/integration/trace_fire.sh: the tracer under fire: 50,000 distinct flows with a small --max-flows
# (memory bounded, evictions counted), snaplen 64 (every packet truncated), output to a full
# disk (a 64 KiB tmpfs in a private mount namespace), -Z dropping to nobody.
# TRACE_FIRE_FLOWS (50000) sets the flows; tools/stress.sh runs it with 1000000.
source "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

TRACE=$HELLO_BIN/hello-trace
TCPS=$HELLO_BIN/hello-tcp-server
TCPC=$HELLO_BIN/hello-tcp-client
SCHEMA=$HELLO_ROOT/docs/trace.schema.json
VALIDATE=$HELLO_ROOT/tests/hostile/validate.py
FLOWS=${TRACE_FIRE_FLOWS:-50000}
t_port	# the tracepoint is system-wide: ports no other suite on this host traces now
INSTANCES=/sys/kernel/tracing/instances
SCALE=1; [ -n "${HELLO_SANITIZED:-}" ] && SCALE=4
[ -x "$TRACE" ] || t_skip "$TRACE not built"
"$PYTHON" -c 'import jsonschema' 2>/dev/null || t_skip "$PYTHON lacks jsonschema"
T=$(mktemp -d "${TMPDIR:-/tmp}/hello-fire.XXXXXX") || exit 1
chmod 755 "$T"
t_on_exit 'rm -rf "$T"'

# peak CMD...: runs CMD; prints its peak RSS in kB on fd 3; returns its exit code. (Under
# ASan freed memory waits in a 256 MB quarantine: without it the peak is the program's.)
peak() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" "$PYTHON" -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=open(3, "w", closefd=False))
sys.exit(rc)' "$@"
}
q() { "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# ql FILE EXPR: EXPR with s = the last line (summary) of a JSON lines file.
ql() { "$PYTHON" -c "import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print($2)" "$1"; }
# valid WHAT doc|jsonl [--sample N] FILE...: the schema checker, one check per file (t_checker).
valid() { local what=$1; shift; t_checker "$what" "$PYTHON" "$VALIDATE" "$SCHEMA" "$@"; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# 1. Distinct flows with --max-flows 100: JSON lines keep memory flat (a tenth of the
# flows costs as much), every eviction is counted, and the document mode copes too.
"$PYTHON" "$HELLO_ROOT/tests/hostile/mkflows.py" "$T/flows.pcap" "$FLOWS" 2 || t_fail "make $FLOWS flows"
"$PYTHON" "$HELLO_ROOT/tests/hostile/mkflows.py" "$T/tenth.pcap" $((FLOWS / 10)) 2
t0=$(date +%s.%N)
big=$(peak "$TRACE" -r "$T/flows.pcap" --max-flows 100 --jsonl -o "$T/flows.jsonl" 3>&1 2>"$T/flows.err")
t_check "jsonl, $FLOWS flows: exit 0 in $(secs "$t0") s" [ $? = 0 ]
small=$(peak "$TRACE" -r "$T/tenth.pcap" --max-flows 100 --jsonl -o "$T/tenth.jsonl" 3>&1 2>/dev/null)
t_check "jsonl: peak RSS flat: $big kB for $FLOWS flows, $small kB for a tenth" \
	[ "$big" -le $((small + 8192 * SCALE)) -a "$big" -le $((32768 * SCALE)) ]
t_check "jsonl: flows_evicted = $FLOWS - 100 ($(ql "$T/flows.jsonl" 's["capture"]["flows_evicted"]'))" \
	[ "$(ql "$T/flows.jsonl" 's["capture"]["flows_evicted"]')" = $((FLOWS - 100)) ]
t_check "jsonl: every flow written once ($(grep -c '"type":"flow"' "$T/flows.jsonl"))" \
	[ "$(grep -c '"type":"flow"' "$T/flows.jsonl")" = "$FLOWS" ]
t_check "jsonl: the endpoint list stops at its limit (1024)" [ "$(ql "$T/flows.jsonl" 'len(s["endpoints"])')" = 1024 ]
if [ "$FLOWS" -le 100000 ]; then
	valid "jsonl: every line parses; the first and last 1000 and every 1000th validate" jsonl --sample 1000 "$T/flows.jsonl"
	t0=$(date +%s.%N)
	timeout 120 "$TRACE" -r "$T/flows.pcap" --max-flows 100 -o "$T/flows.json" 2>"$T/doc.err"
	rc=$?; dt=$(secs "$t0")
	t_check "document, $FLOWS flows: exit 0 ($rc) within $((20 * SCALE)) s ($dt s)" \
		[ $rc = 0 ] && awk -v d="$dt" -v m=$((20 * SCALE)) 'BEGIN { exit !(d < m) }'
	t_check "document: flows_evicted counted, every flow still summarised" \
		[ "$(q "$T/flows.json" '"%d %d" % (d["capture"]["flows_evicted"], len(d["flows"]))')" = "$((FLOWS - 100)) $FLOWS" ]
fi

# 2. Snap length 64 on loopback: Ethernet + IPv4 + TCP with timestamps is 66 bytes, so
# every TCP packet is cut. Nothing crashes; each one says where it was cut.
t_bg "$TCPS" --port "$PORT" >"$T/srv.log" 2>&1
t_wait_port "$PORT" tcp 5 || t_fail "server listens"
t_bg "$TRACE" -i lo -s 64 -w "$T/cut.pcap" -o "$T/cut.json" --ready-file "$T/cut.ready" --duration 10 \
	"tcp port $PORT" 2>"$T/cut.err"
TR=$!
t_wait_file "$T/cut.ready" "$TR"
timeout 10 "$TCPC" --port "$PORT" >/dev/null 2>&1
t_check "snaplen 64: the exchange ran" [ $? = 0 ]
t_stop "$TR" INT	# snaplen 64: the live capture ends with exit 0
valid "snaplen 64: the trace validates" doc "$T/cut.json"
got=$(q "$T/cut.json" '"%d %d %d %d" % (d["capture"]["snaplen"], d["capture"]["packets_seen"], d["capture"]["packets_truncated"], sum(1 for e in d["events"] if e["type"] == "packet" and "truncated" in e))')
set -- $got
t_check "snaplen 64: all $2 packets marked truncated ($got)" [ "$1" = 64 -a "$2" -ge 10 -a "$3" = "$2" -a "$4" = "$2" ]
t_check "snaplen 64: the flow is still followed through" [ "$(q "$T/cut.json" 'd["flows"][0]["conn_state"]')" = SF ]
"$TRACE" -r "$T/cut.pcap" -o "$T/cut2.json" 2>"$T/cut2.err"
t_check "snaplen 64: its pcap read back offline: same packets, all truncated" \
	[ "$(q "$T/cut2.json" '"%d %d" % (d["capture"]["snaplen"], d["capture"]["packets_truncated"])')" = "64 $2" ]

# 3. A full disk: a 64 KiB tmpfs in a private mount namespace (gone with the process).
full() {
	unshare -m -- bash -c 'mount -t tmpfs -o size=64k tmpfs "$1" || exit 99; shift; "$@"; rc=$?; ls -A "$D" >"$L"; exit $rc' \
		full "$T/disk" "$@"
}
# The document of 5,000 flows is far over 64 KiB, and small enough to build at any scale.
"$PYTHON" "$HELLO_ROOT/tests/hostile/mkflows.py" "$T/disk.pcap" 5000 2
mkdir -p "$T/disk"
export D=$T/disk L=$T/left
full "$TRACE" -r "$T/disk.pcap" -o "$T/disk/trace.json" 2>"$T/full.err"
rc=$?
[ $rc = 99 ] && t_skip "cannot mount a tmpfs in a mount namespace"
t_check "full disk, -o: exit 1 ($rc)" [ $rc = 1 ]
t_check "full disk, -o: says so ($(head -c 120 "$T/full.err"))" grep -q "No space left on device" "$T/full.err"
t_check "full disk, -o: no half-written trace left (left: '$(cat "$T/left")')" [ ! -s "$T/left" ]
full "$TRACE" -r "$T/disk.pcap" --jsonl -o "$T/disk/trace.jsonl" 2>"$T/fullj.err"
rc=$?
t_check "full disk, --jsonl: exit 1 ($rc), says so" [ $rc = 1 ] && grep -q "No space left on device" "$T/fullj.err"
full "$TRACE" -r "$T/disk.pcap" -w "$T/disk/copy.pcap" -o "$T/w.json" 2>"$T/fullw.err"
rc=$?
t_check "full disk, -w: exit 1 ($rc), says so ($(head -c 120 "$T/fullw.err"))" [ $rc = 1 ] && grep -q "No space left on device" "$T/fullw.err"
full bash -c '"$1" -r "$2" >"$3"' x "$TRACE" "$T/disk.pcap" "$T/disk/stdout.json" 2>"$T/fulls.err"
rc=$?
t_check "full disk, stdout: exit 1 ($rc), says so" [ $rc = 1 ] && grep -q "No space left on device" "$T/fulls.err"

# 4. -Z nobody: after opening, the process runs as nobody (every uid and gid), the
# capture goes on, and its tracefs instance is gone after the stop.
if id nobody >/dev/null 2>&1; then
	chmod 777 "$T"	# the trace is renamed into place by then as nobody
	t_bg "$TRACE" -i lo -Z nobody -w "$T/z.pcap" -o "$T/z.json" --ready-file "$T/z.ready" --duration 10 \
		"tcp port $PORT" 2>"$T/z.err"
	TR=$!
	t_wait_file "$T/z.ready" "$TR"
	nb=$(id -u nobody); ng=$(id -g nobody)
	ids=$(awk '/^Uid:|^Gid:/ { printf "%s %s %s %s ", $2, $3, $4, $5 }' "/proc/$TR/status")
	t_check "-Z nobody: real, effective, saved and fs uid and gid dropped ($ids)" \
		[ "$ids" = "$nb $nb $nb $nb $ng $ng $ng $ng " ]
	t_check "-Z nobody: no supplementary group of root's" [ "$(awk '/^Groups:/ { print $2 }' "/proc/$TR/status")" != 0 ]
	timeout 10 "$TCPC" --port "$PORT" >/dev/null 2>&1
	t_stop "$TR"	# -Z nobody: exit 0 after SIGTERM
	t_check "-Z nobody: no tracefs instance left (hellolab-$TR)" [ ! -e "$INSTANCES/hellolab-$TR" ]
	valid "-Z nobody: the trace validates" doc "$T/z.json"
	t_check "-Z nobody: the pcap opens" tcpdump -r "$T/z.pcap" -c 1 -w /dev/null 2>/dev/null
	chmod 755 "$T"
fi
t_done
