#!/usr/bin/env bash
# tests/integration/labs.sh: hello-lab itself (isolation, impairment, checks, teardown on
# SIGINT, bad definitions) on small synthetic labs, then every real lab: `run --all`.
. "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" = 0 ] || t_skip "hello-lab runs need root (network namespaces)"
command -v ip >/dev/null || t_skip "ip not found (iproute2)"
command -v nft >/dev/null || t_skip "nft not found (nftables)"
LAB=$HELLO_BIN/hello-lab
# The real labs need the tracer for their trace checks.
[ -x "$LAB" ] && [ -x "$HELLO_BIN/hello-trace" ] || t_skip "hello-lab or hello-trace is not built"

TMP=$(mktemp -d /tmp/hello-labs-test.XXXXXX)
trap 't_cleanup; rm -rf "$TMP"' EXIT
PORT=$((30000 + $$ % 20000))

# A lab without hello-* programs: python peers, one segment dropped at a known place.
mkdir -p "$TMP/labs/py-drop" "$TMP/labs/py-fail" "$TMP/labs/slow" "$TMP/labs/broken"
cat >"$TMP/labs/py-drop/lab.json" <<'JSON'
{"goal": "python peers, the client's 1st data segment dropped once", "protocol": "tcp",
 "impair": [{"name": "drop1", "proto": "tcp", "from": "client", "flags": "psh"}],
 "steps": [
  {"name": "server", "background": true, "ready": {"listen": "tcp"},
   "run": ["/usr/bin/python3", "-c", "import socket\ns=socket.socket(); s.bind(('127.0.0.1', {port})); s.listen()\nc,_=s.accept(); d=c.recv(100); print('got', d.decode(), flush=True); c.sendall(b'Hello, '+d+b'!'); c.close()"]},
  {"name": "client", "run": ["/usr/bin/python3", "-c", "import socket\nc=socket.create_connection(('{server}', {port})); c.sendall(b'Michael'); print(c.recv(100).decode()); c.close()"]},
  {"wait_exit": "server", "timeout_ms": 3000},
  {"wait_socket": "TIME_WAIT", "port": "{port}", "timeout_ms": 2000}],
 "expect": ["steps.client.exit == 0", "steps.client.lines[0] == 'Hello, Michael!'",
            "impair.drop1.dropped == 1", "steps.client.ms >= 150",
            "run.port > 0"]}
JSON
cat >"$TMP/labs/py-fail/lab.json" <<'JSON'
{"goal": "an expectation that cannot hold", "protocol": "tcp",
 "steps": [{"name": "say", "run": ["sh", "-c", "echo one; echo two"]}],
 "expect": ["steps.say.lines[1] == 'three'"]}
JSON
cat >"$TMP/labs/slow/lab.json" <<'JSON'
{"goal": "something to interrupt", "protocol": "tcp",
 "impair": [{"name": "r", "proto": "tcp", "from": "client", "nth": 3}],
 "steps": [{"name": "bg", "background": true, "run": ["sleep", "43.21"]},
           {"name": "fg", "run": ["sleep", "43.21"], "timeout_ms": 50000}],
 "expect": ["steps.fg.exit == 0"]}
JSON
echo '{"goal": "x", "protocol": "tcp", "steps": [{"name": "a", "run": ["true"], "backgroud": true}], "expect": ["steps.a.exit == 0"]}' \
	>"$TMP/labs/broken/lab.json"

export HELLO_LABS=$TMP/labs
out=$("$LAB" run py-drop --out "$TMP/out/py-drop" --port "$PORT" 2>&1)
rc=$?
echo "$out" | tail -8
t_check "py-drop: every expectation held (exit 0)" [ $rc = 0 ]
t_check "py-drop: result.json says ok, with the rule's counter" \
	"$PYTHON" -c "import json,sys; r=json.load(open('$TMP/out/py-drop/result.json')); sys.exit(not (r['ok'] and r['impair']['drop1']['dropped'] == 1 and r['failed'] == 0))"
t_check "py-drop: logs written per step" grep -q "got Michael" "$TMP/out/py-drop/server.log"
t_check "check DIR re-evaluates the finished run" "$LAB" check "$TMP/out/py-drop"
t_lab_runs "py-drop" "$TMP/out/py-drop"
t_check "no namespace left behind" sh -c "! ip netns list | grep -q 'hl-[0-9]*-'"

