#!/bin/bash
#
# t-rel-stress-unplug.sh - a card taken away while it plays, on the
# ES1370 and the Intel ICH AC'97 (QEMU -device ES1370,id=es0 and
# -device AC97,id=ich0, ACPI hotplug on the i440fx root bus), and for the
# unbind also on a WSS codec (-device cs4231a,irq=5; snd-omnibus-wss
# port=0x534 irq=5 dma1=3, a platform device of the ISA layer):
#
#  - stress-unbind: 5 times per card, the device is unbound from our driver
#    through sysfs (/sys/bus/pci/drivers/snd_omnibus_*/unbind, for the WSS
#    codec /sys/bus/platform/drivers/snd_omnibus_wss/unbind) while aplay
#    plays on it: the unbind returns within 20 s, aplay ends with an error
#    (not a hang), the card leaves /proc/asound/cards, and bind brings it
#    back; after the last bind it plays exactly;
#  - stress-unbind of the AdLib card (-device adlib, snd-omnibus-adlib
#    port=0x388, in the same VM; with snd-opl3-synth): once while a
#    process writes an instrument again and again through one open file
#    of its hwdep device (the OPL3 FM), once while aplaymidi plays a 2 s
#    note through the synth (once each, for time): the unbind
#    (/sys/bus/platform/drivers/snd_omnibus_adlib/unbind) returns within
#    20 s, the writer ends on a failed write, aplaymidi ends within 20 s,
#    the card leaves /proc/asound/cards; bind brings the card back with its
#    OPL3 hwdep device and the synth's port; after the last bind a note
#    plays (aplaymidi exits 0).  ALSA frees a card only when its last file
#    is closed: the unbind waits for the writer to see the failed write;
#    a process that holds the hwdep open and never touches it again holds
#    up the unbind (as with the in-tree snd-adlib): not tried;
#  - stress-hotunplug: the QEMU monitor's device_del (vm_run --monitor)
#    while aplay plays: the guest sees the device go (ACPI eject, QEMU sends
#    DEVICE_DELETED), aplay ends with an error, the card is gone, the module
#    unloads and gives back every resource; device_add puts the card back
#    (on a second -audiodev: QEMU's wav backend rewrites its file for a new
#    device), and after a reload it plays exactly; an ISA card cannot be
#    hot-unplugged (QEMU's ISA devices take no device_del): a SKIP line
#    says so for the WSS codec and the AdLib card;
#  - the kernel log has no report.
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
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-stress-unplug.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
UNBINDS=5

if [ ! -f "$MODULE/snd-omnibus-es1370.ko" ]; then
	fail rel-unplug-module "no snd-omnibus modules in $MODULE (build them first)"
	test_done
