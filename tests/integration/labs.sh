#!/usr/bin/env bash
# tests/integration/labs.sh: hello-lab itself (isolation, impairment, checks, teardown on
# SIGINT, bad definitions) on small synthetic labs, then every real lab: `run --all`.
. "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" = 0 ] || t_skip "it runs the labs as root (labs_userns.sh runs them as an ordinary user)"
command -v ip >/dev/null || t_skip "ip not found (iproute2)"
command -v nft >/dev/null || t_skip "nft not found (nftables)"
LAB=$HELLO_BIN/hello-lab
# The real labs need the tracer for their trace checks.
[ -x "$LAB" ] && [ -x "$HELLO_BIN/hello-trace" ] || t_skip "hello-lab or hello-trace is not built"

TMP=$(mktemp -d /tmp/hello-labs-test.XXXXXX)
t_on_exit 'rm -rf "$TMP"'
t_port	# the labs trace: ports no other suite on this host traces now
# hello-lab's working folders go here (TMPDIR of its runs only): none may be left behind.
mkdir -p "$TMP/work"

# lab_run OUT ARGS...: hello-lab ARGS with its output in OUT; sets RC and RUN_PID, so the
# checks look at this run's namespaces (hl-PID-*) only, never at other runs on the host.
lab_run() {
	local out=$1
	shift
	TMPDIR=$TMP/work "$LAB" "$@" >"$out" 2>&1 &
	RUN_PID=$!
	wait "$RUN_PID"
	RC=$?
}
# fits80 FILE...: every line hello-lab printed is at most 80 characters (UTF-8 counted as
# characters, as a terminal shows them); names the first that is not.
fits80() {
	"$PYTHON" -c 'import sys
for f in sys.argv[1:]:
    for n, line in enumerate(open(f, encoding="utf-8", errors="replace"), 1):
        line = line.rstrip("\n")
        if len(line) > 80:
            sys.exit("  %s:%d: %d columns: %s" % (f, n, len(line), line))' "$@"
}
# flat FILE: its text on one line, spaces squeezed: a message hello-lab wrapped reads whole.
flat() {
	tr '\n' ' ' <"$1" | tr -s ' '
}
export -f fits80 flat	# for the checks' bash -c
# no_netns_of PID...: none of these runs left a namespace.
no_netns_of() {
	local p
	for p in "$@"; do
		ip netns list | grep -q "^hl-$p-" && return 1
	done
	return 0
}

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
# Its programs sleep 30.PID seconds: a command line only this suite's run has.
SLOW="30.$$"
cat >"$TMP/labs/slow/lab.json" <<JSON
{"goal": "something to interrupt", "protocol": "tcp",
 "impair": [{"name": "r", "proto": "tcp", "from": "client", "nth": 3}],
 "steps": [{"name": "bg", "background": true, "run": ["sleep", "$SLOW"]},
           {"name": "fg", "run": ["sleep", "$SLOW"], "timeout_ms": 50000}],
 "expect": ["steps.fg.exit == 0"]}
JSON
echo '{"goal": "x", "protocol": "tcp", "steps": [{"name": "a", "run": ["true"], "backgroud": true}], "expect": ["steps.a.exit == 0"]}' \
	>"$TMP/labs/broken/lab.json"
# Checks that name what no trace holds, and a protocol in capitals: refused when loaded.
# A teacher's own closed-port, which overrides the built-in one: {repeat} in a step's
# arguments and in a check; and an answer key kept apart from the labs.
mkdir -p "$TMP/labs/closed-port" "$TMP/keys/py-fail"
cat >"$TMP/labs/closed-port/lab.json" <<'JSON'
{"goal": "a teacher's own closed-port", "protocol": "tcp",
 "steps": [{"name": "say", "run": ["printf", "%s\\n", "{repeat:ab:40}"]}],
 "expect": ["steps.say.lines[0] == '{repeat:ab:40}'", "len(steps.say.lines[0]) == 80"]}
JSON
echo "teacher key" >"$TMP/keys/py-fail/answers.md"
mkdir -p "$TMP/labs/typo" "$TMP/labs/typo2" "$TMP/labs/caps"
echo '{"goal": "x", "protocol": "tcp", "steps": [{"name": "a", "run": ["true"]}], "expect": ["count(flows[protocol=tcp]) == 1"]}' \
	>"$TMP/labs/typo/lab.json"
