#!/usr/bin/env bash
# tests/integration/trace_live_kernel.sh: hello-trace's kernel sources live: SIGKILL leaves no tracefs instance, -Z, --no-kernel, --netns across a veth pair.
. "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

B=$HELLO_BIN
CHECK="$HELLO_ROOT/tests/integration/trace_live_check.py"
INSTANCES=/sys/kernel/tracing/instances
t_port	# the tracepoint is system-wide: ports no other suite on this host traces now
NSPORT=$((PORT + 1))
for p in hello-trace hello-tcp-server hello-tcp-client; do
	[ -x "$B/$p" ] || t_skip "$B/$p is not built"
done

T=$(mktemp -d /tmp/trace_live_kernel.XXXXXX)
chmod 755 "$T"
TPIDS=()

k_cleanup() {
	local p
	sleep 0.2
	for p in "${TPIDS[@]}"; do rmdir "$INSTANCES/hellolab-$p" 2>/dev/null; done
	rm -rf "$T"
}
t_on_exit k_cleanup

# The python checker: one check per line (t_checker).
run_checks() { t_checker "$1" "$PYTHON" "$CHECK" "$@"; }
field() { "$PYTHON" "$CHECK" field "$@"; }

# start_tracer NAME ARGS...: hello-trace in the background writing T/NAME.{json,pcap}; TPID.
start_tracer() {
	local name=$1
	shift
	rm -f "$T/$name.ready"
	# --duration bounds the tracer even if this script is SIGKILLed.
	t_bg "$B/hello-trace" -w "$T/$name.pcap" -o "$T/$name.json" --ready-file "$T/$name.ready" \
		--duration 60 "$@" 2>"$T/$name.err"
	TPID=$!
	TPIDS+=("$TPID")
	t_check "$name: hello-trace is ready" t_wait_file "$T/$name.ready" "$TPID"
}

# stop_tracer NAME: SIGINT, bounded wait, exit code 0 (a live capture stopped by a signal
# has done its job), instance gone.
stop_tracer() {
	t_stop "$TPID" INT
	sed "s/^/  $1 hello-trace: /" "$T/$1.err"
	t_check "$1: no tracefs instance left" test ! -e "$INSTANCES/hellolab-$TPID"
}

# exchange PORT [-6] [CLIENT-OPTIONS...]: one hello exchange on PORT, IPv6 on both sides
# with -6; the server (--once) ends by itself.
exchange() {
	local port=$1 fam=() spid
	shift
	[ "${1:-}" = -6 ] && { fam=(-6); shift; }
	t_bg "$B/hello-tcp-server" "${fam[@]}" --once --port "$port" >>"$T/server.log" 2>&1
	spid=$!
	t_wait_port "$port" || { t_fail "server ${fam[*]} listens on $port"; t_stop "$spid"; return; }
	timeout 10 "$B/hello-tcp-client" "${fam[@]}" --port "$port" "$@" >>"$T/client.log" 2>&1 ||
		t_fail "client ${fam[*]} $* exchange on $port"
	t_wait_bg "$spid"
	t_wait_closed "$port" || t_fail "every connection on $port over (FINs answered)"
}

# --- 0. What the user asked for and cannot have is an error (exit 1), said plainly. --
err_case() {	# err_case WHAT EXPECTED-MESSAGE ARGS...
	local what=$1 want=$2 out rc
	shift 2
	out=$("$B/hello-trace" -i lo -o "$T/err.json" "$@" 2>&1)
	rc=$?
	t_check "$what: exit 1 ($rc), \"$want\"" test "$rc" = 1 -a -n "$(echo "$out" | grep -F -- "$want")"
}
err_case "--netns nosuch" "netns hellolab-nosuch: open /var/run/netns/hellolab-nosuch: No such file or directory" \
	--netns hellolab-nosuch "tcp port $PORT"
err_case "-Z nosuch" "-Z hellolab-nosuch: no such user" -Z hellolab-nosuch "tcp port $PORT"
stale=""
for d in "$INSTANCES"/hellolab-*; do
	[ -d "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null && stale="$stale ${d##*/}"
done
t_check "errors leave no tracefs instance behind (${stale:-none})" test -z "$stale"

# --- 1. SIGKILL: the guard process removes the tracefs instance. -----------------
start_tracer kill -i lo "tcp port $PORT"
if [ -d "$INSTANCES/hellolab-$TPID" ]; then
	t_ok "kill: the private instance hellolab-$TPID exists while tracing"
	grep -q mono "$INSTANCES/hellolab-$TPID/trace_clock" 2>/dev/null &&
		t_ok "kill: its trace_clock is mono" || t_fail "kill: its trace_clock is mono"
	t_stop "$TPID" KILL
	gone() {
		for _ in $(seq 40); do [ -e "$INSTANCES/hellolab-$TPID" ] || return 0; sleep 0.05; done
		return 1
	}
	t_check "kill: after SIGKILL the instance is removed within 2 s" gone
else
	echo "  note: no tracefs instance (tracepoint unavailable): $(cat "$T/kill.err")"
	t_stop "$TPID" KILL
fi

# --- 2. --no-kernel: no source, no instance, said so. ------------------------------
start_tracer nokernel -i lo --no-kernel "tcp port $PORT"
t_check "nokernel: no instance created" test ! -e "$INSTANCES/hellolab-$TPID"
exchange "$PORT"
stop_tracer nokernel
t_check "nokernel: state_sources says no tracepoint, no sock_diag" \
	test "$(field "$T/nokernel.json" capture.state_sources.tracepoint)$(field "$T/nokernel.json" capture.state_sources.sock_diag)" = falsefalse
nk=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for e in d["events"] if e.get("source")=="kernel"))' "$T/nokernel.json")
t_check "nokernel: no kernel event ($nk)" test "$nk" = 0
t_check "nokernel: the note says why" grep -q -- '--no-kernel' "$T/nokernel.json"

