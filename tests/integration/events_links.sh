#!/usr/bin/env bash
# tests/integration/events_links.sh: issue 9 "Done when" on real lab runs (hello-lab, as root,
# in the lab's own namespaces): in tcp-hello, tcp-teardown, client-closes-first, closed-port,
# udp-hello, udp-closed-port and message-boundaries every packet the programs caused links to a
# call, every call that sends or closes links to a packet, message-boundaries shows one recv()
# returning the bytes of several send()s, udp-closed-port's refused recvfrom() links its ICMP
# error both ways, every trace validates against docs/trace.schema.json; and the renderers draw
# every call of those runs. The checks: events_links_check.py.
. "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" = 0 ] || t_skip "it runs the labs as root (labs_userns.sh runs them as an ordinary user)"
command -v ip >/dev/null || t_skip "ip not found (iproute2)"
command -v nft >/dev/null || t_skip "nft not found (nftables)"
LAB=$HELLO_BIN/hello-lab
TRACE=$HELLO_BIN/hello-trace
[ -x "$LAB" ] && [ -x "$TRACE" ] || t_skip "hello-lab or hello-trace is not built"
"$PYTHON" -c 'import jsonschema' 2>/dev/null || t_skip "$PYTHON has no jsonschema"

CHECK="$HELLO_ROOT/tests/integration/events_links_check.py"
SCHEMA="$HELLO_ROOT/docs/trace.schema.json"
TMP=$(mktemp -d /tmp/hello-events-links.XXXXXX)
t_on_exit 'rm -rf "$TMP"'
export HELLO_LABS="$HELLO_ROOT/labs"
t_port	# the labs trace: ports no other suite on this host traces now

# The checker: each of its lines is a check of this suite (t_checker); at least 7 of them.
links_ok() {
	t_checker "$1: links" "$PYTHON" "$CHECK" "$SCHEMA" "$1" "$2"
	t_check "$1: the link checker made its 7 checks or more" [ "$(grep -c '^ok' "$T_CHECKER_OUT")" -ge 7 ]
}

# Every call event of the trace is drawn as a box (HTML) and a row (text).
drawn_ok() {
	local lab=$1 dir=$2 n
	n=$("$PYTHON" -c 'import json,sys; print(sum(e["type"] == "call" for e in json.load(open(sys.argv[1]))["events"]))' "$dir/trace.json")
	"$TRACE" render -f html "$dir/trace.json" -o "$TMP/$lab.html" &&
		NO_COLOR=1 "$TRACE" render --notes "$dir/trace.json" -o "$TMP/$lab.txt" || return 1
	echo "    $n calls; $(grep -o '<g class="call' "$TMP/$lab.html" | wc -l) call boxes"
	[ "$n" -gt 0 ] && [ "$(grep -o '<g class="call' "$TMP/$lab.html" | wc -l)" -eq "$n" ] &&
		[ "$(grep -Ec '^ +-?[0-9.]+ +├ | ┤$' "$TMP/$lab.txt")" -eq "$n" ]
}

for lab in tcp-hello tcp-teardown client-closes-first closed-port udp-hello udp-closed-port message-boundaries; do
	dir="$TMP/runs/$lab"
	timeout 60 "$LAB" run "$lab" --out "$dir" --port "$PORT" --quiet --no-render >"$TMP/$lab.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || tail -5 "$TMP/$lab.log"
	t_check "$lab: the lab ran and its expectations held" [ $rc -eq 0 ]
	t_check "$lab: hello-lab recorded the programs' calls" bash -c "ls '$dir'/events-*.jsonl >/dev/null"
	links_ok "$lab" "$dir/trace.json"	# calls and packets link as issue 9 asks
	t_check "$lab: every call is drawn (HTML boxes, text rows)" drawn_ok "$lab" "$dir"
done

t_lab_runs "the seven labs" "$TMP"/runs/*/

# The checker can fail: the same tcp-hello trace with the SYN's link to connect() removed.
"$PYTHON" - "$TMP/runs/tcp-hello/trace.json" "$TMP/cut.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for e in d["events"]:
    if e["type"] == "packet" and e.get("flags") == "S":
        e.pop("calls", None)
    if e["type"] == "call" and e["call"] == "connect":
        e.pop("packets", None)
json.dump(d, open(sys.argv[2], "w"))
PY
"$PYTHON" "$CHECK" "$SCHEMA" tcp-hello "$TMP/cut.json" >"$TMP/cut.check" 2>&1
rc=$?
t_check "a trace whose SYN links no connect() fails the check (exit $rc, ok/FAIL lines only)" \
	bash -c "[ $rc -eq 1 ] && grep -q '^FAIL: tcp-hello: every packet the programs caused' '$TMP/cut.check' &&
		grep -q '^FAIL: tcp-hello: every call that sends' '$TMP/cut.check' && ! grep -qv '^\(ok\|FAIL\): ' '$TMP/cut.check'"

t_done