echo '{"goal": "x", "protocol": "tcp", "steps": [{"name": "a", "run": ["true"]}], "expect": ["steps.b.exit == 0"]}' \
	>"$TMP/labs/typo2/lab.json"
echo '{"goal": "x", "protocol": "UDP", "steps": [{"name": "a", "run": ["true"]}], "expect": ["steps.a.exit == 0"]}' \
	>"$TMP/labs/caps/lab.json"

export HELLO_LABS=$TMP/labs
lab_run "$TMP/py-drop.out" run py-drop --out "$TMP/out/py-drop" --port "$PORT"
rc=$RC
tail -8 "$TMP/py-drop.out"
t_check "py-drop: every expectation held (exit 0)" [ $rc = 0 ]
t_check "py-drop: result.json says ok, with the rule's counter" \
	"$PYTHON" -c "import json,sys; r=json.load(open('$TMP/out/py-drop/result.json')); sys.exit(not (r['ok'] and r['impair']['drop1']['dropped'] == 1 and r['failed'] == 0))"
t_check "py-drop: logs written per step" grep -q "got Michael" "$TMP/out/py-drop/server.log"
t_check "check DIR re-evaluates the finished run" "$LAB" check "$TMP/out/py-drop"
t_lab_runs "py-drop" "$TMP/out/py-drop"
t_check "no namespace left behind" no_netns_of "$RUN_PID"
results_only() {	# results_only DIR: the run folder holds results, no working file
	local extra
	extra=$(ls -A "$1" | grep -Ev '^(trace\.json|trace\.pcap|result\.json|lab\.json|ladder\.(txt|svg|mmd)|report\.html|[A-Za-z0-9_-]+\.log|events-[A-Za-z0-9_-]+\.jsonl)$')
	[ -z "$extra" ] || { echo "  (not results: $extra)"; return 1; }
}
t_check "py-drop: the run folder holds results only" results_only "$TMP/out/py-drop"
t_check "py-drop: no working folder left behind" sh -c "[ -z \"\$(ls -A '$TMP/work')\" ]"

lab_run "$TMP/py-fail.out" run py-fail --out "$TMP/out/py-fail" --port "$PORT"
rc=$RC
out=$(cat "$TMP/py-fail.out")
t_check "py-fail: exit 1 when an expectation does not hold" [ $rc = 1 ]
t_check "py-fail: the failure shows the observed value" grep -q 'observed: steps.say.lines\[1\] = "two"' <<<"$out"
# Grading: a student who edits the run's own lab.json passes `check DIR`, not `check --lab`.
mkdir -p "$TMP/subs" && cp -r "$TMP/out/py-drop" "$TMP/subs/ana" && cp -r "$TMP/out/py-fail" "$TMP/subs/cy" &&
	cp -r "$TMP/out/py-fail" "$TMP/edited" && sed -i "s/'three'/'two'/" "$TMP/edited/lab.json"
t_check "check DIR trusts the run's own (edited) lab.json" "$LAB" check "$TMP/edited"
"$LAB" check --lab "$TMP/labs/py-fail" "$TMP/edited" >"$TMP/grade1.out" 2>&1; rc=$?
t_check "check --lab grades against the teacher's copy: exit 1, FAIL" \
	sh -c "[ $rc = 1 ] && grep -q '^FAIL py-fail: 0/1' '$TMP/grade1.out'"
"$LAB" check --lab "$TMP/labs/py-drop/lab.json" --csv - "$TMP/subs" >"$TMP/grades.csv" 2>"$TMP/grade2.err"; rc=$?
t_check "check --lab --csv - over a folder of runs: exit 1 (one is another lab's)" [ $rc = 1 ]
t_check "the CSV: a header and one row per run, in name order" \
	"$PYTHON" -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
