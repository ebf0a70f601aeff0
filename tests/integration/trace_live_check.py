# tests/integration/trace_live_check.py: checks a live hello-exchange trace.json (and its offline replay); prints "ok: ..." / "FAIL: ..." lines (t_checker in tests/lib/common.sh).
import json
import sys


def out(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)


def load(path):
    with open(path) as f:
        return json.load(f)


def the_flow(doc, port):
    flows = [f for f in doc.get("flows", []) if f.get("proto") == "tcp" and f["server"]["port"] == port]
    return flows[0] if len(flows) == 1 else None


def packets(doc, fid):
    return [e for e in doc["events"] if e["type"] == "packet" and e.get("flow") == fid]


def states(doc, fid, source):
    return [e for e in doc["events"] if e["type"] == "state" and e.get("flow") == fid and e.get("source", "inferred") == source]


def check_exchange(doc, port):
    """The hello exchange seen on the wire, and the inferred states."""
    flow = the_flow(doc, port)
    out(flow is not None, "exactly one TCP flow to port %d" % port)
    if flow is None:
        return None
    fid = flow["id"]
    pk = packets(doc, fid)
    hs = [(p["from"], p["flags"]) for p in pk[:3]]
    out(hs == [("client", "S"), ("server", "SA"), ("client", "A")], "three-way handshake S, SA, A (%s)" % hs)
    data = [(p["from"], p.get("preview", "")) for p in pk if p.get("len", 0) > 0]
    want = [("server", "hello!")]
    for name in ("Michael", "Tracy", "Sarah"):
        want += [("client", name), ("server", "Hello, %s!" % name)]
    want += [("client", "exit")]
    out(data == want, "greeting, three request/reply pairs, exit (%s)" % data)
    fins = [p["from"] for p in pk if "F" in p["flags"]]
    out(fins[:1] == ["server"], "the server's FIN comes first (%s)" % fins)
    out(flow.get("closed_first") == "server", "closed_first is server (%s)" % flow.get("closed_first"))
    h = flow.get("history", "")
    out(h.startswith("ShA") and "f" in h and "F" in h and h.index("f") < h.index("F"),
        "history %s: Sh..., server FIN (f) before client FIN (F)" % h)
    out(flow.get("conn_state") == "SF", "conn_state SF (%s)" % flow.get("conn_state"))
    st = flow.get("states", {})
    out(st.get("server", {}).get("final") == "TIME_WAIT", "server's inferred final state TIME_WAIT")
    out(st.get("client", {}).get("final") == "CLOSED", "client's inferred final state CLOSED")
    t = [e["t_us"] for e in doc["events"]]
    out(t == sorted(t), "events are time-ordered")
    return flow


