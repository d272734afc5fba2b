#!/bin/bash
# The modules build against the target kernel's headers with W=1 and no
# warning, pass sparse and checkpatch (from linux-source-6.1), and modinfo
# describes every parameter of each.
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
# own description; snd-ac97-codec is a dependency of snd-omnibus-ich only
bad=""
for m in virtual:virtual_cards es1370: ich: sb16:port,irq,dma8,dma16,isa_autodetect; do
	name=snd-omnibus-${m%%:*}
	ko=$out/src/$name.ko
	if [ ! -f "$ko" ]; then
		bad="$bad $name was not built;"
		continue
	fi
	parms=$(modinfo -F parm "$ko")
	undocumented=$(printf '%s\n' "$parms" | grep -Ev '^[a-z_0-9]+:.{12,}' || true)
	[ -z "$undocumented" ] || bad="$bad $name undocumented: $undocumented;"
	expected=$(printf 'index,id,enable,%s' "${m#*:}" | tr , '\n' | grep . |
		LC_ALL=C sort | paste -sd, -)
	got=$(printf '%s\n' "$parms" | sed 's/:.*//' | LC_ALL=C sort | paste -sd, -)
	[ "$got" = "$expected" ] || bad="$bad $name has parameters $got, not $expected;"
	[ "$(modinfo -F license "$ko")" = GPL ] || bad="$bad $name license;"
	[ -n "$(modinfo -F description "$ko")" ] || bad="$bad $name has no description;"
	case $name in
	*-ich) modinfo -F depends "$ko" | grep -q snd-ac97-codec ||
		bad="$bad $name does not depend on snd-ac97-codec;" ;;
	*) ! modinfo -F depends "$ko" | grep -q snd-ac97-codec ||
		bad="$bad $name depends on snd-ac97-codec;" ;;
	esac
done
if [ -z "$bad" ]; then
	pass build-modinfo
else
	fail build-modinfo "$bad"
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
