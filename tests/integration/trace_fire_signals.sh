#!/usr/bin/env bash
# tests/integration/trace_fire_signals.sh: SIGINT and SIGTERM at random moments of a live capture with
# traffic running: the trace always parses and validates, the pcap always opens, no
# tracefs instance or .tmp file is left. TRACE_FIRE_SIGNALS rounds (20; 500 in make stress).
source "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

TRACE=$HELLO_BIN/hello-trace
SCHEMA=$HELLO_ROOT/docs/trace.schema.json
VALIDATE=$HELLO_ROOT/tests/hostile/validate.py
ROUNDS=${TRACE_FIRE_SIGNALS:-20}
t_port	# the tracepoint is system-wide: ports no other suite on this host traces now
INSTANCES=/sys/kernel/tracing/instances
for p in hello-trace hello-tcp-server hello-tcp-client hello-udp-server hello-udp-client; do
	[ -x "$HELLO_BIN/$p" ] || t_skip "$HELLO_BIN/$p not built"
done
command -v tcpdump >/dev/null || t_skip "tcpdump not found"
"$PYTHON" -c 'import jsonschema' 2>/dev/null || t_skip "$PYTHON lacks jsonschema"
T=$(mktemp -d "${TMPDIR:-/tmp}/hello-fire-sig.XXXXXX") || exit 1
chmod 777 "$T"	# -Z rounds rename their trace into place as nobody
t_on_exit 'touch "$T/stop"; [ -n "${HELLO_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"'
NOBODY=; id nobody >/dev/null 2>&1 && NOBODY=nobody

# Traffic all along: TCP exchanges and UDP datagrams, bounded in count and time.
t_bg "$HELLO_BIN/hello-tcp-server" --port "$PORT" -q >"$T/tcp.log" 2>&1
t_bg "$HELLO_BIN/hello-udp-server" --port "$PORT" -q >"$T/udp.log" 2>&1
t_wait_port "$PORT" tcp 5 && t_wait_port "$PORT" udp 5 || t_fail "servers listen"
traffic() {
	local i end=$((SECONDS + 900))
	for ((i = 0; i < 200000 && SECONDS < end; i++)); do
		[ -e "$T/stop" ] && break
		timeout 5 "$HELLO_BIN/hello-tcp-client" --port "$PORT" --quiet >/dev/null 2>&1
		timeout 5 "$HELLO_BIN/hello-udp-client" --port "$PORT" --timeout 200 --retries 0 x >/dev/null 2>&1
	done
}
t_bg --exit "0 143" traffic	# ends at the stop file, or by SIGTERM

