# shellcheck shell=sh
# tests/guest/fault-sweep.sh - the guest half of tests/t-rel-fault.sh, run
# by /scenario on the debug kernel after the test's preamble set:
#   KIND     virtual, es1370, ich or sb16
#   PARAMS   module parameters that make one card of that kind
#   RATE     the rate the playback checks use
#   STRIDE   1 to try every N, k to try N = 1, 1+k, 1+2k, ... (quick runs)
#   MAXN     give up after this N (a runaway sweep)
# and with /data/fault-nth, /data/report.re (the ERE of kernel-log reports)
# and the files to play (/data/NAME.wav for play_check NAME) in place.
# Writes into /out:
#   probe.txt     one line per N of the probe sweep
#   hwparams.txt  one line per N of the hw_params sweeps
#   *.txt         the rest, read by the host side
KO=/lib/modules/$(uname -r)/updates/snd-omnibus.ko
FI=/sys/kernel/debug
PCM=/dev/snd/pcmC0D0p
SUB=/proc/asound/card0/pcm0p/sub0

# What the kernel holds for a driver: I/O ports, DMA channels, IRQ
# handlers, cards, modules.
snap()
{
	cat /proc/ioports /proc/dma
	awk 'NR == 1 { n = NF; next }
		/^ *[0-9]+:/ && NF > n + 3 { $2 = ""; for (i = 3; i <= n + 3; i++) $i = ""; print }' \
		/proc/interrupts
	cat /proc/asound/cards
	cut -d' ' -f1 /proc/modules | sort
}

# split_log FILE: FILE.fault gets the notices and stacks of injected
# failures, FILE.rest everything else.
split_log()
{
	awk -v f="$1.fault" -v r="$1.rest" '
		/FAULT_INJECTION: forcing a failure/ { inj = 1; print >f; next }
		inj && /<\/TASK>/ { print >f; inj = 0; next }
		inj { print >f; next }
		/page allocation failure/ { inj = 1; print >f; next }
		{ print >r }' "$1"
	touch "$1.fault" "$1.rest"
}

# fault knobs: count GFP_KERNEL allocations of every order; a stack with
# each injected failure (so the sweep can tell the loader's from the
# driver's), no random failures
fi_nth_mode()
{
	for a in failslab fail_page_alloc; do
		echo 0 >$FI/$a/probability
		echo N >$FI/$a/ignore-gfp-wait
		echo 2 >$FI/$a/verbose
		echo N >$FI/$a/task-filter
	done
	echo 0 >$FI/fail_page_alloc/min-order
	echo N >$FI/fail_page_alloc/ignore-gfp-highmem
}

# play_check NAME: play /data/NAME.wav on card 0 (the host compares what
# QEMU wrote; the virtual card records it back through its loopback)
play_check()
{
	if [ "$KIND" = virtual ]; then
		arecord -q -D hw:0,0 -f S16_LE -c 2 -r "$RATE" -d 5 /tmp/cap.wav \
			2>"/out/arecord-$1.err" &
		rec=$!
		sleep 1
		aplay -q -D hw:0,0 "/data/$1.wav" 2>"/out/aplay-$1.err"
		echo $? >"/out/aplay-$1.rc"
		wait $rec
		gzip -1 -c /tmp/cap.wav >"/out/cap-$1.wav.gz"
		rm -f /tmp/cap.wav
	else
		aplay -q -D hw:0,0 "/data/$1.wav" 2>"/out/aplay-$1.err"
		echo $? >"/out/aplay-$1.rc"
	fi
}

mixer()
{
	if [ "$KIND" = ich ]; then
		amixer -c 0 -q sset Master 100% unmute
		amixer -c 0 -q sset PCM 100% unmute
	fi
}

# --- a clean load: the dependencies stay loaded, the sizes are noted ------
# shellcheck disable=SC2086 # PARAMS is a list of words
modprobe snd-omnibus $PARAMS || exit 1
cat /proc/asound/card0/buffers >/out/buffers-normal.txt
rmmod snd-omnibus || exit 1
snap >/tmp/snap-before
echo scan >$FI/kmemleak
echo clear >$FI/kmemleak

# --- (a) the probe: fail its N-th allocation, for every N -------------------
fi_nth_mode
n=1
t0=$(cut -d' ' -f1 /proc/uptime)
while [ "$n" -le "$MAXN" ]; do
	dmesg -c >/dev/null
	r=$(/data/fault-nth load "$n" "$KO" "$PARAMS")
	dmesg -c >/tmp/d
	split_log /tmp/d
	loaded=0
	grep -q '^snd_omnibus ' /proc/modules && loaded=1
	cards=$(grep -c '^ *[0-9]* \[' /proc/asound/cards)
	where=loader
	grep -q '\[snd_omnibus\]' /tmp/d.fault && where=driver
	msg=$(grep -i -m 1 'omnibus\|ALSA' /tmp/d.rest | tr -s ' ' | cut -c1-160)
	grep -E -f /data/report.re /tmp/d.rest >>/out/probe-reports.txt
	unload=ok
	if [ $loaded = 1 ]; then
		rmmod snd_omnibus 2>/tmp/rmmod.err || unload=failed
	fi
	snap >/tmp/snap-after
	same=yes
	cmp -s /tmp/snap-before /tmp/snap-after || same=no
	if [ $same = no ]; then
		{ echo "--- N=$n"; diff /tmp/snap-before /tmp/snap-after; } >>/out/probe-leftover.txt
		# start the next try from a clean slate again
		rmmod snd_omnibus 2>/dev/null
	fi
	echo "N=$n $r loaded=$loaded cards=$cards where=$where unload=$unload clean=$same msg=$msg" \
		>>/out/probe.txt
	case $r in *injected=0*) break ;; esac
	n=$((n + STRIDE))
