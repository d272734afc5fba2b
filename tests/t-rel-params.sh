#!/bin/bash
#
# t-rel-params.sh - wrong values for every module parameter of the six
# snd-omnibus card modules (modinfo -p: index, id and enable of each,
# virtual_cards of snd-omnibus-virtual, port, irq, dma8, dma16, fm_port and
# isa_autodetect of snd-omnibus-sb16, port, irq, dma1, dma2 and
# isa_autodetect of snd-omnibus-wss, port of snd-omnibus-adlib), in one
# VM with two Sound Blaster 16 (0x220 IRQ 5 DMA 1/5 and 0x240 IRQ 10 DMA
# 3/7), a WSS codec (-device
# cs4231a at 0x534, IRQ 7, DMA 0: the SB16s have 5, 1 and 3), an ES1370
# and an Intel ICH AC'97:
# out-of-range numbers, wrong types, 33 array elements, duplicate and
# invalid ids and indexes, an index another driver holds, I/O ports, IRQs
# and DMA channels that do not fit the card or that two cards share; for
# the WSS codec also irq= and dma1= not given (a codec cannot tell them),
# no codec at a codec port (0xf44), a codec port another driver holds
# (0x608: the ACPI PM timer of QEMU's PIIX4, which isa_autodetect says it
# leaves alone), and the board's own port (0x530) given; for the AdLib
# card port= not given (or its slot disabled), a port no OPL can have
# (0x300, 0), and 0x388, where no OPL answers in this VM (no -device
# adlib: the good load stays the five cards).
#
# Each wrong load is refused (modprobe fails with the errno of the table) or,
# where the module's other cards are fine, the one bad card is skipped; the
# kernel log gets exactly one line for it (the one in the table), and
# nothing stays registered: /proc/ioports, /proc/interrupts, /proc/dma,
# /proc/asound/cards and lsmod are as before (after rmmod for a skipped
# card).  After each case a good load of the five modules makes all five
# cards, and at the end they play.  The table also checks that every
# parameter modinfo lists for each module has at least one case.  Then each
# module is loaded with async_probe=1 (which the kernel gives every module):
# the same five cards come and play, and a port without a DSP still fails
# the load (and so does a WSS port without a codec).
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
MODULE=${MODULE:-$REPO/src}
MODS="virtual es1370 ich sb16 wss adlib"
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-params.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

for m in $MODS; do
	if [ ! -f "$MODULE/snd-omnibus-$m.ko" ]; then
		fail rel-params-module "no snd-omnibus-$m.ko in $MODULE (build it first)"
		test_done
	fi
done

many()	# many VALUE [N]: N (33) comma-separated copies
{
	local n=${2:-33} s=$1

	while [ "$n" -gt 1 ]; do
		s="$s,$1"
		n=$((n - 1))
	done
	printf '%s\n' "$s"
}

