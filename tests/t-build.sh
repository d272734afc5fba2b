#!/bin/bash
# The module builds against the target kernel's headers with W=1 and no
# warning, passes sparse and checkpatch (from linux-source-6.1), and modinfo
# describes every parameter.
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

# every parameter has a description
ko=$out/src/snd-omnibus.ko
if [ -f "$ko" ]; then
	parms=$(modinfo -F parm "$ko")
	undocumented=$(printf '%s\n' "$parms" | grep -Ev '^[a-z_0-9]+:.{12,}' || true)
	expected="index id enable virtual_cards port irq dma8 dma16 isa_autodetect"
	missing=""
	for p in $expected; do
		printf '%s\n' "$parms" | grep -q "^$p:" || missing="$missing $p"
	done
	if [ -z "$undocumented" ] && [ -z "$missing" ] &&
		[ "$(modinfo -F license "$ko")" = GPL ] &&
		[ -n "$(modinfo -F description "$ko")" ]; then
		pass build-modinfo
	else
		fail build-modinfo "missing:$missing undocumented: $undocumented"
	fi
else
	fail build-modinfo "no module was built"
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
	if [ -z "$bad" ]; then
		pass checkpatch-clean
	else
		fail checkpatch-clean "$(printf '%s\n' "$bad" | head -n 5)"
	fi
else
	fail checkpatch-clean "linux-source-6.1 is not installed"
fi
