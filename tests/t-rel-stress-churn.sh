#!/bin/bash
#
# t-rel-stress-churn.sh - open/close and hw_params churn on every device
# node of every kind of card, in one VM with a virtual card, an ES1370, an
# Intel ICH AC'97, a Sound Blaster 16 (port=0x220 irq=5 dma8=1 dma16=5) and
# a WSS codec (-device cs4231a,irq=7: port=0x534 irq=7 dma1=3):
#
#  - stress-openclose: 1000 open/close cycles (with one info ioctl each) of
#    every PCM node (playback and capture) and every control node;
#  - stress-hwparams: on every PCM node, every format x channels x rate the
#    driver offers with the smallest, a middle and the largest buffer, every
#    buffer and period size from the minimum to the maximum (powers of two
#    and odd sizes) for two of them, and impossible requests: HW_PARAMS
#    agrees with HW_REFINE (both work, or both fail with EINVAL, never
#    another errno), what works is what was asked and prepares and frees;
#    impossible requests fail with EINVAL (tests/guest/pcm-stress.c);
#  - afterwards every card still plays: aplay ends with status 0 on each,
#    and the noise comes out of the ES1370, ICH, SB16 and WSS byte for byte (one
#    -audiodev wav each; the virtual card has no output of its own); the
#    module unloads and gives back its I/O ports, IRQs, DMA channels and
#    cards, and the kernel log has no report.
#
# The AdLib card (snd-omnibus-adlib) is not in this VM: it has no PCM, so
# no hw_params to churn; its control and hwdep nodes are opened and closed
# at random by t-rel-fuzz, and reloaded 100 times by t-rel-stress-reload.
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
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-stress-churn.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CYCLES=1000

if [ ! -f "$MODULE/snd-omnibus-virtual.ko" ]; then
	fail rel-churn-module "no snd-omnibus modules in $MODULE (build them first)"
	test_done
fi
TOOL=$(rel_guest_tool "$OUT") || { fail rel-churn-tool "cannot build pcm-stress"; test_done; }
WAV=$REPO/tests/lib/wav.py
# 0.5 s each, of which the first 0.3 s is compared: QEMU drops the last few
# hundred frames of a stream when the guest stops it
python3 "$WAV" noise "$OUT/s16.wav" --rate 44100 --seconds 0.5 --seed 61
python3 "$WAV" noise "$OUT/s16-48.wav" --rate 48000 --seconds 0.5 --seed 62

V=$OUT/vm
rm -rf "$V"
t0=$(date +%s)
{
	printf '%s\n' "$REL_GUEST_SNAP"
	cat <<EOF
CYCLES=$CYCLES
EOF
	cat <<'EOF'
modprobe snd-pcm
snap before
modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 || exit 1
modprobe snd-omnibus-virtual virtual_cards=1 || exit 1
modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
modprobe snd-omnibus-wss port=0x534 irq=7 dma1=3 || exit 1
cat /proc/asound/cards >/out/cards.txt
ls /dev/snd >/out/nodes.txt
snap loaded
for n in /dev/snd/controlC* /dev/snd/pcmC*; do
	/data/pcm-stress openclose "$n" "$CYCLES"
done >/out/openclose.txt 2>&1
date +%s >/out/t-openclose
for n in /dev/snd/pcmC*; do
	/data/pcm-stress hwparams "$n"
done >/out/hwparams.txt 2>&1
date +%s >/out/t-hwparams
# every card still plays
for c in $(sed -n 's/^ *\([0-9]*\) \[.*/\1/p' /proc/asound/cards); do
	f=/data/s16.wav
	# (the ICH card's id is "AC97": look at its driver name)
	if grep -q "^ *$c \[.*\]: ICH - " /proc/asound/cards; then
		f=/data/s16-48.wav
		# QEMU's AC97 passes samples unchanged at 0 dB only
		amixer -c "$c" -q sset Master 100% unmute
		amixer -c "$c" -q sset PCM 100% unmute
	fi
	aplay -q -D "hw:$c,0" "$f"
	echo "card $c aplay $?"
done >/out/play.txt 2>&1
rmmod snd-omnibus-wss snd-omnibus-ich snd-omnibus-es1370 snd-omnibus-virtual \
	snd-omnibus-sb16 snd-omnibus-core
echo "rmmod $?" >/out/rmmod.txt
snap after
exit 0
EOF
} >"$OUT/scenario"
date +%s >"$OUT/t-start"
vm_run --module "$MODULE" --out "$V" --timeout 1500 --scenario "$OUT/scenario" \
	--file "$TOOL" --file "$OUT/s16.wav" --file "$OUT/s16-48.wav" \
	--qemu-args "-device ES1370,audiodev=es -audiodev wav,id=es,path=$V/es.wav" \
	--qemu-args "-device AC97,audiodev=ich" \
	--qemu-args "-audiodev wav,id=ich,path=$V/ich.wav,out.frequency=48000" \
	--qemu-args "-device sb16,audiodev=sb -audiodev wav,id=sb,path=$V/sb.wav" \
	--qemu-args "-device cs4231a,irq=7,audiodev=wss" \
	--qemu-args "-audiodev wav,id=wss,path=$V/wss.wav" \
	>"$OUT/vm.log" || true
