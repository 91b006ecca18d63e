#!/usr/bin/env python3
"""pngstat.py FILE [RRGGBB ...]: what a screenshot shows, for render.bats.

Prints one line: the width, the height, the number of distinct colours,
the number of pixels that are not white, and then for each RRGGBB given
the number of pixels of exactly that colour.  Reads 8-bit RGB and RGBA
PNGs without interlacing (what Chromium writes) with the standard
library only; anything else is an error (exit 1).
"""
import struct
import sys
import zlib


def pixels(path):
    """The width, height and the rows of (r, g, b) bytes of the PNG PATH."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"pngstat: '{path}' is not a PNG")
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit(f"pngstat: '{path}': depth {depth}, colour type {ctype}, "
                 f"interlace {interlace} not read")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ftype == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 255
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        elif ftype != 0:
            sys.exit(f"pngstat: '{path}': bad filter {ftype} in row {y}")
        rows.append([bytes(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: pngstat.py FILE [RRGGBB ...]")
    w, h, rows = pixels(sys.argv[1])
    want = [bytes.fromhex(c) for c in sys.argv[2:]]
    counts = {}
    for row in rows:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    nonwhite = w * h - counts.get(b"\xff\xff\xff", 0)
    print(w, h, len(counts), nonwhite, *(counts.get(c, 0) for c in want))


main()