def check_kernel(doc, port):
    """The kernel's view: TIME_WAIT of the server from sock_diag (or the tracepoint's hand-off)."""
    flow = the_flow(doc, port)
    if flow is None:
        return
    src = doc["capture"].get("state_sources", {})
    tp, sd = src.get("tracepoint", False), src.get("sock_diag", False)
    if not tp and not sd:
        # A root suite in its own namespace always has sock_diag: none at all is a fault.
        out(False, "a kernel state source, tracepoint or sock_diag (none: %s)" % src.get("notes"))
        return
    ks = states(doc, flow["id"], "kernel")
    out(all(e.get("via") in ("tracepoint", "sock_diag") for e in ks) and len(ks) > 0,
        "kernel state events carry via (%d events)" % len(ks))
    if sd:
        tw = [e for e in ks if e["side"] == "server" and e["to"] == "TIME_WAIT" and e["via"] == "sock_diag"]
        out(len(tw) >= 1 and 0 < tw[0].get("timer_ms", 0) <= 60000,
            "sock_diag: the server's socket in TIME_WAIT with its timer (%s)" % tw[:1])
        out(not [e for e in ks if e["side"] == "client" and e["to"] == "TIME_WAIT"],
            "sock_diag: no TIME_WAIT on the client side")
        tw_obj = flow.get("time_wait", {})
        out(tw_obj.get("side") == "server" and tw_obj.get("source") == "kernel"
            and 0 < tw_obj.get("timer_ms", 0) <= 60000,
            "flow time_wait: server, source kernel, kernel timer (%s)" % tw_obj)
        out(flow.get("states", {}).get("server", {}).get("kernel_final") == "TIME_WAIT",
            "server's kernel_final TIME_WAIT")
        ph = [p for p in flow.get("phases", []) if p["name"] == "time_wait"]
        out(len(ph) == 1 and ph[0]["start_us"] == tw_obj.get("start_us")
            and tw_obj.get("start_us", 0) <= tw_obj.get("kernel_seen_us", -1),
            "time_wait starts with its phase, before the kernel showed it (%s, phase %s)"
            % (tw_obj, ph[:1]))
    if tp:
        tpe = [e for e in ks if e["via"] == "tracepoint"]
        seq = [(e["side"], e["from"], e["to"]) for e in tpe]
        out(("client", "SYN_SENT", "ESTABLISHED") in seq and ("server", "SYN_RECEIVED", "ESTABLISHED") in seq,
            "tracepoint: both sides' ESTABLISHED (%s)" % seq)
        out(("server", "ESTABLISHED", "FIN_WAIT_1") in seq and ("client", "CLOSE_WAIT", "LAST_ACK") in seq,
            "tracepoint: server FIN_WAIT_1, client LAST_ACK")
        ho = [e for e in tpe if e["side"] == "server" and e["from"] == "FIN_WAIT_2" and e["to"] == "CLOSED"]
        out(len(ho) == 1 and ho[0].get("handoff") is True, "tracepoint: server FIN_WAIT_2 -> CLOSED marked handoff")
        out(not [e for e in tpe if e.get("handoff") and e["side"] == "client"], "no hand-off on the client side")
    out(not flow.get("disagreements"), "no disagreement between inferred and kernel (%s)" % flow.get("disagreements"))


def origin(doc):
    """The first packet's t_us: kernel events may come before it (the listener's LISTEN)."""
    return min([e["t_us"] for e in doc["events"] if e["type"] == "packet"] or [0])


def shift(d, dt, keys):
    return {k: (v - dt if k in keys and isinstance(v, int) else v) for k, v in d.items()}


def strip_flow(f, dt):
    keep = ("proto", "client", "server", "isn", "options", "history", "conn_state", "closed_first",
            "close_kind", "packets", "ip_bytes", "frame_bytes", "payload_bytes", "retransmissions", "dup_acks",
            "zero_windows", "first_us", "last_us")
    d = shift({k: f.get(k) for k in keep}, dt, ("first_us", "last_us"))
    d["states"] = {side: v.get("final") for side, v in f.get("states", {}).items()}
    d["phases"] = [p["name"] for p in f.get("phases", [])]
    return d


def strip_event(e, dt):
    return shift({k: v for k, v in e.items() if k not in ("cause",)}, dt, ("t_us",))


def check_offline(live, off):
    """hello-trace -r on the live pcap: the same flows, history, packets and inferred states."""
    out(off["capture"]["source"] == "file", "offline capture.source is file")
    dl, do = origin(live), origin(off)
    lf = [strip_flow(f, dl) for f in live["flows"]]
    of = [strip_flow(f, do) for f in off["flows"]]
    out(lf == of, "offline flows equal the live ones" + ("" if lf == of else " (%s vs %s)" % (lf, of)))
    lp = [strip_event(e, dl) for e in live["events"] if e["type"] == "packet"]
    op = [strip_event(e, do) for e in off["events"] if e["type"] == "packet"]
    out(lp == op, "offline packet events equal the live ones (%d vs %d)%s" % (
        len(lp), len(op), "" if lp == op else " first difference: %s" % next(
            ((a, b) for a, b in zip(lp, op) if a != b), None)))
    li = [strip_event(e, dl) for e in live["events"] if e["type"] == "state" and e.get("source", "inferred") == "inferred"]
    oi = [strip_event(e, do) for e in off["events"] if e["type"] == "state" and e.get("source", "inferred") == "inferred"]
    out(li == oi, "offline inferred states equal the live ones (%d vs %d)%s" % (
        len(li), len(oi), "" if li == oi else " first difference: %s" % next(
            ((a, b) for a, b in zip(li, oi) if a != b), None)))
    out(not [e for e in off["events"] if e.get("source") == "kernel"], "offline has no kernel events")


