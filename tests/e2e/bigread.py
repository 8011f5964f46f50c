#!/usr/bin/env python3
"""bigread.py - read the wallboard's large numbers off a screen dump.

    e2e_screen | python3 bigread.py FAILED LATE 'NEXT FILE'

prints one LABEL=VALUE line per label ("?" when it cannot be read).  A tile
is its label, then rows of block characters below it, spanning the columns
from the label to the next tile's label on that row.  The fonts here are
written out independently of src/core/bigdigits.c, so a glyph drawn wrong there
does not read back as the right digit.  Glyphs are told apart by blank
columns, and the pixel size is worked out from the height of the block and
the width of each glyph.
"""
import sys

INK = "\u2588"

FONT5X7 = {
    "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ":": [".", ".", "#", ".", "#", ".", "."],
    ".": [".", ".", ".", ".", ".", ".", "#"],
    "%": ["##..#", "##..#", "...#.", "..#..", ".#...", "#..##", "#..##"],
    "-": ["....", "....", "....", "####", "....", "....", "...."],
}
FONT3X5 = {
    "0": ["###", "#.#", "#.#", "#.#", "###"],
    "1": [".#.", "##.", ".#.", ".#.", "###"],
    "2": ["###", "..#", "###", "#..", "###"],
    "3": ["###", "..#", "###", "..#", "###"],
    "4": ["#.#", "#.#", "###", "..#", "..#"],
    "5": ["###", "#..", "###", "..#", "###"],
    "6": ["###", "#..", "###", "#.#", "###"],
    "7": ["###", "..#", "..#", "..#", "..#"],
    "8": ["###", "#.#", "###", "#.#", "###"],
    "9": ["###", "#.#", "###", "..#", "###"],
    ":": [".", "#", ".", "#", "."],
    ".": [".", ".", ".", ".", "#"],
    "%": ["#.#", "..#", ".#.", "#..", "#.#"],
    "-": ["...", "...", "###", "...", "..."],
}


def trim(rows):
    """Drop the blank columns on both sides of a glyph."""
    width = len(rows[0])
    inked = [c for c in range(width) if any(r[c] == "#" for r in rows)]
    if not inked:
        return rows
    return [r[inked[0]:inked[-1] + 1] for r in rows]


def glyph_runs(block):
    """Column ranges of ink separated by blank columns."""
    width = max(len(r) for r in block)
    inked = [any(c < len(r) and r[c] == INK for r in block) for c in range(width)]
    runs, start = [], None
    for c, ink in enumerate(inked + [False]):
        if ink and start is None:
            start = c
        elif not ink and start is not None:
            runs.append((start, c))
            start = None
    return runs


def read_glyph(block, lo, hi, font, height, sy):
    width = hi - lo
    for ch, rows in font.items():
        t = trim(rows)
        tw = len(t[0])
        if width % tw:
            continue
        sx = width // tw
        got = []
        for r in range(height):
            line = block[r * sy]
            got.append("".join("#" if lo + c < len(line) and line[lo + c] == INK else "."
                               for c in range(0, width, sx)))
        if got == t:
            return ch
    return None


def read_block(block):
    h = len(block)
    for font, fh in ((FONT5X7, 7), (FONT3X5, 5)):
        if h % fh:
            continue
        sy = h // fh
        text = ""
        for lo, hi in glyph_runs(block):
            ch = read_glyph(block, lo, hi, font, fh, sy)
            if ch is None:
                break
            text += ch
        else:
            if text:
                return text
    return None


def tile_end(line, start):
    """Where the next tile's label starts (after two spaces, on this row);
    None for the last tile of its row."""
    p = start
    while p < len(line):
        if line[p] != " " and line[p - 2:p] == "  ":
            return p
        p += 1
    return None


def read_tile(lines, label):
    for i, line in enumerate(lines):
        col = line.find(label)
        if col < 0:
            continue
        end = tile_end(line, col + len(label))
        rows = []
        for below in lines[i + 1:]:
            part = below[col:end]
            if INK not in part:
                break
            rows.append(part)
        if not rows:
            # The one-line style: the value is plain text under the label.
            if i + 1 < len(lines):
                return lines[i + 1][col:end].strip() or None
            return None
        return read_block(rows)
    return None


def main():
    lines = sys.stdin.read().split("\n")
    for label in sys.argv[1:]:
        value = read_tile(lines, label)
        print("%s=%s" % (label, value if value is not None else "?"))


if __name__ == "__main__":
    main()
