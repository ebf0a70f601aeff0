# tests/lib/common.sh: shared helpers for the integration suites (sourced, bash).
# Conventions: exit 0 pass, 1 fail, 77 skipped (reason printed last). Every wait is bounded.

: "${HELLO_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${HELLO_BIN:=$HELLO_ROOT/bin}"
: "${PYTHON:=/usr/bin/python3}"
export HELLO_ROOT HELLO_BIN PYTHON

T_FAILS=0
T_CHECKS=0

t_skip() { echo "SKIP: $*"; exit 77; }
t_fail() { echo "FAIL: $*"; T_FAILS=$((T_FAILS + 1)); T_CHECKS=$((T_CHECKS + 1)); }
t_ok() { echo "ok: $*"; T_CHECKS=$((T_CHECKS + 1)); }

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
	trap 't_cleanup; rm -rf "$W"' EXIT
}

# t_report CMD...: runs CMD, which prints "ok: what" or "FAIL: what" per check (a script
# that checks many things in one process); counts each, passes other lines through.
t_report() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok: "*) t_ok "${line#ok: }" ;;
		"FAIL: "*) t_fail "${line#FAIL: }" ;;
		*) echo "$line" ;;
		esac
	done < <("$@" 2>&1)
}

# t_done: the closing line, and the exit code. A suite that checked nothing fails.
t_done() {
	local passed=$((T_CHECKS - T_FAILS))
	echo "$passed passed, $T_FAILS failed"
	if [ "$T_CHECKS" -eq 0 ]; then echo "FAIL: the suite checked nothing"; exit 1; fi
	[ "$T_FAILS" -eq 0 ]
	exit $?
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

# t_bg_pids: processes started with t_bg are killed on exit.
T_BG_PIDS=()
t_bg() { "$@" & T_BG_PIDS+=($!); }
t_cleanup() {
	local p
	for p in "${T_BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${T_BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	T_BG_PIDS=()
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM
