#!/usr/bin/env bash
# tools/bench.sh: `make bench` (and `make bench-smoke`): servers, tracer and peers measured in one run; writes results.json and a table.
#   tools/bench.sh [--smoke] [--flows] [--only PARTS] [--out FILE] [--duration SEC] [--rounds N]
# --only tcp,udp,offline,flows,live: just those parts (to measure one change; make bench runs all).
# --flows: only the tracer on many distinct flows (memory of --max-flows), into bench/results-flows.json.
# HELLO_BIN=DIR BENCH_COMMIT=NAME: measure an older build (a "before" run), recorded under NAME.
# As root it runs in a private network namespace (unshare -n): ports are free and a capture on
# lo holds only the benchmark's own traffic. Pinning (2 CPUs or more): every server and the
# offline tools on CPU 0, hello-bench and the live tracer on CPU 1 (docs/performance.md).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
: "${HELLO_BIN:=$ROOT/bin}" "${PYTHON:=/usr/bin/python3}"
export HELLO_BIN PYTHON

SMOKE=0 FLOWS_ONLY=0 ONLY=",tcp,udp,offline,flows,live," OUT="" DUR="" ROUNDS="" ROUND=0
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1 ;;
	--flows) FLOWS_ONLY=1 ;;
	--only) ONLY=",$2,"; shift ;;
	--out) OUT=$2; shift ;;
	--duration) DUR=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	-h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
if [ "$SMOKE" = 1 ]; then
	: "${DUR:=0.15}" "${ROUNDS:=1}"; PCAP_PKTS=3000; TSHARK_PKTS=300; SETUP_MS=300; FLOWS=1500; BIG_PKTS=0
else
	: "${DUR:=1.5}" "${ROUNDS:=5}"; PCAP_PKTS=1000000; TSHARK_PKTS=100000; SETUP_MS=2000; FLOWS=500000
	BIG_PKTS=${BENCH_BIG_PACKETS:-10000000}
