#!/usr/bin/env bash
# tests/hostile/valgrind.sh: `make check-valgrind`: memcheck (--leak-check=full, errors and leaks fail)
# on the four service programs over a short exchange (in a private network namespace) and on
# the offline tracer and its renderers with a test pcap.
source "$(dirname "$0")/../lib/common.sh"
command -v valgrind >/dev/null || t_skip "valgrind not found (apt-get install valgrind)"
t_netns "$@"

B=$HELLO_BIN
PCAP=$HELLO_ROOT/tests/render/tcp-hello/trace.pcap
UPCAP=$HELLO_ROOT/tests/render/udp-hello/trace.pcap
PORT=9999
T=$(mktemp -d "${TMPDIR:-/tmp}/hello-vg.XXXXXX") || exit 1
t_on_exit 'rm -rf "$T"'

# vg NAME CMD...: the command under memcheck; its log is T/NAME.vg.
vg() {
	local name=$1; shift
	timeout -k 5 120 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--suppressions="$HELLO_ROOT/tests/hostile/valgrind.supp" \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--log-file="$T/$name.vg" "$@"
}
# clean NAME RC: the run exited as expected and valgrind reported nothing.
clean() {
	local name=$1 rc=$2 want=${3:-0}
	if [ "$rc" = "$want" ] && [ ! -s "$T/$name.vg" ]; then t_ok "$name: memcheck clean (exit $rc)"; return; fi
	t_fail "$name: exit $rc (want $want), valgrind said:"
	sed 's/^/  | /' "$T/$name.vg" | head -30
}

# The TCP server in two models and both framings, each serving one connection (--once).
for args in "--model event" "--model thread" "--model iterative --framing line" "--model fork"; do
	name="tcp-server ${args//--/}"; name=${name// /_}
	vg "$name" "$B/hello-tcp-server" --port "$PORT" --once $args >"$T/$name.log" 2>&1 &
	srv=$!
	t_wait_port "$PORT" tcp 30 || t_fail "$name listens"
	fr=raw; [[ $args == *line* ]] && fr=line
	vg "tcp-client_$fr" "$B/hello-tcp-client" --port "$PORT" --framing "$fr" --timeout 20000 >"$T/c.out" 2>&1
	rc=$?
	clean "tcp-client_$fr" $rc
	t_check "$name: the exchange was answered" grep -q "Hello, Sarah!" "$T/c.out"
	wait $srv
	clean "$name" $?
done

# The UDP server answering one datagram (--once), and the client. (vg runs in a subshell:
# the server has to end by itself, a signal would reach the shell.)
vg udp-server "$B/hello-udp-server" --port "$PORT" --once >"$T/u.log" 2>&1 &
srv=$!
t_wait_port "$PORT" udp 30 || t_fail "udp-server listens"
vg udp-client "$B/hello-udp-client" --port "$PORT" --timeout 3000 Sarah >"$T/uc.out" 2>&1
clean udp-client $?
t_check "udp: the exchange was answered" grep -q "Hello, Sarah!" "$T/uc.out"
wait $srv
clean udp-server $?

# The offline tracer: document, JSON lines, a small flow limit; the renderers.
vg trace-doc "$B/hello-trace" -r "$PCAP" -o "$T/t.json"
clean trace-doc $?
vg trace-jsonl "$B/hello-trace" -r "$UPCAP" --jsonl --max-flows 1 -o "$T/t.jsonl"
clean trace-jsonl $?
vg trace-missing "$B/hello-trace" -r "$T/no-such.pcap" -o "$T/x.json" 2>/dev/null
clean trace-missing $? 1
for fmt in text svg mermaid html; do
	vg "render-$fmt" "$B/hello-trace" render "$T/t.json" --format "$fmt" --notes -o "$T/t.$fmt"
	clean "render-$fmt" $?
done
t_done
