#!/bin/bash
#
# t-rel-stress-reload.sh - 100 module unload/reload cycles with a card of
# each kind present (Sound Blaster 16 with port=0x220 irq=5 dma8=1 dma16=5,
# a virtual card, an ES1370, an Intel ICH AC'97, a WSS codec with
# -device cs4231a,irq=7 and port=0x534 irq=7 dma1=3, an AdLib OPL3 with
# -device adlib and snd-omnibus-adlib port=0x388; QEMU's adlib answers at
# 0x220 too, so the SB16 has its OPL3 FM), in one VM:
#
#  - every load makes the 6 cards, every unload succeeds;
#  - afterwards nothing is left: /proc/ioports, the IRQ handlers in
#    /proc/interrupts, /proc/dma, /proc/asound/cards and /sys/module are
#    as before the first load, and no port 0x388-0x38b is held;
#  - memory does not grow: unreclaimable slab and MemAvailable (caches
#    dropped) are read after each of the five cycles up to 10, 40, 70 and
#    100, and each point takes the lowest slab and the highest
#    MemAvailable of its five: the stock 6.1 guest's MemAvailable jumps
#    between two levels about 2.5 MiB apart from one cycle to another
#    (probably pages the allocator keeps on its per-CPU lists, which
#    drop_caches leaves alone; seen down, up and down again in three
#    windows of 30 cycles, with unchanged modules).  A leak repeats at
#    every cycle, so it shows in each of the three windows: the check
#    fails when slab grew, or MemAvailable fell, by 340 KiB or more
#    (11 KiB a cycle) in two windows or three.  On a KASAN kernel, whose
#    quarantine holds freed objects, kmemleak judges instead (leaks= of
#    the FIGURE line);
#  - a load after the cycles plays exactly on the SB16, the ES1370, the
#    ICH and the WSS codec (bytes out of -audiodev wav) and on the virtual
#    card (aplay); the SB16 and the AdLib card have their OPL3 hwdep
#    device ("OPL3 FM" in /proc/asound/hwdep) and the AdLib its ports;
#  - the kernel log has no report.
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
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-stress-reload.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CYCLES=100
# memory growth allowed in a window of 30 cycles (10-40, 40-70, 70-100),
# kB; the points are read after these cycles and the 4 before each
MEM_SLACK=340
MEM_AT="10 40 70 100"
MEM_CYCLES=""
for c in $MEM_AT; do
	MEM_CYCLES="$MEM_CYCLES $((c - 4)) $((c - 3)) $((c - 2)) $((c - 1)) $c"
done

if [ ! -f "$MODULE/snd-omnibus-virtual.ko" ]; then
	fail rel-reload-module "no snd-omnibus modules in $MODULE (build them first)"
	test_done
fi
python3 "$WAV" noise "$OUT/p44.wav" --rate 44100 --seconds 1.5 --seed 701
python3 "$WAV" noise "$OUT/p48.wav" --rate 48000 --seconds 1.5 --seed 702

V=$OUT/vm
rm -rf "$V"
mkdir -p "$V"
{
	printf '%s\n' "$REL_GUEST_SNAP"
	printf 'CYCLES=%s\n' "$CYCLES"
	printf 'MEM_CYCLES="%s "\n' "$MEM_CYCLES"
	cat <<'EOF'
# the six modules, cards in the order SB16, virtual, ES1370, ICH, WSS, AdLib
load_all() {
	modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 &&
		modprobe snd-omnibus-virtual virtual_cards=1 &&
		modprobe snd-omnibus-es1370 && modprobe snd-omnibus-ich &&
		modprobe snd-omnibus-wss port=0x534 irq=7 dma1=3 &&
		modprobe snd-omnibus-adlib port=0x388
}
ALL="snd-omnibus-adlib snd-omnibus-wss snd-omnibus-ich snd-omnibus-es1370 snd-omnibus-virtual"
ALL="$ALL snd-omnibus-sb16 snd-omnibus-core"
# the modules' dependencies stay loaded: load them once
load_all || exit 1
rmmod $ALL || exit 1
snap before
i=0 ok=0
while [ $i -lt "$CYCLES" ]; do
	i=$((i + 1))
	if load_all; then
		n=$(grep -c '^ *[0-9]* \[' /proc/asound/cards)
		if rmmod $ALL; then
			[ "$n" = 6 ] && ok=$((ok + 1))
		else
			echo "cycle $i: rmmod failed" >>/out/errors.txt
		fi
		[ "$n" = 6 ] || echo "cycle $i: $n cards" >>/out/errors.txt
	else
		echo "cycle $i: modprobe failed" >>/out/errors.txt
	fi
	case "$MEM_CYCLES" in
	*" $i "*)
		sync
		echo 3 >/proc/sys/vm/drop_caches
		snap "cycle$i"
		;;
	esac
