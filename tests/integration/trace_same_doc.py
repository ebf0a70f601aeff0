#!/usr/bin/env python3
"""tests/integration/trace_same_doc.py STREAMED KEPT: a document written as the capture went
holds what the one kept whole in memory holds (docs/trace-format.md, "Memory"): the same
events in the same order, the same flows (by id), the same capture, endpoints from the
flows' ends (at most 1024). Prints ok:/FAIL: lines for t_checker."""
import json
import sys


def out(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)


def main():
    s, k = (json.load(open(p)) for p in sys.argv[1:3])
    out(set(s) == set(k), "the same top-level members (%s)" % ", ".join(sorted(s)))
    se, ke = s.get("events", []), k.get("events", [])
    diff = next((i for i, (a, b) in enumerate(zip(se, ke)) if a != b), None)
    out(len(se) == len(ke) and diff is None,
        "the same %d events, in order%s" % (len(ke), "" if diff is None else " (first difference at %d)" % diff))
    sf, kf = ({f["id"]: f for f in d.get("flows", [])} for d in (s, k))
    bad = [i for i in kf if sf.get(i) != kf[i]]
    out(len(sf) == len(kf) and not bad,
        "the same %d flows%s" % (len(kf), " (first difference: flow %d)" % bad[0] if bad else ""))
    out(s.get("capture") == k.get("capture"), "the same capture")
    ends = {(f[r]["addr"], f[r]["port"], r) for f in kf.values() for r in ("client", "server")}
    eps = [(e["addr"], e["port"], e["role"]) for e in s.get("endpoints", [])]
    out(len(eps) == len(set(eps)) == min(1024, len(ends)) and set(eps) <= ends,
        "endpoints: %d distinct flow ends of %d" % (len(eps), len(ends)))


main()