fi
if [ "$FLOWS_ONLY" = 1 ]; then : "${OUT:=$ROOT/bench/results-flows.json}"; fi
: "${OUT:=$ROOT/bench/results.json}"
case "$OUT" in /*) ;; *) OUT="$ROOT/$OUT" ;; esac

say() { printf "bench: %s %s\n" "$(date +%T.%N | cut -c1-12)" "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# Every server and live tracer must end as documented when stopped (exit 0 after SIGTERM or
# SIGINT) with no sanitizer report in its output: the smoke run is a test, also under ASan.
# ended NAME EXIT ERR-FILE: says each exception; the run then exits 1 (after its results).
. "$ROOT/tests/lib/sanitizer.sh"
BAD_ENDS=0
ended() {
	local report
	report=$(t_san_report "$3")
	[ "$2" = 0 ] && [ -z "$report" ] && return 0
	BAD_ENDS=$((BAD_ENDS + 1))
	say "$1 ended with exit $2${report:+, and a sanitizer report:
$report}"
}

for p in hello-bench hello-bench-epoll hello-bench-udp hello-bench-mkpcap hello-tcp-server hello-udp-server hello-trace; do
	[ -x "$HELLO_BIN/$p" ] || die "$HELLO_BIN/$p is not built (run make)"
done

# Root: the full run installs what it lacks (redis-server, time, linux-perf stays optional),
# then re-executes itself in a fresh network namespace. The smoke run installs nothing.
if [ "$(id -u)" = 0 ] && [ -z "${BENCH_IN_NETNS:-}" ]; then
	if [ "$SMOKE" = 0 ] && [ "$FLOWS_ONLY" = 0 ]; then
		need=""
		command -v redis-server >/dev/null || need="$need redis-server"
		[ -x /usr/bin/time ] || need="$need time"
		if [ -n "$need" ]; then
			say "installing:$need"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null ||
				say "apt-get install$need failed; those rows are skipped"
		fi
	fi
	args=(--out "$OUT" --duration "$DUR" --rounds "$ROUNDS")
	[ "$SMOKE" = 1 ] && args+=(--smoke)
	[ "$FLOWS_ONLY" = 1 ] && args+=(--flows)
	args+=(--only "$ONLY")
	BENCH_IN_NETNS=1 exec unshare -n -- bash "$0" "${args[@]}"
fi
LIVE=0
if [ -n "${BENCH_IN_NETNS:-}" ]; then
	ip link set lo up || die "cannot bring lo up in the namespace"
	LIVE=1
	PORT=9999 RPORT=6380
else
	say "not root: no private namespace, no live capture; using ports 39999/36380"
	PORT=39999 RPORT=36380
fi

NCPU=$(nproc 2>/dev/null || echo 1)
SRV_CPU=0 GEN_CPU=$([ "$NCPU" -gt 1 ] && echo 1 || echo 0)
pin() { local cpu=$1; shift; if command -v taskset >/dev/null; then taskset -c "$cpu" "$@"; else "$@"; fi; }

W=$(mktemp -d /tmp/hello-bench.XXXXXX)
ROWS=$W/rows.jsonl
: >"$ROWS"
SRV="" SRV_PORT=0 SRV_PROTO=tcp SRV_NAME="" TPID=""
bench_cleanup() {
	# Only this script's own shell: a copy forked for `prog &` runs these traps until it
	# has exec'd prog, and a signal sent to it then must not clean up under the running script.
	[ "$BASHPID" = "$$" ] || return 0
	[ -n "$TPID" ] && kill -INT "$TPID" 2>/dev/null
	stop_server
	if [ -n "${BENCH_KEEP:-}" ]; then say "kept $W"; else rm -rf "$W"; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_port() { # PORT tcp|udp: 5 s at most
	local flag=-tln i
	[ "$2" = udp ] && flag=-uln
	for i in $(seq 100); do
		ss -H $flag "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

start_server() { # PROTO PORT command...: runs it on SRV_CPU, waits for its port
	local proto=$1 port=$2; shift 2
	SRV_NAME=${1##*/}
	# Not through pin, a function: $! would be a subshell, and its exit status not the server's.
	command -v taskset >/dev/null && set -- taskset -c "$SRV_CPU" "$@"
	# Its log lines go to a file, as when a teacher keeps them (`> server.log`): writing them is
	# part of what is measured.
	"$@" >"$W/server.log" 2>"$W/server.err" &
	SRV=$! SRV_PORT=$port SRV_PROTO=$proto
	if ! wait_port "$port" "$proto"; then
		say "server did not start: $* ($(head -c 300 "$W/server.err"))"
		stop_server
		return 1
	fi
}

stop_server() {
	[ -n "$SRV" ] || return 0
	kill -TERM "$SRV" 2>/dev/null	# the fork model stops its children itself
	for _ in $(seq 60); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	ended "$SRV_NAME (stopped by SIGTERM)" $? "$W/server.err"
	SRV=""
	# The next server binds the same port: wait until nothing (no fork child either) holds it.
	local flag=-tln
	[ "$SRV_PROTO" = udp ] && flag=-uln
	for _ in $(seq 100); do
		ss -H $flag "sport = :$SRV_PORT" 2>/dev/null | grep -q . || return 0
		sleep 0.05
	done
	say "port $SRV_PORT still in use after the server stopped"
}

# row JSON-FRAGMENT: one line of rows.jsonl
row() { printf '%s\n' "$1" >>"$ROWS"; }

# bench_run SECTION NAME CONNS hello-bench-args...: one hello-bench trial on GEN_CPU.
bench_run() {
	local section=$1 name=$2 conns=$3 out; shift 3
	out=$(pin "$GEN_CPU" "$HELLO_BIN/hello-bench" --json --duration "$DUR" --connections "$conns" \
		--connect-timeout "$SETUP_MS" "$@" 2>"$W/bench.err")
	if [ -z "$out" ]; then
		say "$section $name x$conns: hello-bench failed: $(head -c 300 "$W/bench.err")"
		out=null
	fi
	row "{\"section\":\"$section\",\"name\":\"$name\",\"conns\":$conns,\"round\":$ROUND,\"bench\":$out}"
	say "$section $name x$conns done (round $ROUND)"
}

