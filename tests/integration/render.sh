#!/usr/bin/env bash
# tests/integration/render.sh: `hello-trace render` end to end on the fixture traces: every
# format through the real program, golden text, well-formed SVG/HTML with the right arrow
# counts, options, colour rules, compare, exit codes. No network, no privileges needed.
source "$(dirname "$0")/../lib/common.sh"

TRACE="$HELLO_BIN/hello-trace"
[ -x "$TRACE" ] || t_skip "$TRACE not built"
"$TRACE" render --help >/dev/null 2>&1 || t_skip "hello-trace has no render subcommand"
FIX="$HELLO_ROOT/tests/render"
CHECK="$FIX/check_markup.py"
TMP=$(mktemp -d)
t_on_exit 'rm -rf "$TMP"'

# xmllint when installed, else Python's parser: either way the SVG must be well-formed XML
well_formed() {
	if command -v xmllint >/dev/null; then xmllint --noout "$1"; else "$PYTHON" -c 'import sys,xml.dom.minidom as m; m.parse(sys.argv[1])' "$1"; fi
}

n_fix=0
for dir in "$FIX"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/trace.json" ] || continue
	n_fix=$((n_fix + 1))
	arrows=$(cat "$dir/arrows")
	calls=$(cat "$dir/calls")
	NO_COLOR=1 "$TRACE" render "$dir/trace.json" >"$TMP/$name.txt" 2>"$TMP/err"
	t_check "$name: text ladder equals expected.txt" cmp -s "$TMP/$name.txt" "$dir/expected.txt"
	"$TRACE" render --ascii --notes "$dir/trace.json" -o "$TMP/$name.ascii.txt"
	t_check "$name: --ascii --notes equals expected-ascii-notes.txt" cmp -s "$TMP/$name.ascii.txt" "$dir/expected-ascii-notes.txt"
	"$TRACE" render --format mermaid "$dir/trace.json" >"$TMP/$name.mmd"
	t_check "$name: mermaid equals expected.mmd" cmp -s "$TMP/$name.mmd" "$dir/expected.mmd"
	t_checker "$name: kernel marks" "$PYTHON" "$HELLO_ROOT/tests/integration/ladder_kernel_check.py" "$dir/trace.json" "$TMP/$name.txt"
	"$TRACE" render "$dir/trace.json" -o "$TMP/$name.svg"	# format from the extension
	t_check "$name: SVG is well-formed XML" well_formed "$TMP/$name.svg"
	t_checker "$name: SVG" "$PYTHON" "$CHECK" svg "$TMP/$name.svg" "$arrows" "$calls"
	"$TRACE" render -f html "$dir/trace.json" -o "$TMP/$name.html"
	t_checker "$name: HTML" "$PYTHON" "$CHECK" html "$TMP/$name.html" "$arrows" "$calls"
done
t_check "walked the fixtures (found $n_fix)" test "$n_fix" -ge 5

F="$FIX/tcp-hello/trace.json"
U="$FIX/udp-hello/trace.json"

# text: 80 columns; Unicode by default, pure ASCII with --ascii
t_check "text fits 80 columns" awk '{ if (length($0) > 80) exit 1 }' "$TMP/tcp-hello.ascii.txt"
t_check "--ascii output is pure ASCII" bash -c "! LC_ALL=C grep -q '[^ -~]' '$TMP/tcp-hello.ascii.txt'"
t_check "default text uses box-drawing arrows" grep -q '▶' "$TMP/tcp-hello.txt"
t_check "text shows the phases" bash -c "grep -q '═ handshake' '$TMP/tcp-hello.txt' && grep -q '═ time_wait' '$TMP/tcp-hello.txt'"
t_check "kernel states carry a * (tcp-kernel)" grep -q 'TIME_WAIT\*' "$TMP/tcp-kernel.txt"
# a live run (tcp-live): sock_diag saw TIME_WAIT 24 ms after the packets showed it; the
# tracepoint's hand-off came in between. Each at its own time, the inferred one without `*`.
t_check "kernel: the inferred TIME_WAIT has no * (tcp-live)" grep -Eq '^ +17\.833 +│ +│ TIME_WAIT$' "$TMP/tcp-live.txt"
t_check "kernel: the hand-off at its time (tcp-live)" \
	grep -Eq '^ +17\.841 +│ +FIN_WAIT_2 → CLOSED, time-wait socket │ hand-off\*$' "$TMP/tcp-live.txt"
