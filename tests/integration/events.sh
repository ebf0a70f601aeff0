#!/usr/bin/env bash
# tests/integration/events.sh: --events on all four programs (docs/events.md): every line is
# JSON, calls come in order with sane times, connect precedes send, bytes sent = bytes
# received, stream offsets add up, ECONNREFUSED for a closed port; the fork and thread
# models write whole lines; the wire is the same with and without --events.
source "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

T=$(mktemp -d /tmp/hello-events.XXXXXX)
t_on_exit '[ -n "${KEEP:-}" ] || rm -rf "$T"'
t_port	# the lab below traces: ports no other suite on this host traces now
TCPS=$HELLO_BIN/hello-tcp-server TCPC=$HELLO_BIN/hello-tcp-client
UDPS=$HELLO_BIN/hello-udp-server UDPC=$HELLO_BIN/hello-udp-client
command -v tcpdump >/dev/null || t_skip "tcpdump not found (make deps installs it)"

# ev_check WHAT FILE... -- CHECK [ARGS]: one check of the Python helper below over the files.
ev_check() { local what=$1; shift; t_checker "$what" "$PYTHON" "$T/check.py" "$@"; }
cat > "$T/check.py" <<'EOF'
import json, sys
args = sys.argv[1:]
sep = args.index('--')
files, check, extra = args[:sep], args[sep + 1], args[sep + 2:]
def need(cond, msg):
    if not cond:
        print('FAIL: ' + msg)
        sys.exit(1)
recs = []
for f in files:
    for i, line in enumerate(open(f, 'rb')):
        try:
            r = json.loads(line)
        except ValueError as e:
            need(False, '%s:%d: not JSON: %s' % (f, i + 1, e))
        need(isinstance(r, dict) and line.endswith(b'\n'), '%s:%d: not one JSON object per line' % (f, i + 1))
        recs.append(r)
by = lambda role: [r for r in recs if r['role'] == role]
data = lambda rs, calls: [r for r in rs if r['call'] in calls and r['result'] > 0]
if check == 'json':
    need(len(recs) > 0, 'no records')
    for r in recs:
        for k in ('call', 'before_us', 'after_us', 'prog', 'role', 'pid', 'result'):
            need(k in r, '%s lacks %s' % (r, k))
        need(r['before_us'] <= r['after_us'], 'before > after: %s' % r)
        need(r['before_us'] > 1.5e15, 'not CLOCK_REALTIME microseconds: %s' % r)
        need((r['result'] < 0) == ('errno' in r), 'errno iff failure: %s' % r)
elif check == 'order':
    # Each process's file order is its call order: times never go back within one thread.
    last = {}
    for r in recs:
        key = (r['pid'], r.get('tid'))
        need(r['before_us'] >= last.get(key, 0), 'time goes back: %s' % r)
        last[key] = r['after_us']
elif check == 'sequence':
    # The calls of one role, in order, as a space-separated list of names.
    got = ' '.join(r['call'] for r in by(extra[0]))
    need(got == extra[1], '%s calls: %r, want %r' % (extra[0], got, extra[1]))
elif check == 'connect-first':
    c = by('client')
    conn = [i for i, r in enumerate(c) if r['call'] == 'connect' and r['result'] == 0]
    sends = [i for i, r in enumerate(c) if r['call'] in ('send', 'sendto')]
    need(conn and sends and conn[0] < sends[0], 'connect does not precede send')
    need(c[conn[0]]['after_us'] <= c[sends[0]]['before_us'], 'send starts before connect returned')
elif check == 'bytes':
    # Each direction: what one side's sends moved, the other side's recvs returned.
    for a, b in (('client', 'server'), ('server', 'client')):
        sent = sum(r['bytes'] for r in data(by(a), ('send', 'sendto')))
        got = sum(r['bytes'] for r in data(by(b), ('recv', 'recvfrom')))
        need(sent > 0 and sent == got, '%s sent %d bytes, %s received %d' % (a, sent, b, got))
        print('note: %s -> %s: %d bytes' % (a, b, sent))
elif check == 'offsets':
    # TCP: each send/recv starts where the previous one of its connection and direction
    # ended. Connections are told apart by their addresses: a descriptor number is reused.
    for role in ('client', 'server'):
        nxt = {}
        for r in data(by(role), ('send', 'recv')):
            k = (json.dumps(r['local']), json.dumps(r['peer']), r['call'])
            need(r['offset'] == nxt.get(k, 0), 'offset %d, want %d: %s' % (r['offset'], nxt.get(k, 0), r))
            nxt[k] = r['offset'] + r['bytes']
