#!/bin/bash
#
# t-rel-stress-suspend.sh - the machine suspends and resumes while every
# card plays (Sound Blaster 16, a virtual card, an ES1370, an Intel ICH
# AC'97, a WSS codec, in one VM), three ways:
#
#  devices  /sys/power/pm_test = devices, then "mem": the drivers' suspend
#           and resume callbacks run, the machine does not sleep;
#  deep     a real ACPI S3 ("deep" in /sys/power/mem_sleep), in a VM of its
#           own: QEMU resets
#           the devices and SeaBIOS jumps back to the kernel; the RTC alarm
#           (/sys/class/rtc/rtc0/wakealarm, 3 s) wakes it, and should it
#           not, the QEMU monitor's system_wakeup 10 s later does (the
#           monitor log tells: its reply is an error when the RTC was first);
#  s2idle   suspend-to-idle ("s2idle" in mem_sleep): QEMU's RTC alarm comes
#           through the HPET and does not wake it, so a key press does
#           (monitor sendkey 4 s later, i8042 wakeup enabled).
#
# Each time aplay goes on by itself after the resume and ends with status
# 0, and what QEMU recorded is the file given to aplay with one interruption:
# the bytes before it exact from the first, then silence, then the bytes
# from some point on exact to the end, that point never before the end of
# the first part (nothing played twice) and at most one buffer plus one
# period after it (only what was written to the buffer but not yet played
# when the stream was suspended is lost: the driver does not resume a
# stream in place, the application prepares it again; see
# tests/lib/splice.py).  On the SB16 up to 4 KiB of other bytes may come
# between the two parts: QEMU's SB16 reopens its voice (11025 Hz U8 mono)
# when the DSP is reset and plays out, converted, what it still held.  The
# ES1370 model closes its voice when S3 resets it, and QEMU's wav backend
# then starts its file anew: for the ES1370 after S3 the file holds only
# the part after the resume, which must be the rest of the stream, exact,
# from where the stream stood just before the suspend (its hw_ptr in the
# status file) or later: the stream went on where it was, it did not
# start again.  The mixer keeps its settings (ICH Master at 100 %).
# The kernel log has no report.
#
# The SB16 is set to IRQ 7: on the debug kernel the VMs keep the I/O APIC
# (vm_run --ioapic), without which no interrupt could wake s2idle, and
# SeaBIOS's MP table, which the kernel then follows, has no entry for IRQ 5.
# The parallel port, IRQ 7's usual owner, is left out.  The WSS codec
# (-device cs4231a, port=0x534 dma1=3) is set to IRQ 15 for the same
# reason: SeaBIOS keeps 5, 9, 10 and 11 for PCI and gives them no ISA entry,
# 12 is the PS/2 mouse's, and 15 is free (the VMs load no IDE driver).  The debug kernel
# routes PCI interrupts through the PIIX3's PIRQ registers itself
# (acpi=noirq, see vm_run), and QEMU resets them on the S3 wakeup while
# SeaBIOS does not set them again, as a PC's firmware would (with ACPI's
# routing the kernel does it: the link devices' _SRS on resume); there the
# scenario writes back after the resume the four bytes read before it.
#
# The AdLib card (snd-omnibus-adlib) is not in this VM: like the in-tree
# snd-adlib it has no PM callbacks (no PCM to suspend, no mixer to restore;
# an OPL3 register state, a held note, is not restored after a resume).
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
SPLICE=$REPO/tests/lib/splice.py
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-stress-suspend.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
MODES="devices deep s2idle"
CARDS="sb:0:44100 virt:1:44100 es:2:44100 ich:3:48000 wss:4:44100"

if [ ! -f "$MODULE/snd-omnibus-virtual.ko" ]; then
	fail rel-suspend-module "no snd-omnibus modules in $MODULE (build them first)"
	test_done
