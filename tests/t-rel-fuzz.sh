#!/bin/bash
# timeout: 3600
#
# t-rel-fuzz.sh - ioctl fuzzing of every card snd-omnibus makes (issue 6).
#
# tests/guest/alsa-fuzz.c, built static on the host, throws a seeded random
# sequence of well-formed and malformed raw PCM and control ioctls (hw_params
# with random masks and intervals, sw_params, prepare/start/drop/drain/
# pause/reset/resume/xrun, read/write with random sizes and bad pointers,
# mmap of the status/control/data areas at random offsets and sizes,
# control writes out of range, TLVs, user controls, events, locks) at every
# PCM and control node of the card, one VM per card:
#
#   virtual   virtual_cards=1 (3 PCMs, loopback)
#   es1370    -device ES1370
#   ich       -device AC97
#   sb16      -device sb16, port=0x220 irq=5 dma8=1 dma16=5, and beside it
#             -device adlib (an OPL3 at 0x220, the SB16's FM, and at 0x388):
#             after the SB16's run, snd-omnibus-adlib port=0x388 (card 1)
#             and a run of FUZZ_FM_ITER iterations (seed FUZZ_SEED + 50)
#             on its control node, its hwdep node (the OPL3 FM) and the
#             SB16's hwdep node (its OPL3 FM): the hwdep ioctls, the OPL3
#             ones (SNDRV_DM_FM_IOCTL_*, the OSS numbers) with random
#             arguments, random 'H' ioctl numbers, SBI instrument writes;
#             then a note plays through each OPL3's synth port (aplaymidi
#             exits 0; the AdLib's audio is not recorded) and
#             snd-omnibus-adlib unloads.  The AdLib card has no PCM and no
#             mixer control: its control node has only the core's ioctls
#             to take;
#   wss       -device cs4231a,irq=5, port=0x534 irq=5 dma1=3 (one DMA
#             channel; QEMU's codec has no ADC: a capture stops with EIO)
#
# For each run it checks that the fuzzer ran all its iterations (a call that
# blocks for 10 s is a failure: the fuzzer's watchdog) and that no control
# accepted a write that left it outside its range, that the card then
# still plays byte for byte (-audiodev wav, or the virtual card's loopback
# capture; on a QEMU card a second of silence first, whose last half must
# be recorded as silence right before the noise), that the module unloads
# and gives back its I/O ports, IRQs and DMA channels, and that the kernel
# log has no report (and kmemleak, on a kernel that has it, no leak).  Then
# it re-runs the seeds that once found a bug (REGRESSION_SEEDS below).
#
# Then two fuzzer processes run at once (-j 2, a quarter of the iterations
# each, seeds FUZZ_SEED + n + 100 and + 101): their sequences are
# reproducible, their interleaving is not; it is there for the races
# between two openers of a card.
#
# Environment: FUZZ_SEED (default 6001; card n uses FUZZ_SEED + n),
# FUZZ_ITER (iterations per card, default 100000), FUZZ_FM_ITER (the
# OPL3 run in the sb16 VM, default 50000), FUZZ_CARDS (default
# "virtual es1370 ich sb16 wss").  The seed and count are printed: to reproduce
# a failure run alsa-fuzz with the same seed, count and device list (see
# docs/reliability.md).  Prints "FIGURE: fuzz runs=... failures=... reports=...
# leaks=..." (runs: iterations done over all cards).
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
WAV=$REPO/tests/lib/wav.py
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-fuzz.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

FUZZ_SEED=${FUZZ_SEED:-6001}
FUZZ_ITER=${FUZZ_ITER:-100000}
FUZZ_CARDS=${FUZZ_CARDS:-virtual es1370 ich sb16 wss}
FUZZ_FM_ITER=${FUZZ_FM_ITER:-50000}

# Seeds that made the fuzzer find a bug, each run again as a regression
# test: "card:seed:iterations".  None has found a bug of snd-omnibus yet.
# (The default run of the ES1370, seed 6002 with 100000 iterations, is the
# one that found the ALSA core's endless silence fill, see alsa-fuzz.c: it
# stays the default, so every run checks the fuzzer's way around it.)
REGRESSION_SEEDS=${REGRESSION_SEEDS-}

