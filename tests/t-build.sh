#!/bin/bash
# host-only: boots no VM (tests/run.sh runs it beside the VM tests)
# The modules build against the target kernel's headers with W=1 and no
# warning, pass sparse and checkpatch (from linux-source-6.1), and modinfo
# describes every parameter of each; the shape of the modules (each
# backend on snd-omnibus-core alone) and of the files (calls one way,
# tests/lib/layers.py) holds.
set -eu
. "$REPO/tests/lib/vm.sh"
. "$REPO/tests/lib/test.sh"

vm_host_deps sparse linux-source-6.1

out=${TEST_OUT:-$REPO/tests/out/build}
rm -rf "$out/src"
mkdir -p "$out/src"
cp "$REPO"/src/* "$out/src/"
kdir=/lib/modules/$KVER/build

if make -C "$kdir" M="$out/src" W=1 C=2 CHECK="sparse -Wsparse-error" modules \
	>"$out/make.log" 2>&1; then
	warn=$(grep -E 'warning:|error:|sparse:' "$out/make.log" || true)
	if [ -z "$warn" ]; then
		pass build-w1-sparse-clean
	else
		fail build-w1-sparse-clean "$(printf '%s\n' "$warn" | head -n 5)"
	fi
else
	fail build-w1-sparse-clean "$(tail -n 20 "$out/make.log")"
fi

# every module: each parameter described, the ones it should have, its
# own description.  The shape: every backend depends on snd-omnibus-core
# and imports its namespace, and on no other module of ours;
# snd-ac97-codec is a dependency of snd-omnibus-ich only, snd-opl3-lib
# of snd-omnibus-sb16 and snd-omnibus-adlib only; the core depends
# on no module of ours and has no parameters; no .c file is included by
# another and no object is linked into two modules (src/Kbuild).
bad=""
for m in core:- virtual:virtual_cards es1370: ich: \
	sb16:port,irq,dma8,dma16,fm_port,mpu_port,isa_autodetect \
	wss:port,irq,dma1,dma2,isa_autodetect adlib:port; do
	name=snd-omnibus-${m%%:*}
	ko=$out/src/$name.ko
	if [ ! -f "$ko" ]; then
		bad="$bad $name was not built;"
		continue
	fi
	parms=$(modinfo -F parm "$ko")
	undocumented=$(printf '%s\n' "$parms" | grep -Ev '^[a-z_0-9]+:.{12,}' || true)
	[ -z "$undocumented" ] || bad="$bad $name undocumented: $undocumented;"
	if [ "${m#*:}" = - ]; then
		expected=""
	else
		expected=$(printf 'index,id,enable,%s' "${m#*:}" | tr , '\n' | grep . |
			LC_ALL=C sort | paste -sd, -)
	fi
	got=$(printf '%s\n' "$parms" | grep . | sed 's/:.*//' | LC_ALL=C sort | paste -sd, -)
	[ "$got" = "$expected" ] || bad="$bad $name has parameters $got, not $expected;"
	[ "$(modinfo -F license "$ko")" = GPL ] || bad="$bad $name license;"
	[ -n "$(modinfo -F description "$ko")" ] || bad="$bad $name has no description;"
	deps=$(modinfo -F depends "$ko" | tr , '\n')
	ours=$(printf '%s\n' "$deps" | grep '^snd-omnibus' | paste -sd, - || true)
	case $name in
	*-core)
		[ -z "$ours" ] || bad="$bad $name depends on $ours;"
		[ -z "$(modinfo -F import_ns "$ko")" ] ||
			bad="$bad $name imports a namespace;" ;;
	*)
		[ "$ours" = snd-omnibus-core ] ||
			bad="$bad $name depends on '$ours', not snd-omnibus-core alone;"
		[ "$(modinfo -F import_ns "$ko")" = SND_OMNIBUS ] ||
			bad="$bad $name does not import the SND_OMNIBUS namespace;" ;;
	esac
	case $name in
	*-ich) printf '%s\n' "$deps" | grep -qx snd-ac97-codec ||
		bad="$bad $name does not depend on snd-ac97-codec;" ;;
	*) ! printf '%s\n' "$deps" | grep -qx snd-ac97-codec ||
		bad="$bad $name depends on snd-ac97-codec;" ;;
	esac
	case $name in
	*-sb16 | *-adlib) printf '%s\n' "$deps" | grep -qx snd-opl3-lib ||
		bad="$bad $name does not depend on snd-opl3-lib;" ;;
	*) ! printf '%s\n' "$deps" | grep -qx snd-opl3-lib ||
		bad="$bad $name depends on snd-opl3-lib;" ;;
	esac
