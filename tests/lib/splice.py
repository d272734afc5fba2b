#!/usr/bin/env python3
"""Check that a stream interrupted once came out whole on both sides.

  splice.py PLAYED RECORDED [--gap-at BYTES] [--max-skip BYTES]
            [--max-zeros BYTES] [--max-other BYTES] [--tail-seconds S]
  splice.py --resumed-only PLAYED RECORDED [--min-start BYTES] [--tail-seconds S]

PLAYED was given to the device, RECORDED is what QEMU wrote (both WAV or
raw, as tests/lib/wav.py reads them).  The recorded data must hold, in this
order and with nothing else in between:

  PLAYED[0:A]     from the first byte of PLAYED, exact
  Z zero bytes    silence while the stream was stopped (Z may be 0)
  O other bytes   only with --max-other (default 0): at most that many
                  bytes that are neither silence nor played data (a device
                  model that plays out what it still held when it was
                  reset, converted), then silence again
  PLAYED[B:]      exact up to the end of PLAYED, but for the last
                  --tail-seconds (default 0.3: QEMU drops the end of a
                  stream when the guest stops it)

with A <= B (nothing played twice), B - A <= --max-skip (what the
interruption may lose: data written but not yet played when the stream
was stopped; default 0) and Z <= --max-zeros (default: no limit).  With
--gap-at N, the interruption must come exactly after byte N of PLAYED
(A = B = N, up to one frame: the data after N may start with zero bytes).
A stream that came out whole passes too (A = B = the end; Z = 0): the
device stopped without fetching anything past the gap.  Prints A, Z and B; exit 0 if all holds.

With --resumed-only the recording holds only the second part (a device
model reset made QEMU start its file anew): after leading silence it must
be PLAYED[B:] exact to the end, with B >= --min-start (the stream went on,
it did not start again from the beginning).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wav  # noqa: E402


def common(a, ai, b, bi):
    """Length of the common run of a[ai:] and b[bi:]."""
    n, step = 0, 65536
    while True:
        x, y = a[ai + n:ai + n + step], b[bi + n:bi + n + step]
        if not x or not y:
            return n
        if x == y:
            n += len(x)
            if len(x) < step:
                return n
            continue
        for i in range(min(len(x), len(y))):
            if x[i] != y[i]:
                return n + i
        return n + min(len(x), len(y))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("played")
    ap.add_argument("recorded")
    ap.add_argument("--gap-at", type=int)
    ap.add_argument("--max-skip", type=int, default=0)
    ap.add_argument("--max-zeros", type=int)
    ap.add_argument("--max-other", type=int, default=0)
    ap.add_argument("--tail-seconds", type=float, default=0.3)
    ap.add_argument("--resumed-only", action="store_true")
    ap.add_argument("--min-start", type=int, default=1)
    a = ap.parse_args()

    pinfo, played, _ = wav.load(a.played, False)
    rinfo, rec, _ = wav.load(a.recorded, False)
    info = pinfo or rinfo
    align = info["align"] if info else 4
    rate = info["rate"] if info else 44100
    tail = int(a.tail_seconds * rate) * align
    end = len(played) - tail
    if a.resumed_only:
        r = 0
        while r < len(rec) and rec[r] == 0:
            r += 1
        r -= r % align
        probe = rec[r:r + 256]
        b = played.find(probe) if len(probe) == 256 else -1
        if b < 0:
            print("splice: FAIL: the recording (from byte %d) is not a piece "
                  "of %s" % (r, a.played))
            return 1
        rest = common(played, b, rec, r)
        msg = ("%d zero bytes, then played bytes %d-%d"
               % (r, b, b + rest))
        why = []
        if b < a.min_start:
            why.append("it started again before byte %d" % a.min_start)
        if b + rest < end:
            why.append("the rest is not exact after byte %d" % (b + rest))
        if why:
            print("splice: FAIL: %s: %s" % (msg, "; ".join(why)))
            return 1
        print("splice: OK: " + msg)
        return 0
    probe = played[:4096]
    start = rec.find(probe)
    if start < 0:
        print("splice: FAIL: the first 4096 bytes of %s are not in %s"
              % (a.played, a.recorded))
        return 1
    first = common(played, 0, rec, start)
    if first >= end:
        # the device stopped before it fetched anything past the gap
        print("splice: OK: %d bytes came out whole, no silence recorded%s"
              % (first, "" if a.gap_at is None else " at byte %d" % a.gap_at))
        return 0
    r = start + first
    zeros = 0
    while r + zeros < len(rec) and rec[r + zeros] == 0:
        zeros += 1
    zeros -= zeros % align
    r += zeros
    other = 0
    if a.max_other:
        # skip bytes until the played data goes on (searched for from the
        # end of the first run on), at most --max-other of them
        for k in range(0, a.max_other + align, align):
            q = rec[r + k:r + k + 256]
            if len(q) == 256 and played.find(q, max(0, first - 4 * align)) >= 0:
                other = k
                break
        r += other
    probe = rec[r:r + 256]
    if len(probe) < 256:
        print("splice: FAIL: played bytes 0-%d came out, then %d zero bytes "
              "and the end of the recording" % (first, zeros))
        return 1
    # where the stream resumed: from the end of the first run on (an
    # earlier match would be data played twice)
    lo = max(0, first - first % align - 4 * align)
    resumed = played.find(probe, lo)
    if resumed < 0:
        dup = played.find(probe)
        print("splice: FAIL: played bytes 0-%d came out, %d zero bytes, then "
              "%s" % (first, zeros, "bytes %d on again (played twice)" % dup
                      if dup >= 0 else "bytes that are not in the played data"))
        return 1
    rest = common(played, resumed, rec, r)
    msg = ("played bytes 0-%d, then %d zero bytes (%.3f s), %sthen bytes "
           "%d-%d" % (first, zeros, zeros / align / rate,
                      "%d other bytes, " % other if other else "",
                      resumed, resumed + rest))
    why = []
    if resumed + rest < end:
        why.append("the rest is not exact after byte %d" % (resumed + rest))
    if resumed < first - first % align:
        why.append("bytes %d-%d played twice" % (resumed, first))
    if resumed - first > a.max_skip:
        why.append("%d bytes lost, more than %d" % (resumed - first,
                                                     a.max_skip))
    if a.max_zeros is not None and zeros > a.max_zeros:
        why.append("more than %d zero bytes" % a.max_zeros)
    if a.gap_at is not None and not (a.gap_at <= first < a.gap_at + align and
                                     resumed == a.gap_at):
        why.append("the gap is not at byte %d" % a.gap_at)
    if why:
        print("splice: FAIL: %s: %s" % (msg, "; ".join(why)))
        return 1
    print("splice: OK: " + msg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
