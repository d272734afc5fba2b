#!/bin/bash
#
# t-ich.sh - the Intel ICH AC'97 backend of snd-omnibus under QEMU's
# -device AC97 (82801AA), with scatter-gather buffers:
#
#  - noise at 48000 Hz S16_LE stereo, played in read/write and in mmap mode,
#    comes out of -audiodev wav (out.frequency=48000) byte for byte; the same
#    at 44100 Hz with the audiodev at 44100 (the codec's variable rate audio:
#    its DAC rate register reads 0xac44 meanwhile);
#  - side by side: in the same VM, before snd-omnibus, the in-tree
#    snd-intel8x0 plays another noise file on the same device, also byte
#    for byte;
#  - scatter-gather: since 6.1 a DEV_SG buffer is one contiguous block
#    whenever the page allocator has one, so memory is fragmented first
#    (every 2 MiB block taken as a huge page, compaction off); a 2.5 MiB
#    buffer is then made of several chunks, the driver's BDL (proc file
#    "ich") has entries in non-adjacent pages, and 11.5 s of noise that run
#    over the ends of the chunks still come out byte for byte;
#  - capture: PCM in (hw:0,0) records a known noise file byte for byte, read/
#    write and mmap, over the ALSA file-plugin audiodev route proven by
#    t-harness-capture.sh; Mic in (hw:0,1) too; 8000 Hz sets the ADC rate;
#  - the AC'97 mixer of snd-ac97-codec is there (amixer), a suspend/resume
#    cycle (pm_test=devices) in the middle of a stream keeps the mixer and
#    the next stream plays exactly;
#  - unload and reload work, and with snd-intel8x0 owning the device
#    snd-omnibus says so in one line;
#  - the kernel log stays clean.
#
# QEMU's AC97 volume is linear in register steps: only Master = PCM = 0 dB
# attenuation (100 % in amixer) passes samples unchanged, and Record Gain
# 0x0F0F (Capture 100 %) is its capture unity.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
# shellcheck source=lib/play.sh
. "$REPO/tests/lib/play.sh"
play_init ich

# 2 s that must arrive exactly, plus 0.5 s because QEMU drops the last few
# hundred frames of a stream when the guest stops it.  Every stream of a VM
# has its own seed: each one is looked for in the one wav file.
play_noise "$OUT/intree48.wav" 48000 2.5 801
play_noise "$OUT/rw48.wav" 48000 2.5 802
play_noise "$OUT/mmap48.wav" 48000 2.5 803
play_noise "$OUT/rw44.wav" 44100 2.5 441
play_noise "$OUT/mmap44.wav" 44100 2.5 442
play_noise "$OUT/pm44.wav" 44100 2.5 443
play_noise "$OUT/after44.wav" 44100 2.5 444
# the scatter-gather stream: past the end of a first chunk of up to 2 MiB
# (10.9 s)
play_noise "$OUT/sg48.wav" 48000 12 804
# capture source: longer than every capture of the VM together
play_noise "$OUT/in.raw" 48000 14 9700 --raw

# The debug kernel cannot live with every 2 MiB block taken (KASAN's
# quarantine and stack depot and kmemleak need pages all the time: the
# VM panicked "System is deadlocked on memory"), so there the 2.5 MiB SG
# buffer is allocated without fragmenting memory first and only its
# sound is checked.
FRAGMENT=1
if vm__is_debug_kver "$KVER"; then
	FRAGMENT=0
	echo "    debug kernel: the SG buffer is not forced into pieces (no BDL layout check)"
fi

# --- 48 kHz: in-tree driver, rw, mmap, scatter-gather -------------------------
echo "$FRAGMENT" >"$OUT/fragment"
play_vm play48 AC97 48000 --timeout 150 --file "$OUT/fragment" \
	--file "$OUT/intree48.wav:intree.wav" --file "$OUT/rw48.wav:rw.wav" \
	--file "$OUT/mmap48.wav:mmap.wav" --file "$OUT/sg48.wav:sg.wav" <<'EOF'
unity() {
	amixer -c 0 -q sset Master 100% unmute &&
	amixer -c 0 -q sset PCM 100% unmute
}
# the in-tree driver first, on the same device and kernel
modprobe snd-intel8x0 || exit 1
unity || exit 1
aplay -D hw:0,0 /data/intree.wav 2>/out/intree.err
echo "intree $?" >/out/status.txt
rmmod snd-intel8x0 || exit 1

