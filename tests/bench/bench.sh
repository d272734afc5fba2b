#!/bin/bash
#
# tests/bench/bench.sh - "make bench": snd-omnibus side by side with the
# in-tree drivers for the same chips, in the same VM, under the same
# conditions.  One VM per emulated device:
#
#   es1370   -device ES1370   snd-omnibus-es1370  vs snd-ens1370   (amd64, 44100 Hz)
#   ich      -device AC97     snd-omnibus-ich     vs snd-intel8x0  (amd64, 48000 Hz)
#   sb16     -device sb16     snd-omnibus-sb16    vs snd-sb16      (686,   44100 Hz)
#   wss      -device cs4231a,irq=5
#                             snd-omnibus-wss     vs snd-cs4231    (686,   44100 Hz)
#   virtual  (no device)      snd-omnibus-virtual virtual_cards=1
#                             vs snd-dummy (default, and with
#                             fake_buffer=0) and snd-aloop  (amd64, 48000 Hz)
#
# In each VM, for each driver in turn (ours first): load it, read the
# memory figures, then RUNS times play SECONDS_PLAY of silence (interrupts,
# timer callbacks and period events per second, start latency), poll the
# position for SECONDS_POLL (granularity) and play SECONDS_COST with an
# idle-priority spinner beside the stream (the CPU the stream takes); then, with a CPU
# hog in the guest, RUNS times search down XRUN_SIZES (SECONDS_XRUN_SEARCH
# each) for the smallest period that plays with no xrun, and confirm it,
# or the next larger size that holds, over SECONDS_XRUN; unload.  The guest side is
# tests/bench/guest.sh with tests/bench/pcm-bench.c; tests/bench/report.py
# prints the table (medians of the runs, ratios ours / in-tree) and draws
# the plots.
#
# Environment (defaults in brackets):
#   BENCH_OUT           output directory [tests/out/bench, git-ignored]
#   BENCH_DEVICES       which VMs [es1370 ich sb16 wss virtual]
#   BENCH_RUNS          runs per figure [3]
#   BENCH_SECONDS_PLAY  seconds per play run [10]
#   BENCH_SECONDS_COST  seconds per run of the CPU cost (an idle-priority
#                       spinner beside the stream) [5]
#   BENCH_SECONDS_POLL  seconds per poll run [1]
#   BENCH_SECONDS_XRUN  seconds the answer must play under the hog [20]
#   BENCH_SECONDS_XRUN_SEARCH  seconds per size in the search before [2]
#   BENCH_TIMER_US      QEMU's audio timer-period in microseconds [1000]
#   BENCH_ICOUNT        QEMU -icount setting, "off" for none [shift=0,sleep=off]
#   BENCH_PLOTS         directory for the PNG plots [BENCH_OUT]
#   KVER, MODULE        as for tests/run.sh
#
# Prints how long each VM took.  A benchmark: it never fails for speed;
# it exits non-zero only when something could not be measured at all.

set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BENCH=$REPO/tests/bench
# shellcheck source=tests/lib/vm.sh
. "$REPO/tests/lib/vm.sh"

OUT=${BENCH_OUT:-$REPO/tests/out/bench}
DEVICES=${BENCH_DEVICES:-es1370 ich sb16 wss virtual}
RUNS=${BENCH_RUNS:-3}
SECONDS_PLAY=${BENCH_SECONDS_PLAY:-10}
SECONDS_COST=${BENCH_SECONDS_COST:-5}
SECONDS_POLL=${BENCH_SECONDS_POLL:-1}
SECONDS_XRUN=${BENCH_SECONDS_XRUN:-20}
SECONDS_XRUN_SEARCH=${BENCH_SECONDS_XRUN_SEARCH:-2}
TIMER_US=${BENCH_TIMER_US:-1000}
ICOUNT=${BENCH_ICOUNT:-shift=0,sleep=off}
PLOTS=${BENCH_PLOTS:-$OUT}
# period and periods of the play and poll runs; sizes and periods of the
# xrun search
PERIOD=1024
PERIODS=4
XRUN_SIZES="4096 2048 1024 512 256 128 64 32 16"
XRUN_PERIODS=2

vm_host_deps qemu-system-x86 python3-matplotlib binutils mmdebstrap
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
KVER=${KVER:-$(vm_kver)}
t_all=$(date +%s)