sys.exit(not (rows[0] == ["run", "lab", "verdict", "held", "total", "failed"] and len(rows) == 3
    and rows[1][0].endswith("/ana") and rows[1][1:5] == ["py-drop", "ok", "5", "5"]
    and rows[2][0].endswith("/cy") and rows[2][2] == "BROKEN" and "a run of lab py-fail, not py-drop" in rows[2][5]))' "$TMP/grades.csv"
t_check "with --csv -, the verdicts go to stderr" grep -q "BROKEN .*a run of lab py-fail" "$TMP/grade2.err"
lab_run "$TMP/typo.out" run typo --out "$TMP/out/typo" --port "$PORT"
t_check "a check naming no trace field is refused at load (BROKEN, exit 4, 'did you mean')" \
	bash -c "[ $RC = 4 ] && flat '$TMP/typo.out' | grep -q \"no such field 'protocol' (did you mean 'proto'?)\""
lab_run "$TMP/typo2.out" run typo2 --out "$TMP/out/typo2" --port "$PORT"
t_check "a check naming a step the lab has not is refused at load" \
	bash -c "[ $RC = 4 ] && flat '$TMP/typo2.out' | grep -q \"steps.b: no such field 'b'\""
lab_run "$TMP/caps.out" run caps --out "$TMP/out/caps" --port "$PORT"
t_check "protocol \"UDP\" is refused at load" bash -c "[ $RC = 4 ] && flat '$TMP/caps.out' | grep -q 'must be one of tcp, udp'"

"$LAB" run broken >"$TMP/broken.out" 2>&1
rc=$?
t_check "broken definition: BROKEN, not FAILED, exit 4" bash -c "[ $rc = 4 ] && grep -q '^BROKEN broken: ' '$TMP/broken.out'"
t_check "broken definition: the message names the key" bash -c "flat '$TMP/broken.out' | grep -q \"steps\[0\]: unknown key 'backgroud'\""
"$LAB" list >"$TMP/list.out" 2>"$TMP/list.err"
rc=$?
t_check "list marks the broken lab, exit 4" sh -c "[ $rc = 4 ] && grep -q '^broken .*BROKEN: steps' '$TMP/list.out'"

# HELLO_LABS is added to the built-in labs; the teacher's folder comes first and wins, and
# list says so on both rows.
t_check "list: the teacher's folder, then the built-in labs" sh -c "grep -q '^== $TMP/labs (HELLO_LABS)' '$TMP/list.out' &&
	grep -q '^== .*/labs (built in)' '$TMP/list.out' && grep -q '^tcp-teardown ' '$TMP/list.out'"
t_check "list: a teacher's lab overriding a built-in is marked, and the built-in one too" bash -c "
	grep -q '^closed-port  .*\[overrides the built-in\] a teacher.s own closed-port' '$TMP/list.out' &&
	flat '$TMP/list.out' | grep -q 'closed-port - (overridden by $TMP/labs/closed-port)'"
t_check "list: warns about a lab without README.md or answer key" bash -c "
	flat '$TMP/list.err' | grep -q 'warning: py-drop: no README.md (the sheet), no answers.md' &&
	! grep -q 'warning: tcp-hello' '$TMP/list.err'"
HELLO_LABS="$TMP/nowhere:$TMP/labs" HELLO_ANSWERS="$TMP/keys" "$LAB" list >"$TMP/list2.out" 2>"$TMP/list2.err"
t_check "list: a HELLO_LABS folder that is not there is named with why" \
	grep -q "^== $TMP/nowhere (HELLO_LABS): No such file or directory" "$TMP/list2.out"
t_check "list: an answer key in HELLO_ANSWERS counts" sh -c "! grep -q 'warning: py-fail:.*answers' '$TMP/list2.err' &&
	grep -q 'warning: py-drop:.*answers' '$TMP/list2.err'"
t_check "show --answers: the key from HELLO_ANSWERS" sh -c "HELLO_ANSWERS='$TMP/keys' '$LAB' show py-fail --answers | grep -q 'teacher key'"
"$LAB" show py-drop --answers >"$TMP/nokey.out" 2>&1
t_check "show --answers: no key, exit 1 and a clear message" sh -c "[ $? = 1 ] && grep -q 'py-drop: no answer key' '$TMP/nokey.out'"

