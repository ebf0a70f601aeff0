#!/usr/bin/env bash
# tests/integration/trace_offline_replay.sh: live capture on lo in a private netns, stopped by a signal, then -r of its own pcap gives the same trace.
. "$(dirname "$0")/../lib/common.sh"
t_netns "$@"

TRACE=$HELLO_BIN/hello-trace
SCHEMA=$HELLO_ROOT/docs/trace.schema.json
[ -x "$TRACE" ] || t_skip "$TRACE not built"
"$PYTHON" -c 'import jsonschema' 2>/dev/null || t_skip "$PYTHON lacks jsonschema"
command -v tcpdump >/dev/null || t_skip "tcpdump not installed"

W=$(mktemp -d /tmp/trace_replay.XXXXXX)
t_on_exit '[ -n "${KEEP:-}" ] || rm -rf "$W"'

# The hello exchange over TCP (the server closes first) and over UDP, from Python sockets.
traffic() {
	"$PYTHON" - <<'PY'
import socket, threading
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 9999)); ls.listen(5); ls.settimeout(5)
us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); us.bind(("127.0.0.1", 9999)); us.settimeout(5)
def tcp_server():
    c, _ = ls.accept(); c.settimeout(5); c.sendall(b"hello!")
    while True:
        m = c.recv(1024)
        if not m or m == b"exit":
            break
        c.sendall(b"Hello, " + m + b"!")
    c.close()
def udp_server():
    for _ in range(3):
        m, a = us.recvfrom(1024); us.sendto(b"Hello, " + m + b"!", a)
ts = [threading.Thread(target=tcp_server), threading.Thread(target=udp_server)]
for t in ts: t.start()
c = socket.create_connection(("127.0.0.1", 9999), timeout=5)
assert c.recv(1024) == b"hello!"
for n in (b"Michael", b"Tracy", b"Sarah"):
    c.sendall(n); assert c.recv(1024) == b"Hello, " + n + b"!"
c.sendall(b"exit"); assert c.recv(1024) == b""; c.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
for n in (b"Michael", b"Tracy", b"Sarah"):
    u.sendto(n, ("127.0.0.1", 9999)); assert u.recvfrom(1024)[0] == b"Hello, " + n + b"!"
for t in ts: t.join(5)
PY
}