tcp_section() {
	local m
	say "TCP: hello-tcp-server models vs redis-server vs the epoll baseline"
	if start_server tcp "$PORT" "$HELLO_BIN/hello-bench-epoll" --port "$PORT"; then
		bench_run tcp epoll-baseline 1 --port "$PORT"
		bench_run tcp epoll-baseline 50 --port "$PORT"
		stop_server
	fi
	# As README.md starts them: the default model (event), backlog and log lines; the other
	# models by --model alone; -q beside the default, labelled.
	for m in event event-q thread fork iterative; do
		case $m in
		event) set -- ;;
		event-q) set -- -q ;;
		*) set -- --model "$m" ;;
		esac
		start_server tcp "$PORT" "$HELLO_BIN/hello-tcp-server" "$@" --port "$PORT" || continue
		bench_run tcp "hello-$m" 1 --port "$PORT"
		bench_run tcp "hello-$m" 50 --port "$PORT"
		stop_server
	done
	if ! command -v redis-server >/dev/null; then
		say "redis-server not installed: its rows are skipped"
		return 0
	fi
	if start_server tcp "$RPORT" redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
		--protected-mode no --daemonize no --loglevel warning; then
		bench_run tcp redis 1 --port "$RPORT" --send 'PING\r\n' --expect-bytes 7 --no-greeting
		bench_run tcp redis 50 --port "$RPORT" --send 'PING\r\n' --expect-bytes 7 --no-greeting
		stop_server
	fi
}

udp_section() {
	say "UDP: hello-udp-server vs the bare recvfrom/sendto baseline"
	if start_server udp "$PORT" "$HELLO_BIN/hello-bench-udp" --port "$PORT"; then
		bench_run udp udp-baseline 1 --udp --port "$PORT"
		bench_run udp udp-baseline 50 --udp --port "$PORT"
		stop_server
	fi
	if start_server udp "$PORT" "$HELLO_BIN/hello-udp-server" --port "$PORT"; then
		bench_run udp hello-udp 1 --udp --port "$PORT"
		bench_run udp hello-udp 50 --udp --port "$PORT"
		stop_server
	fi
	if start_server udp "$PORT" "$HELLO_BIN/hello-udp-server" -q --port "$PORT"; then
		bench_run udp hello-udp-q 1 --udp --port "$PORT"
		bench_run udp hello-udp-q 50 --udp --port "$PORT"
		stop_server
	fi
}

