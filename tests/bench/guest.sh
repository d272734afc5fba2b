# shellcheck shell=sh
#
# tests/bench/guest.sh - the guest half of "make bench" (busybox sh).
# bench.sh puts settings in front of it and runs the result as the VM's
# scenario; every figure goes to /out/results.txt as one line of
# "key=value" words, which tests/bench/report.py reads.
#
#   bench_driver NAME RATE IRQ CALLBACK MODPROBE-COMMAND...
#
# NAME     label of the driver in the results (omnibus, snd-ens1370, ...)
# RATE     sample rate of every stream
# IRQ      the card's interrupt line: a number, "pci" (the sound card's
#          PCI function), or "-" (no interrupt: a virtual card)
# CALLBACK kernel symbol of the virtual card's timer callback (counted
#          with a kprobe), or "-"
#
# Settings (from bench.sh): RUNS, SECONDS_PLAY, SECONDS_COST, SECONDS_POLL,
# SECONDS_XRUN, SECONDS_XRUN_SEARCH, PERIOD, PERIODS, XRUN_SIZES, XRUN_PERIODS.

T=/sys/kernel/debug/tracing
R=/out/results.txt
PCM=/dev/snd/pcmC0D0p

log() { echo "bench: $*"; }

modsum() { awk '{ s += $2 } END { print s + 0 }' /proc/modules; }

# free pages of ZONE_DMA (the ISA DMA zone, below 16 MiB)
dmafree()
{
	awk '/^Node 0, zone +DMA$/ { z = 1; next }
		/^Node/ { z = 0 }
		z && $1 == "pages" && $2 == "free" { print $3; exit }' /proc/zoneinfo
}

irq_count()
{
	[ "$1" = - ] && { echo 0; return; }
	awk -v n="$1:" '$1 == n { print $2; exit }' /proc/interrupts
}