# wait_gone PID TENTHS: waits for the process to end; 1 when it is still there.
wait_gone() {
	local i
	for ((i = 0; i < $2; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}

# caught PID SIG: the process has a handler for signal number SIG (/proc/PID/status SigCgt). A
# background job starts with SIGINT ignored: one sent before main() installs the handler is
# lost by design of the shell (SIGTERM is not: it kills a process without a handler).
caught() {
	local mask
	mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$mask" ] && (((16#$mask >> ($2 - 1)) & 1))
}

# instance_gone PID: the tracefs instance of tracer PID is gone, or goes within 2 s.
instance_gone() {
	local i
	for ((i = 0; i < 40; i++)); do [ -e "$INSTANCES/hellolab-$1" ] || return 0; sleep 0.05; done
	return 1
}

nostart=0 docs=() lines=() early=0 late=0 hung=0 badrc=0 nojson=0 nopcap=0 inst=0 tmp=0 ints=0 terms=0
for ((r = 1; r <= ROUNDS; r++)); do
	sig=INT; ((RANDOM % 2)) && sig=TERM
	mode=doc; ((r % 3 == 0)) && mode=jsonl
	extra=(); [ -n "$NOBODY" ] && ((r % 5 == 0)) && extra=(-Z "$NOBODY")
	out=$T/r$r.$mode
	[ $mode = jsonl ] && extra+=(--jsonl)
	# --duration bounds the tracer even if this suite is SIGKILLed.
	"$TRACE" -i lo -w "$T/r$r.pcap" -o "$out" --ready-file "$T/r$r.ready" --duration 60 "${extra[@]}" \
		"port $PORT" 2>"$T/r$r.err" &
	pid=$!
	t_wait_exec "$pid" "$TRACE" || { nostart=$((nostart + 1)); echo "  round $r: $TRACE did not start"; }
	if [ $sig = INT ]; then
		for ((i = 0; i < 500; i++)); do caught "$pid" 2 && break; sleep 0.001; done
	fi
	# A random moment. Odd rounds: while capturing (once the ready file is there, 0..100 ms
	# later), whatever the machine's load makes of the set-up; even rounds: any moment in
	# the first 400 ms, set-up included.
	if ((r % 2)); then
		t_wait_file "$T/r$r.ready" "$pid" 10 || echo "  round $r: not ready within 10 s"
		sleep "0.$(printf '%03d' $((RANDOM % 100)))"
	else
		sleep "0.$(printf '%03d' $((RANDOM % 400)))"
	fi
	active=0; [ -e "$T/r$r.ready" ] && active=1
	kill -"$sig" "$pid"
	[ $sig = INT ] && ints=$((ints + 1)) || terms=$((terms + 1))
	if ! wait_gone "$pid" 50; then
		hung=$((hung + 1)); echo "  round $r: still running 5 s after SIG$sig"; kill -KILL "$pid"
	fi
	wait "$pid"; rc=$?
	# The guard process removes an instance left by an early death: give it 2 s.
	instance_gone "$pid" || { inst=$((inst + 1)); echo "  round $r: instance hellolab-$pid left"; }
	ls "$T"/r$r.*.tmp >/dev/null 2>&1 && [ $active = 1 ] && { tmp=$((tmp + 1)); echo "  round $r: .tmp left"; }
	if [ $active = 0 ]; then
		# Stopped before the capture was active: a clean end, and whatever was written is whole.
		early=$((early + 1))
		case $rc in 0|1|130|143) ;; *) badrc=$((badrc + 1)); echo "  round $r (early): exit $rc";; esac
		[ -s "$out" ] && { [ $mode = doc ] && docs+=("$out") || lines+=("$out"); }
		continue
	fi
	late=$((late + 1))
	# Capturing, the signal ends its job: a clean stop is exit 0 (hello-trace --help).
	[ $rc = 0 ] || { badrc=$((badrc + 1)); echo "  round $r: SIG$sig: exit $rc: $(tail -1 "$T/r$r.err")"; }
	if [ -s "$out" ]; then
		[ $mode = doc ] && docs+=("$out") || lines+=("$out")
	else
		nojson=$((nojson + 1)); echo "  round $r: SIG$sig ${extra[*]}: no trace written: $(tail -1 "$T/r$r.err")"
	fi
	tcpdump -r "$T/r$r.pcap" -w /dev/null 2>/dev/null || { nopcap=$((nopcap + 1)); echo "  round $r: the pcap does not open"; }
done