# Several labs at once, quiet: each lab's line names what failed, a broken one is BROKEN,
# then the table and the total time. The teacher's closed-port runs, not the built-in one.
lab_run "$TMP/several.out" run py-fail broken closed-port --quiet --out "$TMP/several" --port "$PORT"
cat "$TMP/several.out"
t_check "run A B C: exit 4 when one is BROKEN" [ $RC = 4 ]
t_check "run --quiet: the failed lab's line names its failed checks" \
	bash -c "flat '$TMP/several.out' | grep -q \"FAIL py-fail: 0/1 expectations held, failed: steps.say.lines\[1\] == 'three' ->\""
t_check "run: the table: FAILED with the check, BROKEN with why, ok" sh -c "
	grep -q \"^py-fail  *FAILED  *steps.say.lines\[1\] == 'three'\" '$TMP/several.out' &&
	grep -q \"^broken  *BROKEN  *steps\[0\]: unknown key 'backgroud'\" '$TMP/several.out' &&
	grep -q '^closed-port  *ok *$' '$TMP/several.out'"
t_check "run: the total time at the end" grep -Eq '^3 labs in [0-9]+\.[0-9] s: 1 ok, 1 FAILED, 1 BROKEN$' "$TMP/several.out"
t_check "run: HELLO_LABS's closed-port ran, not the built-in one ({repeat} in its arguments and check)" \
	"$PYTHON" -c "import json, sys; r = json.load(open('$TMP/several/closed-port/result.json'))
sys.exit(not (r['goal'].startswith('a teacher') and r['ok']))"
t_check "a capture of 0 packets: said on the screen and in result.json" bash -c "
	flat '$TMP/several.out' | grep -q 'note: the capture saw 0 packets: nothing the filter .tcp port $PORT. matches was sent' &&
	grep -q 'the capture saw 0 packets' '$TMP/several/py-fail/result.json'"
"$LAB" check --show-observed "$TMP/several/closed-port" >"$TMP/observed.out" 2>&1
t_check "--show-observed: what was observed for a check that held" \
	bash -c "flat '$TMP/observed.out' | grep -q 'ok len(steps.say.lines\[0\]) == 80 observed: len(steps.say.lines\[0\]) = 80'"
"$LAB" check --lab closed-port "$TMP/several/closed-port" >"$TMP/byname.out" 2>&1
t_check "check --lab NAME: the lab from the search path" sh -c "[ $? = 0 ] && grep -q '^ok   closed-port: 2/2' '$TMP/byname.out'"
"$LAB" check --lab broken "$TMP/several/closed-port" >"$TMP/checkbroken.out" 2>&1
t_check "check --lab with a broken lab.json: BROKEN, exit 4" bash -c "[ $? = 4 ] && grep -q '^BROKEN ' '$TMP/checkbroken.out'"
for c in "" list show run check compare; do "$LAB" $c --help; done >"$TMP/help.out" 2>&1
t_check "--help of every command fits 80 columns, names exit 4" bash -c "fits80 '$TMP/help.out' && grep -q '^  4    a lab.json is BROKEN' '$TMP/help.out'"

# SIGINT in the middle of a run: programs stopped, namespace (and its nft table) gone.
# Its job unfinished, hello-lab documents exit 130 after SIGINT.
t_bg --exit 130 env TMPDIR="$TMP/work" "$LAB" run slow --out "$TMP/out/slow" --port "$PORT" >"$TMP/slow.out" 2>&1
pid=$!
for _ in $(seq 100); do grep -q "fg:" "$TMP/slow.out" && break; sleep 0.1; done
t_check "slow: its namespace exists while it runs" sh -c "ip netns list | grep -q 'hl-$pid-lab'"
t_stop $pid INT
t_check "SIGINT: a clear message" grep -q "interrupted by SIGINT" "$TMP/slow.out"
t_check "SIGINT: the namespace is gone" sh -c "! ip netns list | grep -q 'hl-$pid-'"
t_check "SIGINT: its programs are gone" sh -c "! pgrep -f '^sleep $SLOW\$' >/dev/null"
t_check "SIGINT: no working folder left behind" sh -c "[ -z \"\$(ls -A '$TMP/work')\" ]"