fi
D=$OUT/data
mkdir -p "$D"
seed=900
files=()
for m in $MODES; do
	for c in $CARDS; do
		tag=${c%%:*} rate=${c##*:}
		seed=$((seed + 1))
		python3 "$WAV" noise "$D/$m-$tag.wav" --rate "$rate" --seconds 4 --seed $seed
		files+=(--file "$D/$m-$tag.wav")
	done
done

{
	printf 'CARDS="%s"\n' "$CARDS"
	printf '%s\n' "$REL_GUEST_WAIT"
	cat <<'EOF'
modprobe snd-omnibus-sb16 port=0x220 irq=7 dma8=1 dma16=5 || exit 1
modprobe snd-omnibus-virtual virtual_cards=1 || exit 1
modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
modprobe snd-omnibus-wss port=0x534 irq=15 dma1=3 || exit 1
cat /proc/asound/cards >/out/cards.txt
amixer -c 3 -q sset Master 100% unmute || exit 1
amixer -c 3 -q sset PCM 100% unmute || exit 1
cat /sys/power/mem_sleep >/out/mem_sleep.txt
ls /sys/class/rtc >/out/rtc.txt 2>&1
# the kernel log says what woke the machine
echo 1 >/sys/power/pm_debug_messages
for m in $MODES; do
	for c in $CARDS; do
		tag=${c%%:*} c=${c#*:}
		n=${c%%:*}
		rm -f "/tmp/$m-$tag.rc"
		(
			aplay -D "hw:$n,0" "/data/$m-$tag.wav" >"/out/$m-$tag.aplay" 2>&1
			echo $? >"/tmp/$m-$tag.rc"
		) &
	done
	sleep 1.5
	dmesg -c >"/out/dmesg-before-$m.txt"
	# each stream's parameters, and where it stands just before the suspend
	for c in $CARDS; do
		tag=${c%%:*} c=${c#*:}
		cat "/proc/asound/card${c%%:*}/pcm0p/sub0/hw_params" >"/out/$m-$tag.hw"
		cat "/proc/asound/card${c%%:*}/pcm0p/sub0/status" >"/out/$m-$tag.status"
	done
	case $m in
	devices)
		echo devices >/sys/power/pm_test
		echo mem >/sys/power/state
		echo "suspend-rc $?" >"/out/$m.txt"
		echo none >/sys/power/pm_test
		;;
	deep)
		echo deep >/sys/power/mem_sleep
		echo 0 >/sys/class/rtc/rtc0/wakealarm
		echo +3 >/sys/class/rtc/rtc0/wakealarm
		monitor +10 system_wakeup
		pirq=/sys/bus/pci/devices/0000:00:01.0/config
		dd if=$pirq of=/tmp/pirq bs=1 skip=96 count=4 2>/dev/null
		echo mem >/sys/power/state
		echo "suspend-rc $?" >"/out/$m.txt"
		if grep -q 'acpi=noirq' /proc/cmdline; then
			# the firmware's part (see the top of the test)
			dd if=/tmp/pirq of=$pirq bs=1 seek=96 count=4 conv=notrunc 2>/dev/null
		fi
		;;
	s2idle)
		# the RTC alarm (an HPET-emulated IRQ 8) does not wake s2idle;
		# a key press on the PS/2 keyboard does
		for f in /sys/devices/platform/i8042/serio*/power/wakeup; do
			echo enabled >"$f"
		done
		echo s2idle >/sys/power/mem_sleep
		monitor +4 sendkey shift
		echo mem >/sys/power/state
		echo "suspend-rc $?" >"/out/$m.txt"
		;;
	esac
	for c in $CARDS; do
		tag=${c%%:*}
		if waitfor 30 test -f "/tmp/$m-$tag.rc"; then
			echo "$tag aplay-rc $(cat "/tmp/$m-$tag.rc")" >>"/out/$m.txt"
		else
			echo "$tag aplay-hang" >>"/out/$m.txt"
		fi
	done
	amixer -c 3 cget name='Master Playback Volume' | grep ': values=' >>"/out/$m.txt"
	dmesg -c >"/out/dmesg-$m.txt"
	# let a pending system_wakeup pass while the machine is awake
	[ "$m" = deep ] && sleep 8
done
exit 0
EOF
} >"$OUT/scenario.in"

# vm NAME MODES: one VM that goes through MODES; its output in $OUT/NAME
logs=()
vm()
{
	local V=$OUT/$1 t0 t1

	rm -rf "$V"
	mkdir -p "$V"
	{
		printf 'MODES="%s"\n' "$2"
		cat "$OUT/scenario.in"
	} >"$OUT/scenario-$1"
	t0=$(date +%s)
	vm_run --module "$MODULE" --out "$V" --timeout 400 --scenario "$OUT/scenario-$1" \
		--monitor --ioapic "${files[@]}" \
		--qemu-args "-parallel none" \
		--qemu-args "-device sb16,irq=7,audiodev=sb -audiodev wav,id=sb,path=$V/sb.wav" \
		--qemu-args "-device ES1370,audiodev=es -audiodev wav,id=es,path=$V/es.wav" \
		--qemu-args "-device AC97,audiodev=ich" \
		--qemu-args "-audiodev wav,id=ich,path=$V/ich.wav,out.frequency=48000" \
		--qemu-args "-device cs4231a,irq=15,audiodev=wss" \
		--qemu-args "-audiodev wav,id=wss,path=$V/wss.wav" \
		>"$OUT/$1.log" || true
	t1=$(date +%s)
	echo "    VM $1 ($2): $((t1 - t0)) s"
	if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
		sed 's/^/    /' "$OUT/$1.log" | tail -n 40
		fail "rel-suspend-vm-$1" "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
	fi
	grep -e '^event' "$V/monitor.log" 2>/dev/null | sed 's/^/    monitor: /' || true
	echo "    mem_sleep: $(cat "$V/mem_sleep.txt" 2>/dev/null)"
	logs+=("$V/dmesg.txt")
	for m in $2; do
		logs+=("$V/dmesg-$m.txt" "$V/dmesg-before-$m.txt")
	done
}
# QEMU's wav backend starts its file anew when a device model reopens its
# voice, as the ES1370 does when S3 resets it: S3 gets a VM of its own
vm idle "devices s2idle"
vm s3 "deep"
reports=$(rel_reports "${logs[@]}")