t_check "kernel: sock_diag's TIME_WAIT at its time (tcp-live)" \
	grep -Eq '^ +42\.064 +│ +confirmed by the kernel, 59976 ms left │ TIME_WAIT\*$' "$TMP/tcp-live.txt"
t_check "kernel: the SVG says when the kernel said it (tcp-live)" \
	grep -q 'data-src="reported by the kernel (sock_diag) at 42.064 ms, 59976 ms left; the packets showed it from 17.833 ms"' "$TMP/tcp-live.svg"
t_check "UDP: the unanswered request ends in ✗ lost?" grep -q 'lost? ┄*✗' "$TMP/udp-hello.txt"
t_check "UDP: the ICMP error is drawn" grep -q 'ICMP port unreachable' "$TMP/udp-hello.txt"
t_check "retransmission marked retx" grep -q '"Tracy" retx' "$TMP/tcp-retx.txt"

# socket calls: on their side's lifeline, each naming the packet it caused or read (flags, time)
t_check "calls: connect() on the client's lifeline, linked to the SYN" grep -Eq '^ +-0\.020 +├ connect\(\) ┄ S 0\.000 +│$' "$TMP/tcp-hello.txt"
t_check "calls: the server's close() on its lifeline, linked to its FIN" grep -Eq '│ +close\(\) ┄ FA [0-9.]+ ┤$' "$TMP/tcp-hello.txt"
t_check "calls: one send() became two segments (a retransmission): +1" grep -q 'send(5) ┄ PA 0.217 +1' "$TMP/tcp-retx.txt"
t_check "calls: recv() names what it returned" grep -q 'recv → 15 ┄ PA' "$TMP/tcp-hello.txt"
t_check "calls: --ascii writes the arrows as ASCII" grep -q 'recv -> 15 ~ PA' "$TMP/tcp-hello.ascii.txt"
t_check "calls: UDP sendto/recvfrom and a refused recvfrom" bash -c "grep -q 'sendto(7) ┄ UDP 0.000' '$TMP/udp-hello.txt' && grep -q 'recvfrom() ECONNREFUSED' '$TMP/udp-hello.txt'"
t_check "calls: the server's socket() before the first packet has a negative time" grep -Eq '^ +-0\.290 .*socket\(\) ┤$' "$TMP/tcp-hello.txt"
t_check "calls: Mermaid notes over the caller" grep -q '^    Note over P1: send(6)$' "$TMP/tcp-hello.mmd"
t_check "calls: SVG call boxes carry the note as a tooltip" grep -q '<title>connect() — client connect(): sends SYN' "$TMP/tcp-hello.svg"
t_check "--notes: every row of a trace with notes gets one (tcp-hello)" \
	bash -c "[ \$(grep -c '^ *[-0-9.]\+ ' '$TMP/tcp-hello.ascii.txt') -le \$(grep -c '^ \{23\}| [a-zA-Z]' '$TMP/tcp-hello.ascii.txt') ]"