# A run killed with SIGKILL leaves its namespace; the next run sweeps it. The stale name
# carries the pid of a process that has just ended. Any hello-lab on the host sweeps such
# names, so another run at the same moment could remove it first and say so in its own
# output: this run and its stale namespace get a /run/netns of their own (a private mount
# namespace, gone with the process), which no other hello-lab sees.
sh -c 'exit 0' &
dead=$!
wait "$dead"
TMPDIR=$TMP/work unshare -m --propagation private -- sh -c '
	mount -t tmpfs -o size=1m hellolab-sweep /run/netns || exit 99
	ip netns add "hl-$1-lab" || exit 98
	"$2" run py-fail --out "$3" --port "$4"
	ip netns list >"$5"' sweep "$dead" "$LAB" "$TMP/out/py-fail" "$PORT" "$TMP/sweep.after" >"$TMP/sweep.out" 2>&1
rc=$?
[ $rc = 99 ] || [ $rc = 98 ] && t_fail "sweep: no private /run/netns to set the stale namespace up in (exit $rc)"
t_check "stale namespace of a dead pid is swept" sh -c "[ -f '$TMP/sweep.after' ] && ! grep -q '^hl-$dead-lab' '$TMP/sweep.after'"
t_check "the sweep is reported" grep -q "removed hl-$dead-lab" "$TMP/sweep.out"

# The real labs: each one is a test.
unset HELLO_LABS
lab_run "$TMP/all.out" run --all --quiet --out "$TMP/all" --port "$PORT"
rc=$RC
all_pid=$RUN_PID
cat "$TMP/all.out"
want=$(ls "$HELLO_ROOT"/labs/*/lab.json | wc -l)
got=$(ls "$TMP"/all/*/result.json 2>/dev/null | wc -l)
t_check "run --all ran every lab ($got results of $want labs)" [ "$got" = "$want" ]
# Each lab's result.json: every expectation held (one check each); a failed lab shows its
# failed checks and its notes, enough to find the cause from the log alone.
t_checker "lab" "$PYTHON" -c 'import json, sys
for r in sys.argv[1:]:
    d = json.load(open(r))
    print("%s: %s: every expectation held (%d of %d)" % ("ok" if d["ok"] else "FAIL", r.split("/")[-2],
                                                          d["passed"], d["passed"] + d["failed"]))
    for c in ([] if d["ok"] else d["checks"]):
        if not c["passed"]:
            print("note: %s: check failed: %s; observed: %s" % (r.split("/")[-2], c["check"], c["observed"]))
    for n in ([] if d["ok"] else d.get("notes", [])):
        print("note: %s: %s" % (r.split("/")[-2], n))' "$TMP"/all/*/result.json
# A lab that failed leaves its ladder in the log: which packets went, which a rule dropped
# (delivered: false), in what order. The folder goes with the suite's, CI's with its machine.
for d in "$TMP"/all/*/; do
	if [ -f "$d/result.json" ] && ! grep -q '"ok": true' "$d/result.json" && [ -f "$d/ladder.txt" ]; then
		echo "  ladder of the failed lab $(basename "$d"):"
		sed 's/^/    /' "$d/ladder.txt"
	fi
done
# Every lab's trace.json parses and validates against docs/trace.schema.json: one check each.
t_checker "lab trace" "$PYTHON" "$HELLO_ROOT/tests/hostile/validate.py" "$HELLO_ROOT/docs/trace.schema.json" doc \
	"$TMP"/all/*/trace.json
t_check "lab trace: one per lab ($(grep -c . "$T_CHECKER_OUT"))" [ "$(grep -c '^ok' "$T_CHECKER_OUT")" = "$want" ]
# The drop log: every packet a lab's rule dropped is in its trace as delivered: false, named
# by the rule, and nothing else is; the lost reply is drawn dropped and not counted answered.
t_checker "drop log" "$PYTHON" -c 'import json, sys
for d in sys.argv[1:]:
    t, r = json.load(open(d + "trace.json")), json.load(open(d + "result.json"))
    rules = r.get("impair") or {}
    marked = {}
    for e in t["events"]:
        if e.get("delivered") is False:
            marked[e["dropped_by"]] = marked.get(e["dropped_by"], 0) + 1
    want = {k: v["dropped"] for k, v in rules.items() if v["dropped"]}
    log = t["capture"].get("drop_log")
    ok = marked == want and (not rules or (log and log["logged"] == log["matched"] == sum(want.values())))
    print("%s: %s: packets marked dropped %s, rules counted %s" % ("ok" if ok else "FAIL", d.split("/")[-2], marked, want))' \
	"$TMP"/all/*/
