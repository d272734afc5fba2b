#!/bin/bash
#
# t-pcie-unplug.sh - PCIe hot-unplug of a playing card: the ES1370 and the
# Intel ICH AC'97 (QEMU -device ES1370,id=snd0 and -device AC97,id=snd1),
# each behind a PCIe root port of its own (-device pcie-root-port, rp0 and
# rp1) on the q35 machine with an Intel IOMMU (-device intel-iommu, kernel
# intel_iommu=on iommu.strict=1: every DMA unmap is flushed from the IOTLB
# at once, so a DMA the card still did after its buffer was unmapped would
# be a DMAR fault in the kernel log).  In a VM, for each card in turn:
#
#  - it sits in an IOMMU group of type DMA and owns its I/O ports (its BDF
#    and the driver name in /proc/ioports) and its IRQ line;
#  - QEMU's monitor removes it with device_del (vm_run --monitor) while it
#    plays: on the ES1370 aplay in read/write mode on DAC2 (hw:N,0) and
#    aplay -M (mmap) on DAC1 (hw:N,1) at once, on the ICH aplay in read/
#    write mode; QEMU reports DEVICE_DELETED, the PCI function leaves
#    /sys/bus/pci/devices within 30 s, and every aplay exits within 20 s
#    with a non-zero status after its "Playing WAVE" line and an error line
#    (seen: "write error: File descriptor in bad state" and "write error:
#    No such device", by when the write came);
#  - the card is gone from /proc/asound/cards and its nodes from /dev/snd;
#    no line of /proc/ioports or /proc/iomem names its BDF or the driver,
#    and /proc/interrupts has no handler of the driver (its IRQ line is
#    free again);
#  - the module is not held: rmmod works, and the machine's resources
#    (I/O ports, IRQ handlers, DMA channels, cards, snd_omnibus modules;
#    tests/lib/rel.sh snap) are what they were without the module before
#    the card played; modprobe loads it again;
#  - device_add puts the card back on the same root port (with a second
#    -audiodev: QEMU's wav backend starts its file anew for a new device),
#    the loaded driver binds it, and 1.5 s of noise played on it comes out
#    of the new audiodev byte for byte;
#  - the kernel log has no report (VM_REPORTS=1: WARNING, BUG, DMAR faults
#    and the rest of vm.sh's list; tests/run.sh fails the test on one).
#
# How the unplug reaches the guest: QEMU 7.2 q35 hot-plugs devices behind
# its pcie-root-ports with ACPI, not with native PCIe hotplug: the ICH9-LPC
# property acpi-pci-hotplug-with-bridge-support is on from the pc-q35-6.1
# machine type on (QMP qom-get: true for q35 = pc-q35-7.2, false for
# pc-q35-6.0), so the firmware keeps PCIe hotplug to itself ("_OSC: platform
# does not support [PCIeHotplug LTR]"), pciehp takes no slot, and there is
# no attention button and no 5 s wait: the device is gone about 0.3 s after
# device_del.  Real machines mostly hot-plug natively, so all of the above
# runs twice, in two VMs: "pcie-unplug-*" with QEMU's default, checked to be
# ACPI hotplug (pcie-unplug-via-acpi), and "pcie-native-unplug-*" with
# -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off: the OS gets
# PCIe hotplug ("_OSC: OS now controls [PCIeHotplug ..."), pciehp takes the
# root ports' slots, device_del presses the attention button, pciehp
# removes the device 5 s later and powers the slot off, and device_add
# presses it again and pciehp powers the slot on and adds the function
# (pcie-native-unplug-via-pciehp: two "Powering off" and two "Powering on"
# lines).  QEMU deletes the device only when pciehp turns the slot's power
# indicator off, a second after the function left the guest: the guest
# waits for that (Slot Control, read from the root port's config space)
# before it asks for the device_add.  The whole test takes about 50 s
# (two VMs of about 20 and 30 s).  Not proven here: surprise removal (the
# link going down without the guest being asked; not tried), capture
# streams (QEMU's wav audiodev has no input), other kernels than the
# host's, the debug kernel (not tried on q35).
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
# shellcheck source=lib/play.sh
. "$REPO/tests/lib/play.sh"
# shellcheck source=lib/rel.sh
. "$REPO/tests/lib/rel.sh"
play_init es1370
if [ ! -f "$MODULE/snd-omnibus-ich.ko" ]; then
	fail pcie-unplug-module "no snd-omnibus-ich.ko in $MODULE (build it first)"
	test_done
