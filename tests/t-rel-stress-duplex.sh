#!/bin/bash
#
# t-rel-stress-duplex.sh - playback and capture at once, underruns and
# overruns, in one VM with a Sound Blaster 16 (card 0), a virtual card (1),
# an ES1370 (2), an Intel ICH AC'97 (3) and a WSS codec (4: -device
# cs4231a,irq=7, port=0x534 irq=7 dma1=3), each with its own -audiodev:
#
#  - stress-duplex: aplay and arecord on the same card at the same time
#    (ES1370 DAC2 + ADC and DAC1 + ADC, ICH PCM out + PCM in, the virtual
#    card's loopback): both end with status 0, the capture has the length
#    asked for, and the played bytes come out of QEMU exactly (for the
#    virtual card: come back on its capture side exactly).  QEMU's SB16 has
#    no ADC, so it has no full duplex to test.  Neither has QEMU's cs4231a
#    (no ADC, one DMA channel): a SKIP line says so; what applies is tested:
#    with capture holding the one channel, playback is refused with EBUSY
#    (nothing played), and the capture stops cleanly.
#  - stress-xrun: tests/guest/pcm-stress stops writing in the middle of a
#    stream (ES1370, ICH, SB16, WSS, virtual): the PCM goes to state XRUN, a
#    write fails with EPIPE, PREPARE resumes, and the output is the file
#    byte for byte with silence exactly where the writer stopped; it stops
#    reading a capture (ES1370, ICH, virtual): XRUN, EPIPE, PREPARE, START,
#    reading goes on; aplay stopped with SIGSTOP for 1.5 s (ES1370 DAC1,
#    ICH) reports the underrun, recovers by itself and ends with status 0,
#    and the rest of the file after the underrun comes out exactly.
#  - the kernel log has no report.
#
# The AdLib card (snd-omnibus-adlib) is not in this VM: it has no PCM, so
# nothing to play and record at once.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
# shellcheck source=lib/rel.sh
. "$REPO/tests/lib/rel.sh"
WAV=$REPO/tests/lib/wav.py
SPLICE=$REPO/tests/lib/splice.py
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-stress-duplex.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ ! -f "$MODULE/snd-omnibus-virtual.ko" ]; then
	fail rel-duplex-module "no snd-omnibus modules in $MODULE (build them first)"
	test_done
fi
TOOL=$(rel_guest_tool "$OUT") || { fail rel-duplex-tool "cannot build pcm-stress"; test_done; }
D=$OUT/data
mkdir -p "$D"
seed=600
for f in es-dac2 es-dac1 virt; do
	seed=$((seed + 1))
	python3 "$WAV" noise "$D/dup-$f.wav" --rate 44100 --seconds 2.5 --seed $seed
done
python3 "$WAV" noise "$D/dup-ich.wav" --rate 48000 --seconds 2.5 --seed 610
for f in es sb virt stop-es wss; do
	seed=$((seed + 1))
	python3 "$WAV" noise "$D/xrun-$f.wav" --rate 44100 --seconds 2.5 --seed $seed
done
python3 "$WAV" noise "$D/xrun-ich.wav" --rate 48000 --seconds 2.5 --seed 620
python3 "$WAV" noise "$D/xrun-stop-ich.wav" --rate 48000 --seconds 2.5 --seed 621
python3 "$WAV" noise "$D/in-es.raw" --raw --rate 44100 --seconds 30 --seed 630
python3 "$WAV" noise "$D/in-ich.raw" --raw --rate 48000 --seconds 30 --seed 631
files=()
for f in "$D"/[dx]*.wav; do
	files+=(--file "$f")
done

V=$OUT/vm
rm -rf "$V" "${OUT:?}/home"
mkdir -p "$V" "$OUT/home"
# QEMU's wav audiodev has no capture side: the PCI cards record known noise
# through ALSA's file plugin (as vm_alsa_audiodev, one route per card) and
# their output goes to raw files
for c in es ich; do
	cat <<ASOUNDRC