q() { "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
valid() { "$PYTHON" -c 'import json,sys,jsonschema; jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))' "$SCHEMA" "$1"; }

# 1. Live, stopped with SIGINT; -w and -o alongside.
t_bg "$TRACE" -i lo -w "$W/live.pcap" -o "$W/live.json" --ready-file "$W/ready" 'tcp port 9999 or udp port 9999' 2>"$W/stderr"
TR=$!
t_check "ready file appears" t_wait_file "$W/ready" "$TR"
t_check "ready line on stderr" grep -q "^hello-trace: capturing on lo$" "$W/stderr"
t_check "traffic ran" traffic
t_stop "$TR" INT	# a clean exit 0
t_check "live JSON validates" valid "$W/live.json"
t_check "pcap readable by tcpdump -r" bash -c "tcpdump -nr '$W/live.pcap' 2>/dev/null | grep -c . | grep -qx 22"
t_check "live: the hello exchange, server closes first" \
	[ "$(q "$W/live.json" '"%s %s %s %s" % (d["flows"][0]["conn_state"], d["flows"][0]["closed_first"], d["flows"][0]["states"]["server"]["final"], d["flows"][0]["time_wait"]["side"])')" = "SF server TIME_WAIT server" ]
t_check "live: three UDP request/reply pairs" [ "$(q "$W/live.json" 'len(d["flows"][1]["pairs"])')" = 3 ]
t_check "live: stop reason and drop counts" [ "$(q "$W/live.json" '"%s %d" % (d["capture"]["stop_reason"], d["capture"]["packets_dropped"])')" = "signal 0" ]

# 2. The same pcap offline: the same flows and packet-made events. The live trace may also
# hold kernel events (another part's sources), so compare what the packets make.
"$TRACE" -r "$W/live.pcap" -o "$W/replay.json" || t_fail "-r live.pcap: exit $?"
same() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import json, sys
def view(path, what):
    d = json.load(open(path))
    ev = d["events"]
    def ref(i):  # an event by what it is, not where it sits
        e = ev[i]
        return (e["type"], e.get("flow"), e.get("from"), e.get("flags"), e.get("seq"), e.get("ack"), e.get("preview"))
    if what == "flows":
        keys = ("proto", "client", "server", "packets", "ip_bytes", "frame_bytes", "payload_bytes", "isn", "options", "history",
                "conn_state", "closed_first", "close_kind", "retransmissions", "dup_acks", "zero_windows", "datagrams")
        out = []
        for f in d["flows"]:
            v = {k: f.get(k) for k in keys}
            v["states"] = {s: (x.get("initial"), x.get("final")) for s, x in f.get("states", {}).items()}
            v["pairs"] = [(ref(p["request"]), ref(p["reply"])) for p in f.get("pairs", [])]
            v["phases"] = [(p["name"], ref(p["first_event"]), ref(p["last_event"])) for p in f.get("phases", []) if p["name"] != "time_wait"]
            out.append(v)
        return out
    return [(ref(i), e.get("to"), e.get("side"), e.get("cause") is not None and ref(e["cause"]))
            for i, e in enumerate(ev) if e.get("source", "inferred") == "inferred"]
a, b = view(sys.argv[1], sys.argv[3]), view(sys.argv[2], sys.argv[3])
if a != b:
    sys.exit("differ:\n%s\n%s" % (a, b))
PY
}
t_check "offline replay: same flows, history, states, pairs, phases as live" same "$W/live.json" "$W/replay.json" flows
t_check "offline replay: same packets and inferred states as live" same "$W/live.json" "$W/replay.json" events

# 3. SIGTERM with --jsonl to stdout: the stream is complete (summary last) and valid.
rm -f "$W/ready"
t_bg "$TRACE" -i lo --jsonl --ready-file "$W/ready" 'tcp port 9999' >"$W/live.jsonl" 2>/dev/null
TR=$!
t_wait_file "$W/ready" "$TR" && traffic >/dev/null
t_stop "$TR" TERM; rc=$?
t_check "live --jsonl: every line validates" "$PYTHON" -c 'import json,sys,jsonschema
s = json.load(open(sys.argv[1])); v = jsonschema.Draft202012Validator({"$defs": s["$defs"], "$ref": "#/$defs/jsonl_line"})
for l in open(sys.argv[2]): v.validate(json.loads(l))' "$SCHEMA" "$W/live.jsonl"
t_check "SIGTERM --jsonl: exit 0, summary last" [ "$rc $(tail -n 1 "$W/live.jsonl" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = "0 summary" ]

# 4. -c and --duration end a live capture by themselves.
t_bg "$TRACE" -i lo -c 3 -o "$W/count.json" --ready-file "$W/count.ready" 'tcp port 9999' 2>/dev/null
TR=$!
t_wait_file "$W/count.ready" "$TR" && traffic >/dev/null; t_wait_bg "$TR"; rc=$?
t_check "-c 3 live: exit 0, 3 packets" [ "$rc $(q "$W/count.json" '"%d %s" % (d["capture"]["packets_seen"], d["capture"]["stop_reason"])')" = "0 3 count" ]
t_bg "$TRACE" -i lo --duration 0.3 -o "$W/dur.json" 2>/dev/null
t_wait_bg $!; rc=$?
t_check "--duration 0.3: exit 0 on its own" [ "$rc $(q "$W/dur.json" 'd["capture"]["stop_reason"]')" = "0 duration" ]
t_check "an empty capture is a valid trace too" valid "$W/dur.json"
t_check "every live trace validates" bash -c 'for f in "$1"/count.json "$1"/replay.json; do "$2" -c "import json,sys,jsonschema; jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))" "$3" "$f" || exit 1; done' _ "$W" "$PYTHON" "$SCHEMA"

t_done