# timed NAME PACKETS LIMIT_S OUTFILE command...: runs on SRV_CPU under /usr/bin/time (killed
# after LIMIT_S seconds: exit 137 in the row), stdout to OUTFILE. The row's section is
# $SECTION (offline), with $ROW_EXTRA (JSON members) added.
SECTION=offline ROW_EXTRA=""
timed() {
	local name=$1 pkts=$2 limit=$3 outf=$4 rc e u s m bytes x; shift 4
	rm -f "$W/time.txt"
	if [ -x /usr/bin/time ]; then
		pin "$SRV_CPU" /usr/bin/time -f '%e %U %S %M' -o "$W/time.txt" timeout -s KILL "$limit" "$@" >"$outf" 2>"$W/tool.err"
		rc=$?
	else
		local t0 t1
		t0=$(date +%s.%N)
		pin "$SRV_CPU" timeout -s KILL "$limit" "$@" >"$outf" 2>"$W/tool.err"
		rc=$?
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f 0 0 0\n", b - a }' >"$W/time.txt"
	fi
	[ "$rc" = 0 ] || say "$name exited $rc$([ "$rc" = 137 ] && echo " (killed after ${limit}s)"): $(head -c 300 "$W/tool.err")"
	# The last line holds the figures (a killed command adds a line before them).
	read -r e u s m < <(tail -n 1 "$W/time.txt" 2>/dev/null)
	for x in e u s m; do
		[[ "${!x:-}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || printf -v "$x" 0
	done
	bytes=$(stat -c %s "$outf" 2>/dev/null || echo 0)
	row "{\"section\":\"$SECTION\",${ROW_EXTRA:+$ROW_EXTRA,}\"name\":\"$name\",\"packets\":$pkts,\"exit\":$rc,\"limit_s\":$limit,\"elapsed_s\":$e,\"user_s\":$u,\"sys_s\":$s,\"max_rss_kb\":$m,\"out_bytes\":$bytes}"
	rm -f "$outf"
	say "$SECTION $name done (${e}s)"
}

offline_section() {
	say "offline: hello-trace -r on $PCAP_PKTS packets vs tcpdump -nn -r; tshark -T json on $TSHARK_PKTS"
	"$HELLO_BIN/hello-bench-mkpcap" --output "$W/hello.pcap" --packets "$PCAP_PKTS" || die "cannot write the pcap"
	"$HELLO_BIN/hello-bench-mkpcap" --output "$W/cut.pcap" --packets "$TSHARK_PKTS" || die "cannot write the pcap"
	timed hello-trace-jsonl "$PCAP_PKTS" 120 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/hello.pcap" --jsonl
	timed hello-trace-json "$PCAP_PKTS" 120 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/hello.pcap"
	if command -v tcpdump >/dev/null; then
		timed tcpdump "$PCAP_PKTS" 120 "$W/out" tcpdump -nn -r "$W/hello.pcap"
	fi
	if command -v tshark >/dev/null; then
		timed tshark-json "$TSHARK_PKTS" 120 "$W/out" tshark -r "$W/cut.pcap" -T json
		timed hello-trace-jsonl-cut "$TSHARK_PKTS" 120 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/cut.pcap" --jsonl
		timed hello-trace-json-cut "$TSHARK_PKTS" 120 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/cut.pcap"
	fi
	rm -f "$W/hello.pcap" "$W/cut.pcap"
	# Memory must not grow with the capture: the same at ten times the packets.
	[ "$BIG_PKTS" -gt 0 ] || return 0
	say "offline: the same on $BIG_PKTS packets"
	"$HELLO_BIN/hello-bench-mkpcap" --output "$W/big.pcap" --packets "$BIG_PKTS" || die "cannot write the big pcap"
	timed hello-trace-jsonl-big "$BIG_PKTS" 600 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/big.pcap" --jsonl
	timed hello-trace-json-big "$BIG_PKTS" 600 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/big.pcap"
	if command -v tcpdump >/dev/null; then
		timed tcpdump-big "$BIG_PKTS" 600 "$W/out" tcpdump -nn -r "$W/big.pcap"
	fi
	rm -f "$W/big.pcap"
}

# Many distinct flows (tests/hostile/mkflows.py: a SYN and its SYN+ACK each): what the
# default --max-flows (10000) bounds. JSON lines write and free each evicted flow; the
# document writes its evicted flows to a temporary file and reads them back in place.
flows_section() {
	local pkts=$((2 * FLOWS))
	say "offline: hello-trace -r on $FLOWS distinct flows ($pkts packets), document and --jsonl"
	"$PYTHON" "$ROOT/tests/hostile/mkflows.py" "$W/flows.pcap" "$FLOWS" 2 || die "cannot write the flows pcap"
	SECTION=offline-flows ROW_EXTRA="\"flows\":$FLOWS"
	timed hello-trace-json-flows "$pkts" 120 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/flows.pcap"
	timed hello-trace-jsonl-flows "$pkts" 120 "$W/out" "$HELLO_BIN/hello-trace" --no-kernel -r "$W/flows.pcap" --jsonl
	SECTION=offline ROW_EXTRA=""
	rm -f "$W/flows.pcap"
}

# live_run CASE TRACER: the server as shipped loaded with 50 connections, traced on lo by
# TRACER: "-" none, "tcpdump" (`tcpdump -i lo -w F 'tcp port P'`), "hello-trace" (`hello-trace
# -i lo -w F -o F.json 'tcp port P'`, no tuning flag). The tracer runs on GEN_CPU; its drops
# come from its own report (the trace's capture section; tcpdump's "dropped by kernel" line).
live_run() {
	local name=$1 tracer=$2 tpid="" capture=null i; shift 2
	rm -f "$W/live.pcap" "$W/live.json" "$W/ready" "$W/trace.err"
	case "$tracer" in
	tcpdump)
		taskset -c "$GEN_CPU" tcpdump -i lo -w "$W/live.pcap" "tcp port $PORT" 2>"$W/trace.err" &
		tpid=$!
		for i in $(seq 100); do grep -q '^listening on' "$W/trace.err" 2>/dev/null && break; sleep 0.05; done
		;;
	hello-trace)
		# --ready-file only says when the capture is on; it changes nothing in the capture.
		taskset -c "$GEN_CPU" "$HELLO_BIN/hello-trace" -i lo -w "$W/live.pcap" -o "$W/live.json" \
			--ready-file "$W/ready" "tcp port $PORT" 2>"$W/trace.err" &
		tpid=$!
		for i in $(seq 100); do [ -e "$W/ready" ] && break; sleep 0.05; done
		[ -e "$W/ready" ] || say "live: the tracer did not start: $(head -c 300 "$W/trace.err")"
		;;
	esac
	TPID=$tpid
	bench_run live "$name" 50 --port "$PORT" "$@"
	if [ -n "$tpid" ]; then
		kill -INT "$tpid" 2>/dev/null
		for i in $(seq 1200); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
		local rc=$?
		ended "$tracer (live $name, stopped by SIGINT)" "$rc" "$W/trace.err"
		TPID=""
		if [ "$tracer" = hello-trace ]; then
			capture=$("$PYTHON" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["capture"]))' \
				"$W/live.json" 2>/dev/null || echo null)
		else
			capture=$(awk '/packets captured/ { c = $1 } /dropped by kernel/ { d = $1 }
				END { if (c == "") print "null"; else printf "{\"packets_seen\":%d,\"packets_dropped\":%d}\n", c, d }' "$W/trace.err")
		fi
	fi
	row "{\"section\":\"live-trace\",\"name\":\"$name\",\"round\":$ROUND,\"capture\":$capture}"
}