out=$("$LAB" run py-fail --out "$TMP/out/py-fail" --port "$PORT" 2>&1)
rc=$?
t_check "py-fail: exit 1 when an expectation does not hold" [ $rc = 1 ]
t_check "py-fail: the failure shows the observed value" grep -q 'observed: steps.say.lines\[1\] = "two"' <<<"$out"

out=$("$LAB" run broken 2>&1)
rc=$?
t_check "broken definition: refused with exit 1" [ $rc = 1 ]
t_check "broken definition: the message names the key" grep -q "steps\[0\]: unknown key 'backgroud'" <<<"$out"
t_check "list marks the broken lab" sh -c "'$LAB' list | grep -q '^broken.*broken:'"

# SIGINT in the middle of a run: programs stopped, namespace (and its nft table) gone.
# Its job unfinished, hello-lab documents exit 130 after SIGINT.
t_bg --exit 130 "$LAB" run slow --out "$TMP/out/slow" --port "$PORT" >"$TMP/slow.out" 2>&1
pid=$!
for _ in $(seq 50); do grep -q "fg:" "$TMP/slow.out" && break; sleep 0.1; done
t_check "slow: its namespace exists while it runs" sh -c "ip netns list | grep -q 'hl-$pid-lab'"
t_stop $pid INT
t_check "SIGINT: a clear message" grep -q "interrupted by SIGINT" "$TMP/slow.out"
t_check "SIGINT: the namespace is gone" sh -c "! ip netns list | grep -q 'hl-$pid-'"
# pgrep looks system-wide: the lab sleeps for a time no other suite's program uses.
t_check "SIGINT: its programs are gone" sh -c "! pgrep -f '^sleep 43\.21$' >/dev/null"

# A run killed with SIGKILL leaves its namespace; the next run sweeps it.
ip netns add "hl-999999-lab" 2>/dev/null
"$LAB" run py-fail --out "$TMP/out/py-fail" --port "$PORT" >"$TMP/sweep.out" 2>&1
t_check "stale namespace of a dead pid is swept" sh -c "! ip netns list | grep -q 'hl-999999-lab'"
grep -q "removed hl-999999-lab" "$TMP/sweep.out" && t_ok "the sweep is reported" || t_fail "the sweep is reported"

# The real labs: each one is a test.
unset HELLO_LABS
"$LAB" run --all --quiet --out "$TMP/all" --port "$PORT" >"$TMP/all.out" 2>&1
rc=$?
cat "$TMP/all.out"
want=$(ls "$HELLO_ROOT"/labs/*/lab.json | wc -l)
got=$(ls "$TMP"/all/*/result.json 2>/dev/null | wc -l)
t_check "run --all ran every lab ($got results of $want labs)" [ "$got" = "$want" ]
# Each lab's result.json: every expectation held (one check each).
t_checker "lab" "$PYTHON" -c 'import json, sys
for r in sys.argv[1:]:
    d = json.load(open(r))
    print("%s: %s: every expectation held (%d of %d)" % ("ok" if d["ok"] else "FAIL", r.split("/")[-2],
                                                          d["passed"], d["passed"] + d["failed"]))' "$TMP"/all/*/result.json
# Every lab's trace.json parses and validates against docs/trace.schema.json: one check each.
t_checker "lab trace" "$PYTHON" "$HELLO_ROOT/tests/hostile/validate.py" "$HELLO_ROOT/docs/trace.schema.json" doc \
	"$TMP"/all/*/trace.json
t_check "lab trace: one per lab ($(grep -c . "$T_CHECKER_OUT"))" [ "$(grep -c '^ok' "$T_CHECKER_OUT")" = "$want" ]
t_check "run --all: exit 0" [ $rc = 0 ]
t_lab_runs "run --all" "$TMP"/all/*/
cmp=$("$LAB" compare "$TMP/all/tcp-hello" "$TMP/all/udp-hello" -o "$TMP/compare.html" 2>&1)
echo "$cmp"
t_check "compare: TCP needs 2 round trips to the first reply, UDP 1" \
	grep -Eq 'round trips to the first reply +2 +1$' <<<"$cmp"
t_check "compare: 6 UDP packets" grep -Eq 'packets \(client \+ server\) +[0-9]+ +6$' <<<"$cmp"
t_check "compare: the loss lab's drops are counted" sh -c \
	"'$LAB' compare '$TMP/all/tcp-loss' '$TMP/all/udp-loss' | grep -Eq 'dropped by the lab.s rules +1 +1$'"
t_check "run --all: no namespace left behind" sh -c "! ip netns list | grep -q 'hl-[0-9]*-'"
t_done
