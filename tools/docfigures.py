#!/usr/bin/env python3
"""tools/docfigures.py: the figures of docs/ are what a script printed from a committed saved output.

A figure block in a Markdown file is a line `<!-- figures: COMMAND -->` right before a fenced
block (```): COMMAND, run from the repository root, prints the block's text from a saved
output (bench/results.json, bench/evbench.json). The prose around it holds no measured figure.

  docfigures.py --check [FILE...]   one "ok: ..." or "FAIL: ..." line per block (the checker
                                    protocol of tests/lib/common.sh); exit 1 when one differs
  docfigures.py --write [FILE...]   rewrites every block with its command's output
Without FILE: README.md and docs/*.md. `python3` in COMMAND is this interpreter.
"""
import difflib
import glob
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARK = re.compile(r"^<!-- figures: (.+?) -->\n```[a-z]*\n", re.M)


def run(command):
    argv = shlex.split(command)
    if argv[0] == "python3":
        argv[0] = sys.executable
    r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (command, r.returncode, r.stderr.strip()[-300:].replace("\n", " | ")))
    return r.stdout if r.stdout.endswith("\n") else r.stdout + "\n"


def blocks(text):
    """(command, start, end) of each block's body: text[start:end] is what COMMAND printed."""
    for m in MARK.finditer(text):
        end = text.find("```\n", m.end())
        if end < 0:
            raise RuntimeError("the block after '%s' is not closed" % m.group(1))
        yield m.group(1), m.end(), end


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("--check", "--write"):
        sys.exit(__doc__)
    write = sys.argv[1] == "--write"
    files = sys.argv[2:] or ["README.md"] + sorted(glob.glob("docs/*.md", root_dir=ROOT))
    bad = 0
    for name in files:
        path = os.path.join(ROOT, name)
        text = open(path, encoding="utf-8").read()
        out, last = [], 0
        for command, start, end in blocks(text):
            try:
                want = run(command)
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                print("FAIL: %s: %s" % (name, e))
                bad += 1
                continue
            got = text[start:end]
            if write:
                out += [text[last:start], want]
                last = end
            elif got == want:
                print("ok: %s: the block of '%s' is what it prints" % (name, command))
            else:
                bad += 1
                print("FAIL: %s: the block of '%s' differs from what it prints (make docs-figures):" % (name, command))
                for line in list(difflib.unified_diff(got.splitlines(), want.splitlines(), "doc", "now", lineterm=""))[:40]:
                    print("note: %s" % line)
        if write and out:
            out.append(text[last:])
            with open(path + ".tmp", "w", encoding="utf-8") as f:
                f.write("".join(out))
            os.replace(path + ".tmp", path)
            print("wrote the figure blocks of %s" % name)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
