#!/usr/bin/env bash
# tests/integration/labs_userns.sh: every lab as an ordinary user (uid 65534, no capability): hello-lab enters a user namespace of its own; results, traces, pcaps, sock_diag's TIME_WAIT, files owned by the user, nothing left behind.
# As root the suite drops to uid/gid 65534 with setpriv; run by an ordinary user it runs as
# that user. It skips only when the kernel gives that user no user namespace.
source "$(dirname "$0")/../lib/common.sh"

B=$HELLO_BIN
[ -x "$B/hello-lab" ] || t_skip "$B/hello-lab is not built"
command -v tcpdump >/dev/null || t_skip "tcpdump not found (make deps installs it)"
as_user=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || t_skip "setpriv not found (util-linux)"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --)
fi
UID_RUN=$("${as_user[@]}" id -u)
# What the kernel allows is found by doing it: a user namespace with a uid map, as that user.
if ! out=$("${as_user[@]}" unshare -Urn true 2>&1); then
	t_skip "the kernel gives uid $UID_RUN no user namespace: $out"
fi

t_workdir labs_userns
chmod 0777 "$W"
# Every process the runs start carries this in its environment: afterwards, none may be left.
MARK=hellolab_userns_$$_$RANDOM
# Every lab, two at a time; the TIME_WAIT check below looks at these, each closing one way.
LABS=(tcp-hello tcp-teardown client-closes-first tcp-loss)
want=$(ls "$HELLO_ROOT"/labs/*/lab.json | wc -l)

"${as_user[@]}" env HELLO_USERNS_MARK="$MARK" "$B/hello-lab" run --all -j 2 --quiet --out "$W/runs" \
	>"$W/run.out" 2>&1
rc=$?
sed 's/^/  /' "$W/run.out"
t_check "run --all -j 2 as uid $UID_RUN: exit 0 ($rc)" [ $rc = 0 ]
t_check "run --all: every lab ran ($want)" [ "$(ls "$W"/runs/*/result.json | wc -l)" = "$want" ]
t_check "hello-lab said it runs in a user namespace, states from sock_diag" \
	grep -q "not root: the lab runs in a user namespace of its own" "$W/run.out"
for d in "$W"/runs/*/; do
	l=$(basename "$d")
	t_check "$l: result.json ok" grep -q '"ok": true' "$d/result.json"
	t_check "$l: tcpdump reads trace.pcap" tcpdump -r "$d/trace.pcap" -c 1 -nn >/dev/null 2>&1
done
# Two hosts joined by a veth: the checksums captured are filled (offload off), valid to tcpdump.
for d in "$W"/runs/*/; do
	grep -q '"topology": "two-hosts"' "$d/result.json" || continue
	n=$(tcpdump -vv -nn -r "$d/trace.pcap" 2>/dev/null | grep -c 'cksum')
	bad=$(tcpdump -vv -nn -r "$d/trace.pcap" 2>/dev/null | grep -c 'incorrect')
	t_check "$(basename "$d"): two hosts: every checksum captured is correct ($bad of $n incorrect)" [ "$n" -gt 0 -a "$bad" = 0 ]
done
t_checker "trace" "$PYTHON" "$HELLO_ROOT/tests/hostile/validate.py" "$HELLO_ROOT/docs/trace.schema.json" doc \
	"$W"/runs/*/trace.json
t_lab_runs "as uid $UID_RUN" "$W"/runs/*/
# Without the tracepoint: sock_diag alone, said in the trace; the TIME_WAIT of each TCP lab is
# the kernel's, on the side that sent the first FIN.
t_checker "kernel states" "$PYTHON" -c 'import json, sys
want, seen = set(sys.argv[1].split()), set()
for d in sys.argv[2:]:
    name = d.rstrip("/").rsplit("/", 1)[-1]
    t = json.load(open(d + "/trace.json"))
    s = t["capture"]["state_sources"]
    ok = s["sock_diag"] is True and s["tracepoint"] is False
    print("%s: %s: sock_diag on, tracepoint off (%s)" % ("ok" if ok else "FAIL", name, s))
    for f in t["flows"]:
        if name not in want or f["proto"] != "tcp" or f.get("conn_state") != "SF":
            continue
        seen.add(name)
        tw = f.get("time_wait") or {}
        first = f.get("closed_first")
        ok = tw.get("source") == "kernel" and tw.get("side") == first and tw.get("timer_ms", 0) > 0
        print("%s: %s: flow %s: TIME_WAIT seen by sock_diag on the first closer (%s; %s)" %
              ("ok" if ok else "FAIL", name, f["id"], first, tw))
for name in sorted(want - seen):
    print("FAIL: %s: no TCP flow closed both ways (SF) to hold the TIME_WAIT check" % name)
' "${LABS[*]}" "$W"/runs/*/
bad=$(find "$W/runs" ! -uid "$UID_RUN" | head -3)
t_check "every file of the runs belongs to uid $UID_RUN${bad:+ (not: $bad)}" [ -z "$bad" ]
left=$(grep -l -a -- "HELLO_USERNS_MARK=$MARK" /proc/[0-9]*/environ 2>/dev/null | head -3)
t_check "no process of the runs left${left:+ ($left)}" [ -z "$left" ]
t_check "nothing of the runs mounted on the host" sh -c '! grep -q hellolab /proc/self/mountinfo'

