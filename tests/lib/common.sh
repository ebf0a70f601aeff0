# tests/lib/common.sh: shared helpers for the integration suites (sourced, bash).
# Conventions: exit 0 pass, 1 fail, 77 skipped (reason printed last). Every wait is bounded.
# What makes a suite fail, and why: docs/testing.md ("How the suites report").

: "${HELLO_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${HELLO_BIN:=$HELLO_ROOT/bin}"
: "${PYTHON:=/usr/bin/python3}"
export HELLO_ROOT HELLO_BIN PYTHON

T_FAILS=0
T_CHECKS=0

t_fail() { echo "FAIL: $*"; T_FAILS=$((T_FAILS + 1)); T_CHECKS=$((T_CHECKS + 1)); }
t_ok() { echo "ok: $*"; T_CHECKS=$((T_CHECKS + 1)); }

# t_skip REASON: the suite cannot run here; exit 77 with the reason. Background programs are
# stopped and checked first, and a skip after a failed check is a failure (exit 1): a skip
# never hides what went wrong before it.
t_skip() {
	t_bg_stop_all
	if [ "$T_FAILS" -gt 0 ]; then
		echo "FAIL: $T_FAILS check(s) failed before the suite skipped ($*)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

# t_check "what" command...: passes when the command succeeds.
t_check() {
	local what=$1; shift
	if "$@"; then t_ok "$what"; else t_fail "$what"; fi
}

# t_need_tracer: the offline trace suites' needs, or a skip: TRACE (hello-trace) built,
# $PYTHON with scapy (to write captures) and jsonschema (to validate traces).
t_need_tracer() {
	TRACE=$HELLO_BIN/hello-trace
	[ -x "$TRACE" ] || t_skip "$TRACE not built"
	"$PYTHON" -c 'import scapy, jsonschema' 2>/dev/null || t_skip "$PYTHON lacks scapy or jsonschema"
}

# t_workdir NAME: W, a new folder /tmp/NAME.XXXXXX, removed on exit.
t_workdir() {
	W=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	t_on_exit 'rm -rf "$W"'
}

# t_done: stops and checks the background programs still running, prints the closing line,
# and exits. A suite that checked nothing fails.
t_done() {
	t_bg_stop_all
	local passed=$((T_CHECKS - T_FAILS))
	echo "$passed passed, $T_FAILS failed"
	if [ "$T_CHECKS" -eq 0 ]; then echo "FAIL: the suite checked nothing"; exit 1; fi
	[ "$T_FAILS" -eq 0 ]
	exit $?
}

# t_checker WHAT CMD...: runs a checker program (Python, node, ...). Its output, stdout and
# stderr, is one line per check: "ok: TEXT" (a passed check), "FAIL: TEXT" (a failed one) or
# "note: TEXT" (shown, not counted); each check becomes "WHAT: TEXT" of this suite. The
# checker itself fails the suite when it prints any other line (a traceback, "SKIP: ...",
# stray output: shown in full), reports no check at all, or exits non-zero without a failed
# check. Returns 0 when all is well; its output stays in $T_CHECKER_OUT until the next call.
T_CHECKER_OUT=""
t_checker() {
	local what=$1 line rc bad=0 n=0; shift
	[ -n "$T_CHECKER_OUT" ] || T_CHECKER_OUT=$(mktemp "${TMPDIR:-/tmp}/hello-checker.XXXXXX")
	"$@" >"$T_CHECKER_OUT" 2>&1
	rc=$?
	local f0=$T_FAILS
	while IFS= read -r line || [ -n "$line" ]; do
		case "$line" in
		"ok: "*) t_ok "$what: ${line#ok: }"; n=$((n + 1)) ;;
		"FAIL: "*) t_fail "$what: ${line#FAIL: }"; n=$((n + 1)) ;;
		"note: "*) echo "  $what: ${line#note: }" ;;
		*) bad=$((bad + 1)); echo "  $what: checker said: $line" ;;
		esac
	done <"$T_CHECKER_OUT"
	# A non-zero exit is the checker's own verdict only when it reported a failed check.
	if [ $bad -gt 0 ] || [ $n -eq 0 ] || { [ $rc -ne 0 ] && [ "$T_FAILS" -eq "$f0" ]; }; then
		t_fail "$what: the checker ($(basename "$1")${2:+ ${2##*/}}) exited $rc with $n check(s) and $bad line(s) outside ok:/FAIL:/note:"
		return 1
	fi
	[ "$T_FAILS" -eq "$f0" ] && [ $rc -eq 0 ]
}

