#!/usr/bin/env python3
# tests/integration/ladder_kernel_check.py: a text ladder's `*` tells the truth about when.
#   ladder_kernel_check.py TRACE.json LADDER.txt   one pair
#   ladder_kernel_check.py DIR...                  DIR/trace.json and DIR/ladder.txt (a lab run)
# Every state marked `*` (and every `hand-off*`) stands on a line whose time is within 1 ms
# (view/ladder_mark.h, VIEW_LADDER_THEN_US) of a kernel report of that state, that side and
# that flow in the trace; every tracepoint hand-off of a flow is drawn once, as `hand-off*`.
# One "ok: ..." or "FAIL: ..." line per ladder (the checker protocol of tests/lib/common.sh).
import json
import os
import re
import sys

THEN_MS = 1.0 + 0.0005		# 1 ms, and the rounding of a time printed to the microsecond
TIME = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s")
FLOW = re.compile(r"^flow (\d+) ")


def marks(ladder):
    """(flow, side, state, time in ms, line) of every `*` mark of the ladder."""
    flow = None
    for line in ladder.splitlines():
        m = FLOW.match(line)
        if m:
            flow = int(m.group(1))
            continue
        t = TIME.match(line)
        parts = line.split("│")
        if not t or flow is None or len(parts) != 3:
            continue	# not a row with both lifelines plain (a call's tee, a phase, a title)
        left = parts[0][t.end():].split()
        right = parts[2].split()
        for side, words in (("client", left[-1:]), ("server", right[:1])):
            if words and words[0].endswith("*"):
                yield flow, side, words[0][:-1], float(t.group(1)), line


def check(trace_path, ladder_path):
    trace = json.load(open(trace_path))
    ladder = open(ladder_path, encoding="utf-8").read()
    kernel = [e for e in trace.get("events", [])
              if e.get("type") == "state" and e.get("source") == "kernel" and "flow" in e]
    bad, n = [], 0
    handoffs_drawn = {}
    for flow, side, state, t, line in marks(ladder):
        n += 1
        if state == "hand-off":
            handoffs_drawn[(flow, side)] = handoffs_drawn.get((flow, side), 0) + 1
        near = [e for e in kernel if e["flow"] == flow and e.get("side") == side and
                bool(e.get("handoff")) == (state == "hand-off") and
                (state == "hand-off" or e.get("to") == state) and abs(e["t_us"] / 1000.0 - t) <= THEN_MS]
        if not near:
            bad.append("flow %d %s %s* at %.3f ms: no kernel report of it within 1 ms (%s)" %
                       (flow, side, state, t, line.strip()))
    for e in kernel:
        if e.get("handoff") and handoffs_drawn.get((e["flow"], e.get("side")), 0) != 1:
            bad.append("flow %d %s: the hand-off at %.3f ms is drawn %d times, want once" %
                       (e["flow"], e.get("side"), e["t_us"] / 1000.0, handoffs_drawn.get((e["flow"], e.get("side")), 0)))
    name = os.path.basename(os.path.dirname(os.path.abspath(ladder_path)))
    for b in bad:
        print("FAIL: %s: %s" % (name, b))
    if not bad:
        print("ok: %s: %d kernel marks, each within 1 ms of the kernel's report; %d hand-offs drawn" %
              (name, n, sum(handoffs_drawn.values())))
    return not bad


def main(args):
    if len(args) == 2 and args[0].endswith(".json"):
        pairs = [(args[0], args[1])]
    else:
        pairs = [(os.path.join(d, "trace.json"), os.path.join(d, "ladder.txt")) for d in args]
    if not pairs:
        sys.exit("usage: ladder_kernel_check.py TRACE.json LADDER.txt | DIR...")
    ok = True
    for trace, ladder in pairs:
        ok &= check(trace, ladder)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