done
echo "$i $ok" >/out/cycles.txt
# KASAN keeps freed objects in a quarantine (up to 1/32 of the memory)
dmesg | grep -c 'KernelAddressSanitizer initialized' >/out/kasan.txt
snap after
grep '^ *038[89ab]-' /proc/ioports >/out/adlib-ports-after.txt
load_all || exit 1
cat /proc/asound/cards >/out/cards.txt
cat /proc/asound/hwdep >/out/hwdep.txt
cat /proc/ioports >/out/ioports-loaded.txt
amixer -c 3 -q sset Master 100% unmute
amixer -c 3 -q sset PCM 100% unmute
for p in 0:p44 1:p44 2:p44 3:p48 4:p44; do
	aplay -q -D "hw:${p%:*},0" "/data/${p#*:}.wav"
	echo "card ${p%:*} aplay $?"
done >/out/play.txt 2>&1
rmmod $ALL
exit 0
EOF
} >"$OUT/scenario"
t0=$(date +%s)
vm_run --module "$MODULE" --out "$V" --timeout 1500 --scenario "$OUT/scenario" \
	--file "$OUT/p44.wav" --file "$OUT/p48.wav" \
	--qemu-args "-device sb16,audiodev=sb -audiodev wav,id=sb,path=$V/sb.wav" \
	--qemu-args "-device ES1370,audiodev=es -audiodev wav,id=es,path=$V/es.wav" \
	--qemu-args "-device AC97,audiodev=ich" \
	--qemu-args "-audiodev wav,id=ich,path=$V/ich.wav,out.frequency=48000" \
	--qemu-args "-device cs4231a,irq=7,audiodev=wss" \
	--qemu-args "-audiodev wav,id=wss,path=$V/wss.wav" \
	--qemu-args "-device adlib,audiodev=fm -audiodev none,id=fm" \
	>"$OUT/vm.log" || true
t1=$(date +%s)
echo "    VM time: $((t1 - t0)) s for $CYCLES cycles"
if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/vm.log" | tail -n 40
	fail rel-reload-vm "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
fi
reports=$(rel_reports "$V/dmesg.txt")
read -r runs ok <"$V/cycles.txt" 2>/dev/null || { runs=0 ok=0; }
fails=$((runs - ok))
if [ "$runs" = "$CYCLES" ] && [ "$ok" = "$CYCLES" ]; then
	pass rel-reload-100-cycles
else
	head -n 10 "$V/errors.txt" 2>/dev/null | sed 's/^/    /'
	fail rel-reload-100-cycles "$ok of $runs cycles (of $CYCLES) loaded 6 cards and unloaded"
fi

leaks=0
if d=$(rel_res_diff "$V" before after); then
	pass rel-reload-nothing-left
else
	leaks=$((leaks + $(printf '%s\n' "$d" | grep -c '^[<>]' || true)))
	printf '%s\n' "$d" | sed 's/^/    /'
	fail rel-reload-nothing-left "resources differ after $CYCLES cycles"
fi
if [ -f "$V/adlib-ports-after.txt" ] && [ ! -s "$V/adlib-ports-after.txt" ]; then
	pass rel-reload-adlib-ports-given-back
else
	leaks=$((leaks + 1))
	fail rel-reload-adlib-ports-given-back "$(cat "$V/adlib-ports-after.txt" 2>/dev/null || echo 'no adlib-ports-after.txt')"