def check_schema(schema_path, paths):
    try:
        import jsonschema
    except ImportError:
        print("FAIL: python jsonschema missing (%s)" % sys.executable)
        return
    with open(schema_path) as f:
        schema = json.load(f)
    v = jsonschema.Draft202012Validator(schema)
    for p in paths:
        errs = sorted(v.iter_errors(load(p)), key=lambda e: list(e.path))
        out(not errs, "%s validates against the schema%s" % (p.split("/")[-1],
                                                             "" if not errs else ": " + "; ".join(
                                                                 "%s: %s" % (list(e.path), e.message) for e in errs[:3])))


def check_sides(doc, port, expected):
    """Per flow to port, in order: who holds TIME_WAIT (expected: server, client or * for
    the FIN race); the kernel (sock_diag) and the inference agree on it."""
    flows = [f for f in doc["flows"] if f.get("proto") == "tcp" and f["server"]["port"] == port]
    out(len(flows) == len(expected), "%d TCP flows to port %d (%d)" % (len(expected), port, len(flows)))
    for f, want in zip(flows, expected):
        fid, fam = f["id"], "v6" if ":" in f["client"]["addr"] else "v4"
        inf = sorted(side for side, v in f.get("states", {}).items() if v.get("final") == "TIME_WAIT")
        ks = states(doc, fid, "kernel")
        ktw = sorted({e["side"] for e in ks if e["to"] == "TIME_WAIT" and e["via"] == "sock_diag"})
        what = "flow %d (%s, closed_first %s)" % (fid, fam, f.get("closed_first"))
        if want != "*":
            out(inf == [want], "%s: inferred TIME_WAIT on the %s (%s)" % (what, want, inf))
        out(inf and ktw == inf, "%s: sock_diag's TIME_WAIT sides equal the inferred ones (%s / %s)" % (what, ktw, inf))
        ho = sorted({e["side"] for e in ks if e.get("handoff")})
        out(set(ho) <= set(inf), "%s: tracepoint hand-offs only where TIME_WAIT is (%s)" % (what, ho))
        out(not f.get("disagreements"), "%s: no disagreement (%s)" % (what, f.get("disagreements")))


def main():
    cmd = sys.argv[1]
    if cmd == "live":
        doc = load(sys.argv[2])
        port = int(sys.argv[3])
        c = doc["capture"]
        out(c.get("source") == "live" and c.get("interface") == sys.argv[4], "capture is live on %s" % sys.argv[4])
        if check_exchange(doc, port):
            check_kernel(doc, port)
    elif cmd == "offline":
        live, off = load(sys.argv[2]), load(sys.argv[3])
        check_exchange(off, int(sys.argv[4]))
        check_offline(live, off)
    elif cmd == "sides":
        check_sides(load(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
    elif cmd == "schema":
        check_schema(sys.argv[2], sys.argv[3:])
    elif cmd == "field":
        # field FILE a.b.c: prints a value (for the shell)
        v = load(sys.argv[2])
        for k in sys.argv[3].split("."):
            v = v[int(k)] if isinstance(v, list) else v.get(k)
            if v is None:
                break
        print(json.dumps(v))
    else:
        raise SystemExit("usage: trace_live_check.py live|offline|schema|field ...")


main()
