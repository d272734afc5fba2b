#!/bin/bash
#
# t-sb16-badinput.sh - every way the ISA Sound Blaster 16 setup can be
# wrong ends with one clear line in the kernel log and an errno from
# modprobe, and leaves /proc/ioports, /proc/dma and the IRQ owners in
# /proc/interrupts as they were (snd-omnibus not loaded):
#
#   no DSP at the port (port=0x240)               ENODEV
#   not an SB16 port (port=0x230)                 EINVAL
#   IRQ not wired to an SB16 (irq=3)              EINVAL
#   not an 8-bit SB16 channel (dma8=4, dma8=5)    EINVAL
#   not a 16-bit SB16 channel (dma16=3, dma16=8)  EINVAL
#   an IRQ that is not the card's (irq=7)         ENODEV (no interrupt)
#   I/O ports taken (kernel reserve=0x220,16)     EBUSY
#   IRQ taken (a second card on the same IRQ)     EBUSY
#   DMA channel taken (8-bit, 16-bit)             EBUSY
#   DSP older than 4.00 (-device sb16,version=0x0302), with port= and
#   with isa_autodetect=1                         ENODEV
#   not an SB16 MPU-401 port (mpu_port=0x310)     EINVAL
#
# An MPU-401 port where nothing answers (mpu_port=0x330: QEMU has no
# MPU-401) is one line and a card without MIDI: it loads, has no MIDI
# device, and holds nothing of 0x330-0x331.
# and where nothing is wrong nothing complains: isa_autodetect=1 skips a
# range another driver holds, irq= without port= sets up nothing (one
# note), two cards on their own resources both work, and after the wrong
# IRQ the card's own IRQ register was put back (the next load reads 5).
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-sb16-badinput.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ ! -f "$MODULE/snd-omnibus-sb16.ko" ]; then
	fail sb16-bad-module "no snd-omnibus-sb16.ko in $MODULE (build it first)"
	test_done
fi

# The guest side: try NAME ARGS... loads the module with ARGS and records
# modprobe's output and status, the kernel's lines, /proc before and after.
GUEST_LIB='
snap() {
	cat /proc/ioports /proc/dma
	awk '"'"'$1 ~ /^[0-9]+:$/ && NF >= 5 { $2 = ""; print }'"'"' /proc/interrupts
}
try() {
	n=$1
	shift
	snap >/tmp/before
	dmesg -c >/dev/null
	modprobe snd-omnibus-sb16 "$@" >/out/$n.modprobe 2>&1
	echo "rc=$?" >>/out/$n.modprobe
	dmesg -c | grep -v -e "loading out-of-tree module" \
		-e "module verification failed" >/out/$n.dmesg
	grep -c "^snd_omnibus_sb16 " /proc/modules >/out/$n.loaded
	if [ "$(cat /out/$n.loaded)" != 0 ]; then
		cat /proc/asound/cards >/out/$n.cards
		cat /proc/ioports >/out/$n.ioports
		cat /proc/asound/card0/sb16 >/out/$n.sb16 2>&1
		ls /dev/snd >/out/$n.devsnd
		rmmod snd-omnibus-sb16
	fi
	snap >/tmp/after
	diff /tmp/before /tmp/after >/out/$n.procdiff
	echo "diff=$?" >>/out/$n.procdiff
}
'