# --- 3. -Z nobody: privileges dropped after set-up; both sources still report. -----
if id nobody >/dev/null 2>&1; then
	# The JSON is renamed into place at the end, by then as nobody: a directory it may
	# write (not sticky: the .tmp file was created as root).
	chmod 777 "$T"
	start_tracer dropz -i lo -Z nobody "tcp port $PORT"
	uid=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$TPID/status" 2>/dev/null)
	t_check "dropz: the tracer runs as nobody ($uid)" test "$uid" = "$(id -u nobody)$(id -u nobody)$(id -u nobody)$(id -u nobody)"
	exchange "$PORT"
	stop_tracer dropz
	if [ -s "$T/dropz.json" ]; then
		run_checks live "$T/dropz.json" "$PORT" lo
	else
		t_fail "dropz: trace.json written"
	fi
	chmod 755 "$T"
else
	echo "  note: no user nobody; -Z not tried"
fi

# --- 4. Who holds TIME_WAIT: IPv6 (server closes), --close-first (client closes),
# --close-after-exit (the FINs race): the kernel and the inference agree each time. -----
start_tracer sides -i lo "tcp port $PORT"
exchange "$PORT" -6
exchange "$PORT" --close-first
exchange "$PORT" --close-after-exit
stop_tracer sides
run_checks sides "$T/sides.json" "$PORT" server client '*'

# --- 5. --netns: a second namespace over a veth pair; sock_diag sees both ends. ----
command -v nsenter >/dev/null || t_skip "nsenter not found (util-linux)"
t_bg --exit 143 unshare -n sleep 30	# holds the second namespace until stopped
HOLD=$!
for _ in $(seq 40); do
	[ "$(readlink "/proc/$HOLD/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.05
done
NS2=/proc/$HOLD/ns/net
in2() { nsenter --net="$NS2" "$@"; }
if ip link add hl-a type veth peer name hl-b &&
	ip link set hl-b netns "$HOLD" &&
	ip addr add 10.77.0.1/24 dev hl-a && ip link set hl-a up &&
	in2 ip link set lo up && in2 ip addr add 10.77.0.2/24 dev hl-b && in2 ip link set hl-b up; then
	t_ok "netns: veth pair between two namespaces"
else
	t_fail "netns: veth pair between two namespaces"
	t_done
fi
start_tracer netns -i hl-a --netns /proc/$$/ns/net --netns "$NS2" "tcp port $NSPORT"
t_bg "$B/hello-tcp-server" --once --host 10.77.0.1 --port "$NSPORT" --delay 100 >>"$T/server.log" 2>&1
SPID=$!
t_wait_port "$NSPORT" || t_fail "netns: server listens"
run_client2() {
	timeout 10 nsenter --net="$NS2" "$B/hello-tcp-client" --host 10.77.0.1 --port "$NSPORT" \
		>>"$T/client.log" 2>&1
}
t_check "netns: client in the other namespace runs the exchange" run_client2
t_wait_bg "$SPID"
t_wait_closed "$NSPORT" || t_fail "netns: the connection is over (FINs answered)"
stop_tracer netns
run_checks live "$T/netns.json" "$NSPORT" hl-a
res=$("$PYTHON" - "$T/netns.json" "$NS2" "$$" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ns = d["capture"].get("netns", [])
sd = [e for e in d["events"] if e["type"] == "state" and e.get("via") == "sock_diag"]
sides = sorted({e["side"] for e in sd if "flow" in e})
print("netns=%s" % ("yes" if ns == ["/proc/%s/ns/net" % sys.argv[3], sys.argv[2]] else "no:%s" % ns))
print("sides=%s" % ",".join(sides))
EOF
)
t_check "netns: capture.netns lists both namespaces ($(echo "$res" | head -1))" \
	test "$(echo "$res" | head -1)" = netns=yes
t_check "netns: sock_diag saw both ends, each in its namespace ($(echo "$res" | tail -1))" \
	test "$(echo "$res" | tail -1)" = sides=client,server

# Every trace this suite wrote follows the schema.
if [ -f "$HELLO_ROOT/docs/trace.schema.json" ]; then
	set --
	for f in nokernel dropz sides netns; do [ -s "$T/$f.json" ] && set -- "$@" "$T/$f.json"; done
	run_checks schema "$HELLO_ROOT/docs/trace.schema.json" "$@"
else
	t_fail "docs/trace.schema.json exists"
fi
t_done