live_section() {
	if [ "$LIVE" = 0 ]; then
		say "live capture skipped (needs root and a private namespace)"
		return 0
	fi
	say "live: hello-tcp-server as shipped, untraced, traced by tcpdump -w, traced by hello-trace -w -o"
	start_server tcp "$PORT" "$HELLO_BIN/hello-tcp-server" --port "$PORT" || return 0
	live_run untraced -
	command -v tcpdump >/dev/null && live_run tcpdump-traced tcpdump
	live_run hello-traced hello-trace
	stop_server
}

# The machine is shared: every trial runs ROUNDS times, rounds interleaved, and the report
# keeps each one's best (noise only ever slows a trial down).
T0=$(date +%s)
if [ "$FLOWS_ONLY" = 1 ]; then
	flows_section
else
	part() { case "$ONLY" in *,$1,*) return 0 ;; esac; return 1; }
	for ROUND in $(seq "$ROUNDS"); do
		part tcp && tcp_section
		part udp && udp_section
	done
	part offline && offline_section
	part flows && flows_section
	for ROUND in $(seq "$ROUNDS"); do
		part live && live_section
	done
fi
T1=$(date +%s)
mkdir -p "$(dirname "$OUT")"
"$PYTHON" "$ROOT/bench/report.py" --rows "$ROWS" --out "$OUT" --seconds $((T1 - T0)) \
	--pinning "servers and offline tools on CPU $SRV_CPU; hello-bench and the live tracer on CPU $GEN_CPU ($NCPU CPUs)" \
	--duration "$DUR" --rounds "$ROUNDS" $([ "$SMOKE" = 1 ] && echo --smoke) ||
	die "bench/report.py failed"
[ "$BAD_ENDS" = 0 ] || die "$BAD_ENDS server or tracer run(s) ended badly (said above); results written to $OUT"