# t_netns "$@": re-executes the calling script in a new network namespace (as root) with
# loopback up, once; inside, verifies the namespace differs from the one we started in.
# Killed runs leave nothing behind: an unshare'd namespace dies with its last process.
t_netns() {
	if [ -z "${HELLO_IN_NETNS:-}" ]; then
		[ "$(id -u)" = 0 ] || t_skip "needs root for a private network namespace"
		command -v unshare >/dev/null || t_skip "unshare not found (util-linux)"
		command -v ip >/dev/null || t_skip "ip not found (iproute2)"
		local outer
		outer=$(readlink /proc/self/ns/net)
		HELLO_IN_NETNS=1 HELLO_OUTER_NS="$outer" exec unshare -n -- bash "$0" "$@"
	fi
	local inner
	inner=$(readlink /proc/self/ns/net)
	if [ "$inner" = "${HELLO_OUTER_NS:-}" ]; then
		echo "FAIL: not inside a private network namespace; refusing to touch the network"
		exit 1
	fi
	ip link set lo up || { echo "FAIL: cannot bring lo up in the namespace"; exit 1; }
}

# t_wait_port PORT [tcp|udp] [TIMEOUT_S]: waits until something listens on PORT.
t_wait_port() {
	local port=$1 proto=${2:-tcp} limit=${3:-5} i=0 flag=-tln
	[ "$proto" = udp ] && flag=-uln
	while [ $i -lt $((limit * 20)) ]; do
		ss -H $flag "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# t_wait_closed PORT [TIMEOUT_S]: waits (5 s) until every TCP connection on PORT (either
# end) is over: none left but in TIME_WAIT. A program's close() returns once its FIN is
# sent; the peer's answer may still be on its way when both programs have ended.
t_wait_closed() {
	local port=$1 limit=${2:-5} i=0
	while [ $i -lt $((limit * 20)) ]; do
		ss -Htan state connected exclude time-wait "( sport = :$port or dport = :$port )" 2>/dev/null |
			grep -q . || return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# t_port [VAR]: reserves a block of 16 ports for as long as this suite runs and sets VAR
# (default PORT) to its first. The sock:inet_sock_set_state tracepoint sees every network
# namespace of the host, so two suites that trace the same port at once (two CI jobs, a
# developer's make test beside make lab) would see each other's sockets: each traced suite
# takes ports no other hellolab suite on this host holds. A block is held with flock(1) on
# /tmp/hellolab-ports/BASE.lock through a descriptor the suite keeps open; it is free again
# when the suite (and whatever inherited the descriptor) ends, however it ends.
t_port() {
	local var=${1:-PORT} dir=/tmp/hellolab-ports base i f fd
	command -v flock >/dev/null || t_skip "flock not found (util-linux)"
	mkdir -p "$dir" 2>/dev/null && chmod 1777 "$dir" 2>/dev/null
	for i in $(seq 400); do
		# below the ephemeral range (32768-60999): a client's port never takes a server's
		base=$((20000 + 16 * (RANDOM % 798)))
		f=$dir/$base.lock
		# A lock file another user made is opened read-only: flock works on either.
		if ! exec {fd}>>"$f" 2>/dev/null; then exec {fd}<"$f" 2>/dev/null || continue; fi
		if flock -n "$fd"; then
			printf -v "$var" '%d' "$base"
			return 0
		fi
		exec {fd}>&-
	done
	echo "FAIL: t_port: no free block of ports in $dir after $i tries"
	exit 1
}

# t_wait_file PATH [PID] [TIMEOUT_S]: waits (5 s) until PATH exists; 1 when it does not, or
# when PID (say, the program that writes it) ended first.
t_wait_file() {
	local path=$1 pid=${2:-} i=0 limit=$((${3:-5} * 20))
	while [ $i -lt $limit ]; do
		[ -e "$path" ] && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 1
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# t_wait_exec PID PROG: waits (5 s at most) until PID runs PROG, not the shell's copy that
# `prog &` forks. A signal that copy receives is taken by the suite's trap, which only runs
# once the current command is done, and the exec comes first: the signal is lost, and a
# suite that stops a program the moment it starts finds it running on.
t_wait_exec() {
	local prog i
	prog=$(readlink -f "$2") || return 1
	for ((i = 0; i < 5000; i++)); do
		[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$prog" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.001
	done
	return 1
}

# Background programs. t_bg starts one; t_stop (a signal) or t_wait_bg (it ends by itself)
# ends it and checks how it ended: an exit status it may have (0, or the list given to
# t_bg --exit) and no sanitizer report in its output. t_done and t_skip end and check those
# still running; a suite that dies otherwise kills them unchecked (t_cleanup, on exit).
# Output goes where the caller redirected it; stderr that goes to no file of its own (the
# suite's output, /dev/null) is kept in a file of T_BG_DIR to be read, and shown when the
# program ends unless it was /dev/null.
T_BG_PIDS=()
declare -A T_BG_NAME=() T_BG_LOG=() T_BG_OFF=() T_BG_EXIT=() T_BG_SHOW=()
T_BG_DIR=""
T_SUITE_ERR=$(readlink "/proc/$$/fd/2" 2>/dev/null)
. "$HELLO_ROOT/tests/lib/sanitizer.sh"

# t_bg [--exit "CODES"] CMD...: starts CMD in the background ($! is its pid), its stdin the
# caller's (a here-document works; tests/run gives suites /dev/null). CODES are the exit
# statuses it may end with (default 0): e.g. "143" for a plain program killed by SIGTERM.
# CMD is best a program: a shell function runs in a subshell, and a signal sent to $! then
# stops the subshell, not what it runs.
t_bg() {
	local want=0 log off=0 show=""
	if [ "${1:-}" = --exit ]; then want=$2; shift 2; fi
	log=$(readlink "/proc/$BASHPID/fd/2" 2>/dev/null)
	if [ -f "$log" ] && [ "$log" != "$T_SUITE_ERR" ]; then
		off=$(stat -c %s "$log" 2>/dev/null || echo 0)
		"$@" <&0 &
	else
		[ -n "$T_BG_DIR" ] || T_BG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hello-bg.XXXXXX")
		[ "$log" = /dev/null ] || show=1
		log=$(mktemp "$T_BG_DIR/${1##*/}.XXXXXX")
		"$@" <&0 2>"$log" &
	fi
	local pid=$!
	T_BG_PIDS+=("$pid")
	T_BG_NAME[$pid]="${1##*/}"
	T_BG_LOG[$pid]=$log
	T_BG_OFF[$pid]=$off
	T_BG_EXIT[$pid]=$want
	T_BG_SHOW[$pid]=$show
}

# t_stop PID [SIGNAL]: sends SIGNAL (TERM), waits for the end (5 s, then SIGKILL and a
# failure), checks it as t_bg says; returns its exit status. After SIGKILL the status can
# only be 137: then just the output is checked.
t_stop() {
	local pid=$1 sig=${2:-TERM} i=0
	[ "$sig" = KILL ] && T_BG_EXIT[$pid]=137
	kill -"$sig" "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	t_bg_end "$pid" "after SIG$sig"
}

# t_wait_bg PID [TIMEOUT_S]: waits (5 s) for a background program to end by itself, then
# checks it as t_stop does; one still running then fails, and is stopped with SIGTERM.
t_wait_bg() {
	local pid=$1 limit=${2:-5} i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $((limit * 20)) ]; do sleep 0.05; i=$((i + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		t_fail "${T_BG_NAME[$pid]:-pid $pid} did not end by itself within $limit s"
		t_stop "$pid"
		return 124
	fi
	t_bg_end "$pid" "on its own"
}

# t_bg_end PID HOW: the checks of an ended (or hung: killed) background program.
t_bg_end() {
	local pid=$1 how=$2 rc hung="" name=${T_BG_NAME[$pid]:-pid $1} want=${T_BG_EXIT[$pid]:-0}
	local log=${T_BG_LOG[$pid]:-} off=${T_BG_OFF[$pid]:-0} report=""
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		t_fail "$name (pid $pid) still ran 5 s $how: killed"
		hung=1 rc=124
	else
		wait "$pid" 2>/dev/null
		rc=$?
	fi
	if [ -n "$log" ] && [ -f "$log" ]; then
		report=$(t_san_report "$log" "$off")
		[ -n "${T_BG_SHOW[$pid]:-}" ] && sed "s/^/  $name: /" "$log"
	fi
	if [ -z "$hung" ]; then
		case " $want " in
		*" $rc "*) t_ok "$name (pid $pid) ended $how with exit $rc" ;;
		*) t_fail "$name (pid $pid) ended $how with exit $rc, not ${want// / or }"
			[ -n "$log" ] && [ -z "${T_BG_SHOW[$pid]:-}" ] && tail -n 5 "$log" | sed "s/^/  | /" ;;
		esac
	fi
	if [ -n "$report" ]; then
		t_fail "$name (pid $pid): a sanitizer report in its output ($log):"
		printf '%s\n' "$report" | sed 's/^/  | /'
	fi
	t_bg_forget "$pid"
	return $rc
}

t_bg_forget() {
	local p keep=()
	for p in "${T_BG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	T_BG_PIDS=("${keep[@]}")
	unset "T_BG_NAME[$1]" "T_BG_LOG[$1]" "T_BG_OFF[$1]" "T_BG_EXIT[$1]" "T_BG_SHOW[$1]"
}

# t_bg_stop_all: t_stop on every background program still known, in the order started
# (those that already ended are only checked).
t_bg_stop_all() {
	local p
	for p in "${T_BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${T_BG_PIDS[@]}"; do t_stop "$p"; done
}

# t_lab_runs WHAT RUN-DIR...: hello-lab's runs ended clean: every background step (servers and
# peers, which hello-lab stops with SIGTERM at the end) exited 0, and no log of a run (its
# steps', its tracer's) holds a sanitizer report. Foreground steps' exits are the labs' own
# expectations.
t_lab_runs() {
	local what=$1 bad report d f
	shift
	bad=$("$PYTHON" -c 'import json, sys
for d in sys.argv[1:]:
    for n, s in json.load(open(d.rstrip("/") + "/result.json"))["steps"].items():
        if s.get("background") and s.get("exit") != 0:
            print("%s: %s exit %s" % (d.rstrip("/").rsplit("/", 1)[-1], n, s.get("exit")))' "$@" 2>&1)
	t_check "$what: every background step ended with exit 0${bad:+ (not: $bad)}" [ -z "$bad" ]
	report=$(for d in "$@"; do for f in "$d"/*.log; do t_san_report "$f"; done; done)
	t_check "$what: no sanitizer report in the runs' logs${report:+:
$report}" [ -z "$report" ]
}

# t_cleanup (on exit): kills what is left without checks (the suite ended some other way
# than t_done or t_skip, which have checked them already).
t_cleanup() {
	local p
	for p in "${T_BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${T_BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	T_BG_PIDS=()
	[ -n "$T_BG_DIR" ] && rm -rf "$T_BG_DIR"
	[ -n "$T_CHECKER_OUT" ] && rm -f "$T_CHECKER_OUT"
	T_BG_DIR="" T_CHECKER_OUT=""
}

# The suite's end: t_cleanup, then what the suite asked for with t_on_exit (its folder).
# Only the suite's own shell may do it. `prog &` forks a copy of this shell that runs the
# traps below until it has exec'd prog: a signal sent to $! at once (a suite stopping a
# program during its set-up) used to run the EXIT trap in that copy, which removed the
# suite's folder under the running suite and killed its background programs. That copy
# now just ends as the program would have, killed by the signal.
T_ON_EXIT=""
# t_on_exit 'COMMANDS': what the suite's shell runs when it ends, after t_cleanup.
t_on_exit() { T_ON_EXIT=$1; }
t_exit_trap() {
	[ "$BASHPID" = "$$" ] || return 0
	t_cleanup
	[ -z "$T_ON_EXIT" ] || eval "$T_ON_EXIT"
}
# t_signal_trap CODE CHILD: the suite's shell exits with CODE (its EXIT trap cleans up); a
# forked copy that has not exec'd yet exits as its program would have, killed by the
# signal (128 + its number, which the caller passes as CHILD), without the EXIT trap.
t_signal_trap() {
	if [ "$BASHPID" != "$$" ]; then
		trap - EXIT
		exit "$2"
	fi
	exit "$1"
}
trap t_exit_trap EXIT
trap 't_signal_trap 130 130' INT
trap 't_signal_trap 130 143' TERM
