# shellcheck shell=sh
# tests/guest/fault-sweep.sh - the guest half of tests/t-rel-fault.sh, run
# by /scenario on the debug kernel after the test's preamble set:
#   KIND     virtual, es1370, ich, sb16 or wss
#   PARAMS   module parameters that make one card of that kind
#   RATE     the rate the playback checks use
#   STRIDE   1 to try every N of the driver's allocations, k every k-th
#   LSTRIDE  the same for the module loader's allocations before them
#   MAXN     give up after this N (a runaway sweep)
#   FM       1: the SB16 has an OPL3 (-device adlib): sweep its FM setup
#            at every N too (fm_sweep)
#   ADLIB    1: an AdLib OPL3 at 0x388 too: sweep snd-omnibus-adlib
# and with /data/fault-nth, /data/report.re (the ERE of kernel-log reports)
# and the files to play (/data/NAME.wav for play_check NAME) in place.
# Writes into /out:
#   probe.txt     one line per N of the probe sweep
#   hwparams.txt  one line per N of the hw_params sweeps
#   *.txt         the rest, read by the host side
# the module of that kind: snd-omnibus-$KIND
KO=/lib/modules/$(uname -r)/updates/snd-omnibus-$KIND.ko
MOD=snd_omnibus_$KIND
FI=/sys/kernel/debug

# card_now: CARD, PCM, SUB and BUF for the card now loaded.  Its number is
# 0 unless the ALSA core lost one: snd_card_new() keeps the index it took
# when it fails after taking it (kobject name, control device or proc
# directory not allocated; only snd_card_disconnect() gives an index
# back), and the next card takes the next free one.  That is counted in
# /out/core-index-leaks.txt, not held against the driver.
CARD=0
card_now()
{
	c=$(sed -n 's/^ *\([0-9]*\) \[.*/\1/p' /proc/asound/cards | head -n 1)
	if [ -n "$c" ] && [ "$c" != "$CARD" ]; then
		echo "card index $CARD -> $c ($1)" >>/out/core-index-leaks.txt
		CARD=$c
	fi
	PCM=/dev/snd/pcmC${CARD}D0p
	SUB=/proc/asound/card$CARD/pcm0p/sub0
	BUF=/proc/asound/card$CARD/buffers
}
card_now start

# What the kernel holds for a driver: I/O ports, DMA channels, IRQ
# handlers, cards, modules; last "cards=N loaded=0|1".  (One process: the
# sweep runs this thousands of times.)
snap()
{
	awk 'FILENAME == "/proc/interrupts" {
			if (FNR == 1) { n = NF; next }
			# IRQ, chip and handler names, if any (an I/O APIC
			# line has "PIN-TYPE" after the chip, an 8259 one not)
			if ($1 ~ /^[0-9]+:$/) {
				h = ""
				for (i = n + 3; i <= NF; i++) h = h " " $i
				sub(/^ [0-9]+-[a-z]+/, "", h)
				if (h != "") print $1, $(n + 2) h
			}
			next
		}
		FILENAME == "/proc/modules" { print $1; if ($1 == mod) l = 1; next }
		FILENAME == "/proc/asound/cards" && /^ *[0-9]+ \[/ { c++ }
		{ print }
		END { print "cards=" c + 0 " loaded=" l + 0 }' mod=$MOD \
		/proc/ioports /proc/dma /proc/interrupts /proc/asound/cards /proc/modules
}

