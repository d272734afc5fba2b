#!/bin/bash
#
# t-fm.sh - OPL3 FM: the SB16's (snd-omnibus-sb16) and an AdLib card's
# (snd-omnibus-adlib), both through the kernel's snd-opl3-lib, under
# QEMU's -device sb16 -device adlib (the adlib decodes 0x220-0x223,
# 0x228-0x229 and 0x388-0x38b: the SB16's FM answers at its base port as
# on a real card, and 0x388 is an AdLib's port).
#
# The same instrument (an SBI patch made here: a sine carrier, the
# modulator silent) is loaded through the card's hwdep device
# (cat patch.sbi > /dev/snd/hwCxD0) and the same 1 s note (A4, 440 Hz, a
# MIDI file made here) is played through the sequencer (snd-opl3-synth,
# aplaymidi):
#
#  - on Debian's amd64 kernel by snd-omnibus-sb16 (FM at the card's base,
#    no fm_port=) and by snd-omnibus-adlib port=0x388: the OPL3 hwdep
#    device and the sequencer's OPL3 port are there;
#  - on Debian's 686 kernel (qemu-system-i386) by the in-tree snd-sb16
#    and snd-adlib;
#  - in -audiodev wav each note's bytes from key-on (its first sample
#    that is not zero) to key-off (where the release starts, found in
#    each recording by its level, which shows it a few ms late) are the
#    same from snd-omnibus-sb16 as from snd-sb16 and from
#    snd-omnibus-adlib as from snd-adlib: no byte differs before 10 ms
#    ahead of the earlier key-off found (after key-off the timing differs
#    between runs and is not compared); key-off comes 0.9 to 1.5 s after
#    key-on (1.0 on a quiet host: the guest's sequencer timer runs late
#    when the host is loaded, QEMU's audio clock does not; seen: 1.39 s
#    with five VMs on two cores), and the pitch measured from the zero crossings is the note's
#    (440 Hz, within 1 %; the OPL's frequency steps give 437.7 Hz);
#  - fm_port=0x388 puts the SB16's FM there, the driver holding the
#    ports as "OPL2/3 (left)" and "(right)" (the library's names); fm_port=-1:
#    no FM, no line; fm_port=0x388 while snd-omnibus-adlib holds it: the
#    SB16 loads without FM, with one line (-EBUSY), the library's none;
#  - without -device adlib: snd-omnibus-sb16 loads without FM with
#    exactly one line, at its base and at fm_port=0x388 (and holds no
#    port 0x388 then); snd-omnibus-adlib port=0x388 fails with one line
#    and -ENODEV (No such device), without port= with one line, with a
#    port no AdLib has with one line and -EINVAL; nothing stays in
#    /proc/ioports;
#  - unloading leaves no snd-omnibus module and no port behind, and the
#    kernel's snd-opl3-synth and snd-opl3-lib unload after them (nothing
#    holds them).
#
# On the debug kernel (t-rel-debug) the in-tree 686 VM is left out (a SKIP
# line for each comparison): the notes are checked for key-off and pitch.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-fm.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

for m in core sb16 adlib; do
	if [ ! -f "$MODULE/snd-omnibus-$m.ko" ]; then
		fail fm-modules "no snd-omnibus-$m.ko in $MODULE (build it first)"
		test_done
	fi
done

# --- the instrument and the note ---------------------------------------------
D=$OUT/data
mkdir -p "$D"
python3 "$REPO/tests/lib/fm.py" files "$D"

# guest functions: note NAME loads the patch into the first OPL hwdep
# device and plays the note on the first OPL sequencer port
# shellcheck disable=SC2016 # expanded in the guest
GUEST_NOTE='
snap() { cat /proc/ioports; }
note() {
	hw=$(awk -F"[-:]" "/OPL[23] FM/ { printf \"hwC%dD%d\", \$1, \$2; exit }" /proc/asound/hwdep)
	p=$(aplaymidi -l | awk "/OPL[23] FM/ { print \$1; exit }")
	echo "hw=$hw port=$p" >/out/$1.dev
	aplaymidi -l >>/out/$1.dev 2>&1
	[ -n "$hw" ] && [ -n "$p" ] || return 1
	cat /data/patch.sbi >/dev/snd/$hw || return 1
	aplaymidi -p "$p" /data/note.mid 2>/out/$1.err || return 1
	# the release, then silence between the notes
	sleep 1.5
	echo ok >/out/$1.ok
}
'