# Kernel-log lines that start a report (KASAN and lockdep reports start
# with BUG: or WARNING:), and those of leaks.
REPORT_RE='BUG:|WARNING:|UBSAN:|general protection|Oops|Kernel panic|INFO: task .* blocked|INFO: rcu|soft lockup|hard LOCKUP|list_add corruption|list_del corruption|refcount_t:|scheduling while atomic|sleeping function called|DMA-API:'
LEAK_RE='kmemleak: [0-9]+ new suspected'

if [ ! -f "$MODULE/snd-omnibus-virtual.ko" ]; then
	fail fuzz-module "no snd-omnibus modules in $MODULE (build them first)"
	echo "FIGURE: fuzz runs=0 failures=1 reports=0 leaks=0"
	test_done
fi

t_start=$(date +%s)
gcc -static -O2 -Wall -o "$OUT/alsa-fuzz" "$REPO/tests/guest/alsa-fuzz.c"
python3 "$WAV" noise "$OUT/noise44.wav" --rate 44100 --seconds 2.5 --seed 6044
python3 "$WAV" noise "$OUT/noise48.wav" --rate 48000 --seconds 2.5 --seed 6048
python3 "$REPO/tests/lib/fm.py" files "$OUT"

RUNS=0
FAILURES=0
REPORTS=0
LEAKS=0

fuzz_fail()
{
	fail "$1" "$2"
	FAILURES=$((FAILURES + 1))
}

# fuzz_card NAME CARD SEED ITERATIONS: one VM: load, fuzz, play, unload.
fuzz_card()
{
	local name=$1 card=$2 seed=$3 iter=$4 V=$OUT/$1 params="" rate=44100
	local noise=$OUT/noise44.wav
	local -a qemu=()
	local n rep leak t0 t1 done_iter j_iter j_total fm_part="" fm_iter

	# two workers of a quarter each (rounded down)
	j_total=$((iter / 4))
	j_total=$((j_total * 2))

	case $card in
	virtual) params="virtual_cards=1" ;;
	es1370) qemu=(--qemu-args "-device ES1370,audiodev=snd0") ;;
	ich)
		qemu=(--qemu-args "-device AC97,audiodev=snd0")
		rate=48000 noise=$OUT/noise48.wav
		;;
	sb16)
		# the OPL3 on an audiodev of its own: out.wav is the SB16's
		qemu=(--qemu-args "-device sb16,audiodev=snd0"
			--qemu-args "-device adlib,audiodev=fm -audiodev none,id=fm")
		params="port=0x220 irq=5 dma8=1 dma16=5"
		# the AdLib card (card 1) and the two OPL3 hwdep nodes
		fm_part="fm_seed=$((seed + 50)) fm_iter=$FUZZ_FM_ITER"
		# shellcheck disable=SC2016 # guest text
		fm_part="$fm_part"'
fm_t0=$(cut -d" " -f1 /proc/uptime)
modprobe snd-omnibus-adlib port=0x388 || exit 1
cat /proc/asound/cards /proc/asound/hwdep >/out/fm-nodes.txt
echo "seed $fm_seed, $fm_iter iterations: /data/alsa-fuzz $fm_seed $fm_iter" \
	/dev/snd/controlC1 /dev/snd/hwC1D0 /dev/snd/hwC0D0 >/out/fuzz-fm.txt
/data/alsa-fuzz -v $fm_seed $fm_iter /dev/snd/controlC1 /dev/snd/hwC1D0 \
	/dev/snd/hwC0D0 >>/out/fuzz-fm.txt 2>/tmp/trace.txt
echo "rc=$?" >>/out/fuzz-fm.txt
tail -n 80 /tmp/trace.txt >/out/trace-fm-tail.txt
rm -f /tmp/trace.txt
# a note through each OPL3 synth port (SB16 and AdLib), our instrument first
modprobe snd-seq && modprobe snd-opl3-synth
cat /data/patch.sbi >/dev/snd/hwC0D0 && cat /data/patch.sbi >/dev/snd/hwC1D0 &&
	echo ok >/out/fm-patch.ok
for p in $(aplaymidi -l | awk "/OPL3 FM/ { print \$1 }"); do
	aplaymidi -p "$p" /data/note.mid >/out/fm-note.err 2>&1
	echo "port $p rc $?"
