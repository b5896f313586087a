#!/usr/bin/env python3
"""Checks that a PNG screenshot is not blank (standard library only).

Decodes the PNG (8-bit grayscale, RGB, RGBA, gray+alpha; not interlaced;
zlib + the five PNG row filters), then measures:

  - the share of pixels that differ from the most common colour (the page
    background) by more than the tolerance on some channel;
  - per colour given with --color NAME=RRGGBB, how many pixels lie within the
    tolerance of it on every channel.

    png_check.py SHOT.png [--min-content 0.05] [--color reference=93b0d7 --min-pixels 500] [--tolerance 8]

Prints one JSON object (width, height, background, content_share, colors:
{name: pixels}) and exits 0 when every check holds, 1 with a message on
stderr naming the failed check, 2 when the file is not a PNG it can decode.
Used by Tests/FsctlTests/DriftReportScreenshotTests.swift on the headless
Chromium screenshot of `fsctl drift --html`.
"""
import argparse
import json
import struct
import sys
import zlib
from collections import Counter

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


class PNGError(Exception):
    pass


def read_png(path):
    """(width, height, channels, rows): rows are bytes objects, unfiltered."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise PNGError(f"{path}: not a PNG (bad signature)")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise PNGError(f"{path}: chunk {kind!r} at byte {pos} is truncated")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise PNGError(f"{path}: no IHDR or IDAT chunk")
    width, height, depth, ctype, _, _, interlace = header
    if depth != 8 or ctype not in CHANNELS or interlace != 0:
        raise PNGError(f"{path}: bit depth {depth}, colour type {ctype}, interlace {interlace}: "
                       "expected 8-bit gray/RGB/RGBA, not interlaced")
    bpp = CHANNELS[ctype]
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise PNGError(f"{path}: {len(raw)} bytes of image data, expected {height * (stride + 1)}")
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        unfilter(kind, line, prev, bpp, path, y)
        prev = bytes(line)
        rows.append(prev)
    return width, height, bpp, rows



def add_bytes(a, b):
    """Bytewise (a + b) mod 256 of two equal-length byte strings, on big ints."""
    n = len(a)
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    low = int.from_bytes(b"\x7f" * n, "big")
    s = ((x & low) + (y & low)) ^ ((x ^ y) & ~low & ((1 << (8 * n)) - 1))
    return s.to_bytes(n, "big")


def unfilter(kind, line, prev, bpp, path, y):
    n = len(line)
    if kind == 0:
        return
    if kind == 1:  # Sub
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif kind == 2:  # Up
        line[:] = add_bytes(bytes(line), prev)
    elif kind == 3:  # Average
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif kind == 4:  # Paeth
        for i in range(n):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pred) & 255
    else:
        raise PNGError(f"{path}: row {y} has filter type {kind}, expected 0-4")


def rgb_pixels(width, bpp, rows):
    """Counter of (r, g, b) over all pixels (alpha and gray expanded)."""
    counts = Counter()
    for line in rows:
        if bpp == 4:
            counts.update(zip(line[0::4], line[1::4], line[2::4]))
        elif bpp == 3:
            counts.update(zip(line[0::3], line[1::3], line[2::3]))
        else:
            gray = line[0::bpp]
            counts.update(zip(gray, gray, gray))
    return counts


def hex_color(text):
    text = text.lstrip("#")
    if len(text) != 6:
        raise argparse.ArgumentTypeError(f"expected RRGGBB, got {text!r}")
    return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("png")
    p.add_argument("--min-content", type=float, default=0.0,
                   help="least share of pixels that differ from the background (0-1)")
    p.add_argument("--color", action="append", default=[], metavar="NAME=RRGGBB",
                   help="a colour that must be present (repeatable)")
    p.add_argument("--min-pixels", type=int, default=1, help="least pixels of each --color")
    p.add_argument("--tolerance", type=int, default=8, help="per-channel difference still counted as the same colour")
    a = p.parse_args()
    wanted = []
    for spec in a.color:
        name, _, value = spec.partition("=")
        wanted.append((name, hex_color(value)))
    try:
        width, height, bpp, rows = read_png(a.png)
    except (OSError, PNGError, zlib.error) as e:
        print(f"png_check: {e}", file=sys.stderr)
        return 2
    counts = rgb_pixels(width, bpp, rows)
    total = width * height
    background = counts.most_common(1)[0][0]
    t = a.tolerance

    def near(c, ref):
        return all(abs(c[i] - ref[i]) <= t for i in range(3))

    content = sum(n for c, n in counts.items() if not near(c, background))
    found = {name: sum(n for c, n in counts.items() if near(c, ref)) for name, ref in wanted}
    report = {"png": a.png, "width": width, "height": height,
              "background": "%02x%02x%02x" % background,
              "content_share": round(content / total, 6), "colors": found}
    print(json.dumps(report))
    failures = []
    if content / total < a.min_content:
        failures.append(f"only {content / total:.4f} of the pixels differ from the background "
                        f"#{report['background']} (expected at least {a.min_content})")
    for name, ref in wanted:
        if found[name] < a.min_pixels:
            failures.append(f"colour {name} #{'%02x%02x%02x' % ref}: {found[name]} pixels within {t} "
                            f"(expected at least {a.min_pixels})")
    for f in failures:
        print(f"png_check: {a.png}: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
