#!/usr/bin/env python3
# tests/render/check_compare.py: the terminal's comparison and the compare page say the same.
#   check_compare.py TEXT HTML [--rows N]
# TEXT is what `hello-lab compare` (or `hello-trace render --compare -f text`) printed, HTML
# the compare page of the same two traces. Every figure of the page's table must be in the
# text under the same label with the same two values, the column heads must name the same
# traces, each bar's value must be its row's, and the table must hold at least N rows (a
# table that lost its rows would agree with anything). Prints ok:/FAIL: lines (t_checker).
import re
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    """The figures table (rows: metric, label, cells) and the chart's bar texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.heads, self.bars = [], [], []
        self.in_table = self.in_svg = False
        self.cell = None
        self.row = None
        self.svg_text = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "figures" in a.get("class", ""):
            self.in_table = True
        elif tag == "svg" and self.in_table is False and not self.rows:
            self.in_svg = True
        elif self.in_table and tag == "tr":
            self.row = {"metric": a.get("data-metric"), "cells": []}
        elif self.in_table and tag in ("th", "td"):
            self.cell = ""
        elif self.in_svg and tag == "text":
            self.svg_text = (a.get("class", ""), "")

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.svg_text is not None:
            self.svg_text = (self.svg_text[0], self.svg_text[1] + data)

    def handle_endtag(self, tag):
        if self.in_table and tag in ("th", "td") and self.cell is not None:
            self.row["cells"].append(self.cell.strip())
            self.cell = None
        elif self.in_table and tag == "tr" and self.row:
            if self.row["metric"]:
                self.rows.append(self.row)
            else:
                self.heads = self.row["cells"][1:]
            self.row = None
        elif tag == "table":
            self.in_table = False
        elif tag == "svg" and self.in_svg:
            self.in_svg = False
        elif tag == "text" and self.svg_text is not None:
            self.bars.append(self.svg_text)
            self.svg_text = None


def main():
    text_path, html_path = sys.argv[1], sys.argv[2]
    want = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 10
    lines = open(text_path, encoding="utf-8").read().split("\n")
    page = Page()
    page.feed(open(html_path, encoding="utf-8").read())
    bad = 0

    def fail(msg):
        nonlocal bad
        bad += 1
        print("FAIL: " + msg)

    if len(page.rows) < want:
        fail("the page's table holds %d figures, fewer than %d" % (len(page.rows), want))
    # the column heads: the text's first line holds both names, right-aligned
    if len(page.heads) != 2 or not lines or not all(h and h in lines[0] for h in page.heads):
        fail("column heads: page %r, text %r" % (page.heads, lines[0] if lines else None))
    values = {}
    for r in page.rows:
        label, cells = r["cells"][0], r["cells"][1:]
        values[label] = cells
        pat = re.compile(r"^ +" + re.escape(label) + r" +(\S.*?) {2,}(\S.*?)$")
        hits = [m for m in map(pat.match, lines) if m]
        got = [(m.group(1).strip(), m.group(2).strip()) for m in hits]
        if len(hits) != 1:
            fail("%s (%s): %d line(s) of the text carry that label" % (label, r["metric"], len(hits)))
        elif list(got[0]) != cells:
            fail("%s: text says %s, page says %s" % (label, list(got[0]), cells))
    # each bar: its label (class m), then the two values (class v) as in the table
    cur = None
    nbars = 0
    for cls, txt in page.bars:
        if cls == "m":
            cur, k = txt, 0
            nbars += 1
            if cur not in values:
                fail("bar %r is no row of the table" % cur)
        elif cls == "v" and cur in values:
            if k < 2 and txt != values[cur][k]:
                fail("bar %r: %r, its row says %r" % (cur, txt, values[cur][k]))
            k += 1
    if nbars == 0:
        fail("the page draws no bars")
    if not bad:
        print("ok: %d figures and %d bars agree with the terminal" % (len(page.rows), nbars))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