done
# the core's symbols are exported in the namespace and nowhere else
nsbad=$(awk '$3 ~ /snd-omnibus-core$/ && $5 != "SND_OMNIBUS" { print $2 }' \
	"$out/src/Module.symvers" 2>/dev/null | paste -sd, -)
[ -z "$nsbad" ] || bad="$bad exported outside SND_OMNIBUS: $nsbad;"
grep -q 'snd-omnibus-core.*SND_OMNIBUS' "$out/src/Module.symvers" 2>/dev/null ||
	bad="$bad snd-omnibus-core exports nothing in SND_OMNIBUS;"
inc=$(grep -l '^#include "[^"]*\.c"' "$out"/src/*.c 2>/dev/null | grep -v '\.mod\.c$' |
	xargs -r -n1 basename | paste -sd, - || true)
[ -z "$inc" ] || bad="$bad $inc include a .c file;"
twice=$(sed -n 's/^snd-omnibus-[a-z0-9]*-y *:= *//p' "$REPO/src/Kbuild" | tr ' ' '\n' |
	grep . | sort | uniq -d | paste -sd, - || true)
[ -z "$twice" ] || bad="$bad objects in two modules: $twice;"
if [ -z "$bad" ]; then
	pass build-modinfo
else
	fail build-modinfo "$bad"
fi

# which way the files call each other (tests/lib/layers.py): no two files
# both ways, the core names no chip, no backend names another
if python3 "$REPO/tests/lib/layers.py" "$REPO/src" >"$out/layers.txt" 2>&1; then
	pass build-layers-one-way
else
	fail build-layers-one-way "$(grep -m 3 -e BREACH -e Error "$out/layers.txt" | paste -sd';' -)"
fi

# checkpatch from the kernel's own tree (linux-source-6.1)
cp=$(ls -d /usr/src/linux-source-6.1/scripts/checkpatch.pl 2>/dev/null || true)
if [ -z "$cp" ]; then
	src=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1 || true)
	if [ -n "$src" ]; then
		mkdir -p "$CACHE/checkpatch"
		tar -C "$CACHE/checkpatch" -xf "$src" --strip-components=1 \
			linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch
		cp=$CACHE/checkpatch/scripts/checkpatch.pl
	fi
fi
if [ -n "$cp" ] && [ -f "$cp" ]; then
	# compat.h exists to compare LINUX_VERSION_CODE: those lines are its job
	srcs=$(ls "$REPO"/src/*.[ch] | grep -v '\.mod\.c$')
	# shellcheck disable=SC2086 # one file per word
	"$cp" --no-tree --strict --terse --show-types -f $srcs \
		>"$out/checkpatch.log" 2>&1 || true
	bad=$(grep -E '(WARNING|ERROR|CHECK):' "$out/checkpatch.log" |
		grep -Ev 'compat.h:[0-9]+: WARNING:(LINUX_VERSION_CODE|CONSTANT_COMPARISON):' || true)
	# anything but findings and their totals: checkpatch did not run
	# (a perl error, a missing file), which must not read as clean
	other=$(grep -Ev '^[^ ]+:[0-9]+: (WARNING|ERROR|CHECK):|^total: ' \
		"$out/checkpatch.log" || true)
	if [ -n "$other" ]; then
		fail checkpatch-clean "checkpatch did not run: $(printf '%s\n' "$other" | head -n 1)"
	elif [ -z "$bad" ]; then
		pass checkpatch-clean
	else
		fail checkpatch-clean "$(printf '%s\n' "$bad" | head -n 5)"
	fi
else
	fail checkpatch-clean "linux-source-6.1 is not installed"
fi
