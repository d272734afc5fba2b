#!/bin/bash
# needs: debug-kernel
# timeout: 1800
# A paused stream whose card goes away: no period timer of the virtual card
# may outlive its substream, its card or its module.  On the debug kernel
# (KASAN, DEBUG_OBJECTS_TIMERS: freeing memory that holds a queued hrtimer
# is an "ODEBUG: free active object" report; a timer firing in freed memory
# or an unloaded module is a KASAN report or an Oops), in one VM with two
# CPUs, for each of the virtual card's three PCM devices (continuous,
# vmalloc, external), playback and capture at once
# (tests/guest/pcm-hold.c):
#   race   32-frame periods (0.67 ms); PAUSE_RELEASE on CPU 0 and
#          PAUSE_PUSH from CPU 1, REL_PAUSE_ITER times (default 300), so
#          that pushes meet the period interrupt running on the other CPU
#          (the callback then re-arms its timer once more);
#   hunt   periods of 2 s at 8000 Hz (1 s on the external device, whose
#          buffer is smaller); the pause pushed from CPU 1 just at a
#          period's end (-300..+300 us, REL_PAUSE_HUNT attempts, default
#          61) until /proc/timer_list shows the timer queued while every
#          stream is paused: the push met the callback, which re-armed it
#          for the next period's end, a period later; the card then goes
#          at once, so a driver that does not cancel it at close and free
#          leaves a queued timer in freed memory.  Some hunt must hit
#          (rel-pause-unbind-race-reached);
# then, with every stream paused: either the device is unbound from its
# driver (sysfs) while the files are open and they are closed as soon as
# the card is disconnected (the ALSA core then stops nothing itself and
# runs no sync_stop for a paused stream: only the driver's close and free
# are left to cancel the timer), or the files are closed (the core stops
# the streams) and the module is removed at once.  After each
# cycle /proc/timer_list must show no timer of the driver, pcm-hold must
# have run every ioctl, the unbind or rmmod must have succeeded and no
# card may be left; over REL_PAUSE_ROUNDS rounds of the 9 cycles (race
# with unbind and with rmmod, hunt with unbind, on each device; default 1,
# 3 under make reliability).  The kernel log's reports fail the test (vm_run on the debug
# kernel, tests/run.sh).  Prints FIGURE: pause-unbind.
set -eu
. "$REPO/tests/lib/vm.sh"
. "$REPO/tests/lib/test.sh"
. "$REPO/tests/lib/rel.sh"

OUT=${TEST_OUT:-$REPO/tests/out/rel-pause-unbind}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# make reliability (OMNIBUS_KERNEL=debug) goes round three times
if [ "${OMNIBUS_KERNEL:-}" = debug ]; then
	ROUNDS=${REL_PAUSE_ROUNDS:-3}
else
	ROUNDS=${REL_PAUSE_ROUNDS:-1}
fi
ITER=${REL_PAUSE_ITER:-300}
HUNT=${REL_PAUSE_HUNT:-61}

# REL_PAUSE_KVER=KVER runs it on another kernel, with $MODULE (a trial of
# the scenario: only the debug kernel scans its log for reports)
if [ -n "${REL_PAUSE_KVER:-}" ]; then
	DKVER=$REL_PAUSE_KVER
	DMOD=$MODULE
else
	DKVER=$(vm_debug_kver)
	DMOD=$(vm_debug_module "$REPO/src" "$OUT/module")
fi
gcc -static -O2 -Wall -o "$OUT/pcm-hold" "$REPO/tests/guest/pcm-hold.c"