# expect DIR NAME ERRNO-TEXT LINE [NOTE]: modprobe failed with ERRNO-TEXT,
# the kernel said exactly LINE (a grep pattern), once, and nothing else but
# the success line of a card that was set up and then given back with its
# line for the OPL3 QEMU's sb16 lacks (and the note NOTE, a pattern, if
# given), and /proc is as before.
expect()
{
	local dir=$1 n=$2 errtext=$3 line=$4 note=${5:-^\$^} others

	if [ ! -f "$dir/$n.modprobe" ]; then
		fail "sb16-bad-$n" "the case did not run (see $dir)"
		return 0
	fi
	others=$(grep -v -e "$line" -e 'Sound Blaster 16 at 0x' -e "$note" \
		-e 'no OPL3 FM answers at 0x2[2-8]0 (-19): the card works without FM$' \
		"$dir/$n.dmesg" || true)
	if grep -q "could not insert 'snd_omnibus_sb16': $errtext" "$dir/$n.modprobe" &&
	   ! grep -qx 'rc=0' "$dir/$n.modprobe" &&
	   [ "$(grep -c -e "$line" "$dir/$n.dmesg")" = 1 ] &&
	   [ -z "$others" ] &&
	   [ "$(cat "$dir/$n.loaded")" = 0 ] &&
	   grep -qx 'diff=0' "$dir/$n.procdiff"; then
		pass "sb16-bad-$n"
		printf '    %s\n    %s\n' "$(grep -e "$line" "$dir/$n.dmesg" | sed 's/^\[[^]]*\] //')" \
			"$(grep 'could not insert' "$dir/$n.modprobe")"
	else
		fail "sb16-bad-$n" "$(cat "$dir/$n.modprobe" "$dir/$n.dmesg" "$dir/$n.procdiff" 2>/dev/null | tr '\n' '|')"
	fi
}

ISA=snd_omnibus_isa\ snd_omnibus_isa

# --- VM A: the default card at 0x220, IRQ 5, DMA 1 and 5 --------------------
A=$OUT/default
rm -rf "$A"
mkdir -p "$A"
{
	printf '%s\n' "$GUEST_LIB"
	cat <<'EOF'
try nodsp port=0x240
try badport port=0x230
try irq3 port=0x220 irq=3
try dma8-4 port=0x220 dma8=4
try dma8-5 port=0x220 dma8=5
try dma16-3 port=0x220 dma16=3
try dma16-8 port=0x220 dma16=8
try wrongirq port=0x220 irq=7
try noport irq=5 dma8=1
try mpu310 port=0x220 mpu_port=0x310
try nompu port=0x220 mpu_port=0x330
try good port=0x220
modprobe snd-omnibus-sb16 port=0x220 && cat /proc/asound/card0/sb16 >/out/good.sb16
rmmod snd-omnibus-sb16
exit 0
EOF
} >"$A.scenario"
vm_run --module "$MODULE" --out "$A" --timeout 120 \
	--qemu-args "-device sb16,audiodev=snd0 -audiodev none,id=snd0" \
	--scenario "$A.scenario" >"$OUT/default.log" || true
