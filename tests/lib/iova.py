#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/lib/iova.py - does the device see its buffer through an IOMMU?

    iova.py PAGEMAP BUFFERS --pcm N --stream p0 [--ich FILE] [--min-pieces N]
            [--min-bytes N] [--played N]

PAGEMAP holds the /proc/PID/pagemap words (8 bytes each, one per page) of
a player's mmap of the PCM's data, taken while it played; BUFFERS is a
copy of /proc/asound/cardN/buffers taken then, whose line for pcmN's
STREAM gives the buffer's size and the DMA address the driver was given
(dma_addr).  Prints the buffer's physical pieces and exits non-zero,
saying why, unless:

  - every page of the mapping is present (the player mapped the buffer);
  - no page's physical address is its DMA address (dma_addr + offset): the
    device is given I/O virtual addresses, not physical ones;
  - the pages are in at least --min-pieces physically contiguous pieces
    (default 1: no condition) and the buffer is --min-bytes long at least;
    with --played N the first N bytes of the buffer (what was played and
    compared) already run over the end of the first piece;
  - with --ich, a copy of the ICH's proc file from the same moment: the
    driver counted one chunk (the IOVA range is contiguous, however many
    physical pieces there are), and every BDL entry's address is dma_addr
    plus the entry's buffer offset.
"""
import argparse
import os
import re
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bdl  # noqa: E402

PAGE = 4096
PRESENT = 1 << 63
PFN_MASK = (1 << 55) - 1


def buffer_line(text, pcm, stream):
    """(bytes, dma_addr) of pcmN's STREAM in a buffers proc file."""
    cur = None
    for line in text.splitlines():
        m = re.match(r"pcm(\d+) ", line)
        if m:
            cur = int(m.group(1))
            continue
        m = re.match(r"\s+%s: .*in use (\d+) bytes at 0x([0-9a-f]+)" % stream,
                     line)
        if m and cur == pcm:
            return int(m.group(1)), int(m.group(2), 16)
    sys.exit("pcm%d %s has no buffer in use in the buffers file" % (pcm, stream))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pagemap")
    ap.add_argument("buffers")
    ap.add_argument("--pcm", type=int, default=0)
    ap.add_argument("--stream", default="p0")
    ap.add_argument("--ich")
    ap.add_argument("--min-pieces", type=int, default=1)
    ap.add_argument("--min-bytes", type=int, default=0)
    ap.add_argument("--played", type=int, default=0)
    args = ap.parse_args()
    try:
        with open(args.pagemap, "rb") as f:
            raw = f.read()
        with open(args.buffers) as f:
            size, iova = buffer_line(f.read(), args.pcm, args.stream)
    except OSError as e:
        sys.exit("missing input: %s" % e)
    words = struct.unpack("<%dQ" % (len(raw) // 8), raw[:len(raw) // 8 * 8])
    npages = (size + PAGE - 1) // PAGE
    if len(words) < npages:
        sys.exit("the mapping has %d pages, the buffer %d bytes" % (len(words), size))
    words = words[:npages]
    absent = [i for i, w in enumerate(words) if not w & PRESENT or not w & PFN_MASK]
    if absent:
        sys.exit("%d of %d pages not present (or no PFN: not root?), the first "
                 "at buffer offset %d" % (len(absent), npages, absent[0] * PAGE))
    phys = [(w & PFN_MASK) * PAGE for w in words]
    pieces = [[0, 1]]
    for i in range(1, npages):
        if phys[i] == phys[i - 1] + PAGE:
            pieces[-1][1] += 1
        else:
            pieces.append([i, 1])
    print("buffer %d bytes, device address 0x%x, physically %d piece(s):"
          % (size, iova, len(pieces)))
    for start, n in pieces[:8]:
        print("  offset %7d: %4d pages at 0x%x" % (start * PAGE, n, phys[start]))
    if len(pieces) > 8:
        print("  ... %d more" % (len(pieces) - 8))
    same = [i for i in range(npages) if phys[i] == iova + i * PAGE]
    if same:
        sys.exit("buffer offset %d: the device address is the physical one (0x%x)"
                 % (same[0] * PAGE, phys[same[0]]))
    if size < args.min_bytes:
        sys.exit("the buffer is only %d bytes" % size)
    if len(pieces) < args.min_pieces:
        sys.exit("the buffer is in %d physical piece(s), not %d or more"
                 % (len(pieces), args.min_pieces))
    if args.played and (len(pieces) < 2 or pieces[1][0] * PAGE >= args.played):
        sys.exit("the first %d bytes lie in one physical piece" % args.played)
    if args.ich:
        try:
            with open(args.ich) as f:
                bsize, chunks, nsegs, segs = bdl.parse(f.read())
        except OSError as e:
            sys.exit("no ICH proc file: %s" % e)
        print("BDL: buffer %d bytes in %d chunk(s), %d segments, %d in the window"
              % (bsize, chunks, nsegs, len(segs)))
        if bsize != size or not segs:
            sys.exit("the BDL describes %d bytes in %d entries, the buffer is %d"
                     % (bsize, len(segs), size))
        if chunks != 1:
            sys.exit("the driver counted %d chunks: the IOVA range is not one"
                     % chunks)
        for seg, (off, addr, _n) in sorted(segs.items()):
            if addr != (iova + off) & 0xffffffff:
                sys.exit("segment %d (offset %d) at 0x%x, not dma_addr + offset 0x%x"
                         % (seg, off, addr, iova + off))


if __name__ == "__main__":
    main()