elif check == 'addresses':
    # The client's local address is the server's peer, and the other way round.
    cc = [r for r in by('client') if r['call'] == 'connect'][0]
    sa = [r for r in by('server') if r['call'] == 'accept'][0]
    need(cc['local'] == sa['peer'] and cc['peer'] == sa['local'], 'addresses differ: %s %s' % (cc, sa))
elif check == 'errno':
    need(any(r['call'] == extra[0] and r.get('errno') == extra[1] for r in recs), 'no %s with %s' % (extra[0], extra[1]))
elif check == 'count':
    n = sum(1 for r in recs if r['call'] == extra[0])
    need(n == int(extra[1]), '%d %s records, want %s' % (n, extra[0], extra[1]))
elif check == 'pids':
    need(len({r['pid'] for r in recs}) >= int(extra[0]), 'fewer than %s processes' % extra[0])
elif check == 'tids':
    need(len({r.get('tid') for r in recs}) >= int(extra[0]), 'fewer than %s threads' % extra[0])
else:
    sys.exit('unknown check ' + check)
print('ok: %s' % ' '.join([check] + extra))
EOF

# tcp_run TAG SERVER-ARGS -- CLIENT-ARGS: one server, one client, both with --events.
tcp_run() {
	local tag=$1; shift
	local sargs=() cargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	cargs=("$@")
	t_bg "$TCPS" --port $PORT --once --events "$T/$tag-s.jsonl" "${sargs[@]}" > "$T/$tag-s.log"
	local spid=$!
	t_wait_port $PORT tcp 5 || { t_fail "$tag: server did not listen"; t_stop "$spid"; return 1; }
	timeout 10 "$TCPC" --port $PORT --events "$T/$tag-c.jsonl" "${cargs[@]}" > "$T/$tag-c.out" 2>&1
	local rc=$?
	t_wait_bg "$spid"	# --once
	return $rc
}

# 1. TCP: the tutorial's exchange.
tcp_run tcp --
t_check "tcp: client exit 0" [ $? -eq 0 ]
F=("$T/tcp-c.jsonl" "$T/tcp-s.jsonl")
ev_check "tcp: every line is one JSON object with the required fields, before <= after" "${F[@]}" -- json
ev_check "tcp: calls in file order never go back in time" "${F[@]}" -- order
ev_check "tcp: the client's calls in order" "${F[@]}" -- sequence client \
	"socket connect recv send recv send recv send recv send recv close"
ev_check "tcp: the server's calls in order" "${F[@]}" -- sequence server \
	"socket setsockopt bind listen accept close send recv send recv send recv send recv close"
ev_check "tcp: connect returned before the first send" "${F[@]}" -- connect-first
ev_check "tcp: bytes sent by each side = bytes received by the other" "${F[@]}" -- bytes
ev_check "tcp: stream offsets continue call after call" "${F[@]}" -- offsets
ev_check "tcp: client local = server peer and back" "${F[@]}" -- addresses

# 2. UDP: the tutorial's datagrams.
t_bg "$UDPS" --port $PORT --events "$T/udp-s.jsonl" > "$T/udp-s.log"
spid=$!
t_wait_port $PORT udp 5 || t_fail "udp: server not bound"
timeout 10 "$UDPC" --port $PORT --events "$T/udp-c.jsonl" > "$T/udp-c.out" 2>&1
t_check "udp: client exit 0" [ $? -eq 0 ]
t_stop "$spid"
F=("$T/udp-c.jsonl" "$T/udp-s.jsonl")
ev_check "udp: every line is JSON, before <= after" "${F[@]}" -- json
ev_check "udp: the client's calls in order" "${F[@]}" -- sequence client \
	"socket sendto recvfrom sendto recvfrom sendto recvfrom close"
ev_check "udp: bytes sent by each side = bytes received by the other" "${F[@]}" -- bytes

