#!/bin/bash
#
# t-wss.sh - the WSS backend of snd-omnibus (snd-omnibus-wss) under
# QEMU's -device cs4231a (a CS4231A at 0x534, irq=5 given to QEMU: its
# default IRQ 9 is the ACPI SCI of -M pc; DMA 3; no ADC, timer or PIO):
#
#  - the codec is found at port=0x534 and named CS4231A (mode 2, version
#    0xa0), the card and its resources are listed, and unloading gives
#    back every port, IRQ and DMA channel;
#  - noise comes out of -audiodev wav byte for byte at 44.1 kHz (S16_LE
#    stereo read/write and mmap, S16_LE mono, S16_BE stereo), 48 kHz
#    (S16_LE stereo) and 8 kHz (S16_LE mono); U8 mono and stereo, mu-law
#    and A-law through the conversions QEMU makes (U8 x -> (x-127)*256,
#    the G.711 expansions, mono -> both channels);
#  - capture (one DMA channel, shared: SDC) starts and stops cleanly and,
#    with no ADC in QEMU, times out with an I/O error and one kernel-log
#    line; with dma2= given, capture runs beside playback on its own
#    channel, offered only the playback's rate (one clock);
#  - the mixer's controls with dB scales, set/get through the register
#    image (shown by the proc file), alsactl store/restore;
#  - suspend/resume (pm_test=devices) in the middle of a stream keeps the
#    mixer, and the next stream plays exactly;
#  - bad input: no codec at the port, irq= or dma1= missing, an IRQ in
#    use, an impossible DMA channel: one line and an errno each, nothing
#    left registered; isa_autodetect=1 finds the codec;
#  - the kernel log stays clean.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
# shellcheck source=lib/play.sh
. "$REPO/tests/lib/play.sh"
play_init wss

DEV="cs4231a,irq=5"
LOAD="modprobe snd-omnibus-wss port=0x534 irq=5 dma1=3"
D=$OUT/data
mkdir -p "$D"

play_noise "$D/s16.wav" 44100 2.5 4231
play_noise "$D/s16m.wav" 44100 2.5 4232
play_noise "$D/s16-pm.wav" 44100 3 4233
play_noise "$D/s16-resume.wav" 44100 2.5 4234
play_noise "$D/s16-48.wav" 48000 2.5 4235
# the other formats, and what QEMU makes of them (S16 stereo)
python3 - "$D" <<'EOF'
import random, struct, sys
d = sys.argv[1]

def raw(path, data):
    with open(path, "wb") as f:
        f.write(data)

def s16(values):
    return struct.pack("<%dh" % len(values), *values)

def noise(n, seed):
    return random.Random(seed).randbytes(n)

def ulaw(b):
    b = ~b & 0xff
    t = (((b & 0x0f) << 3) + 0x84) << ((b & 0x70) >> 4)
    return 0x84 - t if b & 0x80 else t - 0x84