pcm.qin_$c {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "$D/in-$c.raw"
	format "raw"
}
pcm.qout_$c {
	type file
	slave.pcm "null"
	file "$V/$c.raw"
	format "raw"
}
ASOUNDRC
done >"$OUT/home/.asoundrc"
alsa_dev()
{
	local o="in.frequency=$2,out.frequency=$2"

	o="$o,in.try-poll=off,in.buffer-length=10000"
	o="$o,out.try-poll=off,out.buffer-length=10000"
	printf -- '-audiodev alsa,id=%s,in.dev=qin_%s,out.dev=qout_%s,%s' "$1" "$1" "$1" "$o"
}
t0=$(date +%s)
vm_run --module "$MODULE" --out "$V" --timeout 600 --file "$TOOL" "${files[@]}" \
	--qemu-args "-device sb16,audiodev=sb -audiodev wav,id=sb,path=$V/sb.wav" \
	--qemu-args "-device cs4231a,irq=7,audiodev=wss" \
	--qemu-args "-audiodev wav,id=wss,path=$V/wss.wav" \
	--env "HOME=$OUT/home" \
	--qemu-args "-device ES1370,audiodev=es $(alsa_dev es 44100)" \
	--qemu-args "-device AC97,audiodev=ich $(alsa_dev ich 48000)" \
	--scenario - >"$OUT/vm.log" <<'EOF' || true
modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 || exit 1
modprobe snd-omnibus-virtual virtual_cards=1 || exit 1
modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
modprobe snd-omnibus-wss port=0x534 irq=7 dma1=3 || exit 1
cat /proc/asound/cards >/out/cards.txt
amixer -c 3 -q sset Master 100% unmute || exit 1
amixer -c 3 -q sset PCM 100% unmute || exit 1
amixer -c 3 -q sset Capture 100% cap || exit 1

# duplex NAME CARD PLAYDEV CAPDEV RATE: arecord 3 s while aplay plays 2.5 s
duplex() {
	arecord -q -D "hw:$2,$4" -f S16_LE -c 2 -r "$5" -d 3 "/tmp/cap-$1.wav" \
		2>"/out/duplex-$1-arecord.err" &
	rec=$!
	sleep 0.3
	aplay -q -D "hw:$2,$3" "/data/dup-$1.wav" 2>"/out/duplex-$1-aplay.err"
	echo "aplay $?" >"/out/duplex-$1.txt"
	wait $rec
	echo "arecord $?" >>"/out/duplex-$1.txt"
	echo "bytes $(wc -c <"/tmp/cap-$1.wav")" >>"/out/duplex-$1.txt"
}
duplex es-dac2 2 0 0 44100
duplex es-dac1 2 1 0 44100
duplex ich 3 0 0 48000
duplex virt 1 0 0 44100
for f in virt es-dac2 es-dac1 ich; do
	gzip -1 -c "/tmp/cap-$f.wav" >"/out/cap-$f.wav.gz"
done
# the WSS codec has one DMA channel: while a capture holds it (a 12 s
# buffer: no ADC in QEMU, and killed after 1 s it is not yet overdue), a
# playback is refused (had it played, its noise would be in wss.wav before
# the xrun stream, and rel-xrun-play-wss would fail)
arecord -D hw:4,0 -f U8 -c 1 -r 5512 --buffer-size=65536 -d 30 /tmp/cap-wss.wav \
	2>/out/duplex-wss-arecord.err &
rec=$!
sleep 1
aplay -q -D hw:4,0 /data/dup-virt.wav 2>/out/duplex-wss-aplay.err
echo "aplay $?" >/out/duplex-wss.txt
kill -KILL $rec
wait $rec
echo "arecord $?" >>/out/duplex-wss.txt