# run NAME ARCH SCENARIO-FILE [QEMU-DEVICES]: one VM; for ARCH x86_64 with
# this tree's modules
ALL_DMESG=""
run()
{
	local n=$1 arch=$2 sc=$3 devs=${4:--device sb16,audiodev=snd0 -device adlib,audiodev=snd0}
	local dir=$OUT/$n
	local -a args=(--arch "$arch" --out "$dir" --timeout 150
		--file "$D/patch.sbi" --file "$D/note.mid"
		--qemu-args "$devs"
		--qemu-args "-audiodev wav,id=snd0,path=$dir/out.wav")

	rm -rf "$dir"
	mkdir -p "$dir"
	if [ "$arch" = x86_64 ]; then
		args+=(--module "$MODULE/snd-omnibus-core.ko"
			--module "$MODULE/snd-omnibus-sb16.ko"
			--module "$MODULE/snd-omnibus-adlib.ko")
		[ -n "${KVER:-}" ] && args+=(--kver "$KVER")
	fi
	{
		printf '%s\n' "$GUEST_NOTE"
		cat "$sc"
	} >"$dir.scenario"
	vm_run "${args[@]}" --scenario "$dir.scenario" >"$dir.log" || true
	ALL_DMESG="$ALL_DMESG $dir/dmesg.txt"
}

finished()
{
	[ "$(cat "$OUT/$1/exit" 2>/dev/null)" = 0 ] && return 0
	tail -n 30 "$OUT/$1.log" | sed 's/^/    /'
	fail "$2" "the scenario did not finish (exit: $(cat "$OUT/$1/exit" 2>/dev/null))"
	return 1
}

# --- VM 1: amd64, snd-omnibus-sb16 and snd-omnibus-adlib with an OPL ----------
cat >"$OUT/omnibus.sc" <<'EOF'
snap >/out/ioports-before.txt
# the out-of-tree taint lines come now, not with the first card
modprobe snd-omnibus-core || exit 1
dmesg -c >/dev/null
modprobe snd-omnibus-sb16 port=0x220 || exit 1
dmesg -c >/out/sb16-load.dmesg
cat /proc/asound/hwdep >/out/sb16-hwdep.txt
cat /proc/asound/card0/sb16 >/out/sb16-proc.txt
ls /dev/snd >/out/sb16-devsnd.txt
modprobe snd-seq && modprobe snd-opl3-synth || exit 1
note sb16
rmmod snd-omnibus-sb16 || exit 1

# the FM elsewhere: the driver requests its ports
modprobe snd-omnibus-sb16 port=0x220 fm_port=0x388 || exit 1
dmesg -c >/out/fm388.dmesg
cat /proc/asound/hwdep >/out/fm388-hwdep.txt
snap >/out/fm388-ioports.txt
rmmod snd-omnibus-sb16 || exit 1
snap >/out/fm388-ioports-after.txt
# no FM
modprobe snd-omnibus-sb16 port=0x220 fm_port=-1 || exit 1
dmesg -c >/out/nofm.dmesg
cat /proc/asound/hwdep >/out/nofm-hwdep.txt
cat /proc/asound/card0/sb16 >/out/nofm-proc.txt
rmmod snd-omnibus-sb16 || exit 1