# 3. A closed port: TCP connect and connected UDP are refused, and the records say so.
timeout 10 "$TCPC" --port $PORT --events "$T/ref.jsonl" > /dev/null 2>&1
t_check "closed port: tcp client exit 1" [ $? -eq 1 ]
timeout 10 "$TCPC" --port $PORT --connect-timeout 500 --events "$T/ref.jsonl" > /dev/null 2>&1
timeout 10 "$UDPC" --port $PORT --connect --timeout 200 --retries 0 --events "$T/ref.jsonl" > /dev/null 2>&1
ev_check "closed port: every line is JSON" "$T/ref.jsonl" -- json
ev_check "closed port: connect failed with ECONNREFUSED" "$T/ref.jsonl" -- errno connect ECONNREFUSED
ev_check "closed port: every connect recorded (two programs appended to one file)" "$T/ref.jsonl" -- count connect 3
ev_check "closed port: connected udp recvfrom failed with ECONNREFUSED" "$T/ref.jsonl" -- errno recvfrom ECONNREFUSED
# Unconnected, nothing comes back: the wait that timed out is a poll record, result 0.
timeout 10 "$UDPC" --port $PORT --timeout 150 --retries 0 --events "$T/poll.jsonl" Bob > /dev/null 2>&1
t_check "udp timeout: one poll record, result 0, timeout_ms 150, the peer waited on" \
	"$PYTHON" -c 'import json, sys
p = [r for r in map(json.loads, open(sys.argv[1])) if r["call"] == "poll"]
sys.exit(not (len(p) == 1 and p[0]["result"] == 0 and p[0]["timeout_ms"] == 150
              and p[0]["peer"]["port"] == int(sys.argv[2]) and p[0]["after_us"] - p[0]["before_us"] >= 140000))' \
	"$T/poll.jsonl" "$PORT"

# 4. A port in use: bind fails with EADDRINUSE.
t_bg "$TCPS" --port $PORT > /dev/null
spid=$!
t_wait_port $PORT tcp 5
timeout 5 "$TCPS" --port $PORT --events "$T/inuse.jsonl" > /dev/null 2>&1
t_check "port in use: second server exit 1" [ $? -eq 1 ]
t_stop "$spid"
ev_check "port in use: bind failed with EADDRINUSE" "$T/inuse.jsonl" -- errno bind EADDRINUSE
t_check "port in use: the failed bind names its port" grep -q "\"call\":\"bind\".*\"port\":$PORT.*EADDRINUSE" "$T/inuse.jsonl"

# 5. Fork and thread models: three clients at once, whole lines from every process/thread.
for model in fork thread; do
	t_bg "$TCPS" --port $PORT --model $model --events "$T/$model-s.jsonl" > /dev/null
	spid=$!
	t_wait_port $PORT tcp 5 || t_fail "$model: server did not listen"
	pids=()
	for i in 1 2 3; do
		timeout 10 "$TCPC" -q --port $PORT --events "$T/$model-c.jsonl" & pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || t_fail "$model: a client exited $?"; done
	t_stop "$spid"
	F=("$T/$model-c.jsonl" "$T/$model-s.jsonl")
	ev_check "$model: every line is one JSON object" "${F[@]}" -- json
	ev_check "$model: three accepts recorded" "$T/$model-s.jsonl" -- count accept 3
	ev_check "$model: bytes sent by each side = bytes received by the other" "${F[@]}" -- bytes
	ev_check "$model: offsets per connection and direction" "${F[@]}" -- offsets
done
ev_check "fork: records from the children's pids" "$T/fork-s.jsonl" -- pids 4
ev_check "thread: records from the worker threads" "$T/thread-s.jsonl" -- tids 4

# 6. hello-lab gives every service program --events RUN/events-STEP.jsonl.
if "$HELLO_BIN/hello-lab" run tcp-hello --out "$T/lab" --port $((PORT + 4)) --no-render --quiet > "$T/lab.out" 2>&1; then
	F=("$T/lab/events-client.jsonl" "$T/lab/events-server.jsonl")
	t_check "hello-lab: events-client.jsonl and events-server.jsonl in the run folder" [ -s "${F[0]}" -a -s "${F[1]}" ]
	ev_check "hello-lab: the lab's records are JSON" "${F[@]}" -- json
	ev_check "hello-lab: bytes sent by each side = bytes received by the other" "${F[@]}" -- bytes
	t_lab_runs "hello-lab" "$T/lab"
else
	t_fail "hello-lab run tcp-hello failed: $(tail -3 "$T/lab.out")"
fi

