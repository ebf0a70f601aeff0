#!/usr/bin/env python3
# tools/doclinks.py: every lab sheet (labs/*/README.md) names the docs that explain what it asks,
# and every link it holds leads somewhere: the file exists and its #anchor is one of that file's
# headings (GitHub's slugs). A docs/X.md named in plain text must exist too.
#   python3 tools/doclinks.py [ROOT]      ok:/FAIL: lines (t_checker); exit 1 on a failure
import glob
import os
import re
import sys


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def anchors(path):
    out, fence = set(), False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            out.add(slug(m.group(1)))
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = 0
    sheets = sorted(glob.glob(os.path.join(root, "labs", "*", "README.md")))
    for sheet in sheets:
        lab = os.path.basename(os.path.dirname(sheet))
        text = open(sheet, encoding="utf-8").read()
        links = re.findall(r"\]\(([^)\s]+)\)", text)
        named = set(re.findall(r"\bdocs/[\w.-]+\.md\b", text))
        problems = []
        if not any(".md" in ln and "docs/" in ln for ln in links):
            problems.append("links to no doc under docs/")
        for ln in links:
            if re.match(r"^[a-z]+:", ln):
                problems.append("links off the tree: " + ln)
                continue
            path, _, anchor = ln.partition("#")
            target = os.path.normpath(os.path.join(os.path.dirname(sheet), path)) if path else sheet
            if not os.path.isfile(target):
                problems.append("no such file: " + ln)
            elif anchor and target.endswith(".md") and anchor not in anchors(target):
                problems.append("no heading #%s in %s" % (anchor, path or "itself"))
        for doc in named:
            if not os.path.isfile(os.path.join(root, doc)):
                problems.append("names a doc that does not exist: " + doc)
        if problems:
            bad += 1
            for p in problems:
                print("FAIL: %s: %s" % (lab, p))
        else:
            print("ok: %s: %d link(s), each to a doc and heading that exist" % (lab, len(links)))
    if not sheets:
        print("FAIL: no lab sheets under %s/labs" % root)
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