modprobe snd-omnibus-ich || exit 1
cat /proc/asound/cards >/out/cards.txt
unity || exit 1
aplay -D hw:0,0 /data/rw.wav 2>/out/rw.err
echo "rw $?" >>/out/status.txt
aplay -M -D hw:0,0 /data/mmap.wav 2>/out/mmap.err
echo "mmap $?" >>/out/status.txt

# scatter-gather: every 2 MiB block taken (fragment_memory, see
# tests/lib/play.sh), then hw_params allocates a 2.5 MiB buffer (no
# pre-allocated one to reuse): it cannot be one piece
echo 0 >/proc/asound/card0/pcm0p/sub0/prealloc
[ "$(cat /data/fragment)" != 1 ] || fragment_memory
aplay -D hw:0,0 --buffer-size=655360 --period-size=163840 /data/sg.wav \
	2>/out/sg.err &
sleep 1
cat /proc/asound/card0/ich >/out/ich-sg.txt
cat /proc/asound/card0/buffers >/out/buffers-sg.txt
unfragment_memory
wait $!
echo "sg $?" >>/out/status.txt
exit 0
EOF
P=$PLAY_DIR
play_finished play48 ich-play48-vm || true
if grep -q ']: ICH - Intel ICH AC.97$' "$P/cards.txt" 2>/dev/null; then
	pass ich-card-listed
else
	fail ich-card-listed "$(cat "$P/cards.txt" 2>/dev/null)"
fi
echo "    side by side on QEMU's AC97, 48000 Hz, same kernel and VM:"
play_check ich-intree-intel8x0-48k-bitexact "$OUT/intree48.wav" "$P/out.wav" 2
play_check ich-playback-48k-rw-bitexact "$OUT/rw48.wav" "$P/out.wav" 2
play_check ich-playback-48k-mmap-bitexact "$OUT/mmap48.wav" "$P/out.wav" 2

# The BDL of PCM out while the 2.5 MiB buffer plays: entries whose segments
# follow each other in the buffer but whose pages do not (tests/lib/bdl.py).
if [ "$FRAGMENT" = 1 ]; then
	check ich-sg-bdl-noncontiguous python3 "$REPO/tests/lib/bdl.py" "$P/ich-sg.txt"
	if [ "$CHECK_RC" -ne 0 ]; then
		sed 's/^/    buddyinfo: /' "$P/buddyinfo.txt" 2>/dev/null || true
	fi
	sed 's/^/    /' "$P/hugepages.txt" 2>/dev/null || true
else
	skip ich-sg-bdl-noncontiguous "debug kernel: the SG buffer is not forced into pieces, no BDL layout check"
fi
play_check ich-sg-playback-bitexact "$OUT/sg48.wav" "$P/out.wav" 11.5
if grep -qx 'intree 0' "$P/status.txt" 2>/dev/null &&
   grep -qx 'rw 0' "$P/status.txt" && grep -qx 'mmap 0' "$P/status.txt" &&
   grep -qx 'sg 0' "$P/status.txt"; then
	pass ich-play48-aplay-ok
else
	fail ich-play48-aplay-ok "$(cat "$P/status.txt" "$P"/*.err 2>/dev/null)"
fi

# --- 44.1 kHz: rw, mmap, codec rate, suspend/resume -----------------------------
play_vm play44 AC97 44100 --timeout 150 \
	--file "$OUT/rw44.wav:rw.wav" --file "$OUT/mmap44.wav:mmap.wav" \
	--file "$OUT/pm44.wav:pm.wav" --file "$OUT/after44.wav:after.wav" <<'EOF'
modprobe snd-omnibus-ich || exit 1
amixer -c 0 -q sset Master 100% unmute || exit 1
amixer -c 0 -q sset PCM 100% unmute || exit 1
aplay -D hw:0,0 /data/rw.wav 2>/out/rw.err &
sleep 1
cat /proc/asound/card0/pcm0p/sub0/hw_params >/out/hw44.txt
cat /proc/asound/card0/codec97#0/ac97#0-0+regs >/out/regs44.txt
wait $!
echo "rw $?" >/out/status.txt
aplay -M -D hw:0,0 /data/mmap.wav 2>/out/mmap.err
echo "mmap $?" >>/out/status.txt

