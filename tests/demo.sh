#!/bin/bash
# make demo: boot Debian's kernel under QEMU with an emulated ES1370, a
# Windows Sound System codec (-device cs4231a at 0x534, IRQ 7, DMA 3), a
# Sound Blaster 16 (0x220, IRQ 5, DMA 1 and 5) and an OPL (-device adlib,
# which answers at the SB16's base and at 0x388), load snd-omnibus with one
# virtual card, the ES1370, the WSS codec, the SB16 and an AdLib card, show
# what ALSA sees, play a tone on the ES1370 and on the WSS codec (QEMU
# records each) and through the virtual card's loopback (the guest records
# it), play a note on the AdLib card's FM (QEMU records it), and leave the
# WAV files in tests/out/demo/.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/lib/vm.sh"

vm_host_deps
KVER=${KVER:-$(vm_kver)}
out=$REPO/tests/out/demo
mkdir -p "$out"
echo "building snd-omnibus for $KVER"
make -s -C "$REPO" KVER="$KVER" modules >"$out/build.log" 2>&1 ||
	{ cat "$out/build.log"; exit 1; }
python3 "$REPO/tests/lib/wav.py" tone "$out/tone.wav" --freq 440 \
	--rate 44100 --channels 2 --format S16_LE --seconds 2
python3 "$REPO/tests/lib/fm.py" files "$out"

cat >"$out/scenario" <<'SCEN'
say() { printf '\n### %s\n' "$*"; }
say "modprobe snd-omnibus-virtual virtual_cards=1; modprobe snd-omnibus-es1370"
modprobe snd-omnibus-virtual virtual_cards=1 || exit 1
modprobe snd-omnibus-es1370 || exit 1
say "modprobe snd-omnibus-wss port=0x534 irq=7 dma1=3   (an ISA codec: no probing without port=)"
modprobe snd-omnibus-wss port=0x534 irq=7 dma1=3 || exit 1
dmesg | grep 'snd_omnibus_wss' | sed 's/^\[[^]]*\] //'
es=$(sed -n 's/^ *\([0-9]*\) \[.*ENS1370.*/\1/p' /proc/asound/cards)
ws=$(sed -n 's/^ *\([0-9]*\) \[.*\]: CS4231A - .*/\1/p' /proc/asound/cards)
vc=$(sed -n 's/^ *\([0-9]*\) \[.*Omnibus.*/\1/p' /proc/asound/cards)
say "cat /proc/asound/cards"
cat /proc/asound/cards
say "aplay -l"
aplay -l
say "amixer -c $es (the ES1370's AK4531 mixer)"
amixer -c "$es" | grep -E "^Simple|Playback|Capture" | head -n 40
say "aplay -D hw:$es,0 tone.wav   (DAC2; QEMU writes what it hears)"
aplay -D "hw:$es,0" /data/tone.wav
say "amixer -c $ws (the WSS codec's mixer)"
amixer -c "$ws" | grep -E "^Simple|Playback|Capture" | head -n 40
say "head /proc/asound/card$ws/wss   (the codec, its resources, its registers)"
head -n 8 "/proc/asound/card$ws/wss"
say "aplay -D hw:$ws,0 tone.wav   (the WSS codec on ISA DMA 3; QEMU writes what it hears)"
aplay -D "hw:$ws,0" /data/tone.wav
say "modprobe snd-omnibus-sb16 port=0x220; modprobe snd-omnibus-adlib port=0x388"
modprobe snd-omnibus-sb16 port=0x220 || exit 1
modprobe snd-omnibus-adlib port=0x388 || exit 1
dmesg | grep -e snd_omnibus_isa -e snd_omnibus_adlib | sed 's/^\[[^]]*\] //'
say "cat /proc/asound/hwdep   (the OPL3 FM devices of the SB16 and the AdLib card)"
cat /proc/asound/hwdep
ad=$(sed -n 's/^ *\([0-9]*\) \[.*\]: AdLib - .*/\1/p' /proc/asound/cards)
modprobe snd-seq && modprobe snd-opl3-synth
port=$(aplaymidi -l | awk '/OPL3 FM/ { p = $1 } END { print p }')
say "cat patch.sbi >/dev/snd/hwC${ad}D0; aplaymidi -p $port note.mid   (A4 on the AdLib card; QEMU writes it)"
aplaymidi -l
cat /data/patch.sbi >"/dev/snd/hwC${ad}D0"
aplaymidi -p "$port" /data/note.mid
sleep 1
say "arecord + aplay on hw:$vc,0   (the virtual card's loopback)"
arecord -q -D "hw:$vc,0" -f S16_LE -c 2 -r 44100 -d 3 /out/virtual-loopback.wav &
sleep 0.5
aplay -D "hw:$vc,0" /data/tone.wav
wait
say "cat /proc/asound/card$vc/buffers   (which buffer each PCM device uses)"
cat "/proc/asound/card$vc/buffers"
SCEN

vm_run --kver "$KVER" --module "$REPO/src" \
	--scenario "$out/scenario" --file "$out/tone.wav" --out "$out/vm" \
	--timeout 120 --qemu-args "-device ES1370,audiodev=snd0" \
	--qemu-args "-audiodev wav,id=snd0,path=$out/es1370.wav" \
	--qemu-args "-device cs4231a,irq=7,audiodev=wss" \
	--qemu-args "-audiodev wav,id=wss,path=$out/wss.wav" \
	--qemu-args "-device sb16,audiodev=sb -audiodev none,id=sb" \
	--qemu-args "-device adlib,audiodev=fm" \
	--qemu-args "-audiodev wav,id=fm,path=$out/fm.wav" \
	--file "$out/patch.sbi" --file "$out/note.mid" |
	sed -n '/===SCENARIO-START===/,/===SCENARIO-EXIT/p' | sed 's/^  | //' |
	grep -v '^===SCENARIO'
cp "$out/vm/virtual-loopback.wav" "$out/" 2>/dev/null || true
echo
echo "Recorded by QEMU from the ES1370:        $out/es1370.wav"
echo "Recorded by QEMU from the WSS codec:     $out/wss.wav"
echo "Recorded by QEMU from the OPL (AdLib):   $out/fm.wav"
echo "Recorded in the guest from the loopback: $out/virtual-loopback.wav"
echo "The tone that was played:                $out/tone.wav"