# xrun-play NAME NODE: stop writing after 1 s for 1.5 s
xp() {
	/data/pcm-stress xrun-play "$2" "/data/xrun-$1.wav" "$3" 1500 \
		>"/out/xrun-$1.txt" 2>&1
	echo "rc $?" >>"/out/xrun-$1.txt"
}
xp es /dev/snd/pcmC2D0p 44100
xp ich /dev/snd/pcmC3D0p 48000
xp sb /dev/snd/pcmC0D0p 44100
xp virt /dev/snd/pcmC1D0p 44100
xp wss /dev/snd/pcmC4D0p 44100
# overruns
xc() {
	/data/pcm-stress xrun-capture "$2" "$3" 1500 >"/out/xrunc-$1.txt" 2>&1
	echo "rc $?" >>"/out/xrunc-$1.txt"
}
xc es /dev/snd/pcmC2D0c 44100
xc ich /dev/snd/pcmC3D0c 48000
xc virt /dev/snd/pcmC1D0c 44100
# aplay frozen by SIGSTOP
xs() {
	aplay -D "hw:$2" "/data/xrun-stop-$1.wav" >"/out/xstop-$1.err" 2>&1 &
	a=$!
	sleep 1
	kill -STOP $a
	sleep 1.5
	kill -CONT $a
	wait $a
	echo "rc $?" >"/out/xstop-$1.txt"
}
xs es 2,1
xs ich 3,0
exit 0
EOF
t1=$(date +%s)
echo "    VM time: $((t1 - t0)) s"
if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/vm.log" | tail -n 40
	fail rel-duplex-vm "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
fi
reports=$(rel_reports "$V/dmesg.txt")

# --- duplex ---------------------------------------------------------------------
druns=0 dfails=0
for n in es-dac2:es:44100 es-dac1:es:44100 ich:ich:48000 virt:virt:44100; do
	name=${n%%:*} rest=${n#*:}
	wavf=${rest%%:*} rate=${rest#*:}
	druns=$((druns + 1))
	st=$V/duplex-$name.txt
	want=$((44 + 3 * rate * 4))
	gzip -dc "$V/cap-$name.wav.gz" >"$OUT/cap-$name.wav" 2>/dev/null || true
	capmsg="OK:"
	if [ "$wavf" = virt ]; then
		rec=$OUT/cap-virt.wav
	else
		rec=$V/$wavf.raw
		# what was captured is a piece of the noise QEMU was given
		capmsg=$(python3 "$WAV" contains "$OUT/cap-$name.wav" "$D/in-$wavf.raw" \
			--prefix-seconds 2.5 2>&1) || true
		echo "    $name capture: $capmsg"
	fi
	msg=$(python3 "$WAV" contains "$D/dup-$name.wav" "$rec" --prefix-seconds 2 2>&1) || true
	echo "    $name playback: $msg"
	if grep -qx 'aplay 0' "$st" 2>/dev/null && grep -qx 'arecord 0' "$st" &&
	   grep -qx "bytes $want" "$st" && case $msg$capmsg in *OK:*OK:*) true ;; *) false ;; esac; then
		pass "rel-duplex-$name"
	else
		dfails=$((dfails + 1))
		fail "rel-duplex-$name" "$(tr '\n' ' ' <"$st" 2>/dev/null) (want bytes $want) $(cat "$V/duplex-$name"-*.err 2>/dev/null)"
	fi
done
skip rel-duplex-wss-full "QEMU's cs4231a has no ADC and one DMA channel: no full duplex to test"
# what applies: one channel, one direction at a time, and nothing played
druns=$((druns + 1))
st=$V/duplex-wss.txt
if grep -qx 'aplay 1' "$st" 2>/dev/null && grep -qx 'arecord 137' "$st" &&
   grep -q 'Device or resource busy' "$V/duplex-wss-aplay.err" &&
   grep -q '^Recording WAVE' "$V/duplex-wss-arecord.err" &&
   ! grep -qi 'error' "$V/duplex-wss-arecord.err"; then
	pass rel-duplex-wss-one-channel-busy