# a mixer value that must survive suspend (Master stays at unity)
amixer -c 0 -q cset name='Capture Volume' 7,9 || exit 1
echo devices >/sys/power/pm_test
aplay -q -D hw:0,0 /data/pm.wav 2>/out/pm.err &
sleep 1
echo mem >/sys/power/state
echo "suspend $?" >>/out/status.txt
wait $!
echo "aplay-suspended $?" >>/out/status.txt
amixer -c 0 cget name='Capture Volume' >/out/capture-after-resume.txt
amixer -c 0 cget name='Master Playback Volume' >/out/master-after-resume.txt
aplay -D hw:0,0 /data/after.wav 2>/out/after.err
echo "after $?" >>/out/status.txt
exit 0
EOF
P=$PLAY_DIR
play_finished play44 ich-play44-vm || true
play_check ich-playback-44k-rw-bitexact "$OUT/rw44.wav" "$P/out.wav" 2
play_check ich-playback-44k-mmap-bitexact "$OUT/mmap44.wav" "$P/out.wav" 2
# the rate went through the codec's variable rate DAC: 0x2c = 44100
if grep -q '^rate: 44100 ' "$P/hw44.txt" 2>/dev/null &&
   grep -q '^0:2c = ac44$' "$P/regs44.txt"; then
	pass ich-codec-vra-44100
else
	fail ich-codec-vra-44100 "$(cat "$P/hw44.txt" 2>/dev/null; grep '^0:2[ac] ' "$P/regs44.txt" 2>/dev/null)"
fi
if grep -qx 'suspend 0' "$P/status.txt" 2>/dev/null &&
   grep -qx 'aplay-suspended 0' "$P/status.txt" &&
   grep -q ': values=7,9' "$P/capture-after-resume.txt" &&
   grep -q ': values=63,63' "$P/master-after-resume.txt" &&
   grep -q 'PM: suspend exit' "$P/dmesg.txt"; then
	pass ich-suspend-resume
else
	fail ich-suspend-resume "$(cat "$P/status.txt" "$P/pm.err" "$P/capture-after-resume.txt" 2>/dev/null)"
fi
play_check ich-after-resume-bitexact "$OUT/after44.wav" "$P/out.wav" 2
if grep -qx 'rw 0' "$P/status.txt" 2>/dev/null &&
   grep -qx 'mmap 0' "$P/status.txt" && grep -qx 'after 0' "$P/status.txt"; then
	pass ich-play44-aplay-ok
else
	fail ich-play44-aplay-ok "$(cat "$P/status.txt" "$P"/*.err 2>/dev/null)"
fi

# --- capture, mixer, reload, a foreign driver --------------------------------
play_capture_vm capture AC97 "$OUT/in.raw" 48000 --timeout 150 <<'EOF'
modprobe snd-omnibus-ich || exit 1
amixer -c 0 -q sset Capture 100% cap || exit 1
arecord -D hw:0,0 -f S16_LE -c 2 -r 48000 -d 2 /out/cap-rw.wav 2>/out/cap-rw.err
echo "rw $?" >/out/status.txt
arecord -M -D hw:0,0 -f S16_LE -c 2 -r 48000 -d 2 /out/cap-mmap.wav 2>/out/cap-mmap.err
echo "mmap $?" >>/out/status.txt
arecord -D hw:0,1 -f S16_LE -c 2 -r 48000 -d 2 /out/cap-mic.wav 2>/out/cap-mic.err
echo "mic $?" >>/out/status.txt
arecord -D hw:0,0 -f S16_LE -c 2 -r 8000 -d 2 /tmp/cap8k.wav 2>/out/cap8k.err &
sleep 1
cat /proc/asound/card0/pcm0c/sub0/hw_params >/out/hw8k.txt
cat /proc/asound/card0/codec97#0/ac97#0-0+regs >/out/regs8k.txt
wait $!
echo "8k $?" >>/out/status.txt

cat /proc/asound/cards >/out/cards.txt
aplay -l >/out/aplay-l.txt 2>&1
arecord -l >/out/arecord-l.txt 2>&1
amixer -c 0 controls >/out/controls.txt
ls -l /proc/asound/card0/ich >/out/proc-mode.txt
# unload, load again: the registers and the IRQ were given back
rmmod snd-omnibus-ich || exit 1
modprobe snd-omnibus-ich || exit 1
aplay -l >/out/aplay-l-again.txt 2>&1
rmmod snd-omnibus-ich || exit 1
# the in-tree driver takes the device first: one line says why we do not
dmesg -c >/dev/null
modprobe snd-intel8x0 || exit 1
modprobe snd-omnibus-ich || exit 1
dmesg >/out/foreign.txt
amixer -c 0 controls >/out/controls-intree.txt
cat /proc/asound/cards >/out/cards-foreign.txt
rmmod snd-omnibus-ich
rmmod snd-intel8x0
exit 0
EOF
C=$PLAY_DIR
play_finished capture ich-capture-vm || true
# Every byte of each 2 s recording (arecord -d 2 reads exactly 96000
# frames; fewer fail --prefix-seconds) is the source's.  The first capture
# starts at byte 0 of the source ...
play_check ich-capture-rw-bitexact "$C/cap-rw.wav" "$OUT/in.raw" 2 --at 0
# ... later ones where the plugin stopped reading: search for them
play_check ich-capture-mmap-bitexact "$C/cap-mmap.wav" "$OUT/in.raw" 2
play_check ich-capture-mic-bitexact "$C/cap-mic.wav" "$OUT/in.raw" 2
if grep -qx 'rw 0' "$C/status.txt" 2>/dev/null &&
   grep -qx 'mmap 0' "$C/status.txt" && grep -qx 'mic 0' "$C/status.txt" &&
   grep -qx '8k 0' "$C/status.txt"; then
	pass ich-capture-arecord-ok
