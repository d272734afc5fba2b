#!/bin/bash
#
# t-harness-capture.sh - prove the capture route of the VM harness with the
# in-tree snd-intel8x0 driver: QEMU's AC97 records from a known noise file
# and the guest's arecord must get it byte for byte.  The same VM also plays
# noise back through the same ALSA audiodev and checks that route.
#
# How the known signal gets in (QEMU 7.2.22, alsa-lib 1.2.8, as measured):
#
#  - `-audiodev alsa` reads the capture PCM named by in.dev; ~/.asoundrc of
#    QEMU's $HOME (hence vm_run --env HOME=...) defines it as alsa-lib's
#    `file` plugin with `infile` = a raw S16_LE stereo file and the `null`
#    PCM as slave.  No host sound card is needed.
#  - The null slave is not paced.  With QEMU's default in.try-poll=on, QEMU
#    reads it whenever poll() says readable, i.e. all the time: the guest
#    DMA buffer overruns at once ("overrun!!!" from arecord, 2 s captured in
#    0.14 s of garbled data).  in.try-poll=off alone made the capture stall
#    (arecord: read error: Input/output error after 10 s).  What works:
#    in.try-poll=off together with in.buffer-length=10000 (µs): QEMU then
#    reads at most one buffer per audio timer tick (timer-period, 10 ms), so
#    capture runs at real time (2 s took 2.2 s).  buffer-length=20000 ran
#    at 2x real time and was still exact; 10000 leaves the guest margin.
#  - in.frequency must equal the rate the guest records at (48000 here): the
#    QEMU default (44100), or any other mismatch, makes the mixing engine
#    resample and no byte matches.  The AC97 codec accepts the rate (VRA).
#  - The first capture starts at byte 0 of the infile.  A later capture goes
#    on where the plugin stopped reading, a few buffers (~30 ms) past what
#    the guest took, so look for later data with a search, not at an offset.
#  - There is no wrap-around: after the end of the infile the plugin leaves
#    the read buffer alone and QEMU keeps returning its last contents (a
#    repeating 20 ms pattern).  Make the infile longer than all captures.
#  - Capture gain for unity: Record Gain 0x0F0F = amixer 'Capture' 100 %
#    with its switch on ("cap").
#  - Playback through the same audiodev: out.dev = a `file` plugin writing
#    a raw file, with out.try-poll=off,out.buffer-length=10000 and
#    out.frequency = the guest rate, Master and PCM at 100 %: byte exact.
#
# Run by tests/run.sh (REPO, KVER, TEST_OUT in the environment) or alone.

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
WAV=$REPO/tests/lib/wav.py
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-harness-capture.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "${OUT:?}/vm" "${OUT:?}/home" "${OUT:?}/qout.raw"

# 6 s of input for a 2 s capture: the plugin must not run dry (see above).
python3 "$WAV" noise "$OUT/in.raw" --raw --rate 48000 --seconds 6 --seed 4242
python3 "$WAV" noise "$OUT/play.wav" --rate 48000 --seconds 2.5 --seed 2424

vm_alsa_audiodev "$OUT" "$OUT/in.raw" "$OUT/qout.raw" 48000

vm_run --out "$OUT/vm" --timeout 90 --env "$VM_ALSA_ENV" \
	--file "$OUT/play.wav:play.wav" \
	--qemu-args "-device AC97,audiodev=snd0" \
	--qemu-args "$VM_ALSA_AUDIODEV" \
	--scenario - <<'EOF' || true
modprobe snd-intel8x0 || exit 1
amixer -c 0 -q sset Capture 100% cap || exit 1
amixer -c 0 -q sset Master 100% unmute || exit 1
amixer -c 0 -q sset PCM 100% unmute || exit 1
arecord -D hw:0,0 -f S16_LE -c 2 -r 48000 -d 2 /out/cap.wav
aplay -D hw:0,0 /data/play.wav
EOF

# every byte of the 2 s recording, from byte 0 of the source
check intree-intel8x0-capture-bitexact python3 "$WAV" contains \
	"$OUT/vm/cap.wav" "$OUT/in.raw" --prefix-seconds 2 --at 0
check intree-intel8x0-alsa-playback-bitexact python3 "$WAV" contains \
	"$OUT/play.wav" "$OUT/qout.raw" --prefix-seconds 2
check_dmesg_clean "$OUT/vm/dmesg.txt" intree-capture-dmesg-clean

test_done
