#!/usr/bin/env bash
# tests/integration/service_logbuf.sh: the servers' buffered log lines (docs/logging.md): under
# load, to a pipe and to a file, every model writes every line once, whole and in order (the
# summary's counts equal the lines); a line is out while the server waits, before any signal;
# a server killed by SIGABRT or SIGSEGV still dies of it, its lines intact.
source "$(dirname "$0")/../lib/common.sh"
source "$HELLO_ROOT/tests/peers/service_lib.sh"
svc_setup "$@"

BENCH="$HELLO_BIN/hello-bench"
REQS=2000
LINE_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z hello-(tcp|udp)-server\[[0-9]+\] [a-z]+( .*)?$'

# check_log NAME LOG "LINE:COUNTER...": every line well formed, the summary last, its counts equal the lines.
check_log() {
	local name=$1 log=$2 kind=$3 bad last want got
	bad=$(grep -cvE "$LINE_RE" "$log")
	t_check "$name: every line whole ($bad malformed of $(wc -l <"$log"))" [ "$bad" = 0 ]
	last=$(tail -n 1 "$log")
	t_check "$name: the summary is the last line" grep -q '] summary ' <<<"$last"
	for kind in $kind; do	# LINE:COUNTER
		want=$(sed -n "s/.* summary .*\\b${kind#*:}=\\([0-9]*\\).*/\\1/p" <<<"$last")
		kind=${kind%:*}
		got=$(grep -c "\] $kind " "$log")
		t_check "$name: $got '$kind' lines, as the summary counts ($want)" [ "${want:-x}" = "$got" ]
	done
}

# load NAME ARGS...: REQS requests over 20 connections; fails the suite's check when any failed.
load() {
	local name=$1; shift
	timeout -k 2 30 "$BENCH" --port "$PORT" --connections 20 --requests "$REQS" --timeout 5000 -q "$@" \
		>"$T/bench-$name.out" 2>&1
	t_check "$name: the load got every reply" [ $? = 0 ]
}

# Through a pipe (what the lab runner and `| tee` give): the fork model's children and the
# thread model's threads all write into one pipe.
for model in event thread fork; do
	mkfifo "$T/fifo-$model"
	cat "$T/fifo-$model" >"$T/pipe-$model.log" &
	reader=$!
	t_bg "$TCPS" --port "$PORT" --model "$model" --backlog 64 >"$T/fifo-$model"
	pid=$!
	t_wait_port "$PORT" tcp 5 || t_fail "$model: server listens"
	load "tcp-$model-pipe"
	t_stop "$pid"
	wait "$reader"
	check_log "tcp $model, pipe" "$T/pipe-$model.log" "message:messages reply:replies"
done

# To a file: a line is there while the server sleeps in its wait, with no signal to push it.
svc_tcp_server "$T/file.log" --backlog 64
svc_run "$T/client.out" "$TCPC" --port "$PORT"
for _ in $(seq 100); do grep -q '] close conn=1 ' "$T/file.log" && break; sleep 0.05; done
t_check "tcp event, file: the close line is written while the server waits" grep -q '] close conn=1 ' "$T/file.log"
load tcp-event-file
t_stop "$SVC_SERVER_PID"
check_log "tcp event, file" "$T/file.log" "message:messages reply:replies"

# UDP through a pipe.
mkfifo "$T/fifo-udp"
cat "$T/fifo-udp" >"$T/udp.log" &
reader=$!
t_bg "$UDPS" --port "$PORT" >"$T/fifo-udp"
pid=$!
t_wait_port "$PORT" udp 5 || t_fail "udp: server listens"
load udp-pipe --udp
t_stop "$pid"
wait "$reader"
check_log "udp, pipe" "$T/udp.log" "reply:replies"

# UDP, a burst queued at once (the server takes it in one batch): the too-long datagrams
# among them are dropped with their line, every other one answered, in order.
t_bg "$UDPS" --port "$PORT" --max-msg 10 >"$T/burst.log"
pid=$!
t_wait_port "$PORT" udp 5 || t_fail "udp burst: server listens"
"$PYTHON" - "$PORT" >"$T/burst.out" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
msgs = [b"m%02d" % i if i % 7 else b"too-long-%02d" % i for i in range(40)]
for m in msgs:
    s.sendto(m, ("127.0.0.1", int(sys.argv[1])))
want = [b"Hello, " + m + b"!" for m in msgs if len(m) <= 10]
got = [s.recv(100) for _ in want]
print("in order" if got == want else "replies differ: %r" % got[:5])
PY
t_check "udp burst: every short datagram answered, in order" grep -qx "in order" "$T/burst.out"
t_stop "$pid"
check_log "udp burst" "$T/burst.log" "reply:replies toolong:dropped"
t_check "udp burst: 6 too-long datagrams dropped with a line each" [ "$(grep -c '\] toolong ' "$T/burst.log")" = 6 ]

# A crash: the fatal-signal flush re-raises, so the server dies of the signal (SIGABRT: 134,
# SIGSEGV: 139), its lines whole. Under a sanitizer SIGSEGV is the sanitizer's to report.
crash_sigs="ABRT:134 SEGV:139"
[ -n "${HELLO_SANITIZED:-}" ] && crash_sigs="ABRT:134"
for sc in $crash_sigs; do
	sig=${sc%:*}
	t_bg --exit "${sc#*:}" "$TCPS" --port "$PORT" --backlog 64 >"$T/crash-$sig.log"
	pid=$!
	t_wait_port "$PORT" tcp 5 || t_fail "SIG$sig: server listens"
	load "tcp-$sig"
	t_stop "$pid" "$sig"
	t_check "SIG$sig: every message line answered" \
		[ "$(grep -c '\] message ' "$T/crash-$sig.log")" = "$(grep -c '\] reply ' "$T/crash-$sig.log")" ]
	bad=$(grep -cvE "$LINE_RE" "$T/crash-$sig.log")
	t_check "SIG$sig: every line whole ($bad malformed)" [ "$bad" = 0 ]
done
t_done
