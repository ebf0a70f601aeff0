#!/usr/bin/env bash
# tests/integration/trace_offline.sh: hello-trace -r on generated pcaps: flows, schema, link types, jsonl, errors.
. "$(dirname "$0")/../lib/common.sh"

SCHEMA=$HELLO_ROOT/docs/trace.schema.json
t_need_tracer
t_workdir trace_offline
"$PYTHON" "$HELLO_ROOT/tools/mkpcap_trace.py" "$W" || { t_fail "generate pcaps"; t_done; }

# validate MODE FILE...: every document (doc) or every line (jsonl) against the schema.
validate() {
	local mode=$1; shift
	"$PYTHON" - "$SCHEMA" "$mode" "$@" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
doc = jsonschema.Draft202012Validator(schema)
line = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/jsonl_line"})
for path in sys.argv[3:]:
    if sys.argv[2] == "doc":
        errs = list(doc.iter_errors(json.load(open(path))))
        if errs:
            sys.exit(f"{path}: {errs[0].message} at {list(errs[0].absolute_path)}")
    else:
        for n, text in enumerate(open(path), 1):
            errs = list(line.iter_errors(json.loads(text)))
            if errs:
                sys.exit(f"{path}:{n}: {errs[0].message}")
PY
}

# jq-like checks in Python: q FILE EXPR prints EXPR evaluated with d = the document.
q() { "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. The hello exchange, every link type and container: same flow, same verdicts.
for f in tcp_hello.pcap tcp_hello.pcapng tcp_hello_sll2.pcap tcp_hello_null.pcap tcp_hello_raw.pcap tcp_hello6.pcap; do
	"$TRACE" -r "$W/$f" -o "$W/$f.json" 2>"$W/err" || t_fail "$f: exit $? ($(cat "$W/err"))"
	got=$(q "$W/$f.json" '"%s %s %s %s %s %s" % tuple([d["flows"][0][k] for k in ("history","conn_state","closed_first")] + [d["flows"][0]["states"][s]["final"] for s in ("client","server")] + [",".join(p["name"] for p in d["flows"][0]["phases"])])')
	t_check "$f: history, conn_state, closer, final states, phases ($got)" \
		[ "$got" = "ShAdDfFa SF server CLOSED TIME_WAIT handshake,data,teardown,time_wait" ]
done
t_check "no .tmp left behind by -o" [ -z "$(ls "$W"/*.tmp 2>/dev/null)" ]
t_check "linktype names: SLL2, NULL, RAW" [ "$(q "$W/tcp_hello_sll2.pcap.json" 'd["capture"]["linktype"]') $(q "$W/tcp_hello_null.pcap.json" 'd["capture"]["linktype"]') $(q "$W/tcp_hello_raw.pcap.json" 'd["capture"]["linktype"]')" = "LINUX_SLL2 NULL RAW" ]
t_check "pcap and pcapng give the same flows" [ "$(q "$W/tcp_hello.pcap.json" 'json.dumps(d["flows"])')" = "$(q "$W/tcp_hello.pcapng.json" 'json.dumps(d["flows"])')" ]
t_check "time_wait inferred on the server, 60000 ms" [ "$(q "$W/tcp_hello.pcap.json" '"%(side)s %(timer_ms)d %(source)s" % d["flows"][0]["time_wait"]')" = "server 60000 inferred" ]
t_check "packets_seen agrees with tshark" [ "$(q "$W/tcp_hello.pcap.json" 'd["capture"]["packets_seen"]')" = "$(tshark -r "$W/tcp_hello.pcap" 2>/dev/null | wc -l)" ]
t_check "the greeting's preview and relative seq" [ "$(q "$W/tcp_hello.pcap.json" '[(e["preview"], e["seq"], e["from"]) for e in d["events"] if e.get("preview")][0]')" = "('hello!', 1, 'server')" ]

# A link type the tracer does not decode: still a trace, every packet listed, a warning.
"$TRACE" -r "$W/undecoded.pcap" -o "$W/undecoded.json" 2>"$W/err"; rc=$?
t_check "undecoded link type (147, USER0): exit $rc, a warning" \
	[ "$rc $(grep -c "link type UNKNOWN (147) is not decoded" "$W/err")" = "0 1" ]
t_check "undecoded link type: every packet listed, invalid link type, no flow" \
	[ "$(q "$W/undecoded.json" '"%d %d %s %d" % (d["capture"]["packets_seen"], len(d["events"]), set(e.get("invalid") for e in d["events"]), len(d["flows"]))')" = "15 15 {'link type'} 0" ]

# 2. A retransmission: flagged like tshark flags it.
"$TRACE" -r "$W/tcp_retrans.pcap" -o "$W/retrans.json" || t_fail "tcp_retrans.pcap: exit $?"
t_check "retransmission counted once, as tshark does" \
	[ "$(q "$W/retrans.json" 'd["flows"][0]["retransmissions"]')" = "$(tshark -r "$W/tcp_retrans.pcap" -Y tcp.analysis.retransmission 2>/dev/null | wc -l)" ]
t_check "retransmission in history (T)" [ "$(q "$W/retrans.json" 'd["flows"][0]["history"]')" = "ShAdDTfFa" ]

# 3. Cut by a 54-byte snap length: recorded as truncated, states still inferred.
"$TRACE" -r "$W/tcp_cut.pcap" -o "$W/cut.json" || t_fail "tcp_cut.pcap: exit $?"
t_check "snaplen 54: truncated counted, flow still SF" [ "$(q "$W/cut.json" '"%d %s %d" % (d["capture"]["packets_truncated"], d["flows"][0]["conn_state"], d["capture"]["snaplen"])')" = "10 SF 54" ]

# 4. UDP: pairs, a lost request, a closed port and its ICMP error.
"$TRACE" -r "$W/udp_icmp.pcap" -o "$W/udp.json" || t_fail "udp_icmp.pcap: exit $?"
t_check "udp: three pairs, one unanswered" [ "$(q "$W/udp.json" '"%d %s" % (len(d["flows"][0]["pairs"]), d["flows"][0]["unanswered"])')" = "3 [4]" ]
t_check "icmp port unreachable tied to the datagram it quotes" \
	[ "$(q "$W/udp.json" '"%(event)d %(quoted_event)d %(text)s" % d["flows"][1]["icmp_errors"][0]')" = "8 7 port unreachable" ]

# 5. Filters, -c, --max-flows on a capture with three flows.
"$TRACE" -r "$W/mixed.pcap" -o "$W/mixed.json" udp || t_fail "mixed.pcap udp: exit $?"
t_check "trailing BPF filter keeps only UDP" [ "$(q "$W/mixed.json" '"%s %s" % (sorted(set(f["proto"] for f in d["flows"])), d["capture"]["filter"])')" = "['udp'] udp" ]
"$TRACE" -r "$W/mixed.pcap" -c 3 -o "$W/count.json" || t_fail "-c 3: exit $?"
t_check "-c 3 stops after 3 packets" [ "$(q "$W/count.json" '"%d %s" % (d["capture"]["packets_seen"], d["capture"]["stop_reason"])')" = "3 count" ]
"$TRACE" -r "$W/mixed.pcap" --max-flows 1 -o "$W/evict.json" || t_fail "--max-flows 1: exit $?"
t_check "--max-flows 1: two evicted, all three summarised" [ "$(q "$W/evict.json" '"%d %d" % (d["capture"]["flows_evicted"], len(d["flows"]))')" = "2 3" ]

# 6. Every document validates; the schema is strict (an unknown field fails).
t_check "every document validates against docs/trace.schema.json" validate doc "$W"/*.json
"$PYTHON" - "$SCHEMA" "$W/tcp_hello.pcap.json" <<'PY' && t_ok "unknown fields rejected at every level" || t_fail "schema accepts unknown fields"
import json, sys, jsonschema
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
v = jsonschema.Draft202012Validator(schema)
for where in (doc, doc["capture"], doc["flows"][0], doc["flows"][0]["states"]["client"], doc["events"][0], doc["events"][1]):
    where["surprise"] = 1
    assert not v.is_valid(doc), where
    del where["surprise"]
assert v.is_valid(doc)
PY

# 7. --jsonl: header, events with n, flows, summary; each line valid; same events as the document.
"$TRACE" -r "$W/mixed.pcap" --jsonl >"$W/mixed.jsonl" || t_fail "--jsonl: exit $?"
"$TRACE" -r "$W/mixed.pcap" >"$W/mixed_all.json" || t_fail "mixed.pcap: exit $?"
t_check "every --jsonl line validates" validate jsonl "$W/mixed.jsonl"
kinds=$("$PYTHON" -c 'import json,sys; t=[json.loads(l)["type"] for l in open(sys.argv[1])]; print(t[0], t[-1], t.count("flow"), sum(x in ("packet","state") for x in t))' "$W/mixed.jsonl")
t_check "jsonl: header first, summary last, 3 flows, as many events as the document ($kinds)" \
	[ "$kinds" = "header summary 3 $(q "$W/mixed_all.json" 'len(d["events"])')" ]

# 8. Errors: clear message, exit 1 (2 for usage). has FILE TEXT: how many lines hold TEXT.
has() { grep -c -- "$2" "$1"; }
"$TRACE" -r "$W/missing.pcap" >/dev/null 2>"$W/err"; rc=$?
t_check "missing file: exit 1, says why" [ "$rc $(has "$W/err" "missing.pcap: No such file or directory")" = "1 1" ]
"$TRACE" -r "$W/corrupt.pcap" -o "$W/corrupt.json" 2>"$W/err"; rc=$?
t_check "corrupt file: exit 1, names the file" [ "$rc $(has "$W/err" "^hello-trace: -r .*corrupt.pcap: ")" = "1 1" ]
t_check "corrupt file: no output left" [ -z "$(ls "$W"/corrupt.json* 2>/dev/null)" ]
"$TRACE" -r "$W/tcp_hello.pcap" 'tcp port' >/dev/null 2>"$W/err"; rc=$?
t_check "bad filter: exit 1" [ "$rc $(has "$W/err" "^hello-trace: filter 'tcp port'")" = "1 1" ]
"$TRACE" -r "$W/tcp_hello.pcap" -s zero >/dev/null 2>&1; rc1=$?
"$TRACE" >/dev/null 2>&1; rc2=$?
"$TRACE" -r "$W/tcp_hello.pcap" --bogus >/dev/null 2>&1; rc3=$?
t_check "usage errors exit 2" [ "$rc1 $rc2 $rc3" = "2 2 2" ]
"$TRACE" -r "$W/tcp_hello.pcap" --drop-log 7 >/dev/null 2>"$W/err"; rc1=$?
"$TRACE" -i lo --jsonl --drop-log 7 >/dev/null 2>"$W/err2"; rc2=$?
t_check "--drop-log with -r or --jsonl: usage error (exit 2), says why" \
	[ "$rc1 $rc2 $(has "$W/err" "not with -r") $(has "$W/err2" "not with --jsonl")" = "2 2 1 1" ]
"$TRACE" -i eth9-missing >/dev/null 2>"$W/err"; rc=$?
t_check "-i on a missing interface: exit 1, No such device exists" \
	[ "$rc $(has "$W/err" "^hello-trace: -i eth9-missing: No such device exists$")" = "1 1" ]
t_check "--version" bash -c "'$TRACE' --version | grep -q '^hello-trace [0-9]'"
t_check "--help lists the options" bash -c "'$TRACE' --help | grep -q -- '--ready-file'"

t_done
