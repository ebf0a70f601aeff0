#!/usr/bin/env python3
# tests/integration/events_links_check.py: checks the links between socket calls and packets in
# a lab run's trace.json (issue 9 "Done when"), for tests/integration/events_links.sh.
#   events_links_check.py SCHEMA LAB TRACE.json
# Prints one "ok: ..." or "FAIL: ..." line per check; exits 1 when one failed.
import json
import sys

import jsonschema

SENDS = ("send", "sendto")


def main():
    schema_path, lab, path = sys.argv[1:4]
    doc = json.load(open(path))
    ev = doc["events"]
    fails = []

    def check(what, cond, why=""):
        print(("ok: " if cond else "FAIL: ") + "%s: %s%s" % (lab, what, "" if cond or not why else " (" + why + ")"))
        if not cond:
            fails.append(what)

    errs = sorted(jsonschema.Draft202012Validator(json.load(open(schema_path))).iter_errors(doc), key=str)
    check("trace validates against docs/trace.schema.json", not errs,
          errs and "%s at %s" % (errs[0].message[:120], list(errs[0].absolute_path)))

    calls = {i: e for i, e in enumerate(ev) if e["type"] == "call"}
    pkts = {i: e for i, e in enumerate(ev) if e["type"] == "packet"}
    check("the programs' calls are in the trace (%d)" % len(calls), len(calls) >= 3)
    check("every event has a note", all(e.get("note") for e in ev),
          "first without: %s" % next((i for i, e in enumerate(ev) if not e.get("note")), None))

    # sides that recorded calls in each flow: their packets must say who made them
    sides = {}
    for e in calls.values():
        if "flow" in e:
            sides.setdefault(e["flow"], set()).add(e["side"])
    bad = []
    protos = {f["id"]: f["proto"] for f in doc.get("flows", [])}  # a flow's packets go without proto
    for i, p in pkts.items():
        if p.get("flow") is None or p.get("from") not in sides.get(p["flow"], ()):
            continue
        if p.get("proto", protos.get(p["flow"])) not in ("tcp", "udp"):
            continue
        fl = p.get("flags", "")
        first = not p.get("retransmission")
        caused = (p.get("len", 0) > 0 or ("S" in fl and "A" not in fl) or "F" in fl) and first
        if "origin" not in p:
            bad.append("%d has no origin" % i)
        elif p["origin"] == "app" and not p.get("calls"):
            bad.append("%d origin app without calls" % i)
        elif caused and (p["origin"] != "app" or not p.get("calls")):
            bad.append("%d (%s len %d from %s) is the program's but links no call" % (i, fl or "udp", p.get("len", 0), p["from"]))
    check("every packet the programs caused (data, SYN, FIN) is origin app and links its call", not bad, "; ".join(bad[:3]))

    # both directions agree, and each link joins the right kinds of event
    bad = []
    for i, p in pkts.items():
        for c in p.get("calls", []):
            if c not in calls or i not in calls[c].get("packets", []):
                bad.append("packet %d -> call %d not mutual" % (i, c))
    for c, e in calls.items():
        reads = e["call"].startswith("recv")
        for i in e.get("packets", []):
            p = pkts.get(i)
            if p is None:
                bad.append("call %d -> event %d is no packet" % (c, i))
            elif not reads and c not in p.get("calls", []):
                bad.append("call %d -> packet %d not mutual" % (c, i))
            elif p.get("flow") != e.get("flow"):
                bad.append("call %d -> packet %d of another flow" % (c, i))
            elif (p.get("from") == e["side"]) == reads and "icmp" not in p:
                bad.append("call %d %s %s() -> packet %d from the wrong side" % (c, e["side"], e["call"], i))
    check("links agree both ways and join a call to packets of its own flow and side", not bad, "; ".join(bad[:3]))

    # every call that sends or closes links at least one packet
    resets = {}
    for i, p in pkts.items():
        if "R" in p.get("flags", "") and "flow" in p:
            resets.setdefault(p["flow"], p["t_us"])
    bad = []
    for c, e in calls.items():
        if "flow" not in e:
            continue
        sends = e["call"] in SENDS and e["result"] > 0
        opens = e["call"] == "connect" and e["proto"] == "tcp"
        # a TCP close after a reset ended the connection has nothing left to send
        closes = e["call"] in ("close", "shutdown") and e["proto"] == "tcp" and \
            not (e["flow"] in resets and resets[e["flow"]] <= e["t_us"])
        if (sends or opens or closes) and not e.get("packets"):
            bad.append("call %d %s %s() links no packet" % (c, e["side"], e["call"]))
    kinds = sorted({e["call"] for e in calls.values() if e.get("packets")})
    check("every call that sends or closes links a packet (linked: %s)" % " ".join(kinds), not bad, "; ".join(bad[:3]))
    LAB_CHECKS.get(lab, lambda *a: None)(check, doc, calls, pkts)
    return fails