# logscan REPORTS: read the kernel log since the last call; append its
# report lines (/data/report.re) to REPORTS, print the first line that
# names the driver or ALSA.  The allocators' warnings about the failures
# injected (a notice, "page allocation failure", "vmalloc error" and their
# stacks) are no reports.
logscan()
{
	dmesg -c >/tmp/lastlog
	awk -v rep="$1" -v re="$(cat /data/report.re)" '
		/FAULT_INJECTION: forcing a failure/ { inj = 1; next }
		inj == 1 && /name [a-z_]+, interval/ { next }
		inj == 1 && /CPU: [0-9]+ PID: / { inj = 2; next }
		/page allocation failure|vmalloc error/ { inj = 2; next }
		inj == 2 { if (/<\/TASK>/) inj = 0; next }
		{ inj = 0 }
		# the driver, ALSA, or the driver core about the PCI card
		# (e.g. "really_probe: driver_sysfs_add(0000:00:03.0) failed",
		# before the probe is called); not the PIRQ router routing its IRQ
		!msg && (tolower($0) ~ /omnibus|alsa/ || /0000:00:[0-9a-f][0-9a-f]\.[0-7]/) &&
			$0 !~ /omnibus-debug/ && $0 !~ /PCI INT [A-D] -> IRQ/ { msg = $0 }
		$0 ~ re { print >>rep }
		END { gsub(/ +/, " ", msg); print substr(msg, 1, 160) }' /tmp/lastlog ||
		# an ERE awk cannot take must not let every report pass
		echo "logscan: awk could not scan the kernel log (/data/report.re)" >>"$1"
}

# fault knobs: count GFP_KERNEL allocations of every order, a notice with
# each injected failure (allocations that ask for no warning fail
# silently), no random failures
fi_nth_mode()
{
	for a in failslab fail_page_alloc; do
		echo 0 >$FI/$a/probability
		echo N >$FI/$a/ignore-gfp-wait
		echo 1 >$FI/$a/verbose
		echo N >$FI/$a/task-filter
	done
	echo 0 >$FI/fail_page_alloc/min-order
	echo N >$FI/fail_page_alloc/ignore-gfp-highmem
}

# play_check NAME: play /data/NAME.wav on card 0 (the host compares what
# QEMU wrote; the virtual card records it back through its loopback), with
# aplay's options in APLAY_ARGS
APLAY_ARGS=""
play_check()
{
	if [ "$KIND" = virtual ]; then
		arecord -q -D "hw:$CARD,0" -f S16_LE -c 2 -r "$RATE" -d 5 /tmp/cap.wav \
			2>"/out/arecord-$1.err" &
		rec=$!
		sleep 1
		# shellcheck disable=SC2086 # APLAY_ARGS is a list of words
		aplay -q -D "hw:$CARD,0" $APLAY_ARGS "/data/$1.wav" 2>"/out/aplay-$1.err"
		echo $? >"/out/aplay-$1.rc"
		wait $rec
		gzip -1 -c /tmp/cap.wav >"/out/cap-$1.wav.gz"
		rm -f /tmp/cap.wav
	else
		# shellcheck disable=SC2086
		aplay -q -D "hw:$CARD,0" $APLAY_ARGS "/data/$1.wav" 2>"/out/aplay-$1.err"
		echo $? >"/out/aplay-$1.rc"
	fi
}

mixer()
{
	if [ "$KIND" = ich ]; then
		amixer -c "$CARD" -q sset Master 100% unmute
		amixer -c "$CARD" -q sset PCM 100% unmute
	fi
}

# --- a clean load: the dependencies stay loaded, the sizes are noted ------
# shellcheck disable=SC2086 # PARAMS is a list of words
modprobe snd-omnibus-$KIND $PARAMS || exit 1
card_now "first load"
cat "$BUF" >/out/buffers-normal.txt
rmmod $MOD || exit 1
echo scan >$FI/kmemleak
echo clear >$FI/kmemleak

# nth ARGS...: fault-nth ARGS, but give up on it after a minute: a call
# stuck in the kernel is a hang; then the blocked tasks go to /out/hang.txt
# and the line printed says "hang".
nth()
{
	/data/fault-nth "$@" >/tmp/nth.out &
	p=$!
	w=0
	while kill -0 $p 2>/dev/null && [ $w -lt 120 ]; do
		sleep 0.5
		w=$((w + 1))
	done
	if kill -0 $p 2>/dev/null; then
		echo w >/proc/sysrq-trigger
		{ echo "--- fault-nth $*"; dmesg; } >>/out/hang.txt
		echo "rc=hang injected=1"
		return 1
	fi
	wait $p
	cat /tmp/nth.out
}