# colour: only on a terminal, never with NO_COLOR, never into a file or pipe
if command -v script >/dev/null; then
	TERM=xterm script -qec "'$TRACE' render '$F'" /dev/null >"$TMP/tty.txt" 2>&1 </dev/null
	t_check "colour on a terminal" grep -q $'\033\\[' "$TMP/tty.txt"
	NO_COLOR=1 TERM=xterm script -qec "'$TRACE' render '$F'" /dev/null >"$TMP/tty-nc.txt" 2>&1 </dev/null
	t_check "no colour with NO_COLOR on a terminal" bash -c "! grep -q $'\033\\\\[' '$TMP/tty-nc.txt'"
	NO_COLOR= TERM=xterm script -qec "'$TRACE' render '$F'" /dev/null >"$TMP/tty-nc2.txt" 2>&1 </dev/null
	t_check "no colour with NO_COLOR set but empty" bash -c "! grep -q $'\033\\\\[' '$TMP/tty-nc2.txt'"
fi
env -u NO_COLOR "$TRACE" render "$F" >"$TMP/pipe.txt"
t_check "no colour into a pipe" bash -c "! grep -q $'\033' '$TMP/pipe.txt'"

# input from stdin, one flow, notes
"$TRACE" render - <"$F" >"$TMP/stdin.txt"
t_check "'-' reads the trace from stdin" bash -c "tail -n +2 '$TMP/stdin.txt' | cmp -s - <(tail -n +2 '$FIX/tcp-hello/expected.txt')"
"$TRACE" render --flow 2 "$U" >"$TMP/flow2.txt"
t_check "--flow 2 draws only flow 2" bash -c "grep -q '^flow 2 ' '$TMP/flow2.txt' && ! grep -q '^flow 1 ' '$TMP/flow2.txt'"
t_check "--notes shows notes" grep -q 'it will hold' "$TMP/tcp-kernel.ascii.txt"
t_check "no notes without --notes" bash -c "! grep -q 'it will hold' '$TMP/tcp-kernel.txt'"

# the facts a lab sheet asks for, on the pages: time 0 named, a facts table per flow (client
# and server columns), the sequence-number switch and the legend in the report
t_check "text: time 0 named (the server's LISTEN, the first packet's time)" \
	grep -q "^time 0 is the server's LISTEN (seen by the kernel), not the first packet" "$TMP/tcp-live.txt"
t_check "text: a facts table under each flow, client and server columns" bash -c \
	"[ \$(grep -c '^facts  *client  *server$' '$TMP/udp-hello.txt') = 2 ] && grep -Eq '^  SYN to ACK +0.020 ms$' '$TMP/tcp-hello.txt'"
t_check "HTML: time 0 named" grep -q '<p class="origin">time 0 is the first packet, as in Wireshark' "$TMP/tcp-hello.html"
t_check "HTML: a facts table per flow" bash -c "[ \$(grep -c '<table class=\"flowfacts\">' '$TMP/udp-hello.html') = 2 ]"
t_check "HTML: each side's absolute ISN for the switch" grep -q 'data-isn-client="1000" data-isn-server="5000"' "$TMP/tcp-hello.html"
t_check "HTML: the switch and the legend" bash -c "grep -q 'id=\"seq-abs\"' '$TMP/tcp-hello.html' && grep -q '<dt>RSTRH</dt>' '$TMP/tcp-hello.html' && grep -q 'A state with \\*' '$TMP/tcp-hello.html'"

