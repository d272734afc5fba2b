#!/bin/bash
#
# t-es1370.sh - the ES1370 backend of snd-omnibus under QEMU's -device ES1370:
#
#  - 2 s of 44.1 kHz S16_LE stereo noise played through DAC2 (hw:0,0) and
#    through DAC1 (hw:0,1), each in read/write and in mmap mode, comes out
#    of -audiodev wav byte for byte (one VM, a noise of its own per run);
#  - the ADC (hw:0,0 capture) records a known noise file byte for byte,
#    read/write and mmap (every byte of each 2 s recording), over the ALSA
#    file-plugin audiodev route proven by t-harness-capture.sh;
#  - full duplex: while DAC2 plays noise at 44100 Hz the ADC is offered
#    44100 Hz only (they share the clock divider), records byte for byte,
#    and aplay ends with status 0 and its noise comes out byte for
#    byte;
#  - DAC2 makes 22050 Hz as 1411200/64, and noise played at that rate comes
#    out byte for byte (a wav audiodev at out.frequency=22050);
#  - amixer lists the AK4531 controls with dB scales, set/get round-trips
#    through the driver's register cache, alsactl store/restore round-trips;
#  - a suspend/resume cycle (pm_test=devices) in the middle of a stream
#    keeps the mixer settings and the next stream plays exactly;
#  - unload and reload work (nothing left behind), and with snd-ens1370
#    owning the device snd-omnibus says so in one line;
#  - the kernel log stays clean.
#
# QEMU does not emulate the AK4531, so mixer values do not change the
# output; its DAC2/ADC rates are 1411200 / (divider + 2), truncated.
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
play_init es1370

# 2 s that must arrive exactly, plus 0.5 s because QEMU drops the last few
# hundred frames of a stream when the guest stops it.
play_noise "$OUT/noise44.wav" 44100 2.5 1370
play_noise "$OUT/noise22.wav" 22050 1.5 22
# capture source: longer than every capture of the VM together
play_noise "$OUT/in.raw" 44100 10 5000 --raw

# --- (a), (b): playback on both DACs, read/write and mmap; suspend ---------
# One VM plays a noise of its own (seed) on each DAC and mode in turn, so
# each is found in the one wav file by itself, then suspends
# (pm_test=devices: the drivers' callbacks run) in the middle of a stream:
# the core stops it, aplay prepares again, the mixer keeps its settings and
# the next stream plays exactly.
PLAYS="dac2-rw:0: dac2-mmap:0:-M dac1-rw:1: dac1-mmap:1:-M"
files=() seed=1370
for p in $PLAYS; do
	play_noise "$OUT/${p%%:*}.wav" 44100 2.5 $((seed += 1))
	files+=(--file "$OUT/${p%%:*}.wav:${p%%:*}.wav")
done
play_noise "$OUT/resume.wav" 44100 2.5 1375
play_vm play ES1370 - --timeout 180 "${files[@]}" \
	--file "$OUT/noise44.wav:noise.wav" --file "$OUT/resume.wav:resume.wav" <<EOF
modprobe snd-omnibus-es1370 || exit 1
$(for p in $PLAYS; do
	IFS=: read -r n d f <<<"$p"
	echo "aplay -D hw:0,$d $f /data/$n.wav 2>/out/$n.err; echo rc=\$? >/out/$n.rc"
done)
amixer -c 0 -q cset name='Line Volume' 7,9
echo devices >/sys/power/pm_test
aplay -q -D hw:0,0 /data/noise.wav 2>/out/aplay-suspend.err &
sleep 1
echo mem >/sys/power/state
echo "suspend \$?" >/out/pm.txt
wait \$!
echo "aplay \$?" >>/out/pm.txt
amixer -c 0 cget name='Line Volume' >/out/line-after-resume.txt
aplay -q -D hw:0,0 /data/resume.wav 2>/out/resume.err
echo "rc=\$?" >/out/resume.rc
exit 0
EOF
P=$OUT/play
play_finished play es1370-play-vm || true
for p in $PLAYS; do
	n=${p%%:*}
	play_check_if "$P/$n.rc" rc=0 "$P/$n.err" \
		"es1370-$n-bitexact" "$OUT/$n.wav" "$P/out.wav" 2