else
	fail ich-capture-arecord-ok "$(cat "$C/status.txt" "$C"/*.err 2>/dev/null)"
fi
# 8000 Hz: the LR ADC rate register 0x32 reads 0x1f40
if grep -q '^rate: 8000 ' "$C/hw8k.txt" 2>/dev/null &&
   grep -q '^0:32 = 1f40$' "$C/regs8k.txt"; then
	pass ich-capture-8000-vra
else
	fail ich-capture-8000-vra "$(cat "$C/hw8k.txt" 2>/dev/null; grep '^0:3[24] ' "$C/regs8k.txt" 2>/dev/null)"
fi
if grep -q '^card 0: .*device 0: ICH AC.97 ' "$C/aplay-l.txt" 2>/dev/null &&
   grep -q '^card 0: .*device 0: ICH AC.97 ' "$C/arecord-l.txt" &&
   grep -q '^card 0: .*device 1: ICH AC.97 Mic ' "$C/arecord-l.txt" &&
   ! grep -q 'device 1' "$C/aplay-l.txt"; then
	pass ich-pcm-devices
else
	fail ich-pcm-devices "$(cat "$C/aplay-l.txt" "$C/arecord-l.txt" 2>/dev/null)"
fi
# QEMU's STAC9700 has Master, PCM and record gain only; snd-ac97-codec
# makes the same codec controls for snd-omnibus as for snd-intel8x0
missing=""
for c in 'Master Playback Volume' 'Master Playback Switch' \
	'PCM Playback Volume' 'PCM Playback Switch' 'Capture Volume' \
	'Capture Switch' 'Capture Source'; do
	grep -qF "name='$c'" "$C/controls.txt" 2>/dev/null || missing="$missing '$c'"
done
# (snd-intel8x0 adds a channel map control of its own, not the codec's)
ours=$(sed -n "s/.*name=//p" "$C/controls.txt" 2>/dev/null | sort)
intree=$(sed -n "s/.*name=//p" "$C/controls-intree.txt" 2>/dev/null |
	grep -v "^'Playback Channel Map'$" | sort)
if [ -z "$missing" ] && [ -n "$ours" ] && [ "$ours" = "$intree" ]; then
	pass ich-ac97-controls
else
	fail ich-ac97-controls "missing:$missing; ours: $(printf '%s' "$ours" |
		tr '\n' ' '); snd-intel8x0: $(printf '%s' "$intree" | tr '\n' ' ')"
fi
# DMA addresses: root only
if grep -q '^-r-------- ' "$C/proc-mode.txt" 2>/dev/null; then
	pass ich-proc-root-only
else
	fail ich-proc-root-only "$(cat "$C/proc-mode.txt" 2>/dev/null)"
fi
if grep -q 'device 0: ICH AC.97 ' "$C/aplay-l-again.txt" 2>/dev/null; then
	pass ich-reload
else
	fail ich-reload "$(cat "$C/aplay-l-again.txt" 2>/dev/null)"
fi
n=$(grep -c "Intel ICH AC'97 is driven by snd_intel8x0, not snd_omnibus_ich" \
	"$C/foreign.txt" 2>/dev/null || true)
# exactly one card: the in-tree driver's
if [ "$n" = 1 ] && [ "$(grep -c '^ *[0-9]* \[' "$C/cards-foreign.txt")" = 1 ]; then
	pass ich-foreign-driver-message
else
	fail ich-foreign-driver-message "$(grep -i -e omnibus -e intel8x0 "$C/foreign.txt" 2>/dev/null)"
fi

# --- kernel log -------------------------------------------------------------
# the driver itself logs nothing when all goes well (the PIRQ router of
# the debug kernel, booted with acpi=noirq, names the device it routes:
# "found PCI INT A -> IRQ 11")
play_dmesg_clean ich-dmesg-clean 'snd_omnibus_ich ' 'is driven by|PCI INT [A-D] -> IRQ'

test_done
