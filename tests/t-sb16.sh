#!/bin/bash
#
# t-sb16.sh - the ISA Sound Blaster 16 backend of snd-omnibus on Debian's
# amd64 kernel, under QEMU's -M pc -device sb16 (DSP 4.05 at 0x220, IRQ 5,
# DMA 1 and 5):
#
#  - with explicit port/irq/dma8/dma16: 44.1 kHz S16_LE stereo noise comes
#    out of -audiodev wav byte for byte, read/write and mmap; S16 mono,
#    U8 mono and stereo, S8 and U16 through the conversions of QEMU's
#    mixing engine (U8 x -> (x-127)*256, S8 x -> x*256, U16 x -> x-32767,
#    mono -> both channels), each found in the output; the 8-bit formats
#    take the 8-bit DMA channel, the 16-bit ones the 16-bit channel;
#  - each direction pre-allocates 64 KiB (prealloc_max 128 KiB, as
#    snd-sb16); raised to 128 KiB through the prealloc file, a 128 KiB
#    capture buffer is the pre-allocated one;
#  - the buffers (/proc/asound/card0/buffers) lie below 16 MiB and within
#    one 64 KiB (8-bit) or 128 KiB (16-bit) page of the DMA controller;
#  - capture (QEMU has no SB16 ADC: no data, no interrupt) starts and stops
#    cleanly (arecord killed); without interrupts the ALSA core gives up after
#    about a buffer's time (10 s before Linux 6.x), arecord ends with "read
#    error: Input/output error", and the driver logs one line saying that
#    no interrupt came (the ALSA core's own timeout message is a debug one);
#  - playback and capture together: while S16 plays, capture is offered
#    U8/S8 at 44100 Hz only (and S16 while U8 plays), as hw_params shows;
#  - the CT1745 controls: standard names, dB scales, values reach the
#    chip's registers, alsactl store/restore;
#  - unload leaves /proc/ioports, /proc/dma, /proc/interrupts clean, and a
#    reload with port=0x220 alone reads IRQ and DMA from the card;
#  - with dma16=-1 the card has the 8-bit channel only: U8 plays, S16 is
#    not offered;
#  - isa_autodetect=1 finds the card; S16 plays byte for byte (rw, mmap),
#    also across a 1 s pause in the middle (tests/guest/pcm-pause.c: the
#    PAUSE ioctl, which aplay offers only on a terminal); suspend/resume in
#    the middle of a stream restores the mixer and the next stream plays
#    exactly;
#  - with ZONE_DMA nearly all reserved (memmap=), pre-allocation falls back
#    to smaller buffers, hw_params keeps to them and playback stays exact;
#    capture left without memory fails hw_params with ENOMEM and one line;
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
play_init sb16

# --- signals and what QEMU's mixing engine makes of them -------------------
# S16 stereo is passed through; the others are converted (see the header).
# Each file is longer than what is compared: QEMU drops the last few
# hundred frames of a stream when the guest stops it.
D=$OUT/data
mkdir -p "$D"
play_noise "$D/s16.wav" 44100 2.5 1601
play_noise "$D/s16m.wav" 44100 2.5 1602
play_noise "$D/s16-long.wav" 44100 4 1603
play_noise "$D/s16-pm.wav" 44100 3 1604
play_noise "$D/s16-pause.wav" 44100 2.5 1605
gcc -static -O2 -o "$D/pcm-pause" "$REPO/tests/guest/pcm-pause.c"
python3 - "$D" <<'EOF'
import random, struct, sys
d = sys.argv[1]
RATE = 44100

def wav(path, channels, bits, data):
    align = channels * bits // 8
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
                + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, RATE,
                                        RATE * align, align, bits)
                + b"data" + struct.pack("<I", len(data)) + data)

def raw(path, data):
    with open(path, "wb") as f:
        f.write(data)

def s16(values):
    return struct.pack("<%dh" % len(values), *values)

def noise(n, seed):
    return random.Random(seed).randbytes(n)

frames = int(RATE * 1.5)
# U8 never 0xFF: QEMU's mixer overflows on it
u8m = bytes(b if b != 0xff else 0xfe for b in noise(frames, 81))
u8s = bytes(b if b != 0xff else 0xfe for b in noise(frames * 2, 82))
wav(d + "/u8m.wav", 1, 8, u8m)
wav(d + "/u8s.wav", 2, 8, u8s)
raw(d + "/u8m.exp", s16([(x - 127) * 256 for x in u8m for _ in (0, 1)]))
raw(d + "/u8s.exp", s16([(x - 127) * 256 for x in u8s]))
# S8 stereo, raw
s8 = noise(frames * 2, 83)
raw(d + "/s8.raw", s8)
raw(d + "/s8.exp", s16([(x - 256 if x > 127 else x) * 256 for x in s8]))
# U16 stereo, raw, never 0xffff (the same overflow)
u16 = [v if v != 0xffff else 0xfffe
       for v in struct.unpack("<%dH" % (frames * 2), noise(frames * 4, 84))]