done
if grep -qx 'suspend 0' "$P/pm.txt" 2>/dev/null &&
   grep -qx 'aplay 0' "$P/pm.txt" &&
   grep -q ': values=7,9' "$P/line-after-resume.txt" &&
   grep -q 'PM: suspend exit' "$P/dmesg.txt"; then
	pass es1370-suspend-resume
else
	fail es1370-suspend-resume "$(cat "$P/pm.txt" "$P/aplay-suspend.err" 2>/dev/null)"
fi
play_check_if "$P/resume.rc" rc=0 "$P/resume.err" \
	es1370-after-resume-bitexact "$OUT/resume.wav" "$P/out.wav" 2

# --- mixer, rates, reload, a foreign driver ----------------------------------
play_vm mixer ES1370 22050 --timeout 120 --file "$OUT/noise22.wav:noise22.wav" <<'EOF'
modprobe snd-omnibus-es1370 || exit 1
cat /proc/asound/cards >/out/cards.txt
aplay -l >/out/aplay-l.txt 2>&1
amixer -c 0 controls >/out/controls.txt
amixer -c 0 scontrols >/out/scontrols.txt
amixer -c 0 cget name='PCM Volume' >/out/pcm-volume.txt
amixer -c 0 cget name='Master Playback Volume' >/out/master-volume.txt
alsactl -f /tmp/asound.state store
amixer -c 0 -q cset name='Line Volume' 10,20
amixer -c 0 -q cset name='Master Playback Volume' 21,21
amixer -c 0 -q cset name='Mic Capture Switch' on
amixer -c 0 -q sset 'Mic +5V Bias' on
amixer -c 0 cget name='Line Volume' >/out/line-volume.txt
amixer -c 0 cget name='Master Playback Volume' >/out/master-set.txt
amixer -c 0 cget name='Mic Capture Switch' >/out/mic-capture.txt
amixer -c 0 sget 'Mic +5V Bias' >/out/mic-bias.txt
cat /proc/asound/card0/ak4531 >/out/ak4531-set.txt
cat /proc/asound/card0/es1370 >/out/es1370-set.txt
alsactl -f /tmp/asound.state restore
amixer -c 0 cget name='Line Volume' >/out/line-restored.txt
cat /proc/asound/card0/ak4531 >/out/ak4531-restored.txt
# DAC2 at 22050 Hz: the divisor is 64 (the wav audiodev records at
# 22050 Hz, so QEMU's mixer passes the bytes through)
aplay -q -D hw:0,0 /data/noise22.wav 2>/out/aplay-22050.err &
play=$!
sleep 0.5
cat /proc/asound/card0/pcm0p/sub0/hw_params >/out/hw-22050.txt
wait $play
echo "rc=$?" >/out/aplay-22050.rc
# unload, load again: the I/O ports and the IRQ were given back
rmmod snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-es1370 || exit 1
aplay -l >/out/aplay-l-again.txt 2>&1
rmmod snd-omnibus-es1370 || exit 1
# the in-tree driver takes the device first: one line says why we do not
dmesg -c >/dev/null
modprobe snd-ens1370 || exit 1
modprobe snd-omnibus-es1370 || exit 1
dmesg >/out/foreign.txt
cat /proc/asound/cards >/out/cards-foreign.txt
rmmod snd-omnibus-es1370
rmmod snd-ens1370
exit 0
EOF
M=$OUT/mixer
if play_finished mixer es1370-mixer-vm; then
	if grep -q ']: ENS1370 - Ensoniq AudioPCI ES1370$' "$M/cards.txt" &&
	   grep -q '^card 0: .*device 0: ES1370 DAC2/ADC' "$M/aplay-l.txt" &&
	   grep -q '^card 0: .*device 1: ES1370 DAC1' "$M/aplay-l.txt"; then
		pass es1370-card-listed
	else
		fail es1370-card-listed "$(cat "$M/cards.txt" "$M/aplay-l.txt")"
	fi

	missing=""
	for c in 'Master Playback Volume' 'Master Playback Switch' \
		'PCM Volume' 'PCM Switch' 'PCM Playback Switch' \
		'PCM Capture Switch' 'Synth Volume' 'Synth Playback Switch' \
		'Line Volume' 'Line Capture Switch' 'CD Volume' 'CD Playback Switch' \
		'Mic Volume' 'Mic Playback Switch' 'Mic Capture Switch' \
		'Mic Boost (+30dB) Switch' 'PCM 0 Output also on Line-In Jack'; do
		grep -qF "name='$c'" "$M/controls.txt" || missing="$missing '$c'"
	done
	if [ -z "$missing" ]; then
		pass es1370-controls-listed
	else
		fail es1370-controls-listed "missing:$missing"
	fi

	# 0 dB at power-on, shown as dB by the TLV
	if grep -q 'dBscale-min=-50.00dB,step=2.00dB' "$M/pcm-volume.txt" &&
	   grep -q ': values=25,25' "$M/pcm-volume.txt" &&
	   grep -q 'dBscale-min=-62.00dB,step=2.00dB' "$M/master-volume.txt" &&
	   grep -q ': values=31,31' "$M/master-volume.txt"; then
		pass es1370-mixer-defaults-db
	else
		fail es1370-mixer-defaults-db "$(cat "$M/pcm-volume.txt" "$M/master-volume.txt")"
	fi

	# values come back, and the codec cache holds what they mean:
	# Master 21 -> attenuation 10 (0x0a), Line 10,20 -> gain codes 0x15,0x0b,
	# Mic capture -> bit 0 in both ADC mixers (0x11, 0x09 with Line's bits)
	if grep -q ': values=10,20' "$M/line-volume.txt" &&
	   grep -q ': values=21,21' "$M/master-set.txt" &&
	   grep -q ': values=on' "$M/mic-capture.txt" &&
	   grep -q '\[on\]' "$M/mic-bias.txt" &&
	   grep -q '^0x0a 0x0a 0x06 0x06 0x06 0x06 0x06 0x06$' "$M/ak4531-set.txt" &&
	   grep -q '^0x15 0x0b 0x06 0x06 0x06 0x06 0x06 0x00$' "$M/ak4531-set.txt" &&
	   grep -q '^0x60 0x0c 0x11 0x09 0x00 0x00 0x03 0x00$' "$M/ak4531-set.txt" &&
	   grep -q 'mic bias: on' "$M/es1370-set.txt"; then
		pass es1370-mixer-roundtrip
	else
		fail es1370-mixer-roundtrip "$(cat "$M/line-volume.txt" "$M/master-set.txt" \
			"$M/mic-capture.txt" "$M/ak4531-set.txt")"
	fi

	if grep -q ': values=25,25' "$M/line-restored.txt" &&
	   grep -q '^0x06 0x06 0x06 0x06 0x06 0x06 0x06 0x00$' "$M/ak4531-restored.txt"; then
		pass es1370-alsactl-restore
	else
		fail es1370-alsactl-restore "$(cat "$M/line-restored.txt" "$M/ak4531-restored.txt")"
	fi

	if grep -q '^rate: 22050 (1411200/64)' "$M/hw-22050.txt"; then
		pass es1370-dac2-rate-divider
	else
		fail es1370-dac2-rate-divider "$(cat "$M/hw-22050.txt")"
	fi
	play_check_if "$M/aplay-22050.rc" rc=0 "$M/aplay-22050.err" \
		es1370-dac2-22050-bitexact "$OUT/noise22.wav" "$M/out.wav" 1

	if grep -q 'device 0: ES1370 DAC2/ADC' "$M/aplay-l-again.txt"; then
		pass es1370-reload
	else
		fail es1370-reload "$(cat "$M/aplay-l-again.txt")"
	fi

	n=$(grep -c 'is driven by snd_ens1370, not snd_omnibus_es1370' "$M/foreign.txt" || true)
	# exactly one card: the in-tree driver's
	if [ "$n" = 1 ] && [ "$(grep -c '^ *[0-9]* \[' "$M/cards-foreign.txt")" = 1 ]; then
		pass es1370-foreign-driver-message
	else
		fail es1370-foreign-driver-message "$(grep -i -e omnibus -e ens1370 "$M/foreign.txt")"
	fi