# --- (a) the probe: fail its N-th allocation, for every N -------------------
echo 30 >/proc/sys/kernel/hung_task_timeout_secs
fi_nth_mode

# fmlines: the lines of the last kernel log (/tmp/lastlog) about the OPL3
# FM (the driver's and the library's; not the stacks of the failures
# injected, whose lines name functions as NAME+0xOFF)
fmlines()
{
	grep -v '+0x' /tmp/lastlog | grep -c -i -e 'OPL3 FM' -e 'opl3:'
}

# sweep_line N: load $KO with its N-th allocation failing, judge what is
# left and print the line for /out/${P}probe.txt (fm=: its FM lines).
# Not in a subshell: it keeps "before" and CARD up to date.
sweep_line()
{
	r=$(nth load "$1" "$KO" "$PARAMS")
	card_now "after the load with N=$1"
	msg=$(logscan "/out/${P}probe-reports.txt")
	fm=$(fmlines)
	after=$(snap)
	state=${after##*
}
	unload=ok
	case $state in
	*loaded=1)
		rmmod $MOD 2>/dev/null || unload=failed
		after=$(snap)
		;;
	esac
	same=yes
	if [ "$after" != "$before" ]; then
		same=no
		echo "--- N=$1" >>"/out/${P}probe-leftover.txt"
		printf '%s\n' "$before" >/tmp/snap-before
		printf '%s\n' "$after" >/tmp/snap-after
		diff /tmp/snap-before /tmp/snap-after >>"/out/${P}probe-leftover.txt"
		# start the next try from a clean slate again
		rmmod $MOD 2>/dev/null
		before=$(snap)
	fi
	where=loader
	[ "$1" -gt "$L" ] && where=driver
	echo "N=$1 $r $state where=$where unload=$unload clean=$same fm=$fm msg=$msg"
	# no card and no line naming the driver: keep that kernel log
	case $state:$msg in
	*cards=0*:) { echo "--- N=$1"; cat /tmp/lastlog; } >>"/out/${P}probe-nomsg.txt" ;;
	esac
}