fi
python3 "$WAV" noise "$OUT/long44.wav" --rate 44100 --seconds 6 --seed 801
python3 "$WAV" noise "$OUT/long48.wav" --rate 48000 --seconds 6 --seed 802
python3 "$WAV" noise "$OUT/after-unbind-es.wav" --rate 44100 --seconds 1.5 --seed 803
python3 "$WAV" noise "$OUT/after-unbind-ich.wav" --rate 48000 --seconds 1.5 --seed 804
python3 "$WAV" noise "$OUT/after-plug-es.wav" --rate 44100 --seconds 1.5 --seed 805
python3 "$WAV" noise "$OUT/after-plug-ich.wav" --rate 48000 --seconds 1.5 --seed 806
python3 "$WAV" noise "$OUT/after-unbind-wss.wav" --rate 44100 --seconds 1.5 --seed 807
python3 "$REPO/tests/lib/fm.py" files "$OUT"
files=(--file "$OUT/patch.sbi" --file "$OUT/note.mid" --file "$OUT/long.mid")
for f in "$OUT"/*.wav; do
	files+=(--file "$f")
done

V=$OUT/vm
rm -rf "$V"
mkdir -p "$V"
{
	printf '%s\n' "$REL_GUEST_SNAP" "$REL_GUEST_WAIT"
	printf 'UNBINDS=%s\n' "$UNBINDS"
	cat <<'EOF'
gone() { [ ! -e "/sys/bus/pci/devices/$1" ]; }
there() { [ -e "/sys/bus/pci/devices/$1" ]; }
unity() {
	c=$(cardno ICH)
	amixer -c "$c" -q sset Master 100% unmute && amixer -c "$c" -q sset PCM 100% unmute
}
# aplay_bg NAME CARDNAME FILE: start aplay; its status goes to /tmp/NAME.rc
aplay_bg() {
	rm -f "/tmp/$1.rc"
	(
		aplay -q -D "hw:$(cardno "$2"),0" "$3" >"/out/$1.aplay" 2>&1
		echo $? >"/tmp/$1.rc"
	) &
}
# aplay_end NAME: wait up to 20 s for aplay; "aplay-rc N" or "aplay-hang"
aplay_end() {
	if waitfor 20 test -f "/tmp/$1.rc"; then
		echo "aplay-rc $(cat "/tmp/$1.rc")"
	else
		echo "aplay-hang"
	fi
}
# unbind_wait BUS DRV DEV: unbind DEV from DRV in the background, wait up
# to 20 s; "unbind-rc N" or "unbind-hang"
unbind_wait() {
	echo "$3" >"/sys/bus/$1/drivers/$2/unbind" &
	upid=$!
	if waitfor 20 sh -c "! kill -0 $upid 2>/dev/null"; then
		wait $upid
		echo "unbind-rc $?"
	else
		echo "unbind-hang"
	fi
}

WSS="port=0x534 irq=5 dma1=3"
modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
modprobe snd-omnibus-wss $WSS || exit 1
rmmod snd-omnibus-wss snd-omnibus-ich snd-omnibus-es1370 || exit 1
snap before
modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
modprobe snd-omnibus-wss $WSS || exit 1
unity

# --- unbind / bind while playing -----------------------------------------
for c in ENS1370:pci:snd_omnibus_es1370:long44:es ICH:pci:snd_omnibus_ich:long48:ich \
	CS4231A:platform:snd_omnibus_wss:long44:wss; do
	name=${c%%:*} c=${c#*:}
	bus=${c%%:*} c=${c#*:}
	drv=${c%%:*} c=${c#*:}
	file=${c%%:*} tag=${c#*:}
	dev=$(basename "$(readlink -f "/sys/class/sound/card$(cardno "$name")/device")")
	echo "$tag device $dev" >>"/out/unbind-$tag.txt"
	i=0
	while [ $i -lt "$UNBINDS" ]; do
		i=$((i + 1))
		aplay_bg "unbind-$tag-$i" "$name" "/data/$file.wav"
		sleep 1
		r=$(unbind_wait "$bus" "$drv" "$dev")
		r="$r $(aplay_end "unbind-$tag-$i")"
		nocard "$name" && r="$r card-gone"
		echo "$dev" >"/sys/bus/$bus/drivers/$drv/bind"
		r="$r bind-rc $?"
		waitfor 10 hascard "$name" && r="$r card-back"
		echo "cycle $i: $r" >>"/out/unbind-$tag.txt"
	done
	[ "$tag" = ich ] && unity
	aplay -q -D "hw:$(cardno "$name"),0" "/data/after-unbind-$tag.wav"
	echo "after-aplay-rc $?" >>"/out/unbind-$tag.txt"
done

# --- ACPI hot-unplug while playing ---------------------------------------------
for c in ENS1370:es0:long44:es:ES1370 ICH:ich0:long48:ich:AC97; do
	name=${c%%:*} c=${c#*:}
	qid=${c%%:*} c=${c#*:}
	file=${c%%:*} c=${c#*:}
	tag=${c%%:*} model=${c#*:}
	mod=snd-omnibus-es1370
	[ "$tag" = ich ] && mod=snd-omnibus-ich
	# what the machine holds without this card's module (the other
	# card's module stays loaded): the unplug must come back to that
	rmmod $mod
	snap "without-$tag"
	modprobe $mod
	waitfor 10 hascard "$name"
	unity
	dev=$(basename "$(readlink -f "/sys/class/sound/card$(cardno "$name")/device")")
	aplay_bg "unplug-$tag" "$name" "/data/$file.wav"
	sleep 1
	monitor device_del "$qid"
	r=""
	if waitfor 30 gone "$dev"; then r="device-gone"; else r="device-still-there"; fi
	r="$r $(aplay_end "unplug-$tag")"
	nocard "$name" && r="$r card-gone"
	rmmod $mod
	r="$r rmmod-rc $?"
	echo "$r" >"/out/unplug-$tag.txt"
	snap "unplugged-$tag"
	# back in the slot it had; a new audiodev (QEMU's wav backend starts
	# its file anew for each new device)
	slot=${dev#*:*:}
	slot=${slot%.*}
	monitor device_add "$model,id=$qid,audiodev=${tag}2,bus=pci.0,addr=0x$slot"
	if waitfor 30 there "$dev"; then echo "device-back" >>"/out/unplug-$tag.txt"; fi
	modprobe $mod
	waitfor 10 hascard "$name" && echo "card-back" >>"/out/unplug-$tag.txt"
	unity
	aplay -q -D "hw:$(cardno "$name"),0" "/data/after-plug-$tag.wav"
	echo "after-aplay-rc $?" >>"/out/unplug-$tag.txt"
done

# --- the AdLib card: unbind while its hwdep is written, while a note plays --
adl_t0=$(cut -d" " -f1 /proc/uptime)
modprobe snd-seq && modprobe snd-opl3-synth || exit 1
modprobe snd-omnibus-adlib port=0x388 || exit 1
opl3hw() { grep -q "^[0-9]*-00: OPL3 FM$" /proc/asound/hwdep; }
opl3port() { aplaymidi -l | awk "/OPL3 FM/ { print \$1; exit }"; }
hasport() { [ -n "$(opl3port)" ]; }
dev=$(basename "$(readlink -f "/sys/class/sound/card$(cardno AdLib)/device")")
echo "adlib device $dev" >/out/unbind-adlib.txt
i=0
for mode in write note; do
	i=$((i + 1))
	hw=/dev/snd/hwC$(cardno AdLib)D0
	rm -f /tmp/adl.end
	if [ $mode = write ]; then
		# one open file; each write loads the instrument again; the
		# loop ends when a write fails
		(
			exec 3>"$hw" || exit 1
			while cat /data/patch.sbi >&3 2>>"/out/adlib-$i.err"; do
				sleep 0.1
			done
			echo write-failed >/tmp/adl.end
		) &
	else
		cat /data/patch.sbi >"$hw"
		(
			aplaymidi -p "$(opl3port)" /data/long.mid >"/out/adlib-$i.err" 2>&1
			echo "aplaymidi-ended $?" >/tmp/adl.end
		) &
	fi
	sleep 1
	r=$(unbind_wait platform snd_omnibus_adlib "$dev")
	if waitfor 20 test -f /tmp/adl.end; then
		r="$r $(cut -d" " -f1 /tmp/adl.end)"
	else
		r="$r holder-hang"
	fi
	nocard AdLib && r="$r card-gone"
	echo "$dev" >/sys/bus/platform/drivers/snd_omnibus_adlib/bind
	r="$r bind-rc $?"
	waitfor 10 hascard AdLib && r="$r card-back"
	opl3hw && r="$r hwdep-back"
	waitfor 10 hasport && r="$r synth-back"
	echo "cycle $i $mode: $r" >>/out/unbind-adlib.txt
done
cat /data/patch.sbi >"/dev/snd/hwC$(cardno AdLib)D0" &&
	aplaymidi -p "$(opl3port)" /data/note.mid >/out/adlib-after.err 2>&1
echo "after-note-rc $?" >>/out/unbind-adlib.txt
rmmod snd-omnibus-adlib
echo "$adl_t0 $(cut -d" " -f1 /proc/uptime)" >/out/adlib-time.txt
rmmod snd-omnibus-wss snd-omnibus-ich snd-omnibus-es1370
snap after
exit 0
EOF
} >"$OUT/scenario"
t0=$(date +%s)
vm_run --module "$MODULE" --out "$V" --timeout 600 --scenario "$OUT/scenario" \
	--monitor "${files[@]}" \
	--qemu-args "-device ES1370,id=es0,audiodev=es -audiodev wav,id=es,path=$V/es.wav" \
	--qemu-args "-device AC97,id=ich0,audiodev=ich" \
	--qemu-args "-audiodev wav,id=ich,path=$V/ich.wav,out.frequency=48000" \
	--qemu-args "-audiodev wav,id=es2,path=$V/es2.wav" \
	--qemu-args "-audiodev wav,id=ich2,path=$V/ich2.wav,out.frequency=48000" \
	--qemu-args "-device cs4231a,irq=5,audiodev=wss" \
	--qemu-args "-audiodev wav,id=wss,path=$V/wss.wav" \
	--qemu-args "-device adlib,audiodev=fm -audiodev none,id=fm" \
	>"$OUT/vm.log" || true
t1=$(date +%s)
echo "    VM time: $((t1 - t0)) s"
if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
	sed 's/^/    /' "$OUT/vm.log" | tail -n 40
	fail rel-unplug-vm "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
fi
reports=$(rel_reports "$V/dmesg.txt")
sed 's/^/    monitor: /' "$V/monitor.log" 2>/dev/null || true

# --- unbind ------------------------------------------------------------------------
uruns=0 ufails=0
for tag in es ich wss; do
	st=$V/unbind-$tag.txt
	sed 's/^/    '"$tag"' unbind: /' "$st" 2>/dev/null || true
	n=$(grep -c '^cycle ' "$st" 2>/dev/null || true)
	good=$(grep -c '^cycle [0-9]*: unbind-rc 0 aplay-rc [1-9][0-9]* card-gone bind-rc 0 card-back$' \
		"$st" 2>/dev/null || true)
	uruns=$((uruns + n))
	ufails=$((ufails + n - good))
	if [ "$n" = "$UNBINDS" ] && [ "$good" = "$n" ]; then
		pass "rel-unbind-$tag-while-playing"
	else
		fail "rel-unbind-$tag-while-playing" "$good of $n (of $UNBINDS) cycles as expected"
	fi
	head -n 3 "$V/unbind-$tag-1.aplay" 2>/dev/null | sed 's/^/    aplay: /'
	if grep -qx 'after-aplay-rc 0' "$st" 2>/dev/null; then
		check "rel-unbind-$tag-bitexact-after" python3 "$WAV" contains \
			"$OUT/after-unbind-$tag.wav" "$V/$tag.wav" --prefix-seconds 1
	else
		# (CHECK_RC of an earlier check must not count this one as good)
		CHECK_RC=1
		fail "rel-unbind-$tag-bitexact-after" "aplay after bind failed"
	fi
	[ "$CHECK_RC" = 0 ] || ufails=$((ufails + 1))
done

# --- the AdLib card: unbind while its hwdep is written, while a note plays
st=$V/unbind-adlib.txt
sed 's/^/    adlib unbind: /' "$st" 2>/dev/null || true
echo "    adlib unbind: $(awk '{ printf "%.1f", $2 - $1 }' "$V/adlib-time.txt" 2>/dev/null) s in the guest"
for mode in write note; do
	n=$(grep -c "^cycle [0-9]* $mode: " "$st" 2>/dev/null || true)
	end=write-failed
	[ $mode = note ] && end=aplaymidi-ended
	good=$(grep -c "^cycle [0-9]* $mode: unbind-rc 0 $end card-gone bind-rc 0 card-back hwdep-back synth-back$" \
		"$st" 2>/dev/null || true)
	uruns=$((uruns + n))
	ufails=$((ufails + n - good))
	if [ "$n" = 1 ] && [ "$good" = 1 ]; then
		pass "rel-unbind-adlib-while-$mode"
	else
		ufails=$((ufails + 1))
		fail "rel-unbind-adlib-while-$mode" "$good of $n (of 1) cycles as expected"
	fi
done
if grep -qx 'after-note-rc 0' "$st" 2>/dev/null; then
	pass rel-unbind-adlib-note-after
else
	ufails=$((ufails + 1))
	fail rel-unbind-adlib-note-after "$(tail -n 1 "$st" 2>/dev/null) $(cat "$V/adlib-after.err" 2>/dev/null)"
fi

# --- hot-unplug --------------------------------------------------------------------
skip rel-hotunplug-wss "an ISA card has no hot-unplug (QEMU's ISA devices take no device_del)"
skip rel-hotunplug-adlib "an ISA card has no hot-unplug (QEMU's ISA devices take no device_del)"
hruns=0 hfails=0 leaks=0
for tag in es ich; do
	qid=${tag}0
	st=$V/unplug-$tag.txt
	hruns=$((hruns + 1))
	sed 's/^/    '"$tag"' unplug: /' "$st" 2>/dev/null || true
	head -n 3 "$V/unplug-$tag.aplay" 2>/dev/null | sed 's/^/    aplay: /'
	if grep -qx 'device-gone aplay-rc [1-9][0-9]* card-gone rmmod-rc 0' "$st" 2>/dev/null &&
	   grep -q "^event DEVICE_DELETED .*\"$qid\"" "$V/monitor.log"; then
		pass "rel-hotunplug-$tag-while-playing"
	else
		hfails=$((hfails + 1))
		fail "rel-hotunplug-$tag-while-playing" "$(head -n 1 "$st" 2>/dev/null)"
	fi
	# what the driver had is given back: the machine is as it was with
	# only the other card's module loaded
	if d=$(rel_res_diff "$V" "without-$tag" "unplugged-$tag"); then
		pass "rel-hotunplug-$tag-nothing-left"
	else
		leaks=$((leaks + 1))
		printf '%s\n' "$d" | sed 's/^/    /'
		fail "rel-hotunplug-$tag-nothing-left" "resources differ after the unplug"
	fi
	if grep -qx 'device-back' "$st" 2>/dev/null && grep -qx 'card-back' "$st" &&
	   grep -qx 'after-aplay-rc 0' "$st"; then
		check "rel-hotplug-$tag-bitexact-after" python3 "$WAV" contains \
			"$OUT/after-plug-$tag.wav" "$V/${tag}2.wav" --prefix-seconds 1
		[ "$CHECK_RC" = 0 ] || hfails=$((hfails + 1))
	else
		hfails=$((hfails + 1))
		fail "rel-hotplug-$tag-bitexact-after" "device_add: $(tail -n 3 "$st" 2>/dev/null | tr '\n' ' ')"
	fi
done
if d=$(rel_res_diff "$V" before after); then
	pass rel-unplug-nothing-left-at-end
else
	leaks=$((leaks + 1))
	printf '%s\n' "$d" | sed 's/^/    /'
	fail rel-unplug-nothing-left-at-end "resources differ"
fi
check_dmesg_clean "$V/dmesg.txt" rel-unplug-dmesg-clean

kml=$(rel_kmemleak "$V")
leaks=$((leaks + kml))
rel_figure stress-unbind "$uruns" "$ufails" "$reports" "$kml"
rel_figure stress-hotunplug "$hruns" "$hfails" "$reports" "$leaks"
test_done
