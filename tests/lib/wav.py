#!/usr/bin/env python3
"""Make test signals and compare PCM data for the snd-omnibus tests.

  wav.py noise OUT [--rate R] [--channels C] [--format F] [--seconds S]
                   [--seed N] [--raw]
      deterministic, non-periodic white noise (U8 never contains 0xFF, which
      QEMU's mixer turns into -32768 by an overflow)
  wav.py tone OUT [--freq HZ] [--amplitude A] [--rate ...] [--raw]
      a sine, for listening demos
  wav.py contains PLAYED RECORDED [--prefix-bytes N | --prefix-seconds S]
                  [--after-silence S] [--at BYTE] [--raw]
      exit 0 if the PCM data of PLAYED (or its first N bytes) occurs, byte
      for byte and contiguous, in the PCM data of RECORDED (and, with
      --after-silence, right after at least S seconds of zero bytes; with
      --at, starting at byte BYTE of RECORDED's data); else print a
      one-line diagnosis and exit 1
  wav.py info FILE
      print the format and data length of a WAV file

Files that start with a RIFF/WAVE header are parsed as WAV, anything else
(or everything, with --raw) is raw PCM.  A data chunk whose length is 0 or
runs past the end of the file (QEMU killed before it patched its header,
arecord interrupted) is taken to run to the end of the file.
"""

import argparse
import math
import random
import struct
import sys

# name: (bytes per sample, signed)
FORMATS = {
    "U8": (1, False),
    "S16_LE": (2, True),
    "S24_3LE": (3, True),
    "S32_LE": (4, True),
}


class WavError(Exception):
    pass


def wav_header(rate, channels, fmt, nbytes):
    width = FORMATS[fmt][0]
    align = width * channels
    return (b"RIFF" + struct.pack("<I", 36 + nbytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate,
                                    rate * align, align, width * 8)
            + b"data" + struct.pack("<I", nbytes))


def write_pcm(path, rate, channels, fmt, data, raw):
    with open(path, "wb") as f:
        if not raw:
            f.write(wav_header(rate, channels, fmt, len(data)))
        f.write(data)


def parse_wav(buf):
    """Return (info, data, note) of a WAV image; info may be None."""
    if len(buf) < 12 or buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
        raise WavError("not a RIFF/WAVE file")
    info = None
    pos = 12
    while pos + 8 <= len(buf):
        cid = buf[pos:pos + 4]
        size = struct.unpack_from("<I", buf, pos + 4)[0]
        body = pos + 8
        if cid == b"data":
            end = body + size
            note = ""
            if size == 0 and len(buf) > body:
                note = "data length 0 in header, data runs to end of file"
                end = len(buf)
            elif end > len(buf):
                note = ("data length %d in header, only %d bytes in file"
                        % (size, len(buf) - body))
                end = len(buf)
            return info, buf[body:end], note
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(buf):
                raise WavError("short fmt chunk")
            tag, ch, rate, _, align, bits = struct.unpack_from(
                "<HHIIHH", buf, body)
            if tag == 0xFFFE and size >= 40:   # WAVE_FORMAT_EXTENSIBLE
                tag = struct.unpack_from("<H", buf, body + 24)[0]
            info = {"tag": tag, "channels": ch, "rate": rate,
                    "align": align, "bits": bits}
        pos = body + size + (size & 1)
    raise WavError("no data chunk")


def load(path, raw):
    with open(path, "rb") as f:
        buf = f.read()
    if raw or buf[:4] != b"RIFF":
        return None, buf, ""
    return parse_wav(buf)


def describe(info):
    if info is None:
        return "raw"
    if info["tag"] == 3:
        kind = "float"
    else:
        kind = "U" if info["bits"] == 8 else "S"
    return "%s%d %d Hz %d ch" % (kind, info["bits"], info["rate"],
                                 info["channels"])


def noise_bytes(nbytes, fmt, seed):
    data = random.Random(seed).randbytes(nbytes)
    if fmt == "U8":
        data = data.translate(bytes(range(255)) + b"\xfe")
    return data