modprobe snd-omnibus-adlib port=0x388 || exit 1
dmesg -c >/out/adlib-load.dmesg
cat /proc/asound/hwdep >/out/adlib-hwdep.txt
cat /proc/asound/cards >/out/adlib-cards.txt
snap >/out/adlib-ioports.txt
note adlib
# the SB16's FM asked for where the AdLib card is: a card without FM
modprobe snd-omnibus-sb16 port=0x220 fm_port=0x388 || exit 1
dmesg -c >/out/fmbusy.dmesg
cat /proc/asound/hwdep >/out/fmbusy-hwdep.txt
rmmod snd-omnibus-sb16 || exit 1
rmmod snd-omnibus-adlib snd-omnibus-core || exit 1
rmmod snd-opl3-synth && rmmod snd-opl3-lib && echo ok >/out/opl3-unloaded.txt
snap >/out/ioports-after.txt
grep '^snd_omnibus' /proc/modules >/out/modules-after.txt
exit 0
EOF
run omnibus x86_64 "$OUT/omnibus.sc"

# --- VM 2: 686, the in-tree snd-sb16 and snd-adlib --------------------------------
cat >"$OUT/intree.sc" <<'EOF'
uname -r >/out/uname.txt
modprobe snd-sb16 isapnp=0 port=0x220 irq=5 dma8=1 dma16=5 || exit 1
modprobe snd-seq && modprobe snd-opl3-synth || exit 1
note sb16
rmmod snd-sb16 || exit 1
modprobe snd-adlib port=0x388 || exit 1
note adlib
exit 0
EOF
# On the debug kernel (t-rel-debug) the in-tree run is not repeated: it
# boots the stock 686 kernel either way, and the stock run of this script
# compared the bytes; there the notes are checked for key-off and pitch.
INTREE=1
case ${KVER:-} in *-omnibus-debug) INTREE="" ;; esac
[ -z "$INTREE" ] || run intree-686 i386 "$OUT/intree.sc"

# --- VM 3: amd64 without an OPL -------------------------------------------------
cat >"$OUT/noopl.sc" <<'EOF'
modprobe snd-omnibus-core; modprobe snd-opl3-lib
snap >/out/ioports-before.txt
try() { # NAME MODULE ARG...: load, keep rc, messages and the kernel log
	n=$1
	shift
	dmesg -c >/dev/null
	modprobe "$@" >/out/$n.modprobe 2>&1
	echo "rc=$?" >>/out/$n.modprobe
	dmesg -c >/out/$n.dmesg
	cat /proc/asound/hwdep >/out/$n.hwdep 2>/dev/null
	grep -c '^snd_omnibus_adlib ' /proc/modules >/out/$n.loaded
}
try sb16 snd-omnibus-sb16 port=0x220
rmmod snd-omnibus-sb16
try sb16fm388 snd-omnibus-sb16 port=0x220 fm_port=0x388
grep -i 'opl' /proc/ioports >/out/sb16fm388.ioports
rmmod snd-omnibus-sb16
try adlib snd-omnibus-adlib port=0x388
try noport snd-omnibus-adlib
try badport snd-omnibus-adlib port=0x300
rmmod snd-omnibus-core
snap >/out/ioports-after.txt
grep '^snd_omnibus' /proc/modules >/out/modules-after.txt
exit 0
EOF
run noopl x86_64 "$OUT/noopl.sc" "-device sb16,audiodev=snd0"

# --- the recordings ---------------------------------------------------------------
# each note: where key-on and key-off are, the pitch, and how far the
# bytes from key-on are the same as in the in-tree driver's recording
python3 - "$OUT" >"$OUT/notes.txt" <<'EOF' || true
import os, struct, sys
out = sys.argv[1]
RATE = 44100


def frames(path):
    buf = open(path, "rb").read()
    i = buf.index(b"data")
    body = buf[i + 8:]
    n = len(body) // 4
    s = struct.unpack("<%dh" % (2 * n), body[:4 * n])
    return list(zip(s[0::2], s[1::2]))


def notes(fr):
    """[(key-on, end)] of each stretch of sound; 0.2 s of zeros ends one."""
    res, k, n = [], 0, len(fr)
    while k < n:
        while k < n and fr[k] == (0, 0):
            k += 1
        if k == n:
            break
        on, last = k, k
        while k < n and k - last < RATE // 5:
            if fr[k] != (0, 0):
                last = k
            k += 1
        res.append((on, last + 1))
    return res


