#!/usr/bin/env python3
"""tools/corpus_check.py: judges the runs tools/corpus.sh made (one manifest row per run).

usage: corpus_check.py SCHEMA MANIFEST
A row: name, capture, mode (doc|jsonl|render-FORMAT), exit status, stderr file, output
file, and the packets `tcpdump --count` read from the capture (-1: tcpdump could not open
it). Prints one line per row and a summary; exits 1 when any row failed.
"""
import collections
import json
import sys

import jsonschema

SANITIZER = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "MemorySanitizer")
PARTIAL = ("truncated", "read_error")


def load(path, mode):
    """The capture object and the packet events of a document or a JSON lines file."""
    if mode == "doc":
        d = json.load(open(path))
        return [d], d["capture"], sum(e.get("type") == "packet" for e in d["events"])
    lines = [json.loads(t) for t in open(path)]
    return lines, lines[-1].get("capture", {}), sum(o.get("type") == "packet" for o in lines)


def judge(row, doc_v, line_v):
    """Returns (fine, what): what the run did, or why it failed."""
    name, cap, mode, rc, errf, out, td = row
    rc, td = int(rc), int(td) if td != "-" else -1
    err = open(errf, errors="replace").read()
    bad = [s for s in SANITIZER if s in err]
    if bad:
        return False, f"sanitizer report ({bad[0]}): {err.strip().splitlines()[0][:200]}"
    if mode.startswith("render-"):
        return rc == 0, f"drawn (exit {rc})" + ("" if rc == 0 else f": {err.strip()[:200]}")
    if rc == 1:
        if td >= 0:
            return False, f"exit 1, but tcpdump reads {td} packets: {err.strip()[:200]}"
        if not err.startswith("hello-trace: -r "):
            return False, f"exit 1 without a clear error: {err.strip()[:200]}"
        return True, "exit 1, unreadable (tcpdump cannot open it either): " + err.strip().splitlines()[0][:120]
    if rc not in (0, 3):
        return False, f"exit {rc}" + (" (killed: crash or timeout)" if rc >= 124 else "") + f": {err.strip()[:200]}"
    try:
        objs, capture, packets = load(out, mode)
    except (OSError, ValueError, IndexError) as e:
        return False, f"exit {rc} but no readable JSON: {e}"
    v = doc_v if mode == "doc" else line_v
    step = max(1, len(objs) // 2000)	# long JSON lines: validate a sample
    for i, o in enumerate(objs):
        if i % step and i != len(objs) - 1:
            continue
        e = next(v.iter_errors(o), None)
        if e:
            return False, f"schema: {e.message[:160]} at {'/'.join(map(str, e.absolute_path))}"
    seen, reason = capture.get("packets_seen"), capture.get("stop_reason")
    if seen != td or packets != td:
        return False, f"packets_seen {seen}, {packets} packet events; tcpdump --count {td}"
    if (rc == 3) != (reason in PARTIAL):
        return False, f"exit {rc} with stop_reason {reason}"
    if rc == 3 and "hello-trace: warning: -r " not in err:
        return False, "exit 3 without its warning"
    return True, f"exit {rc}, {seen} packets, {capture.get('linktype')}, {reason}"


def main():
    schema = json.load(open(sys.argv[1]))
    doc_v = jsonschema.Draft202012Validator(schema)
    line_v = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/jsonl_line"})
    count, failed = collections.Counter(), 0
    for text in open(sys.argv[2]):
        row = text.rstrip("\n").split("\t")
        fine, what = judge(row, doc_v, line_v)
        print(f"{'ok  ' if fine else 'FAIL'} {row[0]} {row[2]}: {what}")
        count["exit " + row[3]] += 1
        failed += not fine
    total = sum(count.values())
    print(f"summary: {total} runs, {total - failed} ok, {failed} failed; " +
          ", ".join(f"{k}: {v}" for k, v in sorted(count.items())))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
