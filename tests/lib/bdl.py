#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/lib/bdl.py - is the ICH's PCM out buffer in pieces?

    bdl.py FILE [--min-bytes N]

FILE is a copy of /proc/asound/cardN/ich taken while PCM out plays.  Prints
the buffer's size, chunks and segments and every pair of BDL entries that
follow each other in the buffer but not in memory (a jump of more than one
page), and exits non-zero, saying why, unless the buffer is at least N
bytes (default 1 MiB), in two or more chunks and has such a jump.
"""
import argparse
import re
import sys


def parse(text):
    """(size, chunks, segments, {segment: (offset, address, bytes)}) of the
    PCM out section of an ICH proc file's text; SystemExit if it has none."""
    m = re.search(r"PCM out \(PO\): (\w+)(.*?)(?:\n\n|\Z)", text, re.S)
    if not m:
        sys.exit("no PCM out section in the proc file")
    sec = m.group(2)
    b = re.search(r"buffer (\d+) bytes in (\d+) chunks, (\d+) segments", sec)
    if not b:
        sys.exit("PCM out has no buffer set up")
    size, chunks, nsegs = map(int, b.groups())
    segs = {}
    for e in re.finditer(r"bd +(\d+) 0x([0-9a-f]+) +(\d+) (ioc|-) +(\d+) +(\d+)", sec):
        _slot, addr, nbytes, _ioc, seg, off = e.groups()
        segs[int(seg)] = (int(off), int(addr, 16), int(nbytes))
    return size, chunks, nsegs, segs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--min-bytes", type=int, default=1024 * 1024)
    args = ap.parse_args()
    try:
        with open(args.file) as f:
            text = f.read()
    except OSError as e:
        sys.exit("no ICH proc file: %s" % e)
    size, chunks, nsegs, segs = parse(text)
    print("buffer %d bytes, %d chunks, %d segments, %d of them in the BDL"
          % (size, chunks, nsegs, len(segs)))
    gaps = []
    order = sorted(segs.values())
    for (o1, a1, n1), (o2, a2, _n2) in zip(order, order[1:]):
        if o1 + n1 != o2:
            continue                    # not neighbours in the buffer
        last_page, next_page = (a1 + n1 - 1) >> 12, a2 >> 12
        if a2 != a1 + n1 and next_page not in (last_page, last_page + 1):
            gaps.append("buffer offset %d: page 0x%x, then page 0x%x"
                        % (o2, last_page, next_page))
    for g in gaps:
        print("  " + g)
    if size < args.min_bytes:
        sys.exit("the buffer is only %d bytes" % size)
    if chunks < 2 or not gaps:
        sys.exit("the buffer is physically contiguous: %d chunk(s), no jump "
                 "between BDL entries" % chunks)


if __name__ == "__main__":
    main()