cat >"$OUT/scenario" <<EOF
ROUNDS=$ROUNDS
ITER=$ITER
HUNT=$HUNT
EOF
cat >>"$OUT/scenario" <<'EOF'
drv=/sys/bus/platform/drivers/snd_omnibus_virtual
grep -c ^processor /proc/cpuinfo >/out/cpus.txt
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for dev in 0 1 2; do
		for kind in race hunt; do
			for how in unbind rmmod; do
				# a close before the disconnect stops the stream (and
				# its timer) in the ALSA core: the hunt is for unbind
				[ "$kind-$how" != hunt-rmmod ] || continue
				name="r$r-pcm$dev-$kind-$how"
				if ! modprobe snd-omnibus-virtual virtual_cards=1; then
					echo "$name modprobe failed" >>/out/cycles.txt
					continue
				fi
				case $kind in
				race) args="race 32 4 $ITER" ;;
				hunt) if [ $dev = 2 ]; then args="hunt 8192 2 $HUNT"; else args="hunt 16384 2 $HUNT"; fi ;;
				esac
				case $how in
				unbind) cmd="echo snd_omnibus_virtual.0 >$drv/unbind"; close=disconnected ;;
				rmmod) cmd="i=0; until rmmod snd-omnibus-virtual 2>/dev/null; do i=\$((i + 1)); [ \$i -lt 100000 ] || exit 1; done"; close=now ;;
				esac
				# shellcheck disable=SC2086 # args are words
				/data/pcm-hold $args "$close" "$cmd" \
					/dev/snd/pcmC0D${dev}p /dev/snd/pcmC0D${dev}c \
					>"/out/$name.hold" 2>&1
				echo "exit $?" >>"/out/$name.hold"
				timers=$(grep -c virt_timer_fn /proc/timer_list)
				cards=$(grep -c ' - Omnibus Virtual$' /proc/asound/cards)
				if grep -q '^snd_omnibus_virtual ' /proc/modules; then
					rmmod snd-omnibus-virtual || echo "$name rmmod failed" >>/out/cycles.txt
				fi
				echo "$name $(tr '\n' ' ' <"/out/$name.hold")timers $timers cards $cards" >>/out/cycles.txt
			done
		done
	done
done
exit 0
EOF

V=$OUT/vm
rm -rf "$V"
t0=$(date +%s)
vm_run --kver "$DKVER" --module "$DMOD" --out "$V" --timeout 500 \
	--scenario "$OUT/scenario" --file "$OUT/pcm-hold" \
	--qemu-args "-smp 2" >"$OUT/vm.log" || true
echo "    VM time: $(($(date +%s) - t0)) s"
if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/vm.log" | tail -n 40
	fail rel-pause-unbind-vm "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
fi
if [ "$(cat "$V/cpus.txt" 2>/dev/null)" = 2 ]; then
	pass rel-pause-unbind-two-cpus
else
	fail rel-pause-unbind-two-cpus "the guest has $(cat "$V/cpus.txt" 2>/dev/null) CPUs, the race needs 2"
fi

runs=0 fails=0 hits=0 attempts=0
for dev in 0 1 2; do
	for kind in race hunt; do
		for how in unbind rmmod; do
			[ "$kind-$how" != hunt-rmmod ] || continue
			bad=""
			r=0
			while [ $r -lt "$ROUNDS" ]; do
				r=$((r + 1))
				name="r$r-pcm$dev-$kind-$how"
				runs=$((runs + 1))
				line=$(grep "^$name " "$V/cycles.txt" 2>/dev/null || true)
				if [[ $line =~ ^$name\ hits\ ([0-9]+)\ attempts\ ([0-9]+)\ (.*)$ ]]; then
					hits=$((hits + BASH_REMATCH[1]))
					attempts=$((attempts + BASH_REMATCH[2]))
					line="$name ${BASH_REMATCH[3]}"
				fi
				want="$name paused command 0 exit 0 timers 0 cards 0"
				[ "$how" = rmmod ] ||
					want="$name paused disconnected command 0 exit 0 timers 0 cards 0"
				if [ "$line" != "$want" ]; then
					bad="$bad [${line:-$name: no result}]"
					fails=$((fails + 1))
				fi
			done
			if [ -z "$bad" ]; then
				pass "rel-pause-unbind-pcm$dev-$kind-$how"
			else
				fail "rel-pause-unbind-pcm$dev-$kind-$how" "$bad"
			fi
		done
	done
done
# the hunt must have met the callback at least once, or the cycles after
# it tested only the easy case
if [ "$hits" -gt 0 ]; then
	pass rel-pause-unbind-race-reached
	echo "    hunt: $hits of $attempts pushes met a running period callback (its timer re-armed while paused)"
else
	fail rel-pause-unbind-race-reached "none of $attempts pushes at a period's end met the period callback running"
fi
if [ -f "$V/reports.txt" ]; then
	nrep=$(grep -c -v '^    \[<' "$V/reports.txt" || true)
	if [ "$nrep" = 0 ]; then
		pass rel-pause-unbind-no-reports
	else
		fail rel-pause-unbind-no-reports "$(head -n 1 "$V/reports.txt")"
	fi
else
	nrep=0
	fail rel-pause-unbind-no-reports "the VM left no kernel log to scan (reports.txt)"
fi
rel_figure pause-unbind "$runs" "$fails" "$nrep" "$(rel_kmemleak "$V")"
test_done
