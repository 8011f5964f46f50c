#!/usr/bin/env python3
"""bigapart.py - do the wallboard's large numbers stand apart?

    e2e_screen | python3 bigapart.py

For each row of tiles (a line of labels followed by rows of block
characters), finds the inked columns of every tile (from its label to the
next label), and prints "ok GAP INNER" when the blank columns between two
neighbouring tiles' ink (GAP, the smallest) are at least 4 and more than
the widest blank run inside any one number (INNER: between its glyphs,
with their paper), so that no two numbers read as one; else "touching GAP
INNER".
"""
import re
import sys

INK = "\u2588"
LABELS = ["FAILED", "LATE", "AT RISK", "RUNNING", "CLOSED", "SUCCESS SO FAR",
          "NEXT FILE"]


def label_starts(line):
    starts = []
    for name in LABELS:
        for m in re.finditer(re.escape(name), line):
            # a tile label starts the line or follows two spaces
            if m.start() == 0 or line[max(0, m.start() - 2):m.start()] == "  ":
                starts.append(m.start())
    return sorted(set(starts))


def main():
    lines = sys.stdin.read().split("\n")
    gap_min, inner_max, found = None, 0, False
    i = 0
    while i < len(lines):
        starts = label_starts(lines[i])
        if len(starts) < 2 or INK in lines[i]:
            i += 1
            continue
        block = []
        j = i + 1
        while j < len(lines) and INK in lines[j]:
            block.append(lines[j])
            j += 1
        if not block:
            i += 1
            continue
        found = True
        width = max(len(r) for r in block)
        inked = [any(c < len(r) and r[c] == INK for r in block)
                 for c in range(width)]
        spans = []
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else width
            cols = [c for c in range(s, min(e, width)) if inked[c]]
            if cols:
                spans.append((cols[0], cols[-1]))
        for a, b in zip(spans, spans[1:]):
            g = b[0] - a[1] - 1
            gap_min = g if gap_min is None else min(gap_min, g)
        for lo, hi in spans:
            run = 0
            for c in range(lo, hi + 1):
                run = 0 if inked[c] else run + 1
                inner_max = max(inner_max, run)
        i = j
    if not found or gap_min is None:
        print("no tiles")
    elif gap_min >= 4 and gap_min > inner_max:
        print("ok %d %d" % (gap_min, inner_max))
    else:
        print("touching %d %d" % (gap_min, inner_max))


main()
