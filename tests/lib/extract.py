#!/usr/bin/env python3
"""Decode the files a test VM sent over its serial console.

usage: extract.py SERIAL.log OUTDIR

The guest's /bin/emit prints

    ===FILE NAME===
    <base64 lines>
    ===END NAME===
    ===SUM NAME SIZE MD5===

Each file is written to OUTDIR/NAME and checked against SIZE and MD5.  Lines
inside a file block that are not base64 (kernel messages that slipped onto
the console) are skipped and reported.  OUTDIR/console.txt receives the
console without the file bodies, OUTDIR/exit the status printed by the
guest init as ===SCENARIO-EXIT RC===, or "none" if that line never came
(hang, panic, crash).  Exit status: 0 if every file arrived intact.
"""

import base64
import binascii
import hashlib
import os
import re
import sys

FILE_RE = re.compile(r"===FILE (\S+)===")
END_RE = re.compile(r"===END (\S+)===")
SUM_RE = re.compile(r"===SUM (\S+) (\d+) ([0-9a-f]{32})===")
EXIT_RE = re.compile(r"===SCENARIO-EXIT (\d+)===")
MARK_RE = re.compile(r"(?<=[^\n])(?====(FILE|END|SUM|SCENARIO-)[^\n]*===)")
B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
# Terminal control sequences (SeaBIOS clears the screen) would garble logs.
ESC_RE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[@-Z\\-_c])")


def err(msg):
    print("extract: " + msg, file=sys.stderr)


def safe_name(name):
    return name not in (".", "..") and "/" not in name


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    log, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    try:
        with open(log, "rb") as f:
            text = f.read().decode("latin-1")
    except OSError as e:
        err(str(e))
        text = ""

    console = []
    written = {}        # name -> (size, md5) of what was written
    verified = set()
    errors = 0
    exit_rc = "none"
    cur = None          # name of the file being received
    chunks = []
    noise = 0

    # A marker can follow output that did not end its line (the boot
    # messages before ===SCENARIO-START===): start a new line there.
    text = MARK_RE.sub("\n", text)
    for line in text.split("\n"):
        line = ESC_RE.sub("", line).rstrip("\r")
        if cur is not None:
            m = END_RE.search(line)
            if m and m.group(1) == cur:
                try:
                    data = base64.b64decode("".join(chunks), validate=True)
                except (binascii.Error, ValueError) as e:
                    err("%s: bad base64: %s" % (cur, e))
                    errors += 1
                    data = None
                if data is not None:
                    with open(os.path.join(outdir, cur), "wb") as f:
                        f.write(data)
                    written[cur] = (len(data), hashlib.md5(data).hexdigest())
                    console.append("[file %s: %d bytes]" % (cur, len(data)))
                if noise:
                    err("%s: skipped %d non-base64 lines" % (cur, noise))
                cur = None
            elif B64_RE.fullmatch(line):
                chunks.append(line)
            else:
                noise += 1
                console.append(line)
            continue

        m = FILE_RE.search(line)
        if m:
            cur, chunks, noise = m.group(1), [], 0
            if not safe_name(cur):
                err("refusing file name %r" % cur)
                errors += 1
                cur = None
            continue
        m = SUM_RE.search(line)
        if m:
            name, size, md5 = m.group(1), int(m.group(2)), m.group(3)
            if name not in written:
                err("%s: checksum for a file that did not arrive" % name)
                errors += 1
            elif written[name] != (size, md5):
                err("%s: corrupted: got %d bytes md5 %s, guest sent %d "
                    "bytes md5 %s" % ((name,) + written[name] + (size, md5)))
                errors += 1
            verified.add(name)
            continue
        m = EXIT_RE.search(line)
        if m:
            exit_rc = m.group(1)
        console.append(line)

    if cur is not None:
        err("%s: truncated (no END line); partial data in %s.partial"
            % (cur, cur))
        try:
            data = base64.b64decode("".join(chunks)[: len("".join(chunks))
                                                    // 4 * 4])
        except (binascii.Error, ValueError):
            data = b""
        with open(os.path.join(outdir, cur + ".partial"), "wb") as f:
            f.write(data)
        errors += 1

    for name in sorted(set(written) - verified):
        err("%s: no SUM line, contents unverified" % name)
        errors += 1

    while console and console[-1] == "":
        console.pop()
    with open(os.path.join(outdir, "console.txt"), "w",
              encoding="latin-1") as f:
        f.write("".join(s + "\n" for s in console))
    with open(os.path.join(outdir, "exit"), "w") as f:
        f.write(exit_rc + "\n")
    # vm_run deletes these before the next run into the same OUTDIR, so
    # that a file the next guest fails to send cannot be mistaken for new.
    with open(os.path.join(outdir, ".emitted"), "w") as f:
        f.write("".join(n + "\n" for n in sorted(written)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