fi

# the streams to cut: they must outlast the unplug (native: 1 s, then
# pciehp's 5 s after the attention button)
play_noise "$OUT/long44.wav" 44100 12 901
play_noise "$OUT/long44b.wav" 44100 12 902
play_noise "$OUT/long48.wav" 48000 12 903
# after device_add: 1 s must arrive exactly (QEMU drops the last frames)
play_noise "$OUT/after-es.wav" 44100 1.5 904
play_noise "$OUT/after-ich.wav" 48000 1.5 905

{
	printf '%s\n' "$REL_GUEST_SNAP" "$REL_GUEST_WAIT"
	cat <<'EOF'
gone() { [ ! -e "/sys/bus/pci/devices/$1" ]; }
there() { [ -e "/sys/bus/pci/devices/$1" ]; }
# cfgb FILE OFFSET: a byte of a PCI config space (sysfs config file)
cfgb() { od -A n -t u1 -j "$2" -N 1 "$1" | tr -d " "; }
# slot_off PORT: the slot of root port PORT has its power and its power
# indicator off (Slot Control of its PCI Express capability: power
# controller bit 10, power indicator bits 9:8 = 11).  With pciehp, QEMU
# deletes the device only then, a second after pciehp removed the function
# (it turns the power off, waits 1 s, then the indicator): a device_add
# before that is refused ("Duplicate device ID")
slot_off() {
	c=/sys/bus/pci/devices/$1/config
	p=$(cfgb "$c" 52)
	while [ "${p:-0}" -ne 0 ]; do
		if [ "$(cfgb "$c" "$p")" = 16 ]; then
			[ $(($(cfgb "$c" $((p + 25))) & 7)) = 7 ]
			return
		fi
		p=$(cfgb "$c" $((p + 1)))
	done
	return 1
}
unity() {
	c=$(cardno ICH)
	amixer -c "$c" -q sset Master 100% unmute && amixer -c "$c" -q sset PCM 100% unmute
}
# play_bg NAME ARGS...: aplay ARGS in the background; status to /tmp/NAME.rc
play_bg() {
	pn=$1
	shift
	rm -f "/tmp/$pn.rc"
	(
		aplay "$@" >"/out/$pn.aplay" 2>&1
		echo $? >"/tmp/$pn.rc"
	) &
}
# play_end NAME: wait up to 20 s for it; "NAME-rc N" or "NAME-hang"
play_end() {
	if waitfor 20 test -f "/tmp/$1.rc"; then
		echo "$1-rc $(cat "/tmp/$1.rc")"
	else
		echo "$1-hang"
	fi
}
# resources DEV DRV: the lines of /proc/ioports and /proc/iomem that name
# the PCI function DEV or the card of driver DRV, and its IRQ handlers
resources() {
	grep -e "$1" -e "snd-omnibus $3\$" /proc/ioports /proc/iomem
	grep " $2\$" /proc/interrupts
}

modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
for c in ENS1370:snd0:rp0:es:ES1370:snd-omnibus-es1370 \
	ICH:snd1:rp1:ich:AC97:snd-omnibus-ich; do
	name=${c%%:*} c=${c#*:}
	qid=${c%%:*} c=${c#*:}
	port=${c%%:*} c=${c#*:}
	tag=${c%%:*} c=${c#*:}
	model=${c%%:*} mod=${c#*:}
	drv=$(echo "$mod" | tr - _)
	io=ES1370
	[ "$tag" = ich ] && io=ICH
	st=/out/unplug-$tag.txt
	# what the machine holds without this card module (the other
	# card module stays loaded): the unplug must come back to that
	rmmod "$mod" || exit 1
	snap "without-$tag"
	modprobe "$mod" || exit 1
	waitfor 10 hascard "$name" || exit 1
	[ "$tag" = ich ] && unity
	n=$(cardno "$name")
	dev=$(basename "$(readlink -f "/sys/class/sound/card$n/device")")
	# its root port
	rp=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$dev")")")
	echo "device $dev card $n" >"$st"
	echo "group-type $(cat "/sys/bus/pci/devices/$dev/iommu_group/type" 2>/dev/null)" >>"$st"
	resources "$dev" "$drv" "$io" >"/out/own-playing-$tag.txt"
	ls /dev/snd | grep -e "C${n}D" -e "controlC$n\$" >"/out/dev-playing-$tag.txt"
	if [ "$tag" = es ]; then
		play_bg es-rw -D "hw:$n,0" /data/long44.wav
		play_bg es-mmap -M -D "hw:$n,1" /data/long44b.wav
		plays="es-rw es-mmap"
	else
		play_bg ich-rw -D "hw:$n,0" /data/long48.wav
		plays="ich-rw"
	fi
	sleep 1
	t0=$(cut -d" " -f1 /proc/uptime)
	monitor device_del "$qid"
	if waitfor 30 gone "$dev"; then
		t1=$(cut -d" " -f1 /proc/uptime)
		echo "device-gone $t0 $t1" >>"$st"
	else
		echo "device-still-there" >>"$st"
	fi
	for p in $plays; do
		play_end "$p" >>"$st"
	done
	hascard "$name" || echo "card-gone" >>"$st"
	resources "$dev" "$drv" "$io" >"/out/own-unplugged-$tag.txt"
	ls /dev/snd | grep -e "C${n}D" -e "controlC$n\$" >"/out/dev-unplugged-$tag.txt"
	# (ACPI hotplug: QEMU deleted the device before the guest saw it go)
	if [ "$(cat /data/mode)" = native ]; then
		waitfor 20 slot_off "$rp" || echo "slot-still-powered" >>"$st"
	fi
	rmmod "$mod"
	echo "rmmod-rc $?" >>"$st"
	snap "unplugged-$tag"
	modprobe "$mod"
	echo "modprobe-rc $?" >>"$st"
	# back on its root port, on a new audiodev
	monitor device_add "$model,id=$qid,bus=$port,audiodev=${tag}2"
	waitfor 30 there "$dev" && echo "device-back" >>"$st"
	waitfor 10 hascard "$name" && echo "card-back" >>"$st"
	[ "$tag" = ich ] && unity
	aplay -q -D "hw:$(cardno "$name"),0" "/data/after-$tag.wav" 2>"/out/after-$tag.err"
	echo "after-aplay-rc $?" >>"$st"
done
exit 0
EOF
} >"$OUT/scenario"

# unplug_vm MODE: boot the VM (MODE acpi: QEMU's default; native: ACPI
# hotplug off, pciehp), artifacts in OUT/MODE, then the checks, each
# named with the prefix R (pcie-unplug, pcie-native-unplug)
unplug_vm()
{
	local mode=$1 t0 tag qid plays drv st dev n bad p d="" g=()

	V=$OUT/$mode
	R=pcie-unplug
	if [ "$mode" = native ]; then
		R=pcie-native-unplug
		g=(--qemu-args "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off")
	fi
	rm -rf "$V"
	mkdir -p "$V"
	echo "$mode" >"$V/mode"
	t0=$(date +%s)
	# no_timer_check: with interrupt remapping (the IOMMU's) the kernel
	# panics when its boot-time check of the timer interrupt (ten ticks
	# in a delay loop) fails, and under TCG on a loaded host it did
	# ("timer doesn't work through Interrupt-remapped IO-APIC", once in
	# about ten boots); without remapping it would quietly try the
	# other routes
	VM_REPORTS=1 vm_run --module "$MODULE" --out "$V" --timeout 240 \
		--scenario "$OUT/scenario" --monitor --machine q35 \
		--cmdline "intel_iommu=on iommu.strict=1 no_timer_check" \
		--file "$OUT/long44.wav" --file "$OUT/long44b.wav" --file "$OUT/long48.wav" \
		--file "$OUT/after-es.wav" --file "$OUT/after-ich.wav" --file "$V/mode" \
		--qemu-args "-device intel-iommu" ${g[@]+"${g[@]}"} \
		--qemu-args "-device pcie-root-port,id=rp0,chassis=1,slot=1" \
		--qemu-args "-device pcie-root-port,id=rp1,chassis=2,slot=2" \
		--qemu-args "-device ES1370,id=snd0,bus=rp0,audiodev=es" \
		--qemu-args "-audiodev wav,id=es,path=$V/es.wav" \
		--qemu-args "-audiodev wav,id=es2,path=$V/es2.wav" \
		--qemu-args "-device AC97,id=snd1,bus=rp1,audiodev=ich" \
		--qemu-args "-audiodev wav,id=ich,path=$V/ich.wav,out.frequency=48000" \
		--qemu-args "-audiodev wav,id=ich2,path=$V/ich2.wav,out.frequency=48000" \
		>"$OUT/$mode.log" || true
	echo "    $mode: VM time $(($(date +%s) - t0)) s"
	if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
		sed 's/^/    /' "$OUT/$mode.log" | tail -n 40
		fail "$R-vm" "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
	fi
	sed 's/^/    monitor: /' "$V/monitor.log" 2>/dev/null || true
	grep -e '_OSC: ' -e 'pciehp: Slot' "$V/dmesg.txt" 2>/dev/null | sed 's/^/    guest: /'

	# which of the two (see the header)
	if [ "$mode" = acpi ]; then
		if grep -q '_OSC: platform does not support \[PCIeHotplug' "$V/dmesg.txt" 2>/dev/null &&
		   ! grep -q pciehp "$V/dmesg.txt"; then
			pass "$R-via-acpi"
		else
			fail "$R-via-acpi" "not the ACPI hotplug the header describes: $(grep -e '_OSC: ' -e pciehp "$V/dmesg.txt" 2>/dev/null | head -n 3 | tr '\n' ' ')"
		fi
	else
		# each slot powered off for device_del, on for device_add
		if grep -q '_OSC: OS now controls \[PCIeHotplug' "$V/dmesg.txt" 2>/dev/null &&
		   [ "$(grep -c 'pciehp: Slot([12]): Powering off due to button press' "$V/dmesg.txt")" = 2 ] &&
		   [ "$(grep -c 'pciehp: Slot([12]) Powering on due to button press' "$V/dmesg.txt")" = 2 ]; then
			pass "$R-via-pciehp"
		else
			fail "$R-via-pciehp" "not pciehp with its attention button: $(grep -e '_OSC: ' -e pciehp "$V/dmesg.txt" 2>/dev/null | head -n 3 | tr '\n' ' ')"
		fi
	fi
	for tag in es ich; do
		qid=snd0 plays="es-rw es-mmap" drv=es1370
		[ "$tag" = ich ] && qid=snd1 plays="ich-rw" drv=ich
		st=$V/unplug-$tag.txt
		sed 's/^/    '"$tag"': /' "$st" 2>/dev/null || true
		dev=$(sed -n 's/^device \([^ ]*\) card .*/\1/p' "$st" 2>/dev/null)
		n=$(sed -n 's/^device [^ ]* card \(.*\)/\1/p' "$st" 2>/dev/null)
		if grep -qx 'group-type DMA' "$st" 2>/dev/null; then
			pass "$R-$tag-iommu-dma-group"
		else
			fail "$R-$tag-iommu-dma-group" "$(grep '^group-type' "$st" 2>/dev/null)"
		fi
		# gone within 30 s, QEMU says it deleted the device
		if grep -q '^device-gone ' "$st" 2>/dev/null &&
		   grep -q "^event DEVICE_DELETED .*\"$qid\"" "$V/monitor.log" 2>/dev/null; then
			pass "$R-$tag-device-deleted"
		else
			fail "$R-$tag-device-deleted" "$(grep '^device-' "$st" 2>/dev/null); $(grep -c DEVICE_DELETED "$V/monitor.log" 2>/dev/null) DEVICE_DELETED events"
		fi
		# every player ends, non-zero, with an error line
		bad=""
		for p in $plays; do
			head -n 3 "$V/$p.aplay" 2>/dev/null | sed 's/^/    '"$p"': /'
			# it played (its first line), then failed
			grep -qx "$p-rc [1-9][0-9]*" "$st" 2>/dev/null &&
				head -n 1 "$V/$p.aplay" | grep -q '^Playing WAVE' &&
				grep -qi 'error' "$V/$p.aplay" || bad="$bad $p"
		done
		if [ -z "$bad" ]; then
			pass "$R-$tag-aplay-error"
		else
			fail "$R-$tag-aplay-error" "no exit with an error:$bad: $(grep -e '-rc ' -e '-hang' "$st" 2>/dev/null | tr '\n' ' ')"
		fi
		# the card and its device nodes gone
		if grep -qx 'card-gone' "$st" 2>/dev/null && [ -s "$V/dev-playing-$tag.txt" ] &&
		   [ ! -s "$V/dev-unplugged-$tag.txt" ]; then
			pass "$R-$tag-card-gone"
		else
			fail "$R-$tag-card-gone" "$(grep -c card-gone "$st" 2>/dev/null) card-gone; /dev/snd of card $n after: $(tr '\n' ' ' <"$V/dev-unplugged-$tag.txt" 2>/dev/null)"
		fi
		# no I/O range of the function nor of the driver, no IRQ handler (and
		# they were there while it played)
		if [ -n "$dev" ] && grep -q "$dev" "$V/own-playing-$tag.txt" 2>/dev/null &&
		   grep -q " snd_omnibus_$drv\$" "$V/own-playing-$tag.txt" &&
		   [ -f "$V/own-unplugged-$tag.txt" ] && [ ! -s "$V/own-unplugged-$tag.txt" ]; then
			pass "$R-$tag-resources-freed"
		else
			sed 's/^/    playing: /' "$V/own-playing-$tag.txt" 2>/dev/null || true
			sed 's/^/    unplugged: /' "$V/own-unplugged-$tag.txt" 2>/dev/null || true
			fail "$R-$tag-resources-freed" "$(head -n 1 "$V/own-unplugged-$tag.txt" 2>/dev/null)"
		fi
		# the module was not held, and the machine is as it was without it
		if grep -qx 'rmmod-rc 0' "$st" 2>/dev/null && grep -qx 'modprobe-rc 0' "$st" &&
		   d=$(rel_res_diff "$V" "without-$tag" "unplugged-$tag"); then
			pass "$R-$tag-module-free"
		else
			printf '%s\n' "${d:-}" | sed 's/^/    /'
			fail "$R-$tag-module-free" "$(grep -e '^rmmod' -e '^modprobe' "$st" 2>/dev/null | tr '\n' ' ')"
		fi
		# device_add: back and exact
		if grep -qx 'device-back' "$st" 2>/dev/null && grep -qx 'card-back' "$st"; then
			play_check_if "$st" 'after-aplay-rc 0' "$V/after-$tag.err" \
				"$R-replug-$tag-bitexact" "$OUT/after-$tag.wav" "$V/${tag}2.wav" 1
		else
			fail "$R-replug-$tag-bitexact" "device_add: $(tail -n 3 "$st" 2>/dev/null | tr '\n' ' ')"
		fi
	done
	if [ -f "$V/reports.txt" ] && [ ! -s "$V/reports.txt" ]; then
		check_dmesg_clean "$V/dmesg.txt" "$R-dmesg-clean"
	else
		sed 's/^/    /' "$V/reports.txt" 2>/dev/null | head -n 20
		fail "$R-dmesg-clean" "$(head -n 1 "$V/reports.txt" 2>/dev/null || echo 'no reports.txt')"
	fi
}

unplug_vm acpi
unplug_vm native
test_done