if [ -z "${MODULE:-}" ]; then
	MODULE=$REPO/src
	make -C "$REPO" KVER="$KVER" modules >"$OUT/build-amd64.log" 2>&1 ||
		vm_die "building snd-omnibus for $KVER failed ($OUT/build-amd64.log)"
fi
[ -f "$MODULE/snd-omnibus-virtual.ko" ] || vm_die "no snd-omnibus modules in $MODULE"
gcc -static -O2 -Wall -o "$OUT/pcm-bench" "$BENCH/pcm-bench.c" ||
	vm_die "building pcm-bench failed"

# the 686 side: our module and pcm-bench built in the i386 chroot
case " $DEVICES " in
*" sb16 "* | *" wss "*)
	K686=$(vm_kver_i386)
	rm -rf "$OUT/build-686"
	vm_build_i386 "$REPO/src" "$K686" "$OUT/build-686" ||
		vm_die "building snd-omnibus for $K686 failed ($OUT/build-686/build.log)"
	root=$(vm_chroot_i386 "$K686")
	vm__lock
	mkdir -p "$root/bench"
	cp "$BENCH/pcm-bench.c" "$root/bench/"
	setarch i686 chroot "$root" gcc -static -O2 -Wall \
		-o /bench/pcm-bench /bench/pcm-bench.c || rc=$?
	cp "$root/bench/pcm-bench" "$OUT/pcm-bench-i386" || true
	rm -rf "$root/bench"
	vm__unlock
	[ -f "$OUT/pcm-bench-i386" ] || vm_die "building pcm-bench for i386 failed"
	;;
esac

# scenario DEVICE: the guest script of one VM
scenario()
{
	cat <<EOF
RUNS=$RUNS
SECONDS_PLAY=$SECONDS_PLAY
SECONDS_COST=$SECONDS_COST
SECONDS_POLL=$SECONDS_POLL
SECONDS_XRUN=$SECONDS_XRUN
SECONDS_XRUN_SEARCH=$SECONDS_XRUN_SEARCH
PERIOD=$PERIOD
PERIODS=$PERIODS
XRUN_SIZES="$XRUN_SIZES"
XRUN_PERIODS=$XRUN_PERIODS
EOF
	cat "$BENCH/guest.sh"
	echo "bench_setup"
	echo "echo 'kind=setup device=$1 timer_period_us=$TIMER_US icount=$ICOUNT seconds_xrun=$SECONDS_XRUN seconds_xrun_search=$SECONDS_XRUN_SEARCH' >>\$R"
	case $1 in
	es1370)
		echo "bench_driver omnibus 44100 pci - modprobe snd-omnibus-es1370"
		echo "bench_driver snd-ens1370 44100 pci - modprobe snd-ens1370"
		;;
	ich)
		echo "bench_driver omnibus 48000 pci - modprobe snd-omnibus-ich"
		echo "bench_driver snd-intel8x0 48000 pci - modprobe snd-intel8x0"
		;;
	sb16)
		echo "bench_driver omnibus 44100 5 - modprobe snd-omnibus-sb16 port=0x220"
		echo "bench_driver snd-sb16 44100 5 - modprobe snd-sb16 isapnp=0 port=0x220 irq=5 dma8=1 dma16=5"
		;;
	wss)
		# one DMA channel each (dma2=-1: snd-cs4231 and ours alike)
		echo "bench_driver omnibus 44100 5 - modprobe snd-omnibus-wss port=0x534 irq=5 dma1=3"
		echo "bench_driver snd-cs4231 44100 5 - modprobe snd-cs4231 port=0x534 irq=5 dma1=3 dma2=-1"
		;;
	virtual)
		echo "bench_driver omnibus 48000 - virt_timer_fn modprobe snd-omnibus-virtual virtual_cards=1"
		echo "bench_driver snd-dummy 48000 - dummy_hrtimer_callback modprobe snd-dummy"
		# snd-dummy's default fake buffer takes no samples at all
		echo "bench_driver snd-dummy-fake_buffer=0 48000 - dummy_hrtimer_callback modprobe snd-dummy fake_buffer=0"
		echo "bench_driver snd-aloop 48000 - loopback_jiffies_timer_function modprobe snd-aloop"
		;;
	esac
	echo "echo \"kind=setup guest_uptime_after=\$(cut -d' ' -f1 /proc/uptime)\" >>\$R"
	echo "exit 0"
}