runs=0 fails=0
for m in $MODES; do
	V=$OUT/idle
	[ "$m" = deep ] && V=$OUT/s3
	st=$V/$m.txt
	sed 's/^/    '"$m"': /' "$st" 2>/dev/null || true
	grep -e 'Triggering wakeup' -e 'Waking up from system sleep' "$V/dmesg-$m.txt" \
		2>/dev/null | head -n 2 | sed 's/^/    '"$m"' woken: /'
	if [ "$m" = deep ] && grep -q '^reply system_wakeup: *$' "$V/monitor.log" 2>/dev/null; then
		echo "    $m: note: the RTC alarm did not wake the guest, the monitor's system_wakeup did"
	fi
	if grep -qx 'suspend-rc 0' "$st" 2>/dev/null && grep -q ': values=63,63' "$st"; then
		pass "rel-suspend-$m-resumed"
	else
		fail "rel-suspend-$m-resumed" "$(tr '\n' ' ' <"$st" 2>/dev/null)"
	fi
	for c in $CARDS; do
		tag=${c%%:*}
		runs=$((runs + 1))
		ok=1 msg=""
		grep -qx "$tag aplay-rc 0" "$st" 2>/dev/null || ok=0
		if [ "$tag" != virt ]; then
			# at most one buffer plus one period lost
			buf=$(sed -n 's/^buffer_size: //p' "$V/$m-$tag.hw" 2>/dev/null)
			per=$(sed -n 's/^period_size: //p' "$V/$m-$tag.hw" 2>/dev/null)
			# QEMU's SB16 reopens its voice at 11025 Hz U8 mono when
			# the DSP is reset (suspend and resume must reset it) and
			# plays out, converted, the few ms its mixer still held
			other=0
			[ "$tag" = sb ] && other=4096
			hw=$(sed -n 's/^hw_ptr *: *//p' "$V/$m-$tag.status" 2>/dev/null)
			if [ "$m$tag" = deepes ] && [ -z "$hw" ]; then
				ok=0 msg="no status of the stream before the suspend"
			elif [ "$m$tag" = deepes ]; then
				# the file has what came after the resume: the rest
				# of the stream from where it stood before the
				# suspend (its hw_ptr, S16 stereo) or later
				msg=$(python3 "$SPLICE" --resumed-only "$D/$m-$tag.wav" \
					"$V/$tag.wav" --min-start $((hw * 4)) 2>&1) || ok=0
			elif [ -n "$buf" ] && [ -n "$per" ]; then
				msg=$(python3 "$SPLICE" "$D/$m-$tag.wav" "$V/$tag.wav" \
					--max-skip $(((buf + per) * 4)) \
					--max-other $other 2>&1) || ok=0
			else
				ok=0 msg="no hw_params of the stream"
			fi
			echo "    $m $tag (buffer ${buf:-?} frames): $msg"
		fi
		if [ $ok = 1 ]; then
			pass "rel-suspend-$m-$tag-playback-goes-on"
		else
			fails=$((fails + 1))
			fail "rel-suspend-$m-$tag-playback-goes-on" "$(grep "^$tag " "$st" 2>/dev/null) $(tail -n 2 "$V/$m-$tag.aplay" 2>/dev/null | tr '\n' ' ') $msg"
		fi
	done
done
bad=0
for f in "${logs[@]}"; do
	check_dmesg_clean "$f" || bad=1
done
if [ $bad = 0 ]; then
	pass rel-suspend-dmesg-clean
else
	fail rel-suspend-dmesg-clean "kernel reports (above)"
fi

rel_figure stress-suspend "$runs" "$fails" "$reports" "$(rel_kmemleak "$OUT/idle" "$OUT/s3")"
test_done