done >/out/fm-notes.txt
rmmod snd-omnibus-adlib && echo ok >/out/rmmod-fm.ok
echo "$fm_t0 $(cut -d" " -f1 /proc/uptime)" >/out/fm-time.txt
'
		;;
	wss)
		qemu=(--qemu-args "-device cs4231a,irq=5,audiodev=snd0")
		params="port=0x534 irq=5 dma1=3"
		;;
	*) vm_die "fuzz_card: unknown card $card" ;;
	esac
	[ "$card" = virtual ] ||
		qemu+=(--qemu-args "-audiodev wav,id=snd0,path=$V/out.wav,out.frequency=$rate")
	rm -rf "$V"
	mkdir -p "$V"
	t0=$(date +%s)
	vm_run --module "$MODULE" --out "$V" --timeout 900 \
		--file "$OUT/alsa-fuzz" --file "$noise:noise.wav" \
		--file "$OUT/patch.sbi" --file "$OUT/note.mid" \
		"${qemu[@]}" --scenario - >"$V.log" <<EOF || true
snap() { # what the kernel holds: ports, DMA channels, IRQ names
	cat /proc/ioports /proc/dma
	awk '\$1 ~ /^[0-9]+:\$/ && NF >= 5 { \$2 = ""; print }' /proc/interrupts
}
snap >/out/proc-before.txt
modprobe snd-omnibus-$card $params || exit 1
alsactl -f /tmp/asound.state store
ls /dev/snd >/out/nodes.txt
echo "seed $seed, $iter iterations: /data/alsa-fuzz -v $seed $iter" \
	/dev/snd/controlC0 /dev/snd/pcmC0D* >/out/fuzz.txt
/data/alsa-fuzz -v $seed $iter /dev/snd/controlC0 /dev/snd/pcmC0D* \
	>>/out/fuzz.txt 2>/tmp/trace.txt
echo "rc=\$?" >>/out/fuzz.txt
tail -n 80 /tmp/trace.txt >/out/trace-tail.txt
rm -f /tmp/trace.txt
# two processes at once on the same nodes: races between openers
/data/alsa-fuzz -j 2 $((seed + 100)) $((iter / 4)) /dev/snd/controlC0 \
	/dev/snd/pcmC0D* >/out/fuzz-j.txt 2>&1
echo "rc=\$?" >>/out/fuzz-j.txt
$fm_part
# the fuzzer changed the mixer: back to the levels of the load
alsactl -f /tmp/asound.state restore 2>/out/restore.err
if [ $card = ich ]; then
	# QEMU's AC97 passes samples unchanged at 0 dB only
	amixer -c 0 -q sset Master 100% unmute
	amixer -c 0 -q sset PCM 100% unmute
fi
if [ $card = virtual ]; then
	arecord -q -D hw:0,0 -f S16_LE -c 2 -r 44100 -d 4 /out/cap.wav \
		2>/out/arecord.err &
	rec=\$!
	sleep 1
	aplay -q -D hw:0,0 /data/noise.wav 2>/out/aplay.err && echo ok >/out/aplay.ok
	wait \$rec
else
	# QEMU's mixer can still hold samples of the fuzzer's last stream
	# when the next stream starts, and adds them to its first frames
	# (seen on the SB16, and on the ES1370 with snd-omnibus and
	# snd-ens1370 alike: up to 22 ms).  A second of silence takes them;
	# the noise must come out byte for byte right after its last half.
	aplay -q -D hw:0,0 -f S16_LE -c 2 -r $rate -d 1 /dev/zero \
		2>/out/drain.err
	aplay -q -D hw:0,0 /data/noise.wav 2>/out/aplay.err && echo ok >/out/aplay.ok
