#!/bin/bash
# Unload and reload the modules 20 times with an ES1370, a WSS codec
# (-device cs4231a at 0x534, IRQ 5, DMA 3), an AdLib (-device adlib,
# snd-omnibus-adlib port=0x388) and two virtual cards (snd-omnibus-virtual,
# then snd-omnibus-es1370, snd-omnibus-wss, snd-omnibus-adlib), playing on
# each of the four PCM cards and finding the AdLib's OPL3 FM device every
# time: /proc/ioports,
# /proc/interrupts, /proc/dma and /proc/asound/cards end as they began, and
# the kernel log stays clean.
set -eu
. "$REPO/tests/lib/vm.sh"
. "$REPO/tests/lib/test.sh"

out=${TEST_OUT:-$REPO/tests/out/reload}
mkdir -p "$out"
python3 "$REPO/tests/lib/wav.py" noise "$out/short.wav" --rate 44100 \
	--channels 2 --format S16_LE --seconds 0.2 --seed 5

cat >"$out/scenario" <<'SCEN'
snap() {
	cat /proc/ioports >"/out/ioports-$1.txt"
	# IRQ lines that have a handler (a line once used stays, nameless):
	# IRQ, chip, handlers (an I/O APIC line has "PIN-TYPE" after the
	# chip, an 8259 one not)
	awk 'NR == 1 { n = NF; next }
		/^ *[0-9]+:/ { h = ""; for (i = n + 3; i <= NF; i++) h = h " " $i
			sub(/^ [0-9]+-[a-z]+/, "", h); if (h != "") print $1, $(n + 2) h }' \
		/proc/interrupts >"/out/interrupts-$1.txt"
	cat /proc/asound/cards >"/out/cards-$1.txt"
	cat /proc/dma >"/out/dma-$1.txt"
}
modprobe snd-pcm
modprobe snd-opl3-lib
snap before
ok=0
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	modprobe snd-omnibus-virtual virtual_cards=2 || break
	modprobe snd-omnibus-es1370 || break
	modprobe snd-omnibus-wss port=0x534 irq=5 dma1=3 || break
	modprobe snd-omnibus-adlib port=0x388 || break
	[ $i = 1 ] && snap loaded && cat /proc/asound/hwdep >/out/hwdep-loaded.txt
	played=0
	for c in 0 1 2 3; do
		aplay -q -D "hw:$c,0" /data/short.wav && played=$((played + 1))
	done
	grep -q '^04-00: OPL3 FM$' /proc/asound/hwdep && played=$((played + 1))
	rmmod snd-omnibus-adlib snd-omnibus-wss snd-omnibus-es1370 \
		snd-omnibus-virtual snd-omnibus-core || break
	[ $played = 5 ] && ok=$((ok + 1))
done
echo "$ok" >/out/cycles.txt
snap after
SCEN

vm_run --module "$MODULE" --scenario "$out/scenario" --file "$out/short.wav" \
	--out "$out/vm" --timeout 300 \
	--qemu-args "-device ES1370,audiodev=snd0 -audiodev none,id=snd0" \
	--qemu-args "-device cs4231a,irq=5,audiodev=snd0" \
	--qemu-args "-device adlib,audiodev=snd0" \
	>"$out/vm.log" || true
vo=$out/vm
if [ "$(cat "$vo/exit" 2>/dev/null)" != 0 ]; then
	cat "$out/vm.log"
	fail reload-boot "the scenario did not finish"
	exit 0
fi

if [ "$(cat "$vo/cycles.txt")" = 20 ]; then
	pass reload-20-cycles-play
else
	fail reload-20-cycles-play "only $(cat "$vo/cycles.txt") of 20 load/play/unload cycles worked (four cards played, the OPL3 there)"
fi
# the snapshots can see the driver's resources...
if grep -q "snd-omnibus ES1370" "$vo/ioports-loaded.txt" &&
	grep -q '^ *0534-0537 : snd-omnibus WSS' "$vo/ioports-loaded.txt" &&
	grep -q snd_omnibus "$vo/interrupts-loaded.txt" &&
	grep -q '^5: .*snd-omnibus WSS' "$vo/interrupts-loaded.txt" &&
	grep -q '^ 3: WSS playback' "$vo/dma-loaded.txt" &&
	grep -q '\]: CS4231A - CS4231A$' "$vo/cards-loaded.txt" &&
	grep -q '^ *0388-038b : snd-omnibus AdLib' "$vo/ioports-loaded.txt" &&
	grep -q '\]: AdLib - AdLib FM$' "$vo/cards-loaded.txt" &&
	grep -q '^04-00: OPL3 FM$' "$vo/hwdep-loaded.txt" &&
	[ "$(grep -c '^ *[0-9]* \[' "$vo/cards-loaded.txt")" = 5 ]; then
	pass reload-resources-visible
else
	fail reload-resources-visible "$(cat "$vo"/*-loaded.txt)"
fi
# ...and none is left behind
for f in ioports interrupts dma cards; do
	if diff -u "$vo/$f-before.txt" "$vo/$f-after.txt" >"$out/$f.diff"; then
		pass "reload-$f-clean"
	else
		fail "reload-$f-clean" "$(head -n 8 "$out/$f.diff" | tr '\n' ' ')"
	fi
done
check_dmesg_clean "$vo/dmesg.txt" reload-dmesg-clean