# NAME|PRE|MOD|ARGS|RESULT|LINE|COUNT|ALSO
#   PRE     a command run before (and undone after): "dummy" loads snd-dummy
#           with index=0
#   MOD     the module loaded: snd-omnibus-MOD
#   RESULT  "refused ERRNO-TEXT" or "skipped N" (loads with N of our cards)
#   LINE    the one kernel line (an ERE); %P stands for the kernel's
#           parameter parser's prefix (snd_omnibus_MOD: ), %O for the
#           driver's own (the same, through pr_fmt)
#   COUNT   how many times LINE comes (default 1): once per card skipped
#   ALSO    an ERE for the only other line allowed, which is not the
#           driver's: the kernel's parameter parser follows "can only take
#           32 arguments" with "`VALUE' invalid for parameter"; a card
#           set up before the one that fails said what it found before it
#           was given back ("Sound Blaster 16 at 0x220, ...", and, QEMU's
#           sb16 having no OPL3, "no OPL3 FM answers at 0x220"; the ERE
#           may hold a "|", the last field taking the rest of the line); an
#           isa_autodetect run notes a codec port it leaves alone because
#           another driver holds it (not an error of the load)
TABLE="
index-type||virtual|index=abc|refused Invalid argument|%P\`abc' invalid for parameter \`index'
index-many||virtual|index=$(many 0)|refused Invalid argument|] index: can only take 32 arguments|1|invalid for parameter
index-32||virtual|virtual_cards=1 index=32|refused Invalid argument|%Oindex=32 \\(card slot 0\\) is out of range
index-dup||virtual|virtual_cards=2 index=3,3|refused Invalid argument|%Oindex=3 is given to card slots 0 and 1
index-taken-virtual|dummy|virtual|virtual_cards=1 index=0|refused Device or resource busy|index=0 \\(card slot 0\\) is taken by card Dummy
index-taken-es1370|dummy|es1370|index=0|skipped 0|snd_omnibus_es1370 .*index=0 \\(card slot 0\\) is taken by card Dummy
index-taken-ich|dummy|ich|index=0|skipped 0|snd_omnibus_ich .*index=0 \\(card slot 0\\) is taken by card Dummy
index-taken-sb16|dummy|sb16|port=0x220 index=0|refused Device or resource busy|index=0 \\(card slot 0\\) is taken by card Dummy
index-32-es1370||es1370|index=32|refused Invalid argument|%Oindex=32 \\(card slot 0\\) is out of range
index-32-ich||ich|index=32|refused Invalid argument|%Oindex=32 \\(card slot 0\\) is out of range
index-32-sb16||sb16|port=0x220 index=32|refused Invalid argument|%Oindex=32 \\(card slot 0\\) is out of range
id-type-long||virtual|virtual_cards=1 id=abcdefghijklmnop|refused Invalid argument|%Oid=abcdefghijklmnop \\(card slot 0\\) is not a card id
id-chars||virtual|virtual_cards=1 id=my-card|refused Invalid argument|%Oid=my-card \\(card slot 0\\) is not a card id
id-digit||virtual|virtual_cards=1 id=1st|refused Invalid argument|%Oid=1st \\(card slot 0\\) is not a card id
id-dup||virtual|virtual_cards=2 id=foo,foo|refused Invalid argument|%Oid=foo is given to card slots 0 and 1
id-many||virtual|id=$(many a)|refused Invalid argument|] id: can only take 32 arguments|1|invalid for parameter
id-chars-es1370||es1370|id=my-card|refused Invalid argument|%Oid=my-card \\(card slot 0\\) is not a card id
id-chars-ich||ich|id=my-card|refused Invalid argument|%Oid=my-card \\(card slot 0\\) is not a card id
id-chars-sb16||sb16|port=0x220 id=my-card|refused Invalid argument|%Oid=my-card \\(card slot 0\\) is not a card id
enable-type||virtual|enable=maybe|refused Invalid argument|%P\`maybe' invalid for parameter \`enable'
enable-many||virtual|enable=$(many 1)|refused Invalid argument|] enable: can only take 32 arguments|1|invalid for parameter
enable-none||virtual|virtual_cards=1 enable=$(many 0 32)|refused No such device|no free enabled card slot
enable-type-es1370||es1370|enable=maybe|refused Invalid argument|%P\`maybe' invalid for parameter \`enable'
enable-type-ich||ich|enable=maybe|refused Invalid argument|%P\`maybe' invalid for parameter \`enable'
enable-type-sb16||sb16|enable=maybe|refused Invalid argument|%P\`maybe' invalid for parameter \`enable'
virtual-type||virtual|virtual_cards=two|refused Invalid argument|%P\`two' invalid for parameter \`virtual_cards'
virtual-overflow||virtual|virtual_cards=99999999999|refused Numerical result out of range|%P\`99999999999' invalid for parameter \`virtual_cards'
virtual-neg||virtual|virtual_cards=-1|refused Invalid argument|%Ovirtual_cards=-1 is out of range
virtual-9||virtual|virtual_cards=9|refused Invalid argument|%Ovirtual_cards=9 is out of range
port-type||sb16|port=0xZZ|refused Invalid argument|%P\`0xZZ' invalid for parameter \`port'
port-many||sb16|port=$(many 0x220)|refused Invalid argument|] port: can only take 32 arguments|1|invalid for parameter
port-bad||sb16|port=0x230|refused Invalid argument|%Oport=0x230 \\(card 0\\) is not a Sound Blaster 16 port
port-zero||sb16|port=0|refused Invalid argument|%Oport=0x0 \\(card 0\\) is not a Sound Blaster 16 port
port-nodsp||sb16|port=0x260|refused No such device|no Sound Blaster
port-dup||sb16|port=0x220,0x220|refused Invalid argument|%Oport=0x220 is given to cards 0 and 1
irq-type||sb16|port=0x220 irq=five|refused Invalid argument|%P\`five' invalid for parameter \`irq'
irq-many||sb16|irq=$(many 5)|refused Invalid argument|] irq: can only take 32 arguments|1|invalid for parameter
irq-3||sb16|port=0x220 irq=3|refused Invalid argument|%Oirq=3 \\(card 0\\) is not wired to a Sound Blaster 16
irq-neg||sb16|port=0x220 irq=-5|refused Invalid argument|%Oirq=-5 \\(card 0\\) is not wired to a Sound Blaster 16
irq-wrong||sb16|port=0x220 irq=7|refused No such device|IRQ 7
irq-shared||sb16|port=0x220,0x240 irq=5,5|refused Device or resource busy|IRQ 5 is in use|1|Sound Blaster 16 at 0x220, |no OPL3 FM answers at 0x220
dma8-type||sb16|port=0x220 dma8=x|refused Invalid argument|%P\`x' invalid for parameter \`dma8'
dma8-many||sb16|dma8=$(many 1)|refused Invalid argument|] dma8: can only take 32 arguments|1|invalid for parameter
dma8-2||sb16|port=0x220 dma8=2|refused Invalid argument|%Odma8=2 \\(card 0\\) is not an 8-bit DMA channel
dma8-16bit||sb16|port=0x220 dma8=5|refused Invalid argument|%Odma8=5 \\(card 0\\) is not an 8-bit DMA channel
dma8-shared||sb16|port=0x220,0x240 dma8=1,1|refused Device or resource busy|DMA channel 1 is in use|1|Sound Blaster 16 at 0x220, |no OPL3 FM answers at 0x220
dma16-type||sb16|port=0x220 dma16=1.5|refused Invalid argument|%P\`1.5' invalid for parameter \`dma16'
dma16-many||sb16|dma16=$(many 5)|refused Invalid argument|] dma16: can only take 32 arguments|1|invalid for parameter
dma16-4||sb16|port=0x220 dma16=4|refused Invalid argument|%Odma16=4 \\(card 0\\) is not a 16-bit DMA channel
dma16-8bit||sb16|port=0x220 dma16=1|refused Invalid argument|%Odma16=1 \\(card 0\\) is not a 16-bit DMA channel
dma16-shared||sb16|port=0x220,0x240 dma16=5,5|refused Device or resource busy|DMA channel 5 is in use|1|Sound Blaster 16 at 0x220, |no OPL3 FM answers at 0x220
fm_port-type||sb16|port=0x220 fm_port=0xZZ|refused Invalid argument|%P\`0xZZ' invalid for parameter \`fm_port'
fm_port-inside||sb16|port=0x220 fm_port=0x228|refused Invalid argument|fm_port=0x228 is inside the card's ports 0x220-0x22f but not its base
mpu_port-type||sb16|port=0x220 mpu_port=0xZZ|refused Invalid argument|%P\`0xZZ' invalid for parameter \`mpu_port'
mpu_port-310||sb16|port=0x220 mpu_port=0x310|refused Invalid argument|snd_omnibus_isa.0: mpu_port=0x310 is not an MPU-401 port of a Sound Blaster 16 \\(0x330, 0x300\\): -22$
autodetect-type||sb16|isa_autodetect=2|refused Invalid argument|%P\`2' invalid for parameter \`isa_autodetect'
autodetect-badirq||sb16|isa_autodetect=1 irq=3|refused Invalid argument|%Oirq=3 \\(card 0\\) is not wired to a Sound Blaster 16
index-taken-wss|dummy|wss|port=0x534 irq=7 dma1=0 index=0|refused Device or resource busy|index=0 \\(card slot 0\\) is taken by card Dummy
index-32-wss||wss|port=0x534 irq=7 dma1=0 index=32|refused Invalid argument|%Oindex=32 \\(card slot 0\\) is out of range
id-chars-wss||wss|port=0x534 irq=7 dma1=0 id=my-card|refused Invalid argument|%Oid=my-card \\(card slot 0\\) is not a card id
enable-type-wss||wss|enable=maybe|refused Invalid argument|%P\`maybe' invalid for parameter \`enable'
wss-port-type||wss|port=0xZZ|refused Invalid argument|%P\`0xZZ' invalid for parameter \`port'
wss-port-many||wss|port=$(many 0x534)|refused Invalid argument|] port: can only take 32 arguments|1|invalid for parameter
wss-port-board||wss|port=0x530 irq=7 dma1=0|refused Invalid argument|%Oport=0x530 \\(card 0\\) is not a WSS codec port \\(0x534, 0x608, 0xe84, 0xf44\\): -22$
wss-port-nocodec||wss|port=0xf44 irq=7 dma1=0|refused No such device|snd_omnibus_wss.0: no WSS codec answers at 0xf44 \\(register test\\): -19$
wss-port-inuse||wss|port=0x608 irq=7 dma1=0|refused Device or resource busy|snd_omnibus_wss.0: I/O ports 0x608-0x60b are in use \\(see /proc/ioports\\): -16$
wss-port-dup||wss|port=0x534,0x534 irq=7,7 dma1=0,0|refused Invalid argument|%Oport=0x534 is given to cards 0 and 1
wss-irq-type||wss|port=0x534 irq=seven dma1=0|refused Invalid argument|%P\`seven' invalid for parameter \`irq'
wss-irq-many||wss|irq=$(many 7)|refused Invalid argument|] irq: can only take 32 arguments|1|invalid for parameter
wss-irq-3||wss|port=0x534 irq=3 dma1=0|refused Invalid argument|%Oirq=3 \\(card 0\\) is not an IRQ of a WSS codec \\(5, 7, 9, 11, 12, 15\\): -22$
wss-irq-unset||wss|port=0x534 dma1=0|refused Invalid argument|snd_omnibus_wss.0: irq= not given for the codec at 0x534: a WSS codec cannot tell it, set irq=: -22$
wss-irq-busy||wss|port=0x534 irq=9 dma1=0|refused Device or resource busy|snd_omnibus_wss.0: IRQ 9 is in use \\(see /proc/interrupts\\): -16$
wss-dma1-type||wss|port=0x534 irq=7 dma1=one|refused Invalid argument|%P\`one' invalid for parameter \`dma1'
wss-dma1-many||wss|dma1=$(many 0)|refused Invalid argument|] dma1: can only take 32 arguments|1|invalid for parameter
wss-dma1-16bit||wss|port=0x534 irq=7 dma1=5|refused Invalid argument|%Odma1=5 \\(card 0\\) is not an 8-bit DMA channel of a WSS codec \\(0, 1, 3\\): -22$
wss-dma1-unset||wss|port=0x534 irq=7|refused Invalid argument|snd_omnibus_wss.0: dma1= not given for the codec at 0x534: a WSS codec cannot tell it, set dma1=: -22$
wss-dma2-type||wss|port=0x534 irq=7 dma1=0 dma2=x|refused Invalid argument|%P\`x' invalid for parameter \`dma2'
wss-dma2-2||wss|port=0x534 irq=7 dma1=0 dma2=2|refused Invalid argument|%Odma2=2 \\(card 0\\) is not an 8-bit DMA channel of a WSS codec \\(0, 1, 3, or -1 for none\\): -22$
wss-autodetect-type||wss|isa_autodetect=2|refused Invalid argument|%P\`2' invalid for parameter \`isa_autodetect'
wss-autodetect-noirq||wss|isa_autodetect=1 dma1=0|refused Invalid argument|snd_omnibus_wss.0: irq= not given for the codec at 0x534: a WSS codec cannot tell it, set irq=: -22$|1|snd_omnibus_wss: isa_autodetect: 0x608-0x60b are in use, not probed$
adlib-port-unset||adlib||refused No such device|%Oport= not given: no AdLib card is set up \\(an OPL is never looked for; port=0x388 on an AdLib\\): -19$
adlib-port-type||adlib|port=0xZZ|refused Invalid argument|%P\`0xZZ' invalid for parameter \`port'
adlib-port-many||adlib|port=$(many 0x388)|refused Invalid argument|] port: can only take 32 arguments|1|invalid for parameter
adlib-port-300||adlib|port=0x300|refused Invalid argument|%Oport=0x300 \\(card 0\\) is not a standalone OPL port \\(0x388, 0x220, 0x240, 0x260, 0x280\\): -22$
adlib-port-zero||adlib|port=0|refused Invalid argument|%Oport=0x0 \\(card 0\\) is not a standalone OPL port
adlib-port-dup||adlib|port=0x388,0x388|refused Invalid argument|%Oport=0x388 is given to cards 0 and 1
adlib-port-noopl||adlib|port=0x388|refused No such device|snd_omnibus_adlib.0: no OPL answers at 0x388 \\(status and timer test\\): -19$
index-32-adlib||adlib|port=0x388 index=32|refused Invalid argument|%Oindex=32 \\(card slot 0\\) is out of range
index-taken-adlib|dummy|adlib|port=0x388 index=0|refused Device or resource busy|index=0 \\(card slot 0\\) is taken by card Dummy
id-chars-adlib||adlib|port=0x388 id=my-card|refused Invalid argument|%Oid=my-card \\(card slot 0\\) is not a card id
enable-type-adlib||adlib|enable=maybe|refused Invalid argument|%P\`maybe' invalid for parameter \`enable'
enable-off-adlib||adlib|port=0x388 enable=0|refused No such device|%Oport= not given: no AdLib card is set up
"

# every parameter of every module has a case
missing=""
for m in $MODS; do
	for p in $(modinfo -F parm "$MODULE/snd-omnibus-$m.ko" | sed 's/:.*//'); do
		printf '%s\n' "$TABLE" | grep -q "^[^|]*|[^|]*|$m|\([^|]* \)\?$p=" ||
			missing="$missing snd-omnibus-$m:$p"
	done
done
if [ -z "$missing" ]; then
	pass rel-params-every-parameter
else
	fail rel-params-every-parameter "no case for:$missing"
fi

{
	cat <<'EOF'
# the five modules, each with a card: SB16 (card 0), virtual, ES1370,
# ICH, WSS
good_load() {
	modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 &&
		modprobe snd-omnibus-virtual virtual_cards=1 &&
		modprobe snd-omnibus-es1370 && modprobe snd-omnibus-ich &&
		modprobe snd-omnibus-wss port=0x534 irq=7 dma1=0
}
unload() {
	for m in wss ich es1370 virtual sb16 core; do
		if grep -q "^snd_omnibus_$m " /proc/modules; then
			rmmod "snd-omnibus-$m"
		fi
	done
}
snap() {
	{
		cat /proc/ioports /proc/dma /proc/asound/cards
		awk '$1 ~ /^[0-9]+:$/ && NF >= 5 { $2 = ""; print }' /proc/interrupts
		cut -d' ' -f1 /proc/modules | sort
	} >"$1"
}
ours() { grep -c ' - \(Omnibus\|ENS1370\|ICH\|SB16\|CS4231A\)$\|\]: \(Omnibus\|ENS1370\|ICH\|SB16\|CS4231A\) ' /proc/asound/cards; }
# try NAME PRE MOD ARGS...
try() {
	n=$1 pre=$2 mod=$3
	shift 3
	[ "$pre" = dummy ] && modprobe snd-dummy index=0
	snap /tmp/before
	dmesg -c >/dev/null
	modprobe "snd-omnibus-$mod" "$@" >"/out/$n.modprobe" 2>&1
	echo "rc=$?" >>"/out/$n.modprobe"
	dmesg -c | grep -v -e "loading out-of-tree module" \
		-e "module verification failed" >"/out/$n.dmesg"
	if grep -q "^snd_omnibus_$mod " /proc/modules; then
		echo "loaded $(ours)" >"/out/$n.loaded"
		rmmod "snd-omnibus-$mod"
	else
		echo "loaded no" >"/out/$n.loaded"
	fi
	# modprobe loaded the core first; it must go as well
	if grep -q "^snd_omnibus_core " /proc/modules; then
		rmmod snd-omnibus-core
	fi
	snap /tmp/after
	diff /tmp/before /tmp/after >"/out/$n.procdiff"
	echo "diff=$?" >>"/out/$n.procdiff"
	[ "$pre" = dummy ] && rmmod snd-dummy
	# a good load works
	if good_load; then
		echo "good $(ours)" >>"/out/$n.loaded"
	else
		echo "good failed" >>"/out/$n.loaded"
	fi
	unload
	dmesg -c >/dev/null
}
good_load || exit 1
unload
while IFS='|' read -r name pre mod args result line count also; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # the arguments are words
	try "$name" "$pre" "$mod" $args
done </data/table.txt
good_load || exit 1
cat /proc/asound/cards >/out/cards-end.txt
for c in 0 1 2 3 4; do
	aplay -q -D "hw:$c,0" /data/short.wav
	echo "card $c aplay $?"
done >/out/play-end.txt 2>&1
# async_probe=1 (a parameter every module has): each module still makes
# its cards, a bad port still fails the load, and they play
unload
dmesg -c >/dev/null
{
	modprobe snd-omnibus-sb16 port=0x260 async_probe=1 2>&1
	echo "sb16-nodsp rc=$?"
	modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 async_probe=1 2>&1
	echo "sb16 rc=$?"
	modprobe snd-omnibus-virtual virtual_cards=2 async_probe=1 2>&1
	echo "virtual rc=$?"
	modprobe snd-omnibus-es1370 async_probe=1 2>&1
	echo "es1370 rc=$?"
	modprobe snd-omnibus-ich async_probe=1 2>&1
	echo "ich rc=$?"
	modprobe snd-omnibus-wss port=0xf44 irq=7 dma1=0 async_probe=1 2>&1
	echo "wss-nocodec rc=$?"
	modprobe snd-omnibus-wss port=0x534 irq=7 dma1=0 async_probe=1 2>&1
	echo "wss rc=$?"
	# the PCI probes may end after modprobe returns
	i=0
	while [ "$(ours)" -lt 6 ] && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	echo "cards $(ours)"
	for c in 0 1 2 3 4 5; do
		aplay -q -D "hw:$c,0" /data/short.wav
		echo "card $c aplay $?"
	done
} >/out/async.txt 2>&1
dmesg -c | grep -v -e "loading out-of-tree module" \
	-e "module verification failed" >/out/async.dmesg
unload
exit 0
EOF
} >"$OUT/scenario"
printf '%s\n' "$TABLE" >"$OUT/table.txt"
python3 "$REPO/tests/lib/wav.py" noise "$OUT/short.wav" --rate 44100 --seconds 0.3 --seed 7
V=$OUT/vm
rm -rf "$V"
t0=$(date +%s)
vm_run --module "$MODULE" --out "$V" --timeout 900 --scenario "$OUT/scenario" \
	--file "$OUT/table.txt" --file "$OUT/short.wav" \
	--qemu-args "-audiodev none,id=snd0 -device sb16,audiodev=snd0" \
	--qemu-args "-device sb16,audiodev=snd0,iobase=0x240,irq=10,dma=3,dma16=7" \
	--qemu-args "-device ES1370,audiodev=snd0 -device AC97,audiodev=snd0" \
	--qemu-args "-device cs4231a,irq=7,dma=0,audiodev=snd0" \
	>"$OUT/vm.log" || true
t1=$(date +%s)
echo "    VM time: $((t1 - t0)) s"
if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/vm.log" | tail -n 40
	fail rel-params-vm "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
fi
reports=$(rel_reports "$V/dmesg.txt" "$V"/*.dmesg)

runs=0 fails=0 leaks=0
while IFS='|' read -r name _ mod args result line count also; do
	[ -n "$name" ] || continue
	runs=$((runs + 1))
	why=""
	line=${line//%P/snd_omnibus_$mod: }
	line=${line//%O/snd_omnibus_$mod: }
	if [ ! -f "$V/$name.modprobe" ]; then
		why="the case did not run"
	else
		count=${count:-1}
		nlines=$(grep -Ev -- "${also:-^\$^}" "$V/$name.dmesg" | grep -c . || true)
		nmatch=$(grep -Ec -- "$line" "$V/$name.dmesg" || true)
		case $result in
		refused*)
			errtext=${result#refused }
			grep -q "could not insert 'snd_omnibus_$mod': $errtext" "$V/$name.modprobe" ||
				why="$why modprobe did not fail with '$errtext';"
			grep -qx 'loaded no' "$V/$name.loaded" || why="$why the module stayed loaded;"
			;;
		skipped*)
			grep -qx 'rc=0' "$V/$name.modprobe" || why="$why modprobe failed;"
			grep -qx "loaded ${result#skipped }" "$V/$name.loaded" ||
				why="$why not ${result#skipped } card(s) of ours;"
			;;
		*) why="$why the table's result '$result' is neither refused nor skipped;" ;;
		esac
		[ "$nlines" = "$count" ] && [ "$nmatch" = "$count" ] ||
			why="$why $nlines kernel lines, $nmatch as expected, not $count;"
		if ! grep -qx 'diff=0' "$V/$name.procdiff"; then
			why="$why resources left:$(grep '^[<>]' "$V/$name.procdiff" | head -n 3 | tr '\n' ' ');"
			leaks=$((leaks + 1))
		fi
		grep -qx 'good 5' "$V/$name.loaded" || why="$why the good load after it failed;"
	fi
	if [ -z "$why" ]; then
		pass "rel-params-$name"
		printf '    %s | %s\n' "$(sed 's/^\[[^]]*\] //' "$V/$name.dmesg")" \
			"$(grep 'could not insert' "$V/$name.modprobe" || echo "modprobe: loaded")"
	else
		fails=$((fails + 1))
		sed 's/^/    dmesg: /' "$V/$name.dmesg" 2>/dev/null || true
		sed 's/^/    modprobe: /' "$V/$name.modprobe" 2>/dev/null || true
		fail "rel-params-$name" "$args:$why"
	fi
done <"$OUT/table.txt"

if [ "$(grep -c ' aplay 0$' "$V/play-end.txt" 2>/dev/null)" = 5 ]; then
	pass rel-params-good-load-plays
else
	fail rel-params-good-load-plays "$(cat "$V/cards-end.txt" "$V/play-end.txt" 2>/dev/null)"
fi
# async_probe=1: the same cards, the same refusal, every card plays
A=$V/async.txt
if grep -q "could not insert 'snd_omnibus_sb16': No such device" "$A" 2>/dev/null &&
   grep -qx 'sb16-nodsp rc=1' "$A" &&
   grep -q "could not insert 'snd_omnibus_wss': No such device" "$A" &&
   grep -qx 'wss-nocodec rc=1' "$A" &&
   [ "$(grep -c '^[a-z0-9]* rc=0$' "$A")" = 5 ] &&
   grep -qx 'cards 6' "$A" &&
   [ "$(grep -c '^card [0-5] aplay 0$' "$A")" = 6 ] &&
   [ "$(grep -c 'no Sound Blaster DSP answers at 0x260' "$V/async.dmesg")" = 1 ] &&
   [ "$(grep -c 'no WSS codec answers at 0xf44' "$V/async.dmesg")" = 1 ]; then
	pass rel-params-async-probe
else
	fail rel-params-async-probe "$(cat "$A" "$V/async.dmesg" 2>/dev/null | tr '\n' ' ')"
fi
check_dmesg_clean "$V/dmesg.txt" rel-params-dmesg-clean

leaks=$((leaks + $(rel_kmemleak "$V")))
rel_figure params "$runs" "$fails" "$reports" "$leaks"
test_done