else
	dfails=$((dfails + 1))
	fail rel-duplex-wss-one-channel-busy "$(tr '\n' ' ' <"$st" 2>/dev/null) $(cat "$V"/duplex-wss-*.err 2>/dev/null)"
fi

# --- xrun -------------------------------------------------------------------------
xruns=0 xfails=0
for n in es:es.raw ich:ich.raw sb:sb.wav wss:wss.wav virt:; do
	name=${n%%:*} wavf=${n#*:}
	xruns=$((xruns + 1))
	st=$V/xrun-$name.txt
	sed 's/^/    '"$name"': /' "$st" 2>/dev/null || true
	ok=1
	grep -qx 'rc 0' "$st" 2>/dev/null && grep -q '^state XRUN after' "$st" &&
		grep -qx 'write in XRUN: EPIPE' "$st" || ok=0
	if [ -n "$wavf" ] && [ $ok = 1 ]; then
		at=$(sed -n 's/^stopped writing at frame //p' "$st")
		msg=$(python3 "$SPLICE" "$D/xrun-$name.wav" "$V/$wavf" \
			--gap-at $((at * 4)) 2>&1) || ok=0
		echo "    $name: $msg"
	fi
	if [ $ok = 1 ]; then
		pass "rel-xrun-play-$name"
	else
		xfails=$((xfails + 1))
		fail "rel-xrun-play-$name" "$(tail -n 1 "$st" 2>/dev/null) ${msg:-}"
	fi
	msg=""
done
for name in es ich virt; do
	xruns=$((xruns + 1))
	st=$V/xrunc-$name.txt
	sed 's/^/    '"$name"' capture: /' "$st" 2>/dev/null || true
	if grep -qx 'rc 0' "$st" 2>/dev/null && grep -q '^state XRUN after' "$st" &&
	   grep -qx 'read in XRUN: EPIPE' "$st" &&
	   grep -q '^read [0-9]* frames after recovery' "$st"; then
		pass "rel-xrun-capture-$name"
	else
		xfails=$((xfails + 1))
		fail "rel-xrun-capture-$name" "$(tail -n 2 "$st" 2>/dev/null | tr '\n' ' ')"
	fi
done
for n in es:es.raw:44100 ich:ich.raw:48000; do
	name=${n%%:*} rest=${n#*:}
	wavf=${rest%%:*} rate=${rest#*:}
	xruns=$((xruns + 1))
	st=$V/xstop-$name.txt
	# the last 0.8 s before QEMU's tail: played after the underrun
	python3 - "$D/xrun-stop-$name.wav" "$OUT/xstop-$name-tail.raw" "$rate" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()[44:]
r = int(sys.argv[3])
open(sys.argv[2], "wb").write(d[len(d) - int(1.1 * r) * 4:len(d) - int(0.3 * r) * 4])
PY
	msg=$(python3 "$WAV" contains --raw "$OUT/xstop-$name-tail.raw" "$V/$wavf" 2>&1) || true
	echo "    aplay SIGSTOP $name: $(tr '\n' ' ' <"$V/xstop-$name.err" 2>/dev/null) $(cat "$st" 2>/dev/null); tail: $msg"
	if grep -qx 'rc 0' "$st" 2>/dev/null && grep -q 'underrun' "$V/xstop-$name.err" &&
	   case $msg in *OK:*) true ;; *) false ;; esac; then
		pass "rel-xrun-sigstop-$name"
	else
		xfails=$((xfails + 1))
		fail "rel-xrun-sigstop-$name" "$(cat "$st" "$V/xstop-$name.err" 2>/dev/null | tr '\n' ' ') $msg"
	fi
done
check_dmesg_clean "$V/dmesg.txt" rel-duplex-dmesg-clean

leaks=$(rel_kmemleak "$V")
rel_figure stress-duplex "$druns" "$dfails" "$reports" "$leaks"
rel_figure stress-xrun "$xruns" "$xfails" "$reports" "$leaks"
test_done