# Signals during set-up (0..20 ms after the start, before the capture is active), and
# nothing may be left behind. SIGTERM at once: before the handler it kills the process
# before anything was made; after, it stops it cleanly. SIGINT once the handler exists:
# the tracer must install it before its set-up, not after.
early_hung=0 early_left=0
for ((r = 1; r <= 10; r++)); do
	out=$T/e$r.doc
	sig=TERM; ((r % 2)) || sig=INT
	"$TRACE" -i lo -w "$T/e$r.pcap" -o "$out" --duration 60 "port $PORT" 2>"$T/e$r.err" &
	pid=$!
	t_wait_exec "$pid" "$TRACE" || { nostart=$((nostart + 1)); echo "  early round $r: $TRACE did not start"; }
	if [ $sig = INT ]; then
		for ((i = 0; i < 500; i++)); do caught "$pid" 2 && break; sleep 0.001; done
	fi
	sleep "0.0$(printf '%02d' $((RANDOM % 20)))"
	[ $sig = INT ] && [ -e "$T/e$r.err" ] && grep -q capturing "$T/e$r.err" && echo "  early round $r: (already capturing)"
	kill -"$sig" "$pid"
	if ! wait_gone "$pid" 50; then
		early_hung=$((early_hung + 1)); echo "  early round $r: still running 5 s after SIG$sig"; kill -KILL "$pid"
	fi
	wait "$pid"
	instance_gone "$pid" || { early_left=$((early_left + 1)); echo "  early round $r: instance left"; }
	ls "$T"/e$r.*.tmp >/dev/null 2>&1 && { early_left=$((early_left + 1)); echo "  early round $r: .tmp left"; }
	[ -s "$out" ] && docs+=("$out")
done
touch "$T/stop"
# A signal is sent once the tracer runs, never to the shell's copy that forks it (t_wait_exec).
t_check "every tracer started within 5 s ($nostart did not)" [ $nostart = 0 ]
t_check "a SIGINT or SIGTERM during set-up stops the tracer too ($early_hung of 10 hung)" [ $early_hung = 0 ]
t_check "a SIGINT or SIGTERM during set-up leaves no instance or .tmp ($early_left)" [ $early_left = 0 ]

echo "  $ROUNDS rounds ($ints SIGINT, $terms SIGTERM): $late while capturing, $early during set-up"
t_check "every capture stopped within 5 s of the signal ($hung hung)" [ $hung = 0 ]
t_check "every exit code is a clean one ($badrc others)" [ $badrc = 0 ]
t_check "at least half the signals hit a running capture ($late of $ROUNDS)" [ $((late * 2)) -ge "$ROUNDS" ]
t_check "every stopped capture wrote its trace ($nojson without)" [ $nojson = 0 ]
t_check "every pcap opens with tcpdump ($nopcap do not)" [ $nopcap = 0 ]
t_check "no tracefs instance left ($inst)" [ $inst = 0 ]
t_check "no .tmp file left by a stopped capture ($tmp)" [ $tmp = 0 ]
t_check "no hellolab instance of ours at all" [ -z "$(ls "$INSTANCES" 2>/dev/null | grep -E "^hellolab-($(jobs -p | tr '\n' '|')0)$")" ]
# Once seen: every trace gone at this point, the whole folder with them. Nothing in the suites
# removes another run's folder; if it happens again, say so plainly rather than as N missing files.
t_check "the run folder is still there ($T)" [ -e "$T/stop" ]
if [ ${#docs[@]} -gt 0 ]; then
	t_checker "trace document, parses and validates" "$PYTHON" "$VALIDATE" "$SCHEMA" doc "${docs[@]}"
fi
if [ ${#lines[@]} -gt 0 ]; then
	t_checker "JSON-lines trace, parses and validates" "$PYTHON" "$VALIDATE" "$SCHEMA" jsonl "${lines[@]}"
	t_check "every JSON-lines trace ends with its summary" \
		"$PYTHON" -c 'import json, sys; sys.exit(any(json.loads(open(p).read().splitlines()[-1])["type"] != "summary" for p in sys.argv[1:]))' "${lines[@]}"
fi
san=$(for f in "$T"/r*.err "$T"/e*.err; do t_san_report "$f"; done)
t_check "no sanitizer report from any tracer${san:+:
$san}" [ -z "$san" ]
t_check "the traffic kept flowing (packets in the traces)" \
	"$PYTHON" -c 'import json, sys; sys.exit(sum(json.load(open(p))["capture"]["packets_seen"] for p in sys.argv[1:]) == 0)' "${docs[@]}"
t_done