# 7. --events never changes the wire: the same segments carry the same payload sizes, and
# SYN/FIN go the same way (pure ACKs are left out: their timing is the kernel's).
wire_summary() {
	tcpdump -r "$1" -nn 2>/dev/null | awk -v p=".$PORT:" '{
		dir = (index($3 ":", p) > 0) ? "server>client" : "client>server"
		match($0, /Flags \[[^]]*\]/); fl = substr($0, RSTART + 7, RLENGTH - 8)
		if ($NF > 0 || fl ~ /[SFR]/) print dir, fl, $NF }'
}
# The capture is hello-trace's (tcpdump reads it): stopped, it drains what the kernel
# holds, so no wait stands between the last segment and the stop.
for tag in off on; do
	t_bg "$HELLO_BIN/hello-trace" -i lo --no-kernel -w "$T/$tag.pcap" -o "$T/$tag.cap.json" \
		--ready-file "$T/$tag.ready" --duration 60 "tcp port $PORT" 2> "$T/$tag.tracer"
	tp=$!
	t_check "wire $tag: the capture is ready" t_wait_file "$T/$tag.ready" "$tp"
	if [ $tag = on ]; then
		tcp_run w$tag --
	else
		t_bg "$TCPS" --port $PORT --once > /dev/null
		spid=$!
		t_wait_port $PORT tcp 5
		timeout 10 "$TCPC" --port $PORT > /dev/null
		t_wait_bg "$spid"
	fi
	t_stop "$tp" INT	# a live capture stopped by SIGINT has done its job: exit 0
	wire_summary "$T/$tag.pcap" > "$T/$tag.txt"
done
t_check "wire: the same segments with and without --events ($(wc -l < "$T/on.txt") segments)" \
	cmp -s "$T/off.txt" "$T/on.txt"
t_check "wire: the capture holds the exchange (SYN and 4 replies)" \
	[ "$(grep -c . "$T/on.txt")" -ge 12 ]
# 8. hello-trace -r merges the calls offline: linked both ways, noted, schema-valid.
"$HELLO_BIN/hello-trace" -r "$T/on.pcap" --events "$T/won-c.jsonl" --events "$T/won-s.jsonl" --notes \
	-o "$T/merged.json" "tcp port $PORT" 2> "$T/merged.err"
t_check "hello-trace -r --events --notes: exit 0" [ $? -eq 0 ]
t_check "merged trace: valid, every call in, data/SYN/FIN linked to calls, sends/connect/close to packets" \
	"$PYTHON" - "$T/merged.json" "$HELLO_ROOT/docs/trace.schema.json" "$T/won-c.jsonl" "$T/won-s.jsonl" <<'EOF2'
import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(json.load(open(sys.argv[2]))).validate(d)
ev = d['events']
nrec = sum(1 for f in sys.argv[3:] for _ in open(f))
calls = [e for e in ev if e['type'] == 'call']
assert len(calls) == nrec, 'calls %d, records %d' % (len(calls), nrec)
assert all(a['t_us'] <= b['t_us'] for a, b in zip(ev, ev[1:])), 'events out of order'
for i, e in enumerate(ev):
    assert 'note' in e, 'event %d has no note' % i
    if e['type'] == 'packet' and not e.get('retransmission'):
        fl = e.get('flags', '')
        if e.get('len', 0) > 0 or 'F' in fl or ('S' in fl and 'A' not in fl):
            assert e.get('origin') == 'app' and e.get('calls'), 'packet %d links no call' % i
            for c in e['calls']:
                assert i in ev[c]['packets'], 'link %d -> %d not mirrored' % (i, c)
        elif 'flow' in e:
            assert e.get('origin') == 'kernel', 'packet %d: %s' % (i, e.get('origin'))
    if e['type'] == 'call' and e['call'] in ('send', 'connect') and e.get('flow'):
        assert e.get('packets'), 'call %d (%s) links no packet' % (i, e['call'])
closes = [e for e in calls if e['call'] == 'close' and e.get('packets')]
assert len(closes) == 2, 'both closes send a FIN: %d' % len(closes)
assert any('TIME_WAIT' in e['note'] for e in closes), 'no close note names TIME_WAIT'
EOF2
t_check "hello-trace -r without --events: no call events, no notes (as before)" \
	"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); assert not [e for e in d['events'] if e['type']=='call' or 'note' in e or 'origin' in e]" \
	<("$HELLO_BIN/hello-trace" -r "$T/on.pcap" "tcp port $PORT" 2>/dev/null)
t_check "hello-trace: --events with --jsonl is a usage error (exit 2)" \
	bash -c '"$0" -r "$1" --jsonl --events x.jsonl > /dev/null 2>&1; [ $? -eq 2 ]' "$HELLO_BIN/hello-trace" "$T/on.pcap"

t_done
