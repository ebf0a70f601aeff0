#!/usr/bin/env python3
# tools/layers.py: the layering check (docs/architecture.md): which folder may include which, no include circle, no C file over 600 lines, every .c with its .h.
"""Reads the #include "DIR/file.h" lines of every C file in the source folders and fails
when a folder includes one it may not (a lower layer reaching up), when files include
each other in a circle (a module is a .c with its .h), or when a .c file grows past the
line limit. Prints one line per finding and exits 1; exits 0 with a one-line summary."""
import argparse
import os
import re
import sys

# Who may include whom. Lower layers first; a folder may always include itself.
LAYERS = {
    "core": [],
    "net": ["core"],
    "tcp": ["core", "net"],
    "udp": ["core", "net"],
    "trace": ["core"],
    "kernel": ["core", "trace"],
    "view": ["core"],
    "runner": ["core", "net"],
    "bench": ["core", "net"],
}
# A program (DIR/hello-*.c) ties its folder's library to others: hello-trace runs the
# kernel sources beside the capture and renders ladders (`hello-trace render`).
PROGRAM_EXTRA = {
    "trace": ["kernel", "view"],
}
MAX_LINES = 600
# Every .c has its own .h, except a platform's variant of a module, which implements the
# module's header (one file per platform instead of #ifdef blocks).
PLATFORM_VARIANTS = {
    "tcp/poller_epoll.c": "tcp/poller.h",
    "tcp/poller_poll.c": "tcp/poller.h",
    "bench/load_other.c": "bench/load.h",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def sources(root):
    for folder in sorted(LAYERS):
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                yield folder, f"{folder}/{name}"


def includes(root, path):
    out = []
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                out.append((n, m.group(1)))
    return out


def module(path):
    return path[:-2] if path.endswith((".c", ".h")) else path


def check_layers(root, files, problems):
    for folder, path in files:
        allowed = set(LAYERS[folder]) | {folder}
        if os.path.basename(path).startswith("hello-"):
            allowed |= set(PROGRAM_EXTRA.get(folder, []))
        for n, inc in includes(root, path):
            target = inc.split("/", 1)[0] if "/" in inc else folder
            if target in LAYERS and target not in allowed:
                problems.append(f"{path}:{n}: includes {inc}: {folder}/ may include "
                                f"{', '.join(sorted(allowed))} (docs/architecture.md)")


def check_circles(root, files, problems):
    graph = {}
    known = {module(p) for _, p in files}
    for _, path in files:
        src = module(path)
        for _, inc in includes(root, path):
            dst = module(inc)
            if dst in known and dst != src:
                graph.setdefault(src, set()).add(dst)
    # Depth-first search; each circle reported once, from its smallest member.
    seen, reported = set(), set()

    def visit(node, stack, on_stack):
        for nxt in sorted(graph.get(node, ())):
            if nxt in on_stack:
                cyc = stack[stack.index(nxt):]
                key = frozenset(cyc)
                if key not in reported:
                    reported.add(key)
                    start = cyc.index(min(cyc))
                    ring = cyc[start:] + cyc[:start] + [min(cyc)]
                    problems.append("include circle: " + " -> ".join(ring))
            elif nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
                on_stack.add(nxt)
                visit(nxt, stack, on_stack)
                on_stack.discard(nxt)
                stack.pop()

    for node in sorted(graph):
        if node not in seen:
            seen.add(node)
            visit(node, [node], {node})


def check_lengths(root, files, problems):
    for _, path in files:
        if not path.endswith(".c"):
            continue
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            n = sum(1 for _ in f)
        if n > MAX_LINES:
            problems.append(f"{path}: {n} lines, more than {MAX_LINES}: split it where it already divides")


def check_headers(root, files, problems):
    for _, path in files:
        if not path.endswith(".c") or os.path.basename(path).startswith("hello-"):
            continue
        own = PLATFORM_VARIANTS.get(path, path[:-2] + ".h")
        if not os.path.exists(os.path.join(root, own)):
            problems.append(f"{path}: no {own}: every module has its own header")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=".", help="the checkout to check (default: .)")
    args = ap.parse_args()
    files = list(sources(args.root))
    if not files:
        print(f"layers: no source folders under {args.root}", file=sys.stderr)
        return 2
    problems = []
    check_layers(args.root, files, problems)
    check_circles(args.root, files, problems)
    check_lengths(args.root, files, problems)
    check_headers(args.root, files, problems)
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} problem(s) in {len(files)} files")
        return 1
    print(f"layers: {len(files)} files in {len({f for f, _ in files})} folders: "
          f"includes follow the layers, no circle, no .c over {MAX_LINES} lines, "
          f"every .c with its .h")
    return 0


if __name__ == "__main__":
    sys.exit(main())