def linked(e, pkts):
    return [pkts[i] for i in e.get("packets", []) if i in pkts]


def check_handshake_close(check, doc, calls, pkts):
    """connect() sent the SYN; the side that closed first did it with the first FIN."""
    con = [e for e in calls.values() if e["call"] == "connect"]
    check("connect() links the SYN", con and all([p.get("flags") for p in linked(e, pkts)] == ["S"] for e in con))
    who = doc["flows"][0].get("closed_first")
    fins = [p for p in pkts.values() if "F" in p.get("flags", "")]
    closers = [e for e in calls.values() if e["call"] == "close" and e.get("side") == who and e.get("packets")]
    check("the %s closed first: its close() links the first FIN" % who,
          who in ("client", "server") and fins and closers and fins[0] in linked(closers[0], pkts))


def check_boundaries(check, doc, calls, pkts):
    """One recv() returned the bytes of several send() calls: TCP keeps no message boundaries."""
    best = 0
    for e in calls.values():
        if e["call"] != "recv" or e["result"] <= 0:
            continue
        sends = {c for p in linked(e, pkts) for c in p.get("calls", []) if calls.get(c, {}).get("call") == "send"}
        best = max(best, len(sends))
    check("one recv() returns the bytes of several send()s (%d)" % best, best >= 2)


def check_closed_port(check, doc, calls, pkts):
    con = [e for e in calls.values() if e["call"] == "connect"]
    check("the refused connect() (ECONNREFUSED) links its SYN", con and con[0].get("errno") == "ECONNREFUSED" and
          [p.get("flags") for p in linked(con[0], pkts)] == ["S"])
    rst = [p for p in pkts.values() if "R" in p.get("flags", "")]
    check("the RST that refused it is nobody's call (no program listens)", rst and not rst[0].get("calls"))


def check_udp(check, doc, calls, pkts):
    """Each sendto() is one datagram of its size; each recvfrom() returned one from the peer."""
    st = [e for e in calls.values() if e["call"] == "sendto" and e["result"] > 0]
    rf = [e for e in calls.values() if e["call"] == "recvfrom" and e["result"] > 0]
    check("each sendto() links its one datagram (%d)" % len(st), st and all(
        [p.get("len", 0) for p in linked(e, pkts)] == [e["bytes"]] for e in st))
    check("each recvfrom() links the datagram it returned (%d)" % len(rf), rf and all(
        [p.get("len", 0) for p in linked(e, pkts)] == [e["bytes"]] for e in rf))


def check_udp_refused(check, doc, calls, pkts):
    """A connected client's recvfrom() failed with ECONNREFUSED: it links the ICMP error, and back."""
    rf = [(c, e) for c, e in calls.items() if e["call"] == "recvfrom" and e.get("errno") == "ECONNREFUSED"]
    check("each refused recvfrom() links one ICMP port unreachable, both ways (%d)" % len(rf), rf and all(
        [p.get("icmp", {}).get("code") for p in linked(e, pkts)] == [3] and
        all(c in p.get("calls", []) and p.get("origin") == "kernel" for p in linked(e, pkts)) for c, e in rf))


LAB_CHECKS = {"tcp-hello": check_handshake_close, "tcp-teardown": check_handshake_close,
              "client-closes-first": check_handshake_close, "message-boundaries": check_boundaries,
              "closed-port": check_closed_port, "udp-hello": check_udp,
              "udp-closed-port": check_udp_refused}


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