fi
mem()
{
	sed -n "s/^$2: //p" "$V/mem-$1.txt" 2>/dev/null
}
# point C KEY: the lowest (SUnreclaim) or highest (MemAvailable) value of
# KEY after cycles C-4 to C; nothing if one is missing
point()
{
	local c=$1 i v all=""

	for i in $((c - 4)) $((c - 3)) $((c - 2)) $((c - 1)) "$c"; do
		v=$(mem "cycle$i" "$2")
		[ -n "$v" ] || return 0
		all="$all $v"
	done
	# shellcheck disable=SC2086 # one number a word
	if [ "$2" = MemAvailable ]; then
		printf '%s\n' $all | sort -n | tail -n 1
	else
		printf '%s\n' $all | sort -n | head -n 1
	fi
}
# the windows between the snapshots: slab growth and MemAvailable fall of
# each, and how many of them reach MEM_SLACK
grown="" wins=0 big=0 prev="" missing=""
for c in $MEM_AT; do
	s=$(point "$c" SUnreclaim) a=$(point "$c" MemAvailable)
	if [ -z "$s" ] || [ -z "$a" ]; then
		missing="$missing cycle$c"
		continue
	fi
	if [ -n "$prev" ]; then
		gs=$((s - ${prev% *})) fa=$((${prev#* } - a))
		grown="$grown, ${pc}-$c: slab $gs, available $((-fa))"
		wins=$((wins + 1))
		if [ "$gs" -ge "$MEM_SLACK" ] || [ "$fa" -ge "$MEM_SLACK" ]; then
			big=$((big + 1))
		fi
	fi
	prev="$s $a" pc=$c
done
if [ -z "$missing" ]; then
	echo "    memory (kB) by window of cycles${grown#,}"
	kasan=$(cat "$V/kasan.txt" 2>/dev/null || true)
	if [ -z "$kasan" ]; then
		fail rel-reload-memory-flat "no $V/kasan.txt: cannot tell whether memory growth is to be judged"
	elif [ "$kasan" != 0 ]; then
		# freed objects wait in KASAN's quarantine: kmemleak judges
		skip rel-reload-memory-flat "KASAN kernel: memory growth not judged, kmemleak counts the leaks"
	elif [ "$big" -lt 2 ]; then
		pass rel-reload-memory-flat
	else
		leaks=$((leaks + 1))
		fail rel-reload-memory-flat "$big of $wins windows grew by $MEM_SLACK kB or more:${grown#,}"
	fi
else
	fail rel-reload-memory-flat "no memory snapshots:$missing"
fi

if [ "$(grep -c ' aplay 0$' "$V/play.txt" 2>/dev/null)" = 5 ]; then
	pass rel-reload-aplay-after
else
	fail rel-reload-aplay-after "$(cat "$V/play.txt" 2>/dev/null)"
fi
# the OPL3s after the cycles: the SB16's (card 0) and the AdLib's (card 5)
if grep -q '^00-00: OPL3 FM$' "$V/hwdep.txt" 2>/dev/null &&
   grep -q '^05-00: OPL3 FM$' "$V/hwdep.txt" &&
   grep -q '^ 5 \[.*\]: AdLib - AdLib FM$' "$V/cards.txt" &&
   grep -q '^  0388-038b : snd-omnibus AdLib$' "$V/ioports-loaded.txt"; then
	pass rel-reload-opl3-hwdep-after
else
	fail rel-reload-opl3-hwdep-after "$(cat "$V/hwdep.txt" "$V/cards.txt" 2>/dev/null; grep 038 "$V/ioports-loaded.txt" 2>/dev/null)"
fi
for c in sb:p44 es:p44 ich:p48 wss:p44; do
	check "rel-reload-${c%:*}-bitexact-after" python3 "$WAV" contains \
		"$OUT/${c#*:}.wav" "$V/${c%:*}.wav" --prefix-seconds 1
	[ "$CHECK_RC" = 0 ] || fails=$((fails + 1))
done
check_dmesg_clean "$V/dmesg.txt" rel-reload-dmesg-clean

leaks=$((leaks + $(rel_kmemleak "$V")))
rel_figure stress-reload "$runs" "$fails" "$reports" "$leaks"
test_done