def tone_bytes(frames, rate, channels, fmt, freq, amplitude):
    width, signed = FORMATS[fmt]
    full = (1 << (8 * width - 1)) - 1
    out = bytearray()
    for i in range(frames):
        v = int(round(amplitude * full
                      * math.sin(2 * math.pi * freq * i / rate)))
        if not signed:
            v += full
        sample = v.to_bytes(width, "little", signed=signed)
        out += sample * channels
    return bytes(out)


def longest_prefix(needle, hay):
    """Longest L such that needle[:L] occurs in hay, and where."""
    lo, hi, where = 0, len(needle), -1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        p = hay.find(needle[:mid])
        if p >= 0:
            lo, where = mid, p
        else:
            hi = mid - 1
    return lo, where


def cmd_contains(a):
    pinfo, played, pnote = load(a.played, a.raw)
    rinfo, rec, rnote = load(a.recorded, a.raw)
    # A raw PLAYED file is taken to have the recorded file's format.
    finfo = pinfo or rinfo
    align = finfo["align"] if finfo else 1
    rate = finfo["rate"] if finfo else 0
    n = len(played)
    if a.prefix_seconds is not None:
        if not finfo:
            print("contains: --prefix-seconds needs a WAV file")
            return 2
        n = int(round(a.prefix_seconds * rate)) * align
    elif a.prefix_bytes is not None:
        n = a.prefix_bytes
    if n > len(played):
        print("contains: FAIL: PLAYED has %d data bytes, fewer than the %d "
              "asked for" % (len(played), n))
        return 1
    if n <= 0:
        print("contains: FAIL: nothing to look for in PLAYED")
        return 1
    needle = played[:n]

    def secs(nbytes):
        if rate:
            return " (%.3f s)" % (nbytes / align / rate)
        return ""

    pos = rec.find(needle)
    if a.at is not None and rec[a.at:a.at + n] != needle:
        if pos >= 0:
            where = "found at byte %d instead" % pos
        else:
            length, _ = longest_prefix(needle, rec[a.at:])
            where = ("only its first %d bytes%s are there, then played 0x%02x"
                     " vs recorded %s" % (
                         length, secs(length), needle[length],
                         "0x%02x" % rec[a.at + length]
                         if a.at + length < len(rec) else "end of data"))
        print("contains: FAIL: %d bytes%s of %s not at byte %d of %s "
              "(%d bytes): %s" % (n, secs(n), a.played, a.at, a.recorded,
                                  len(rec), where))
        return 1
    if pos >= 0 and a.after_silence is not None:
        if not finfo:
            print("contains: --after-silence needs a WAV file")
            return 2
        want = int(round(a.after_silence * rate)) * align
        before = rec[max(0, pos - want):pos]
        quiet = len(before) - len(before.rstrip(b"\0"))
        if len(before) < want or quiet < want:
            if quiet == pos:
                why = "the recording starts only %d bytes%s before it" % (
                    pos, secs(pos))
            else:
                why = ("the last nonzero byte before it is recorded byte "
                       "%d: %d zero bytes%s between"
                       % (pos - quiet - 1, quiet, secs(quiet)))
            print("contains: FAIL: %d bytes%s of %s found at byte %d of %s, "
                  "but not after %d zero bytes%s: %s"
                  % (n, secs(n), a.played, pos, a.recorded, want, secs(want),
                     why))
            return 1
    if pos >= 0:
        msg = ("contains: OK: %d bytes%s of %s found at byte %d of the "
               "recorded data (%d bytes)" % (n, secs(n), a.played, pos,
                                             len(rec)))
        if a.after_silence is not None:
            msg += ", after %d zero bytes%s" % (want, secs(want))
        if pos % align:
            msg += ", NOT frame aligned"
        print(msg)
        return 0

    # Diagnose.
    why = []
    if pinfo and rinfo and describe(pinfo) != describe(rinfo):
        why.append("formats differ: played %s, recorded %s"
                   % (describe(pinfo), describe(rinfo)))
    if not rec:
        why.append("recorded data is empty")
    elif rec.count(0) == len(rec):
        why.append("recorded data is all zero")
    length, where = longest_prefix(needle, rec)
    if length and length < n:
        p, r = needle[length], rec[where + length:where + length + 1]
        why.append("longest prefix found: %d of %d bytes%s at recorded "
                   "byte %d, then played 0x%02x vs recorded %s"
                   % (length, n, secs(length), where, p,
                      "0x%02x" % r[0] if r else "end of data"))
    # Is the rest there, shifted?  Look for chunks from further on.
    chunk = max(64, min(4096, n // 16))
    found = []
    for i in range(1, 8):
        off = (n * i // 8) // align * align
        if off + chunk <= n and rec.find(needle[off:off + chunk]) >= 0:
            found.append(i)
    if found:
        why.append("chunks found at %s/8 of the played data"
                   % ",".join(str(i) for i in found))
        # Only the head wrong?  Line the data up on the first chunk found.
        off = (n * found[0] // 8) // align * align
        start = rec.find(needle[off:off + chunk]) - off
        if start >= 0 and rec[start + off:start + n] == needle[off:]:
            head = rec[start:start + off]
            k = off
            while k and head[k - 1] == needle[k - 1]:
                k -= 1
            why.append("lined up at recorded byte %d, it matches from "
                       "played byte %d on: only its first %d bytes%s differ"
                       % (start, k, k, secs(k)))
    else:
        why.append("no 1/8 chunk of the played data found")
    for note, name in ((pnote, "played"), (rnote, "recorded")):
        if note:
            why.append("%s: %s" % (name, note))
    print("contains: FAIL: %d bytes%s of %s not in %s (%d bytes): %s"
          % (n, secs(n), a.played, a.recorded, len(rec), "; ".join(why)))
    return 1


def cmd_noise(a):
    width = FORMATS[a.format][0]
    frames = int(round(a.seconds * a.rate))
    data = noise_bytes(frames * a.channels * width, a.format, a.seed)
    write_pcm(a.out, a.rate, a.channels, a.format, data, a.raw)
    return 0


def cmd_tone(a):
    frames = int(round(a.seconds * a.rate))
    data = tone_bytes(frames, a.rate, a.channels, a.format, a.freq,
                      a.amplitude)
    write_pcm(a.out, a.rate, a.channels, a.format, data, a.raw)
    return 0


def cmd_info(a):
    info, data, note = load(a.file, False)
    line = "%s: %s, %d data bytes" % (a.file, describe(info), len(data))
    if info and info["align"] and info["rate"]:
        line += ", %.3f s" % (len(data) / info["align"] / info["rate"])
    if note:
        line += " (%s)" % note
    print(line)
    return 0


def main():
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    def signal_opts(sp):
        sp.add_argument("out")
        sp.add_argument("--rate", type=int, default=44100)
        sp.add_argument("--channels", type=int, default=2)
        sp.add_argument("--format", choices=sorted(FORMATS),
                        default="S16_LE")
        sp.add_argument("--seconds", type=float, default=2.0)
        sp.add_argument("--raw", action="store_true",
                        help="write raw PCM without a WAV header")

    sp = sub.add_parser("noise", help="deterministic white noise")
    signal_opts(sp)
    sp.add_argument("--seed", type=int, default=1)
    sp.set_defaults(func=cmd_noise)

    sp = sub.add_parser("tone", help="a sine")
    signal_opts(sp)
    sp.add_argument("--freq", type=float, default=440.0)
    sp.add_argument("--amplitude", type=float, default=0.5)
    sp.set_defaults(func=cmd_tone)

    sp = sub.add_parser("contains", help="PLAYED data occurs in RECORDED")
    sp.add_argument("played")
    sp.add_argument("recorded")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--prefix-bytes", type=int)
    g.add_argument("--prefix-seconds", type=float)
    sp.add_argument("--after-silence", type=float, metavar="SECONDS",
                    help="the data must follow at least SECONDS of zero "
                    "bytes in RECORDED")
    sp.add_argument("--at", type=int, metavar="BYTE",
                    help="the data must start at byte BYTE of RECORDED's "
                    "data")
    sp.add_argument("--raw", action="store_true",
                    help="treat both files as raw PCM")
    sp.set_defaults(func=cmd_contains)

    sp = sub.add_parser("info", help="format and length of a WAV file")
    sp.add_argument("file")
    sp.set_defaults(func=cmd_info)

    a = p.parse_args()
    try:
        return a.func(a)
    except (OSError, WavError) as e:
        print("wav.py: %s" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main())
