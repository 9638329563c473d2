#!/usr/bin/python3
# png_check.py -- is a PNG screenshot not blank?  Decodes the PNG with zlib (8-bit RGB/RGBA, no interlace,
# as Chromium writes them), undoes the row filters, and requires at least 16 distinct colours and 2% of
# pixels away from the background (the most common colour).  Prints the counts; exit 1 when blank.
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG file" % path)
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit("%s: unsupported PNG (depth %d, colour type %d, interlace %d)" % (path, depth, ctype,
                                                                                           interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


w, h, bpp, rows = decode(sys.argv[1])
counts = {}
for line in rows:
    for x in range(0, len(line), bpp):
        px = line[x:x + 3]
        counts[px] = counts.get(px, 0) + 1
bg = max(counts.values())
inked = 1 - bg / float(w * h)
print("%dx%d, %d colours, %.1f%% of pixels off the background" % (w, h, len(counts), 100 * inked))
sys.exit(0 if len(counts) >= 16 and inked >= 0.02 else 1)