# compare: html page with both ladders and the chart; text table
"$TRACE" render --compare "$F" "$U" -o "$TMP/cmp.html"
t_checker "compare page" "$PYTHON" "$CHECK" html "$TMP/cmp.html" 30
t_check "compare page: bars of packets, IP and frame bytes, time to first reply" bash -c "grep -q '>packets (client + server)<' '$TMP/cmp.html' && grep -q '>IP bytes (IP header and up)<' '$TMP/cmp.html' && grep -q '>frame bytes (as Wireshark counts)<' '$TMP/cmp.html' && grep -q 'time to the first &quot;Hello' '$TMP/cmp.html'"
t_check "compare page: labels from the folders" grep -q 'TCP (tcp-hello) vs UDP (udp-hello)' "$TMP/cmp.html"
"$TRACE" render --compare --format text "$F" "$U" >"$TMP/cmp.txt"
t_check "compare text: packets 23 vs 6 (the ICMP error counted apart)" grep -Eq '^  packets \(client \+ server\) +23 +6$' "$TMP/cmp.txt"
t_check "compare text: first reply 0.189 ms vs 0.045 ms" grep -Eq '^  time to the first "Hello, ...!" +0.189 ms +0.045 ms$' "$TMP/cmp.txt"
t_check "compare text: IP bytes are the flows' ip_bytes, frame bytes their frame_bytes" bash -c \
	"grep -Eq '^  IP bytes \(IP header and up\) +1028 +220$' '$TMP/cmp.txt' && grep -Eq '^  frame bytes \(as Wireshark counts\) +1350 +304$' '$TMP/cmp.txt'"
t_checker "compare: render's text and its page agree" "$PYTHON" "$FIX/check_compare.py" "$TMP/cmp.txt" "$TMP/cmp.html"
# hello-lab compare needs no root on finished runs: two fixture traces as run folders. Its
# table and the page it asks render for must say the same (same figures, same labels).
if [ -x "$HELLO_BIN/hello-lab" ]; then
	mkdir -p "$TMP/runs/tcp-hello" "$TMP/runs/udp-hello"
	cp "$F" "$TMP/runs/tcp-hello/trace.json"
	cp "$U" "$TMP/runs/udp-hello/trace.json"
	"$HELLO_BIN/hello-lab" compare "$TMP/runs/tcp-hello" "$TMP/runs/udp-hello" -o "$TMP/lab-cmp.html" >"$TMP/lab-cmp.txt"
	t_checker "compare: hello-lab's table and its page agree" "$PYTHON" "$FIX/check_compare.py" "$TMP/lab-cmp.txt" "$TMP/lab-cmp.html"
	t_check "compare: hello-lab prints what render --compare prints, and its own row" \
		bash -c "diff <(grep -v -e 'dropped by the lab.s rules' -e 'side-by-side diagrams:' '$TMP/lab-cmp.txt') '$TMP/cmp.txt' && grep -Eq '^  dropped by the lab.s rules +- +-$' '$TMP/lab-cmp.txt'"
fi

# exit codes: 2 usage, 1 bad input or output, and no half-written file left behind
"$TRACE" render >/dev/null 2>&1; t_check "no trace: exit 2" test $? -eq 2
"$TRACE" render -f png "$F" >/dev/null 2>&1; t_check "unknown format: exit 2" test $? -eq 2
"$TRACE" render --compare -f svg "$F" "$U" >/dev/null 2>&1; t_check "compare as svg: exit 2" test $? -eq 2
"$TRACE" render "$TMP/none.json" 2>"$TMP/err" >/dev/null; rc=$?
t_check "missing file: exit 1 naming it" bash -c "[ $rc -eq 1 ] && grep -q 'none.json' '$TMP/err'"
echo '{"events": [' >"$TMP/bad.json"
"$TRACE" render "$TMP/bad.json" 2>"$TMP/err" >/dev/null; rc=$?
t_check "broken JSON: exit 1 with line number" bash -c "[ $rc -eq 1 ] && grep -q 'bad.json:[0-9]' '$TMP/err'"
echo '[]' >"$TMP/arr.json"
"$TRACE" render "$TMP/arr.json" >/dev/null 2>&1; t_check "not a trace: exit 1" test $? -eq 1
"$TRACE" render "$F" -o "$TMP/nodir/x.svg" >/dev/null 2>&1; rc=$?
t_check "unwritable output: exit 1, nothing left" bash -c "[ $rc -eq 1 ] && [ ! -e '$TMP/nodir' ]"
"$TRACE" render "$F" >/dev/full 2>/dev/null; t_check "write error (disk full): exit 1" test $? -eq 1

t_done