done
t1=$(cut -d' ' -f1 /proc/uptime)
echo "$t0 $t1" >/out/probe-time.txt
echo scan >$FI/kmemleak
echo scan >$FI/kmemleak
cat $FI/kmemleak >/out/probe-kmemleak.txt
echo clear >$FI/kmemleak

# --- then a clean load works and plays --------------------------------------
dmesg -c >/dev/null
# shellcheck disable=SC2086
modprobe snd-omnibus $PARAMS
echo $? >/out/after-probe.rc
mixer
play_check after-probe

# --- (b) hw_params: fail its N-th allocation, with the pre-allocated buffer
# and without it (hw_params allocates one then) ------------------------------
PERIOD=1024
for pre in default 0; do
	[ $pre = 0 ] && echo 0 >$SUB/prealloc
	n=1
	while [ "$n" -le "$MAXN" ]; do
		dmesg -c >/dev/null
		r=$(/data/fault-nth hwparams "$n" $PCM "$RATE" 2 $PERIOD 4)
		dmesg -c >/tmp/d
		split_log /tmp/d
		grep -E -f /data/report.re /tmp/d.rest >>/out/hwparams-reports.txt
		echo "prealloc=$pre N=$n $r" >>/out/hwparams.txt
		case $r in *injected=0*) break ;; esac
		n=$((n + 1))
	done
done

# aplay itself, with every allocation of order 2 or more failing for it
# (prealloc 0: hw_params must allocate the buffer)
for a in failslab fail_page_alloc; do
	echo N >$FI/$a/task-filter
	echo 0 >$FI/$a/verbose
done
echo 100 >$FI/fail_page_alloc/probability
echo -1 >$FI/fail_page_alloc/times
echo 2 >$FI/fail_page_alloc/min-order
echo Y >$FI/fail_page_alloc/task-filter
dmesg -c >/dev/null
sh -c 'echo 1 >/proc/self/make-it-fail; exec aplay -q -D hw:0,0 --buffer-size=8192 /data/after-probe.wav' \
	>/out/aplay-failing.out 2>&1
echo $? >/out/aplay-failing.rc
echo 0 >$FI/fail_page_alloc/probability
dmesg -c >/tmp/d
split_log /tmp/d
grep -E -f /data/report.re /tmp/d.rest >>/out/hwparams-reports.txt

# the pre-allocation back, and playback is exact again
sed -n 's/.*p0: preallocated \([0-9]*\) bytes.*/\1/p' /out/buffers-normal.txt |
	head -n 1 >/tmp/pre
echo $(($(cat /tmp/pre) / 1024)) >$SUB/prealloc
cat /proc/asound/card0/buffers >/out/buffers-restored.txt
play_check after-hwparams
rmmod snd-omnibus

# --- the fallback: every allocation of order 2 or more fails while the
# module loads; pre-allocation halves down to what it gets ------------------
echo 100 >$FI/fail_page_alloc/probability
echo -1 >$FI/fail_page_alloc/times
echo 2 >$FI/fail_page_alloc/min-order
echo Y >$FI/fail_page_alloc/task-filter
dmesg -c >/dev/null
# shellcheck disable=SC2086
sh -c "echo 1 >/proc/self/make-it-fail; exec modprobe snd-omnibus $PARAMS"
echo $? >/out/fallback.rc
echo 0 >$FI/fail_page_alloc/probability
echo N >$FI/fail_page_alloc/task-filter
dmesg -c >/tmp/d
split_log /tmp/d
cp /tmp/d.rest /out/fallback-dmesg.txt
grep -E -f /data/report.re /tmp/d.rest >>/out/fallback-reports.txt
cat /proc/asound/card0/buffers >/out/buffers-fallback.txt
mixer
# (the virtual card: a loopback capture runs alongside, see play_check)
play_check fallback &
sleep 2
cat $SUB/hw_params >/out/hw-fallback.txt
cat /proc/asound/card0/buffers >/out/buffers-fallback-play.txt
wait
rmmod snd-omnibus
snap >/tmp/snap-end
cmp -s /tmp/snap-before /tmp/snap-end || diff /tmp/snap-before /tmp/snap-end >/out/end-leftover.txt
exit 0