# probe_sweep: the sweep over the loads of $KO ($MOD, $PARAMS) into
# /out/${P}probe*.txt, /out/${P}loader.txt
probe_sweep()
{
	# The loader's own allocations come first: count those of a load whose
	# init fails at once (index=32 is refused before any card is made).
	# Up to that N a failure is the loader's, which need not say anything; the
	# sweep samples the loader's (every LSTRIDE-th) and tries every N of the
	# driver's (every STRIDE-th).
	# shellcheck disable=SC2086
	L=$(/data/fault-nth load 1000000 "$KO" "$PARAMS index=32" |
		sed -n 's/.* calls=\([0-9]*\)$/\1/p')
	T=$(/data/fault-nth load 1000000 "$KO" "$PARAMS" | sed -n 's/.* calls=\([0-9]*\)$/\1/p')
	rmmod $MOD
	echo "loader: $L allocations, whole load: $T" | tee "/out/${P}loader.txt"
	logscan /dev/null >/dev/null
	before=$(snap)
	n=1
	t0=$(cut -d' ' -f1 /proc/uptime)
	while [ "$n" -le "$MAXN" ]; do
		sweep_line "$n" >/tmp/line
		line=$(cat /tmp/line)
		tee -a "/out/${P}probe.txt" </tmp/line
		# on while a failure was injected (not after a hang or a setup error)
		case $line in *injected=1*) ;; *) break ;; esac
		if [ "$n" -lt "$L" ]; then
			n=$((n + LSTRIDE))
			[ "$n" -gt "$L" ] && n=$((L + 1))
		else
			n=$((n + STRIDE))
		fi
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "$t0 $t1" >"/out/${P}probe-time.txt"
	# A load stuck in the kernel: nothing more can be tried, and a clean
	# power-off would wait for the stuck probe (device_shutdown): send the
	# results and reboot at once (QEMU runs with -no-reboot, so it ends).
	if [ -f /out/hang.txt ]; then
		for f in /out/*; do
			emit "$f"
		done
		echo b >/proc/sysrq-trigger
	fi
}

# fm_sweep: an SB16 with an OPL3 (FM=1): every N of the FM setup, which
# the sampled sweep may step over.  Where it is: a load with fm_port=0x228
# (inside the card's ports) fails at the FM setup's first check, before it
# allocates anything, so its C allocations are about those before the FM
# setup (the count of a load moves by a few from load to load: N = 965
# failed in the FM hwdep, 966 in the registration, 967 in the FM setup
# in one run; in another, with C = 961, the FM lines came at 955 to 971).
# From C + 15 down, every N, until a load has failed in snd_opl3_create()
# (its line: "could not be set up") and the loads with an FM line are
# passed by 3 without one (40 loads at most).  Lines into
# /out/fm-probe.txt; C into /out/fm-start.txt.
fm_sweep()
{
	C=$(/data/fault-nth load 1000000 "$KO" "$PARAMS fm_port=0x228" |
		sed -n 's/.* calls=\([0-9]*\)$/\1/p')
	logscan /dev/null >/dev/null
	echo "fm_port=0x228: $C allocations" >/out/fm-start.txt
	n=$((C + 15)) created=0 past=0 k=0
	while [ "$n" -gt "$L" ] && [ "$past" -lt 3 ] && [ "$k" -lt 40 ]; do
		k=$((k + 1))
		sweep_line "$n" >/tmp/line
		line=$(cat /tmp/line)
		tee -a /out/fm-probe.txt </tmp/line
		case $line in
		*"could not be set up"*) created=1 past=0 ;;
		*fm=0" "*) [ $created = 1 ] && past=$((past + 1)) ;;
		*) past=0 ;;
		esac
		n=$((n - 1))
	done
}

# shellcheck disable=SC2034 # read by sweep_line
P=""
probe_sweep
[ "${FM:-0}" = 1 ] && fm_sweep
echo scan >$FI/kmemleak
echo scan >$FI/kmemleak
cat $FI/kmemleak >/out/probe-kmemleak.txt
echo clear >$FI/kmemleak

# --- then a clean load works and plays --------------------------------------
dmesg -c >/dev/null
# shellcheck disable=SC2086
modprobe snd-omnibus-$KIND $PARAMS
echo $? >/out/after-probe.rc
card_now "the load after the probe sweep"
{ dmesg; cat /proc/asound/cards; ls -l /dev/snd; } >/out/after-probe-dmesg.txt 2>&1
cat /proc/asound/hwdep >/out/after-probe-hwdep.txt 2>&1
mixer
play_check after-probe

# --- (b) hw_params: fail its N-th allocation, with the pre-allocated buffer
# and without it (hw_params allocates one then) ------------------------------
PERIOD=1024
for pre in default 0; do
	[ $pre = 0 ] && echo 0 >"$SUB/prealloc"
	n=1
	while [ "$n" -le "$MAXN" ]; do
		r=$(nth hwparams "$n" "$PCM" "$RATE" 2 $PERIOD 4)
		logscan /out/hwparams-reports.txt >/dev/null
		echo "prealloc=$pre N=$n $r" | tee -a /out/hwparams.txt
		case $r in *injected=1*) ;; *) break ;; esac
		n=$((n + 1))
	done
done

# aplay itself, with every allocation of order 2 or more failing for it
# (prealloc 0: hw_params must allocate the buffer)
for a in failslab fail_page_alloc; do
	echo N >$FI/$a/task-filter
	echo 0 >$FI/$a/verbose
done
# aimed first, armed last: with probability 100 set before the filter
# and the order, every page allocation of the machine fails meanwhile
# (seen: the shell's own write to min-order, and the guest wedged)
echo Y >$FI/fail_page_alloc/task-filter
echo 2 >$FI/fail_page_alloc/min-order
echo -1 >$FI/fail_page_alloc/times
echo 100 >$FI/fail_page_alloc/probability
dmesg -c >/dev/null
sh -c "echo 1 >/proc/self/make-it-fail; exec aplay -q -D hw:$CARD,0 --buffer-size=8192 /data/after-probe.wav" \
	>/out/aplay-failing.out 2>&1
echo $? >/out/aplay-failing.rc
echo 0 >$FI/fail_page_alloc/probability
logscan /out/hwparams-reports.txt >/dev/null

# the pre-allocation back, and playback is exact again
sed -n 's/.*p0: preallocated \([0-9]*\) bytes.*/\1/p' /out/buffers-normal.txt |
	head -n 1 >/tmp/pre
