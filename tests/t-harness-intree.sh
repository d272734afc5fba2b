#!/bin/bash
#
# t-harness-intree.sh - prove the VM harness with in-tree drivers: what the
# guest plays through snd-ens1370 (ES1370, 44.1 kHz) and snd-intel8x0 (AC97,
# 48 kHz) must arrive byte for byte in QEMU's -audiodev wav file, and the
# kernel log must stay clean.
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
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-harness-intree.XXXXXX")}
mkdir -p "$OUT"
rm -rf "$OUT/es1370" "$OUT/ac97"

# 2 s of noise that must arrive exactly, plus 0.5 s of padding because QEMU
# drops the last few hundred frames of a stream when the guest stops it.
python3 "$WAV" noise "$OUT/noise44.wav" --rate 44100 --seconds 2.5 --seed 1370
python3 "$WAV" noise "$OUT/noise48.wav" --rate 48000 --seconds 2.5 --seed 97

# --- ES1370 ---------------------------------------------------------------
vm_run --out "$OUT/es1370" --timeout 90 \
	--file "$OUT/noise44.wav:noise.wav" \
	--qemu-args "-device ES1370,audiodev=snd0" \
	--qemu-args "-audiodev wav,id=snd0,path=$OUT/es1370/es.wav" \
	--scenario - <<'EOF' || true
modprobe snd-ens1370 || exit 1
aplay -l >/out/aplay-l.txt 2>&1
cat /out/aplay-l.txt
aplay -D hw:0,0 /data/noise.wav
EOF

if grep -q '^card 0: .*Ensoniq AudioPCI.*device 0:' "$OUT/es1370/aplay-l.txt" 2>/dev/null; then
	pass intree-ens1370-detected
else
	fail intree-ens1370-detected "aplay -l does not list the ES1370 card"
fi
check intree-ens1370-bitexact python3 "$WAV" contains "$OUT/noise44.wav" \
	"$OUT/es1370/es.wav" --prefix-seconds 2

# --- AC97 -----------------------------------------------------------------
# QEMU's AC97 volume is linear in register steps: only Master = PCM = 0 dB
# attenuation (100 % in amixer) passes samples unchanged.
vm_run --out "$OUT/ac97" --timeout 90 \
	--file "$OUT/noise48.wav:noise.wav" \
	--qemu-args "-device AC97,audiodev=snd0" \
	--qemu-args "-audiodev wav,id=snd0,path=$OUT/ac97/ac97.wav,out.frequency=48000" \
	--scenario - <<'EOF' || true
modprobe snd-intel8x0 || exit 1
amixer -c 0 -q sset Master 100% unmute || exit 1
amixer -c 0 -q sset PCM 100% unmute || exit 1
aplay -D hw:0,0 /data/noise.wav
EOF

check intree-intel8x0-bitexact python3 "$WAV" contains "$OUT/noise48.wav" \
	"$OUT/ac97/ac97.wav" --prefix-seconds 2

if check_dmesg_clean "$OUT/es1370/dmesg.txt" &&
   check_dmesg_clean "$OUT/ac97/dmesg.txt"; then
	pass intree-dmesg-clean
else
	fail intree-dmesg-clean "kernel log has warnings (above) or is missing"
fi

test_done