def keyoff(fr, on, end):
    """Where the release shows: no period after reaches the held level."""
    left = [abs(f[0]) for f in fr[on:end]]
    held = max(left[:RATE // 2])
    win = RATE // 200           # 5 ms, longer than a period at 440 Hz
    for k in range(RATE // 10, len(left) - win):
        if max(left[k:k + win]) < held * 0.98:
            return on + k
    return end


def pitch(fr, on):
    """Hz from the rising zero crossings 0.05..0.85 s after key-on."""
    x = [f[0] for f in fr[on + RATE // 20:on + RATE * 17 // 20]]
    t = [k + x[k] / (x[k] - x[k + 1]) for k in range(len(x) - 1)
         if x[k] <= 0 < x[k + 1]]
    return (len(t) - 1) * RATE / (t[-1] - t[0]) if len(t) > 1 else 0.0


rec = {}
for run in ("omnibus", "intree-686"):
    p = os.path.join(out, run, "out.wav")
    rec[run] = frames(p) if os.path.exists(p) else []
for i, name in enumerate(("sb16", "adlib")):
    info = {}
    for run, fr in rec.items():
        ns = notes(fr)
        if len(ns) != 2:
            print("%s %s notes=%d" % (name, run, len(ns)))
            continue
        on, end = ns[i]
        off = keyoff(fr, on, end)
        info[run] = (fr, on, off)
        print("%s %s notes=2 keyon=%d keyoff=%.4f pitch=%.1f left-equals-right=%d"
              % (name, run, on, (off - on) / RATE, pitch(fr, on),
                 all(a == b for a, b in fr[on:end])))
    if len(info) == 2:
        (fa, oa, ka), (fb, ob, kb) = info["omnibus"], info["intree-686"]
        span = min(ka - oa, kb - ob)
        same = 0
        while same < span and fa[oa + same] == fb[ob + same]:
            same += 1
        # the level test finds the release a few ms after it began
        print("%s compare span=%.4f same=%.4f equal=%d"
              % (name, span / RATE, same / RATE, same >= span - RATE // 100))
EOF
sed 's/^/    /' "$OUT/notes.txt"

V=$OUT/omnibus
I=$OUT/intree-686
if finished omnibus fm-omnibus-vm; then
	if grep -q '^00-00: OPL3 FM$' "$V/sb16-hwdep.txt" &&
	   grep -qx 'hwC0D0' "$V/sb16-devsnd.txt" &&
	   grep -q 'OPL3 FM synth *OPL3 FM Port' "$V/sb16.dev" &&
	   grep -qx 'OPL3 FM at 0x220' "$V/sb16-proc.txt" &&
	   [ "$(grep -c . "$V/sb16-load.dmesg")" = 1 ] &&
	   grep -q 'snd_omnibus_isa.0: Sound Blaster 16 at 0x220, irq 5, dma 1&5, DSP 4.05' "$V/sb16-load.dmesg"; then
		pass fm-sb16-hwdep-and-synth
	else
		fail fm-sb16-hwdep-and-synth "$(cat "$V/sb16-hwdep.txt" "$V/sb16.dev" "$V/sb16-proc.txt" "$V/sb16-load.dmesg")"
	fi
	if grep -q '^00-00: OPL3 FM$' "$V/fm388-hwdep.txt" &&
	   grep -q '^  0388-0389 : OPL2/3 (left)$' "$V/fm388-ioports.txt" &&
	   grep -q '^  038a-038b : OPL2/3 (right)$' "$V/fm388-ioports.txt" &&
	   ! grep -q 'OPL2/3' "$V/fm388-ioports-after.txt" &&
	   [ "$(grep -c . "$V/fm388.dmesg")" = 1 ]; then
		pass fm-sb16-fm-port-elsewhere
	else
		fail fm-sb16-fm-port-elsewhere "$(cat "$V/fm388-hwdep.txt" "$V/fm388-ioports.txt" "$V/fm388.dmesg")"
	fi
	if ! grep -q 'OPL' "$V/nofm-hwdep.txt" &&
	   grep -qx 'no OPL3 FM' "$V/nofm-proc.txt" &&
	   [ "$(grep -c . "$V/nofm.dmesg")" = 1 ]; then
		pass fm-sb16-fm-port-off
	else
		fail fm-sb16-fm-port-off "$(cat "$V/nofm-hwdep.txt" "$V/nofm-proc.txt" "$V/nofm.dmesg")"
	fi
	if grep -q '^00-00: OPL3 FM$' "$V/adlib-hwdep.txt" &&
	   grep -q 'OPL3 FM synth *OPL3 FM Port' "$V/adlib.dev" &&
	   grep -q '\]: AdLib - AdLib FM$' "$V/adlib-cards.txt" &&
	   grep -q 'AdLib FM (OPL3) at 0x388$' "$V/adlib-cards.txt" &&
	   grep -q '^  0388-038b : snd-omnibus AdLib$' "$V/adlib-ioports.txt" &&
	   [ "$(grep -c . "$V/adlib-load.dmesg")" = 1 ] &&
	   grep -q 'snd_omnibus_adlib snd_omnibus_adlib.0: AdLib FM (OPL3) at 0x388$' "$V/adlib-load.dmesg"; then
		pass fm-adlib-hwdep-and-synth
	else
		fail fm-adlib-hwdep-and-synth "$(cat "$V/adlib-hwdep.txt" "$V/adlib.dev" "$V/adlib-cards.txt" "$V/adlib-ioports.txt" "$V/adlib-load.dmesg")"
	fi
	# one line about the FM (the library none), whatever else the
	# kernel says meanwhile (a loaded host: clocksource lines)
	if [ "$(grep -ci 'opl' "$V/fmbusy.dmesg")" = 1 ] &&
	   grep -q 'snd_omnibus_isa.0: the OPL3 FM at 0x388 could not be set up (-16, its ports are in use: see /proc/ioports): the card works without FM$' "$V/fmbusy.dmesg" &&
	   grep -q 'snd_omnibus_isa.0: Sound Blaster 16 at 0x220, ' "$V/fmbusy.dmesg" &&
	   [ "$(grep -c OPL "$V/fmbusy-hwdep.txt")" = 1 ]; then
		pass fm-sb16-fm-port-busy
	else
		fail fm-sb16-fm-port-busy "$(cat "$V/fmbusy.dmesg" "$V/fmbusy-hwdep.txt")"
	fi
	if diff -u "$V/ioports-before.txt" "$V/ioports-after.txt" >"$OUT/ioports.diff" &&
	   [ ! -s "$V/modules-after.txt" ] && grep -qx ok "$V/opl3-unloaded.txt"; then
		pass fm-unload-leaves-nothing
	else
		fail fm-unload-leaves-nothing "$(cat "$OUT/ioports.diff" "$V/modules-after.txt" "$V/opl3-unloaded.txt" 2>&1)"
	fi
fi
[ -z "$INTREE" ] || finished intree-686 fm-intree-686-vm || true

# notes_ok NOTE RUNS: RUNS recordings have NOTE, each with key-off 0.9 to
# 1.5 s after key-on and a pitch of 440 Hz within 1 %
notes_ok()
{
	awk -v n="$1" -v runs="$2" '$1 == n && $3 == "notes=2" {
			split($5, k, "="); split($6, p, "=")
			if (k[2] < 0.9 || k[2] > 1.5 || p[2] < 435.6 || p[2] > 444.4) bad = 1
			good++
		} END { exit !(good == runs && !bad) }' "$OUT/notes.txt"
}

# the notes: played, pitch, and the same bytes as the in-tree driver
for n in sb16 adlib; do
	if [ -z "$INTREE" ]; then
		skip "fm-$n-note-same-bytes-as-in-tree" "on the debug kernel: the stock run compares with the in-tree driver"
		if [ -f "$V/$n.ok" ] && notes_ok "$n" 1; then
			pass "fm-$n-note-keyoff-and-pitch"
		else
			fail "fm-$n-note-keyoff-and-pitch" "$(grep "^$n " "$OUT/notes.txt"; cat "$V/$n.err" "$V/$n.dev" 2>/dev/null)"
		fi
		continue
	fi
	if [ -f "$V/$n.ok" ] && [ -f "$I/$n.ok" ] &&
	   grep -q "^$n compare .* equal=1$" "$OUT/notes.txt" && notes_ok "$n" 2; then
		pass "fm-$n-note-same-bytes-as-in-tree-and-pitch"
	else
		fail "fm-$n-note-same-bytes-as-in-tree-and-pitch" "$(grep "^$n " "$OUT/notes.txt"; cat "$V/$n.err" "$I/$n.err" "$V/$n.dev" "$I/$n.dev" 2>/dev/null)"
	fi
done

# --- without an OPL ---
N=$OUT/noopl
if finished noopl fm-noopl-vm; then
	if grep -qx 'rc=0' "$N/sb16.modprobe" &&
	   [ "$(grep -c . "$N/sb16.dmesg")" = 2 ] &&
	   [ "$(grep -c 'snd_omnibus_isa.0: no OPL3 FM answers at 0x220 (-19): the card works without FM$' "$N/sb16.dmesg")" = 1 ] &&
	   ! grep -q OPL "$N/sb16.hwdep"; then
		pass fm-sb16-without-opl-one-line
	else
		fail fm-sb16-without-opl-one-line "$(cat "$N/sb16.modprobe" "$N/sb16.dmesg" "$N/sb16.hwdep")"
	fi
	# fm_port= elsewhere: the ports are ours while the OPL is looked
	# for, and given back when nothing answers
	if grep -qx 'rc=0' "$N/sb16fm388.modprobe" &&
	   [ "$(grep -c . "$N/sb16fm388.dmesg")" = 2 ] &&
	   [ "$(grep -c 'snd_omnibus_isa.0: no OPL3 FM answers at 0x388 (-19): the card works without FM$' "$N/sb16fm388.dmesg")" = 1 ] &&
	   [ ! -s "$N/sb16fm388.ioports" ] &&
	   ! grep -q OPL "$N/sb16fm388.hwdep"; then
		pass fm-sb16-fm-port-without-opl-one-line
	else
		fail fm-sb16-fm-port-without-opl-one-line "$(cat "$N/sb16fm388.modprobe" "$N/sb16fm388.dmesg" "$N/sb16fm388.ioports" "$N/sb16fm388.hwdep")"
	fi
	bad()
	{
		local n=$1 err=$2 line=$3
		if grep -q "could not insert 'snd_omnibus_adlib': $err" "$N/$n.modprobe" &&
		   ! grep -qx 'rc=0' "$N/$n.modprobe" &&
		   [ "$(grep -c . "$N/$n.dmesg")" = 1 ] &&
		   grep -q -- "$line" "$N/$n.dmesg" &&
		   [ "$(cat "$N/$n.loaded")" = 0 ]; then
			pass "fm-adlib-bad-$n"
		else
			fail "fm-adlib-bad-$n" "$(cat "$N/$n.modprobe" "$N/$n.dmesg")"
		fi
	}
	bad adlib 'No such device' 'snd_omnibus_adlib.0: no OPL answers at 0x388 (status and timer test): -19$'
	bad noport 'No such device' 'snd_omnibus_adlib: port= not given: no AdLib card is set up (an OPL is never looked for; port=0x388 on an AdLib): -19$'
	bad badport 'Invalid argument' 'snd_omnibus_adlib: port=0x300 (card 0) is not a standalone OPL port (0x388, 0x220, 0x240, 0x260, 0x280): -22$'
	if diff -u "$N/ioports-before.txt" "$N/ioports-after.txt" >"$OUT/noopl-ioports.diff" &&
	   [ ! -s "$N/modules-after.txt" ]; then
		pass fm-noopl-nothing-left
	else
		fail fm-noopl-nothing-left "$(cat "$OUT/noopl-ioports.diff" "$N/modules-after.txt")"
	fi
fi

bad=""
for d in $ALL_DMESG; do
	check_dmesg_clean "$d" || bad="$bad $d"
done
if [ -z "$bad" ]; then
	pass fm-dmesg-clean
else
	fail fm-dmesg-clean "see$bad"
fi

test_done