t1=$(date +%s)
echo "    VM time: $((t1 - t0)) s"
if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/vm.log" | tail -n 40
	fail rel-churn-vm "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
fi
reports=$(rel_reports "$V/dmesg.txt")

# --- open/close ---------------------------------------------------------------
nodes=$(grep -c '^openclose ' "$V/openclose.txt" 2>/dev/null || true)
runs=$(awk '/^openclose / { for (i = 1; i <= NF; i++) if ($i ~ /^runs=/) s += substr($i, 6) }
	END { print s + 0 }' "$V/openclose.txt" 2>/dev/null || echo 0)
fails=$(awk '/^openclose / { for (i = 1; i <= NF; i++) if ($i ~ /^failures=/) s += substr($i, 10) }
	END { print s + 0 }' "$V/openclose.txt" 2>/dev/null || echo 0)
sed 's/^/    /' "$V/openclose.txt" 2>/dev/null || true
# 5 control nodes, 6 + 3 + 3 + 2 + 2 PCM nodes (virtual, ES1370, ICH, SB16, WSS)
if [ "$nodes" -ge 21 ] && [ "$fails" = 0 ] && [ "$runs" = $((nodes * CYCLES)) ]; then
	pass rel-openclose-all-nodes
else
	fail rel-openclose-all-nodes "$nodes nodes, $runs runs, $fails failures"
fi

# --- hw_params ------------------------------------------------------------------
grep -e '^space ' -e '^hwparams ' "$V/hwparams.txt" 2>/dev/null | sed 's/^/    /' || true
grep '^FAILED' "$V/hwparams.txt" 2>/dev/null | head -n 20 | sed 's/^/    /' || true
hnodes=$(grep -c '^hwparams ' "$V/hwparams.txt" 2>/dev/null || true)
hruns=$(awk '/^hwparams / { for (i = 1; i <= NF; i++) if ($i ~ /^runs=/) s += substr($i, 6) }
	END { print s + 0 }' "$V/hwparams.txt" 2>/dev/null || echo 0)
hfails=$(grep -c '^FAILED' "$V/hwparams.txt" 2>/dev/null || true)
if [ "$hnodes" -ge 16 ] && [ "$hfails" = 0 ] && [ "$hruns" -gt 0 ]; then
	pass rel-hwparams-all-nodes
else
	fail rel-hwparams-all-nodes "$hnodes nodes, $hruns requests, $hfails failures"
fi

# --- still plays, nothing left --------------------------------------------------
ncards=$(grep -c '^ *[0-9]* \[' "$V/cards.txt" 2>/dev/null || true)
nplay=$(grep -c ' aplay 0$' "$V/play.txt" 2>/dev/null || true)
if [ "$ncards" = 5 ] && [ "$nplay" = 5 ]; then
	pass rel-churn-cards-still-play
else
	fail rel-churn-cards-still-play "$ncards cards, $nplay played: $(cat "$V/play.txt" 2>/dev/null)"
fi
# what they played, as QEMU heard it
for c in sb:s16 es:s16 ich:s16-48 wss:s16; do
	check "rel-churn-${c%:*}-bitexact-after" python3 "$WAV" contains \
		"$OUT/${c#*:}.wav" "$V/${c%:*}.wav" --prefix-seconds 0.3
done
leaks=0
if grep -qx 'rmmod 0' "$V/rmmod.txt" 2>/dev/null && rel_res_diff "$V" before after; then
	pass rel-churn-nothing-left
else
	leaks=1
	fail rel-churn-nothing-left "rmmod: $(cat "$V/rmmod.txt" 2>/dev/null)"
fi
check_dmesg_clean "$V/dmesg.txt" rel-churn-dmesg-clean

if [ -f "$OUT/t-start" ] && [ -f "$V/t-openclose" ]; then
	echo "    open/close $((CYCLES)) x $nodes nodes and hw_params took $(($(cat "$V/t-hwparams") - $(cat "$V/t-openclose"))) s of guest time for hw_params"
fi
leaks=$((leaks + $(rel_kmemleak "$V")))
rel_figure stress-openclose "$runs" "$fails" "$reports" "$leaks"
rel_figure stress-hwparams "$hruns" "$hfails" "$reports" "$leaks"
test_done