# Ctrl-C in the middle of a run: exit 130, the trace written whole, nothing left behind. The
# concurrency lab's first clients take at least 600 ms of the server's delays: the signal
# comes while they run.
t_bg --exit 130 "${as_user[@]}" env HELLO_USERNS_MARK="${MARK}_int" "$B/hello-lab" run concurrency \
	--quiet --out "$W/int"
pid=$!
t_check "SIGINT: the run got to its first clients" t_wait_file "$W/int/iterative-c1.log" "$pid" 10
t_stop "$pid" INT
t_check "SIGINT: trace.json written whole" "$PYTHON" -c 'import json, sys; json.load(open(sys.argv[1]))' "$W/int/trace.json"
left=$(grep -l -a -- "HELLO_USERNS_MARK=${MARK}_int" /proc/[0-9]*/environ 2>/dev/null | head -3)
t_check "SIGINT: no process of the run left${left:+ ($left)}" [ -z "$left" ]

# hello-lab doctor as that user: every step a lab needs works, the tracepoint does not (said,
# with why labs need no fix for it).
"${as_user[@]}" "$B/hello-lab" doctor >"$W/doctor.out" 2>&1
rc=$?
sed 's/^/  /' "$W/doctor.out"
t_check "doctor as uid $UID_RUN: exit 0 ($rc)" [ $rc = 0 ]
for step in "user namespace" "network namespaces and veth" "nftables table" "capture (libpcap)" "sock_diag"; do
	t_check "doctor as uid $UID_RUN: $step works" grep -qF "  ok   $step " "$W/doctor.out"
done
t_check "doctor as uid $UID_RUN: no tracepoint, and no fix needed for the labs" \
	sh -c "grep -q '^  no   tracepoint ' '$W/doctor.out' && grep -q 'fix: none needed: labs run without it' '$W/doctor.out'"

# make lab as that user: the real lab, not the fallback (tools/lab.sh is what make lab runs).
# A checkout the user cannot write to (CI's, as root's) sends the run to a folder of the
# user's own; otherwise the suite names the folder, to leave the user's out/ alone.
lab_args=(--out "$W/make-lab")
"${as_user[@]}" test -w "$HELLO_ROOT" || lab_args=()
"${as_user[@]}" "$HELLO_ROOT/tools/lab.sh" "${lab_args[@]}" >"$W/make-lab.out" 2>&1
rc=$?
dir=$(sed -n 's/^== make lab: the run is in \(.*\)\/: trace.json.*/\1/p' "$W/make-lab.out")
case $dir in "${TMPDIR:-/tmp}"/hellolab-lab.*/tcp-hello) t_on_exit "rm -rf \"\$W\" '${dir%/tcp-hello}'" ;; esac
t_check "make lab as uid $UID_RUN: exit 0 ($rc)" [ $rc = 0 ]
t_check "make lab as uid $UID_RUN: the real lab ran (${dir:-no folder named}/result.json ok)" \
	grep -q '"ok": true' "$dir/result.json"
if [ ${#lab_args[@]} = 0 ]; then
	t_check "make lab as uid $UID_RUN: the checkout is not theirs, said, and the run is in a folder of their own" \
		sh -c "grep -q 'out is not yours to write; the run goes to' '$W/make-lab.out' && [ \"\$(stat -c %u '$dir')\" = $UID_RUN ]"
fi

# A kernel that gives no user namespace: hello-lab says which step was refused and why, runs
# nothing and exits 5 (what make lab's fallback looks for).
if [ "$(id -u)" = 0 ]; then
	"$PYTHON" "$HELLO_ROOT/tests/lib/userns_refused.py" "$B/hello-lab" run tcp-hello --quiet \
		--out "$W/refused" >"$W/refused.out" 2>&1
	rc=$?
	sed 's/^/  /' "$W/refused.out"
	t_check "no user namespace to be had: exit 5 ($rc)" [ $rc = 5 ]
	t_check "no user namespace to be had: the refused step named" grep -q "unshare(CLONE_NEWUSER" "$W/refused.out"
	t_check "no user namespace to be had: no run folder" [ ! -e "$W/refused/result.json" ]
	"$PYTHON" "$HELLO_ROOT/tests/lib/userns_refused.py" "$B/hello-lab" doctor >"$W/doctor-refused.out" 2>&1
	rc=$?
	sed 's/^/  /' "$W/doctor-refused.out"
	t_check "doctor with no user namespace: exit 1 ($rc)" [ $rc = 1 ]
	t_check "doctor with no user namespace: the step, why, and the sysctl that fixes it" \
		sh -c "grep -q '^  no   user namespace .*max_user_namespaces' '$W/doctor-refused.out' &&
		       grep -q 'fix: sudo sysctl -w user.max_user_namespaces=' '$W/doctor-refused.out'"
	# make lab falls back to the plain exchange on the host's loopback, on a port of ours
	t_port PORT
	"$PYTHON" "$HELLO_ROOT/tests/lib/userns_refused.py" "$HELLO_ROOT/tools/lab.sh" --port "$PORT" \
		--out "$W/refused-lab" >"$W/refused-lab.out" 2>&1
	rc=$?
	t_check "make lab with no user namespace: the plain exchange, exit 0 ($rc)" [ $rc = 0 ]
	t_check "make lab with no user namespace: says why the full lab did not run" \
		grep -q "needs a user namespace, which this kernel does not give an ordinary user" "$W/refused-lab.out"
fi
t_done