fi
rmmod snd-omnibus-$card snd-omnibus-core && echo ok >/out/rmmod.ok
snap >/out/proc-after.txt
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/out/kmemleak.txt
fi
exit 0
EOF
	t1=$(date +%s)
	done_iter=$(sed -n 's/^alsa-fuzz: done: seed [0-9]*, \([0-9]*\) iterations.*/\1/p' \
		"$V/fuzz.txt" 2>/dev/null || true)
	if [ -z "$done_iter" ]; then
		# the last progress line tells how far it got
		done_iter=$(sed -n 's|^alsa-fuzz: \([0-9]*\)/[0-9]*$|\1|p' \
			"$V/fuzz.txt" 2>/dev/null | tail -n 1)
	fi
	RUNS=$((RUNS + ${done_iter:-0}))
	echo "    $name: seed $seed, ${done_iter:-0}/$iter iterations, VM $((t1 - t0)) s"
	# the two-process run: both workers' last progress lines
	j_iter=$(awk -F'[]/[ ]' '/^alsa-fuzz\[[0-9]\]: [0-9]+\/[0-9]+$/ { n[$2] = $4 }
		END { for (k in n) t += n[k]; print t + 0 }' "$V/fuzz-j.txt" 2>/dev/null || echo 0)
	RUNS=$((RUNS + j_iter))
	echo "    $name: seed $((seed + 100)), 2 processes, $j_iter/$j_total iterations"

	if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
		tail -n 30 "$V.log" | sed 's/^/    /'
		fuzz_fail "fuzz-$name-vm" "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null)), seed $seed"
	elif grep -qx 'rc=0' "$V/fuzz.txt" && [ "${done_iter:-0}" = "$iter" ]; then
		grep -E 'done:|WRITEI|HW_PARAMS\(good\)|ELEM_WRITE|mmap ' "$V/fuzz.txt" |
			sed 's/^/    /'
		pass "fuzz-$name-iterations"
	else
		sed 's/^/    /' "$V/fuzz.txt" | tail -n 5
		sed 's/^/    trace: /' "$V/trace-tail.txt" | tail -n 30
		fuzz_fail "fuzz-$name-iterations" "$(grep -E 'WATCHDOG|signal|VIOLATION|rc=' "$V/fuzz.txt" | head -n 3 | tr '\n' ' ')(seed $seed)"
	fi

	if grep -qx 'rc=0' "$V/fuzz-j.txt" 2>/dev/null &&
	   [ "$j_iter" = "$j_total" ]; then
		grep 'done:' "$V/fuzz-j.txt" | sed 's/^/    /'
		pass "fuzz-$name-two-processes"
	else
		grep -E 'WATCHDOG|signal|VIOLATION|worker|rc=' "$V/fuzz-j.txt" 2>/dev/null |
			head -n 5 | sed 's/^/    /'
		fuzz_fail "fuzz-$name-two-processes" "$(grep -E 'WATCHDOG|signal|VIOLATION|rc=' "$V/fuzz-j.txt" 2>/dev/null | head -n 2 | tr '\n' ' ')(seed $((seed + 100)), -j 2)"
	fi

	if [ -n "$fm_part" ]; then
		fm_iter=$(sed -n 's/^alsa-fuzz: done: seed [0-9]*, \([0-9]*\) iterations.*/\1/p' \
			"$V/fuzz-fm.txt" 2>/dev/null || true)
		RUNS=$((RUNS + ${fm_iter:-0}))
		echo "    $name OPL3: seed $((seed + 50)), ${fm_iter:-0}/$FUZZ_FM_ITER iterations," \
			"$(awk '{ printf "%.1f", $2 - $1 }' "$V/fm-time.txt" 2>/dev/null) s in the guest"
		# the nodes were there and took calls: opens, instrument
		# writes and notes that the kernel accepted
		if grep -qx 'rc=0' "$V/fuzz-fm.txt" 2>/dev/null &&
		   [ "${fm_iter:-0}" = "$FUZZ_FM_ITER" ] &&
		   grep -q '^00-00: OPL3 FM$' "$V/fm-nodes.txt" &&
		   grep -q '^01-00: OPL3 FM$' "$V/fm-nodes.txt" &&
		   grep -q '^ 1 \[.*\]: AdLib - AdLib FM$' "$V/fm-nodes.txt" &&
		   awk '$2 == "open" && ($3 == "hwdep" || $3 == "control") && $5 > 0 { n[$3] = 1 }
			$2 == "write" && $3 == "hwdep" && $5 > 0 { n["write"] = 1 }
			$2 == "FM_PLAY_NOTE" && $4 > 0 { n["note"] = 1 }
			END { exit !(length(n) == 4) }' "$V/fuzz-fm.txt"; then
			grep -E 'done:|open hwdep|write hwdep|FM_PLAY_NOTE|FM_SET_VOICE|HWDEP_RANDOM' \
				"$V/fuzz-fm.txt" | sed 's/^/    /'
			pass "fuzz-$name-adlib-and-fm-iterations"
		else
			sed 's/^/    /' "$V/fuzz-fm.txt" 2>/dev/null | tail -n 5
			sed 's/^/    trace: /' "$V/trace-fm-tail.txt" 2>/dev/null | tail -n 30
			fuzz_fail "fuzz-$name-adlib-and-fm-iterations" "$(grep -E 'WATCHDOG|signal|VIOLATION|rc=' "$V/fuzz-fm.txt" 2>/dev/null | head -n 3 | tr '\n' ' ')(seed $((seed + 50)))"
		fi
		# both OPL3s still take an instrument and play a note
		if [ -f "$V/fm-patch.ok" ] &&
		   [ "$(grep -c '^port [0-9]*:0 rc 0$' "$V/fm-notes.txt" 2>/dev/null)" = 2 ] &&
		   [ "$(grep -c . "$V/fm-notes.txt")" = 2 ]; then
			pass "fuzz-$name-adlib-and-fm-note-after"
		else
			fuzz_fail "fuzz-$name-adlib-and-fm-note-after" "$(cat "$V/fm-notes.txt" "$V/fm-note.err" 2>/dev/null | tr '\n' ' ')"
		fi
		if [ -f "$V/rmmod-fm.ok" ]; then
			pass "fuzz-$name-adlib-unload"
		else
			fuzz_fail "fuzz-$name-adlib-unload" "rmmod snd-omnibus-adlib failed"
		fi
	fi
	if [ ! -f "$V/aplay.ok" ]; then
		fuzz_fail "fuzz-$name-plays-after" "aplay failed: $(cat "$V/drain.err" "$V/aplay.err" 2>/dev/null)"
	elif [ "$card" = virtual ]; then
		if msg=$(python3 "$WAV" contains "$noise" "$V/cap.wav" \
			--prefix-seconds 2 2>&1); then
			pass "fuzz-$name-plays-after"
		else
			fuzz_fail "fuzz-$name-plays-after" "$msg $(cat "$V/arecord.err")"
		fi
	elif msg=$(python3 "$WAV" contains "$noise" "$V/out.wav" \
		--prefix-seconds 2 --after-silence 0.5 2>&1); then
		pass "fuzz-$name-plays-after"
	else
		fuzz_fail "fuzz-$name-plays-after" "$msg $(cat "$V/drain.err" 2>/dev/null)"
	fi

	leak=0
	if [ ! -f "$V/rmmod.ok" ]; then
		fuzz_fail "fuzz-$name-unload" "rmmod snd-omnibus-$card snd-omnibus-core failed"
	elif ! diff -u "$V/proc-before.txt" "$V/proc-after.txt" >"$V/proc.diff"; then
		sed 's/^/    /' "$V/proc.diff"
		leak=$(grep -c '^[-+][^-+]' "$V/proc.diff" || true)
		fuzz_fail "fuzz-$name-unload" "resources not given back"
	else
		pass "fuzz-$name-unload"
	fi
	n=$(grep -c '^unreferenced object' "$V/kmemleak.txt" 2>/dev/null || true)
	leak=$((leak + ${n:-0}))
	n=$(grep -cE "$LEAK_RE" "$V/dmesg.txt" 2>/dev/null || true)
	[ "${n:-0}" -gt 0 ] && [ ! -f "$V/kmemleak.txt" ] && leak=$((leak + n))
	LEAKS=$((LEAKS + leak))

	rep=$(grep -cE "$REPORT_RE" "$V/dmesg.txt" 2>/dev/null || true)
	REPORTS=$((REPORTS + ${rep:-0}))
	if [ ! -f "$V/dmesg.txt" ]; then
		fuzz_fail "fuzz-$name-dmesg-clean" "no kernel log"
	elif [ "${rep:-0}" -gt 0 ] || [ "$leak" -gt 0 ] || ! check_dmesg_clean "$V/dmesg.txt"; then
		grep -E "$REPORT_RE|$LEAK_RE" "$V/dmesg.txt" | head -n 20 | sed 's/^/    dmesg: /'
		head -n 40 "$V/kmemleak.txt" 2>/dev/null | sed 's/^/    kmemleak: /'
		fuzz_fail "fuzz-$name-dmesg-clean" "$rep report(s), $leak leak(s), seed $seed"
	else
		pass "fuzz-$name-dmesg-clean"
	fi
}

i=0
for card in $FUZZ_CARDS; do
	fuzz_card "$card" "$card" $((FUZZ_SEED + i)) "$FUZZ_ITER"
	i=$((i + 1))
done
for r in $REGRESSION_SEEDS; do
	IFS=: read -r card seed iter <<<"$r"
	fuzz_card "regress-$card-$seed" "$card" "$seed" "$iter"
done

echo "fuzzing took $(($(date +%s) - t_start)) s"
echo "FIGURE: fuzz runs=$RUNS failures=$FAILURES reports=$REPORTS leaks=$LEAKS"
test_done