raw(d + "/u16.raw", struct.pack("<%dH" % len(u16), *u16))
raw(d + "/u16.exp", s16([v - 32767 for v in u16]))
# S16 mono: duplicated into both channels
m = noise(frames * 2, 85)
raw(d + "/s16mono.raw", m)
mv = struct.unpack("<%dh" % frames, m)
raw(d + "/s16mono.exp", s16([v for v in mv for _ in (0, 1)]))
EOF

# buffers_ok FILE BITS: the "in use" line of p0 (or c0) in a copy of
# /proc/asound/card0/buffers lies below 16 MiB, within one page of the
# 8237 (64 KiB for 8-bit, 128 KiB for 16-bit channels).
buffers_ok()
{
	python3 - "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
page = 65536 if sys.argv[2] == "8" else 131072
m = re.search(r"[pc]0: preallocated (\d+) bytes .*in use (\d+) bytes at (0x[0-9a-f]+)", text)
if not m:
    print("no buffer in use in %s:\n%s" % (sys.argv[1], text))
    sys.exit(1)
pre, size, addr = int(m.group(1)), int(m.group(2)), int(m.group(3), 16)
last = addr + size - 1
ok = last < 0x1000000 and addr // page == last // page
print("%d-byte buffer at 0x%x-0x%x (pre-allocated %d): %s" % (
    size, addr, last, pre,
    "below 16 MiB, within one %d KiB page" % (page // 1024) if ok else
    "OUT OF THE 8237's REACH"))
sys.exit(0 if ok else 1)
EOF
}

# --- VM 1: explicit parameters ----------------------------------------------
play_vm explicit sb16 - --timeout 240 \
	--file "$D/s16.wav" --file "$D/s16m.wav" --file "$D/s16-long.wav" \
	--file "$D/u8m.wav" --file "$D/u8s.wav" --file "$D/s8.raw" \
	--file "$D/u16.raw" --file "$D/s16mono.raw" <<'EOF'
snap() { # what the kernel holds: ports, DMA, IRQ names
	cat /proc/ioports /proc/dma
	awk '$1 ~ /^[0-9]+:$/ && NF >= 5 { $2 = ""; print }' /proc/interrupts
}
up() { cut -d' ' -f1 /proc/uptime; }
snap >/out/proc-before.txt
modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 || exit 1
snap >/out/proc-loaded.txt
cat /proc/asound/cards >/out/cards.txt
aplay -l >/out/aplay-l.txt 2>&1
cat /proc/asound/card0/sb16 >/out/sb16-loaded.txt
# 64 KiB pre-allocated per direction, as snd-sb16 does; the 16-bit
# channel's 128 KiB page is the most the prealloc file takes: raise it
for d in p c; do
	f=/proc/asound/card0/pcm0$d/sub0/prealloc
	echo "$d $(cat $f) $(cat ${f}_max)" >>/out/prealloc-default.txt
	echo 128 >$f
	echo "$d $(cat $f)" >>/out/prealloc-raised.txt
done

# capture first, while QEMU's DSP has never run a DMA command: after one,
# QEMU's "continue DMA" would replay that playback, capture buffer as data
dmesg -c >/dev/null
# a 13 s buffer: the ALSA core waits that long before it gives up
arecord -D hw:0,0 -f S16_LE -c 1 -r 5000 --buffer-size=65536 -d 30 \
	/tmp/cap1.wav 2>/out/cap-stop.err &
rec=$!
sleep 2
cat /proc/asound/card0/sb16 >/out/sb16-capturing.txt
cat /proc/asound/card0/buffers >/out/buf-capture.txt
# (arecord's SIGINT handler lets the blocked read run on to the timeout)
kill -KILL $rec
wait $rec
echo "rc=$?" >/out/cap-stop.rc
cat /proc/asound/card0/sb16 >/out/sb16-cap-stopped.txt
t0=$(up)
arecord -D hw:0,0 -f U8 -c 1 -r 22050 -d 2 /tmp/cap2.wav 2>/out/cap-timeout.err
echo "rc=$?" >/out/cap-timeout.rc
t1=$(up)
echo "$t0 $t1" >/out/cap-timeout.time
cat /proc/asound/card0/sb16 >/out/sb16-cap-timeout.txt
dmesg -c >/out/dmesg-capture.txt

# playback: S16 stereo read/write and mmap, with the buffers in use
aplay -q -D hw:0,0 /data/s16.wav 2>/out/aplay-rw.err &
sleep 1
cat /proc/asound/card0/buffers >/out/buf-s16-rw.txt
cat /proc/asound/card0/sb16 >/out/sb16-s16.txt
wait $! && echo ok >/out/aplay-rw.ok
aplay -q -M -D hw:0,0 /data/s16m.wav 2>/out/aplay-mmap.err &
sleep 1
cat /proc/asound/card0/buffers >/out/buf-s16-mmap.txt
wait $! && echo ok >/out/aplay-mmap.ok
# the other formats: 8-bit on the 8-bit channel, 16-bit on the 16-bit one
aplay -q -D hw:0,0 /data/u8m.wav 2>/out/aplay-u8m.err &
sleep 0.7
cat /proc/asound/card0/sb16 >/out/sb16-u8.txt
cat /proc/asound/card0/buffers >/out/buf-u8.txt
wait $! && echo ok >/out/aplay-u8m.ok
aplay -q -M -D hw:0,0 /data/u8s.wav 2>/out/aplay-u8s.err && echo ok >/out/aplay-u8s.ok
aplay -q -D hw:0,0 -t raw -f S8 -c 2 -r 44100 /data/s8.raw 2>/out/aplay-s8.err &&
	echo ok >/out/aplay-s8.ok
aplay -q -D hw:0,0 -t raw -f U16_LE -c 2 -r 44100 /data/u16.raw 2>/out/aplay-u16.err &&
	echo ok >/out/aplay-u16.ok
aplay -q -D hw:0,0 -t raw -f S16_LE -c 1 -r 44100 /data/s16mono.raw \
	2>/out/aplay-s16mono.err && echo ok >/out/aplay-s16mono.ok

# both directions: the free channel's formats, the running rate
aplay -q -D hw:0,0 /data/s16-long.wav 2>/out/aplay-long.err &
play=$!
sleep 0.5
arecord -D hw:0,0 --dump-hw-params -f S16_LE -c 2 -r 44100 -d 1 /tmp/x.wav \
	>/out/duplex-s16.txt 2>&1
arecord -D hw:0,0 -f U8 -c 1 -r 22050 --buffer-size=65536 -d 5 /tmp/y.wav \
	2>/out/duplex-u8.err &
rec=$!
sleep 0.7
cat /proc/asound/card0/sb16 >/out/sb16-duplex.txt
kill -KILL $rec
wait $rec
wait $play
echo "rc=$?" >/out/aplay-long.rc
aplay -q -D hw:0,0 -d 3 /data/u8m.wav 2>/dev/null &
play=$!
sleep 0.5
arecord -D hw:0,0 --dump-hw-params -f U8 -c 1 -r 44100 -d 1 /tmp/z.wav \
	>/out/duplex-u8play.txt 2>&1
wait $play

# mixer
amixer -c 0 controls >/out/controls.txt
amixer -c 0 cget name='Master Playback Volume' >/out/master-default.txt
amixer -c 0 cget name='PCM Playback Volume' >/out/pcm-default.txt
amixer -c 0 cget name='Tone Control - Bass' >/out/bass-default.txt
alsactl -f /tmp/asound.state store
amixer -c 0 -q cset name='Master Playback Volume' 20,28
amixer -c 0 -q cset name='Line Capture Switch' off,on
amixer -c 0 -q cset name='Mic Capture Switch' on
amixer -c 0 -q cset name='Tone Control - Bass' 10,5
amixer -c 0 -q cset name='Mic Auto Gain Switch' off
amixer -c 0 -q cset name='Capture Volume' 2,3
amixer -c 0 -q cset name='Beep Playback Volume' 3
amixer -c 0 cget name='Master Playback Volume' >/out/master-set.txt
amixer -c 0 cget name='Line Capture Switch' >/out/line-cap-set.txt
cat /proc/asound/card0/sb16 >/out/sb16-mixer-set.txt
alsactl -f /tmp/asound.state restore
cat /proc/asound/card0/sb16 >/out/sb16-mixer-restored.txt

# unload: nothing left; reload with the port alone
rmmod snd-omnibus-sb16 || exit 1
snap >/out/proc-unloaded.txt
dmesg -c >/dev/null
modprobe snd-omnibus-sb16 port=0x220 || exit 1
dmesg >/out/dmesg-reload.txt
cat /proc/asound/card0/sb16 >/out/sb16-reload.txt
aplay -l >/out/aplay-l-reload.txt 2>&1
rmmod snd-omnibus-sb16 || exit 1
# no 16-bit channel: 8-bit formats only, one direction at a time
modprobe snd-omnibus-sb16 port=0x220 dma16=-1 || exit 1
cat /proc/asound/cards /proc/asound/card0/sb16 >/out/sb16-no16.txt
snap >/out/proc-no16.txt
aplay -q -D hw:0,0 /data/u8m.wav 2>/out/no16-u8.err && echo ok >/out/no16-u8.ok
aplay -q -D hw:0,0 /data/s16.wav >/out/no16-s16.err 2>&1
rmmod snd-omnibus-sb16 || exit 1
snap >/out/proc-unloaded2.txt
exit 0
EOF
V=$PLAY_DIR
if play_finished explicit sb16-explicit-vm 40; then
	if grep -q ']: SB16 - Sound Blaster 16$' "$V/cards.txt" &&
	   grep -q 'Sound Blaster 16 at 0x220, irq 5, dma 1&5' "$V/cards.txt" &&
	   grep -q '^card 0: .*device 0: SB16 DSP \[DSP v4.05\]' "$V/aplay-l.txt" &&
	   grep -q '^IRQ 5 (irq=)' "$V/sb16-loaded.txt" &&
	   grep -q '^ *0220-022f : snd-omnibus SB16' "$V/proc-loaded.txt" &&
	   grep -q '^ 1: SB16 8-bit' "$V/proc-loaded.txt" &&
	   grep -q '^ 5: SB16 16-bit' "$V/proc-loaded.txt" &&
	   grep -q '^5: .* snd-omnibus SB16$' "$V/proc-loaded.txt"; then
		pass sb16-explicit-card-and-resources
	else
		fail sb16-explicit-card-and-resources "$(cat "$V/cards.txt" "$V/aplay-l.txt" "$V/proc-loaded.txt")"
	fi

	# --- pre-allocation: 64 KiB by default, raised to 128 KiB ---
	if [ "$(tr '\n' ' ' <"$V/prealloc-default.txt")" = "p 64 128 c 64 128 " ] &&
	   [ "$(tr '\n' ' ' <"$V/prealloc-raised.txt")" = "p 128 c 128 " ] &&
	   grep -q 'c0: preallocated 131072 bytes .*in use 131072 bytes at .*(pre-allocated)' \
		"$V/buf-capture.txt"; then
		pass sb16-prealloc-64k-default-128k-raised
	else
		fail sb16-prealloc-64k-default-128k-raised "$(cat "$V/prealloc-default.txt" \
			"$V/prealloc-raised.txt" "$V/buf-capture.txt")"
	fi

	# --- capture: no ADC in QEMU ---
	if grep -q '^16-bit DMA 5: capture, 5000 Hz, .*running' "$V/sb16-capturing.txt" &&
	   grep -qx 'rc=137' "$V/cap-stop.rc" &&
	   grep -q '^16-bit DMA 5: free' "$V/sb16-cap-stopped.txt" &&
	   buffers_ok "$V/buf-capture.txt" 16 >/dev/null; then
		pass sb16-capture-clean-start-stop
	else
		fail sb16-capture-clean-start-stop "$(cat "$V/sb16-capturing.txt" "$V/cap-stop.rc" "$V/sb16-cap-stopped.txt")"
	fi
	read -r t0 t1 <"$V/cap-timeout.time"
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# one line for the run that timed out, none for the one stopped early
	lines=$(grep -c . "$V/dmesg-capture.txt" || true)
	if grep -q 'read error: Input/output error' "$V/cap-timeout.err" &&
	   grep -qx 'rc=1' "$V/cap-timeout.rc" &&
	   awk -v s="$secs" 'BEGIN { exit !(s >= 0.1 && s <= 14) }' &&
	   [ "$lines" = 1 ] &&
	   grep -q 'snd_omnibus_isa snd_omnibus_isa.0: capture stopped after [0-9]* ms without an interrupt: no data moved (DMA channel 1, IRQ 5)$' "$V/dmesg-capture.txt" &&
	   grep -q '^8-bit DMA 1: free' "$V/sb16-cap-timeout.txt"; then
		pass sb16-capture-timeout-clean
		echo "    capture without interrupts ended after $secs s: $(grep 'read error' "$V/cap-timeout.err")"
		sed 's/^/    dmesg: /' "$V/dmesg-capture.txt"
	else
		fail sb16-capture-timeout-clean "after $secs s: $(cat "$V/cap-timeout.err" "$V/cap-timeout.rc" "$V/dmesg-capture.txt")"
	fi

	# --- playback ---
	for run in rw mmap; do
		f=s16.wav
		[ $run = mmap ] && f=s16m.wav
		play_check_if "$V/aplay-$run.ok" ok "$V/aplay-$run.err" \
			"sb16-s16-stereo-$run-bitexact" "$D/$f" "$V/out.wav" 2
		check "sb16-buffer-below-16m-s16-$run" buffers_ok "$V/buf-s16-$run.txt" 16
	done
	check sb16-buffer-below-16m-u8 buffers_ok "$V/buf-u8.txt" 8
	for fmt in u8m u8s s8 u16 s16mono; do
		play_check_if "$V/aplay-$fmt.ok" ok "$V/aplay-$fmt.err" \
			"sb16-$fmt-through-qemu-conversion" "$D/$fmt.exp" "$V/out.wav" 1
	done
	if grep -q '^16-bit DMA 5: playback, 44100 Hz, .*running' "$V/sb16-s16.txt" &&
	   grep -q '^8-bit DMA 1: free' "$V/sb16-s16.txt" &&
	   grep -q '^8-bit DMA 1: playback, 44100 Hz, .*running' "$V/sb16-u8.txt" &&
	   grep -q '^16-bit DMA 5: free' "$V/sb16-u8.txt"; then
		pass sb16-format-picks-dma-channel
	else
		fail sb16-format-picks-dma-channel "$(cat "$V/sb16-s16.txt" "$V/sb16-u8.txt")"
	fi

	# --- duplex constraints ---
	if grep -q 'Sample format non available' "$V/duplex-s16.txt" &&
	   awk '/^FORMAT:/ { f = $0 } END { exit !(f ~ /: +S8 U8$/) }' "$V/duplex-s16.txt" &&
	   grep -q '^RATE: 44100$' "$V/duplex-s16.txt" &&
	   grep -q 'rate is not accurate (requested = 22050Hz, got = 44100Hz)' "$V/duplex-u8.err" &&
	   grep -q '^8-bit DMA 1: capture, 44100 Hz' "$V/sb16-duplex.txt" &&
	   grep -q '^16-bit DMA 5: playback, 44100 Hz, .*running' "$V/sb16-duplex.txt" &&
	   grep -qx 'rc=0' "$V/aplay-long.rc" &&
	   grep -q 'Sample format non available' "$V/duplex-u8play.txt" &&
	   awk '/^FORMAT:/ { f = $0 } END { exit !(f ~ /: +S16_LE U16_LE$/) }' "$V/duplex-u8play.txt"; then
		pass sb16-duplex-constraints-visible
	else
		fail sb16-duplex-constraints-visible "$(grep -E '^(FORMAT|RATE)|non avail|accurate' "$V"/duplex-*; cat "$V/sb16-duplex.txt")"
	fi

	# --- mixer ---
	missing=""
	for c in 'Master Playback Volume' 'PCM Playback Volume' \
		'Synth Playback Volume' 'CD Playback Volume' 'Line Playback Volume' \
		'Mic Playback Volume' 'CD Playback Switch' 'Line Playback Switch' \
		'Mic Playback Switch' 'Line Capture Switch' 'CD Capture Switch' \
		'Synth Capture Switch' 'Mic Capture Switch' 'Capture Volume' \
		'Tone Control - Bass' 'Tone Control - Treble'; do
		grep -qF "name='$c'" "$V/controls.txt" || missing="$missing '$c'"
	done
	if [ -z "$missing" ]; then
		pass sb16-mixer-controls-listed
	else
		fail sb16-mixer-controls-listed "missing:$missing"
	fi
	if grep -q 'dBscale-min=-62.00dB,step=2.00dB' "$V/master-default.txt" &&
	   grep -q ': values=24,24' "$V/master-default.txt" &&
	   grep -q ': values=31,31' "$V/pcm-default.txt" &&
	   grep -q 'dBscale-min=-16.00dB,step=2.00dB' "$V/bass-default.txt" &&
	   grep -q ': values=8,8' "$V/bass-default.txt"; then
		pass sb16-mixer-defaults-db
	else
		fail sb16-mixer-defaults-db "$(cat "$V/master-default.txt" "$V/pcm-default.txt" "$V/bass-default.txt")"
	fi
	# registers 0x30.. as the chip reads them back: Master 20,28 ->
	# 0xa0,0xe0; ADC mixers: Line L off, Line R on, Mic on -> 0x01, 0x09;
	# Capture Volume 2,3 -> 0x80,0xc0; AGC off -> 0x01; Bass 10,5 ->
	# 0xa0,0x50; Beep 3 -> 0xc0
	if grep -q ': values=20,28' "$V/master-set.txt" &&
	   grep -q ': values=off,on' "$V/line-cap-set.txt" &&
	   grep -q '^0xa0 0xe0 0xf8 0xf8 0xc0 0xc0 0xc0 0xc0$' "$V/sb16-mixer-set.txt" &&
	   grep -q '^0xc0 0xc0 0xc0 0xc0 0x1e 0x01 0x09 0x80$' "$V/sb16-mixer-set.txt" &&
	   grep -q '^0xc0 0x00 0x00 0x01 0x80 0x80 0xa0 0x50$' "$V/sb16-mixer-set.txt" &&
	   grep -q 'differing from what the driver wrote: 0' "$V/sb16-mixer-set.txt"; then
		pass sb16-mixer-registers
	else
		fail sb16-mixer-registers "$(cat "$V/master-set.txt" "$V/line-cap-set.txt"; grep -A4 CT1745 "$V/sb16-mixer-set.txt")"
	fi
	if grep -q '^0xc0 0xc0 0xf8 0xf8 0xc0 0xc0 0xc0 0xc0$' "$V/sb16-mixer-restored.txt" &&
	   grep -q '^0xc0 0xc0 0xc0 0x00 0x1e 0x10 0x08 0x00$' "$V/sb16-mixer-restored.txt" &&
	   grep -q '^0x00 0x00 0x00 0x00 0x80 0x80 0x80 0x80$' "$V/sb16-mixer-restored.txt"; then
		pass sb16-alsactl-restore
	else
		fail sb16-alsactl-restore "$(grep -A4 CT1745 "$V/sb16-mixer-restored.txt")"
	fi

	# --- unload, reload ---
	if diff -u "$V/proc-before.txt" "$V/proc-unloaded.txt" >"$OUT/proc-unload.diff" &&
	   diff -u "$V/proc-before.txt" "$V/proc-unloaded2.txt" >>"$OUT/proc-unload.diff" &&
	   grep -q '^IRQ 5 (read from the card)' "$V/sb16-reload.txt" &&
	   grep -q '^DMA channels read from the card' "$V/sb16-reload.txt" &&
	   grep -q 'snd_omnibus_isa snd_omnibus_isa.0: Sound Blaster 16 at 0x220, irq 5, dma 1&5, DSP 4.05, settings read from the card$' "$V/dmesg-reload.txt" &&
	   grep -q '^card 0: .*device 0: SB16 DSP \[DSP v4.05\]' "$V/aplay-l-reload.txt"; then
		pass sb16-unload-reload-clean
	else
		sed 's/^/    /' "$OUT/proc-unload.diff"
		fail sb16-unload-reload-clean "$(cat "$V/sb16-reload.txt" "$V/dmesg-reload.txt" | grep -i -e omnibus -e IRQ -e DMA)"
	fi

	if grep -q 'Sound Blaster 16 at 0x220, irq 5, dma 1$' "$V/sb16-no16.txt" &&
	   grep -q '^16-bit DMA none' "$V/sb16-no16.txt" &&
	   ! grep -q 'SB16 16-bit' "$V/proc-no16.txt" &&
	   [ -f "$V/no16-u8.ok" ] &&
	   grep -q 'Sample format non available' "$V/no16-s16.err" &&
	   grep -A 3 'Available formats' "$V/no16-s16.err" | grep -qx -- '- U8'; then
		pass sb16-no-16bit-channel
	else
		fail sb16-no-16bit-channel "$(cat "$V/sb16-no16.txt" "$V/no16-u8.err" "$V/no16-s16.err" 2>/dev/null)"
	fi
fi

# --- VM 2: isa_autodetect=1, suspend and resume ------------------------------
play_vm autodetect sb16 - --timeout 150 \
	--file "$D/s16.wav" --file "$D/s16m.wav" --file "$D/s16-pm.wav" \
	--file "$D/s16-pause.wav" --file "$D/pcm-pause" <<'EOF'
modprobe snd-omnibus-sb16 isa_autodetect=1 || exit 1
dmesg | grep snd_omnibus >/out/dmesg-load.txt
cat /proc/asound/cards >/out/cards.txt
aplay -q -D hw:0,0 /data/s16.wav 2>/out/aplay-rw.err && echo ok >/out/aplay-rw.ok
aplay -q -M -D hw:0,0 /data/s16m.wav 2>/out/aplay-mmap.err && echo ok >/out/aplay-mmap.ok
# a 1 s pause after 1 s of audio
t0=$(cut -d' ' -f1 /proc/uptime)
/data/pcm-pause /dev/snd/pcmC0D0p /data/s16-pause.wav 44100 1000 >/out/pause.txt 2>&1 &
pp=$!
n=0
while ! grep -q paused /out/pause.txt && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
cat /proc/asound/card0/sb16 >/out/sb16-paused.txt
wait $pp
echo "rc=$?" >>/out/pause.txt
echo "$t0 $(cut -d' ' -f1 /proc/uptime)" >/out/pause.time
# suspend in the middle of a stream (pm_test=devices: the driver's
# callbacks run); the core stops the stream, aplay prepares it again
amixer -c 0 -q cset name='Line Playback Volume' 7,9
echo devices >/sys/power/pm_test
aplay -q -D hw:0,0 /data/s16.wav 2>/out/aplay-suspend.err &
sleep 1
echo mem >/sys/power/state
echo "suspend $?" >/out/pm.txt
wait $!
echo "aplay $?" >>/out/pm.txt
amixer -c 0 cget name='Line Playback Volume' >/out/line-after-resume.txt
cat /proc/asound/card0/sb16 >/out/sb16-after-resume.txt
aplay -q -D hw:0,0 /data/s16-pm.wav 2>/out/aplay-pm.err && echo ok >/out/aplay-pm.ok
rmmod snd-omnibus-sb16 || exit 1
exit 0
EOF
A=$PLAY_DIR
if play_finished autodetect sb16-autodetect-vm 40; then
	if grep -q 'Sound Blaster 16 at 0x220, irq 5, dma 1&5, DSP 4.05, found by isa_autodetect, settings read from the card$' "$A/dmesg-load.txt" &&
	   grep -q ']: SB16 - Sound Blaster 16$' "$A/cards.txt"; then
		pass sb16-autodetect-finds-card
	else
		fail sb16-autodetect-finds-card "$(cat "$A/dmesg-load.txt" "$A/cards.txt")"
	fi
	for run in rw mmap; do
		f=s16.wav
		[ $run = mmap ] && f=s16m.wav
		play_check_if "$A/aplay-$run.ok" ok "$A/aplay-$run.err" \
			"sb16-autodetect-s16-$run-bitexact" "$D/$f" "$A/out.wav" 2
	done
	read -r t0 t1 <"$A/pause.time"
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if grep -qx 'rc=0' "$A/pause.txt" && grep -q '^resumed$' "$A/pause.txt" &&
	   grep -q '^16-bit DMA 5: playback, 44100 Hz, .*stopped' "$A/sb16-paused.txt" &&
	   awk -v s="$secs" 'BEGIN { exit !(s >= 3.2) }'; then
		play_check sb16-pause-resume-bitexact "$D/s16-pause.wav" "$A/out.wav" 2
	else
		fail sb16-pause-resume-bitexact "2.5 s with a 1 s pause took $secs s: $(cat "$A/pause.txt"; grep DMA "$A/sb16-paused.txt")"
	fi
	# master back from its suspend level, Line as set, chip = copy
	if grep -qx 'suspend 0' "$A/pm.txt" && grep -qx 'aplay 0' "$A/pm.txt" &&
	   grep -q ': values=7,9' "$A/line-after-resume.txt" &&
	   grep -q '^0xc0 0xc0 0xf8 0xf8 0xc0 0xc0 0xc0 0xc0$' "$A/sb16-after-resume.txt" &&
	   grep -q 'differing from what the driver wrote: 0' "$A/sb16-after-resume.txt" &&
	   grep -q 'PM: suspend exit' "$A/dmesg.txt"; then
		pass sb16-suspend-resume
	else
		fail sb16-suspend-resume "$(cat "$A/pm.txt" "$A/aplay-suspend.err" "$A/line-after-resume.txt" 2>/dev/null)"
	fi
	play_check_if "$A/aplay-pm.ok" ok "$A/aplay-pm.err" \
		sb16-after-resume-bitexact "$D/s16-pm.wav" "$A/out.wav" 2
fi

# --- VM 3: ZONE_DMA nearly full: the pre-allocation fallback ----------------
# memmap= reserves 1.1875-16 MiB, so ZONE_DMA keeps 192 KiB above the first
# MiB (which x86 reserves anyway), of which Debian's kernel's GFP_DMA atomic
# pool takes 128 KiB at boot: less than the two 64 KiB buffers the card
# wants (playback got 64 KiB, capture nothing).  The debug kernel leaves
# those 192 KiB free (both got 64 KiB: nothing fell back), so there
# memmap= keeps only 96 KiB (playback got 64 KiB, capture 32 KiB).
# Pre-allocation halves its request until it gets memory (down to 16 KiB);
# hw_params then keeps to what it got, and a substream that got nothing
# fails hw_params with ENOMEM and one line.  Which substream gets how much
# depends on the kernel's own use of ZONE_DMA (Debian's kernel left capture
# nothing, the debug kernel some), so the scenario makes sure capture has
# nothing: it frees capture's pre-allocation through its prealloc file and
# asks for a 128 KiB buffer, more than the zone has in one piece once
# playback holds its buffer.
# aplay plays with 8 KiB periods: with two periods of the 64 KiB buffer a
# host busy enough to stall the emulated machine for ~190 ms underran aplay
# (a gap in the recording, no fault of the driver); with 8 KiB periods aplay
# refills the buffer every 46 ms and rides out a stall of ~320 ms.  An
# underrun is not retried: it fails the test with aplay's message (rerun
# the test by hand if the host was overloaded).
# shellcheck disable=SC2016 # a literal $ for the kernel
memmap='memmap=0xED0000$0x130000'
# shellcheck disable=SC2016
! vm__is_debug_kver "${KVER:-}" || memmap='memmap=0xEE8000$0x118000'
# (its kernel log has a check of its own: the ENOMEM line is wanted there)
dmesg_list=$PLAY_DMESG
play_vm zonedma sb16 - --timeout 120 --cmdline "$memmap" --file "$D/s16.wav" <<'EOF'
grep -A 2 'zone *DMA$' /proc/zoneinfo >/out/zoneinfo.txt
cat /proc/buddyinfo >/out/buddyinfo.txt
dmesg -c >/dev/null
modprobe snd-omnibus-sb16 port=0x220 || exit 1
cat /proc/asound/card0/buffers >/out/buf-loaded.txt
aplay -q -D hw:0,0 --buffer-size=32768 --period-size=2048 /data/s16.wav \
	2>/out/aplay.err &
sleep 1
cat /proc/asound/card0/buffers >/out/buf-play.txt
cat /proc/asound/card0/pcm0p/sub0/hw_params >/out/hw-play.txt
wait $! && echo ok >/out/aplay.ok
# capture without memory: none pre-allocated (whatever it got at load is
# given back) and none to be had in one 128 KiB piece
echo 0 >/proc/asound/card0/pcm0c/sub0/prealloc
cat /proc/asound/card0/buffers >/out/buf-nocapture.txt
arecord -D hw:0,0 -f S16_LE -c 2 -r 44100 --buffer-size=32768 -d 1 /tmp/c.wav \
	>/out/arecord.out 2>&1
echo "rc=$?" >>/out/arecord.out
dmesg >/out/dmesg-load.txt
rmmod snd-omnibus-sb16
exit 0
EOF
PLAY_DMESG=$dmesg_list
Z=$PLAY_DIR
if play_finished zonedma sb16-prealloc-fallback 40; then
	# a substream got less than 128 KiB, playback got something, and its
	# buffer fits in it
	if python3 - "$Z/buf-loaded.txt" "$Z/hw-play.txt" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
pre = dict(re.findall(r"([pc])0: preallocated (\d+) bytes", text))
hw = open(sys.argv[2]).read()
buf = re.search(r"buffer_size: (\d+)", hw)
p, c = int(pre.get("p", -1)), int(pre.get("c", -1))
print("pre-allocated: playback %d, capture %d bytes; playback buffer %s frames"
      " (32768 asked for)" % (p, c, buf.group(1) if buf else None))
# (Debian's kernel keeps more of ZONE_DMA for its atomic pool than the
# debug kernel: there playback may get all it asks for and capture less)
# Something fell back: below the 64 KiB each substream asks for.
ok = (0 < p <= 65536 and 0 <= c <= 65536 and (p < 65536 or c < 65536)
      and buf and int(buf.group(1)) * 4 <= p)
sys.exit(0 if ok else 1)
EOF
	then
		pass sb16-prealloc-fallback
	else
		fail sb16-prealloc-fallback "$(cat "$Z/buddyinfo.txt" "$Z/buf-loaded.txt" "$Z/hw-play.txt")"
	fi
	check sb16-prealloc-fallback-buffer-below-16m buffers_ok "$Z/buf-play.txt" 16
	if [ ! -f "$Z/aplay.ok" ]; then
		fail sb16-prealloc-fallback-bitexact "aplay failed: $(cat "$Z/aplay.err")"
	elif grep -q 'underrun' "$Z/aplay.err"; then
		# the recording has a gap: not exact, whoever is to blame
		fail sb16-prealloc-fallback-bitexact "aplay underran (host overloaded, or the driver): $(cat "$Z/aplay.err")"
	else
		play_check sb16-prealloc-fallback-bitexact "$D/s16.wav" "$Z/out.wav" 2
	fi
	# a substream left without memory: hw_params fails (ENOMEM), one line
	if ! grep -q 'c0: preallocated 0 bytes' "$Z/buf-nocapture.txt"; then
		fail sb16-prealloc-none-enomem "capture still has a pre-allocated buffer after echo 0 >prealloc: $(cat "$Z/buf-nocapture.txt")"
	elif grep -q 'Unable to install hw params' "$Z/arecord.out" &&
	     grep -qx 'rc=1' <(tail -n 1 "$Z/arecord.out") &&
	     [ "$(grep -c 'pcmC0D0c: no memory for a 131072-byte buffer (pre-allocated: 0)' "$Z/dmesg-load.txt")" = 1 ]; then
		pass sb16-prealloc-none-enomem
	elif ! grep -q 'Unable to install hw params' "$Z/arecord.out"; then
		# the condition the check needs did not happen: say so
		fail sb16-prealloc-none-enomem "ZONE_DMA still had 128 KiB in one piece: capture's hw_params got a buffer, no ENOMEM to check ($(tr '\n' ' ' <"$Z/arecord.out" | cut -c 1-200))"
	else
		fail sb16-prealloc-none-enomem "$(cat "$Z/arecord.out"; grep -i -e omnibus -e alsa "$Z/dmesg-load.txt")"
	fi
	check_dmesg_clean "$Z/dmesg.txt" sb16-prealloc-dmesg-clean
fi

# --- kernel log ---------------------------------------------------------------
# the driver logs one info line per card when all goes well, and one
# for the OPL3 that QEMU's sb16 lacks (t-fm has the FM)
play_dmesg_clean sb16-dmesg-clean 'snd_omnibus' \
	'Sound Blaster 16 at 0x|capture stopped after [0-9]* ms without an interrupt|loading out-of-tree module|module verification failed|no OPL3 FM answers at 0x2[2-8]0 \(-19\): the card works without FM$'

test_done