def alaw(b):
    b ^= 0x55
    t = (b & 0x0f) << 4
    seg = (b & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if b & 0x80 else -t

def both(values):
    return [v for v in values for _ in (0, 1)]

for rate, secs, tag in ((44100, 1.5, ""), (8000, 2, "-8k")):
    n = int(rate * secs)
    # U8 never 0xFF: QEMU's mixer overflows on it
    u8m = bytes(b if b != 0xff else 0xfe for b in noise(n, 81 + rate))
    u8s = bytes(b if b != 0xff else 0xfe for b in noise(2 * n, 82 + rate))
    raw(d + "/u8m%s.raw" % tag, u8m)
    raw(d + "/u8m%s.exp" % tag, s16(both([(x - 127) * 256 for x in u8m])))
    raw(d + "/u8s%s.raw" % tag, u8s)
    raw(d + "/u8s%s.exp" % tag, s16([(x - 127) * 256 for x in u8s]))
    mu = noise(n, 83 + rate)
    raw(d + "/mulaw%s.raw" % tag, mu)
    raw(d + "/mulaw%s.exp" % tag, s16(both([ulaw(x) for x in mu])))
    al = noise(n, 84 + rate)
    raw(d + "/alaw%s.raw" % tag, al)
    raw(d + "/alaw%s.exp" % tag, s16(both([alaw(x) for x in al])))
    m = noise(2 * n, 85 + rate)
    raw(d + "/s16mono%s.raw" % tag, m)
    raw(d + "/s16mono%s.exp" % tag, s16(both(struct.unpack("<%dh" % n, m))))
# S16_BE stereo: the same samples as S16_LE
n = int(44100 * 1.5)
be = noise(4 * n, 86)
raw(d + "/s16be.raw", be)
raw(d + "/s16be.exp", s16(list(struct.unpack(">%dh" % (2 * n), be))))
EOF

files=()
for f in s16.wav s16m.wav s16-pm.wav s16-resume.wav u8m.raw u8s.raw \
	mulaw.raw alaw.raw s16mono.raw s16be.raw; do
	files+=(--file "$D/$f")
done

# --- VM 1: 44.1 kHz, the codec, formats, capture, mixer, PM, reload -----------
play_vm main "$DEV" 44100 --timeout 300 "${files[@]}" <<EOF
snap() { # what the kernel holds: ports, DMA, IRQ names
	cat /proc/ioports /proc/dma
	awk '\$1 ~ /^[0-9]+:\$/ && NF >= 5 { \$2 = ""; print }' /proc/interrupts
}
up() { cut -d' ' -f1 /proc/uptime; }
snap >/out/proc-before.txt
dmesg -c >/dev/null
$LOAD || exit 1
dmesg >/out/dmesg-load.txt
snap >/out/proc-loaded.txt
cat /proc/asound/cards >/out/cards.txt
aplay -l >/out/aplay-l.txt 2>&1
cat /proc/asound/card0/wss >/out/wss-loaded.txt

# capture: QEMU has no ADC, so nothing moves.  A 12 s buffer: stopped
# after 1.5 s, the stream is not yet overdue (no line for it)
dmesg -c >/dev/null
arecord -D hw:0,0 -f U8 -c 1 -r 5512 --buffer-size=65536 -d 30 /tmp/cap1.wav \
	2>/out/cap-stop.err &
rec=\$!
sleep 1.5
cat /proc/asound/card0/buffers >/out/buf-capture.txt
kill -KILL \$rec
wait \$rec
echo "rc=\$?" >/out/cap-stop.rc
t0=\$(up)
arecord -D hw:0,0 -f U8 -c 1 -r 22050 -d 2 /tmp/cap2.wav 2>/out/cap-timeout.err
echo "rc=\$?" >/out/cap-timeout.rc
t1=\$(up)
echo "\$t0 \$t1" >/out/cap-timeout.time
dmesg -c >/out/dmesg-capture.txt

# playback
aplay -q -D hw:0,0 /data/s16.wav 2>/out/aplay-rw.err &
sleep 1
cat /proc/asound/card0/buffers >/out/buf-play.txt
cat /proc/asound/card0/pcm0p/sub0/hw_params >/out/hw-play.txt
wait \$! && echo ok >/out/aplay-rw.ok
aplay -q -M -D hw:0,0 /data/s16m.wav 2>/out/aplay-mmap.err && echo ok >/out/aplay-mmap.ok
for f in u8m:U8:1 u8s:U8:2 mulaw:MU_LAW:1 alaw:A_LAW:1 s16mono:S16_LE:1 s16be:S16_BE:2; do
	n=\${f%%:*}; r=\${f#*:}; fmt=\${r%%:*}; ch=\${r#*:}
	aplay -q -D hw:0,0 -t raw -f \$fmt -c \$ch -r 44100 /data/\$n.raw \
		2>/out/aplay-\$n.err && echo ok >/out/aplay-\$n.ok
done

# half duplex on one channel: capture while playback holds it
aplay -q -D hw:0,0 /data/s16-pm.wav 2>/dev/null &
play=\$!
sleep 0.5
arecord -D hw:0,0 -f S16_LE -c 2 -r 44100 -d 1 /tmp/x.wav >/out/duplex.err 2>&1
echo "rc=\$?" >>/out/duplex.err
wait \$play

# mixer
amixer -c 0 controls >/out/controls.txt
amixer -c 0 cget name='PCM Playback Volume' >/out/pcm-default.txt
amixer -c 0 cget name='Aux Playback Volume' >/out/aux-default.txt
amixer -c 0 cget name='Capture Source' >/out/source-default.txt
alsactl -f /tmp/asound.state store
amixer -c 0 -q cset name='PCM Playback Volume' 40,50
amixer -c 0 -q cset name='Aux Playback Switch',index=1 on,off
amixer -c 0 -q cset name='Capture Source' Mic,Mix
amixer -c 0 -q cset name='Capture Volume' 5,12
amixer -c 0 -q cset name='Mic Boost (+20dB) Switch' on,off
amixer -c 0 -q cset name='Loopback Capture Volume' 60
amixer -c 0 -q cset name='Loopback Capture Switch' on
amixer -c 0 -q cset name='Line Playback Volume' 3,31
amixer -c 0 -q cset name='Beep Playback Volume' 10
amixer -c 0 cget name='PCM Playback Volume' >/out/pcm-set.txt
amixer -c 0 cget name='Capture Source' >/out/source-set.txt
cat /proc/asound/card0/wss >/out/wss-mixer-set.txt
alsactl -f /tmp/asound.state restore
cat /proc/asound/card0/wss >/out/wss-mixer-restored.txt

# suspend in the middle of a stream, then play again
amixer -c 0 -q cset name='PCM Playback Volume' 33,44
echo devices >/sys/power/pm_test
aplay -q -D hw:0,0 /data/s16-pm.wav 2>/out/aplay-suspend.err &
sleep 1
echo mem >/sys/power/state
echo "suspend \$?" >/out/pm.txt
wait \$!
echo "aplay \$?" >>/out/pm.txt
amixer -c 0 cget name='PCM Playback Volume' >/out/pcm-after-resume.txt
cat /proc/asound/card0/wss >/out/wss-resumed.txt
aplay -q -D hw:0,0 /data/s16-resume.wav 2>/out/aplay-resume.err && echo ok >/out/aplay-resume.ok

# unload: nothing left
rmmod snd-omnibus-wss snd-omnibus-core || exit 1
snap >/out/proc-unloaded.txt
exit 0
EOF
V=$PLAY_DIR
if play_finished main wss-main-vm 40; then
	if grep -q ']: CS4231A - CS4231A$' "$V/cards.txt" &&
	   grep -q 'CS4231A at 0x534, irq 5, dma 3$' "$V/cards.txt" &&
	   grep -q '^card 0: CS4231A \[CS4231A\], device 0: WSS \[CS4231A\]' "$V/aplay-l.txt" &&
	   grep -q '^CS4231A at 0x534, mode 2, version 0xa0$' "$V/wss-loaded.txt" &&
	   grep -q '^ *0534-0537 : snd-omnibus WSS' "$V/proc-loaded.txt" &&
	   grep -q '^ 3: WSS playback' "$V/proc-loaded.txt" &&
	   grep -q '^5: .* snd-omnibus WSS$' "$V/proc-loaded.txt" &&
	   grep -q 'snd_omnibus_wss snd_omnibus_wss.0: CS4231A at 0x534, irq 5, dma 3, mode 2$' "$V/dmesg-load.txt"; then
		pass wss-card-and-resources
	else
		fail wss-card-and-resources "$(cat "$V/cards.txt" "$V/aplay-l.txt" "$V/wss-loaded.txt" "$V/dmesg-load.txt")"
	fi
	if diff -u "$V/proc-before.txt" "$V/proc-unloaded.txt" >"$OUT/proc.diff"; then
		pass wss-unload-gives-everything-back
	else
		fail wss-unload-gives-everything-back "$(cat "$OUT/proc.diff")"
	fi

	# --- capture ---
	if grep -qx 'rc=137' "$V/cap-stop.rc" &&
	   grep -q 'c0: preallocated 65536 bytes .*in use' "$V/buf-capture.txt"; then
		pass wss-capture-clean-start-stop
	else
		fail wss-capture-clean-start-stop "$(cat "$V/cap-stop.rc" "$V/buf-capture.txt")"
	fi
	read -r t0 t1 <"$V/cap-timeout.time"
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	lines=$(grep -c . "$V/dmesg-capture.txt" || true)
	if grep -q 'read error: Input/output error' "$V/cap-timeout.err" &&
	   grep -qx 'rc=1' "$V/cap-timeout.rc" &&
	   awk -v s="$secs" 'BEGIN { exit !(s >= 0.1 && s <= 14) }' &&
	   [ "$lines" = 1 ] &&
	   grep -q 'snd_omnibus_wss snd_omnibus_wss.0: capture stopped after [0-9]* ms without an interrupt: no data moved (DMA channel 3, IRQ 5)$' "$V/dmesg-capture.txt"; then
		pass wss-capture-timeout-clean
		echo "    capture without an ADC ended after $secs s: $(grep 'read error' "$V/cap-timeout.err")"
	else
		fail wss-capture-timeout-clean "after $secs s: $(cat "$V/cap-timeout.err" "$V/cap-timeout.rc" "$V/dmesg-capture.txt")"
	fi

	# --- playback ---
	play_check_if "$V/aplay-rw.ok" ok "$V/aplay-rw.err" \
		wss-s16-stereo-rw-bitexact "$D/s16.wav" "$V/out.wav" 2
	play_check_if "$V/aplay-mmap.ok" ok "$V/aplay-mmap.err" \
		wss-s16-stereo-mmap-bitexact "$D/s16m.wav" "$V/out.wav" 2
	for n in u8m u8s mulaw alaw s16mono s16be; do
		play_check_if "$V/aplay-$n.ok" ok "$V/aplay-$n.err" \
			"wss-$n-44100-through-qemu-conversion" "$D/$n.exp" "$V/out.wav" 1
	done
	if grep -q '^rate: 44100 (44100/1)' "$V/hw-play.txt" &&
	   python3 - "$V/buf-play.txt" <<'PY'
import re, sys
m = re.search(r"p0: preallocated (\d+) bytes .*in use (\d+) bytes at (0x[0-9a-f]+)",
              open(sys.argv[1]).read())
addr, size = int(m.group(3), 16), int(m.group(2))
sys.exit(0 if addr + size <= 0x1000000 and addr >> 16 == (addr + size - 1) >> 16 else 1)
PY
	then
		pass wss-buffer-below-16m-one-page
	else
		fail wss-buffer-below-16m-one-page "$(cat "$V/hw-play.txt" "$V/buf-play.txt")"
	fi
	if grep -q 'Device or resource busy' "$V/duplex.err"; then
		pass wss-one-channel-one-direction
	else
		fail wss-one-channel-one-direction "$(cat "$V/duplex.err")"
	fi

	# --- mixer ---
	missing=""
	for c in 'PCM Playback Switch' 'PCM Playback Volume' 'Aux Playback Switch' \
		'Aux Playback Volume' 'Capture Volume' 'Capture Source' \
		'Mic Boost (+20dB) Switch' 'Loopback Capture Switch' \
		'Loopback Capture Volume' 'Line Playback Switch' 'Line Playback Volume' \
		'Beep Playback Switch' 'Beep Playback Volume' 'Mono Output Playback Switch'; do
		grep -qF "name='$c'" "$V/controls.txt" || missing="$missing '$c'"
	done
	if [ -z "$missing" ] &&
	   grep -q "numid=.*,iface=MIXER,name='Aux Playback Volume',index=1" "$V/controls.txt"; then
		pass wss-controls-listed
	else
		fail wss-controls-listed "missing:$missing"
	fi
	if grep -q 'dBscale-min=-94.50dB,step=1.50dB' "$V/pcm-default.txt" &&
	   grep -q ': values=63,63' "$V/pcm-default.txt" &&
	   grep -q 'dBscale-min=-34.50dB,step=1.50dB' "$V/aux-default.txt" &&
	   grep -q ': values=23,23' "$V/aux-default.txt" &&
	   grep -q ': values=0,0' "$V/source-default.txt"; then
		pass wss-mixer-defaults-db
	else
		fail wss-mixer-defaults-db "$(cat "$V/pcm-default.txt" "$V/aux-default.txt" "$V/source-default.txt")"
	fi
	# PCM 40,50 -> attenuation 23,13; Aux 2 on,off -> 0x08,0x88;
	# source Mic,Mix + boost on,off + gain 5,12 -> 0xa5,0xcc;
	# loopback 60 on -> 3 << 2 | 1; Line 3,31 -> muted 0x9c,0x80;
	# beep 10 -> mono 0x85
	if grep -q ': values=40,50' "$V/pcm-set.txt" &&
	   grep -q ': values=2,3' "$V/source-set.txt" &&
	   grep -q '^I0  0xa5 *0xa5$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I1  0xcc *0xcc$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I4  0x08 *0x08$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I5  0x88 *0x88$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I6  0x17 *0x17$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I7  0x0d *0x0d$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I13 0x0d *0x0d$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I18 0x9c *0x9c$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I19 0x80 *0x80$' "$V/wss-mixer-set.txt" &&
	   grep -q '^I26 0x85 *0x85$' "$V/wss-mixer-set.txt"; then
		pass wss-mixer-roundtrip
	else
		fail wss-mixer-roundtrip "$(cat "$V/pcm-set.txt" "$V/source-set.txt" "$V/wss-mixer-set.txt")"
	fi
	if grep -q '^I0  0x00 *0x00$' "$V/wss-mixer-restored.txt" &&
	   grep -q '^I6  0x00 *0x00$' "$V/wss-mixer-restored.txt" &&
	   grep -q '^I13 0x00 *0x00$' "$V/wss-mixer-restored.txt" &&
	   grep -q '^I26 0x80 *0x80$' "$V/wss-mixer-restored.txt"; then
		pass wss-alsactl-restore
	else
		fail wss-alsactl-restore "$(cat "$V/wss-mixer-restored.txt")"
	fi

	# --- power ---
	if grep -qx 'suspend 0' "$V/pm.txt" && grep -qx 'aplay 0' "$V/pm.txt" &&
	   grep -q ': values=33,44' "$V/pcm-after-resume.txt" &&
	   grep -q '^I6  0x1e *0x1e$' "$V/wss-resumed.txt" &&
	   grep -q '^I12 0x40 *0xca$' "$V/wss-resumed.txt" &&
	   grep -q 'PM: suspend exit' "$V/dmesg.txt"; then
		pass wss-suspend-resume
	else
		fail wss-suspend-resume "$(cat "$V/pm.txt" "$V/aplay-suspend.err" "$V/pcm-after-resume.txt" 2>/dev/null)"
	fi
	play_check_if "$V/aplay-resume.ok" ok "$V/aplay-resume.err" \
		wss-after-resume-bitexact "$D/s16-resume.wav" "$V/out.wav" 2
fi

# --- VM 2: 48 kHz, two DMA channels --------------------------------------------
play_vm rate48 "$DEV" 48000 --timeout 200 --file "$D/s16-48.wav" <<EOF
modprobe snd-omnibus-wss port=0x534 irq=5 dma1=3 dma2=1 || exit 1
cat /proc/asound/cards >/out/cards.txt
cat /proc/dma >/out/dma.txt
aplay -q -D hw:0,0 /data/s16-48.wav 2>/out/aplay.err &
play=\$!
sleep 0.5
dmesg -c >/dev/null
# U8 mono, a 1.4 s buffer: the ALSA core gives up on it after 1.1 times that
arecord -D hw:0,0 -f U8 -c 1 -r 44100 --buffer-size=65536 -d 1 /tmp/x.wav \
	>/out/rate44.err 2>&1 &
rec=\$!
sleep 0.5
cat /proc/asound/card0/pcm0c/sub0/hw_params >/out/rate44-hw.txt
wait \$rec
echo "rc=\$?" >>/out/rate44.err
dmesg -c >/out/dmesg-rate44.txt
wait \$play && echo ok >/out/aplay.ok
exit 0
EOF
V=$PLAY_DIR
if play_finished rate48 wss-rate48-vm 40; then
	play_check_if "$V/aplay.ok" ok "$V/aplay.err" \
		wss-s16-48000-bitexact "$D/s16-48.wav" "$V/out.wav" 2
	if grep -q 'CS4231A at 0x534, irq 5, dma 3&1$' "$V/cards.txt" &&
	   grep -q '^ 1: WSS capture' "$V/dma.txt" &&
	   grep -q 'requested = 44100Hz, got = 48000Hz' "$V/rate44.err" &&
	   grep -q '^rate: 48000 ' "$V/rate44-hw.txt" &&
	   grep -q 'read error: Input/output error' "$V/rate44.err" &&
	   grep -q 'snd_omnibus_wss.0: capture stopped after [0-9]* ms without an interrupt: no data moved (DMA channel 1, IRQ 5)$' "$V/dmesg-rate44.txt"; then
		pass wss-two-channels-one-clock
	else
		fail wss-two-channels-one-clock "$(cat "$V/cards.txt" "$V/dma.txt" "$V/rate44.err" "$V/rate44-hw.txt" "$V/dmesg-rate44.txt")"
	fi
fi

# --- VM 3: 8 kHz; bad input; autodetect ----------------------------------------------
files=()
for f in u8m-8k.raw u8s-8k.raw mulaw-8k.raw alaw-8k.raw s16mono-8k.raw; do
	files+=(--file "$D/$f")
done
play_vm rate8 "$DEV" 8000 --timeout 200 "${files[@]}" <<EOF
snap() {
	cat /proc/ioports /proc/dma
	awk '\$1 ~ /^[0-9]+:\$/ && NF >= 5 { \$2 = ""; print }' /proc/interrupts
	cat /proc/asound/cards
}
modprobe snd-pcm
snap >/out/proc-before.txt
# bad input: each load fails with one line and leaves nothing
try() {
	dmesg -c >/dev/null
	modprobe snd-omnibus-wss "\$@" 2>/dev/null
	echo "rc=\$?" >/out/bad-\$n.txt
	dmesg | grep -v -e 'snd_omnibus_core' >>/out/bad-\$n.txt
	rmmod snd-omnibus-core 2>/dev/null
	snap >/out/proc-bad-\$n.txt
}
n=noport; try port=0xf44 irq=5 dma1=3
n=noirq; try port=0x534 dma1=3
n=nodma; try port=0x534 irq=5
n=baddma; try port=0x534 irq=5 dma1=5
n=irqbusy; try port=0x534 irq=9 dma1=3
dmesg -c >/dev/null
modprobe snd-omnibus-wss isa_autodetect=1 irq=5 dma1=3 || exit 1
dmesg >/out/dmesg-autodetect.txt
for f in u8m-8k:U8:1 u8s-8k:U8:2 mulaw-8k:MU_LAW:1 alaw-8k:A_LAW:1 s16mono-8k:S16_LE:1; do
	n=\${f%%:*}; r=\${f#*:}; fmt=\${r%%:*}; ch=\${r#*:}
	aplay -q -D hw:0,0 -t raw -f \$fmt -c \$ch -r 8000 /data/\$n.raw \
		2>/out/aplay-\$n.err && echo ok >/out/aplay-\$n.ok
done
rmmod snd-omnibus-wss snd-omnibus-core
exit 0
EOF
V=$PLAY_DIR
if play_finished rate8 wss-rate8-vm 40; then
	for n in u8m u8s mulaw alaw s16mono; do
		play_check_if "$V/aplay-$n-8k.ok" ok "$V/aplay-$n-8k.err" \
			"wss-$n-8000-through-qemu-conversion" "$D/$n-8k.exp" "$V/out.wav" 1
	done
	bad()
	{
		local n=$1 line=$2
		if grep -qx "rc=1" "$V/bad-$n.txt" &&
		   [ "$(grep -c 'snd_omnibus_wss' "$V/bad-$n.txt")" = 1 ] &&
		   grep -q -- "$line" "$V/bad-$n.txt" &&
		   diff -q "$V/proc-before.txt" "$V/proc-bad-$n.txt" >/dev/null; then
			pass "wss-bad-input-$n"
		else
			fail "wss-bad-input-$n" "$(cat "$V/bad-$n.txt"; diff "$V/proc-before.txt" "$V/proc-bad-$n.txt")"
		fi
	}
	bad noport 'snd_omnibus_wss.0: no WSS codec answers at 0xf44 (register test): -19$'
	bad noirq 'snd_omnibus_wss.0: irq= not given for the codec at 0x534: a WSS codec cannot tell it, set irq=: -22$'
	bad nodma 'snd_omnibus_wss.0: dma1= not given for the codec at 0x534: a WSS codec cannot tell it, set dma1=: -22$'
	bad baddma 'snd_omnibus_wss: dma1=5 (card 0) is not an 8-bit DMA channel of a WSS codec (0, 1, 3): -22$'
	bad irqbusy 'snd_omnibus_wss.0: IRQ 9 is in use (see /proc/interrupts): -16$'
	if grep -q 'snd_omnibus_wss.0: CS4231A at 0x534, irq 5, dma 3, mode 2, found by isa_autodetect$' "$V/dmesg-autodetect.txt"; then
		pass wss-isa-autodetect
	else
		fail wss-isa-autodetect "$(cat "$V/dmesg-autodetect.txt")"
	fi
fi

play_dmesg_clean wss-dmesg-clean 'snd_omnibus_wss .*: (cannot|did not|out of)'

test_done