t_check "udp-lost-reply: ladder.txt draws the reply dropped" grep -q 'Hello, Tracy!" dropped' "$TMP/all/udp-lost-reply/ladder.txt"
t_check "udp-lost-reply: the lost reply is not counted answered" grep -q 'answered 3 · unanswered 1' "$TMP/all/udp-lost-reply/ladder.txt"
t_check "udp-lost-reply: ladder.svg names the rule" grep -q 'dropped (lose-reply)' "$TMP/all/udp-lost-reply/ladder.svg"
t_check "udp-lost-reply: the request that arrived is not drawn lost" sh -c \
	"! grep -q '\"Tracy\" lost?' '$TMP/all/udp-lost-reply/ladder.txt'"
# Every lab's ladder.txt: a `*` only where the kernel reported that state then (within 1 ms),
# and each tracepoint hand-off drawn once. The tcp-teardown sheet asks about the hand-off:
# when the kernel reported one, every picture of the run draws it.
t_checker "kernel marks" "$PYTHON" "$HELLO_ROOT/tests/integration/ladder_kernel_check.py" "$TMP"/all/*/
if grep -Eq '"handoff": ?true' "$TMP/all/tcp-teardown/trace.json"; then
	for f in ladder.txt ladder.svg ladder.mmd report.html; do
		t_check "tcp-teardown: $f draws the hand-off" grep -q 'hand-off' "$TMP/all/tcp-teardown/$f"
	done
fi
for d in "$TMP"/all/*/; do
	t_check "lab $(basename "$d"): the run folder holds results only" results_only "$d"
done
t_check "run --all: exit 0" [ $rc = 0 ]
t_check "run --all: the table, a line a lab, and the total time" sh -c "[ \$(grep -c ' ok\$' '$TMP/all.out') = $want ] &&
	grep -Eq '^$want labs in [0-9]+\.[0-9] s: $want ok, 0 FAILED, 0 BROKEN\$' '$TMP/all.out'"
# What every command of this suite printed (runs, lists, checks, errors): 80 columns.
t_check "every line hello-lab printed fits 80 columns" fits80 "$TMP"/*.out "$TMP"/*.err
t_check "every lab's ladder (run prints it) fits 80 columns" fits80 "$TMP"/all/*/ladder.txt
t_lab_runs "run --all" "$TMP"/all/*/
cmp=$("$LAB" compare "$TMP/all/tcp-hello" "$TMP/all/udp-hello" -o "$TMP/compare.html" 2>&1)
echo "$cmp"
t_check "compare: TCP needs 2 round trips to the first reply, UDP 1" \
	grep -Eq 'round trips to the first reply +2 +1$' <<<"$cmp"
t_check "compare: 6 UDP packets" grep -Eq 'packets \(client \+ server\) +[0-9]+ +6$' <<<"$cmp"
t_check "compare: the loss lab's drops are counted" sh -c \
	"'$LAB' compare '$TMP/all/tcp-loss' '$TMP/all/udp-loss' | grep -Eq 'dropped by the lab.s rules +1 +1$'"
# The terminal and the page it made say the same, for real runs (loopback frames: 14 bytes
# more than the IP packet, so the two byte counts differ and cannot be swapped unseen).
printf '%s\n' "$cmp" >"$TMP/compare.txt"
t_checker "compare: terminal and compare.html agree" "$PYTHON" "$HELLO_ROOT/tests/render/check_compare.py" \
	"$TMP/compare.txt" "$TMP/compare.html"
t_check "run --all: no namespace left behind" no_netns_of "$all_pid"
t_check "run --all: no working folder left behind" sh -c "[ -z \"\$(ls -A '$TMP/work')\" ]"
t_done