echo $(($(cat /tmp/pre) / 1024)) >"$SUB/prealloc"
cat "$BUF" >/out/buffers-restored.txt
play_check after-hwparams
rmmod $MOD

# --- the fallback: every allocation of order 4 (64 KiB) or more fails while
# the module loads; pre-allocation halves down to what it gets (32 KiB) ------
# aimed first, armed last (see above)
echo Y >$FI/fail_page_alloc/task-filter
echo 4 >$FI/fail_page_alloc/min-order
echo -1 >$FI/fail_page_alloc/times
echo 100 >$FI/fail_page_alloc/probability
dmesg -c >/dev/null
# shellcheck disable=SC2086
sh -c "echo 1 >/proc/self/make-it-fail; exec modprobe snd-omnibus-$KIND $PARAMS"
echo $? >/out/fallback.rc
card_now "the fallback load"
echo 0 >$FI/fail_page_alloc/probability
echo N >$FI/fail_page_alloc/task-filter
logscan /out/fallback-reports.txt >/out/fallback-dmesg.txt
cat "$BUF" >/out/buffers-fallback.txt
mixer
# a buffer the 32 KiB pre-allocated can hold (the virtual card: a loopback
# capture runs alongside, see play_check)
APLAY_ARGS="--buffer-size=8192 --period-size=2048"
play_check fallback &
sleep 2
cat "$SUB/hw_params" >/out/hw-fallback.txt
cat "$BUF" >/out/buffers-fallback-play.txt
wait
APLAY_ARGS=""
rmmod $MOD
printf '%s\n' "$before" >/tmp/snap-before
snap >/tmp/snap-end
diff /tmp/snap-before /tmp/snap-end >/out/end-leftover.txt
[ -s /out/end-leftover.txt ] || rm -f /out/end-leftover.txt

# --- the AdLib card (ADLIB=1: QEMU -device adlib in this VM, an OPL3 at
# 0x388): the probe sweep of snd-omnibus-adlib port=0x388 in the same VM.
# It has no PCM: no hw_params sweep, no fallback (the host says SKIP).
if [ "${ADLIB:-0}" = 1 ]; then
	KO=/lib/modules/$(uname -r)/updates/snd-omnibus-adlib.ko
	MOD=snd_omnibus_adlib
	PARAMS="port=0x388"
	# the counting mode again (the fallback above changed the knobs)
	fi_nth_mode
	# shellcheck disable=SC2086
	modprobe snd-omnibus-adlib $PARAMS || exit 1
	rmmod $MOD || exit 1
	echo scan >$FI/kmemleak
	echo clear >$FI/kmemleak
	P=adlib-
	# the module loader is the same as for the SB16 above: every
	# 100th of its allocations is enough; the driver's as before
	LSTRIDE=$((LSTRIDE * 4))
	probe_sweep
	echo scan >$FI/kmemleak
	echo scan >$FI/kmemleak
	cat $FI/kmemleak >/out/adlib-probe-kmemleak.txt
	echo clear >$FI/kmemleak
	# an AdLib port still held after the sweep
	grep '^ *038[89ab]-' /proc/ioports >/out/adlib-ioports-left.txt
	dmesg -c >/dev/null
	# shellcheck disable=SC2086
	modprobe snd-omnibus-adlib $PARAMS
	echo $? >/out/adlib-after-probe.rc
	{ dmesg; cat /proc/asound/cards /proc/ioports; } >/out/adlib-after-probe.txt 2>&1
	cat /proc/asound/hwdep >/out/adlib-after-probe-hwdep.txt 2>&1
	rmmod $MOD
	grep '^ *038[89ab]-' /proc/ioports >>/out/adlib-ioports-left.txt
fi
exit 0