fi

# --- (c): capture over the ALSA file-plugin audiodev ------------------------
play_capture_vm capture ES1370 "$OUT/in.raw" 44100 --timeout 150 \
	--file "$OUT/noise44.wav:noise.wav" <<'EOF'
modprobe snd-omnibus-es1370 || exit 1
arecord -D hw:0,0 -f S16_LE -c 2 -r 44100 -d 2 /out/cap-rw.wav
arecord -M -D hw:0,0 -f S16_LE -c 2 -r 44100 -d 2 /out/cap-mmap.wav
# full duplex: DAC2 plays at 44100 Hz, the ADC asks for 22050 Hz and is
# given 44100 Hz; both streams' data is checked, and aplay's status
aplay -q -D hw:0,0 /data/noise.wav 2>/out/aplay-duplex.err &
play=$!
sleep 0.5
arecord -D hw:0,0 -f S16_LE -c 2 -r 22050 -d 1 /out/cap-shared.wav \
	2>/out/cap-shared.err
echo "rc=$?" >/out/cap-shared.rc
wait $play
echo "rc=$?" >/out/aplay-duplex.rc
exit 0
EOF
C=$OUT/capture
# Every byte of each recording (2 s: arecord -d 2 reads exactly 88200
# frames; fewer fail --prefix-seconds) is the source's.  The first capture
# starts at byte 0 of the source ...
play_check es1370-capture-rw-bitexact "$C/cap-rw.wav" "$OUT/in.raw" 2 --at 0
# ... a later one where the plugin stopped reading: search for it
play_check es1370-capture-mmap-bitexact "$C/cap-mmap.wav" "$OUT/in.raw" 2
if grep -q 'requested = 22050Hz, got = 44100Hz' "$C/cap-shared.err" 2>/dev/null &&
   python3 "$WAV" info "$C/cap-shared.wav" | grep -q ' 44100 Hz '; then
	pass es1370-shared-clock-constraint
else
	fail es1370-shared-clock-constraint "$(cat "$C/cap-shared.err" 2>/dev/null)"
fi
# full duplex: what was recorded while DAC2 played (arecord -d 1 counts
# the 22050 frames of the rate it asked for: 0.5 s at 44100 Hz) ...
play_check_if "$C/cap-shared.rc" rc=0 "$C/cap-shared.err" \
	es1370-duplex-capture-bitexact "$C/cap-shared.wav" "$OUT/in.raw" 0.5
# ... and what DAC2 played meanwhile, through the same audiodev's output
play_check_if "$C/aplay-duplex.rc" rc=0 "$C/aplay-duplex.err" \
	es1370-duplex-playback-bitexact "$OUT/noise44.wav" "$OUT/capture.raw" 2

# --- (e): kernel log ------------------------------------------------------
# (the driver itself logs none of these when all goes well)
play_dmesg_clean es1370-dmesg-clean \
	'snd_omnibus_es1370 .*: (cannot|AK4531|DAC|ADC|I/O|BAR|32-bit)'

test_done
