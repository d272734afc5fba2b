#!/usr/bin/env python3
"""tests/lib/fm.py - the FM test files.

    fm.py files DIR    writes DIR/patch.sbi (an SBI instrument: a sine
                       carrier, the modulator silent), DIR/note.mid
                       (one track: program 0, A4 held for 1 s) and
                       DIR/long.mid (the same, held for 2 s)

patch.sbi goes to an OPL hwdep device (cat patch.sbi >/dev/snd/hwCxD0),
note.mid to the OPL's sequencer port (aplaymidi -p PORT note.mid).
"""
import struct
import sys


def sbi_patch():
    # struct sbi_patch (include/uapi/sound/asound_fm.h): prog, bank,
    # "SBI\x1a", name[25], extension[7], data[32]; data: the modulator's
    # and the carrier's AM/VIB/EG/KSR/MULT, KSL/level, attack/decay,
    # sustain/release, wave select, then feedback/connection
    data = bytes([
        0x21, 0x21,     # sustained envelope, frequency x1
        0x3f, 0x00,     # modulator silent, carrier at full level
        0xf0, 0xf0,     # fastest attack, no decay
        0x07, 0x07,     # sustain at full level, release 7
        0x00, 0x00,     # sine
        0x01,           # additive: the carrier sounds alone
    ]).ljust(32, b"\0")
    sbi = bytes([0, 0]) + b"SBI\x1a" + b"snd-omnibus sine".ljust(25, b"\0") \
        + bytes(7) + data
    assert len(sbi) == 70
    return sbi


def vlq(n):
    """A MIDI variable-length quantity."""
    out = [n & 0x7f]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7f))
        n >>= 7
    return bytes(out)


def note_midi(seconds=1):
    # one track, 96 ticks a quarter at the default 120 bpm: 192 ticks =
    # 1 s; program 0, A4 (note 69) on, off SECONDS later
    trk = (vlq(0) + b"\xc0\x00" + vlq(0) + b"\x90\x45\x7f"
           + vlq(192 * seconds) + b"\x80\x45\x40" + vlq(0) + b"\xff\x2f\x00")
    return (b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96)
            + b"MTrk" + struct.pack(">I", len(trk)) + trk)


def files(d):
    with open(d + "/patch.sbi", "wb") as f:
        f.write(sbi_patch())
    with open(d + "/note.mid", "wb") as f:
        f.write(note_midi())
    with open(d + "/long.mid", "wb") as f:
        f.write(note_midi(2))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "files":
        sys.exit(__doc__)
    files(sys.argv[2])