if [ "$(cat "$A/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/default.log" | tail -n 30
	fail sb16-bad-default-vm "the scenario did not finish (exit: $(cat "$A/exit" 2>/dev/null))"
fi
expect "$A" nodsp 'No such device' \
	"$ISA.0: no Sound Blaster DSP answers at 0x240 (reset handshake): -19$"
expect "$A" badport 'Invalid argument' \
	'snd_omnibus_sb16: port=0x230 (card 0) is not a Sound Blaster 16 port (0x220, 0x240, 0x260, 0x280): -22$'
expect "$A" irq3 'Invalid argument' \
	'snd_omnibus_sb16: irq=3 (card 0) is not wired to a Sound Blaster 16 (5, 7, 9, 10): -22$'
expect "$A" dma8-4 'Invalid argument' \
	'snd_omnibus_sb16: dma8=4 (card 0) is not an 8-bit DMA channel of a Sound Blaster 16 (0, 1, 3): -22$'
expect "$A" dma8-5 'Invalid argument' \
	'snd_omnibus_sb16: dma8=5 (card 0) is not an 8-bit DMA channel of a Sound Blaster 16 (0, 1, 3): -22$'
expect "$A" dma16-3 'Invalid argument' \
	'snd_omnibus_sb16: dma16=3 (card 0) is not a 16-bit DMA channel of a Sound Blaster 16 (5, 6, 7, or -1 for none): -22$'
expect "$A" dma16-8 'Invalid argument' \
	'snd_omnibus_sb16: dma16=8 (card 0) is not a 16-bit DMA channel of a Sound Blaster 16 (5, 6, 7, or -1 for none): -22$'
expect "$A" wrongirq 'No such device' \
	"$ISA.0: no interrupt on IRQ 7 from the card at 0x220 in 100 ms (irq= not the card's?): -19$"
expect "$A" mpu310 'Invalid argument' \
	"$ISA.0: mpu_port=0x310 is not an MPU-401 port of a Sound Blaster 16 (0x330, 0x300): -22$"
# mpu_port= where no MPU-401 answers (QEMU has none): one line, the card
# loads and plays without MIDI, the MPU's ports are not held
if grep -qx 'rc=0' "$A/nompu.modprobe" 2>/dev/null &&
   [ "$(grep -c -v -e 'Sound Blaster 16 at 0x' -e 'no OPL3 FM answers at 0x220 (-19)' "$A/nompu.dmesg")" = 1 ] &&
   grep -q "$ISA.0: no MPU-401 answers the reset at 0x330 (status port reads 0xff): card without MIDI$" "$A/nompu.dmesg" &&
   grep -q '^ 0 \[.*\]: SB16 - Sound Blaster 16$' "$A/nompu.cards" &&
   grep -qx 'MPU-401 UART: none' "$A/nompu.sb16" &&
   grep -q '^pcmC0D0p$' "$A/nompu.devsnd" && ! grep -q '^midi' "$A/nompu.devsnd" &&
   grep -q '0220-022f' "$A/nompu.ioports" && ! grep -q '033[01]' "$A/nompu.ioports" &&
   grep -qx 'diff=0' "$A/nompu.procdiff"; then
	pass sb16-bad-mpu-silent-card-without-midi
	printf '    %s\n' "$(grep 'MPU-401' "$A/nompu.dmesg" | sed 's/^\[[^]]*\] //')"
else
	fail sb16-bad-mpu-silent-card-without-midi "$(cat "$A/nompu.modprobe" "$A/nompu.dmesg" "$A/nompu.cards" "$A/nompu.sb16" "$A/nompu.devsnd" "$A/nompu.ioports" 2>/dev/null | tr '\n' '|')"
fi
# irq= alone: a note, no card, the module loads
if grep -qx 'rc=0' "$A/noport.modprobe" 2>/dev/null &&
   [ "$(cat "$A/noport.dmesg")" != "" ] &&
   [ "$(grep -c . "$A/noport.dmesg")" = 1 ] &&
   grep -q 'snd_omnibus_sb16: irq=, dma8= or dma16= given without port= or isa_autodetect=1: no ISA card is set up for them$' "$A/noport.dmesg" &&
   grep -q 'no soundcards' "$A/noport.cards"; then
	pass sb16-bad-irq-without-port-notes
else
	fail sb16-bad-irq-without-port-notes "$(cat "$A/noport.modprobe" "$A/noport.dmesg" "$A/noport.cards" 2>/dev/null)"
fi
# the good load after all that: IRQ read from the card (restored after irq=7)
if grep -qx 'rc=0' "$A/good.modprobe" 2>/dev/null &&
   grep -q '^IRQ 5 (read from the card)' "$A/good.sb16" &&
   grep -q 'mixer 0x80: 0x02, 0x81: 0x22' "$A/good.sb16" &&
   grep -qx 'MPU-401 UART: none' "$A/good.sb16" &&
   grep -qx 'diff=0' "$A/good.procdiff"; then
	pass sb16-bad-then-good-load
else
	fail sb16-bad-then-good-load "$(cat "$A/good.modprobe" "$A/good.dmesg" "$A/good.sb16" 2>/dev/null)"
fi
check_dmesg_clean "$A/dmesg.txt" sb16-bad-default-dmesg-clean

# --- VM B: ports reserved by the kernel; an SB Pro (DSP 3.02) at 0x240 -------
B=$OUT/reserved
rm -rf "$B"
mkdir -p "$B"
{
	printf '%s\n' "$GUEST_LIB"
	cat <<'EOF'
grep -i 'reserved' /proc/ioports >/out/ioports-reserved.txt
try busyport port=0x220
try autodetect-busy isa_autodetect=1
try olddsp port=0x240
exit 0
EOF
} >"$B.scenario"
vm_run --module "$MODULE" --out "$B" --timeout 120 --cmdline 'reserve=0x220,16' \
	--qemu-args "-device sb16,audiodev=snd0,iobase=0x240,version=0x0302 -audiodev none,id=snd0" \
	--scenario "$B.scenario" >"$OUT/reserved.log" || true
if [ "$(cat "$B/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/reserved.log" | tail -n 30
	fail sb16-bad-reserved-vm "the scenario did not finish (exit: $(cat "$B/exit" 2>/dev/null))"
fi
if grep -q '0220-022f : reserved' "$B/ioports-reserved.txt" 2>/dev/null; then
	expect "$B" busyport 'Device or resource busy' \
		"$ISA.0: I/O ports 0x220-0x22f are in use (see /proc/ioports): -16$"
else
	fail sb16-bad-busyport "reserve=0x220,16 did not reserve the ports: $(cat "$B/ioports-reserved.txt" 2>/dev/null)"
fi
# isa_autodetect: the reserved range is not touched, the DSP 3.02 at 0x240
# answers the handshake and is then refused
expect "$B" autodetect-busy 'No such device' \
	"$ISA.0: DSP 3.02 at 0x240 is not a Sound Blaster 16 (DSP 4.xx needed), not supported: -19$" \
	'snd_omnibus_sb16: isa_autodetect: 0x220-0x22f are in use, not probed$'
if grep -q 'snd_omnibus_sb16: isa_autodetect: 0x220-0x22f are in use, not probed$' "$B/autodetect-busy.dmesg" 2>/dev/null; then
	pass sb16-bad-autodetect-skips-busy-range
else
	fail sb16-bad-autodetect-skips-busy-range "$(cat "$B/autodetect-busy.dmesg" 2>/dev/null)"
fi
expect "$B" olddsp 'No such device' \
	"$ISA.0: DSP 3.02 at 0x240 is not a Sound Blaster 16 (DSP 4.xx needed), not supported: -19$"
check_dmesg_clean "$B/dmesg.txt" sb16-bad-reserved-dmesg-clean

# --- VM C: two cards, 0x220 (IRQ 5, DMA 1, 5) and 0x240 (IRQ 10, DMA 3, 7) ---
C=$OUT/twocards
rm -rf "$C"
mkdir -p "$C"
{
	printf '%s\n' "$GUEST_LIB"
	cat <<'EOF'
try both port=0x220,0x240
modprobe snd-omnibus-sb16 port=0x220,0x240 &&
	cat /proc/asound/cards /proc/asound/card1/sb16 >/out/both.txt &&
	rmmod snd-omnibus-sb16
try busyirq port=0x220,0x240 irq=5,5
try busydma8 port=0x220,0x240 dma8=1,1
try busydma16 port=0x220,0x240 dma16=5,5
exit 0
EOF
} >"$C.scenario"
vm_run --module "$MODULE" --out "$C" --timeout 120 \
	--qemu-args "-audiodev none,id=snd0 -device sb16,audiodev=snd0" \
	--qemu-args "-device sb16,audiodev=snd0,iobase=0x240,irq=10,dma=3,dma16=7" \
	--scenario "$C.scenario" >"$OUT/twocards.log" || true
if [ "$(cat "$C/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/twocards.log" | tail -n 30
	fail sb16-bad-twocards-vm "the scenario did not finish (exit: $(cat "$C/exit" 2>/dev/null))"
fi
if grep -qx 'rc=0' "$C/both.modprobe" 2>/dev/null &&
   grep -q 'Sound Blaster 16 at 0x220, irq 5, dma 1&5$' "$C/both.txt" &&
   grep -q 'Sound Blaster 16 at 0x240, irq 10, dma 3&7$' "$C/both.txt" &&
   grep -q '^IRQ 10 (read from the card)' "$C/both.txt"; then
	pass sb16-bad-two-cards-both-work
else
	fail sb16-bad-two-cards-both-work "$(cat "$C/both.modprobe" "$C/both.dmesg" "$C/both.txt" 2>/dev/null)"
fi
expect "$C" busyirq 'Device or resource busy' \
	"$ISA.1: IRQ 5 is in use (see /proc/interrupts): -16$"
expect "$C" busydma8 'Device or resource busy' \
	"$ISA.1: DMA channel 1 is in use (see /proc/dma): -16$"
expect "$C" busydma16 'Device or resource busy' \
	"$ISA.1: DMA channel 5 is in use (see /proc/dma): -16$"
check_dmesg_clean "$C/dmesg.txt" sb16-bad-twocards-dmesg-clean

test_done