# the IRQ of the PCI multimedia audio function (class 0x0401)
pci_irq()
{
	for d in /sys/bus/pci/devices/*; do
		case $(cat "$d/class") in
		0x0401*) cat "$d/irq"; return ;;
		esac
	done
	echo -
}

# number of hits of a kprobe event ("-" when not set)
kp_hits()
{
	awk -v e="$1" '$1 == e { print $2; f = 1 } END { if (!f) print 0 }' \
		$T/kprobe_profile
}

# the first period-elapsed event at or after T0_NS: its delay in ns.
# busybox awk reads a number string with a leading 0 as octal when its
# digits allow ("073031000" is 15479296), so the fraction loses its
# leading zeros before it is added.
first_pe_ns()
{
	awk -v t0="$1" '/ pe: / {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) {
				sub(":", "", $i)
				split($i, p, ".")
				frac = substr(p[2] "000000000", 1, 9)
				sub(/^0+/, "", frac)
				ns = p[1] * 1000000000 + frac
				if (ns >= t0) { print ns - t0; exit }
			}
	}' $T/trace
}

word() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

hog_start() { (while :; do :; done) & HOG=$!; }
hog_stop() { kill "$HOG"; wait "$HOG" 2>/dev/null; HOG=; }

bench_driver()
{
	name=$1 rate=$2 irq=$3 cb=$4
	shift 4
	log "=== $name"
	sync
	m0=$(modsum)
	d0=$(dmafree)
	if ! "$@"; then
		echo "driver=$name error=modprobe" >>$R
		return 0
	fi
	if [ ! -e $PCM ]; then
		echo "driver=$name error=no-pcm" >>$R
		return 0
	fi
	sleep 1
	m1=$(modsum)
	d1=$(dmafree)
	[ "$irq" = pci ] && irq=$(pci_irq)
	pre=$(cat /proc/asound/card0/pcm0p/sub0/prealloc 2>/dev/null || echo -)
	premax=$(cat /proc/asound/card0/pcm0p/sub0/prealloc_max 2>/dev/null || echo -)
	echo "driver=$name kind=mem module_bytes=$((m1 - m0)) dma_zone_bytes=$(((d0 - d1) * 4096)) prealloc_kb=$pre prealloc_max_kb=$premax irq=$irq" >>$R
	grep -v -e '^snd ' -e '^snd_pcm ' -e '^snd_timer ' -e '^soundcore ' /proc/modules |
		awk -v n="$name" '{ print "driver=" n " kind=module name=" $1 " size=" $2 }' >>$R
	cat /proc/asound/cards >>/out/cards.txt

	echo 0 >$T/events/bench/enable
	if [ "$cb" != - ]; then
		echo "p:bench/cb $cb" >>$T/kprobe_events || log "no kprobe on $cb"
	fi
	echo 1 >$T/events/bench/enable

	# one stream first, not counted: QEMU's audio voice of the device
	# then is in the same state for every driver
	/data/pcm-bench play $PCM "$rate" "$PERIOD" "$PERIODS" 1 >/dev/null

	r=1
	while [ $r -le "$RUNS" ]; do
		echo >$T/trace
		i0=$(irq_count "$irq")
		p0=$(kp_hits pe)
		c0=$(kp_hits cb)
		line=$(/data/pcm-bench play $PCM "$rate" "$PERIOD" "$PERIODS" "$SECONDS_PLAY")
		i1=$(irq_count "$irq")
		p1=$(kp_hits pe)
		c1=$(kp_hits cb)
		lat=$(first_pe_ns "$(word t0_ns "$line")")
		echo "driver=$name kind=play run=$r $line irqs=$((i1 - i0)) pe=$((p1 - p0)) cb=$((c1 - c0)) start_latency_ns=${lat:--1}" >>$R
		line=$(/data/pcm-bench poll $PCM "$rate" "$PERIOD" "$PERIODS" "$SECONDS_POLL")
		echo "driver=$name kind=poll run=$r $line" >>$R
		# what the stream costs the machine: the CPU an idle-priority
		# spinner loses to it (pcm-bench.c)
		line=$(/data/pcm-bench cost $PCM "$rate" "$PERIOD" "$PERIODS" "$SECONDS_COST")
		echo "driver=$name kind=cost run=$r $line" >>$R
		r=$((r + 1))
	done

	# the smallest period that plays SECONDS_XRUN with no xrun while a CPU
	# hog runs.  First a search down the list of sizes, SECONDS_XRUN_SEARCH
	# each, until one fails (later runs start two sizes above the previous
	# run's answer); then the size found must play SECONDS_XRUN, and when
	# it does not, the next larger one must, and so on up the list.
	r=1
	top=0
	while [ $r -le "$RUNS" ]; do
		cand=-
		hog_start
		for p in $XRUN_SIZES; do
			[ "$top" -gt 0 ] && [ "$p" -gt "$top" ] && continue
			xrun_try search "$p" "$SECONDS_XRUN_SEARCH" && cand=$p
			[ "$XRUN_OK" = 1 ] || break
		done
		best=-
		if [ "$cand" != - ]; then
			for p in $(printf '%s\n' $XRUN_SIZES | sort -n); do
				[ "$p" -lt "$cand" ] && continue
				if xrun_try confirm "$p" "$SECONDS_XRUN"; then
					best=$p
					break
				fi
			done
		fi
		hog_stop
		if [ "$best" = - ] && [ "$top" -gt 0 ]; then
			# even the start size failed: this run again from the top
			top=0
			continue
		fi
		echo "driver=$name kind=smallest run=$r period=$best search=$cand" >>$R
		if [ "$best" != - ]; then
			top=$((best * 4))
		fi
		r=$((r + 1))
	done

	echo 0 >$T/events/bench/enable
	if [ "$cb" != - ]; then
		echo "-:bench/cb" >>$T/kprobe_events
	fi
	echo 1 >$T/events/bench/enable
	mods=$(awk '{ print $1 }' /proc/modules | grep -v -x -e snd -e snd_pcm -e snd_timer -e soundcore)
	for m in $mods; do rmmod "$m" 2>/dev/null; done
	for m in $mods; do rmmod "$m" 2>/dev/null; done
	for m in $mods; do rmmod "$m" 2>/dev/null; done
	if [ -e /proc/asound/card0 ]; then
		log "card 0 is still there after unloading $name"
		echo "driver=$name error=unload" >>$R
	fi
}

# xrun_try PHASE PERIOD SECONDS: play PERIOD-frame periods for SECONDS under
# the hog; the line goes to $R.  True (and XRUN_OK=1) when it played with
# no xrun and kept the rate (QEMU's ES1370 model moves at most one period
# per audio timer tick); XRUN_OK=1 too when the driver refused the size
# (a search goes on below it), with a false status.
xrun_try()
{
	line=$(/data/pcm-bench play $PCM "$rate" "$2" "$XRUN_PERIODS" "$3")
	echo "driver=$name kind=xrun phase=$1 run=$r $line" >>$R
	XRUN_OK=1
	case $line in
	refused=*) return 1 ;;
	esac
	XRUN_OK=$(printf '%s\n' "$line" | awk -v r="$rate" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		due = v["elapsed_ns"] / 1e9 * r
		print (v["xruns"] == 0 && v["played"] >= 0.97 * due - v["period"] * v["periods"]) ? 1 : 0
	}')
	[ "$XRUN_OK" = 1 ]
}

# the core every driver needs, loaded first so that neither side pays for
# it and snd_pcm_period_elapsed can carry a kprobe from the start
bench_setup()
{
	modprobe snd-pcm || exit 1
	modprobe snd-timer
	echo mono >$T/trace_clock
	echo 4096 >$T/buffer_size_kb
	echo 'p:bench/pe snd_pcm_period_elapsed' >$T/kprobe_events || exit 1
	echo 1 >$T/events/bench/enable
	: >$R
	{
		echo "kind=setup kernel=$(uname -r) arch=$(uname -m)"
		echo "kind=setup guest_uptime_before=$(cut -d' ' -f1 /proc/uptime)"
	} >>$R
}