rc=0
for dev in $DEVICES; do
	d=$OUT/$dev
	rm -rf "$d"
	mkdir -p "$d"
	scenario "$dev" >"$d.scenario"
	args=(--out "$d" --timeout 7200 --scenario "$d.scenario"
		--qemu-args "-audiodev none,id=snd0,timer-period=$TIMER_US")
	[ "$ICOUNT" = off ] || args+=(--qemu-args "-icount $ICOUNT")
	case $dev in
	es1370) args+=(--qemu-args "-device ES1370,audiodev=snd0") ;;
	ich) args+=(--qemu-args "-device AC97,audiodev=snd0") ;;
	sb16) args+=(--qemu-args "-device sb16,audiodev=snd0") ;;
	# QEMU's default IRQ 9 is the ACPI SCI of -M pc
	wss) args+=(--qemu-args "-device cs4231a,irq=5,audiodev=snd0") ;;
	virtual) ;;
	*) vm_die "unknown device $dev (es1370 ich sb16 wss virtual)" ;;
	esac
	if [ "$dev" = sb16 ] || [ "$dev" = wss ]; then
		args+=(--arch i386 --kver "$K686" --module "$OUT/build-686/snd-omnibus-core.ko"
			--module "$OUT/build-686/snd-omnibus-$dev.ko"
			--file "$OUT/pcm-bench-i386:pcm-bench")
	else
		args+=(--kver "$KVER" --module "$MODULE" --file "$OUT/pcm-bench")
	fi
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	t0=$(date +%s)
	echo "=== $dev (host load $load)"
	vm_run "${args[@]}" >"$d.log" || true
	grep '^  | bench:' "$d.log" || true
	if [ ! -s "$d/results.txt" ]; then
		echo "bench: $dev: no results (see $d.log)"
		rc=1
	fi
	printf 'host_load_before=%s host_load_after=%s wall_s=%s\n' \
		"${load// /,}" "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" \
		"$(($(date +%s) - t0))" >"$d/host.txt"
	echo "bench: $dev took $(($(date +%s) - t0)) s"
done

# module sizes (text, data, bss) of the .ko files, for the table
{
	for m in core virtual es1370 ich sb16 wss; do
		size "$MODULE/snd-omnibus-$m.ko" | tail -n 1 |
			awk -v m="$m" '{ print "ko=omnibus-" m "-amd64 text=" $1 " data=" $2 " bss=" $3 }'
	done
	for m in core sb16 wss; do
		[ -f "$OUT/build-686/snd-omnibus-$m.ko" ] || continue
		size "$OUT/build-686/snd-omnibus-$m.ko" | tail -n 1 |
			awk -v m="$m" '{ print "ko=omnibus-" m "-686 text=" $1 " data=" $2 " bss=" $3 }'
	done
	for m in snd-ens1370 snd-intel8x0 snd-ac97-codec ac97_bus snd-dummy snd-aloop; do
		f=$(find "$CACHE/kernel/$KVER/lib/modules/$KVER/kernel/sound" \
			-name "$m.ko" | head -n 1)
		[ -n "$f" ] && size "$f" | tail -n 1 |
			awk -v m="$m" '{ print "ko=" m " text=" $1 " data=" $2 " bss=" $3 }'
	done
	if [ -n "${K686:-}" ]; then
		for m in snd-sb16 snd-sb16-dsp snd-sb-common snd-cs4231 snd-wss-lib; do
			f=$(find "$CACHE/kernel/$K686/lib/modules/$K686/kernel/sound" \
				-name "$m.ko" | head -n 1)
			[ -n "$f" ] && size "$f" | tail -n 1 |
				awk -v m="$m" '{ print "ko=" m " text=" $1 " data=" $2 " bss=" $3 }'
		done
	fi
} >"$OUT/ko-sizes.txt"

# Debian's python3 has python3-matplotlib (a python3 earlier in PATH may not)
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# shellcheck disable=SC2086 # one argument per device
"$PY" "$BENCH/report.py" "$OUT" "$PLOTS" $DEVICES || rc=1
echo "bench: all took $(($(date +%s) - t_all)) s; results in $OUT"
exit "$rc"
