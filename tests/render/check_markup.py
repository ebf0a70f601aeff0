#!/usr/bin/env python3
# tests/render/check_markup.py: checks a rendered SVG or HTML report without a browser.
#   check_markup.py svg FILE ARROWS [CALLS]   well-formed XML, SVG root with xmlns and viewBox,
#                                             ARROWS arrows (and CALLS call boxes)
#   check_markup.py html FILE ARROWS [CALLS]  HTML tags balanced, every inline <svg> well-formed XML,
#                                             ARROWS arrows (and CALLS call boxes) in all, nothing
#                                             fetched from the network, the events JSON blocks
#                                             parse, the step mode's controls are there
# Prints "FAIL: ..." for each thing wrong and exits 1, or one "ok: ..." line and exits 0
# (the checker protocol of t_checker, tests/lib/common.sh).
import json
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "link", "br", "img", "input", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}


def arrows_in(root, kind="arrow"):
    return sum(1 for g in root.iter(SVG + "g") if kind in g.get("class", "").split())


def calls_linked(root):
    """Call boxes hold a dotted line per linked packet: (boxes with a link, links)."""
    boxes = [g for g in root.iter(SVG + "g") if "call" in g.get("class", "").split()]
    links = [ln for g in boxes for ln in g.iter(SVG + "line") if "link" in ln.get("class", "").split()]
    return sum(1 for g in boxes if any(True for _ in g.iter(SVG + "line"))), len(links)


class Balance(HTMLParser):
    """Tag balance outside <svg> (HTML rules); the SVG parts are checked as XML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.scripts, self.cur = [], [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            v = a.get(k) or ""
            if re.match(r"^(https?:)?//", v):
                self.errors.append(f"<{tag} {k}={v}> would fetch from the network")
        if tag == "script" and a.get("type") == "application/json":
            self.cur = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if tag == "script" and self.cur is not None:
            self.scripts.append("".join(self.cur))
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None:
            self.cur.append(data)


def check_svg(path, want, want_calls=None):
    text = open(path, encoding="utf-8").read()
    root = ET.fromstring(text.encode("utf-8"))
    errs = []
    if root.tag != SVG + "svg":
        errs.append(f"root element is {root.tag}, not svg")
    if not root.get("viewBox"):
        errs.append("no viewBox")
    n = arrows_in(root)
    if n != want:
        errs.append(f"{n} arrows, want {want}")
    if want_calls is not None:
        c = arrows_in(root, "call")
        if c != want_calls:
            errs.append(f"{c} call boxes, want {want_calls}")
        if want_calls and calls_linked(root)[1] == 0:
            errs.append("no call is linked to a packet by a dotted line")
    return errs


def check_html(path, want, want_calls=None):
    text = open(path, encoding="utf-8").read()
    errs = []
    if not text.startswith("<!DOCTYPE html>"):
        errs.append("no <!DOCTYPE html>")
    p = Balance()
    p.feed(text)
    p.close()
    errs += p.errors
    if p.stack:
        errs.append(f"unclosed: {p.stack}")
    n = c = 0
    for m in re.finditer(r"<svg\b.*?</svg>", text, re.S):
        try:
            root = ET.fromstring(m.group(0).encode("utf-8"))
            n += arrows_in(root)
            c += arrows_in(root, "call")
        except ET.ParseError as e:
            errs.append(f"inline SVG at offset {m.start()}: {e}")
    if n != want:
        errs.append(f"{n} arrows, want {want}")
    if want_calls is not None and c != want_calls:
        errs.append(f"{c} call boxes, want {want_calls}")
    for el in ("step-prev", "step-next", "step-note", "st-client", "st-server"):
        if f'id="{el}"' not in text:
            errs.append(f"no #{el}: the step mode is missing")
    if not p.scripts:
        errs.append("no events JSON block")
    for s in p.scripts:
        try:
            if not isinstance(json.loads(s), list):
                errs.append("an events block is not a JSON array")
        except ValueError as e:
            errs.append(f"events JSON: {e}")
    if "Content-Security-Policy" not in text:
        errs.append("no Content-Security-Policy")
    return errs


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("svg", "html"):
        print("usage: check_markup.py svg|html FILE ARROWS [CALLS]", file=sys.stderr)
        return 2
    kind, path, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
    calls = int(sys.argv[4]) if len(sys.argv) == 5 else None
    try:
        errs = (check_svg if kind == "svg" else check_html)(path, want, calls)
    except (ET.ParseError, OSError, UnicodeDecodeError) as e:
        errs = [str(e)]
    for e in errs:
        print(f"FAIL: {path}: {e}")
    if not errs:
        what = ("well-formed XML, svg root with viewBox" if kind == "svg" else
                "tags balanced, inline SVG well-formed, events JSON, step mode, CSP, nothing fetched")
        print(f"ok: {what}, {want} arrows" + ("" if calls is None else f", {calls} call boxes"))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
